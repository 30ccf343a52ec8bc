"""Sequence forecasting on the shop's daily orders: seasonal naive, linear autoregression and a GRU on a
rolling origin, WAPE and MASE, promotion days apart."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from kdlab.core.params import defaults
from kdlab.shop import forecast
from kdlab.shop.forecast import MODELS, ForecastResult
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "forecast"
SPEC = {p.name: p for p in forecast.PARAMS}
COLORS = {"naive": "#7F7F7F", "linear": "#EF553B", "gru": "#636EFA"}
LAYOUT = (("weeks", "test_weeks"), ("hidden", "epochs"), ("lr", "seed"))


def render() -> None:
    st.header(t("demo.forecast"), anchor=False)
    intro(t("forecast.intro"))
    params = controls()
    r = result(params)
    if r is None:
        return
    st.caption(t("forecast.trained", n=r.n_series, points=f"{r.n_test_points:,}", promo=f"{r.n_promo_points:,}",
                 seconds=f"{r.train_seconds:.1f}"))  # fmt: skip
    scores_view(r)
    notes(r)
    series_view(r, key_prefix="")
    reproduce(DEMO, "kdlab.shop.forecast", params, forecast.PARAMS)
    show_source("kdlab.shop.forecast:wape", "kdlab.shop.forecast:mase", "kdlab.shop.forecast:windows",
                "kdlab.shop.forecast:fit_linear", "kdlab.shop.forecast:GRUForecaster")  # fmt: skip


def controls() -> dict:
    current = st.session_state.get("forecast_params") or defaults(forecast.PARAMS)
    with settings("forecast_form"):
        params = {}
        for column, names in zip(st.columns(len(LAYOUT)), LAYOUT, strict=True):
            with column:
                for name in names:
                    params[name] = widget(DEMO, SPEC[name], value=current[name])
        submitted = st.form_submit_button(t("forecast.train"), type="primary")
    if submitted or "forecast_params" not in st.session_state:
        st.session_state["forecast_params"] = params
    return st.session_state["forecast_params"]


def result(params: dict) -> ForecastResult | None:
    key = key_of(params)
    r = store(DEMO).get(key)
    if r is not None:
        return r
    bar = st.progress(0.0, text=t("forecast.starting"))
    epochs = params["epochs"]

    def train(report) -> ForecastResult:
        return forecast.run(**params, on_epoch=lambda e, loss: report((e, loss)))

    def draw(step) -> None:
        epoch, loss = step
        bar.progress(epoch / epochs, text=t("forecast.progress", epoch=epoch, total=epochs, loss=f"{loss:.4f}"))

    r = store(DEMO).run(key, train, draw=draw)
    bar.empty()
    return r


def fmt(x: float) -> str:
    return "—" if x != x else f"{x:.3f}"


def scores_table(r: ForecastResult) -> dict:
    s = r.scores
    return {
        t("forecast.model"): [t(f"forecast.model_{m}") for m in MODELS],
        "WAPE": [fmt(s[m].wape) for m in MODELS],
        "MASE": [fmt(s[m].mase) for m in MODELS],
        t("forecast.wape_promo"): [fmt(s[m].wape_promo) for m in MODELS],
        t("forecast.wape_regular"): [fmt(s[m].wape_regular) for m in MODELS],
    }


def scores_view(r: ForecastResult) -> None:
    st.subheader(t("forecast.scores_title", origins=len(r.origins)), anchor=False)
    st.table(scores_table(r))
    st.caption(t("forecast.scores_help"))


def notes(r: ForecastResult) -> None:
    s = r.scores
    best = min(MODELS, key=lambda m: s[m].wape)
    lines = [
        t("forecast.note_best", model=t(f"forecast.model_{best}"), wape=fmt(s[best].wape),
          naive=fmt(s["naive"].wape), mase=fmt(s[best].mase)),
        t("forecast.note_gru", gru=fmt(s["gru"].wape), linear=fmt(s["linear"].wape)),
        t("forecast.note_promo", n=f"{r.n_promo_points:,}", naive=fmt(s["naive"].wape_promo),
          linear=fmt(s["linear"].wape_promo), gru=fmt(s["gru"].wape_promo)),
    ]  # fmt: skip
    if all(s[m].wape_promo < s[m].wape_regular for m in MODELS):
        lines.append(t("forecast.note_promo_volume"))
    st.markdown("\n".join(f"- {line}" for line in lines))


def first_day_drawn(r: ForecastResult) -> int:
    """The series chart starts four weeks before the first forecast origin."""
    return max(0, r.origins[0] - 28)


def series_figure(r: ForecastResult, i: int) -> go.Figure:
    """One series: the last weeks of orders, promotion days shaded, each test week's three forecasts."""
    units, promo = r.units[i], r.promo[i]
    start = first_day_drawn(r)
    days = np.arange(start, len(units))
    fig = go.Figure()
    for d in days[promo[days] > 0]:
        fig.add_vrect(x0=d - 0.5, x1=d + 0.5, fillcolor="#FFA15A", opacity=0.25, line_width=0)
    fig.add_scatter(x=days, y=units[days], mode="lines+markers", name=t("forecast.actual"),
                    line=dict(color="black", width=1.5), marker=dict(size=4))  # fmt: skip
    for m in MODELS:
        for k, origin in enumerate(r.origins):
            fig.add_scatter(x=np.arange(origin, origin + forecast.H), y=r.predictions[m][k, i], mode="lines",
                            name=t(f"forecast.model_{m}"), legendgroup=m, showlegend=k == 0,
                            line=dict(color=COLORS[m], width=2.5, dash="dot" if m == "naive" else "solid"))  # fmt: skip
    fig.add_vline(x=r.origins[0] - 0.5, line_dash="dash", line_color="gray", annotation_text=t("forecast.test_starts"))
    fig.update_layout(height=380, xaxis_title=t("forecast.day"), yaxis=dict(title=t("forecast.orders"), rangemode="tozero"),
                      legend=dict(orientation="h", y=1.15), margin=dict(t=40))  # fmt: skip
    return fig


@st.fragment
def series_view(r: ForecastResult, key_prefix: str = "") -> None:
    """Pick a series: only this block reruns, from the stored forecasts."""
    st.subheader(t("forecast.series_title"), anchor=False)
    i = st.slider(t("forecast.series", n=r.n_series - 1), 0, r.n_series - 1, r.series, key=f"{key_prefix}forecast_series")
    chart(series_figure(r, i), width="stretch", key=f"{key_prefix}forecast_plot")
    promo_shown = r.promo[i][first_day_drawn(r) :].any()
    st.caption(t("forecast.series_help" if promo_shown else "forecast.series_help_no_promo"))


def compact() -> None:
    """The question page's panel: the three models' scores and one series' rolling forecasts."""
    r = result(defaults(forecast.PARAMS))
    if r is None:
        return
    st.table(scores_table(r))
    series_view(r, key_prefix="compact_")
    st.caption(t("forecast.compact_look"))
