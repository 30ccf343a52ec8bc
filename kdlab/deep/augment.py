"""Data augmentation on digits with few labels: shifts, rotations, scaling, noise, cutout, flips and mixup, each judged over seeds.

Every augmentation is a batched function of images x (B, 1, H, W) in [0, 1] and a seeded
torch.Generator, applied to each training batch afresh (never to test images):

    shift     pad by s pixels, crop back at a random offset: a translation of up to s pixels
    rotate    x'(p) = x(R(-θ) p) about the centre, θ ~ U(-deg, deg), bilinear, zeros outside
    scale     x'(p) = x(p / z), z ~ U(1 - a, 1 + a): zoom in or out about the centre
    noise     x' = clip(x + σ·N(0, 1), 0, 1)
    cutout    a k×k square at a random place set to 0 (DeVries & Taylor 2017)
    hflip     mirror left-right with probability 1/2: a label-changing transform for digits
    mixup     x' = λ x_i + (1 - λ) x_j, y' = λ y_i + (1 - λ) y_j, λ ~ Beta(α, α) (Zhang et al. 2018)

The experiment trains the same small CNN on n labelled digits per class with each augmentation
and without, over several seeds (same split and initial weights per seed), and reports the
paired gain in held-out accuracy with a verdict: helped, hurt or unclear. Plain torch
(affine_grid / grid_sample): torchvision does not import beside this CPU torch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kdlab.core import budget
from kdlab.core.params import Param, ParamError, validate
from kdlab.core.seeds import mean_std, verdict
from kdlab.core.torch_env import seeded, torch
from kdlab.data.images import load_digits_split
from kdlab.deep.cnn import CNN

F = torch.nn.functional

AUGMENTATIONS = ("shift", "rotate", "scale", "noise", "cutout", "hflip", "mixup")

PARAMS: tuple[Param, ...] = (
    Param("n_per_class", 10, 3, 50, help="labelled training digits per class"),
    Param("strength", 1.0, 0.25, 2.0, help="multiplies every augmentation's strength (shift 1 px, 15°, 15%, σ 0.1, 3×3, α 0.4)"),
    Param("epochs", 30, 5, 100, help="epochs of every training run"),
    Param("seeds", 3, 1, 5, help="seeds per augmentation (split, initial weights, batch order, augmentation)"),
    Param("seed", 0, 0, 10_000, help="the first seed"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"n_per_class": 3, "epochs": 5, "seeds": 1}

BASE = {"shift": 1.0, "rotate": 15.0, "scale": 0.15, "noise": 0.1, "cutout": 3.0, "mixup": 0.4}
CHANNELS, LAYERS, BATCH, LR = 8, 2, 20, 0.01
MAX_STEPS = 6000  # batched steps (all augmentations at once) per run: about 25 s on 2 busy cores; refused above


# --- the augmentations ---------------------------------------------------------------------


def shift(x: torch.Tensor, g: torch.Generator, max_shift: int = 1) -> torch.Tensor:
    """Pad with zeros (the background), crop back at a random offset in [0, 2s]: a shift of -s..s pixels."""
    B, _, H, W = x.shape
    s = int(max_shift)
    padded = F.pad(x, [s, s, s, s])
    dy, dx = torch.randint(0, 2 * s + 1, (2, B), generator=g)
    rows = (dy[:, None] + torch.arange(H))[:, :, None]  # (B, H, 1)
    cols = (dx[:, None] + torch.arange(W))[:, None, :]  # (B, 1, W)
    return padded[torch.arange(B)[:, None, None], 0, rows, cols][:, None]


def _affine(x: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Resample x at A·p for every output pixel p (coordinates -1..1 about the centre), zeros outside."""
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def rotate_by(x: torch.Tensor, degrees: torch.Tensor) -> torch.Tensor:
    """Rotate each image counter-clockwise (as displayed, row 0 at the top) by its angle in degrees."""
    a = torch.deg2rad(degrees.to(x.dtype))
    c, s = torch.cos(a), torch.sin(a)
    # output pixel (u, v) (u right, v down) samples the input at R(-θ)(u, v) in screen orientation
    theta = torch.stack([torch.stack([c, -s, torch.zeros_like(a)], 1), torch.stack([s, c, torch.zeros_like(a)], 1)], 1)
    return _affine(x, theta)


def rotate(x: torch.Tensor, g: torch.Generator, degrees: float = 15.0) -> torch.Tensor:
    return rotate_by(x, (torch.rand(len(x), generator=g) * 2 - 1) * degrees)


def scale(x: torch.Tensor, g: torch.Generator, amount: float = 0.15) -> torch.Tensor:
    z = 1 + (torch.rand(len(x), generator=g) * 2 - 1) * amount
    zeros = torch.zeros_like(z)
    theta = torch.stack([torch.stack([1 / z, zeros, zeros], 1), torch.stack([zeros, 1 / z, zeros], 1)], 1)
    return _affine(x, theta.to(x.dtype))


def noise(x: torch.Tensor, g: torch.Generator, sigma: float = 0.1) -> torch.Tensor:
    return (x + sigma * torch.randn(x.shape, generator=g, dtype=x.dtype)).clamp(0, 1)


def cutout(x: torch.Tensor, g: torch.Generator, size: int = 3) -> torch.Tensor:
    """Zero a size×size square whose top-left corner is uniform over the positions where it fits."""
    B, _, H, W = x.shape
    k = max(1, min(int(size), H, W))
    top = torch.randint(0, H - k + 1, (B,), generator=g)
    left = torch.randint(0, W - k + 1, (B,), generator=g)
    r, c = torch.arange(H), torch.arange(W)
    inside = ((r[None, :] >= top[:, None]) & (r[None, :] < top[:, None] + k))[:, :, None] & (
        (c[None, :] >= left[:, None]) & (c[None, :] < left[:, None] + k)
    )[:, None, :]
    return x.masked_fill(inside[:, None], 0.0)


def hflip(x: torch.Tensor, g: torch.Generator, p: float = 0.5) -> torch.Tensor:
    flip = torch.rand(len(x), generator=g) < p
    return torch.where(flip[:, None, None, None], x.flip(-1), x)


def mixup(x: torch.Tensor, y_soft: torch.Tensor, g: torch.Generator, alpha: float = 0.4):
    """Convex combinations of pairs of images and of their one-hot labels; one λ per image."""
    u = torch._standard_gamma(torch.full((2, len(x)), alpha), generator=g)  # Beta(α, α) = G1 / (G1 + G2)
    lam = u[0] / (u[0] + u[1])
    perm = torch.randperm(len(x), generator=g)
    return (lam[:, None, None, None] * x + (1 - lam[:, None, None, None]) * x[perm],
            lam[:, None] * y_soft + (1 - lam[:, None]) * y_soft[perm])  # fmt: skip


def augment(name: str, x: torch.Tensor, y_soft: torch.Tensor, g: torch.Generator, strength: float = 1.0):
    """One augmentation by name at `strength` x its base strength: (images, soft labels)."""
    if name == "none":
        return x, y_soft
    if name == "mixup":
        return mixup(x, y_soft, g, BASE["mixup"] * strength)
    if name == "hflip":
        return hflip(x, g), y_soft
    if name == "shift":
        return shift(x, g, max(1, round(BASE["shift"] * strength))), y_soft
    if name == "cutout":
        return cutout(x, g, max(1, round(BASE["cutout"] * strength))), y_soft
    fn = {"rotate": rotate, "scale": scale, "noise": noise}[name]
    return fn(x, g, BASE[name] * strength), y_soft


# --- training with an augmentation -----------------------------------------------------------


def train(name: str, x: np.ndarray, y: np.ndarray, *, epochs: int, seed: int, strength: float = 1.0) -> CNN:
    """The CNN page's network, trained with Adam on soft-label cross-entropy; each batch augmented afresh."""
    with seeded(seed):
        model = CNN(CHANNELS, LAYERS, 10, x.shape[-1])
    xt, yt = torch.as_tensor(x), F.one_hot(torch.as_tensor(y, dtype=torch.long), 10).float()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    g = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        budget.check()
        for idx in torch.randperm(len(xt), generator=g).split(BATCH):
            xb, yb = augment(name, xt[idx], yt[idx], g, strength)
            loss = -(yb * F.log_softmax(model(xb), 1)).sum(1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    return model


def train_together(names: list[str], xs: list[np.ndarray], ys: list[np.ndarray], seeds: list[int], *,
                   epochs: int, strength: float = 1.0) -> list[CNN]:  # fmt: skip
    """`train` for K runs at once (run k: augmentation names[k] on (xs[k], ys[k]) with seed seeds[k]).

    torch.func.vmap evaluates the K networks as one batched call, about 3x faster on a CPU than K
    loops. The maths is the same as K separate `train` calls: Adam updates every weight on its own,
    and run k's loss touches only run k's weights (tests/test_augment.py checks the equality).
    """
    import copy

    from torch.func import functional_call, stack_module_state, vmap

    models = []
    for s in seeds:
        with seeded(s):
            models.append(CNN(CHANNELS, LAYERS, 10, xs[0].shape[-1]))
    stacked, buffers = stack_module_state(models)
    weights = {k: v.detach().requires_grad_(True) for k, v in stacked.items()}
    shape = copy.deepcopy(models[0]).to("meta")

    def forward(w, b, x):
        return functional_call(shape, (w, b), (x,))

    xts = [torch.as_tensor(x) for x in xs]
    yts = [F.one_hot(torch.as_tensor(y, dtype=torch.long), 10).float() for y in ys]
    gens = [torch.Generator().manual_seed(s) for s in seeds]
    optimizer = torch.optim.Adam(weights.values(), lr=LR)
    n = len(xts[0])
    for _ in range(epochs):
        budget.check()
        batches = [torch.randperm(n, generator=g).split(BATCH) for g in gens]
        for step in range(len(batches[0])):
            pairs = [augment(name, xt[b[step]], yt[b[step]], g, strength)
                     for name, xt, yt, b, g in zip(names, xts, yts, batches, gens, strict=True)]  # fmt: skip
            xb, yb = torch.stack([p[0] for p in pairs]), torch.stack([p[1] for p in pairs])
            logits = vmap(forward)(weights, buffers, xb)
            loss = -(yb * F.log_softmax(logits, -1)).sum(-1).mean(-1).sum()  # Σ_k (run k's mean loss)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    for k, model in enumerate(models):
        model.load_state_dict({name: w[k].detach() for name, w in weights.items()} | {n_: b[k] for n_, b in buffers.items()})
        model.eval()
    return models


@torch.no_grad()
def accuracy(model: CNN, x: np.ndarray, y: np.ndarray) -> float:
    return float((model(torch.as_tensor(x)).argmax(1).numpy() == y).mean())


def few_labels(seed: int, n_per_class: int):
    """n training digits per class from the training part of the usual split; the test part untouched."""
    split = load_digits_split(seed)
    rng = np.random.default_rng(seed)
    keep = np.concatenate([rng.choice(np.flatnonzero(split.y_train == c), n_per_class, replace=False) for c in range(10)])
    return split.x_train[keep], split.y_train[keep], split.x_test, split.y_test


@dataclass
class Row:
    name: str  # "none" or an augmentation
    accs: list[float]  # held-out accuracy per seed
    mean: float
    std: float
    gain: float | None  # mean paired gain over "none"
    gain_std: float | None
    verdict: str | None  # helped / hurt / unclear


@dataclass
class AugmentResult:
    params: dict
    rows: list[Row]
    examples: np.ndarray  # (4, H, W) training digits
    augmented: dict  # name -> (4, H, W): the same digits through each augmentation
    n_train: int
    n_test: int
    seconds: float
    baseline: float = field(default=0.0)


def run(on_progress: Callable[[tuple[int, int]], None] | None = None, **params) -> AugmentResult:
    start = time.perf_counter()
    p = validate(PARAMS, params)
    steps = p["seeds"] * p["epochs"] * -(-10 * p["n_per_class"] // BATCH)
    if steps > MAX_STEPS:
        raise ParamError(f"epochs x seeds x batches = {steps} training steps, over the {MAX_STEPS} limit: "
                         "use fewer epochs, seeds or labelled digits")  # fmt: skip
    names = ("none", *AUGMENTATIONS)
    seeds = [p["seed"] + k for k in range(p["seeds"])]
    accs = {n: [] for n in names}
    for done, s in enumerate(seeds, start=1):  # one seed's runs, every augmentation, trained together
        x, y, x_test, y_test = few_labels(s, p["n_per_class"])
        models = train_together(list(names), [x] * len(names), [y] * len(names), [s] * len(names),
                                epochs=p["epochs"], strength=p["strength"])  # fmt: skip
        for n, model in zip(names, models, strict=True):
            accs[n].append(accuracy(model, x_test, y_test))
        if on_progress is not None:
            on_progress((done, len(seeds)))

    rows = []
    for n in names:
        m, sd = mean_std(accs[n])
        if n == "none":
            rows.append(Row(n, accs[n], m, sd, None, None, None))
        else:
            gain, spread, word = verdict(np.subtract(accs[n], accs["none"]))
            rows.append(Row(n, accs[n], m, sd, gain, spread, word))

    x, y, x_test, _ = few_labels(seeds[0], p["n_per_class"])
    picks = [int(np.flatnonzero(y == d)[0]) for d in (2, 3, 6, 7)]
    xs = torch.as_tensor(x[picks])
    ys = F.one_hot(torch.as_tensor(y[picks], dtype=torch.long), 10).float()
    augmented = {}
    for n in AUGMENTATIONS:
        g = torch.Generator().manual_seed(seeds[0])
        # the flip column shows the flip itself, not a coin toss
        out = xs.flip(-1) if n == "hflip" else augment(n, xs, ys, g, p["strength"])[0]
        augmented[n] = out[:, 0].numpy().copy()
    return AugmentResult(p, rows, xs[:, 0].numpy().copy(), augmented, len(y), len(x_test),
                         time.perf_counter() - start, rows[0].mean)  # fmt: skip


def summarize(r: AugmentResult) -> str:
    p = r.params
    lines = [
        f"augmentation on digits: {p['n_per_class']} labelled digits per class ({r.n_train} in all), "
        f"{r.n_test} held-out digits, {p['epochs']} epochs, strength x{p['strength']:g}, {p['seeds']} seed(s)",
        f"  {'none':<8} accuracy {r.rows[0].mean:.1%} ± {r.rows[0].std:.1%}",
    ]
    for row in r.rows[1:]:
        lines.append(f"  {row.name:<8} accuracy {row.mean:.1%} ± {row.std:.1%}   gain {row.gain:+.1%} ± {row.gain_std:.1%}"
                     f"   {row.verdict}")  # fmt: skip
    lines.append(f"in {r.seconds:.1f} s")
    return "\n".join(lines)
