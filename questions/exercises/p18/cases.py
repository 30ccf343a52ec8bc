import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(18)
    x = np.array([[0.2, 0.5, 0.9], [0.6, 0.1, 0.4]])
    w, b = np.array([1.0, -2.0, 0.5]), 0.1
    yield Case("two rows, eps 0.1", args=(x, np.array([1.0, 0.0]), w, b, 0.1), rtol=1e-9, atol=1e-12)
    yield Case("the same rows, other labels", args=(x, np.array([0.0, 1.0]), w, b, 0.1), rtol=1e-9, atol=1e-12)

    images = rng.random((20, 64))
    images[images < 0.2] = 0.0  # background pixels
    images[images > 0.9] = 1.0  # saturated strokes
    w64 = rng.normal(0, 0.3, 64)
    w64[rng.random(64) < 0.2] = 0.0  # pixels the model ignores: their gradient is 0
    y20 = rng.integers(0, 2, 20).astype(float)
    yield Case("8x8 images, some weights 0", args=(images, y20, w64, -0.5, 0.05), rtol=1e-9, atol=1e-12, hidden=True)
    yield Case("eps = 0: nothing moves", args=(images, y20, w64, -0.5, 0.0), rtol=1e-9, atol=1e-12, hidden=True)
    yield Case("a large eps", args=(images, y20, w64, 0.3, 0.5), rtol=1e-9, atol=1e-12, hidden=True)
    yield Case("a single row", args=(images[:1], np.array([1.0]), w64, 0.0, 0.1), rtol=1e-9, atol=1e-12, hidden=True)
