"""Review sentiment with a GRU beside a bag of words, on generated reviews where word order matters.

The reviews (English, Chinese or both) come from a seeded generator with three kinds:

    plain      "the screen is great"              / "屏幕 很 出色"         label = the adjective's polarity
    negated    "the screen is not great"          / "屏幕 不 给力"         label = the opposite
    contrast   "the price is good but the battery is poor" / "外观 很 好 但是 质量 差"
                                                                          label = the clause after "but"

A bag of words (logistic regression on word counts) sees "not" and "great" but not their order,
so it cannot tell "not bad" from "bad ... not good": it gets the negated reviews wrong, and a
contrast and its mirror ("bad but good" vs "good but bad") have the same bag, so it guesses.
A GRU reads the words in order and can learn both. The GRU cell is written out:

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)          reset gate
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)          update gate
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn)) candidate state
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}

(the same equations and weight layout as torch.nn.GRUCell; the tests check it to 1e-6). Padded
steps leave h unchanged, so the classifier reads the state after each review's last real word.
A 1-D CNN (3-word filters, max over time) is the third model: it sees short phrases ("not
great", "good but"), not the whole order. Which words moved a prediction: gradient × input, the
gradient of the positive-minus-negative logit with respect to each word's embedding, dotted
with that embedding (its sign says towards which class the word pushed).
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

LANGUAGES = ("both", "en", "zh")
KINDS = ("plain", "negated", "contrast")
MODELS = ("bow", "gru", "cnn")

PARAMS = (
    Param("language", "both", choices=LANGUAGES, help="reviews in English, Chinese or both"),
    Param("n_train", 1000, 200, 6000, help="training reviews"),
    Param("negated_share", 0.25, 0.0, 0.5, help="share of reviews with a negation (not great, 不给力)"),
    Param("contrast_share", 0.25, 0.0, 0.5, help="share of reviews with a contrast (good but poor, 很好但是质量差)"),
    Param("hidden", 24, 4, 64, help="GRU hidden units and CNN filters"),
    Param("epochs", 10, 1, 40, help="passes over the training reviews"),
    Param("lr", 0.01, 1e-4, 0.1, help="Adam learning rate"),
    Param("seed", 0, 0, 10000, help="generated reviews, initial weights and batch order"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"n_train": 200, "epochs": 1, "hidden": 4}

N_TEST = 1000
EMBED = 16
BATCH = 64

# ---------------------------------------------------------------------------------------------
# The reviews. Chinese is pre-segmented into words (what a segmenter such as jieba would return).

WORDS = {
    "en": {
        "aspect": ("quality", "price", "screen", "battery", "delivery", "packaging", "sound", "fabric"),
        "pos": ("good", "great", "nice", "excellent", "solid"),
        "neg": ("bad", "poor", "terrible", "awful", "weak"),
        "very": ("very", "really"),
        "not": ("not",),
        "but": ("but",),
        "opener": ("honestly", "overall", "i think"),
    },
    "zh": {
        "aspect": ("质量", "价格", "屏幕", "电池", "物流", "包装", "音质", "面料", "外观"),
        "pos": ("好", "棒", "给力", "出色", "靠谱"),
        "neg": ("差", "糟糕", "烂", "拉胯", "坑"),
        "very": ("很", "非常"),
        "not": ("不",),
        "but": ("但是",),
        "opener": ("说实话", "总的来说", "我觉得"),
    },
}
NEGATIONS = frozenset(w for lang in WORDS.values() for w in lang["not"])
POLARITY = {w: +1 for lang in WORDS.values() for w in lang["pos"]} | {
    w: -1 for lang in WORDS.values() for w in lang["neg"]
}


@dataclass
class Reviews:
    tokens: list[list[str]]  # one list of words per review
    labels: np.ndarray  # 1 = positive, 0 = negative
    kinds: np.ndarray  # "plain", "negated" or "contrast"
    langs: np.ndarray  # "en" or "zh"

    def text(self, i: int) -> str:
        return (" " if self.langs[i] == "en" else "").join(self.tokens[i])


def _clause(
    rng: np.random.Generator, w: dict, lang: str, polarity: int, negate: bool, not_aspect: str = ""
) -> list[str]:
    """One "aspect is adjective" clause whose adjective has `polarity`, optionally negated."""
    aspect = str(rng.choice([a for a in w["aspect"] if a != not_aspect]))
    adj = str(rng.choice(w["pos" if polarity > 0 else "neg"]))
    middle = list(w["not"]) if negate else ([str(rng.choice(w["very"]))] if rng.random() < 0.3 else [])
    if lang == "en":
        return ["the", aspect, "is", *middle, adj]
    return [aspect, *middle, adj]


def generate(
    n: int, seed: int, language: str = "both", negated_share: float = 0.25, contrast_share: float = 0.25
) -> Reviews:
    """n reviews, half positive; each one's kind is drawn with the given shares (the rest plain)."""
    rng = np.random.default_rng(seed)
    tokens, labels, kinds, langs = [], [], [], []
    for _ in range(n):
        lang = str(rng.choice(("en", "zh"))) if language == "both" else language
        w = WORDS[lang]
        label = int(rng.random() < 0.5)
        sign = 1 if label else -1
        u = rng.random()
        kind = "negated" if u < negated_share else "contrast" if u < negated_share + contrast_share else "plain"
        if kind == "plain":
            words = _clause(rng, w, lang, sign, negate=False)
        elif kind == "negated":  # "not <adjective of the opposite polarity>"
            words = _clause(rng, w, lang, -sign, negate=True)
        else:  # "<opposite> but <label>": the clause after "but" decides
            first = _clause(rng, w, lang, -sign, False)
            aspect = first[1] if lang == "en" else first[0]
            words = [*first, *w["but"], *_clause(rng, w, lang, sign, False, not_aspect=aspect)]
        if rng.random() < 0.2:
            words = str(rng.choice(w["opener"])).split() + words
        tokens.append(words)
        labels.append(label)
        kinds.append(kind)
        langs.append(lang)
    return Reviews(tokens, np.array(labels), np.array(kinds), np.array(langs))


def build_vocab(tokens: list[list[str]]) -> dict[str, int]:
    """From training reviews only; 0 is padding, 1 an unknown word."""
    vocab = {"<pad>": 0, "<unk>": 1}
    for words in tokens:
        for word in words:
            vocab.setdefault(word, len(vocab))
    return vocab


def encode(tokens: list[list[str]], vocab: dict[str, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Word ids padded with 0 to the longest review, (N, T), and the mask of real words."""
    length = max(len(words) for words in tokens)
    ids = torch.zeros(len(tokens), length, dtype=torch.long)
    for i, words in enumerate(tokens):
        ids[i, : len(words)] = torch.tensor([vocab.get(word, 1) for word in words])
    return ids, ids != 0


# ---------------------------------------------------------------------------------------------
# The models.


class GRUCell(nn.Module):
    """One GRU step, written out; weight_ih (3H, E) and weight_hh (3H, H) stack the r, z, n rows
    in that order, as torch.nn.GRUCell does."""

    def __init__(self, n_in: int, hidden: int):
        super().__init__()
        bound = hidden**-0.5
        self.weight_ih = nn.Parameter(torch.empty(3 * hidden, n_in).uniform_(-bound, bound))
        self.weight_hh = nn.Parameter(torch.empty(3 * hidden, hidden).uniform_(-bound, bound))
        self.bias_ih = nn.Parameter(torch.empty(3 * hidden).uniform_(-bound, bound))
        self.bias_hh = nn.Parameter(torch.empty(3 * hidden).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        xr, xz, xn = (x @ self.weight_ih.T + self.bias_ih).chunk(3, dim=1)
        hr, hz, hn = (h @ self.weight_hh.T + self.bias_hh).chunk(3, dim=1)
        r = torch.sigmoid(xr + hr)  # reset gate: how much of the past enters the candidate
        z = torch.sigmoid(xz + hz)  # update gate: how much of the old state is kept
        n = torch.tanh(xn + r * hn)  # candidate state
        return (1 - z) * n + z * h


class GRUClassifier(nn.Module):
    """Embedding -> GRU over the words -> the state after the last real word -> 2 logits."""

    def __init__(self, vocab_size: int, hidden: int, embed: int = EMBED):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=0)
        self.cell = GRUCell(embed, hidden)
        self.head = nn.Linear(hidden, 2)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor, emb: torch.Tensor | None = None) -> torch.Tensor:
        emb = self.embed(ids) if emb is None else emb
        h = emb.new_zeros(len(ids), self.cell.weight_hh.shape[1])
        for t in range(ids.shape[1]):
            h_new = self.cell(emb[:, t], h)
            h = torch.where(mask[:, t, None], h_new, h)  # padding leaves the state alone
        return self.head(h)


class CNNClassifier(nn.Module):
    """Embedding -> 1-D convolution over 3-word windows -> ReLU -> max over the real words -> 2 logits."""

    def __init__(self, vocab_size: int, hidden: int, embed: int = EMBED):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=0)
        self.conv = nn.Conv1d(embed, hidden, kernel_size=3, padding=1)
        self.head = nn.Linear(hidden, 2)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor, emb: torch.Tensor | None = None) -> torch.Tensor:
        emb = self.embed(ids) if emb is None else emb
        a = F.relu(self.conv(emb.transpose(1, 2)))  # (N, hidden, T)
        a = a.masked_fill(~mask[:, None, :], 0.0)  # after ReLU, 0 never beats a real window's maximum
        return self.head(a.amax(dim=2))


def bag_of_words(tokens: list[list[str]], vocab: dict[str, int]) -> np.ndarray:
    """Word counts, one column per vocabulary entry: the order of the words is gone."""
    x = np.zeros((len(tokens), len(vocab)))
    for i, words in enumerate(tokens):
        for word in words:
            x[i, vocab.get(word, 1)] += 1
    return x


def saliency(model: nn.Module, ids: torch.Tensor, mask: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """P(positive) and gradient × input per word of the positive-minus-negative logit, (N, T).

    Positive values pushed the review towards "positive"; padding gets 0."""
    model.eval()
    emb = model.embed(ids).detach().requires_grad_(True)
    logits = model(ids, mask, emb=emb)
    (logits[:, 1] - logits[:, 0]).sum().backward()
    scores = (emb.grad * emb).sum(dim=2) * mask
    return logits.softmax(1)[:, 1].detach().numpy(), scores.detach().numpy()


def train_model(
    model: nn.Module,
    ids: torch.Tensor,
    mask: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    lr: float,
    seed: int,
    on_epoch: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Adam on cross-entropy over shuffled mini-batches; the mean training loss of each epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(1, epochs + 1):
        budget.check()
        model.train()
        total = 0.0
        for idx in torch.randperm(len(y), generator=order).split(BATCH):
            loss = F.cross_entropy(model(ids[idx], mask[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)  # recurrent nets can have exploding gradients
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(y))
        if on_epoch is not None:
            on_epoch(epoch, losses[-1])
    return losses


@torch.no_grad()
def predict(model: nn.Module, ids: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    model.eval()
    return model(ids, mask).argmax(1).numpy()


# ---------------------------------------------------------------------------------------------
# Bookkeeping for the page.


@dataclass
class Example:
    """One held-out review with each model's verdict and the GRU's per-word saliency."""

    index: int
    kind: str
    lang: str
    tokens: list[str]
    label: int
    p_positive: dict[str, float]  # model -> P(positive)
    gru_saliency: list[float]  # gradient × input per word


@dataclass
class RNNTextResult:
    params: dict
    accuracy: dict[str, dict[str, float]]  # model -> {"all", "plain", "negated", "contrast"} on held-out reviews
    n_test_kind: dict[str, int]  # held-out reviews of each kind
    losses: dict[str, list[float]]  # "gru", "cnn": training loss per epoch
    n_params: dict[str, int]
    vocab_size: int
    bow_weights: dict[str, float]  # word -> the bag of words' weight (log-odds of "positive" per count)
    examples: list[Example]  # a few held-out reviews of each kind
    train_seconds: dict[str, float]
    models: dict = field(default_factory=dict, repr=False, metadata={"json": False})
    vocab: dict = field(default_factory=dict, repr=False, metadata={"json": False})
    test: Reviews | None = field(default=None, repr=False, metadata={"json": False})


def accuracy_by_kind(pred: np.ndarray, reviews: Reviews) -> dict[str, float]:
    right = pred == reviews.labels
    out = {"all": float(right.mean())}
    for kind in KINDS:
        chosen = reviews.kinds == kind
        out[kind] = float(right[chosen].mean()) if chosen.any() else float("nan")
    return out


def run(
    on_progress: Callable[[str, int, int, float], None] | None = None, **params
) -> RNNTextResult:
    """Generate reviews, fit the bag of words, train the GRU and the CNN, score all three by kind.

    `on_progress(model, epoch, epochs, loss)` sees each epoch as it ends (a page's progress bar)."""
    from sklearn.linear_model import LogisticRegression

    p = validate(PARAMS, params)
    shares = dict(language=p["language"], negated_share=p["negated_share"], contrast_share=p["contrast_share"])
    train = generate(p["n_train"], p["seed"], **shares)
    test = generate(N_TEST, p["seed"] + 10_000, **shares)  # another stream: no review shared by design
    vocab = build_vocab(train.tokens)
    ids, mask = encode(train.tokens, vocab)
    test_ids, test_mask = encode(test.tokens, vocab)
    y = torch.as_tensor(train.labels)

    accuracy, losses, seconds, models = {}, {}, {}, {}
    start = time.perf_counter()
    bow = LogisticRegression(C=10.0, max_iter=2000).fit(bag_of_words(train.tokens, vocab), train.labels)
    seconds["bow"] = time.perf_counter() - start
    accuracy["bow"] = accuracy_by_kind(bow.predict(bag_of_words(test.tokens, vocab)), test)
    models["bow"] = bow

    for name, cls in (("gru", GRUClassifier), ("cnn", CNNClassifier)):
        with seeded(p["seed"]):
            model = cls(len(vocab), p["hidden"])
        report = None if on_progress is None else (lambda e, loss, n=name: on_progress(n, e, p["epochs"], loss))
        start = time.perf_counter()
        losses[name] = train_model(
            model, ids, mask, y, epochs=p["epochs"], lr=p["lr"], seed=p["seed"], on_epoch=report
        )
        seconds[name] = time.perf_counter() - start
        accuracy[name] = accuracy_by_kind(predict(model, test_ids, test_mask), test)
        models[name] = model

    examples = _examples(test, vocab, models)
    words = sorted(vocab, key=vocab.get)[2:]
    return RNNTextResult(
        params=p,
        accuracy=accuracy,
        n_test_kind={kind: int((test.kinds == kind).sum()) for kind in KINDS},
        losses=losses,
        n_params={n: sum(q.numel() for q in m.parameters()) for n, m in models.items() if n != "bow"}
        | {"bow": len(vocab) + 1},
        vocab_size=len(vocab),
        bow_weights={w: float(bow.coef_[0, vocab[w]]) for w in words},
        examples=examples,
        train_seconds=seconds,
        models=models,
        vocab=vocab,
        test=test,
    )


def _examples(test: Reviews, vocab: dict, models: dict, per_kind: int = 4) -> list[Example]:
    chosen = [i for kind in KINDS for i in np.flatnonzero(test.kinds == kind)[:per_kind]]
    return [explain(int(i), test, vocab, models) for i in chosen]


def explain(i: int, test: Reviews, vocab: dict, models: dict) -> Example:
    """Review i of `test`: every model's P(positive) and the GRU's per-word saliency."""
    tokens = test.tokens[i]
    ids, mask = encode([tokens], vocab)
    p_gru, sal = saliency(models["gru"], ids, mask)
    with torch.no_grad():
        p_cnn = models["cnn"].eval()(ids, mask).softmax(1)[0, 1].item()
    p_bow = models["bow"].predict_proba(bag_of_words([tokens], vocab))[0, 1]
    return Example(
        index=i,
        kind=str(test.kinds[i]),
        lang=str(test.langs[i]),
        tokens=list(tokens),
        label=int(test.labels[i]),
        p_positive={"bow": float(p_bow), "gru": float(p_gru[0]), "cnn": float(p_cnn)},
        gru_saliency=[float(s) for s in sal[0, : len(tokens)]],
    )


def summarize(r: RNNTextResult) -> str:
    p = r.params
    lines = [
        f"review sentiment · {p['language']} · {p['n_train']} training reviews, {sum(r.n_test_kind.values())} "
        f"held out ({', '.join(f'{r.n_test_kind[k]} {k}' for k in KINDS)}) · vocabulary {r.vocab_size}",
        f"{'model':<14}{'all':>8}{'plain':>8}{'negated':>9}{'contrast':>10}{'params':>9}{'seconds':>9}",
    ]
    names = {"bow": "bag of words", "gru": "GRU", "cnn": "1-D CNN"}
    for m in MODELS:
        a = r.accuracy[m]
        cells = "".join(f"{a[k]:>{w}.1%}" if a[k] == a[k] else f"{'—':>{w}}" for k, w in
                        (("all", 8), ("plain", 8), ("negated", 9), ("contrast", 10)))  # fmt: skip
        lines.append(f"{names[m]:<14}{cells}{r.n_params[m]:>9,}{r.train_seconds[m]:>9.2f}")
    return "\n".join(lines)
