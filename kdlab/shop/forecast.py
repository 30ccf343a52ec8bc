"""Sequence forecasting: next week's daily orders in the shop, seasonal naive vs linear autoregression vs a GRU.

The series are the generated shop's daily orders per item per store (kdlab.shop.world: weekly
pattern per category, promotions that lift demand, a slow trend, Poisson noise). At each forecast
origin t every model sees the orders up to day t − 1 and the promotion calendar (planned, so
known ahead), and forecasts the next H = 7 days at once (multi-step):

    seasonal naive        ŷ_{t+h} = y_{t+h−7}                     same weekday last week
    linear autoregression ŷ_{t+h} = s · (w_h · x + b_h)            one least-squares fit per horizon h
    GRU                   ŷ_{t+·} = s · head([GRU(x-sequence) ; promotions of the next 7 days])

x is the last L = 28 days of orders divided by their mean s (so one model serves big and small
series), with the promotion flags of those days and of the 7 days ahead. The models are trained
on origins in the first part of the history and tested on a rolling origin: one origin a week
over the last `test_weeks` weeks, each forecasting the week after it from what was known then.

    WAPE = Σ |y − ŷ| / Σ y                                 errors weighted by volume
    MASE = mean |y − ŷ| / mean |y_t − y_{t−7}|_train         per series, < 1 beats seasonal naive
                                                           on the training days (averaged over series)

Promotion days are scored apart: they are rare, and a model that ignores the calendar misses them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kdlab.core import budget
from kdlab.core.params import Param, validate
from kdlab.core.torch_env import seeded, torch
from kdlab.shop.world import daily_sales, make_catalogue

nn = torch.nn
F = torch.nn.functional

H = 7  # forecast horizon, days
L = 28  # days of history each model reads
N_ITEMS, N_CATEGORIES, N_STORES = 30, 6, 3
MODELS = ("naive", "linear", "gru")

PARAMS = (
    Param("weeks", 20, 10, 40, help="weeks of daily history (the last test_weeks are the rolling test)"),
    Param("test_weeks", 4, 1, 8, help="forecast origins, one a week at the end of the history"),
    Param("hidden", 16, 4, 64, help="GRU hidden units"),
    Param("epochs", 6, 1, 30, help="GRU passes over the training windows"),
    Param("lr", 0.005, 1e-4, 0.05, help="Adam learning rate for the GRU"),
    Param("seed", 0, 0, 10000, help="the shop world, the GRU's initial weights and batch order"),
)

# A small run of the same code path, for the common test of every experiment (tests/test_registry.py).
QUICK = {"weeks": 10, "test_weeks": 1, "epochs": 1, "hidden": 4}


# ---------------------------------------------------------------------------------------------
# The metrics and the two simple forecasters, written out.


def wape(y: np.ndarray, pred: np.ndarray) -> float:
    """Σ|y − ŷ| / Σ y: the share of all units the forecast got wrong."""
    return float(np.abs(y - pred).sum() / max(np.abs(y).sum(), 1e-12))


def mase(y: np.ndarray, pred: np.ndarray, scale: np.ndarray) -> float:
    """Mean over series of MAE / that series' in-sample seasonal-naive MAE. y, pred: (series, points)."""
    return float(np.mean(np.abs(y - pred).mean(axis=1) / scale))


def seasonal_naive(history: np.ndarray) -> np.ndarray:
    """The next 7 days = the last 7 days (same weekday last week). history (..., t) -> (..., 7)."""
    return history[..., -H:].copy()


def windows(units: np.ndarray, promo: np.ndarray, origins: np.ndarray) -> tuple[np.ndarray, ...]:
    """Inputs and targets for every series at every origin t (forecast days t .. t+6 from days < t).

    Returns x (n, L) orders / s, p_past (n, L), p_next (n, H) promotion flags, y (n, H) orders, s (n,)."""
    xs, pp, pn, ys, ss = [], [], [], [], []
    for t in origins:
        past = units[:, t - L : t]
        s = past.mean(axis=1) + 1.0  # +1: a series with no orders lately still divides safely
        xs.append(past / s[:, None])
        pp.append(promo[:, t - L : t])
        pn.append(promo[:, t : t + H])
        ys.append(units[:, t : t + H])
        ss.append(s)
    return tuple(np.concatenate(a).astype(float) for a in (xs, pp, pn, ys, ss))


def linear_design(x: np.ndarray, p_past: np.ndarray, p_next: np.ndarray) -> np.ndarray:
    """The autoregression's features: the scaled last 28 days, their promotion flags, next week's flags, 1."""
    return np.hstack([x, p_past, p_next, np.ones((len(x), 1))])


def fit_linear(A: np.ndarray, y_scaled: np.ndarray, l2: float = 1e-3) -> np.ndarray:
    """Least squares with a tiny ridge, one column of weights per horizon: W = (AᵀA + l2·I)⁻¹ Aᵀ Y."""
    return np.linalg.solve(A.T @ A + l2 * np.eye(A.shape[1]), A.T @ y_scaled)


# ---------------------------------------------------------------------------------------------
# The GRU.


class GRUForecaster(nn.Module):
    """GRU over the last L days (scaled orders, promotion flag) -> state; head on [state ; next week's flags] -> 7 days."""

    def __init__(self, hidden: int):
        super().__init__()
        self.gru = nn.GRU(2, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden + H, hidden), nn.ReLU(), nn.Linear(hidden, H))

    def forward(self, x: torch.Tensor, p_past: torch.Tensor, p_next: torch.Tensor) -> torch.Tensor:
        _, h = self.gru(torch.stack([x, p_past], dim=2))
        return self.head(torch.cat([h[0], p_next], dim=1))


def train_gru(
    model: GRUForecaster, data: tuple, *, epochs: int, lr: float, seed: int,
    on_epoch: Callable[[int, float], None] | None = None,
) -> list[float]:  # fmt: skip
    """Adam on the mean squared error of the scaled orders (y / s), over shuffled mini-batches."""
    x, pp, pn, y, s = (torch.as_tensor(a, dtype=torch.float32) for a in data)
    target = y / s[:, None]
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(1, epochs + 1):
        budget.check()
        model.train()
        total = 0.0
        for idx in torch.randperm(len(x), generator=order).split(128):
            loss = F.mse_loss(model(x[idx], pp[idx], pn[idx]), target[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(x))
        if on_epoch is not None:
            on_epoch(epoch, losses[-1])
    return losses


# ---------------------------------------------------------------------------------------------
# The experiment.


@dataclass
class Scores:
    wape: float
    mase: float
    wape_promo: float  # on promotion days only
    wape_regular: float


@dataclass
class ForecastResult:
    params: dict
    scores: dict[str, Scores]  # model -> scores over every test origin and series
    n_series: int
    n_test_points: int
    n_promo_points: int
    losses: list[float]
    train_seconds: float
    series: int  # the series shown on the page
    history: np.ndarray  # that series' orders, every day
    promo_days: np.ndarray  # its promotion flags
    origins: list[int]  # test origins (first forecast day)
    forecasts: dict[str, np.ndarray]  # model -> (test_weeks, 7) forecasts for that series
    units: np.ndarray = field(repr=False, metadata={"json": False})  # (series, days)
    promo: np.ndarray = field(repr=False, metadata={"json": False})
    predictions: dict = field(default_factory=dict, repr=False, metadata={"json": False})  # model -> (origins, series, 7)
    model: GRUForecaster | None = field(default=None, repr=False, metadata={"json": False})


def shop_series(seed: int, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Daily orders (items x stores, days) and their promotion flags, from the shop world of `seed`."""
    n_days = 7 * weeks
    catalogue = make_catalogue(np.random.default_rng(seed), N_ITEMS, N_CATEGORIES, n_days)
    sales = daily_sales(catalogue, N_STORES, seed)
    units = sales.units.reshape(-1, n_days)  # (stores * items, days)
    promo = np.broadcast_to(sales.promo, sales.units.shape).reshape(-1, n_days)
    return units.astype(float), promo.astype(float)


def score(y: np.ndarray, pred: np.ndarray, promo: np.ndarray, scale: np.ndarray) -> Scores:
    """y, pred, promo: (origins, series, 7); scale: (series,)."""
    on = promo > 0
    per_series = lambda a: a.transpose(1, 0, 2).reshape(a.shape[1], -1)  # noqa: E731
    return Scores(
        wape=wape(y, pred),
        mase=mase(per_series(y), per_series(pred), scale),
        wape_promo=wape(y[on], pred[on]) if on.any() else float("nan"),
        wape_regular=wape(y[~on], pred[~on]),
    )


def run(on_epoch: Callable[[int, float], None] | None = None, **params) -> ForecastResult:
    """Fit on the early origins, forecast every test origin, score all three models."""
    p = validate(PARAMS, params)
    units, promo = shop_series(p["seed"], p["weeks"])
    n_series, n_days = units.shape
    test_origins = np.arange(n_days - 7 * p["test_weeks"], n_days, 7)
    first_test = test_origins[0]
    train_origins = np.arange(L, first_test - H + 1, 2)  # every other day; targets end before the test
    history = units[:, :first_test]
    scale = np.abs(history[:, 7:] - history[:, :-7]).mean(axis=1) + 1e-9  # seasonal naive's in-sample MAE

    train = windows(units, promo, train_origins)
    W = fit_linear(linear_design(*train[:3]), train[3] / train[4][:, None])
    with seeded(p["seed"]):
        model = GRUForecaster(p["hidden"])
    start = time.perf_counter()
    losses = train_gru(model, train, epochs=p["epochs"], lr=p["lr"], seed=p["seed"], on_epoch=on_epoch)
    seconds = time.perf_counter() - start

    x, pp, pn, y, s = windows(units, promo, test_origins)
    model.eval()
    with torch.no_grad():
        gru = model(*(torch.as_tensor(a, dtype=torch.float32) for a in (x, pp, pn))).numpy() * s[:, None]
    preds = {
        "naive": np.concatenate([seasonal_naive(units[:, :t]) for t in test_origins]),
        "linear": (linear_design(x, pp, pn) @ W) * s[:, None],
        "gru": gru,
    }
    shape = (len(test_origins), n_series, H)
    preds = {m: np.clip(v, 0, None).reshape(shape) for m, v in preds.items()}  # orders are never negative
    y, pn = y.reshape(shape), pn.reshape(shape)
    shown = int(np.argmax(promo[:, first_test:].sum(1) * units[:, :first_test].mean(1)))  # busy, with promotions
    return ForecastResult(
        params=p,
        scores={m: score(y, preds[m], pn, scale) for m in MODELS},
        n_series=n_series,
        n_test_points=int(y.size),
        n_promo_points=int(pn.sum()),
        losses=losses,
        train_seconds=seconds,
        series=shown,
        history=units[shown],
        promo_days=promo[shown],
        origins=[int(t) for t in test_origins],
        forecasts={m: preds[m][:, shown] for m in MODELS},
        units=units,
        promo=promo,
        predictions=preds,
        model=model,
    )


def summarize(r: ForecastResult) -> str:
    names = {"naive": "seasonal naive", "linear": "linear autoregression", "gru": "GRU"}
    lines = [
        f"forecast 7 days ahead · {r.n_series} shop series · {len(r.origins)} weekly test origins "
        f"({r.n_test_points:,} forecast days, {r.n_promo_points:,} on promotion) · GRU trained in {r.train_seconds:.1f} s",
        f"{'model':<24}{'WAPE':>8}{'MASE':>8}{'WAPE promo':>12}{'WAPE other':>12}",
    ]
    for m in MODELS:
        s = r.scores[m]
        lines.append(f"{names[m]:<24}{s.wape:>8.3f}{s.mase:>8.3f}{s.wape_promo:>12.3f}{s.wape_regular:>12.3f}")
    return "\n".join(lines)
