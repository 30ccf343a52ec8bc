"""The student: a one-hidden-layer MLP on the 64 pixels, and how it is trained and timed.

Why an MLP and not a tiny CNN: the teacher is a CNN, so a student of another
architecture shows that soft targets carry knowledge *between* architectures
(only the outputs are matched, never the weights). Its size is one knob,
`hidden`, and its parameter count is a sum a learner can do by hand:
64*h + h weights and biases in, h*10 + 10 out, so 75*h + 10 in all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kdlab.core import budget, progress
from kdlab.core.torch_env import seeded, torch

nn = torch.nn
F = torch.nn.functional

N_PIXELS = 64  # 8x8 digits
N_CLASSES = 10


class StudentMLP(nn.Module):
    def __init__(self, hidden: int = 32, n_inputs: int = N_PIXELS, n_classes: int = N_CLASSES):
        super().__init__()
        self.hidden = nn.Linear(n_inputs, hidden)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(F.relu(self.hidden(x.flatten(1))))


def make_student(hidden: int, seed: int) -> StudentMLP:
    """A fresh student; the same seed gives the same initial weights (paired comparisons)."""
    with seeded(seed):
        return StudentMLP(hidden)


def student_parameters(hidden: int) -> int:
    """75*h + 10: the closed form of count_parameters(StudentMLP(h))."""
    return (N_PIXELS + 1) * hidden + (hidden + 1) * N_CLASSES


@dataclass
class StudentHistory:
    train_loss: np.ndarray  # (epochs,) mean training objective over each epoch's steps
    val_acc: np.ndarray  # (epochs,) accuracy on the validation set after each epoch


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return (model(x).argmax(1) == y).float().mean().item()


def fit_student(
    model: nn.Module,
    x: torch.Tensor,
    pool: np.ndarray,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    *,
    epochs: int,
    steps_per_epoch: int,
    batch_size: int,
    lr: float,
    seed: int,
    x_val: torch.Tensor,
    y_val: torch.Tensor,
) -> StudentHistory:
    """Adam on `loss_fn(model(x[idx]), idx)` for mini-batches `idx` drawn from `pool`.

    `pool` is which rows of `x` this student may learn from. The step count is
    fixed from outside (`steps_per_epoch`), not by the pool's size, so a student
    with 100 labelled images gets as many updates as one reading 1,000 images:
    a comparison of what they learn from, not of how long they trained.
    """
    pool_t = torch.as_tensor(pool, dtype=torch.long)
    size = min(batch_size, len(pool_t))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    shuffle = torch.Generator().manual_seed(seed)
    order = torch.empty(0, dtype=torch.long)
    train_loss, val_acc = [], []
    for _ in progress.steps(range(epochs), "epoch"):
        budget.check()
        model.train()
        total = 0.0
        for _ in range(steps_per_epoch):
            if len(order) < size:  # one pass over the pool done (a short tail is dropped): reshuffle
                order = pool_t[torch.randperm(len(pool_t), generator=shuffle)]
            idx, order = order[:size], order[size:]
            loss = loss_fn(model(x[idx]), idx)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        train_loss.append(total / steps_per_epoch)
        val_acc.append(accuracy(model, x_val, y_val))
    return StudentHistory(np.array(train_loss), np.array(val_acc))


@torch.no_grad()
def ms_per_image(model: nn.Module, x: np.ndarray, batch_size: int = 1, repeats: int = 200) -> float:
    """Median milliseconds per image, serving `batch_size` images per call.

    batch_size=1 is one shopper's request (latency); a large batch is offline
    scoring (throughput). The median of many calls resists a busy machine.
    """
    model.eval()
    xb = torch.as_tensor(x[:batch_size], dtype=torch.float32)
    for _ in range(10):  # warm-up: the first calls pay for memory allocation
        model(xb)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model(xb)
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times)) / len(xb)
