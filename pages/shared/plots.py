"""Every Plotly figure in the app goes on the page through `chart`: one style for all of them.

`style(fig)` applies what every figure needs and is easy to forget in one:
- legends never over the data: a legend placed above the plot (y >= 1) sits on its top edge
  (yanchor "bottom"), one below it hangs from its bottom edge; one inside the plot area moves above;
- log axes labelled by decade in exponent form (1e-2, 1e-1, 1, ...), or with 1-2-5 ticks when the
  data span less than a decade (Plotly's default labels every minor digit: "2, 5, 100, 2, 5");
- in projector mode (pages/shared/projector.py), larger fonts everywhere: the base font, titles,
  and every size a figure set itself (subplot titles, text on bars, annotations), scaled alike.

Streamlit's own theme sets the figure's font (12 px, titles 16 px) in its template; a size set on the
figure wins over it.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from pages.shared import projector

FONT, TITLE = 12, 16  # Streamlit's theme
SCALE = 1.5  # projector mode: every font
MAX_DECADE_TICKS = 8
LOG_FORMAT = "power"  # 10⁻², 10⁻¹, 1, 10: the same look on every log axis
ROUNDING = 1e-12  # a relative change below this is floating-point rounding, not progress


def chart(fig: go.Figure, where=None, **kwargs):
    """`st.plotly_chart` of the styled figure, in `where` (a column, an st.empty slot) if given."""
    return (where or st).plotly_chart(style(fig, projector.on()), **kwargs)


def style(fig: go.Figure, large: bool = False) -> go.Figure:
    """The figure with the app's style; a copy when `large` (a cached figure must not grow)."""
    if large:
        fig = go.Figure(fig)
    _legend(fig)
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
        if axis.type == "log":
            _log_ticks(fig, axis)
    if large:
        _large(fig)
    return fig


def _legend(fig: go.Figure) -> None:
    legend = fig.layout.legend
    y, x = legend.y, legend.x
    if y is None:
        return  # Plotly's default: right of the plot area, outside it
    if y >= 1:
        legend.update(y=max(y, 1.02) if legend.yanchor == "bottom" else 1.02, yanchor="bottom")
    elif y <= 0:
        legend.yanchor = "top"
    elif x is None or 0 <= x <= 1:  # inside the plot area: over the data
        legend.update(orientation="h", y=1.02, yanchor="bottom", x=0, xanchor="left")


def _log_ticks(fig: go.Figure, axis) -> None:
    if axis.tickvals is not None or axis.dtick is not None or axis.tickformat:
        if axis.exponentformat is None:
            axis.exponentformat = LOG_FORMAT
        return
    lo, hi = _log_range(fig, axis)
    if lo is None:
        return
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    if last - first >= 1:  # two decades or more on the axis: one tick per decade (or per few)
        axis.update(dtick=max(1, math.ceil((last - first) / MAX_DECADE_TICKS)), exponentformat=LOG_FORMAT)
    else:
        values = log_ticks([10**lo, 10**hi], tight=True)
        axis.update(tickvals=values, ticktext=[f"{v:g}" for v in values])


def _log_range(fig: go.Figure, axis) -> tuple[float | None, float | None]:
    """log10 of the axis's range: the one set, else the positive data of the traces drawn on it."""
    if axis.range is not None and None not in axis.range:
        return float(min(axis.range)), float(max(axis.range))
    name = axis.plotly_name  # "xaxis", "yaxis2", ...
    letter, ref = name[0], name[0] + name[5:]  # "x", "y2"
    values = []
    for trace in fig.data:
        if (getattr(trace, f"{letter}axis", None) or letter) != ref:
            continue
        data = getattr(trace, letter, None)
        if data is None:
            continue
        try:
            v = np.asarray(data, dtype=float).ravel()
        except (TypeError, ValueError):
            continue
        values.append(v[np.isfinite(v) & (v > 0)])
    v = np.concatenate(values) if values else np.empty(0)
    if not len(v):
        return None, None
    return math.log10(v.min()), math.log10(v.max())


def settled_at(values, rtol: float = ROUNDING) -> int | None:
    """The first index from which every value equals the last one to within rounding error (relative
    `rtol`), or None if the series still moves at its end. A curve is drawn up to there: past it a log
    axis would zoom into floating-point noise."""
    v = np.asarray(values, dtype=float)
    if len(v) < 2:
        return None
    moving = np.flatnonzero(np.abs(v - v[-1]) > rtol * abs(v[-1]))
    k = int(moving[-1]) + 1 if len(moving) else 0
    return k if k < len(v) - 1 else None


def log_ticks(values, tight: bool = False) -> list[float]:
    """1-2-5 ticks inside the data's range (a log axis spanning under a decade)."""
    v = np.asarray([x for x in np.ravel(values) if np.isfinite(x) and x > 0])
    lo, hi = (v.min(), v.max()) if len(v) else (1e-3, 10.0)
    grid = [m * 10.0**e for e in range(-16, 17) for m in (1, 2, 5)]
    inside = [g for g in grid if lo <= g <= hi] if tight else []
    return inside if len(inside) >= 2 else [g for g in grid if lo / 2 <= g <= hi * 2]


def _large(fig: go.Figure) -> None:
    """Projector mode: every font SCALE times larger, axes making room for their labels."""
    layout = fig.layout
    layout.font.size = _scaled(layout.font.size or FONT)
    layout.title.font.size = _scaled(layout.title.font.size or TITLE)
    layout.hoverlabel.font.size = _scaled(layout.hoverlabel.font.size or FONT + 1)
    if layout.legend.font.size:
        layout.legend.font.size = _scaled(layout.legend.font.size)
    for annotation in layout.annotations:
        if annotation.font.size:
            annotation.font.size = _scaled(annotation.font.size)
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
        axis.automargin = True
        for font in (axis.tickfont, axis.title.font):
            if font.size:
                font.size = _scaled(font.size)
    for trace in fig.data:
        for name in ("textfont", "insidetextfont", "outsidetextfont"):
            font = getattr(trace, name, None)
            if font is not None and font.size is not None:
                font.size = _scaled(font.size)
        colorbar = getattr(trace, "colorbar", None)
        if colorbar is not None and colorbar.tickfont.size:
            colorbar.tickfont.size = _scaled(colorbar.tickfont.size)


def _scaled(size):
    if isinstance(size, (list, tuple, np.ndarray)):
        return [round(s * SCALE) for s in size]
    return round(size * SCALE)
