"""A GAN on a ring of 8 Gaussians: the generator's samples and the discriminator's surface over training, modes counted.

The real data are 2-D points from 8 Gaussians on a circle of radius 2 (std 0.05), as in GAN Lab.
A generator G maps noise z ~ N(0, I₂) to a point; a discriminator D maps a point to a logit, the
log-odds that it is real. They play the two-player game of Goodfellow et al. (2014), one step each
in turn, with σ the logistic function:

    D's loss   −[ log σ(D(x)) + log(1 − σ(D(G(z)))) ]         tell real from generated
    G's loss   minimax:         log(1 − σ(D(G(z))))            the game as written; its gradient
                                                                vanishes while D wins easily
               non-saturating:  −log σ(D(G(z)))                 the same fixed point, strong early
                                                                gradients (what everyone uses)

(log σ(a) is computed as logsigmoid(a) and log(1 − σ(a)) as logsigmoid(−a), which never takes the
log of 0; the tests check both losses against binary_cross_entropy_with_logits.)

Mode collapse, counted rather than eyeballed: of 2,000 generated points, a point is "good" if it
lies within 3 standard deviations of a mode's centre; a mode is "covered" if it gets at least 1%
of the points as good points.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kdlab.core import budget
from kdlab.core.params import Param, validate
from kdlab.core.torch_env import seeded, torch

nn = torch.nn
F = torch.nn.functional

N_MODES, RADIUS, STD = 8, 2.0, 0.05
CENTRES = RADIUS * np.stack([np.cos(2 * np.pi * np.arange(N_MODES) / N_MODES),
                             np.sin(2 * np.pi * np.arange(N_MODES) / N_MODES)], axis=1)  # fmt: skip
G_LOSSES = ("non_saturating", "minimax")
BATCH = 128
N_EVAL = 2000
SNAPSHOTS = 6
GRID = 41  # the discriminator's surface is drawn on GRID x GRID points over [-3, 3]²

PARAMS = (
    Param("g_loss", "non_saturating", choices=G_LOSSES, help="the generator's loss"),
    Param("steps", 1000, 100, 5000, help="training steps (one discriminator and one generator update each)"),
    Param("hidden", 32, 8, 128, help="units in each of the two hidden layers of G and D"),
    Param("lr", 0.005, 1e-5, 0.01, help="Adam learning rate (both networks)"),
    Param("seed", 0, 0, 10000, help="initial weights, noise and real samples"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"steps": 100, "hidden": 8}


def d_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """−[log σ(D(x)) + log(1 − σ(D(G(z))))], averaged over the batch."""
    return -(F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean())


def g_loss(fake_logits: torch.Tensor, kind: str = "non_saturating") -> torch.Tensor:
    """minimax: log(1 − σ(D(G(z)))); non-saturating: −log σ(D(G(z)))."""
    if kind == "minimax":
        return F.logsigmoid(-fake_logits).mean()
    return -F.logsigmoid(fake_logits).mean()


def mlp(n_in: int, hidden: int, n_out: int) -> nn.Module:
    return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_out))


def real_samples(rng: np.random.Generator, n: int) -> np.ndarray:
    """n points from the ring: a random mode each, plus Gaussian noise of std STD."""
    return CENTRES[rng.integers(N_MODES, size=n)] + rng.normal(0, STD, (n, 2))


def mode_coverage(points: np.ndarray) -> tuple[int, float, np.ndarray]:
    """(modes covered, share of good points, good points per mode)."""
    d = np.linalg.norm(points[:, None, :] - CENTRES[None], axis=2)  # (n, modes)
    nearest, good = d.argmin(1), d.min(1) <= 3 * STD
    per_mode = np.bincount(nearest[good], minlength=N_MODES)
    return int((per_mode >= 0.01 * len(points)).sum()), float(good.mean()), per_mode


@dataclass
class Snapshot:
    step: int
    samples: np.ndarray  # (500, 2) generated points
    surface: np.ndarray  # (GRID, GRID) σ(D(x)) over the grid, row = y
    modes: int
    good: float


@dataclass
class GANResult:
    params: dict
    modes: int  # at the end, out of 8
    good: float
    per_mode: list[int]
    history_step: list[int]
    history_modes: list[int]
    history_good: list[float]
    d_losses: list[float]  # averaged over each stretch between evaluations
    g_losses: list[float]
    snapshots: list[Snapshot]
    train_seconds: float
    grid: list[float] = field(default_factory=lambda: np.linspace(-3, 3, GRID).tolist())
    generator: nn.Module | None = field(default=None, repr=False, metadata={"json": False})


@torch.no_grad()
def surface(discriminator: nn.Module) -> np.ndarray:
    g = np.linspace(-3, 3, GRID)
    xx, yy = np.meshgrid(g, g)
    pts = torch.as_tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=torch.float32)
    return torch.sigmoid(discriminator(pts)).reshape(GRID, GRID).numpy()


def run(on_progress: Callable[[int, int, int], None] | None = None, **params) -> GANResult:
    """Train G and D in turn; every steps/20 steps count the modes, at SNAPSHOTS points keep samples and D's surface."""
    p = validate(PARAMS, params)
    rng = np.random.default_rng(p["seed"])
    with seeded(p["seed"]):
        G, D = mlp(2, p["hidden"], 2), mlp(2, p["hidden"], 1)
    opt_g = torch.optim.Adam(G.parameters(), lr=p["lr"], betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=p["lr"], betas=(0.5, 0.999))
    noise = torch.Generator().manual_seed(p["seed"])
    z_eval = torch.randn(N_EVAL, 2, generator=torch.Generator().manual_seed(p["seed"] + 1))
    every = max(1, p["steps"] // 20)
    snap_at = set(np.linspace(0, p["steps"], SNAPSHOTS).round().astype(int).tolist())
    hist_step, hist_modes, hist_good, d_hist, g_hist, snaps = [], [], [], [], [], []
    d_acc, g_acc, n_acc = 0.0, 0.0, 0
    start = time.perf_counter()
    for step in range(p["steps"] + 1):
        if step % every == 0 or step in snap_at:
            with torch.no_grad():
                fake = G(z_eval).numpy()
            modes, good, _ = mode_coverage(fake)
            if step % every == 0:
                hist_step.append(step)
                hist_modes.append(modes)
                hist_good.append(good)
                d_hist.append(d_acc / max(n_acc, 1))
                g_hist.append(g_acc / max(n_acc, 1))
                d_acc, g_acc, n_acc = 0.0, 0.0, 0
                budget.check()
                if on_progress is not None:
                    on_progress(step, p["steps"], modes)
            if step in snap_at:
                snaps.append(Snapshot(step, fake[:500], surface(D), modes, good))
        if step == p["steps"]:
            break
        x = torch.as_tensor(real_samples(rng, BATCH), dtype=torch.float32)
        z = torch.randn(BATCH, 2, generator=noise)
        loss_d = d_loss(D(x), D(G(z).detach()))  # D's step: G held fixed
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = g_loss(D(G(z)), p["g_loss"])  # G's step: only G's weights move
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        d_acc, g_acc, n_acc = d_acc + loss_d.item(), g_acc + loss_g.item(), n_acc + 1
    seconds = time.perf_counter() - start
    with torch.no_grad():
        modes, good, per_mode = mode_coverage(G(z_eval).numpy())
    return GANResult(
        params=p, modes=modes, good=good, per_mode=per_mode.tolist(), history_step=hist_step, history_modes=hist_modes,
        history_good=hist_good, d_losses=d_hist, g_losses=g_hist, snapshots=snaps, train_seconds=seconds, generator=G,
    )  # fmt: skip


def summarize(r: GANResult) -> str:
    p = r.params
    return "\n".join([
        f"GAN on a ring of {N_MODES} Gaussians · {p['g_loss']} generator loss · {p['steps']} steps in {r.train_seconds:.1f} s",
        f"modes covered {r.modes} / {N_MODES}; good samples {r.good:.1%} (within 3 std of a mode); per mode {r.per_mode}",
        "modes covered over training: " + " ".join(f"{s}:{m}" for s, m in zip(r.history_step, r.history_modes, strict=True)),
    ])  # fmt: skip
