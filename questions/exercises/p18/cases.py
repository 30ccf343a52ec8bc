import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(18)
    x = np.array([[0.2, 0.5, 0.9], [0.6, 0.1, 0.4]])
    w, b = np.array([1.0, -2.0, 0.5]), 0.1
    yield Case({"en": "two rows, eps 0.1", "zh": "两个样本，eps = 0.1"}, args=(x, np.array([1.0, 0.0]), w, b, 0.1), rtol=1e-9, atol=1e-12)
    yield Case({"en": "the same rows, other labels", "zh": "同样的样本，换一组标签"}, args=(x, np.array([0.0, 1.0]), w, b, 0.1), rtol=1e-9, atol=1e-12)

    images = rng.random((20, 64))
    images[images < 0.2] = 0.0  # background pixels
    images[images > 0.9] = 1.0  # saturated strokes
    w64 = rng.normal(0, 0.3, 64)
    w64[rng.random(64) < 0.2] = 0.0  # pixels the model ignores: their gradient is 0
    y20 = rng.integers(0, 2, 20).astype(float)
    yield Case({"en": "8x8 images, some weights 0", "zh": "8x8 图像，部分权重为 0"}, args=(images, y20, w64, -0.5, 0.05), rtol=1e-9, atol=1e-12, hidden=True)
    yield Case({"en": "eps = 0: nothing moves", "zh": "eps = 0：输入不变"}, args=(images, y20, w64, -0.5, 0.0), rtol=1e-9, atol=1e-12, hidden=True)
    yield Case({"en": "a large eps", "zh": "eps 很大"}, args=(images, y20, w64, 0.3, 0.5), rtol=1e-9, atol=1e-12, hidden=True)
    yield Case({"en": "a single row", "zh": "只有一个样本"}, args=(images[:1], np.array([1.0]), w64, 0.0, 0.1), rtol=1e-9, atol=1e-12, hidden=True)
