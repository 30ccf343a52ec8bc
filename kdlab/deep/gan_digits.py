"""A GAN on 8x8 handwritten digits: a sample grid over epochs, scored by a digits classifier (class spread, confidence).

The real data are scikit-learn's 8x8 digits (the training split of kdlab.data.images, 1,077 images),
pixels scaled to [−1, 1]. A generator G maps noise z ~ N(0, I) to 64 pixels through a small MLP
ending in tanh; a discriminator D maps 64 pixels to a logit. They play the game of kdlab.deep.gan,
with the same losses (d_loss, g_loss, imported from there): one D step, then one G step, per batch.

A GAN's losses do not say whether its samples look like digits, so a judge does: the CNN of
kdlab.deep.cnn trained on the real digits' training split (the same split and seed for every run:
one ruler). For n generated images with the judge's class probabilities p(y | xᵢ):

    class shares   q(y) = share of the n images whose most likely class is y
    class spread   H(q) = −Σ_y q(y) log₂ q(y) bits: log₂ 10 ≈ 3.32 if every digit comes equally
                   often, 0 if every sample is the same digit (mode collapse)
    covered        the digits y with q(y) ≥ 2% (a fifth of a fair share of 10%)
    confidence     the mean over images of max_y p(y | xᵢ): does each sample look like SOME digit?
    Inception score (Salimans et al. 2016) with this judge: exp(mean_i KL(p(y | xᵢ) ‖ p̄(y))), with
                   p̄ the mean of p(y | xᵢ): from 1 to 10, high only if samples are confident AND varied

Spread alone is fooled by noise (random pixels get many different labels) and confidence alone by
collapse (the same good "1" five hundred times), so both are shown, beside the same scores on real
held-out digits and on uniform noise. Neither catches a generator that copies training images.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kdlab.core import budget
from kdlab.core.params import Param, validate
from kdlab.core.torch_env import seeded, torch
from kdlab.data.images import load_digits_split
from kdlab.deep import cnn
from kdlab.deep.gan import G_LOSSES, d_loss, g_loss, mlp

nn = torch.nn

N_CLASSES, PIXELS = 10, 64
BATCH = 64
N_EVAL = 500  # generated images scored at each evaluation (the first GRID_COLS are also drawn)
GRID_COLS = 10  # the same latent points, drawn at each snapshot
SNAPSHOTS = 6
COVERED = 0.02  # a digit is covered if it gets at least this share of the samples
SPLIT_SEED = JUDGE_SEED = 0  # the judge's data split and weights: the same ruler for every run

PARAMS = (
    Param("g_loss", "non_saturating", choices=G_LOSSES, help="the generator's loss"),
    Param("epochs", 50, 2, 300, help="passes over the 1,077 training digits (17 batches of 64 each)"),
    Param("hidden", 64, 16, 256, help="units in each of the two hidden layers of G and D"),
    Param("z_dim", 16, 2, 64, help="size of the noise vector z"),
    Param("lr", 0.002, 1e-5, 0.01, help="Adam learning rate (both networks)"),
    Param("seed", 0, 0, 10000, help="initial weights, noise and batch order (not the judge)"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"epochs": 2, "hidden": 16}


def generator(z_dim: int, hidden: int) -> nn.Module:
    """z -> 64 pixels in [−1, 1]."""
    return nn.Sequential(mlp(z_dim, hidden, PIXELS), nn.Tanh())


def train_step(G, D, opt_g, opt_d, x: torch.Tensor, z: torch.Tensor, kind: str) -> tuple[float, float]:
    """One D step on real x and G(z), then one G step on the same z; returns (D's loss, G's loss)."""
    loss_d = d_loss(D(x), D(G(z).detach()))  # D's step: G held fixed
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = g_loss(D(G(z)), kind)  # G's step: only G's weights move
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d.item(), loss_g.item()


@dataclass
class Scores:
    shares: list[float]  # q(y), the share of images the judge calls y
    covered: int  # digits with q(y) >= COVERED
    spread: float  # H(q) in bits
    confidence: float  # mean max_y p(y | x)
    inception: float  # exp(mean KL(p(y | x) || p̄(y)))


def judge_scores(probs: np.ndarray) -> Scores:
    """Class spread and confidence of n images from the judge's probabilities p(y | xᵢ), shape (n, 10)."""
    shares = np.bincount(probs.argmax(1), minlength=N_CLASSES) / len(probs)
    seen = shares[shares > 0]
    spread = float(-(seen * np.log2(seen)).sum()) + 0.0  # + 0.0: no "-0.0" when one digit takes all
    confidence = float(probs.max(1).mean())
    log_p = np.log(np.clip(probs, 1e-12, None))
    kl = (probs * (log_p - np.log(np.clip(probs.mean(0), 1e-12, None)))).sum(1)
    return Scores(
        shares.tolist(), int((shares >= COVERED).sum()), spread, confidence, float(np.exp(kl.mean()))
    )


@functools.cache
def judge() -> tuple[nn.Module, float]:
    """The digits classifier every run is scored by, and its accuracy on the held-out test digits."""
    split = load_digits_split(SPLIT_SEED)
    with seeded(JUDGE_SEED):
        model = cnn.CNN(channels=16, layers=2)
    for _ in cnn.train_epochs(model, split, epochs=8, lr=0.01, batch_size=BATCH, seed=JUDGE_SEED):
        pass
    return model, cnn.evaluate(model, split.x_test, split.y_test)[1]


def judge_images(pixels: np.ndarray) -> np.ndarray:
    """The judge's p(y | x) for images given as pixels in [−1, 1], shape (n, 64) or (n, 8, 8)."""
    images = (np.asarray(pixels, dtype=np.float32).reshape(-1, 1, 8, 8) + 1) / 2  # the judge reads [0, 1]
    return cnn.predict_proba(judge()[0], images)


@functools.cache
def references() -> tuple[Scores, Scores]:
    """The ruler read on real held-out digits (the 450 test images) and on 500 images of uniform noise."""
    split = load_digits_split(SPLIT_SEED)
    noise = np.random.default_rng(0).uniform(-1, 1, (N_EVAL, PIXELS))
    return judge_scores(judge_images(split.x_test * 2 - 1)), judge_scores(judge_images(noise))


# ---- bookkeeping for the page: snapshots of the grid and the scores over training ----


@dataclass
class Snapshot:
    epoch: int
    images: np.ndarray  # (GRID_COLS, 8, 8) pixels in [0, 1], the same latent points each time
    labels: list[int]  # the judge's digit for each
    confidence: list[float]  # and its probability
    scores: Scores  # of all N_EVAL samples at this epoch


@dataclass
class GANDigitsResult:
    params: dict
    final: Scores  # N_EVAL samples after the last epoch
    real: Scores  # real held-out digits, same judge
    noise: Scores  # uniform noise, same judge
    judge_accuracy: float
    history_epoch: list[int]
    history_covered: list[int]
    history_spread: list[float]
    history_confidence: list[float]
    history_inception: list[float]
    d_losses: list[float]  # averaged over the steps since the previous evaluation
    g_losses: list[float]
    snapshots: list[Snapshot]
    train_seconds: float
    generator: nn.Module | None = field(default=None, repr=False, metadata={"json": False})


def sample(G: nn.Module, z: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return G(z).numpy()


def eval_noise(seed: int, z_dim: int) -> torch.Tensor:
    """The fixed latent points scored (and, the first GRID_COLS, drawn) at every evaluation."""
    return torch.randn(N_EVAL, z_dim, generator=torch.Generator().manual_seed(seed + 1))


def run(on_progress: Callable[[int, int, int], None] | None = None, **params) -> GANDigitsResult:
    """Train G and D on the digits; about 25 times a run, score 500 samples; at SNAPSHOTS epochs keep the grid."""
    p = validate(PARAMS, params)
    judge()  # trained once per process, before the clock starts
    x = torch.as_tensor(load_digits_split(SPLIT_SEED).x_train.reshape(-1, PIXELS) * 2 - 1)
    with seeded(p["seed"]):
        G, D = generator(p["z_dim"], p["hidden"]), mlp(PIXELS, p["hidden"], 1)
    opt_g = torch.optim.Adam(G.parameters(), lr=p["lr"], betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=p["lr"], betas=(0.5, 0.999))
    noise = torch.Generator().manual_seed(p["seed"])
    z_eval = eval_noise(p["seed"], p["z_dim"])
    every = max(1, p["epochs"] // 25)
    snap_at = set(np.linspace(0, p["epochs"], SNAPSHOTS).round().astype(int).tolist())
    hist: dict[str, list] = {
        k: [] for k in ("epoch", "covered", "spread", "confidence", "inception", "d", "g")
    }
    snaps: list[Snapshot] = []
    d_acc, g_acc, n_acc = 0.0, 0.0, 0
    start = time.perf_counter()
    for epoch in range(p["epochs"] + 1):
        if epoch % every == 0 or epoch in snap_at or epoch == p["epochs"]:
            fake = sample(G, z_eval)
            probs = judge_images(fake)
            s = judge_scores(probs)
            for k, v in zip(hist, (epoch, s.covered, s.spread, s.confidence, s.inception,
                                   d_acc / max(n_acc, 1), g_acc / max(n_acc, 1)), strict=True):  # fmt: skip
                hist[k].append(v)
            d_acc, g_acc, n_acc = 0.0, 0.0, 0
            if epoch in snap_at:
                grid = probs[:GRID_COLS]
                images = (fake[:GRID_COLS].reshape(-1, 8, 8) + 1) / 2
                snaps.append(Snapshot(epoch, images, grid.argmax(1).tolist(), grid.max(1).tolist(), s))
            if on_progress is not None:
                on_progress(epoch, p["epochs"], s.covered)
        if epoch == p["epochs"]:
            break
        budget.check()
        for idx in torch.randperm(len(x), generator=noise).split(BATCH):
            z = torch.randn(len(idx), p["z_dim"], generator=noise)
            ld, lg = train_step(G, D, opt_g, opt_d, x[idx], z, p["g_loss"])
            d_acc, g_acc, n_acc = d_acc + ld, g_acc + lg, n_acc + 1
    seconds = time.perf_counter() - start
    real, rand = references()
    return GANDigitsResult(
        params=p, final=snaps[-1].scores, real=real, noise=rand, judge_accuracy=judge()[1],
        history_epoch=hist["epoch"], history_covered=hist["covered"], history_spread=hist["spread"],
        history_confidence=hist["confidence"], history_inception=hist["inception"], d_losses=hist["d"],
        g_losses=hist["g"], snapshots=snaps, train_seconds=seconds, generator=G,
    )  # fmt: skip


def summarize(r: GANDigitsResult) -> str:
    p = r.params

    def line(name: str, s: Scores) -> str:
        return (f"{name:<20}{s.covered:>3} / {N_CLASSES} digits covered   spread {s.spread:.2f} bits   "
                f"confidence {s.confidence:.1%}   Inception score {s.inception:.2f}")  # fmt: skip

    shares = " ".join(f"{d}:{q:.0%}" for d, q in enumerate(r.final.shares))
    return "\n".join([
        f"GAN on 8x8 digits · {p['g_loss']} generator loss · {p['epochs']} epochs in {r.train_seconds:.1f} s",
        f"judge: a CNN trained on the real training digits, {r.judge_accuracy:.1%} accurate on the held-out ones",
        line("generated (500)", r.final),
        line("real held-out", r.real),
        line("uniform noise", r.noise),
        f"generated digits by the judge's label: {shares}",
        "digits covered over training: " + " ".join(
            f"{e}:{c}" for e, c in zip(r.history_epoch, r.history_covered, strict=True)),
    ])  # fmt: skip
