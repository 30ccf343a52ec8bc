"""Adversarial attacks (FGSM, PGD under an L-infinity budget) on the digits CNN, and adversarial training.

An attack looks for a small change δ to an image x, every pixel moved by at most ε, that makes the
trained network wrong. With the loss L(x, y) of the true label:

    FGSM (Goodfellow et al. 2015), one step:   x' = clip(x + ε · sign(∇ₓ L(x, y)), 0, 1)
    PGD (Madry et al. 2018), k steps from a random start x₀ = x + U(-ε, ε):
        x_{t+1} = Π(x_t + α · sign(∇ₓ L(x_t, y))),    Π = clip to [x - ε, x + ε], then to [0, 1]

FGSM is PGD with one step of size ε and no random start. Adversarial training (Madry et al.)
trains on PGD images instead of clean ones: min_θ E max_{‖δ‖∞ ≤ ε} L(x + δ, y). It buys
accuracy under attack ("robust accuracy") and usually costs some clean accuracy. Pixels of the
8x8 digits are in [0, 1], so ε = 0.1 moves every pixel by up to a tenth of the range.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kdlab.core import budget
from kdlab.core.params import Param, validate
from kdlab.core.torch_env import seeded, torch
from kdlab.data.images import load_split
from kdlab.deep.cnn import CNN, train_epochs

F = torch.nn.functional

PARAMS: tuple[Param, ...] = (
    Param("epsilon", 0.1, 0.0, 0.5, help="the L-infinity budget: each pixel (0..1) moves by at most this"),
    Param("pgd_steps", 10, 1, 50, help="PGD iterations (step size 2.5·ε / steps)"),
    Param("epochs", 6, 1, 20, help="epochs of both the standard and the adversarially trained CNN"),
    Param("train_steps", 2, 1, 10, help="PGD iterations per batch in adversarial training"),
    Param("adversarial_training", True, help="also train a CNN on PGD images and compare"),
    Param("seed", 0, 0, 10_000, help="data split, initial weights, batch order and PGD's random starts"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"epochs": 1, "pgd_steps": 2, "train_steps": 1}

EPSILONS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)  # the accuracy-against-ε curve (the chosen ε is added)
CHANNELS, LAYERS = 16, 2  # the CNN page's default network


# --- the method -------------------------------------------------------------------------------


def input_gradient(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """∇ₓ of the summed cross-entropy: each image's own gradient (a mean would only rescale, and sign ignores scale)."""
    x = x.clone().requires_grad_(True)
    loss = F.cross_entropy(model(x), y, reduction="sum")
    (grad,) = torch.autograd.grad(loss, x)
    return grad


def fgsm(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float) -> torch.Tensor:
    """One step of size ε along the sign of the gradient, kept in the pixel range."""
    return (x + eps * input_gradient(model, x, y).sign()).clamp(0, 1)


def pgd(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, steps: int = 10,
        alpha: float | None = None, random_start: bool = True, generator: torch.Generator | None = None) -> torch.Tensor:  # fmt: skip
    """Projected gradient ascent on the loss inside the L∞ ball of radius ε around x (and inside [0, 1])."""
    alpha = 2.5 * eps / steps if alpha is None else alpha
    x_adv = x.clone()
    if random_start:
        noise = torch.rand(x.shape, generator=generator, dtype=x.dtype) * 2 - 1
        x_adv = (x + eps * noise).clamp(0, 1)
    for _ in range(steps):
        x_adv = x_adv + alpha * input_gradient(model, x_adv, y).sign()
        x_adv = torch.min(torch.max(x_adv, x - eps), x + eps).clamp(0, 1)  # Π: back into the ball, then the pixel range
    return x_adv.detach()


def adversarial_train_epochs(model: torch.nn.Module, x_train: np.ndarray, y_train: np.ndarray, *, epochs: int,
                             eps: float, steps: int, lr: float = 0.01, batch_size: int = 32, seed: int = 0):  # fmt: skip
    """Madry's adversarial training: each batch is replaced by its PGD images before the usual Adam step."""
    x, y = torch.as_tensor(x_train), torch.as_tensor(y_train, dtype=torch.long)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    shuffle = torch.Generator().manual_seed(seed)
    for epoch in range(1, epochs + 1):
        budget.check()
        for idx in torch.randperm(len(x), generator=shuffle).split(batch_size):
            model.eval()  # the attack sees the model as it is now (no dropout or batch norm here, but say so)
            x_adv = pgd(model, x[idx], y[idx], eps, steps, generator=shuffle)
            model.train()
            loss = F.cross_entropy(model(x_adv), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        yield epoch


# --- evaluation and what the page draws -------------------------------------------------------


@torch.no_grad()
def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return float((model(x).argmax(1) == y).float().mean())


@dataclass
class Example:
    image: np.ndarray  # (8, 8) clean
    adversarial: np.ndarray  # (8, 8) after PGD at ε
    label: int
    clean_pred: int
    clean_conf: float
    adv_pred: int
    adv_conf: float
    index: int  # position in the test set


@dataclass
class AdversarialResult:
    params: dict
    epsilons: list[float]
    clean_acc: float  # the standard CNN on the held-out digits
    fgsm_acc: list[float]  # against each ε of `epsilons`
    pgd_acc: list[float]
    acc_at_eps: dict  # {"clean", "fgsm", "pgd"} at the chosen ε, standard model
    examples: list[Example]  # images PGD at ε fooled first, then ones it did not
    robust: dict | None  # {"standard": {...}, "adversarial": {...}}: clean / fgsm / pgd accuracy at ε
    robust_curve: list[float] | None  # the adversarially trained model's PGD accuracy at each ε
    n_test: int
    train_seconds: float
    seconds: float
    model: torch.nn.Module | None = field(default=None, repr=False, metadata={"json": False})
    robust_model: torch.nn.Module | None = field(default=None, repr=False, metadata={"json": False})


def attack_curve(model, x, y, epsilons: list[float], steps: int, seed: int) -> tuple[list[float], list[float], dict]:
    """FGSM and PGD accuracy at each ε, and the PGD images at each ε."""
    gen = torch.Generator().manual_seed(seed)
    fgsm_acc, pgd_acc, images = [], [], {}
    for e in epsilons:
        if e == 0:  # no budget, no change: both attacks return x itself (the tests check it)
            images[e] = x
            fgsm_acc.append(accuracy(model, x, y))
        else:
            fgsm_acc.append(accuracy(model, fgsm(model, x, y, e), y))
            images[e] = pgd(model, x, y, e, steps, generator=gen)
        pgd_acc.append(accuracy(model, images[e], y))
    return fgsm_acc, pgd_acc, images


def run(on_progress: Callable[[str], None] | None = None, **params) -> AdversarialResult:
    start = time.perf_counter()
    p = validate(PARAMS, params)
    eps, steps, seed = p["epsilon"], p["pgd_steps"], p["seed"]

    def say(stage: str) -> None:
        if on_progress is not None:
            on_progress(stage)

    split = load_split("digits", seed=seed)
    x_test, y_test = torch.as_tensor(split.x_test), torch.as_tensor(split.y_test, dtype=torch.long)
    say("standard")
    with seeded(seed):
        model = CNN(CHANNELS, LAYERS, 10, split.image_size)
    for _ in train_epochs(model, split, epochs=p["epochs"], lr=0.01, batch_size=32, seed=seed):
        pass
    train_seconds = time.perf_counter() - start
    model.eval()

    say("attack")
    epsilons = sorted(set(EPSILONS) | {eps})
    k = epsilons.index(eps)
    fgsm_acc, pgd_acc, images = attack_curve(model, x_test, y_test, epsilons, steps, seed)
    at_eps = {"clean": pgd_acc[0], "fgsm": fgsm_acc[k], "pgd": pgd_acc[k]}
    examples = _examples(model, x_test, images[eps], y_test)

    robust = robust_curve = robust_model = None
    if p["adversarial_training"]:
        say("adversarial")
        t0 = time.perf_counter()
        with seeded(seed):
            robust_model = CNN(CHANNELS, LAYERS, 10, split.image_size)
        train_eps = eps if eps > 0 else EPSILONS[4]  # ε = 0 would be plain training: train at 0.1 then
        for _ in adversarial_train_epochs(robust_model, split.x_train, split.y_train, epochs=p["epochs"],
                                          eps=train_eps, steps=p["train_steps"], seed=seed):  # fmt: skip
            pass
        train_seconds += time.perf_counter() - t0
        robust_model.eval()
        r_fgsm, robust_curve, _ = attack_curve(robust_model, x_test, y_test, epsilons, steps, seed)
        robust = {"standard": at_eps, "adversarial": {"clean": robust_curve[0], "fgsm": r_fgsm[k], "pgd": robust_curve[k]},
                  "train_eps": train_eps}  # fmt: skip

    return AdversarialResult(
        params=p, epsilons=epsilons, clean_acc=pgd_acc[0], fgsm_acc=fgsm_acc, pgd_acc=pgd_acc,
        acc_at_eps=at_eps, examples=examples, robust=robust, robust_curve=robust_curve, n_test=len(y_test),
        train_seconds=train_seconds, seconds=time.perf_counter() - start, model=model, robust_model=robust_model,
    )  # fmt: skip


def _examples(model, x, x_adv, y, k: int = 8) -> list[Example]:
    """Up to k test images, those the attack fooled first (the model was right on the clean image)."""
    with torch.no_grad():
        p_clean, p_adv = model(x).softmax(1), model(x_adv).softmax(1)
    clean_pred, adv_pred = p_clean.argmax(1), p_adv.argmax(1)
    fooled = ((clean_pred == y) & (adv_pred != y)).nonzero().flatten().tolist()
    kept = ((clean_pred == y) & (adv_pred == y)).nonzero().flatten().tolist()
    return [
        Example(x[i, 0].numpy().copy(), x_adv[i, 0].numpy().copy(), int(y[i]), int(clean_pred[i]),
                float(p_clean[i, clean_pred[i]]), int(adv_pred[i]), float(p_adv[i, adv_pred[i]]), i)
        for i in (fooled + kept)[:k]
    ]  # fmt: skip


def summarize(r: AdversarialResult) -> str:
    p = r.params
    lines = [
        f"adversarial attacks on the digits CNN ({CHANNELS} channels, {LAYERS} blocks, {p['epochs']} epochs), "
        f"{r.n_test} held-out images, pixels in [0, 1]",
        f"clean accuracy {r.clean_acc:.1%}",
        "accuracy under attack:   " + "  ".join(f"ε={e:g}" for e in r.epsilons),
        "  FGSM                   " + "  ".join(f"{a:.0%}".rjust(len(f"ε={e:g}")) for e, a in zip(r.epsilons, r.fgsm_acc, strict=True)),
        f"  PGD ({p['pgd_steps']:>2} steps)         " + "  ".join(f"{a:.0%}".rjust(len(f"ε={e:g}")) for e, a in zip(r.epsilons, r.pgd_acc, strict=True)),
    ]  # fmt: skip
    if r.robust is not None:
        s, a = r.robust["standard"], r.robust["adversarial"]
        lines += [
            f"adversarial training (PGD-{p['train_steps']} at ε={r.robust['train_eps']:g}), evaluated at ε={p['epsilon']:g}:",
            f"  standard CNN:      clean {s['clean']:.1%}  FGSM {s['fgsm']:.1%}  PGD {s['pgd']:.1%}",
            f"  adversarially trained: clean {a['clean']:.1%}  FGSM {a['fgsm']:.1%}  PGD {a['pgd']:.1%}",
        ]  # fmt: skip
    lines.append(f"training {r.train_seconds:.1f} s, total {r.seconds:.1f} s")
    return "\n".join(lines)
