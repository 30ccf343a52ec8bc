"""A small convolutional network, trained live on handwritten digits (or MNIST / Fashion-MNIST).

Every block is conv 3x3 (padding 1) -> ReLU -> 2x2 max-pool while the map is still
at least 4 pixels wide; a linear head turns the last map into class scores.
Every block has the same number of channels: real networks (VGG, ResNet) double
the channels each time they halve the map, but on 8x8 digits the maps are tiny
and a constant width keeps the cost of the `channels` slider predictable.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import confusion_matrix

from kdlab.core import budget
from kdlab.core.params import Param, ParamError
from kdlab.core.torch_env import seeded, torch
from kdlab.data.images import ImageSplit, load_split

nn = torch.nn
F = torch.nn.functional

PARAMS = (
    Param(
        "dataset",
        "digits",
        choices=("digits", "mnist", "fashion-mnist"),
        help="digits is built in; MNIST / Fashion-MNIST need their files in $KDLAB_DATA_DIR",
    ),
    Param("channels", 16, 2, 64, help="feature maps per conv block"),
    Param("layers", 2, 1, 3, help="number of conv blocks"),
    Param("epochs", 12, 1, 30, help="passes over the training set"),
    Param("lr", 0.01, 1e-4, 0.1, help="Adam learning rate"),
    Param("batch_size", 32, 8, 512, help="images per gradient step"),
    Param("seed", 0, 0, 10000, help="data split, initial weights and batch order"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"epochs": 1, "channels": 4, "layers": 1}



MAX_SECONDS = 60.0  # no setting may train longer than this: refused up front, with the estimate
# The estimate can be wrong on a busy server, so training also stops, after an epoch, once it has
# run this long: the job's hard time budget. The result says it stopped early.
HARD_STOP_SECONDS = 1.5 * MAX_SECONDS


def forward_macs(channels: int, layers: int, image_size: int) -> int:
    """Multiply-adds of one forward pass through the conv blocks (the head is negligible)."""
    macs, size, c_in = 0, image_size, 1
    for _ in range(layers):
        macs += c_in * channels * 9 * size * size
        size = size // 2 if size >= 4 else size
        c_in = channels
    return macs


def estimate_seconds(
    n_train: int, image_size: int, channels: int, layers: int, epochs: int, batch_size: int
) -> float:
    """A rough cost model measured on 2 cores, 1 thread: compute plus a fixed cost per batch."""
    steps = epochs * -(-n_train // batch_size)
    return 1.5e-10 * forward_macs(channels, layers, image_size) * n_train * epochs + 2.5e-3 * steps


class BudgetError(ParamError):
    """A setting refused because it would train too long; the numbers let a page word its own refusal."""

    def __init__(self, seconds: float, n_train: int, limit: float):
        super().__init__(
            f"this setting would train for about {seconds:.0f} s on {n_train} images, over the "
            f"{limit:.0f} s limit: use fewer epochs, channels or layers, or a larger batch"
        )
        self.seconds, self.n_train, self.limit = seconds, n_train, limit


def check_budget(
    n_train: int, image_size: int, channels: int, layers: int, epochs: int, batch_size: int
) -> None:
    seconds = estimate_seconds(n_train, image_size, channels, layers, epochs, batch_size)
    if seconds > MAX_SECONDS:
        raise BudgetError(seconds, n_train, MAX_SECONDS)


class CNN(nn.Module):
    """`layers` blocks of conv 3x3 -> ReLU (-> max-pool), then a linear head; returns logits."""

    def __init__(self, channels: int = 16, layers: int = 2, n_classes: int = 10, image_size: int = 8):
        super().__init__()
        blocks, size, c_in = [], image_size, 1
        for _ in range(layers):
            block = [nn.Conv2d(c_in, channels, kernel_size=3, padding=1), nn.ReLU()]
            if size >= 4:  # pooling a 2x2 map to 1x1 would throw away where things are
                block.append(nn.MaxPool2d(2))
                size //= 2
            blocks.append(nn.Sequential(*block))
            c_in = channels
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Linear(channels * size * size, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.head(x.flatten(1))


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def _tensor(x: np.ndarray | torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(x, dtype=torch.float32)


@torch.no_grad()
def feature_maps(model: CNN, image: np.ndarray) -> list[np.ndarray]:
    """What each conv block outputs for one image ((H, W) or (1, H, W)): a (C, h, w) array per block."""
    model.eval()
    x = _tensor(image).reshape(1, 1, *np.shape(image)[-2:])
    maps = []
    for block in model.blocks:
        x = block(x)
        maps.append(x[0].numpy().copy())
    return maps


def first_layer_filters(model: CNN) -> np.ndarray:
    """The first conv layer's kernels as a (channels, 3, 3) array."""
    return model.blocks[0][0].weight.detach()[:, 0].numpy().copy()


@torch.no_grad()
def predict_logits(model: nn.Module, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    model.eval()
    x = _tensor(x)
    return torch.cat([model(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]).numpy()


def predict_proba(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """Softmax class probabilities, one row per image."""
    return torch.from_numpy(predict_logits(model, x)).softmax(1).numpy()


def _loss_acc(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    logits, y = torch.from_numpy(logits), torch.as_tensor(y, dtype=torch.long)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mean cross-entropy and accuracy on (x, y)."""
    return _loss_acc(predict_logits(model, x), y)


@dataclass
class EpochStats:
    epoch: int  # 1-based
    train_loss: float  # averaged over the epoch's mini-batches, as the weights moved
    train_acc: float
    val_loss: float  # measured after the epoch, on held-out images
    val_acc: float


def train_epochs(
    model: nn.Module, split: ImageSplit, *, epochs: int, lr: float, batch_size: int, seed: int
) -> Iterator[EpochStats]:
    """Train with Adam and cross-entropy, yielding after every epoch.

    A generator, so a page can redraw its curves while the network learns and a
    test can drive it without a UI. Batch order comes from its own seeded
    generator: the same seed gives the same run, whatever else uses torch.
    """
    x, y = _tensor(split.x_train), torch.as_tensor(split.y_train, dtype=torch.long)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    shuffle = torch.Generator().manual_seed(seed)
    for epoch in range(1, epochs + 1):
        budget.check()  # a page's job stops here once its time is up
        model.train()
        total_loss, correct = 0.0, 0
        for idx in torch.randperm(len(x), generator=shuffle).split(batch_size):
            logits = model(x[idx])
            loss = F.cross_entropy(logits, y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(idx)
            correct += (logits.argmax(1) == y[idx]).sum().item()
        val_loss, val_acc = evaluate(model, split.x_val, split.y_val)
        yield EpochStats(epoch, total_loss / len(x), correct / len(x), val_loss, val_acc)


@torch.no_grad()
def inference_ms(model: nn.Module, x: np.ndarray, repeats: int = 5) -> float:
    """Milliseconds per image for one batched forward pass; the best of `repeats` after a warm-up."""
    model.eval()
    x = _tensor(x)
    model(x)  # the first call pays for memory allocation, not for the network
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        model(x)
        best = min(best, time.perf_counter() - start)
    return 1000 * best / len(x)


@dataclass
class Mistake:
    image: np.ndarray  # (H, W)
    true: int
    pred: int
    confidence: float  # softmax probability of the wrong prediction
    index: int  # position in the test set, so a page can look at this image again


@dataclass
class CNNResult:
    dataset: str
    classes: list[str]
    history: list[EpochStats]
    test_loss: float
    test_acc: float
    confusion: np.ndarray  # rows = true class, columns = predicted
    mistakes: list[Mistake]  # most confident mistakes first
    filters: np.ndarray  # first-layer kernels, (channels, 3, 3)
    n_params: int
    ms_per_image: float
    train_seconds: float
    n_train: int
    n_test: int
    image_size: int
    stopped_early: bool = False  # the time budget ended training before the last epoch
    model: CNN | None = field(default=None, repr=False, metadata={"json": False})


def run(
    dataset: str = "digits",
    channels: int = 16,
    layers: int = 2,
    epochs: int = 12,
    lr: float = 0.01,
    batch_size: int = 32,
    seed: int = 0,
    on_epoch: Callable[[EpochStats], None] | None = None,
) -> CNNResult:
    """Train and analyse one CNN. `on_epoch` sees each epoch's numbers as they come (a progress bar)."""
    split = load_split(dataset, seed=seed)
    check_budget(len(split.x_train), split.image_size, channels, layers, epochs, batch_size)
    with seeded(seed):  # the initial weights
        model = CNN(channels, layers, len(split.classes), split.image_size)
    start = time.perf_counter()
    history, stopped_early = [], False
    for stats in train_epochs(model, split, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed):
        history.append(stats)
        if on_epoch is not None:
            on_epoch(stats)
        if stats.epoch < epochs and time.perf_counter() - start > HARD_STOP_SECONDS:
            stopped_early = True
            break
    train_seconds = time.perf_counter() - start

    logits = predict_logits(model, split.x_test)
    test_loss, test_acc = _loss_acc(logits, split.y_test)
    probs = torch.from_numpy(logits).softmax(1).numpy()
    pred = probs.argmax(1)
    wrong = np.flatnonzero(pred != split.y_test)
    wrong = wrong[np.argsort(-probs[wrong, pred[wrong]], kind="stable")][:24]
    mistakes = [
        Mistake(split.x_test[i, 0], int(split.y_test[i]), int(pred[i]), float(probs[i, pred[i]]), int(i))
        for i in wrong
    ]
    return CNNResult(
        dataset=split.name,
        classes=split.classes,
        history=history,
        test_loss=test_loss,
        test_acc=test_acc,
        confusion=confusion_matrix(split.y_test, pred, labels=np.arange(len(split.classes))),
        mistakes=mistakes,
        filters=first_layer_filters(model),
        n_params=count_parameters(model),
        ms_per_image=inference_ms(model, split.x_test[:256]),
        train_seconds=train_seconds,
        n_train=len(split.x_train),
        n_test=len(split.x_test),
        image_size=split.image_size,
        stopped_early=stopped_early,
        model=model,
    )


def summarize(result: CNNResult) -> str:
    last = result.history[-1]
    stopped = [f"stopped early by the {HARD_STOP_SECONDS:.0f} s time budget"] if result.stopped_early else []
    return "\n".join(
        [
            *stopped,
            f"CNN on {result.dataset}: {result.n_params:,} parameters, "
            f"{len(result.history)} epochs in {result.train_seconds:.1f} s on {result.n_train} images",
            f"train acc {last.train_acc:.1%}   val acc {last.val_acc:.1%}   "
            f"test acc {result.test_acc:.1%} (loss {result.test_loss:.3f}, {result.n_test} held-out images)",
            f"inference {result.ms_per_image:.3f} ms per image (batched, CPU)",
            f"{len(result.mistakes)} most confident mistakes kept for display",
        ]
    )
