"""A small e-commerce world drawn from a seed: a catalogue, shoppers, what they see, click and buy.

Everything below is the whole generative process, so a learner knows what signal
there is to find (and what no model can find). Day 0 is a Monday; weekday = day % 7.

Catalogue (n_items items in n_categories categories)
  - category c has a typical price b_c ~ LogNormal(log 80, 0.6) yuan;
  - item i: category c_i uniform; price p_i = b_c · LogNormal(0, 0.5);
    hidden quality q_i ~ N(0, 1); popularity π_i ∝ exp(0.8 q_i + N(0, 0.6)), a long tail;
  - promotions (20% off): a campaign starts on an item with probability 2% a day and
    lasts 3 days, about 6% of item-days; planned ahead, so known when forecasting.

Shoppers (n_users), each in one of four segments s (shares 30 / 20 / 20 / 30 %)
  segment     taste Dirichlet(α)  price sensitivity β  promo appetite γ  sessions/day  weekend ×
  bargain     1.0                 2.0                  1.5               0.35          1.2
  premium     1.0                 -1.0                 0.0               0.25          1.0
  loyal       0.15 (one or two    0.5                  0.3               0.50          1.1
              favourite categories)
  casual      3.0 (spread out)    0.8                  0.6               0.12          2.0
  Each shopper draws a taste θ_u over categories ~ Dirichlet(α_s), a sensitivity
  β_u ~ N(β_s, 0.3), an appetite γ_u ~ N(γ_s, 0.2) and a rate λ_u ~ Gamma(shape 4, mean of
  the segment). A segment is a tendency, not a rule: the draws overlap.

Sessions and impressions
  - shopper u opens Poisson(λ_u × weekend factor on Sat/Sun) sessions on each day;
  - each session shows `slate` distinct items, drawn with weights π_i · (0.2 + θ_u[c_i])
    (a retrieval stage that already knows popularity and taste).

Clicks: per impression,
    logit = -3.0 + 0.8·affinity + 0.7·q_i − β_u·r + γ_u·promo + ε
  where affinity = log(n_categories · θ_u[c_i]) clipped to [-3, 2] (0 for an average
  category), r = log(price paid / b_c) (the promotion lowers the price paid too), and
  ε ~ N(0, 1) is the shopper's momentary interest: it is in nobody's features.
View time (the privileged feature): τ = exp(0.8 + 0.6·(m·ε + k·h) + N(0, 0.4)) seconds the
  item card stayed on screen, where h = 0.8·affinity + 0.7·q_i is the shopper's lasting interest
  in the item (the part of the click logit that comes back on every visit). It is logged after
  the impression, so it exists in the training logs but not when the ranker must score the
  candidates. By default m = 1, k = 0 (`view_momentary`, `view_taste`): it reveals much of ε and
  nothing lasting; k > 0 makes it also reflect lasting interest, as dwell time does in a shop.
Purchase after a click: probability σ(-2 + 0.5·q_i − β_u·r + 0.5·promo + 0.5·ε).

Daily orders per item per store (warehouse or region), for forecasting:
    units ~ Poisson(size_s · m_i · W_c[weekday] · (1 + L_c · promo) · trend_i(day) · G)
  with store size ~ LogNormal(0, 0.4), item level m_i = 6 · (n_items · π_i)^0.6, a weekly
  profile W_c = exp(a_c · (-0.3, -0.35, -0.3, -0.2, 0.1, 0.6, 0.45)) peaking at the weekend
  (a_c ~ U(0.3, 1), so categories differ), promotion lift L_c ~ U(0.6, 1.4), a slow trend
  trend_i = exp(g_i · day / 365) with g_i ~ N(0.2, 0.3), and G ~ Gamma(5, 1/5) extra noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEGMENTS = ("bargain", "premium", "loyal", "casual")
SEGMENT_SHARE = np.array([0.3, 0.2, 0.2, 0.3])
TASTE_CONCENTRATION = np.array([1.0, 1.0, 0.15, 3.0])
PRICE_SENSITIVITY = np.array([2.0, -1.0, 0.5, 0.8])
PROMO_APPETITE = np.array([1.5, 0.0, 0.3, 0.6])
SESSIONS_PER_DAY = np.array([0.35, 0.25, 0.5, 0.12])
WEEKEND_FACTOR = np.array([1.2, 1.0, 1.1, 2.0])
WEEKLY_SHAPE = np.array([-0.3, -0.35, -0.3, -0.2, 0.1, 0.6, 0.45])  # Mon..Sun, before a_c
DISCOUNT = 0.2
CLICK_BIAS = -3.0


@dataclass(frozen=True)
class Catalogue:
    category: np.ndarray  # (n_items,) int
    price: np.ndarray  # (n_items,) list price, yuan
    base_price: np.ndarray  # (n_categories,) a category's typical price b_c
    quality: np.ndarray  # (n_items,) hidden: no feature holds it
    popularity: np.ndarray  # (n_items,) sums to 1
    promo: np.ndarray  # (n_items, n_days) bool, 20% off that day

    @property
    def n_items(self) -> int:
        return len(self.category)

    @property
    def n_categories(self) -> int:
        return len(self.base_price)

    def relative_price(self, item: np.ndarray, day: np.ndarray) -> np.ndarray:
        """log(price paid / category's typical price): the r of the click model."""
        paid = self.price[item] * np.where(self.promo[item, day], 1 - DISCOUNT, 1.0)
        return np.log(paid / self.base_price[self.category[item]])


@dataclass(frozen=True)
class Users:
    segment: np.ndarray  # (n_users,) index into SEGMENTS
    taste: np.ndarray  # (n_users, n_categories) θ_u, rows sum to 1
    price_sensitivity: np.ndarray  # β_u
    promo_appetite: np.ndarray  # γ_u
    sessions_per_day: np.ndarray  # λ_u

    @property
    def n_users(self) -> int:
        return len(self.segment)


@dataclass(frozen=True)
class Impressions:
    """One row per item shown to a shopper: the logs a recommender team trains on."""

    user: np.ndarray
    item: np.ndarray
    day: np.ndarray
    session: np.ndarray
    promo: np.ndarray  # bool
    rel_price: np.ndarray  # log(price paid / category's typical price)
    view_time: np.ndarray  # seconds on screen: privileged (logged after the fact)
    click: np.ndarray  # bool
    purchase: np.ndarray  # bool (only after a click)
    click_prob: np.ndarray  # the true σ(logit): what a perfect model with ε unknown could not reach

    def __len__(self) -> int:
        return len(self.user)

    def take(self, rows: np.ndarray) -> Impressions:
        return Impressions(**{k: v[rows] for k, v in self.__dict__.items()})


@dataclass(frozen=True)
class World:
    seed: int
    n_days: int
    catalogue: Catalogue
    users: Users
    impressions: Impressions


@dataclass(frozen=True)
class Sales:
    units: np.ndarray  # (n_stores, n_items, n_days) orders per day
    promo: np.ndarray  # (n_items, n_days) bool, the catalogue's calendar
    store_size: np.ndarray  # (n_stores,)
    weekly: np.ndarray  # (n_categories, 7) W_c, the true weekly profile
    lift: np.ndarray  # (n_categories,) L_c, the true promotion lift
    mean: np.ndarray  # (n_stores, n_items, n_days) the true expected units (before the noise)


def make_catalogue(rng: np.random.Generator, n_items: int, n_categories: int, n_days: int) -> Catalogue:
    base_price = np.exp(rng.normal(np.log(80.0), 0.6, n_categories))
    category = rng.integers(0, n_categories, n_items)
    price = base_price[category] * np.exp(rng.normal(0.0, 0.5, n_items))
    quality = rng.normal(0.0, 1.0, n_items)
    weight = np.exp(0.8 * quality + rng.normal(0.0, 0.6, n_items))
    starts = rng.random((n_items, n_days)) < 0.02
    promo = starts.copy()
    for lag in (1, 2):  # each campaign lasts three days
        promo[:, lag:] |= starts[:, :-lag]
    return Catalogue(category, price, base_price, quality, weight / weight.sum(), promo)


def make_users(rng: np.random.Generator, n_users: int, n_categories: int) -> Users:
    segment = rng.choice(len(SEGMENTS), size=n_users, p=SEGMENT_SHARE)
    alpha = TASTE_CONCENTRATION[segment][:, None] * np.ones(n_categories)
    taste = rng.gamma(alpha)  # normalised gammas are Dirichlet draws, one row per shopper
    taste = np.maximum(taste, 1e-12)
    taste /= taste.sum(axis=1, keepdims=True)
    beta = rng.normal(PRICE_SENSITIVITY[segment], 0.3)
    gamma = rng.normal(PROMO_APPETITE[segment], 0.2)
    rate = rng.gamma(4.0, SESSIONS_PER_DAY[segment] / 4.0)
    return Users(segment, taste, beta, gamma, rate)


def _slates(rng: np.random.Generator, weights: np.ndarray, slate: int) -> np.ndarray:
    """`slate` distinct items per row, drawn ∝ weights (Gumbel top-k sampling)."""
    gumbel = -np.log(-np.log(rng.random(weights.shape)))
    return np.argpartition(-(np.log(weights) + gumbel), slate - 1, axis=1)[:, :slate]


def simulate_impressions(
    rng: np.random.Generator,
    catalogue: Catalogue,
    users: Users,
    n_days: int,
    slate: int = 10,
    view_taste: float = 0.0,
    view_momentary: float = 1.0,
) -> Impressions:
    day_of = np.arange(n_days)
    weekend = (day_of % 7) >= 5
    rate = users.sessions_per_day[:, None] * np.where(weekend, WEEKEND_FACTOR[users.segment][:, None], 1.0)
    counts = rng.poisson(rate)  # (n_users, n_days) sessions
    s_user, s_day = np.nonzero(counts)
    reps = counts[s_user, s_day]
    s_user, s_day = np.repeat(s_user, reps), np.repeat(s_day, reps)

    # Retrieval: popular items in the shopper's favourite categories come up more often.
    items = np.empty((len(s_user), slate), dtype=np.int64)
    for start in range(0, len(s_user), 2048):  # in chunks: sessions x items floats add up
        u = s_user[start : start + 2048]
        w = catalogue.popularity[None, :] * (0.2 + users.taste[u][:, catalogue.category])
        items[start : start + 2048] = _slates(rng, w, slate)

    user = np.repeat(s_user, slate)
    day = np.repeat(s_day, slate)
    session = np.repeat(np.arange(len(s_user)), slate)
    item = items.ravel()
    cat = catalogue.category[item]
    promo = catalogue.promo[item, day]
    r = catalogue.relative_price(item, day)
    affinity = np.clip(np.log(catalogue.n_categories * users.taste[user, cat]), -3.0, 2.0)
    eps = rng.normal(0.0, 1.0, len(item))
    logit = (
        CLICK_BIAS + 0.8 * affinity + 0.7 * catalogue.quality[item]
        - users.price_sensitivity[user] * r + users.promo_appetite[user] * promo + eps
    )  # fmt: skip
    click = rng.random(len(item)) < _sigmoid(logit)
    lasting = 0.8 * affinity + 0.7 * catalogue.quality[item]  # h: comes back on every visit; ε does not
    view_time = np.exp(
        0.8 + 0.6 * (view_momentary * eps + view_taste * lasting) + rng.normal(0.0, 0.4, len(item))
    )
    buy_logit = (
        -2.0 + 0.5 * catalogue.quality[item] - users.price_sensitivity[user] * r + 0.5 * promo + 0.5 * eps
    )
    purchase = click & (rng.random(len(item)) < _sigmoid(buy_logit))
    # The best a model without ε can do: average σ(logit) over ε ~ N(0, 1) (probit approximation).
    click_prob = _sigmoid((logit - eps) / np.sqrt(1 + np.pi / 8))
    return Impressions(user, item, day, session, promo, r, view_time, click, purchase, click_prob)


def make_world(
    seed: int = 0,
    n_users: int = 500,
    n_items: int = 300,
    n_categories: int = 8,
    n_days: int = 28,
    slate: int = 10,
    view_taste: float = 0.0,
    view_momentary: float = 1.0,
) -> World:
    """The same seed always gives the same world (view time's two weights change only view time)."""
    rng = np.random.default_rng(seed)
    catalogue = make_catalogue(rng, n_items, n_categories, n_days)
    users = make_users(rng, n_users, n_categories)
    impressions = simulate_impressions(rng, catalogue, users, n_days, slate, view_taste, view_momentary)
    return World(seed, n_days, catalogue, users, impressions)


def daily_sales(catalogue: Catalogue, n_stores: int, seed: int) -> Sales:
    """Orders per store, item and day over the catalogue's promotion calendar."""
    rng = np.random.default_rng([seed, 1])  # its own stream: the world's draws stay the same
    n_items, n_days = catalogue.promo.shape
    store_size = np.exp(rng.normal(0.0, 0.4, n_stores))
    level = 6.0 * (n_items * catalogue.popularity) ** 0.6
    amplitude = rng.uniform(0.3, 1.0, catalogue.n_categories)
    weekly = np.exp(amplitude[:, None] * WEEKLY_SHAPE[None, :])
    lift = rng.uniform(0.6, 1.4, catalogue.n_categories)
    growth = rng.normal(0.2, 0.3, n_items)
    day = np.arange(n_days)
    cat = catalogue.category
    per_item = (
        level[:, None] * weekly[cat][:, day % 7] * (1 + lift[cat][:, None] * catalogue.promo)
        * np.exp(growth[:, None] * day[None, :] / 365)
    )  # fmt: skip
    mean = store_size[:, None, None] * per_item[None]
    units = rng.poisson(mean * rng.gamma(5.0, 1 / 5.0, mean.shape))
    return Sales(units, catalogue.promo, store_size, weekly, lift, mean)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))
