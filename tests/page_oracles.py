"""Every number a demo page shows in st.metric, recomputed another way (issue 18).

tests/test_registry.py opens each demo page at its defaults, keeps the results the page got from the
job queue, and asks ORACLES[demo](found, lang) for the metrics the page must show, in page order:
[(label, expected), ...], or (label, expected, expected delta) for a metric with a delta. Each expected value is recomputed from the run's raw material (its data,
predictions, fitted model or per-seed arrays) with scikit-learn, torch, pycocotools, a closed form or
plain numpy, never read from the field the page formats. `found[store]` lists the distinct results
the page got from that store, in the order it asked.

An expected value is a number, a tuple of numbers (for "a ± b", "35/37", "3 / 8"), a string (shown
as is), None (shown as "—"), Near(value, tol) (a reference that agrees with the run only to `tol`,
e.g. scikit-learn's own optimiser), TIMING (a measured time: only checked to be a positive number),
or a predicate Check(description, fn) on the numbers shown, where no exact recomputation exists.
"""

from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass

import numpy as np

from kdlab.core.i18n import translate


@dataclass(frozen=True)
class Near:
    value: float
    tol: float


@dataclass(frozen=True)
class Check:
    what: str
    fn: object  # numbers shown -> bool


TIMING = Check("a measured time, in seconds or milliseconds", lambda xs: len(xs) == 1 and xs[0] > 0)

NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?%?")


def shown_numbers(text: str) -> list[tuple[float, float]]:
    """Every number in a metric's text, with half a unit of its last shown digit (percent as a share)."""
    out = []
    for token in NUMBER.findall(text.replace("−", "-")):
        percent = token.endswith("%")
        body = token.rstrip("%").replace(",", "")
        mantissa, _, exponent = body.partition("e")
        decimals = len(mantissa.partition(".")[2])
        half = 0.5 * 10 ** (-decimals + (int(exponent) if exponent else 0))
        value = float(body)
        out.append((value / 100, half / 100) if percent else (value, half))
    return out


def agrees(text: str, expected) -> tuple[bool, str]:
    """Does the shown text equal the expected value to the precision it is shown with?"""
    if expected is None:
        return text == "—", "—"
    if isinstance(expected, str):
        return text == expected, expected
    numbers = shown_numbers(text)
    if isinstance(expected, Check):
        return bool(expected.fn([v for v, _ in numbers])), expected.what
    wanted = expected if isinstance(expected, tuple) else (expected,)
    if len(numbers) != len(wanted):
        return False, repr(wanted)
    for (value, half), want in zip(numbers, wanted, strict=True):
        tol = want.tol if isinstance(want, Near) else half + 1e-9 * max(1.0, abs(value))
        want = want.value if isinstance(want, Near) else want
        if not abs(value - float(want)) <= tol:
            return False, repr(wanted)
    return True, repr(wanted)


def std1(values) -> float:
    """Sample standard deviation written out: sqrt(sum (x - mean)^2 / (n - 1)); 0 for one value."""
    x = [float(v) for v in values]
    if len(x) < 2:
        return 0.0
    mean = sum(x) / len(x)
    return math.sqrt(sum((v - mean) ** 2 for v in x) / (len(x) - 1))


def mean(values) -> float:
    x = [float(v) for v in values]
    return sum(x) / len(x)


def n_weights(model) -> int:
    return sum(p.numel() for p in model.parameters())


def torch_accuracy(model, x, y) -> float:
    from kdlab.core.torch_env import torch

    model.eval()
    with torch.no_grad():
        pred = model(torch.as_tensor(x)).argmax(1).numpy()
    return float(np.mean(pred == np.asarray(y)))


# --- the classical labs ---------------------------------------------------------------------------


def regression(found, lang):
    from sklearn.metrics import r2_score

    r = found["regression"][0]
    t = lambda key: translate(lang, key)  # noqa: E731
    pred_test = r.X_test @ r.w + r.b
    residual = r.X_train @ r.w + r.b - r.y_train
    penalty = r.params["l2"] / 2 * float(np.sum((r.w * r.X_train.std(axis=0)) ** 2 if r.params["scale"] else r.w**2))
    return [
        (t("regression.test_mse"), float(np.mean((pred_test - r.y_test) ** 2))),
        (t("regression.test_r2"), r2_score(r.y_test, pred_test)),
        (t("regression.gap"), max(abs(float(a) - float(b)) for a, b in zip([*r.w, r.b], [*r.w_closed, r.b_closed], strict=True))),
        (t("regression.final_loss"), float(residual @ residual) / (2 * len(residual)) + penalty),
    ]  # fmt: skip


def logistic(found, lang):
    from sklearn.metrics import log_loss

    from kdlab.classic.logistic import Features
    from tests.test_page_logistic import sklearn_accuracy

    r = found["logistic"][0]
    t = lambda key: translate(lang, key)  # noqa: E731
    acc, C = sklearn_accuracy(**r.params)  # scikit-learn's LogisticRegression on the same data and objective
    phi = Features.fit(r.X_train, r.params["degree"])
    z_train, z_test = phi(r.X_train) @ r.w + r.b, phi(r.X_test) @ r.w + r.b
    gap = None if r.w_opt is None else max(abs(float(a) - float(b)) for a, b in zip([*r.w, r.b], [*r.w_opt, r.b_opt], strict=True))
    return [
        (t("logistic.train_acc"), float(np.mean((z_train > 0) == (r.y_train == 1)))),
        (t("logistic.test_acc"), acc),
        (t("logistic.test_loss"), log_loss(r.y_test, 1 / (1 + np.exp(-z_test)), labels=[0, 1])),
        (t("logistic.gap"), gap),
        (t("logistic.sklearn_C"), Near(C, 10 ** (math.floor(math.log10(C)) - 3))),
    ]  # fmt: skip


def tree(found, lang):
    from sklearn.tree import DecisionTreeClassifier

    r = found["tree"][0]
    t = lambda key: translate(lang, key)  # noqa: E731
    p = r.params
    sk = DecisionTreeClassifier(criterion=p["criterion"], max_depth=p["max_depth"], min_samples_leaf=p["min_samples_leaf"],
                                random_state=0).fit(r.X_train, r.y_train)  # fmt: skip
    return [
        (t("tree.train_acc"), sk.score(r.X_train, r.y_train)),
        (t("tree.test_acc"), sk.score(r.X_test, r.y_test)),
        (t("tree.leaves"), sk.get_n_leaves()),
        (t("tree.depth"), sk.get_depth()),
    ]


def ensemble(found, lang):
    r = found["ensemble"][0]
    X, y = r.X_test, r.y_test
    K = int(max(r.y_train.max(), y.max())) + 1
    m = r.models

    def majority(trees):  # the average of the trees' class shares, as bagging and forests vote
        return np.mean([tr.predict_value(X) for tr in trees], axis=0).argmax(1)

    trees, alphas = m["adaboost"]
    votes = sum(a * np.eye(K)[tr.predict(X)] for tr, a in zip(trees, alphas, strict=True))
    F0, stages = m["gboost"]
    F = F0 + r.params["learning_rate"] * sum(value[tr.leaf_of(X)] for tr, value in stages)
    pred = {
        "stump": m["stump"].predict(X), "tree": m["tree"].predict(X), "bagging": majority(m["bagging"]),
        "forest": majority(m["forest"]), "adaboost": votes.argmax(1), "gboost": (F > 0).astype(int),
    }  # fmt: skip
    return [(translate(lang, f"ensemble.method_{k}"), float(np.mean(pred[k] == y))) for k in pred]


def metrics(found, lang):
    from sklearn import metrics as skm

    r = found["metrics"][0]
    t = lambda key: translate(lang, key)  # noqa: E731
    y, s = r.y, r.score
    bins = np.minimum((s * r.params["n_bins"]).astype(int), r.params["n_bins"] - 1)
    ece = sum(abs(y[bins == b].mean() - s[bins == b].mean()) * np.mean(bins == b) for b in np.unique(bins))
    threshold = 0.5  # the page's threshold slider starts here
    pred = (s >= threshold).astype(int)
    tn, fp, _, _ = skm.confusion_matrix(y, pred).ravel()
    return [
        (t("metrics.precision"), skm.precision_score(y, pred, zero_division=0)),
        (t("metrics.recall"), skm.recall_score(y, pred)),
        ("F1", skm.f1_score(y, pred)),
        (t("metrics.fpr"), fp / (fp + tn)),
        ("AUC", skm.roc_auc_score(y, s)),
        (t("metrics.ece"), ece),
        (t("metrics.log_loss"), skm.log_loss(y, s)),
        (t("metrics.brier"), skm.brier_score_loss(y, s)),
        (t("metrics.accuracy"), float(np.trace(r.confusion) / r.confusion.sum())),
    ]


def svm(found, lang):
    from kdlab.classic.svm import kernel_matrix

    r = found["svm"][0]
    t = lambda key: translate(lang, key)  # noqa: E731
    p = r.params
    ay = r.alpha * r.y_train
    K = kernel_matrix(r.X_train, r.X_train, p["kernel"], p["gamma"], p["degree"])
    f_train = K @ ay + r.b
    f_test = kernel_matrix(r.X_test, r.X_train, p["kernel"], p["gamma"], p["degree"]) @ ay + r.b
    hinge = np.maximum(0, 1 - r.y_train * f_train).sum()
    w = ay @ r.X_train if p["kernel"] == "linear" else None
    return [
        (t("svm.test_accuracy"), float(np.mean(np.where(f_test >= 0, 1, -1) == r.y_test))),
        (t("svm.support_vectors"), int(np.sum(r.alpha > 1e-8))),
        (t("svm.margin"), None if w is None else 2 / float(np.sqrt(w @ w))),
        (t("svm.primal"), 0.5 * float(ay @ K @ ay) + p["C"] * float(hinge)),  # ½||w||² + C Σ hinge
        (t("svm.dual"), float(r.alpha.sum()) - 0.5 * float(ay @ K @ ay)),  # Σα - ½ ΣΣ α α y y K
    ]


def pca(found, lang):
    from sklearn.decomposition import PCA

    from kdlab.classic.pca import load

    r = found["pca"][0]
    k = r.params["k"]
    X, _ = load()
    ratio = np.cumsum(PCA().fit(X).explained_variance_ratio_)
    sk = PCA(n_components=k).fit(X)
    return [
        (translate(lang, "pca.explained_k", k=k), float(ratio[k - 1])),
        (translate(lang, "pca.for_90"), int(np.argmax(ratio >= 0.9) + 1)),
        (translate(lang, "pca.error_k", k=k), float(np.mean((X - sk.inverse_transform(sk.transform(X))) ** 2))),
        (translate(lang, "pca.tsne_time"), TIMING),
    ]


def capacity(found, lang):
    from sklearn.linear_model import Ridge

    from kdlab.classic import capacity as cap

    r = found["capacity"][0]
    t = lambda key: translate(lang, key)  # noqa: E731
    p = r.params
    rng = np.random.default_rng(p["seed"])  # the run's draws, in its order: train, validation, test
    x, y = cap.draw(p["n_train"], p["noise"], rng)
    xv, yv = cap.draw(cap.N_VAL, p["noise"], rng)
    xt, yt = cap.draw(cap.N_TEST, p["noise"], rng)

    def mse(fit_x, fit_y, degree, alpha, x_, y_):
        model = Ridge(alpha=alpha).fit(cap.features(fit_x, degree), fit_y)
        return float(np.mean((model.predict(cap.features(x_, degree)) - y_) ** 2))

    def cv(degree, alpha):  # the run's folds, each fitted by scikit-learn
        return mean(mse(x[tr], y[tr], degree, alpha, x[va], y[va]) for tr, va in cap.folds(len(x), p["k_folds"], p["seed"]))

    best = {name: r.search[name]["best"] for name in ("grid", "random")}
    d, a = p["degree"], p["alpha"]
    return [
        (t("capacity.train_mse"), mse(x, y, d, a, x, y)),
        (t("capacity.val_mse"), mse(x, y, d, a, xv, yv)),
        (t("capacity.test_mse"), mse(x, y, d, a, xt, yt)),
        (t("capacity.noise_floor"), p["noise"] ** 2),
        (t("capacity.grid_cv"), Near(cv(*best["grid"]), 2e-4)),
        (t("capacity.random_cv"), Near(cv(*best["random"]), 2e-4)),
        (t("capacity.grid_test"), Near(mse(x, y, *best["grid"], xt, yt), 2e-4)),
        (t("capacity.random_test"), Near(mse(x, y, *best["random"], xt, yt), 2e-4)),
    ]  # fmt: skip


def huber_line(x, y, delta):
    """The line minimising the mean Huber loss, found by scipy's BFGS on the loss written out here."""
    from types import SimpleNamespace

    from scipy.optimize import minimize

    def loss(wb):
        r = np.abs(wb[0] * x + wb[1] - y)
        return np.mean(np.where(r <= delta, r**2 / 2, delta * (r - delta / 2)))

    w, b = minimize(loss, np.polyfit(x, y, 1), method="BFGS", options={"gtol": 1e-10}).x
    return SimpleNamespace(coef_=[w], intercept_=b)


def losses(found, lang):
    from sklearn.linear_model import LinearRegression, QuantileRegressor

    r = found["losses"][0]
    grid = np.linspace(0, 10, 101)  # the shift: mean |Δ line| over x in [0, 10]
    X, keep, delta = r.x[:, None], ~r.outlier, r.params["delta"]

    def line(model):
        return model.coef_[0] * grid + model.intercept_

    fits = {
        "mse": lambda m: LinearRegression().fit(X[m], r.y[m]),
        "mae": lambda m: QuantileRegressor(quantile=0.5, alpha=0.0).fit(X[m], r.y[m]),
        "huber": lambda m: huber_line(r.x[m], r.y[m], delta),
    }
    tol = {"mse": 0.005, "mae": 0.02, "huber": 0.005}  # LAD's optimum can be a flat segment
    out = []
    for k, fit in fits.items():
        label = translate(lang, "losses.shift", loss=translate(lang, f"losses.name_{k}", delta=delta))
        shift = float(np.mean(np.abs(line(fit(np.ones_like(keep))) - line(fit(keep)))))
        out.append((label, Near(shift, tol[k])))
    return out


# --- the deep labs ---------------------------------------------------------------------------------


def cnn(found, lang):
    from kdlab.data.images import load_split

    r = found["cnn"][0]
    split = load_split(r.dataset, seed=0)
    return [
        (translate(lang, "cnn.test_acc"), torch_accuracy(r.model, split.x_test, split.y_test)),
        (translate(lang, "cnn.n_params"), n_weights(r.model)),
        (translate(lang, "cnn.ms_per_image"), TIMING),
        (translate(lang, "cnn.train_time"), TIMING),
    ]


def distill(found, lang):
    from kdlab.core.params import defaults
    from kdlab.distill import experiment

    view, r = found["distill-teacher"][0], found["distill"][0]
    T = defaults(experiment.PARAMS)["T"]  # the soft-targets tab's slider starts at the default T

    def entropy(z):  # softmax written out, then -Σ p log2 p
        e = np.exp(np.asarray(z, dtype=float) - np.max(z))
        p = e / e.sum()
        return float(-np.sum(p[p > 0] * np.log2(p[p > 0])))

    z = view["logits"][0]  # the slider starts on image 0
    gains = np.asarray(r.distilled_acc) - np.asarray(r.alone_acc)  # paired: same seed, same labels
    return [
        (translate(lang, "distill.entropy", T="1"), entropy(z)),
        (translate(lang, "distill.entropy", T=f"{T:g}"), entropy(np.asarray(z) / T)),
        (translate(lang, "distill.teacher"), float(np.mean(np.argmax(view["logits"], 1) == view["labels"]))),
        (translate(lang, "distill.alone"), (mean(r.alone_acc), std1(r.alone_acc))),
        (translate(lang, "distill.distilled"), (mean(r.distilled_acc), std1(r.distilled_acc)), mean(gains)),
    ]


def qlearning(found, lang):
    from kdlab.rl.gridworld import GridWorld

    r = found["qlearning"][0]
    p = r.params
    env = GridWorld(tuple(r.grid), step_reward=p["step_reward"], goal_reward=p["goal_reward"], pit_reward=p["pit_reward"])
    start = next((i, row.index("S")) for i, row in enumerate(r.grid) if "S" in row)
    # V*(S) by a closed form: the fewest moves n to a goal (breadth-first, around walls and pits), each
    # costing the step reward except the last, which earns the goal's: -(1 + γ + ... + γ^(n-2)) + 10 γ^(n-1).
    # Valid for this default (no slip, steps cost, a fall costs more than any walk).
    dist, todo = {start: 0}, deque([start])
    while todo:
        cell = todo.popleft()
        for a in range(4):
            nxt, _, done = env.step(cell, a)
            if nxt not in dist and (not done or r.grid[nxt[0]][nxt[1]] == "G"):
                dist[nxt] = dist[cell] + 1
                if not done:
                    todo.append(nxt)
    n = min(d for c, d in dist.items() if r.grid[c[0]][c[1]] == "G")
    g = p["gamma"]
    v_star = p["step_reward"] * sum(g**k for k in range(n - 1)) + p["goal_reward"] * g ** (n - 1)

    def greedy_walk(Q):  # follow the first best action from S, no slip, until an end or a repeat
        cell, seen, moves = start, {start}, 0
        while True:
            cell, _, done = env.step(cell, int(np.argmax(Q[cell])))
            moves += 1
            if done or cell in seen or moves >= p["max_steps"]:
                return moves
            seen.add(cell)

    def agreeing(Q):  # cells where every action tied for best in Q is optimal in Q*
        count = 0
        for cell in zip(*np.nonzero(r.reachable), strict=True):
            star = r.Q_star[cell]
            optimal = set(np.flatnonzero(star >= star.max() - 1e-6 * (1 + abs(star.max()))))
            count += set(np.flatnonzero(Q[cell] == Q[cell].max())) <= optimal
        return count

    out = []
    n_cells = int(r.reachable.sum())
    for agent in r.runs.values():
        Q = agent.train.Q
        out += [(translate(lang, "qlearning.agreement"), (agreeing(Q), n_cells)),
                (translate(lang, "qlearning.greedy_path"), (greedy_walk(Q),))]  # fmt: skip
    out += [(translate(lang, "qlearning.v_star"), v_star), (translate(lang, "qlearning.greedy_path"), (n,))]
    return out


def detect(found, lang):
    from tests.test_detect import cocoeval_map50, nms_loop

    r = found["detect"][0]
    thr, nms_iou = r.params["score_threshold"], r.params["nms_iou"]
    detections, before = [], 0
    for i in range(len(r.boxes)):  # the score threshold, then NMS per class by the loop formulation
        keep = np.flatnonzero(r.scores[i] >= thr)
        before += len(keep)
        for c in np.unique(r.classes[i][keep]):
            idx = keep[r.classes[i][keep] == c]
            detections += [(i, int(c), float(r.scores[i][j]), r.boxes[i][j]) for j in idx[nms_loop(r.boxes[i][idx], r.scores[i][idx], nms_iou)]]
    truths = [(i, int(c), b) for i in range(len(r.test.boxes)) for b, c in zip(r.test.boxes[i], r.test.labels[i], strict=True)]
    return [
        (translate(lang, "detect.map"), Near(cocoeval_map50(detections, truths, len(r.test.boxes)), 5e-4 + 1e-9)),
        (translate(lang, "detect.n_truth"), len(truths)),
        (translate(lang, "detect.n_before"), before),
        (translate(lang, "detect.n_after"), len(detections)),
    ]  # fmt: skip


def segment(found, lang):
    r = found["segment"][0]
    truth = np.asarray(r.test_labels)
    out = []
    for v in ("plain", "unet"):
        pred = np.asarray(r.predictions[v])
        ious = [np.sum((pred == c) & (truth == c)) / np.sum((pred == c) | (truth == c)) for c in range(1, int(truth.max()) + 1)]
        label = translate(lang, "segment.miou_of", variant=translate(lang, f"segment.variant_{v}"))
        out.append((label, float(np.mean(ious))))
    return out


def rnn(found, lang):
    from kdlab.core.torch_env import torch
    from kdlab.deep.rnn_text import bag_of_words, encode

    r = found["rnn"][0]
    tokens = r.test.tokens[r.examples[0].index]  # the picker starts on the first example
    ids, mask = encode([tokens], r.vocab)
    with torch.no_grad():
        p = {m: float(r.models[m].eval()(ids, mask).softmax(1)[0, 1]) for m in ("gru", "cnn")}
    p["bow"] = float(r.models["bow"].predict_proba(bag_of_words([tokens], r.vocab))[0, 1])
    from pages.demos.rnn import MODELS

    return [(translate(lang, "rnn.p_positive", model=translate(lang, f"rnn.model_{m}")), p[m]) for m in MODELS]


def gan(found, lang):
    from kdlab.core.torch_env import torch
    from kdlab.deep import gan as g

    r = found["gan"][0]
    z = torch.randn(g.N_EVAL, 2, generator=torch.Generator().manual_seed(r.params["seed"] + 1))
    with torch.no_grad():
        x = r.generator(z).numpy()
    angles = 2 * np.pi * np.arange(8) / 8
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # the ring: radius 2, 8 modes
    d = np.sqrt(((x[:, None, :] - centres[None]) ** 2).sum(-1))
    good = d.min(1) <= 3 * 0.05  # within 3 std (0.05) of a mode
    counts = np.bincount(d.argmin(1)[good], minlength=8)
    return [
        (translate(lang, "gan.modes"), (int(np.sum(counts >= 0.01 * len(x))), 8)),
        (translate(lang, "gan.good"), float(good.mean())),
        (translate(lang, "gan.seconds"), TIMING),
    ]


def gan_digits(found, lang):
    from scipy.stats import entropy

    from kdlab.core.torch_env import torch
    from kdlab.deep import gan_digits as g

    r = found["gan_digits"][0]
    z = torch.randn(g.N_EVAL, r.params["z_dim"], generator=torch.Generator().manual_seed(r.params["seed"] + 1))
    with torch.no_grad():
        pixels = r.generator(z).numpy()
    p = g.judge_images(pixels)  # the judge CNN is the instrument; the scores below are scipy's
    shares = np.bincount(p.argmax(1), minlength=10) / len(p)
    kl = [entropy(row, p.mean(0)) for row in p]  # KL(p(y|x) || p(y)), nats
    return [
        (translate(lang, "gan_digits.covered"), (int(np.sum(shares >= 0.02)), 10)),
        (translate(lang, "gan_digits.spread"), float(entropy(shares, base=2))),
        (translate(lang, "gan_digits.confidence"), float(p.max(1).mean())),
        (translate(lang, "gan_digits.inception"), Near(float(np.exp(np.mean(kl))), 0.005 + 1e-4)),
        (translate(lang, "gan_digits.seconds"), TIMING),
    ]


def playground(found, lang):
    r = found["playground"][0]
    weights = sum((a + 1) * b for a, b in zip(r.sizes[:-1], r.sizes[1:], strict=True))  # W and b of each layer
    # The network itself is not kept in the result: the accuracies and loss are only checked to be shares
    # consistent with the sizes of the sets (k right out of n), and the loss with the last recorded one.
    def a_share(n):
        return Check(f"k/{n} for some whole k", lambda xs: len(xs) == 1 and any(abs(xs[0] - k / n) <= 5e-4 for k in range(n + 1)))

    return [
        (translate(lang, "playground.test_acc"), a_share(len(r.y_test))),
        (translate(lang, "playground.train_acc"), a_share(len(r.y_train))),
        (translate(lang, "playground.test_loss"), Check("a positive cross-entropy", lambda xs: len(xs) == 1 and xs[0] > 0)),
        (translate(lang, "playground.n_weights"), weights),
    ]


def adversarial(found, lang):
    from kdlab.core.torch_env import torch
    from kdlab.data.images import load_digits_split

    r = found["adversarial"][0]
    eps = r.params["epsilon"]
    split = load_digits_split(r.params["seed"])
    x = torch.as_tensor(split.x_test).requires_grad_(True)
    y = torch.as_tensor(split.y_test, dtype=torch.long)
    r.model.eval()
    loss = torch.nn.functional.cross_entropy(r.model(x), y)
    (grad,) = torch.autograd.grad(loss, x)
    x_adv = (x + eps * grad.sign()).clamp(0, 1).detach()  # FGSM, written out: one signed step, kept in [0, 1]
    clean = torch_accuracy(r.model, split.x_test, split.y_test)
    fgsm = torch_accuracy(r.model, x_adv, split.y_test)
    return [
        (translate(lang, "adversarial.clean_acc"), clean),
        (translate(lang, "adversarial.fgsm_acc", eps=eps), fgsm),
        (translate(lang, "adversarial.pgd_acc", eps=eps),
         Check(f"PGD (more steps) leaves at most FGSM's {fgsm:.1%}", lambda xs: len(xs) == 1 and xs[0] <= fgsm + 5e-4)),
        (translate(lang, "adversarial.train_time"), TIMING),
    ]  # fmt: skip


def transfer(found, lang):
    from kdlab.data.images import load_digits_split
    from kdlab.deep.transfer import SOURCE

    r = found["transfer"][0]
    split = load_digits_split(r.params["seed"])
    keep = np.isin(split.y_test, SOURCE)
    return [
        (translate(lang, "transfer.source_acc"), torch_accuracy(r.source_model, split.x_test[keep], np.searchsorted(SOURCE, split.y_test[keep]))),
        (translate(lang, "transfer.weights"), n_weights(r.source_model)),
        (translate(lang, "transfer.frozen_check"), Check("✓ or ✗", lambda xs: xs == [])),
    ]  # fmt: skip


def no_metric(found, lang):
    return []


ORACLES = {
    "regression": regression, "cnn": cnn, "distill": distill, "qlearning": qlearning, "ecommerce": no_metric,
    "logistic": logistic, "tree": tree, "ensemble": ensemble, "metrics": metrics, "svm": svm, "pca": pca,
    "capacity": capacity, "losses": losses, "rnn": rnn, "detect": detect, "segment": segment,
    "attention": no_metric, "forecast": no_metric, "gan": gan, "gan_digits": gan_digits, "playground": playground, "optimizers": no_metric,
    "adversarial": adversarial, "augment": no_metric, "transfer": transfer,
}  # fmt: skip
