"""Every Plotly figure in the app goes on the page through `chart`: one style for all of them.

`style(fig)` applies what every figure needs and is easy to forget in one:
- legends never over the data: a legend placed above the plot (y >= 1) sits on its top edge
  (yanchor "bottom"), one below it hangs from its bottom edge; one inside the plot area moves above;
- log axes labelled by decade in exponent form (10⁻², 10⁻¹, 1, ...), or with 1-2-5 ticks when the
  data span less than a decade (Plotly's default labels every minor digit: "2, 5, 100, 2, 5");
- a long title wrapped onto a second line instead of cut off at the figure's edge;
- in projector mode (pages/shared/projector.py), larger fonts everywhere: the base font, titles,
  and every size a figure set itself (subplot titles, text on bars, annotations), scaled alike,
  with the margins and slider paddings a figure set grown to match.

Streamlit's own theme sets the figure's font (12 px, titles 16 px) in its template; a size set on the
figure wins over it.
"""

from __future__ import annotations

import math
import re

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from pages.shared import projector

FONT, TITLE = 12, 16  # Streamlit's theme
SCALE = 1.5  # projector mode: every font
MARGIN_SCALE = 1.25  # and the margins a figure set for its titles and legends
MAX_DECADE_TICKS = 8
TITLE_WIDTH = {False: 54, True: 40}  # a title's width in Latin characters (a CJK one counts 2) before it wraps
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
    _wrap_title(fig, TITLE_WIDTH[large])
    return fig


def _legend(fig: go.Figure) -> None:
    legend = fig.layout.legend
    y, x = legend.y, legend.x
    if y is None:
        return  # Plotly's default: right of the plot area, outside it
    if y >= 1:
        # Sitting on the plot's top edge; above subplot titles (annotations at the top) if it was placed there.
        over_titles = any((a.y or 0) >= 0.95 and (a.yref or "paper").startswith("paper") for a in fig.layout.annotations)
        keep = legend.yanchor == "bottom" or over_titles
        legend.update(y=max(y, 1.02) if keep else 1.02, yanchor="bottom")
    elif y <= 0:
        legend.yanchor = "top"
    elif x is None or 0 <= x <= 1:  # inside the plot area: over the data
        legend.update(orientation="h", y=1.02, yanchor="bottom", x=0, xanchor="left")


def _wrap_title(fig: go.Figure, width: int) -> None:
    title = fig.layout.title
    text = title.text
    if not text or "<br>" in text or _width(text) <= width:
        return
    title.text = wrap(text, width)
    # Every line inside the figure, from its top down, and the plot area (with a legend above it) below
    # them. Plotly places a several-line title anchored at its top one line per extra line too high, and
    # its automargin then leaves no room for the legend: the padding and the top margin are set here.
    lines = title.text.count("<br>") + 1
    line = 1.3 * (title.font.size or TITLE)
    legend = fig.layout.legend
    legend_room = 0
    if legend.y is not None and legend.y >= 1 and fig.layout.showlegend is not False:
        legend_room = 2 * (legend.font.size or fig.layout.font.size or FONT)
    title.update(automargin=False, yref="container", y=1, yanchor="top", pad=dict(t=8 + round(line * (lines - 1))))
    fig.layout.margin.t = max(fig.layout.margin.t or 0, round(24 + line * (lines + 0.3) + legend_room))


def wrap(text: str, width: int) -> str:
    """Lines of at most `width` (Latin characters; a CJK character counts 2), broken at spaces, or
    between CJK characters, joined with Plotly's <br>."""
    tokens = re.findall(r"[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+|\s+", text)
    lines, line = [], ""
    for token in tokens:
        if line and not token.isspace() and token not in NO_BREAK_BEFORE and _width(line + token) > width:
            lines.append(line.rstrip())
            line = ""
        if line or not token.isspace():
            line += token
    lines.append(line.rstrip())
    return "<br>".join(lines)


NO_BREAK_BEFORE = set("）」』】，。、：；！？)")  # closing punctuation stays on its line


def _width(text: str) -> int:
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)


SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "theta": "θ",
    "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ", "pi": "π", "eta": "η", "rho": "ρ",
    "infty": "∞", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "times": "×", "cdot": "·",
    "approx": "≈", "to": "→", "rightarrow": "→", "leftarrow": "←", "sum": "Σ", "in": "∈", "pm": "±", "|": "‖",
}  # fmt: skip
SUPERSCRIPT = str.maketrans("0123456789-+()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾ⁿ")


def math_text(text: str) -> str:
    """Text with $...$ maths made plain, for places that show no LaTeX (a figure's labels, a table's
    cells): $T^2$ -> T², $10^{-4}$ -> 10⁻⁴, $\\arg\\max_a Q(s,a)$ -> argmax_a Q(s,a)."""

    def plain(m: re.Match) -> str:
        s = m.group(1)
        s = re.sub(r"\\(?:mathrm|text|mathbf|operatorname)\{([^{}]*)\}", r"\1", s)
        s = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"\1/\2", s)
        s = re.sub(r"\^\{([-+0-9n()]+)\}|\^([0-9n])", lambda g: (g.group(1) or g.group(2)).translate(SUPERSCRIPT), s)
        s = re.sub(r"\\([a-zA-Z]+|\|)", lambda g: SYMBOLS.get(g.group(1), g.group(1)), s)
        s = re.sub(r"\\[,;:! ]", " ", s)
        return s.replace("{", "").replace("}", "").replace("  ", " ")

    return re.sub(r"\$\$?([^$]+)\$\$?", plain, text)


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
    for side in ("t", "b", "l", "r"):
        if layout.margin[side] is not None:
            layout.margin[side] = round(layout.margin[side] * MARGIN_SCALE)
    for slider in layout.sliders:
        slider.pad.t = round((slider.pad.t or 0) * SCALE)
        if layout.updatemenus:  # a play button sits at the slider's left end: its larger label goes right
            slider.currentvalue.xanchor = "right"
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
