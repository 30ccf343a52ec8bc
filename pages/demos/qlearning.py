"""Q-learning and SARSA on a grid the learner edits: values and policy, learning curves, a replay of
the greedy path, the cliff comparison, and agreement with value iteration's optimal policy."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from kdlab.core.params import defaults
from kdlab.rl import qlearning
from kdlab.rl.gridworld import ARROWS, MAX_SIZE, PRESETS, GridError, parse_grid
from kdlab.rl.qlearning import GreedyPath, QLearningResult, smooth
from pages.demos.kit import key_of, label, reproduce, show_source, store, widget
from pages.shared import projector
from pages.shared.common import page_link, t
from pages.shared.plots import chart

DEMO = "qlearning"
SPEC = {p.name: p for p in qlearning.PARAMS}
GRID_KEY = f"{DEMO}_grid_text"
COLORS = {"q_learning": "#636EFA", "sarsa": "#EF553B"}
FILL = {"#": "#5a5a5a", "X": "#2b2b2b", "G": "#f2c200", "unreachable": "#e6e6e6"}
VALUE_SCALE = [[0.0, "#f3a6a6"], [0.5, "#fbf3c4"], [1.0, "#9fd8a3"]]  # light, so black arrows stay readable
WRONG = "#d62728"
PATH = "rgba(31, 78, 156, 0.5)"
GAMMAS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


def render() -> None:
    st.header(t("demo.qlearning"), anchor=False)
    # On a projector the text is folded and the results come first, above the controls.
    with st.expander(t("app.intro_folded"), icon="📖") if projector.on() else st.container():
        st.markdown(t("qlearning.intro"))
        update = r"Q(s,a) \leftarrow Q(s,a) + \alpha\big[r + \gamma"
        st.latex(rf"\text{{{t('qlearning.eq_q')}}}:\quad {update} \max_{{a'}} Q(s',a') - Q(s,a)\big]")
        st.latex(rf"\text{{{t('qlearning.eq_sarsa')}}}:\quad {update}\, Q(s',a') - Q(s,a)\big]")
        st.info(t("qlearning.seed_bug"), icon="🐞")
    results = st.container() if projector.on() else None

    params, rows, error = controls()
    if error:
        st.error(t("qlearning.bad_grid", error=error), icon="🚫")
        return
    params["grid"] = "" if list(rows) == PRESETS[params["preset"]] else "/".join(rows)
    r: QLearningResult = store(DEMO).get_or_run(key_of(params), lambda _: qlearning.run(**params))

    yours, cliff = (results or st).tabs([t("qlearning.tab_grid"), t("qlearning.tab_cliff")])
    with yours:
        grid_view(r)
    with cliff:
        cliff_view(params, r)
    reproduce(DEMO, "kdlab.rl.qlearning", params, qlearning.PARAMS)
    show_source(
        "kdlab.rl.qlearning:_learn", "kdlab.rl.qlearning:_epsilon_greedy", "kdlab.rl.qlearning:value_iteration"
    )
    page_link("p17-reinforcement-learning", t("qlearning.question_link"), icon="📝")


# --- controls ------------------------------------------------------------------------------


def controls() -> tuple[dict, tuple[str, ...], str | None]:
    """The widgets; returns the parameters, the checked grid rows and a grid error (translated) or None."""
    if GRID_KEY not in st.session_state:
        st.session_state[GRID_KEY] = "\n".join(
            PRESETS[st.session_state.get(f"{DEMO}_preset", SPEC["preset"].default)]
        )
    # A monospace text area keeps the columns of the grid aligned while the learner types.
    st.html(f"<style>.st-key-{GRID_KEY} textarea {{font-family: monospace; font-size: 1.05rem;"
            " letter-spacing: 0.2em; line-height: 1.35}</style>")  # fmt: skip
    _apply_click()  # before the text area exists: a click rewrites its text
    params: dict = {}
    with st.container(border=True):
        grid_col, param_col = st.columns([1, 2.3], gap="large")
        with grid_col:
            params["preset"] = widget(DEMO, SPEC["preset"], on_change=_load_preset)
            st.text_area(t("qlearning.grid_label", n=MAX_SIZE), key=GRID_KEY, height=170,
                         help=t("qlearning.grid_help"))  # fmt: skip
            st.caption(t("qlearning.legend"))
            click_editor()
            # One above the other: side by side, the narrow column cut their labels.
            st.button(t("qlearning.reload_preset"), on_click=_load_preset, key=f"{DEMO}_reload_button",
                      help=t("qlearning.reload_preset_help"), width="stretch")  # fmt: skip
            st.button(t("qlearning.reset"), on_click=_reset, key=f"{DEMO}_reset_button", width="stretch")
        with param_col:
            c1, c2, c3 = st.columns(3)
            with c1:
                for name in ("algorithm", "episodes", "max_steps", "seed"):
                    params[name] = widget(DEMO, SPEC[name])
            with c2:
                params["alpha"] = widget(DEMO, SPEC["alpha"])
                params["gamma"] = st.select_slider(
                    label(DEMO, SPEC["gamma"]), options=GAMMAS, value=SPEC["gamma"].default,
                    key=f"{DEMO}_gamma",
                )  # fmt: skip
                params["epsilon"] = widget(DEMO, SPEC["epsilon"])
                params["epsilon_decay"] = widget(DEMO, SPEC["epsilon_decay"], format="%.3f")  # fmt: skip
                # Without decay ε stays where it started: a floor does nothing, so it is greyed out.
                params["epsilon_min"] = widget(DEMO, SPEC["epsilon_min"], disabled=params["epsilon_decay"] >= 1)
            with c3:
                params["step_reward"] = slider("step_reward", 0.1, "%.1f")
                params["goal_reward"] = slider("goal_reward", 1.0, "%.0f")
                params["pit_reward"] = slider("pit_reward", 5.0, "%.0f")
                params["slip"] = slider("slip", 0.01, "%.2f")
            st.caption(t("qlearning.cap_note", n=params["max_steps"]))
    # Sliders compute their values in floating point on the client: -1.0000000000000009 is -1.
    params = {k: round(v, 6) if isinstance(v, float) else v for k, v in params.items()}
    try:
        rows = parse_grid(st.session_state[GRID_KEY])
    except GridError as err:
        return params, (), grid_error(err)
    return params, rows, None


BRUSHES = ("#", "X", ".", "G", "S")
CELL_COLORS = {".": "#f4f4f4", "#": "#555555", "X": "#d62728", "G": "#2ca02c", "S": "#1f77b4"}


def click_editor() -> None:
    """The grid as squares: pick what to paint, click a cell (as in REINFORCEjs's grid world)."""
    try:
        rows = parse_grid(st.session_state[GRID_KEY])
    except GridError:
        return  # the text area's error says what to fix; there is nothing to click on yet
    # wrap: in this narrow column a single row scrolls, and hid the G and S brushes at 1280 px.
    st.segmented_control(t("qlearning.brush"), BRUSHES, default="#", key=f"{DEMO}_brush", wrap=True,
                         format_func=lambda b: t(f"qlearning.brush_{BRUSH_NAMES[b]}"))  # fmt: skip
    h, w = len(rows), len(rows[0])
    cells = [(r, c, ch) for r, row in enumerate(rows) for c, ch in enumerate(row)]
    fig = go.Figure(go.Scatter(
        x=[c for _, c, _ in cells], y=[r for r, _, _ in cells], mode="markers+text",
        text=[ch if ch in "SGX#" else "" for _, _, ch in cells], textfont=dict(color="white", size=13),
        marker=dict(symbol="square", size=min(26, 260 // max(w, 1)), color=[CELL_COLORS[ch] for *_, ch in cells],
                    line=dict(color="#bbbbbb", width=1)),
        hoverinfo="none",
    ))  # fmt: skip
    fig.update_layout(height=40 + 26 * h, margin=dict(l=0, r=0, t=4, b=4), showlegend=False, dragmode=False,
                      xaxis=dict(visible=False, range=[-0.6, w - 0.4]),
                      yaxis=dict(visible=False, autorange="reversed", scaleanchor="x"))  # fmt: skip
    chart(
        fig,
        width="stretch",
        on_select="rerun",
        selection_mode="points",
        key=f"{DEMO}_editor_{st.session_state.get(EDITS_KEY, 0)}",
        config={"displayModeBar": False},
    )
    st.caption(t("qlearning.click_help"))


BRUSH_NAMES = {"#": "wall", "X": "pit", ".": "empty", "G": "goal", "S": "start"}
EDITS_KEY = f"{DEMO}_edits"


def _apply_click() -> None:
    """A cell clicked in the editor on the last run: paint it, and start a fresh editor."""
    editor = st.session_state.get(f"{DEMO}_editor_{st.session_state.get(EDITS_KEY, 0)}")
    points = (editor or {}).get("selection", {}).get("points", [])
    if not points:
        return
    try:
        rows = [list(row) for row in parse_grid(st.session_state[GRID_KEY])]
    except GridError:
        return
    r, c = int(points[0]["y"]), int(points[0]["x"])
    brush = st.session_state.get(f"{DEMO}_brush") or "#"
    if brush == "S":  # one start: the old one becomes empty
        rows = [["." if ch == "S" else ch for ch in row] for row in rows]
    if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
        rows[r][c] = brush
    st.session_state[GRID_KEY] = "\n".join("".join(row) for row in rows)
    st.session_state[EDITS_KEY] = st.session_state.get(EDITS_KEY, 0) + 1  # the next editor has no selection


def slider(name: str, step: float, fmt: str) -> float:
    """A float slider on a round step (the kit's 100 equal steps would give values like -0.99)."""
    p = SPEC[name]
    return st.slider(label(DEMO, p), float(p.low), float(p.high), float(p.default), step, format=fmt,
                     key=f"{DEMO}_{name}", help=t(f"params.qlearning.{name}_help"))  # fmt: skip


def _load_preset() -> None:
    st.session_state[GRID_KEY] = "\n".join(PRESETS[st.session_state[f"{DEMO}_preset"]])


def _reset() -> None:
    for key in [
        k for k in st.session_state if str(k).startswith(f"{DEMO}_") and not str(k).endswith("_button")
    ]:
        del st.session_state[key]


def grid_error(err: GridError) -> str:
    values = dict(err.values)
    if "positions" in values:
        values["positions"] = ", ".join(f"({row}, {col})" for row, col in values["positions"])
    return t(f"qlearning.grid_error.{err.code}", default=str(err), **values)


# --- your grid -----------------------------------------------------------------------------


def name_of(who: str) -> str:
    return t("qlearning.optimal") if who == "optimal" else t(f"choices.qlearning.{who}")


def grid_view(r: QLearningResult) -> None:
    star = r.path_star
    panels = [*r.runs, "optimal"]
    # On a projector the policy maps come first, one under another at full width: arrows a room can read.
    maps = st.container() if projector.on() else None
    cols = st.columns(len(panels))
    for col, who in zip(cols, panels, strict=True):
        with col:
            st.markdown(f"**{name_of(who)}**")
            if who == "optimal":
                st.metric(t("qlearning.v_star"), f"{r.V_star[start_of(r)]:.2f}")
                st.metric(t("qlearning.greedy_path"), short_outcome(star))
            else:
                agent = r.runs[who]
                n_cells = int(r.reachable.sum())
                st.metric(t("qlearning.agreement"), f"{int(agent.agrees.sum())}/{n_cells}",
                          help=t("qlearning.agreement_help"))  # fmt: skip
                st.metric(t("qlearning.greedy_path"), short_outcome(agent.path))
    for who, agent in r.runs.items():
        path_status(who, agent.path, star, agent.path_optimal, r.params["max_steps"])

    zrange = value_range(r)
    cols = [maps.container() for _ in panels] if maps else st.columns(len(panels))
    for col, who in zip(cols, panels, strict=True):
        with col:
            chart(panel_figure(r, who, zrange, 1 if maps else len(panels)), width="stretch", key=f"{DEMO}_map_{who}")
    (maps or st).caption(t("qlearning.map_caption"))
    st.markdown(t("qlearning.agreement_explained"))

    window = max(1, min(50, r.params["episodes"] // 10))
    left, right = st.columns(2)
    with left:
        fig = curves_figure(r, "returns", t("qlearning.returns_title"), t("qlearning.return"), window)
        fig.add_hline(y=star.total_reward, line_dash="dot", line_color="#2ca02c",
                      annotation_text=t("qlearning.optimal_return", value=f"{star.total_reward:g}"),
                      annotation_position="top left")  # fmt: skip
        chart(fig, width="stretch", key=f"{DEMO}_returns")
    with right:
        fig = curves_figure(r, "lengths", t("qlearning.lengths_title"), t("qlearning.moves"), window)
        fig.add_hline(y=r.params["max_steps"], line_dash="dash", line_color="#7f7f7f",
                      annotation_text=t("qlearning.cap_line", n=r.params["max_steps"]),
                      annotation_position="top right")  # fmt: skip
        chart(fig, width="stretch", key=f"{DEMO}_lengths")
    st.caption(t("qlearning.curves_caption", window=window))
    training_summary(r)

    replay(r, zrange)
    st.markdown(t("qlearning.notice"))


def start_of(r: QLearningResult) -> tuple[int, int]:
    return next((i, row.index("S")) for i, row in enumerate(r.grid) if "S" in row)


def n_moves(n: int) -> str:
    return t("qlearning.n_moves.one" if n == 1 else "qlearning.n_moves.other", n=n)


def short_outcome(path: GreedyPath) -> str:
    return t(f"qlearning.short.{path.outcome}", moves=n_moves(len(path.actions)))


def path_status(who: str, path: GreedyPath, star: GreedyPath, optimal: bool, cap: int) -> None:
    n, name, ret = len(path.actions), name_of(who), f"{path.total_reward:g}"
    moves = n_moves(n)
    if path.outcome == "goal" and optimal:
        st.success(t("qlearning.status.optimal", name=name, moves=moves, ret=ret), icon="✅")
    elif path.outcome == "goal":
        st.info(t("qlearning.status.suboptimal", name=name, moves=moves, ret=ret, m_moves=n_moves(len(star.actions)),
                  best=f"{star.total_reward:g}"), icon="ℹ️")  # fmt: skip
    elif path.outcome == "pit":
        st.error(t("qlearning.status.pit", name=name, moves=moves), icon="🕳️")
    elif path.outcome == "loop":
        row, col = path.cells[-1]
        st.warning(t("qlearning.status.loop", name=name, moves=moves, row=row + 1, col=col + 1), icon="🔁")
    else:
        st.warning(t("qlearning.status.cap", name=name, cap=cap), icon="⏱️")


def training_summary(r: QLearningResult) -> None:
    lines = []
    for who, agent in r.runs.items():
        tr = agent.train
        last = tr.returns[-min(100, len(tr.returns)) :]
        lines.append(t(
            "qlearning.training_line", name=name_of(who), goal=f"{np.mean(tr.outcomes == 'goal'):.0%}",
            pit=f"{np.mean(tr.outcomes == 'pit'):.0%}", cap=f"{np.mean(tr.outcomes == 'cap'):.0%}",
            n_last=len(last), mean_last=f"{last.mean():.1f}", eps0=f"{tr.epsilons[0]:.3g}",
            eps1=f"{tr.epsilons[-1]:.3g}",
        ))  # fmt: skip
    st.markdown("\n".join(f"- {line}" for line in lines))


# --- figures -------------------------------------------------------------------------------


def value_range(r: QLearningResult) -> tuple[float, float]:
    """One colour scale for every panel, so the same colour means the same value."""
    values = [r.V_star[r.reachable]] + [agent.V_max[r.reachable] for agent in r.runs.values()]
    lo, hi = float(np.nanmin(np.concatenate(values))), float(np.nanmax(np.concatenate(values)))
    return (lo - 1, hi + 1) if hi - lo < 1e-9 else (lo, hi)


def cell_size(width: int, panels: int) -> float:
    room = {1: 900, 2: 450}.get(panels, 300)  # about what one column gets on a wide page
    return float(np.clip(room / width, 26, 58))


def panel_figure(r: QLearningResult, who: str, zrange: tuple[float, float], panels: int) -> go.Figure:
    if who == "optimal":
        values, Q, best, agrees, path = r.V_star, r.Q_star, r.optimal, None, r.path_star
    else:
        agent = r.runs[who]
        values, Q, best, agrees, path = agent.V_max, agent.train.Q, agent.best, agent.agrees, agent.path
    title = (
        t("qlearning.map_title_optimal") if who == "optimal" else t("qlearning.map_title", name=name_of(who))
    )
    return grid_figure(
        r, values, Q, best, agrees, path.cells, title, zrange, cell_size(len(r.grid[0]), panels)
    )


def grid_figure(
    r: QLearningResult,
    values: np.ndarray,
    Q: np.ndarray,
    best: np.ndarray,
    agrees: np.ndarray | None,
    trail: list[tuple[int, int]],
    title: str,
    zrange: tuple[float, float],
    cell: float,
    agent: tuple[int, int] | None = None,
) -> go.Figure:
    """The grid as a heatmap of values, arrows for the best action(s), marked cells and a path."""
    height, width = len(r.grid), len(r.grid[0])
    z = np.where(r.reachable, values, np.nan)
    custom = np.dstack([np.indices((height, width))[0] + 1, np.indices((height, width))[1] + 1, Q])
    fig = go.Figure(go.Heatmap(
        z=z, zmin=zrange[0], zmax=zrange[1], colorscale=VALUE_SCALE, customdata=custom, hoverongaps=False,
        colorbar=dict(orientation="h", thickness=10, len=0.9, y=-0.02, yanchor="top", tickfont=dict(size=10)),
        hovertemplate=t("qlearning.hover") + "<extra></extra>",
    ))  # fmt: skip
    font = max(11, int(cell * 0.42))
    # Collected, then set at once: one add_shape/add_annotation call per cell was most of the render.
    shapes, notes = [], []
    for i, row in enumerate(r.grid):
        for j, ch in enumerate(row):
            box = dict(type="rect", x0=j - 0.5, x1=j + 0.5, y0=i - 0.5, y1=i + 0.5, line=dict(width=0))
            if ch in FILL:
                shapes.append(box | dict(fillcolor=FILL[ch], layer="below"))
                if ch != "#":
                    notes.append(dict(x=j, y=i, text=f"<b>{ch}</b>", showarrow=False,
                                      font=dict(size=font, color="white" if ch == "X" else "black")))  # fmt: skip
            elif not r.reachable[i, j]:
                shapes.append(box | dict(fillcolor=FILL["unreachable"], layer="below"))
            else:
                wrong = agrees is not None and not agrees[i, j]
                notes.append(dict(x=j, y=i, text=arrows(best[i, j]), showarrow=False,
                                  font=dict(size=font if best[i, j].sum() == 1 else int(font * 0.7),
                                            color=WRONG if wrong else "#1a1a1a")))  # fmt: skip
                if wrong:
                    shapes.append(dict(type="rect", x0=j - 0.44, x1=j + 0.44, y0=i - 0.44, y1=i + 0.44,
                                       line=dict(color=WRONG, width=2)))  # fmt: skip
            if ch == "S":
                shapes.append(dict(type="rect", x0=j - 0.47, x1=j + 0.47, y0=i - 0.47, y1=i + 0.47,
                                   line=dict(color="#1f4e9c", width=3)))  # fmt: skip
    fig.update_layout(shapes=shapes, annotations=notes)
    if len(trail) > 1:
        fig.add_trace(go.Scatter(x=[c for _, c in trail], y=[row for row, _ in trail], mode="lines",
                                 line=dict(color=PATH, width=max(3, cell / 8)), hoverinfo="skip",
                                 showlegend=False))  # fmt: skip
    if agent is not None:
        fig.add_trace(go.Scatter(x=[agent[1]], y=[agent[0]], mode="markers", hoverinfo="skip", showlegend=False,
                                 marker=dict(size=cell * 0.55, color="#1f4e9c", line=dict(color="white", width=2),
                                             opacity=0.85)))  # fmt: skip
    fig.update_layout(
        title=dict(text=title, font=dict(size=14)), height=int(cell * height + 130),
        margin=dict(l=30, r=10, t=72, b=50), plot_bgcolor="white",
        xaxis=dict(tickvals=list(range(width)), ticktext=[str(c + 1) for c in range(width)], showgrid=False,
                   zeroline=False, constrain="domain", range=[-0.5, width - 0.5], tickfont=dict(size=10), side="top"),
        yaxis=dict(tickvals=list(range(height)), ticktext=[str(c + 1) for c in range(height)], showgrid=False,
                   zeroline=False, autorange="reversed", scaleanchor="x", constrain="domain",
                   tickfont=dict(size=10)),
    )  # fmt: skip
    return fig


def arrows(best: np.ndarray) -> str:
    """The best action's arrow; several when they tie; '?' when all four tie (usually: never tried)."""
    if best.all():
        return "?"
    return "".join(ARROWS[a] for a in np.flatnonzero(best))


def curves_figure(r: QLearningResult, field: str, title: str, ytitle: str, window: int) -> go.Figure:
    fig = go.Figure()
    for who, agent in r.runs.items():
        raw = getattr(agent.train, field)
        episodes = np.arange(1, len(raw) + 1)
        fig.add_trace(go.Scatter(x=episodes, y=raw, mode="lines", line=dict(color=COLORS[who], width=1),
                                 opacity=0.22, legendgroup=who, showlegend=False, hoverinfo="skip"))  # fmt: skip
        fig.add_trace(go.Scatter(x=episodes, y=smooth(raw, window), mode="lines", name=name_of(who),
                                 line=dict(color=COLORS[who], width=2.5), legendgroup=who))  # fmt: skip
    fig.update_layout(title=title, xaxis_title=t("qlearning.episode"), yaxis_title=ytitle, height=360,
                      margin=dict(t=60, b=40), legend=dict(orientation="h", y=1.12, x=0))  # fmt: skip
    return fig


# --- the replay ----------------------------------------------------------------------------


@st.fragment
def replay(r: QLearningResult, zrange: tuple[float, float]) -> None:
    """Only this block reruns while the learner steps through the path: the run itself is cached."""
    st.subheader(t("qlearning.replay_title"), anchor=False)
    choices = [*r.runs, "optimal"]
    labels = {c: name_of(c) for c in choices}  # resolved now: AppTest calls format_func outside a run
    who = st.radio(t("qlearning.replay_who"), choices, format_func=labels.get, horizontal=True,
                   key=f"{DEMO}_replay_who")  # fmt: skip
    if who == "optimal":
        path, Q, best = r.path_star, r.Q_star, r.optimal
    else:
        agent = r.runs[who]
        path, Q, best = agent.path, agent.train.Q, agent.best
    n = len(path.actions)
    step = st.slider(t("qlearning.replay_step"), 0, n, 0, key=f"{DEMO}_replay_step_{who}_{n}")
    left, right = st.columns([3, 2], gap="large")
    with left:
        values = r.V_star if who == "optimal" else r.runs[who].V_max
        fig = grid_figure(r, values, Q, best, None, path.cells[: step + 1], t("qlearning.replay_map", k=step, n=n),
                          zrange, cell_size(len(r.grid[0]), 2), agent=path.cells[step])  # fmt: skip
        chart(fig, width="stretch", key=f"{DEMO}_replay_map")
    with right:
        row, col = path.cells[step]
        so_far = sum(path.rewards[:step])
        if step == 0:
            st.markdown(t("qlearning.replay_start", row=row + 1, col=col + 1))
        else:
            st.markdown(t("qlearning.replay_move", k=step, n=n, arrow=ARROWS[path.actions[step - 1]],
                          action=t(f"qlearning.action.{r.actions[path.actions[step - 1]]}"), row=row + 1,
                          col=col + 1, reward=f"{path.rewards[step - 1]:g}", total=f"{so_far:g}"))  # fmt: skip
        if step < n:
            st.caption(t("qlearning.replay_next", arrow=ARROWS[path.actions[step]]))
        ending = t(
            f"qlearning.ending.{path.outcome}",
            moves=n_moves(n),
            total=f"{path.total_reward:g}",
            cap=r.params["max_steps"],
        )
        (st.success if path.outcome == "goal" else st.warning)(ending)


# --- the cliff -----------------------------------------------------------------------------


def cliff_view(params: dict, r: QLearningResult) -> None:
    st.markdown(t("qlearning.cliff.intro"))
    cliff = params | {"preset": "cliff", "grid": "", "algorithm": "both"}
    if key_of(cliff) != key_of(params):
        r = store(DEMO).get_or_run(key_of(cliff), lambda _: qlearning.run(**cliff))
    st.caption(t("qlearning.cliff.settings", eps=f"{params['epsilon']:g}", decay=f"{params['epsilon_decay']:g}",
                 episodes=params["episodes"]))  # fmt: skip
    q, s, star = r.runs["q_learning"], r.runs["sarsa"], r.path_star
    zrange = value_range(r)
    cols = st.columns(2)
    for col, who in zip(cols, ("q_learning", "sarsa"), strict=True):
        with col:
            chart(panel_figure(r, who, zrange, 2), width="stretch", key=f"{DEMO}_cliff_{who}")

    window = max(1, min(50, params["episodes"] // 10))
    fig = curves_figure(r, "returns", t("qlearning.cliff.returns_title"), t("qlearning.return"), window)
    chart(fig, width="stretch", key=f"{DEMO}_cliff_returns")

    q_mean, s_mean = q.train.returns.mean(), s.train.returns.mean()
    q_pit, s_pit = np.mean(q.train.outcomes == "pit"), np.mean(s.train.outcomes == "pit")
    textbook = (
        q.path.outcome == s.path.outcome == "goal"
        and q.path_optimal
        and len(s.path.actions) > len(star.actions)
    )
    if textbook:
        st.success(
            t("qlearning.cliff.paths_textbook", q=len(q.path.actions), s=len(s.path.actions)), icon="✅"
        )
    else:
        st.info(t("qlearning.cliff.paths_other", q=short_outcome(q.path), s=short_outcome(s.path),
                  star=len(star.actions)), icon="ℹ️")  # fmt: skip
    numbers = dict(q=f"{q_mean:.1f}", s=f"{s_mean:.1f}", q_pit=f"{q_pit:.0%}", s_pit=f"{s_pit:.0%}")
    if s_mean > q_mean:
        # "Q-learning's greedy policy is the better one" only where this run's greedy path is optimal.
        key = "returns_sarsa_higher_greedy" if textbook else "returns_sarsa_higher"
        st.success(t(f"qlearning.cliff.{key}", **numbers), icon="📈")
    else:
        st.warning(t("qlearning.cliff.returns_not_higher", **numbers), icon="⚠️")
    st.markdown(t("qlearning.cliff.why"))


def compact() -> None:
    """The question page's panel: Q-learning and SARSA side by side on Sutton and Barto's cliff,
    with the exploration rate that makes them differ."""
    spec = {p.name: p for p in qlearning.PARAMS}
    epsilon = widget(DEMO, spec["epsilon"], key_prefix="compact_")
    params = defaults(qlearning.PARAMS) | {"preset": "cliff", "grid": "", "algorithm": "both", "epsilon": epsilon}
    r: QLearningResult = store(DEMO).get_or_run(key_of(params), lambda _: qlearning.run(**params))
    zrange = value_range(r)
    cols = st.columns(2)
    for col, who in zip(cols, ("q_learning", "sarsa"), strict=True):
        with col:
            st.markdown(f"**{name_of(who)}** · {short_outcome(r.runs[who].path)}")
            chart(panel_figure(r, who, zrange, 2), width="stretch", key=f"compact_{DEMO}_{who}")
    window = max(1, min(50, params["episodes"] // 10))
    fig = curves_figure(r, "returns", t("qlearning.cliff.returns_title"), t("qlearning.return"), window)
    chart(fig, width="stretch", key=f"compact_{DEMO}_returns")
    st.caption(t("qlearning.compact_look"))
