"""Attention: an encoder-decoder reverses digit sequences, with and without attention, tested beyond the trained lengths.

The task needs to look back: the input is a sequence of n digits, the output the same digits in
reverse order. The encoder is a bidirectional GRU; it gives one state per input position. The
decoder is a GRU that writes one digit per step (it is told n; in training it reads the true
previous digit, teacher forcing; at test time its own).

    without attention   the decoder starts from the encoder's final states and must carry the
                        whole sequence in that one fixed-size vector (the bottleneck of seq2seq)
    with attention      at every step t the decoder asks the encoder states which one it needs:

        q_t = W_q h_t,  k_i = W_k e_i,  v_i = e_i
        α_t = softmax(q_t · K^T / sqrt(d))          one weight per input position, summing to 1
        c_t = α_t V                                  the context: a weighted average of the e_i
        y_t = W_o [h_t ; c_t]                        the next digit's scores

(scaled dot-product attention, Vaswani et al. 2017, here in the decoder of an RNN as in Luong et
al. 2015; the tests check it equals torch's scaled_dot_product_attention). For a reversal, step t
should look at position n − 1 − t: the attention heatmap is the anti-diagonal. Accuracy is
measured on new sequences of every length, including lengths never seen in training.
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

VOCAB = 10  # digits 0-9; id 10 is the decoder's start token
START = VOCAB
MIN_LEN = 3
VARIANTS = ("plain", "attention")
N_TEST_PER_LEN = 100
BATCH = 64

PARAMS = (
    Param("max_train_len", 6, 4, 12, help="longest sequence in training (from 3 digits); tests go 6 further"),
    Param("n_train", 2000, 300, 8000, help="training sequences"),
    Param("hidden", 32, 8, 96, help="GRU hidden units"),
    Param("epochs", 8, 1, 30, help="passes over the training sequences"),
    Param("lr", 0.005, 1e-4, 0.05, help="Adam learning rate"),
    Param("seed", 0, 0, 10000, help="sequences, initial weights and batch order"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"n_train": 300, "epochs": 1, "hidden": 8, "max_train_len": 4}

TEST_BEYOND = 6  # test lengths run to max_train_len + TEST_BEYOND


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention. q (B, d), k (B, n, d), v (B, n, d_v) -> context (B, d_v), weights (B, n)."""
    scores = (k @ q.unsqueeze(2)).squeeze(2) / k.shape[-1] ** 0.5  # q · k_i / sqrt(d)
    weights = scores.softmax(dim=1)  # α: where to look, sums to 1 over the input positions
    return (weights.unsqueeze(1) @ v).squeeze(1), weights  # c = Σ_i α_i v_i


class Seq2Seq(nn.Module):
    """Bidirectional GRU encoder, GRU-cell decoder; `use_attention` adds the context c_t at every step."""

    def __init__(self, hidden: int, use_attention: bool):
        super().__init__()
        self.use_attention = use_attention
        self.embed = nn.Embedding(VOCAB + 1, hidden)
        self.encoder = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.bridge = nn.Linear(2 * hidden, hidden)  # the encoder's two final states -> the decoder's first
        self.decoder = nn.GRUCell(hidden, hidden)
        self.query = nn.Linear(hidden, 2 * hidden, bias=False)  # W_q
        self.key = nn.Linear(2 * hidden, 2 * hidden, bias=False)  # W_k
        self.out = nn.Linear(hidden + (2 * hidden if use_attention else 0), VOCAB)

    def forward(self, src: torch.Tensor, prev: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """src (B, n) digits -> logits (B, n, VOCAB) and attention weights (B, n, n) (zeros without attention).

        With `prev` (B, n), the true previous digits (teacher forcing); without, the decoder feeds back
        its own predictions."""
        b, n = src.shape
        enc, h_final = self.encoder(self.embed(src))  # enc (B, n, 2H): one state per input position
        h = torch.tanh(self.bridge(torch.cat([h_final[0], h_final[1]], dim=1)))
        keys = self.key(enc)
        token = torch.full((b,), START, dtype=torch.long)
        logits, weights = [], []
        for t in range(n):
            if prev is not None:
                token = prev[:, t]
            h = self.decoder(self.embed(token), h)
            if self.use_attention:
                context, alpha = attention(self.query(h), keys, enc)
                step = self.out(torch.cat([h, context], dim=1))
            else:
                alpha = h.new_zeros(b, n)
                step = self.out(h)
            logits.append(step)
            weights.append(alpha)
            token = step.argmax(1)
        return torch.stack(logits, 1), torch.stack(weights, 1)


def make_batch(rng: np.random.Generator, n_seq: int, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n_seq random digit sequences of one length and their reversals."""
    src = torch.as_tensor(rng.integers(0, VOCAB, size=(n_seq, length)))
    return src, src.flip(1)


def teacher_inputs(target: torch.Tensor) -> torch.Tensor:
    """What the decoder reads at each step in training: the start token, then the true digits so far."""
    return torch.cat([torch.full((len(target), 1), START), target[:, :-1]], dim=1)


def train(
    model: Seq2Seq, n_train: int, max_len: int, *, epochs: int, lr: float, seed: int,
    on_epoch: Callable[[int, float], None] | None = None,
) -> list[float]:  # fmt: skip
    """Adam on cross-entropy over batches of one length each (no padding), lengths 3..max_len."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(MIN_LEN, max_len + 1, size=n_train)
    data = [make_batch(rng, int((lengths == n).sum()), n) for n in range(MIN_LEN, max_len + 1)]
    batches = [(s[i : i + BATCH], y[i : i + BATCH]) for s, y in data for i in range(0, len(s), BATCH)]
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(1, epochs + 1):
        budget.check()
        model.train()
        total, count = 0.0, 0
        for j in rng.permutation(len(batches)):
            src, target = batches[j]
            logits, _ = model(src, teacher_inputs(target))
            loss = F.cross_entropy(logits.reshape(-1, VOCAB), target.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            total += loss.item() * target.numel()
            count += target.numel()
        losses.append(total / count)
        if on_epoch is not None:
            on_epoch(epoch, losses[-1])
    return losses


@torch.no_grad()
def accuracy_by_length(model: Seq2Seq, lengths: range, seed: int) -> tuple[list[float], list[float]]:
    """Per length: the share of digits right and the share of whole sequences right, decoding greedily."""
    model.eval()
    rng = np.random.default_rng(seed)
    digits, sequences = [], []
    for n in lengths:
        src, target = make_batch(rng, N_TEST_PER_LEN, n)
        right = model(src)[0].argmax(2) == target
        digits.append(float(right.float().mean()))
        sequences.append(float(right.all(1).float().mean()))
    return digits, sequences


# ---------------------------------------------------------------------------------------------
# Bookkeeping for the page.


@dataclass
class Example:
    src: list[int]
    pred: dict[str, list[int]]  # variant -> decoded digits
    weights: list[list[float]]  # the attention model's (output step, input position) weights


@dataclass
class AttentionResult:
    params: dict
    lengths: list[int]  # tested lengths
    digit_accuracy: dict[str, list[float]]  # variant -> per length
    sequence_accuracy: dict[str, list[float]]
    losses: dict[str, list[float]]
    n_params: dict[str, int]
    train_seconds: dict[str, float]
    examples: list[Example]  # one at the longest trained length, one beyond it
    models: dict = field(default_factory=dict, repr=False, metadata={"json": False})


@torch.no_grad()
def example(models: dict, digits: list[int]) -> Example:
    src = torch.as_tensor([digits])
    pred, weights = {}, None
    for v, m in models.items():
        m.eval()
        logits, w = m(src)
        pred[v] = logits.argmax(2)[0].tolist()
        if v == "attention":
            weights = w[0].tolist()
    return Example(list(digits), pred, weights)


def run(on_epoch: Callable[[str, int, int, float], None] | None = None, **params) -> AttentionResult:
    """Train both variants on the same sequences; accuracy at every length from 3 to max_train_len + 6."""
    p = validate(PARAMS, params)
    lengths = range(MIN_LEN, p["max_train_len"] + TEST_BEYOND + 1)
    digit_acc, seq_acc, losses, seconds, models = {}, {}, {}, {}, {}
    for variant in VARIANTS:
        with seeded(p["seed"]):
            model = Seq2Seq(p["hidden"], use_attention=variant == "attention")
        report = None if on_epoch is None else (lambda e, loss, v=variant: on_epoch(v, e, p["epochs"], loss))
        start = time.perf_counter()
        losses[variant] = train(model, p["n_train"], p["max_train_len"], epochs=p["epochs"], lr=p["lr"],
                                seed=p["seed"], on_epoch=report)  # fmt: skip
        seconds[variant] = time.perf_counter() - start
        digit_acc[variant], seq_acc[variant] = accuracy_by_length(model, lengths, p["seed"] + 10_000)
        models[variant] = model
    rng = np.random.default_rng(p["seed"] + 20_000)
    examples = [example(models, rng.integers(0, VOCAB, n).tolist()) for n in (p["max_train_len"], lengths[-1])]
    return AttentionResult(
        params=p,
        lengths=list(lengths),
        digit_accuracy=digit_acc,
        sequence_accuracy=seq_acc,
        losses=losses,
        n_params={v: sum(q.numel() for q in m.parameters()) for v, m in models.items()},
        train_seconds=seconds,
        examples=examples,
        models=models,
    )


def summarize(r: AttentionResult) -> str:
    trained = r.params["max_train_len"]
    lines = [
        f"reverse digit sequences · trained on lengths {MIN_LEN}-{trained} ({r.params['n_train']} sequences, "
        f"{r.params['epochs']} epochs) · whole-sequence accuracy on {N_TEST_PER_LEN} new sequences per length",
        f"{'length':<24}" + "".join(f"{n:>6}" for n in r.lengths),
    ]
    names = {"plain": "without attention", "attention": "with attention"}
    for v in VARIANTS:
        lines.append(f"{names[v]:<24}" + "".join(f"{a:>6.0%}" for a in r.sequence_accuracy[v])
                     + f"   ({r.n_params[v]:,} parameters, {r.train_seconds[v]:.1f} s)")  # fmt: skip
    lines.append(f"(lengths above {trained} were never seen in training)")
    return "\n".join(lines)
