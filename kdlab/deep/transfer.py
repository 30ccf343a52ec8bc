"""Transfer learning: a CNN pretrained on digits 0-4, moved to digits 5-9 with n labels: scratch, frozen, fine-tuned.

The source task has many labels (every training image of the digits 0-4); the target task (the
digits 5-9) has only n labelled images per class. Four ways to train the target network, all with
the same number of Adam steps on the same labelled images:

    scratch     random weights everywhere
    frozen      the pretrained conv body kept fixed, a new linear head trained ("linear probe")
    finetune    the pretrained body and a new head, all trained at the same learning rate
    lower_lr    the same, but the body's learning rate multiplied by `body_lr_factor` (e.g. 1/10):
                discriminative learning rates, so fine-tuning does not wash out what the body knew

Accuracy on held-out target digits against n shows what transfer buys when labels are few, and
where it stops helping. Every new head starts from the same random weights for a given seed.
All (method, n) runs of a seed are trained together with torch.func.vmap and a per-run Adam
(tests/test_transfer.py checks it against torch.optim.Adam with parameter groups, run by run).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kdlab.core import budget
from kdlab.core.params import Param, validate
from kdlab.core.seeds import mean_std
from kdlab.core.torch_env import seeded, torch
from kdlab.data.images import load_digits_split
from kdlab.deep.cnn import CNN, count_parameters

F = torch.nn.functional

METHODS = ("scratch", "frozen", "finetune", "lower_lr")
N_GRID = (1, 3, 10, 30)  # labelled target digits per class

PARAMS: tuple[Param, ...] = (
    Param("steps", 100, 20, 600, help="Adam steps on the target task, the same for every method and n"),
    Param("lr", 0.01, 1e-4, 0.1, help="Adam learning rate of the head (and of the body, except lower_lr and frozen)"),
    Param("body_lr_factor", 0.1, 0.01, 1.0, help="lower_lr: the body's learning rate is lr times this"),
    Param("pretrain_epochs", 10, 1, 30, help="epochs on the source task (digits 0-4, every label)"),
    Param("seeds", 2, 1, 5, help="seeds (labelled subsets, new heads, batch order) per point"),
    Param("seed", 0, 0, 10_000, help="the first seed; it also seeds pretraining"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"steps": 20, "pretrain_epochs": 1, "seeds": 1}

CHANNELS, LAYERS, BATCH = 16, 2, 32
SOURCE, TARGET = (0, 1, 2, 3, 4), (5, 6, 7, 8, 9)


def is_body(name: str) -> bool:
    return not name.startswith("head.")


# --- the method ---------------------------------------------------------------------------


def pretrain(x: np.ndarray, y: np.ndarray, *, epochs: int, lr: float, seed: int) -> CNN:
    """The source network: the CNN trained on every labelled source image (classes 0..4)."""
    with seeded(seed):
        model = CNN(CHANNELS, LAYERS, len(SOURCE), x.shape[-1])
    xt, yt = torch.as_tensor(x), torch.as_tensor(y, dtype=torch.long)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        budget.check()
        for idx in torch.randperm(len(xt), generator=g).split(BATCH):
            loss = F.cross_entropy(model(xt[idx]), yt[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


def start_weights(method: str, source: CNN, head_seed: int) -> CNN:
    """The target network before training: a new head always; the body random (scratch) or the source's."""
    with seeded(head_seed):
        model = CNN(CHANNELS, LAYERS, len(TARGET), 8)  # random body and a random new head
    if method != "scratch":
        body = {k: v for k, v in source.state_dict().items() if is_body(k)}
        model.load_state_dict(body, strict=False)  # the pretrained body; the head stays new
    return model


def body_and_head_lr(method: str, lr: float, body_lr_factor: float) -> tuple[float, float]:
    """Frozen = a body learning rate of 0: Adam then never moves it (the test checks the weights stay put)."""
    body = {"scratch": lr, "frozen": 0.0, "finetune": lr, "lower_lr": lr * body_lr_factor}[method]
    return body, lr


def train_together(starts: list[CNN], lrs: list[tuple[float, float]], xs: list[torch.Tensor], ys: list[torch.Tensor],
                   gens: list[torch.Generator], steps: int) -> list[CNN]:  # fmt: skip
    """K target runs at once: run k starts from starts[k], trains on (xs[k], ys[k]) with (body lr, head lr) = lrs[k].

    Each step draws a batch of BATCH indices with replacement from run k's images (so runs with 5 or
    150 images take equal steps), and applies Adam (β = 0.9, 0.999, ε = 1e-8, torch's defaults)
    with the run's own learning rate for each weight. vmap evaluates the K networks as one call.
    """
    from torch.func import functional_call, stack_module_state, vmap

    stacked, buffers = stack_module_state(starts)
    weights = {k: v.detach().clone() for k, v in stacked.items()}
    shape = copy.deepcopy(starts[0]).to("meta")

    def forward(w, b, x):
        return functional_call(shape, (w, b), (x,))

    K = len(starts)
    lr = {name: torch.tensor([lrs[k][0] if is_body(name) else lrs[k][1] for k in range(K)]).view(K, *[1] * (w.dim() - 1))
          for name, w in weights.items()}  # fmt: skip
    m = {k: torch.zeros_like(v) for k, v in weights.items()}
    v2 = {k: torch.zeros_like(v) for k, v in weights.items()}
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        if t % 25 == 1:
            budget.check()
        idx = [torch.randint(0, len(x), (BATCH,), generator=g) for x, g in zip(xs, gens, strict=True)]
        xb = torch.stack([x[i] for x, i in zip(xs, idx, strict=True)])
        yb = torch.stack([y[i] for y, i in zip(ys, idx, strict=True)])
        for w in weights.values():
            w.requires_grad_(True)
        logits = vmap(forward)(weights, buffers, xb)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), yb.reshape(-1), reduction="sum") / BATCH
        grads = torch.autograd.grad(loss, list(weights.values()))
        with torch.no_grad():
            for (name, w), g in zip(list(weights.items()), grads, strict=True):
                m[name] = b1 * m[name] + (1 - b1) * g
                v2[name] = b2 * v2[name] + (1 - b2) * g * g
                step = lr[name] / (1 - b1**t) * m[name] / ((v2[name] / (1 - b2**t)).sqrt() + eps)
                weights[name] = (w - step).detach()
    out = []
    for k in range(K):
        model = copy.deepcopy(starts[k])
        model.load_state_dict({name: w[k] for name, w in weights.items()} | {n: b[k] for n, b in buffers.items()})
        out.append(model.eval())
    return out


# --- the experiment --------------------------------------------------------------------------


@torch.no_grad()
def accuracy(model: CNN, x: torch.Tensor, y: torch.Tensor) -> float:
    return float((model(x).argmax(1) == y).float().mean())


@dataclass
class Point:
    method: str
    n_per_class: int
    accs: list[float]  # per seed
    mean: float
    std: float


@dataclass
class TransferResult:
    params: dict
    source_acc: float  # the pretrained network on held-out source digits
    points: list[Point]
    n_source: int  # labelled source images
    n_target_test: int
    n_params: int
    body_params: int
    frozen_unchanged: bool  # the frozen runs' bodies equal the pretrained body, bit for bit
    seconds: float
    source_model: CNN | None = field(default=None, repr=False, metadata={"json": False})

    def curve(self, method: str) -> list[Point]:
        return [p for p in self.points if p.method == method]


def _task(x: np.ndarray, y: np.ndarray, classes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isin(y, classes)
    return x[keep], np.searchsorted(classes, y[keep])


def run(on_progress: Callable[[tuple[int, int]], None] | None = None, **params) -> TransferResult:
    start = time.perf_counter()
    p = validate(PARAMS, params)
    split = load_digits_split(p["seed"])
    xs_src, ys_src = _task(split.x_train, split.y_train, SOURCE)
    xv_src, yv_src = _task(split.x_test, split.y_test, SOURCE)
    xtr, ytr = _task(split.x_train, split.y_train, TARGET)
    xte, yte = _task(split.x_test, split.y_test, TARGET)
    source = pretrain(xs_src, ys_src, epochs=p["pretrain_epochs"], lr=0.01, seed=p["seed"])
    source_acc = accuracy(source, torch.as_tensor(xv_src), torch.as_tensor(yv_src))
    x_test, y_test = torch.as_tensor(xte), torch.as_tensor(yte)

    seeds = [p["seed"] + k for k in range(p["seeds"])]
    accs = {(m, n): [] for m in METHODS for n in N_GRID}
    frozen_unchanged = True
    for done, s in enumerate(seeds, start=1):
        rng = np.random.default_rng(s)
        runs = [(m, n) for n in N_GRID for m in METHODS]
        picks = {n: np.concatenate([rng.choice(np.flatnonzero(ytr == c), n, replace=False) for c in range(len(TARGET))])
                 for n in N_GRID}  # fmt: skip
        starts = [start_weights(m, source, head_seed=s) for m, _ in runs]
        lrs = [body_and_head_lr(m, p["lr"], p["body_lr_factor"]) for m, _ in runs]
        xs = [torch.as_tensor(xtr[picks[n]]) for _, n in runs]
        ys = [torch.as_tensor(ytr[picks[n]], dtype=torch.long) for _, n in runs]
        gens = [torch.Generator().manual_seed(s * 1000 + k) for k in range(len(runs))]
        models = train_together(starts, lrs, xs, ys, gens, p["steps"])
        for (m, n), model in zip(runs, models, strict=True):
            accs[(m, n)].append(accuracy(model, x_test, y_test))
            if m == "frozen":
                frozen_unchanged &= all(torch.equal(w, source.state_dict()[k])
                                        for k, w in model.state_dict().items() if is_body(k))  # fmt: skip
        if on_progress is not None:
            on_progress((done, len(seeds)))

    points = [Point(m, n, accs[(m, n)], *mean_std(accs[(m, n)])) for m in METHODS for n in N_GRID]
    n_params = count_parameters(source)
    head = sum(w.numel() for k, w in source.state_dict().items() if not is_body(k))
    return TransferResult(p, source_acc, points, len(ys_src), len(yte), n_params, n_params - head, frozen_unchanged,
                          time.perf_counter() - start, source)  # fmt: skip


def summarize(r: TransferResult) -> str:
    p = r.params
    lines = [
        f"transfer: CNN pretrained on digits 0-4 ({r.n_source} labelled images, {p['pretrain_epochs']} epochs; "
        f"{r.source_acc:.1%} on held-out 0-4), moved to digits 5-9",
        f"target: n labelled digits per class, {p['steps']} Adam steps (lr {p['lr']:g}; lower_lr body x{p['body_lr_factor']:g}), "
        f"accuracy on {r.n_target_test} held-out 5-9 digits, mean over {p['seeds']} seed(s)",
        "  n per class   " + "".join(f"{m:>12}" for m in METHODS),
    ]  # fmt: skip
    for n in N_GRID:
        row = {pt.method: pt for pt in r.points if pt.n_per_class == n}
        lines.append(f"  {n:>11}   " + "".join(f"{row[m].mean:>12.1%}" for m in METHODS))
    lines.append(f"frozen bodies unchanged: {r.frozen_unchanged}; {r.n_params:,} weights ({r.body_params:,} in the body)")
    lines.append(f"in {r.seconds:.1f} s")
    return "\n".join(lines)
