import numpy as np

from kdlab.practice.exercises import Case


def cases():
    rng = np.random.default_rng(33)
    # The question's example: A+ 0.3, A- 0.2, B+ 0.9, B- 0.5: AUC 0.75, GAUC 1.
    yield Case(
        {"en": "two users, perfect inside each", "zh": "两个用户，各自内部都排得完全正确"},
        args=(np.array([1, 0, 1, 0]), np.array([0.3, 0.2, 0.9, 0.5]), np.array([1, 1, 2, 2])),
        rtol=1e-9,
        atol=1e-12,
    )
    yield Case(
        {"en": "three users, one who never clicks", "zh": "三个用户，其中一个从不点击"},
        args=(np.array([1, 0, 0, 1, 0, 1, 0, 0]), np.array([0.8, 0.6, 0.9, 0.4, 0.1, 0.3, 0.7, 0.2]), np.array([7, 7, 7, 3, 3, 3, 5, 5])),
        rtol=1e-9,
        atol=1e-12,
    )

    n = 2000
    users = rng.integers(0, 60, n)
    activity = rng.normal(0, 1, 60)
    y = (rng.random(n) < 1 / (1 + np.exp(-(activity[users] - 1.5)))).astype(int)
    scores = np.round(0.5 * activity[users] + 0.7 * y + rng.normal(0, 1, n), 1)  # rounded: many ties
    yield Case({"en": "60 users, heavy users click more, tied scores", "zh": "60 个用户，活跃用户点得更多，分数有并列"}, args=(y, scores, users), rtol=1e-9, atol=1e-12, hidden=True)
    y2 = y.copy()
    y2[users % 3 == 0] = 1  # a third of the users only click
    y2[users % 3 == 1] = 0  # a third never click
    yield Case({"en": "two thirds of the users one-class", "zh": "三分之二的用户只有一类样本"}, args=(y2, scores, users), rtol=1e-9, atol=1e-12, hidden=True)
    yield Case(
        {"en": "a single user counts", "zh": "只有一个用户计入"},
        args=(np.array([1, 1, 0, 0, 0, 0, 1]), np.array([0.2, 0.9, 0.4, 0.9, 0.5, 0.1, 0.3]), np.array([1, 1, 1, 1, 2, 2, 3])),
        rtol=1e-9,
        atol=1e-12,
        hidden=True,
    )
    ids = rng.choice(np.array([10**9 + 7, 42, -3, 555_555, 8, 2**40, 1234, 99]), 80)
    yield Case({"en": "large, scattered user ids", "zh": "用户 ID 很大且不连续"}, args=(rng.integers(0, 2, 80), rng.random(80), ids), rtol=1e-9, atol=1e-12, hidden=True)
