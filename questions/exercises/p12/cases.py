import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(12)
    x = np.arange(1.0, 10.0).reshape(1, 3, 3)
    yield Case(
        {"en": "down by one row", "zh": "向下移一行"},
        args=(x, np.array([1]), np.array([0])),
        expected=np.array([[[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]),
        rtol=0,
        atol=1e-12,
    )
    yield Case(
        {"en": "up by one, right by two", "zh": "向上移一行，向右移两列"},
        args=(x, np.array([-1]), np.array([2])),
        expected=np.array([[[0.0, 0.0, 4.0], [0.0, 0.0, 7.0], [0.0, 0.0, 0.0]]]),
        rtol=0,
        atol=1e-12,
    )
    yield Case(
        {"en": "two images, two offsets", "zh": "两张图，偏移量各不相同"},
        args=(np.stack([x[0], 10 * x[0]]), np.array([0, 1]), np.array([-1, 1])),
        expected=np.array([[[2.0, 3.0, 0.0], [5.0, 6.0, 0.0], [8.0, 9.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 10.0, 20.0], [0.0, 40.0, 50.0]]]),
        rtol=0,
        atol=1e-12,
    )

    imgs = rng.random((8, 8, 8))
    yield Case({"en": "8 images, offsets in -2..2", "zh": "8 张图，偏移量在 -2..2 之间"}, args=(imgs, rng.integers(-2, 3, 8), rng.integers(-2, 3, 8)), rtol=0, atol=1e-12, hidden=True)
    yield Case({"en": "no shift", "zh": "不平移"}, args=(imgs[:3], np.zeros(3, int), np.zeros(3, int)), rtol=0, atol=1e-12, hidden=True)
    yield Case({"en": "beyond the image", "zh": "偏移超出图像"}, args=(imgs[:3], np.array([8, -9, 0]), np.array([0, 1, -8])), rtol=0, atol=1e-12, hidden=True)
    yield Case(
        {"en": "a 5x7 image", "zh": "5x7 的非方形图像"},
        args=(rng.random((4, 5, 7)), np.array([2, -4, 0, 1]), np.array([-6, 3, 1, 0])),
        rtol=0,
        atol=1e-12,
        hidden=True,
    )
