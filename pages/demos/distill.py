"""Knowledge distillation: soft targets as T moves, teacher vs students, the T sweep, dark knowledge."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from kdlab import distill
from kdlab.core.jobs import Job
from kdlab.deep.cnn import predict_logits
from kdlab.distill import DistillResult, SweepResult
from kdlab.distill.dark_knowledge import OmitResult
from kdlab.distill.loss import LossParts, loss_parts
from pages.demos.kit import jobs, key_of, reproduce, run_timed, show_source, store, widget
from pages.shared import projector
from pages.shared.common import t
from pages.shared.plots import chart

DEMO = "distill"
SPEC = {p.name: p for p in distill.PARAMS}
COMPARE = ("T", "alpha", "student_hidden", "n_labels", "epochs", "seeds", "lr")  # the compare tab's settings
COLORS = {"teacher": "#636EFA", "alone": "#EF553B", "distilled": "#00CC96"}


def teacher_data(report=None) -> dict:
    """The shared teacher (trained once per server) and what the instant view needs."""
    teacher = distill.default_teacher()
    split = distill.shared_split()
    return {
        "teacher": teacher,
        "images": split.x_test[:, 0],
        "labels": split.y_test,
        "logits": predict_logits(teacher, split.x_test),
    }


def start_teacher() -> Job:
    """Train the teacher in the job queue (a no-op once it is stored): app.py calls this when the
    server's first session starts, so the first learner on this page rarely waits for it."""
    return store("distill-teacher").results.submit(jobs(), (), teacher_data)


def teacher_view() -> dict:
    found = store("distill-teacher").get(())
    if found is not None:
        return found
    with st.spinner(t("distill.training_teacher")):
        return store("distill-teacher").run((), teacher_data)


LOSS = (r"\mathcal{L} = \alpha\,T^2\,\mathrm{KL}\!\left(p^{T}_{\text{teacher}}\,\|\,p^{T}_{\text{student}}\right)"
        r" + (1-\alpha)\,\mathrm{CE}\!\left(y,\ p^{1}_{\text{student}}\right),\qquad p^{T} = \mathrm{softmax}(z/T)")  # fmt: skip


def render() -> None:
    st.header(t("demo.distill"), anchor=False)
    if projector.on():  # the first screen is the step-through; the text is one click away
        with st.expander(t("app.intro_folded"), icon="📖"):
            introduction()
    else:
        introduction()
    view = teacher_view()

    views = {"soft": lambda: soft_targets_view(view), "compare": compare_view, "sweep": sweep_view,
             "omit": omit_view, "steps": lambda: step_through(view)}  # fmt: skip
    if projector.on():  # a teacher walking a class through the loss starts there
        views = {"steps": views.pop("steps")} | views
    for tab, show in zip(st.tabs([t(f"distill.tab_{name}") for name in views]), views.values(), strict=True):
        with tab:
            show()
    show_source("kdlab.distill.loss:soft_targets", "kdlab.distill.loss:distillation_loss")


def introduction() -> None:
    st.markdown(t("distill.intro"))
    st.latex(LOSS)
    st.info(t("distill.alpha_convention"), icon="⚖️")


@st.fragment
def soft_targets_view(view: dict) -> None:
    """Only this block reruns as T moves: the teacher's logits are cached, nothing retrains."""
    st.markdown(t("distill.soft_intro"))
    left, right = st.columns([1, 2])
    with left:
        index = st.slider(t("distill.image"), 0, len(view["labels"]) - 1, 0, key="distill_image")
        T = widget(DEMO, SPEC["T"], key_prefix="view_")  # the step from PARAMS, as in the two forms
        image = go.Figure(go.Heatmap(z=view["images"][index][::-1], colorscale="gray_r", showscale=False))
        image.update_layout(height=260, width=260, margin=dict(l=10, r=10, t=30, b=10),
                            title=t("distill.true_label", label=int(view["labels"][index])),
                            xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x"))  # fmt: skip
        chart(image, width="content")
    with right:
        logits = view["logits"][index]
        probs = {T_: distill.teacher_probabilities(logits, T_) for T_ in (1.0, T)}
        chart(soft_figure(probs, T), width="stretch")
        c1, c2 = st.columns(2)
        c1.metric(t("distill.entropy", T="1"), f"{distill.entropy_bits(probs[1.0]):.2f} bit")
        c2.metric(t("distill.entropy", T=f"{T:g}"), f"{distill.entropy_bits(probs[T]):.2f} bit")
        st.caption(t("distill.entropy_help"))


def soft_figure(probs: dict[float, np.ndarray], T: float) -> go.Figure:
    """The teacher's probabilities for one image at T = 1 and at T, side by side."""
    fig = go.Figure()
    fig.add_bar(x=list(range(10)), y=probs[1.0], name="T = 1", marker_color="#B6B6B6")
    fig.add_bar(x=list(range(10)), y=probs[T], name=f"T = {T:g}", marker_color=COLORS["distilled"])
    # A log axis: the dark knowledge is in the small probabilities (1e-4 vs 1e-2), invisible on 0..1.
    fig.update_layout(barmode="group", height=360, xaxis=dict(title=t("distill.class"), dtick=1),
                      yaxis=dict(title=t("distill.probability_log"), type="log", range=[-6, 0.05],
                                 dtick=1, exponentformat="power"),
                      title=t("distill.soft_title"), margin=dict(t=90),
                      legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"))  # fmt: skip
    return fig


# --- the step-through: one image's loss, one term at a time ---------------------------

STEPS = ("logits", "soften", "student", "kl", "total")
STEP_KEY = "distill_step"


def _move(delta: int) -> None:
    st.session_state[STEP_KEY] = min(len(STEPS) - 1, max(0, st.session_state.get(STEP_KEY, 0) + delta))


@st.fragment
def step_through(view: dict) -> None:
    """For a teacher walking a class through the loss (Back / Next): the teacher's logits, softened
    by T, the student's soft predictions, the KL term times T², then the hard term and the total.
    The student is the default run's student trained on its labels alone, so its answers still
    differ from the teacher's; only this block reruns on a click."""
    params = {"experiment": "compare"} | {name: SPEC[name].default for name in COMPARE}
    r: DistillResult = run_timed(DEMO, key_of(params), lambda: distill.run(**params),
                                 t("distill.training_students", n=2 * params["seeds"]))  # fmt: skip
    step, name = st.session_state.get(STEP_KEY, 0), STEPS[st.session_state.get(STEP_KEY, 0)]
    # One row: Back, Next, the settings folded in a popover (their values on its label), the step's name;
    # the plot comes right under it, on the first screen of a projector.
    c = st.columns([1.3, 1.3, 2, 5.4], vertical_alignment="center")
    c[0].button(f"◀ {t('distill.step_back')}", key="distill_step_back", on_click=_move, args=(-1,),
                disabled=step == 0, width="stretch")  # fmt: skip
    c[1].button(f"{t('distill.step_next')} ▶", key="distill_step_next", on_click=_move, args=(1,),
                disabled=step == len(STEPS) - 1, type="primary", width="stretch")  # fmt: skip
    now = {k: st.session_state.get(f"step_distill_{k}", SPEC[k].default) for k in ("T", "alpha")}
    with c[2].popover(t("distill.step_settings", T=f"{now['T']:g}", alpha=f"{now['alpha']:g}"),
                      icon="⚙️", width="stretch"):  # fmt: skip
        T = widget(DEMO, SPEC["T"], key_prefix="step_")
        alpha = widget(DEMO, SPEC["alpha"], key_prefix="step_")
        index = st.slider(t("distill.image"), 0, len(view["labels"]) - 1, 0, key="distill_step_image")
    c[3].markdown(f"### {t('distill.step_title', i=step + 1, n=len(STEPS), name=t(f'distill.step_{name}'))}")
    student = predict_logits(r.students["alone"][0], distill.shared_split().x_test[index : index + 1])[0]
    parts = loss_parts(view["logits"][index], student, int(view["labels"][index]), T, alpha)
    left, right = st.columns([3, 2])
    with left:
        chart(step_figure(name, parts), width="stretch", key=f"distill_step_fig_{name}")
    with right:
        st.latex(step_equation(name, parts))
        st.markdown(t(f"distill.step_{name}_say", **step_numbers(parts), n_labels=params["n_labels"]))


def step_numbers(p: LossParts) -> dict:
    top = int(np.argmax(p.teacher_logits))
    runner = int(np.argsort(p.teacher_logits)[-2])
    return dict(label=p.label, top=top, runner=runner, T=f"{p.T:g}", alpha=f"{p.alpha:g}",
                p1=f"{p.teacher_1[top]:.3f}", pT=f"{p.teacher_T[top]:.3f}", q=f"{p.student_T[top]:.3f}",
                r1=f"{p.teacher_1[runner]:.2g}", rT=f"{p.teacher_T[runner]:.3f}", rq=f"{p.student_T[runner]:.3f}",
                worst=int(np.argmax(p.kl_terms)), kl=f"{p.kl:.3f}", soft=f"{p.soft:.3f}", hard=f"{p.hard:.3f}",
                total=f"{p.total:.3f}", T2=f"{p.T**2:g}")  # fmt: skip


def step_equation(name: str, p: LossParts) -> str:
    """The step's formula, then its numbers for this image, one per line (they fit a narrow column)."""
    n = step_numbers(p)
    lines = {
        "logits": [r"z^{t} = \text{teacher}(x)", rf"\arg\max_i z^{{t}}_i = {n['top']}"],
        "soften": [r"p_i^{T} = \frac{e^{z^t_i/T}}{\sum_j e^{z^t_j/T}}", rf"T = {n['T']}:\ p^T_{{{n['top']}}} = {n['pT']}"],
        "student": [r"q_i^{T} = \frac{e^{z^s_i/T}}{\sum_j e^{z^s_j/T}}", rf"T = {n['T']}:\ q^T_{{{n['top']}}} = {n['q']}"],
        "kl": [r"T^2\,\mathrm{KL}(p^T\|q^T) = T^2 \sum_i p_i^T \log\frac{p_i^T}{q_i^T}",
               rf"= {n['T2']} \times {n['kl']} = {n['soft']}"],
        "total": [r"\mathcal{L} = \alpha\,T^2\,\mathrm{KL} + (1-\alpha)\,\mathrm{CE}(y, q^1)",
                  rf"= {n['alpha']} \times {n['soft']} + {1 - p.alpha:.2g} \times {n['hard']}", rf"= {n['total']}"],
    }[name]  # fmt: skip
    return r"\begin{gathered}" + r" \\[4pt] ".join(lines) + r"\end{gathered}"


def step_figure(name: str, p: LossParts) -> go.Figure:
    classes = list(range(len(p.teacher_logits)))
    fig = go.Figure()
    log_y = dict(type="log", range=[-6, 0.05], dtick=1, title=t("distill.probability_log"))
    if name == "logits":
        fig.add_bar(x=classes, y=p.teacher_logits, name=t("distill.teacher"), marker_color=COLORS["teacher"])
        yaxis = dict(title=t("distill.logit"))
    elif name == "soften":
        fig.add_bar(x=classes, y=p.teacher_1, name="T = 1", marker_color="#B6B6B6")
        fig.add_bar(x=classes, y=p.teacher_T, name=f"T = {p.T:g}", marker_color=COLORS["teacher"])
        yaxis = log_y
    elif name == "student":
        fig.add_bar(x=classes, y=p.teacher_T, name=t("distill.step_teacher_T", T=f"{p.T:g}"),
                    marker_color=COLORS["teacher"])  # fmt: skip
        fig.add_bar(x=classes, y=p.student_T, name=t("distill.step_student_T", T=f"{p.T:g}"),
                    marker_color=COLORS["alone"])  # fmt: skip
        yaxis = log_y
    elif name == "kl":
        fig.add_bar(x=classes, y=p.kl_terms, name=t("distill.step_kl_terms"), marker_color=COLORS["distilled"])
        yaxis = dict(title=t("distill.step_kl_axis"), zeroline=True)
    else:
        terms = [t("distill.step_soft_term"), t("distill.step_hard_term"), "L"]
        values = [p.alpha * p.soft, (1 - p.alpha) * p.hard, p.total]
        fig.add_bar(x=terms, y=values, marker_color=[COLORS["distilled"], COLORS["alone"], COLORS["teacher"]],
                    text=[f"{v:.3f}" for v in values], textposition="outside", cliponaxis=False)  # fmt: skip
        fig.update_layout(showlegend=False, height=340, margin=dict(t=30), yaxis=dict(title=t("distill.step_loss_axis")))
        return fig
    label_x = dict(title=t("distill.class"), dtick=1,
                   ticktext=[f"<b>{c}</b>" if c == p.label else str(c) for c in classes], tickvals=classes)  # fmt: skip
    fig.update_layout(barmode="group", height=340, margin=dict(t=30), xaxis=label_x, yaxis=yaxis,
                      legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"))  # fmt: skip
    return fig


def verdict_line(r: DistillResult) -> str:
    return t(f"distill.verdict_{r.verdict}", gain=f"{r.gain:+.1%}", spread=f"{r.gain_std:.1%}", n=len(r.seeds))


def compare_view() -> None:
    st.markdown(t("distill.compare_intro"))
    with st.form("distill_compare"):
        cols = st.columns(4)
        params = {"experiment": "compare"}
        for i, name in enumerate(COMPARE):
            with cols[i % 4]:
                params[name] = widget(DEMO, SPEC[name])
        submitted = st.form_submit_button(t("distill.train"), type="primary")
    if submitted or "distill_compare_params" not in st.session_state:
        st.session_state["distill_compare_params"] = params
    params = st.session_state["distill_compare_params"]
    r: DistillResult = run_timed(DEMO, key_of(params), lambda: distill.run(**params),
                                 t("distill.training_students", n=2 * params["seeds"]))  # fmt: skip

    st.markdown(f"**{verdict_line(r)}**")
    m = st.columns(3)
    m[0].metric(t("distill.teacher"), f"{r.teacher_acc:.1%}", help=t("distill.held_out"))
    m[1].metric(t("distill.alone"), f"{r.alone_mean:.1%} ± {r.alone_std:.1%}")
    m[2].metric(
        t("distill.distilled"), f"{r.distilled_mean:.1%} ± {r.distilled_std:.1%}", delta=f"{r.gain:+.1%}"
    )
    st.caption(t("distill.design", n_labels=r.n_labels, n_transfer=r.n_transfer, seeds=len(r.seeds)))

    left, right = st.columns(2)
    with left:
        chart(accuracy_figure(r), width="stretch")
    with right:
        chart(curves_figure(r), width="stretch")
    st.markdown(f"#### {t('distill.serving_title')}")
    st.table({
        "": [t("distill.teacher"), t("distill.student")],
        t("distill.params"): [f"{r.teacher_params:,}", f"{r.student_params:,}"],
        t("distill.ms_one"): [f"{r.teacher_ms:.3f}", f"{r.student_ms:.3f}"],
        t("distill.us_batch"): [f"{r.teacher_ms_batched * 1000:.1f}", f"{r.student_ms_batched * 1000:.1f}"],
    })  # fmt: skip
    st.caption(t("distill.serving_note", ratio=f"{r.teacher_params / r.student_params:.0f}"))
    st.markdown(t("distill.regimes"))
    reproduce(DEMO, "kdlab.distill", params, distill.PARAMS)


def accuracy_figure(r: DistillResult) -> go.Figure:
    fig = go.Figure()
    fig.add_bar(
        x=[t("distill.teacher")], y=[r.teacher_acc], marker_color=COLORS["teacher"], name=t("distill.teacher")
    )
    for kind, accs, mean, std in (("alone", r.alone_acc, r.alone_mean, r.alone_std),
                                  ("distilled", r.distilled_acc, r.distilled_mean, r.distilled_std)):  # fmt: skip
        label = t(f"distill.{kind}")
        fig.add_bar(
            x=[label], y=[mean], error_y=dict(type="data", array=[std]), marker_color=COLORS[kind], name=label
        )
        fig.add_scatter(x=[label] * len(accs), y=accs, mode="markers", marker=dict(color="black", size=7),
                        name=t("distill.per_seed"), showlegend=kind == "alone")  # fmt: skip
    low = min(r.alone_acc.min(), r.distilled_acc.min(), r.teacher_acc)
    fig.update_layout(title=t("distill.acc_title"), yaxis=dict(title=t("distill.test_acc"), range=[max(0, low - 0.05), 1],
                      tickformat=".0%"), height=400, showlegend=False)  # fmt: skip
    return fig


def curves_figure(r: DistillResult) -> go.Figure:
    fig = go.Figure()
    epochs = np.arange(1, r.alone_val_acc.shape[1] + 1)
    for kind, curves in (("alone", r.alone_val_acc), ("distilled", r.distilled_val_acc)):
        mean, std = curves.mean(0), curves.std(0)
        fig.add_scatter(x=np.r_[epochs, epochs[::-1]], y=np.r_[mean + std, (mean - std)[::-1]], fill="toself",
                        line=dict(width=0), fillcolor=COLORS[kind], opacity=0.2, showlegend=False, hoverinfo="skip")  # fmt: skip
        fig.add_scatter(
            x=epochs, y=mean, mode="lines", name=t(f"distill.{kind}"), line=dict(color=COLORS[kind])
        )
    fig.update_layout(title=t("distill.curves_title"), xaxis_title=t("distill.epoch"),
                      yaxis=dict(title=t("distill.val_acc"), tickformat=".0%"), height=400,
                      legend=dict(orientation="h", y=1.1))  # fmt: skip
    return fig


def sweep_view() -> None:
    st.markdown(t("distill.sweep_intro", Ts=", ".join(f"{x:g}" for x in distill.SWEEP_TS)))
    base = st.session_state.get("distill_compare_params") or {p.name: p.default for p in distill.PARAMS}
    params = {k: base[k] for k in ("alpha", "student_hidden", "n_labels", "epochs", "seeds", "lr")}
    params |= {"experiment": "sweep"}
    st.caption(
        t(
            "distill.uses_compare_settings",
            **{k: params[k] for k in ("alpha", "student_hidden", "n_labels", "seeds")},
        )
    )
    key = key_of(params)
    r: SweepResult | None = store(DEMO).get(key)
    n = len(distill.SWEEP_TS) * params["seeds"] + params["seeds"]
    button = st.empty()  # where the plot will be; gone once the run starts, so it never sits above the result
    if r is None and button.button(t("distill.run_sweep", n=n), type="primary", key="distill_run_sweep"):
        button.empty()
        r = run_timed(DEMO, key, lambda: distill.run(**params), t("distill.training_students", n=n))
    if r is None:
        return
    fig = go.Figure()
    fig.add_scatter(x=r.Ts, y=r.distilled_mean, error_y=dict(type="data", array=r.distilled_std), mode="lines+markers",
                    name=t("distill.distilled"), line=dict(color=COLORS["distilled"]))  # fmt: skip
    fig.add_hline(
        y=r.alone_mean, line=dict(color=COLORS["alone"], dash="dash"), annotation_text=t("distill.alone")
    )
    fig.add_hline(
        y=r.teacher_acc, line=dict(color=COLORS["teacher"], dash="dot"), annotation_text=t("distill.teacher")
    )
    fig.update_layout(title=t("distill.sweep_title"), xaxis=dict(title="T", type="log", tickvals=r.Ts),
                      yaxis=dict(title=t("distill.test_acc"), tickformat=".1%"), height=420)  # fmt: skip
    chart(fig, width="stretch")
    best = int(np.argmax(r.distilled_mean))
    spread = float(r.distilled_mean.max() - r.distilled_mean.min())
    noise = float(np.max(r.distilled_std))
    st.markdown(t("distill.sweep_flat" if spread <= 2 * noise else "distill.sweep_peak",
                  best=f"{r.Ts[best]:g}", spread=f"{spread:.1%}", noise=f"{noise:.1%}"))  # fmt: skip
    reproduce(DEMO, "kdlab.distill", params, distill.PARAMS)


def omit_view() -> None:
    st.markdown(t("distill.omit_intro"))
    with st.form("distill_omit"):
        c1, c2, c3 = st.columns(3)
        with c1:
            omit = widget(DEMO, SPEC["omit"], key_prefix="omit_")
        with c2:
            T = widget(DEMO, SPEC["T"], key_prefix="omit_", value=20.0)
        with c3:
            seeds = widget(DEMO, SPEC["seeds"], key_prefix="omit_")
        submitted = st.form_submit_button(t("distill.run_omit"), type="primary")
    params = {"experiment": "omit", "omit": omit, "T": T, "seeds": seeds}
    key = key_of(params)
    r: OmitResult | None = store(DEMO).get(key)
    if r is None and submitted:
        r = run_timed(DEMO, key, lambda: distill.run(**params), t("distill.training_students", n=2 * seeds))
    if r is None:
        return
    st.markdown(t("distill.omit_setup", cls=r.omit, removed=r.n_removed, left=r.n_transfer, n_class=r.n_test_class,
                  n_test=r.n_test, T=f"{r.T:g}", seeds=len(r.seeds)))  # fmt: skip
    rows = {"": [], t("distill.recall_before", cls=r.omit): [], t("distill.acc_before"): [],
            t("distill.shift"): [], t("distill.recall_after", cls=r.omit): [], t("distill.acc_after"): []}  # fmt: skip
    for kind in ("alone", "distilled"):
        values = (
            "",
            r.recall_before[kind],
            r.acc_before[kind],
            r.shift[kind],
            r.recall_after[kind],
            r.acc_after[kind],
        )
        for (col, cells), v in zip(rows.items(), values, strict=True):
            if col == "":
                cells.append(t(f"distill.{kind}"))
            elif col == t("distill.shift"):
                cells.append(f"+{v.mean():.2f}")
            else:
                cells.append(f"{v.mean():.1%} ± {v.std():.1%}")
    st.table(rows)
    fig = go.Figure()
    for kind in ("alone", "distilled"):
        fig.add_bar(name=t(f"distill.{kind}"), x=[t("distill.before_shift"), t("distill.after_shift")],
                    y=[r.recall_before[kind].mean(), r.recall_after[kind].mean()], marker_color=COLORS[kind],
                    error_y=dict(type="data", array=[r.recall_before[kind].std(), r.recall_after[kind].std()]))  # fmt: skip
    fig.update_layout(barmode="group", title=t("distill.omit_title", cls=r.omit), height=380,
                      yaxis=dict(title=t("distill.recall_axis", cls=r.omit), tickformat=".0%", range=[0, 1.05]))  # fmt: skip
    chart(fig, width="stretch")
    gap = r.recall_before["distilled"].mean() - r.recall_before["alone"].mean()
    st.markdown(t("distill.omit_result_good" if gap > 0.3 else "distill.omit_result_weak", gap=f"{gap:.0%}"))
    p = r.paper
    with st.container(border=True):
        st.markdown(t("distill.paper_box", before=p["errors_before"], on_before=p["errors_on_threes_before"],
                      threes=p["test_threes"], shift=p["bias_shift"], after=p["errors_after"],
                      on_after=p["errors_on_threes_after"]))  # fmt: skip
        st.caption(r.citation)
    reproduce(DEMO, "kdlab.distill", params, distill.PARAMS)


def compact() -> None:
    """The question page's panel: the temperature, what it does to the teacher's answer, and
    whether the distilled student beats the student alone at that T (defaults otherwise)."""
    view = teacher_view()
    control, verdict = st.columns([1, 2], vertical_alignment="center")  # one row: the plots stay high up
    with control:
        T = st.select_slider(t("params.distill.T"), options=list(distill.SWEEP_TS), value=4.0,
                             key="compact_distill_T", help=t("params.distill.T_help"))  # fmt: skip
    params = {"experiment": "compare"} | {name: SPEC[name].default for name in COMPARE} | {"T": float(T)}
    r: DistillResult = run_timed(DEMO, key_of(params), lambda: distill.run(**params),
                                 t("distill.training_students", n=2 * params["seeds"]))  # fmt: skip
    verdict.markdown(f"**{verdict_line(r)}**")
    left, right = st.columns(2)
    with left:
        logits = view["logits"][0]
        probs = {T_: distill.teacher_probabilities(logits, T_) for T_ in (1.0, float(T))}
        chart(soft_figure(probs, float(T)), width="stretch", key="compact_distill_soft")
    with right:
        chart(accuracy_figure(r), width="stretch", key="compact_distill_acc")
    st.caption(t("distill.compact_look"))
