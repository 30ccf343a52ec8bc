import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(6)
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    yield Case({"en": "4x4 image, 2x2 kernel", "zh": "4x4 图像，2x2 卷积核"}, args=(x, np.array([[[[1.0, 0.0], [0.0, -1.0]]]]), np.array([0.5])))
    yield Case(
        {"en": "3x3 kernel, padding 1", "zh": "3x3 卷积核，padding 为 1"},
        args=(x, np.array([[[[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]]]), np.array([0.0])),
        kwargs={"padding": 1},
    )

    x = rng.normal(size=(2, 3, 8, 8))
    yield Case({"en": "2 images, 3 -> 4 channels", "zh": "2 张图，通道数 3 -> 4"}, args=(x, rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)), kwargs={"padding": 1}, hidden=True)
    yield Case(
        {"en": "stride 2 on a 5x5 image, padding 1", "zh": "5x5 图像，步长 2，padding 为 1"},
        args=(rng.normal(size=(1, 2, 5, 5)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)),
        kwargs={"stride": 2, "padding": 1},
        hidden=True,
    )
    yield Case({"en": "1x1 kernel", "zh": "1x1 卷积核"}, args=(x, rng.normal(size=(5, 3, 1, 1)), rng.normal(size=5)), hidden=True)
    yield Case({"en": "kernel as large as the image", "zh": "卷积核和图像一样大"}, args=(x, rng.normal(size=(2, 3, 8, 8)), rng.normal(size=2)), hidden=True)
    yield Case(
        {"en": "2x3 kernel on a 6x7 image, stride 2", "zh": "6x7 图像，2x3 卷积核，步长 2"},
        args=(rng.normal(size=(1, 1, 6, 7)), rng.normal(size=(2, 1, 2, 3)), np.zeros(2)),
        kwargs={"stride": 2},
        hidden=True,
    )
