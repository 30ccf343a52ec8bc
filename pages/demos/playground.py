"""Neural-network playground: the decision boundary as an MLP trains, the losses, and each hidden unit's picture."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.core.params import defaults
from kdlab.deep import playground
from kdlab.deep.playground import PlaygroundResult, Snapshot
from pages.demos.kit import key_of, reproduce, show_source, store, widget
from pages.shared.common import t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "playground"
SPEC = {p.name: p for p in playground.PARAMS}
LAYOUT = (("dataset", "noise", "n_points", "test_fraction"), ("layers", "units", "activation", "seed"),
          ("lr", "l2", "batch_size", "epochs"))  # fmt: skip
CLASS_COLORS = ("#E8743B", "#2C7FB8")  # class 0 orange, class 1 blue, as the boundary's colour scale
BOUNDARY_SCALE = [[0.0, "#F4A582"], [0.5, "#F7F7F7"], [1.0, "#92C5DE"]]


def render() -> None:
    st.header(t("demo.playground"), anchor=False)
    intro(t("playground.intro"))
    params = controls()
    status, boundary_slot = st.empty(), st.empty()
    key = key_of(params)
    r: PlaygroundResult | None = store(DEMO).get(key)
    if r is None:
        r = train_live(params, key, status, boundary_slot)
        status.caption(t("playground.trained", epochs=int(r.epochs[-1]), seconds=f"{r.seconds:.2f}"))
    metrics(r)
    left, right = st.columns([3, 2])
    with left:
        boundary_slot.empty()
        chart(boundary_figure(r), width="stretch", key="playground_chart_boundary")
        st.caption(t("playground.boundary_help"))
    with right:
        chart(loss_figure(r), width="stretch", key="playground_chart_loss")
    notes(r)
    if r.units:
        st.subheader(t("playground.units_title"), anchor=False)
        chart(units_figure(r), width="stretch", key="playground_chart_units")
        st.caption(t("playground.units_help"))
    reproduce(DEMO, "kdlab.deep.playground", params, playground.PARAMS)
    show_source("kdlab.deep.playground:forward", "kdlab.deep.playground:loss_and_grads",
                "kdlab.deep.playground:sgd_step")  # fmt: skip


def controls() -> dict:
    """Settings in a form: nothing retrains until "Train"."""
    current = st.session_state.get("playground_params") or defaults(playground.PARAMS)
    with settings("playground_form"):
        params = {}
        for column, names in zip(st.columns(len(LAYOUT)), LAYOUT, strict=True):
            with column:
                for name in names:
                    params[name] = widget(DEMO, SPEC[name], value=current[name])
        submitted = st.form_submit_button(t("playground.train"), type="primary")
    if submitted or "playground_params" not in st.session_state:
        st.session_state["playground_params"] = params
    return st.session_state["playground_params"]


def train_live(params: dict, key: tuple, status, slot) -> PlaygroundResult:
    """Train through the shared job queue, redrawing the boundary at each snapshot."""
    total = params["epochs"]
    bar = status.progress(0.0, text=t("playground.starting"))

    def train(report) -> PlaygroundResult:
        return playground.run(**params, on_snapshot=report)

    def draw(s: Snapshot) -> None:
        bar.progress(s.epoch / total, text=t("playground.progress", epoch=s.epoch, total=total,
                                                loss=f"{s.test_loss:.3f}"))  # fmt: skip
        chart(live_figure(s), width="stretch", key=f"playground_chart_live_{s.epoch}", where=slot)

    return store(DEMO).run(key, train, draw=draw)


def metrics(r: PlaygroundResult) -> None:
    m = st.columns(4)
    m[0].metric(t("playground.test_acc"), f"{r.test_acc:.1%}", help=t("playground.test_acc_help", n=len(r.y_test)))
    m[1].metric(t("playground.train_acc"), f"{r.train_acc:.1%}")
    m[2].metric(t("playground.test_loss"), f"{r.test_loss[-1]:.3f}", help=t("playground.loss_help"))
    m[3].metric(t("playground.n_weights"), f"{r.n_weights}", help=" → ".join(map(str, r.sizes)))


def notes(r: PlaygroundResult) -> None:
    p = r.params
    if r.diverged:
        st.error(t("playground.diverged", epoch=int(r.epochs[-1]), lr=p["lr"]), icon="💥")
        return
    lines = []
    if p["layers"] == 0 or p["activation"] == "linear":
        lines.append(t("playground.note_linear"))
    gap = r.train_acc - r.test_acc
    if gap > 0.05:
        lines.append(t("playground.note_gap", gap=f"{gap:.1%}"))
    best = int(np.argmin(r.test_loss))
    if best < r.epochs[-1] and r.test_loss[-1] > 1.1 * r.test_loss[best]:
        lines.append(t("playground.note_test_rises", best=best, low=f"{r.test_loss[best]:.3f}",
                       last=f"{r.test_loss[-1]:.3f}"))  # fmt: skip
    if r.test_acc < 0.75:
        lines.append(t("playground.note_weak", acc=f"{r.test_acc:.1%}"))
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))


def _points(r: PlaygroundResult) -> list[go.Scatter]:
    traces = []
    for X, y, part, symbol in ((r.X_train, r.y_train, "train", "circle"), (r.X_test, r.y_test, "test", "x")):
        for c in (0, 1):
            rows = y == c
            traces.append(go.Scatter(
                x=X[rows, 0], y=X[rows, 1], mode="markers", name=t(f"playground.points_{part}", c=c),
                marker=dict(symbol=symbol, size=6 if part == "train" else 7, color=CLASS_COLORS[c],
                            line=dict(width=0.5, color="white") if part == "train" else None),
                hoverinfo="skip"))  # fmt: skip
    return traces


def _heat(grid: np.ndarray, boundary: np.ndarray) -> go.Heatmap:
    return go.Heatmap(x=grid, y=grid, z=boundary, zmin=0, zmax=1, colorscale=BOUNDARY_SCALE,
                      colorbar=dict(title=t("playground.prob1"), tickformat=".0%", len=0.8),
                      hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}: %{z:.0%}<extra></extra>")  # fmt: skip


def _frame_layout(fig: go.Figure, title: str) -> None:
    ext = playground.EXTENT
    fig.update_layout(
        title=title, height=560, margin=dict(t=50, b=120),
        xaxis=dict(title="x₁", range=[-ext, ext], constrain="domain"),
        yaxis=dict(title="x₂", range=[-ext, ext], scaleanchor="x"),
        legend=dict(orientation="h", y=-0.3, x=0.5, xanchor="center"),
    )  # fmt: skip


def boundary_figure(r: PlaygroundResult) -> go.Figure:
    """P(class 1) over the plane at each snapshot (slider / ▶), the points on top."""
    snaps = r.snapshots
    frames = [go.Frame(data=[_heat(r.grid, s.boundary)], name=str(s.epoch), traces=[0]) for s in snaps]
    fig = go.Figure(data=[_heat(r.grid, snaps[-1].boundary), *_points(r)], frames=frames)
    steps = [dict(method="animate", label=f.name, args=[[f.name], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                                                         transition=dict(duration=0))]) for f in frames]  # fmt: skip
    _frame_layout(fig, t("playground.boundary_title"))
    fig.update_layout(
        sliders=[dict(active=len(steps) - 1, steps=steps, y=-0.02, pad=dict(t=30),
                      currentvalue=dict(prefix=t("playground.epoch") + ": "))],
        updatemenus=[dict(type="buttons", showactive=False, x=0, y=-0.02, xanchor="right", yanchor="top",
                          buttons=[dict(label="▶", method="animate", args=[None, dict(
                              frame=dict(duration=150, redraw=True), fromcurrent=False, transition=dict(duration=0))])])],
    )  # fmt: skip
    return fig


def live_figure(s: Snapshot) -> go.Figure:
    grid = np.linspace(-playground.EXTENT, playground.EXTENT, playground.GRID)
    fig = go.Figure(_heat(grid, s.boundary))
    _frame_layout(fig, t("playground.live_title", epoch=s.epoch))
    return fig


def loss_figure(r: PlaygroundResult) -> go.Figure:
    fig = go.Figure()
    # Two solid colours: a dashed test curve that jumps every epoch (small batches) read as broken.
    for part, values, color in (("train", r.train_loss, "#1f77b4"), ("test", r.test_loss, "#ff7f0e")):
        ok = np.isfinite(values)
        fig.add_scatter(x=r.epochs[ok], y=values[ok], mode="lines", name=t(f"playground.curve_{part}"),
                        line=dict(color=color, width=2))  # fmt: skip
    fig.update_layout(title=t("playground.loss_title"), xaxis_title=t("playground.epoch"),
                      yaxis=dict(title=t("playground.loss_axis"), type="log", tickvals=log_ticks([r.train_loss, r.test_loss])),
                      height=560,
                      legend=dict(orientation="h", y=-0.2, x=0.5, xanchor="center"), margin=dict(t=50))  # fmt: skip
    return fig


def _unit_range(activation: str, maps: list[np.ndarray]) -> tuple[float, float]:
    if activation == "tanh":
        return -1.0, 1.0
    if activation == "sigmoid":
        return 0.0, 1.0
    top = max(float(np.abs(m).max()) for m in maps) or 1.0
    return (0.0, top) if activation == "relu" else (-top, top)


def units_figure(r: PlaygroundResult) -> go.Figure:
    """One row per hidden layer, one small picture per unit: its activation at every point of the plane."""
    rows, cols = len(r.units), max(len(u) for u in r.units)
    lo, hi = _unit_range(r.params["activation"], r.units)
    titles = [t("playground.unit", layer=i + 1, unit=j + 1) if j < len(layer) else ""
              for i, layer in enumerate(r.units) for j in range(cols)]  # fmt: skip
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.015,
                        vertical_spacing=0.12 / max(rows - 1, 1) if rows > 1 else 0.0)  # fmt: skip
    for i, layer in enumerate(r.units):
        for j, picture in enumerate(layer):
            fig.add_trace(go.Heatmap(x=r.grid, y=r.grid, z=picture, zmin=lo, zmax=hi, colorscale="RdBu_r",
                                     showscale=i == 0 and j == 0, colorbar=dict(title=t("playground.activation"), len=0.9),
                                     hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}: %{z:.2f}<extra></extra>"),
                          row=i + 1, col=j + 1)  # fmt: skip
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    for k in range(1, rows * cols + 1):
        fig.layout[f"yaxis{'' if k == 1 else k}"].scaleanchor = f"x{'' if k == 1 else k}"
    fig.update_annotations(font_size=11)
    fig.update_layout(height=60 + 150 * rows, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def compact() -> None:
    """The question page's panel: the activation and the depth, and the boundary they give on the circle."""
    left, right = st.columns(2)
    with left:
        activation = widget(DEMO, SPEC["activation"], key_prefix="compact_")
    with right:
        layers = widget(DEMO, SPEC["layers"], key_prefix="compact_")
    params = defaults(playground.PARAMS) | {"activation": activation, "layers": layers}
    r: PlaygroundResult = store(DEMO).get_or_run(key_of(params), lambda _: playground.run(**params))
    metrics(r)
    chart(boundary_figure(r), width="stretch", key="compact_playground_boundary")
    st.caption(t("playground.compact_look"))


def log_ticks(values) -> list[float]:
    """1-2-5 ticks inside the data's range: plotly labels every minor digit when a log axis spans under a decade."""
    v = np.asarray([x for x in np.ravel(values) if np.isfinite(x) and x > 0])
    lo, hi = (v.min(), v.max()) if len(v) else (1e-3, 10.0)
    grid = [m * 10.0**e for e in range(-16, 6) for m in (1, 2, 5)]
    return [g for g in grid if lo / 2 <= g <= hi * 2]
