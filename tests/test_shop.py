"""The e-commerce world: the same seed gives the same world, and every signal its docstring promises is there."""

from __future__ import annotations

import re

import numpy as np
import pytest

from kdlab.shop import world as shop
from kdlab.shop.world import SEGMENTS, daily_sales, make_world


@pytest.fixture(scope="module")
def world():
    return make_world(0, n_users=600, n_items=200, n_days=28, slate=10)


@pytest.fixture(scope="module")
def sales():
    return daily_sales(make_world(0, n_users=50, n_items=60, n_days=112).catalogue, n_stores=5, seed=0)


def test_same_seed_same_world_other_seed_other_world():
    a, b, c = make_world(3, n_users=100), make_world(3, n_users=100), make_world(4, n_users=100)
    for field in ("user", "item", "day", "click", "view_time", "purchase"):
        np.testing.assert_array_equal(getattr(a.impressions, field), getattr(b.impressions, field))
    np.testing.assert_array_equal(a.catalogue.price, b.catalogue.price)
    assert len(a.impressions) != len(c.impressions) or not np.array_equal(
        a.impressions.item, c.impressions.item
    )
    s1, s2 = daily_sales(a.catalogue, 3, 3), daily_sales(a.catalogue, 3, 3)
    np.testing.assert_array_equal(s1.units, s2.units)


def test_shapes_and_basic_invariants(world):
    im, cat, users = world.impressions, world.catalogue, world.users
    assert np.allclose(users.taste.sum(axis=1), 1) and np.all(users.taste >= 0)
    assert np.isclose(cat.popularity.sum(), 1)
    # A slate never shows the same item twice.
    for s in np.unique(im.session)[:200]:
        items = im.item[im.session == s]
        assert len(np.unique(items)) == len(items) == 10
    assert not np.any(im.purchase & ~im.click)  # purchases only after a click
    assert 0.05 < im.click.mean() < 0.25  # a click rate like a shop's, not a coin toss
    assert 0.03 < cat.promo.mean() < 0.09  # campaigns of 3 days starting with p = 2%: about 6%
    assert set(np.unique(users.segment)) == set(range(len(SEGMENTS)))


def test_view_time_carries_the_momentary_interest(world):
    im = world.impressions
    edges = np.quantile(im.view_time, [0.2, 0.4, 0.6, 0.8])
    rates = [im.click[np.digitize(im.view_time, edges) == q].mean() for q in range(5)]
    assert all(np.diff(rates) > 0), rates  # longer on screen, more clicks: every quintile
    assert rates[-1] > 3 * rates[0]


def test_clicks_follow_taste_price_and_promotions(world):
    im, users, cat = world.impressions, world.users, world.catalogue
    taste = users.taste[im.user, cat.category[im.item]]
    top = taste >= np.quantile(taste, 0.75)
    low = taste <= np.quantile(taste, 0.25)
    assert im.click[top].mean() > 2 * im.click[low].mean()
    # Bargain hunters click cheap items, premium shoppers dear ones.
    seg = users.segment[im.user]
    bargain, premium = SEGMENTS.index("bargain"), SEGMENTS.index("premium")
    assert (
        im.rel_price[im.click & (seg == bargain)].mean()
        < im.rel_price[im.click & (seg == premium)].mean() - 0.2
    )
    # Promotions lift clicks, most for bargain hunters.
    lift = {
        s: im.click[im.promo & (seg == s)].mean() / im.click[~im.promo & (seg == s)].mean()
        for s in (bargain, premium)
    }
    assert lift[bargain] > 2 and lift[bargain] > lift[premium]
    # Loyal shoppers' taste is concentrated, casual shoppers' spread out.
    loyal, casual = SEGMENTS.index("loyal"), SEGMENTS.index("casual")
    assert (
        users.taste[users.segment == loyal].max(axis=1).mean()
        > users.taste[users.segment == casual].max(axis=1).mean() + 0.3
    )


def test_true_click_probability_is_calibrated(world):
    im = world.impressions
    assert abs(im.click_prob.mean() - im.click.mean()) < 0.02
    order = np.argsort(im.click_prob)
    deciles = np.array_split(order, 10)
    observed = np.array([im.click[d].mean() for d in deciles])
    predicted = np.array([im.click_prob[d].mean() for d in deciles])
    assert np.all(np.abs(observed - predicted) < 0.05)


def test_weekend_brings_more_sessions(world):
    im = world.impressions
    first = np.r_[True, im.session[1:] != im.session[:-1]]
    per_weekday = np.bincount(im.day[first] % 7, minlength=7)
    assert per_weekday[5:].mean() > 1.15 * per_weekday[:5].mean()


def test_sales_have_weekly_seasonality_promotion_lift_and_noise(sales):
    units = sales.units
    weekday = np.arange(units.shape[2]) % 7
    per_day = units.sum(axis=(0, 1))
    saturday, tuesday = per_day[weekday == 5], per_day[weekday == 1]
    assert saturday.mean() > 1.3 * tuesday.mean()
    assert saturday.min() > tuesday.max()  # every Saturday beats every Tuesday: not noise
    # Promotion days sell more than the same item's other days (same store).
    ratio = [units[:, i][:, sales.promo[i]].mean() / units[:, i][:, ~sales.promo[i]].mean()
             for i in range(units.shape[1]) if sales.promo[i].any() and units[:, i].mean() > 2]  # fmt: skip
    assert np.median(ratio) > 1.5
    # Counts scatter more than Poisson (the gamma noise), and the mean is the documented one.
    resid = units - sales.mean
    assert resid.var() > sales.mean.mean()
    assert abs(units.mean() / sales.mean.mean() - 1) < 0.03


def test_the_docstring_table_is_the_code():
    """The generative process a learner reads is the one that runs."""
    lines = shop.__doc__.splitlines()
    for s, name in enumerate(SEGMENTS):
        row = next(line for line in lines if line.strip().startswith(name + " "))
        numbers = [float(x) for x in re.findall(r"-?\d+\.\d+", row)]
        expected = [shop.TASTE_CONCENTRATION[s], shop.PRICE_SENSITIVITY[s], shop.PROMO_APPETITE[s],
                    shop.SESSIONS_PER_DAY[s], shop.WEEKEND_FACTOR[s]]  # fmt: skip
        assert numbers == pytest.approx(expected), name


def test_view_taste_changes_only_view_time_and_adds_lasting_interest(world):
    """The PFD knob: k > 0 mixes the lasting interest h into view time; k = 0 is the default world."""
    same = make_world(0, n_users=600, n_items=200, n_days=28, slate=10, view_taste=0.0, view_momentary=1.0)
    tasty = make_world(0, n_users=600, n_items=200, n_days=28, slate=10, view_taste=1.0)
    noise = make_world(0, n_users=600, n_items=200, n_days=28, slate=10, view_taste=0.0, view_momentary=0.0)
    for field in world.impressions.__dict__:  # the same draws: only view time may differ
        np.testing.assert_array_equal(getattr(same.impressions, field), getattr(world.impressions, field))
        if field != "view_time":
            np.testing.assert_array_equal(
                getattr(tasty.impressions, field), getattr(world.impressions, field)
            )
    im, users, cat = world.impressions, world.users, world.catalogue
    affinity = np.clip(np.log(cat.n_categories * users.taste[im.user, cat.category[im.item]]), -3.0, 2.0)
    lasting = 0.8 * affinity + 0.7 * cat.quality[im.item]  # h, written out again from the docstring

    def corr(w, x) -> float:
        return float(np.corrcoef(np.log(w.impressions.view_time), x)[0, 1])

    assert abs(corr(world, lasting)) < 0.03  # default: view time says nothing lasting
    assert corr(tasty, lasting) > 0.5  # k = 1: it does
    # k = 1 adds exactly 0.6 h to log view time, the rest of it unchanged
    np.testing.assert_allclose(
        np.log(tasty.impressions.view_time) - np.log(im.view_time), 0.6 * lasting, atol=1e-9
    )
    # both weights 0: view time is pure noise, unrelated to clicks (and to h)
    assert abs(corr(noise, im.click)) < 0.02 and abs(corr(noise, lasting)) < 0.02
