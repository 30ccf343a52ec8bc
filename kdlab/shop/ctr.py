"""Click-through prediction with a privileged feature: the teacher reads view time, the server cannot.

After Xu et al., "Privileged Features Distillation at Taobao Recommendations", KDD 2020
(arXiv:1907.05171): a feature that is in the training logs but not there when the ranker
scores candidates can still help, through a teacher that uses it. (In the paper: user-item
interaction features for CTR, post-click features such as dwell time for conversion.)

Here the privileged feature is view time, the seconds an item card stayed on screen
(`kdlab.shop.world`): it is logged after the impression, so it reveals some of the shopper's
momentary interest ε that no serving feature holds. With `view_taste` > 0 it also reflects the
shopper's lasting interest in the item (taste and quality), which serving features CAN express
(user, item and category embeddings) but clicks reveal only slowly: about one impression in seven is
clicked, while every impression has a view time. That is the regime where distilling it helps;
ε alone is fresh noise on every impression, which no student can ever predict.

Unlike the paper, where teacher and student train together in one run, the teacher here is
trained first and frozen (offline distillation): simpler to read, and the soft targets are the
same for every student, so the comparison between students is clean.

- teacher: big embeddings (user, item, category, user × category) + a 64-32 MLP, with view time.
- teacher_serving: the same big model without view time (what a big model could serve).
- alone: small embeddings + a 16-unit layer, serving features only, trained on the clicks.
- distilled: the same student on (1 - alpha) · click + alpha · teacher's probability, on the
  same impressions (binary cross-entropy is linear in its target, so this mixes the losses).
- distilled_serving: the same, taught by teacher_serving: the control that tells whether a gain
  comes from view time or merely from a bigger model's soft targets.
- oracle: the generator's own click probability without ε: the best any serving model can do.
Every model is trained with Adam and stopped early on held-out training sessions; students
start from the same weights. Train on the first `weeks` weeks of logs, test on the next week.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import log_loss, roc_auc_score

from kdlab.core import budget, progress
from kdlab.core.torch_env import seeded, torch
from kdlab.shop.scenario import ModelRow, ScenarioResult, finish, ms_per_1000
from kdlab.shop.world import Impressions, World, make_world

nn = torch.nn
F = torch.nn.functional

N_USERS, N_ITEMS, N_CATEGORIES, SLATE = 300, 200, 8, 20
TEACHER = dict(emb=32, hidden=(64, 32))
STUDENT = dict(emb=8, hidden=(16,))
MAX_EPOCHS, BATCH, LR = 10, 2048, 0.03
TOP_K = 10
METRICS = ["auc", "log_loss", "ndcg@10"]
HIGHER_IS_BETTER = {"auc": True, "log_loss": False, "ndcg@10": True}

DESIGN = (
    "train: the first weeks of click logs (10% of sessions held out for early stopping); test: the next "
    "week. teacher: big embeddings + MLP, serving features + view time (privileged); student: small "
    "embeddings + 16 units, serving features only, same initial weights alone and distilled; distilled: "
    "targets (1 - alpha) * click + alpha * teacher probability; distilled_serving: taught by the big model "
    "without view time"
)


class CTRNet(nn.Module):
    """Embeddings of user, item and category, the user × category product, dense features → MLP → logit."""

    def __init__(self, n_dense: int, emb: int, hidden: tuple[int, ...]):
        super().__init__()
        self.user = nn.Embedding(N_USERS, emb)
        self.item = nn.Embedding(N_ITEMS, emb)
        self.category = nn.Embedding(N_CATEGORIES, emb)
        layers, width = [], 4 * emb + n_dense
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        self.mlp = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, ids: torch.Tensor, dense: torch.Tensor) -> torch.Tensor:
        u, i, c = self.user(ids[:, 0]), self.item(ids[:, 1]), self.category(ids[:, 2])
        # The product is a cross feature: a shopper's taste for a category, in one term.
        return self.mlp(torch.cat([u, i, c, u * c, dense], dim=1)).squeeze(1)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@dataclass(frozen=True)
class Tensors:
    ids: torch.Tensor  # (n, 3) user, item, category
    serving: torch.Tensor  # (n, 3) relative price, promotion, weekend: known when ranking
    privileged: torch.Tensor  # (n, 4) serving + standardised log view time
    click: torch.Tensor  # (n,) float


def tensors(world: World, rows: Impressions, view_scale: tuple[float, float]) -> Tensors:
    """Model inputs; `view_scale` is the training logs' (mean, std) of log view time."""
    cat = world.catalogue.category[rows.item]
    ids = np.column_stack([rows.user, rows.item, cat])
    serving = np.column_stack([rows.rel_price, rows.promo, rows.day % 7 >= 5]).astype(np.float32)
    view = (np.log(rows.view_time) - view_scale[0]) / view_scale[1]
    privileged = np.column_stack([serving, view]).astype(np.float32)
    t = torch.from_numpy
    return Tensors(t(ids.astype(np.int64)), t(serving), t(privileged), t(rows.click.astype(np.float32)))


def train(model: CTRNet, data: Tensors, dense: str, target: torch.Tensor, val: Tensors, seed: int) -> CTRNet:
    """Adam on binary cross-entropy with (possibly soft) targets, stopped early.

    After each epoch the model is scored on held-out training sessions (log loss on the real
    clicks, whatever it was trained on); the best epoch's weights are kept, and training
    stops once the score gets worse. Every model gets the same chance to be at its best.
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    shuffle = torch.Generator().manual_seed(seed)
    x, x_val = getattr(data, dense), getattr(val, dense)
    best, best_state = float("inf"), None
    for _ in range(MAX_EPOCHS):
        budget.check()
        model.train()
        for idx in torch.randperm(len(target), generator=shuffle).split(BATCH):
            loss = F.binary_cross_entropy_with_logits(model(data.ids[idx], x[idx]), target[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = F.binary_cross_entropy_with_logits(model(val.ids, x_val), val.click).item()
        if val_loss >= best:
            break
        best, best_state = val_loss, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    model.eval()
    return model


@torch.no_grad()
def predict(model: CTRNet, ids: torch.Tensor, dense: torch.Tensor) -> np.ndarray:
    return torch.sigmoid(model(ids, dense)).numpy().astype(np.float64)


def ndcg_at_k(session: np.ndarray, click: np.ndarray, score: np.ndarray, k: int = TOP_K) -> float:
    """Mean NDCG@k over sessions with at least one click: the shown items re-ranked by `score`."""
    order = np.lexsort((-score, session))  # by session, best score first
    s, c = session[order], click[order].astype(np.float64)
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    rank = np.arange(len(s)) - np.repeat(starts, np.diff(np.r_[starts, len(s)]))
    gain = np.where(rank < k, c / np.log2(rank + 2), 0.0)
    dcg = np.add.reduceat(gain, starts)
    n_clicks = np.add.reduceat(c, starts).astype(int)
    discounts = np.cumsum(1 / np.log2(np.arange(k) + 2))
    ideal = np.where(n_clicks > 0, discounts[np.minimum(n_clicks, k) - 1], 1.0)
    has = n_clicks > 0
    return float((dcg[has] / ideal[has]).mean())


def _scores(click: np.ndarray, prob: np.ndarray, session: np.ndarray) -> dict[str, float]:
    return {
        "auc": roc_auc_score(click, prob),
        "log_loss": log_loss(click, np.clip(prob, 1e-6, 1 - 1e-6)),
        "ndcg@10": ndcg_at_k(session, click, prob),
    }


def split_sessions(rows: Impressions, seed: int, share: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Row masks (fit, validation): a random `share` of sessions, whole slates, for early stopping."""
    sessions = np.unique(rows.session)
    held = np.random.default_rng(seed).choice(
        sessions, size=max(1, int(share * len(sessions))), replace=False
    )
    val = np.isin(rows.session, held)
    return ~val, val


def view_time_signal(rows: Impressions, bins: int = 5) -> dict:
    """Click rate per view-time quintile: the privileged feature's signal, in the logs."""
    edges = np.quantile(rows.view_time, np.linspace(0, 1, bins + 1))
    which = np.clip(np.searchsorted(edges, rows.view_time, side="right") - 1, 0, bins - 1)
    return {
        "view_time_median": [float(np.median(rows.view_time[which == b])) for b in range(bins)],
        "click_rate": [float(rows.click[which == b].mean()) for b in range(bins)],
    }


def run_ctr(
    seeds: int = 3, alpha: float = 0.7, weeks: int = 3, view_taste: float = 0.0, view_momentary: float = 1.0
) -> ScenarioResult:
    """Teacher with view time, a big model without it, students alone and distilled, per seed.

    `view_taste` and `view_momentary` weigh what view time reflects (`kdlab.shop.world`):
    lasting interest in the item and momentary interest ε; both 0 make it pure noise.
    """
    start = time.perf_counter()
    seed_list = list(range(seeds))
    keys = ("teacher", "teacher_serving", "alone", "distilled", "distilled_serving", "oracle")
    scores = {k: {m: [] for m in METRICS} for k in keys}
    sizes, kept = [], {}
    for seed in progress.steps(seed_list, "seed"):
        world = make_world(
            seed, N_USERS, N_ITEMS, N_CATEGORIES, n_days=7 * (weeks + 1), slate=SLATE,
            view_taste=view_taste, view_momentary=view_momentary,
        )  # fmt: skip
        im = world.impressions
        train_rows, test_rows = im.take(im.day < 7 * weeks), im.take(im.day >= 7 * weeks)
        fit, val = split_sessions(train_rows, seed)
        log_view = np.log(train_rows.view_time[fit])
        scale = (float(log_view.mean()), float(log_view.std()))
        tr, va = tensors(world, train_rows.take(fit), scale), tensors(world, train_rows.take(val), scale)
        te = tensors(world, test_rows, scale)
        sizes.append((int(fit.sum()), int(val.sum()), len(test_rows)))

        with seeded(seed):  # the two big models: with and without view time
            big = CTRNet(4, **TEACHER), CTRNet(3, **TEACHER)
        teacher = train(big[0], tr, "privileged", tr.click, va, seed)
        teacher_serving = train(big[1], tr, "serving", tr.click, va, seed)
        soft = torch.from_numpy(predict(teacher, tr.ids, tr.privileged).astype(np.float32))
        soft_serving = torch.from_numpy(predict(teacher_serving, tr.ids, tr.serving).astype(np.float32))
        targets = {
            "alone": tr.click,
            "distilled": (1 - alpha) * tr.click + alpha * soft,
            "distilled_serving": (1 - alpha) * tr.click + alpha * soft_serving,
        }
        models = {"teacher": teacher, "teacher_serving": teacher_serving}
        for kind, target in targets.items():
            with seeded(1000 + seed):  # every student starts from the same weights
                student = CTRNet(3, **STUDENT)
            models[kind] = train(student, tr, "serving", target, va, seed)

        probs = {
            k: predict(m, te.ids, te.privileged if k == "teacher" else te.serving) for k, m in models.items()
        }
        probs["oracle"] = test_rows.click_prob
        for k, p in probs.items():
            for m, v in _scores(test_rows.click, p, test_rows.session).items():
                scores[k][m].append(v)
        if seed == 0:
            kept = {"models": models, "test": te, "signal": view_time_signal(train_rows)}

    rows = []
    for k in keys:
        model = kept["models"].get(k)
        params, ms = 0, 0.0
        if model is not None:
            dense = kept["test"].privileged if k == "teacher" else kept["test"].serving
            ids, x = kept["test"].ids[:1000], dense[:1000]
            params = count_parameters(model)
            ms = ms_per_1000(lambda m=model, ids=ids, x=x: predict(m, ids, x), len(ids))
        rows.append(
            ModelRow(k, params, ms, {m: np.array(v) for m, v in scores[k].items()}, serves=k != "teacher")
        )
    fit_n, val_n, test_n = sizes[0]
    settings = {
        "weeks": weeks,
        "alpha": alpha,
        "view_taste": view_taste,
        "users": N_USERS,
        "items": N_ITEMS,
        "slate": SLATE,
        "fit_impressions": fit_n,
        "val_impressions": val_n,
        "test_impressions": test_n,
    }
    return finish(
        "ctr", seed_list, METRICS, HIGHER_IS_BETTER, rows, DESIGN, settings, start,
        {"view_time_signal": kept["signal"]},
        pairs={"serving_teacher": ("distilled_serving", "alone"), "view_time": ("distilled", "distilled_serving")},
    )  # fmt: skip
