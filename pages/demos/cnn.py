"""A small CNN trained live: curves as it learns, confusions, mistakes, filters and feature maps."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from kdlab.core.params import ParamError, defaults
from kdlab.data.images import DATA_DIR_ENV, IDX_DATASETS, IDX_FILES, available_datasets, data_root, load_split
from kdlab.deep import cnn
from kdlab.deep.cnn import BudgetError, CNNResult, EpochStats
from pages.demos.kit import key_of, label, reproduce, show_source, store, widget
from pages.shared.common import lang, page_link, t
from pages.shared.plots import chart
from pages.shared.projector import intro, settings

DEMO = "cnn"
SPEC = {p.name: p for p in cnn.PARAMS}
COLORS = {"train": "#636EFA", "val": "#EF553B"}
LAYOUT = (("dataset", "seed"), ("channels", "layers"), ("epochs", "batch_size"), ("lr",))


def render() -> None:
    st.header(t("demo.cnn"), anchor=False)
    intro(t("cnn.intro"))
    params = controls()

    # Slots in page order, so the live curves turn into the final ones without the page jumping.
    status, metrics_slot, curves_slot = st.empty(), st.empty(), st.empty()
    key = key_of(params)
    r: CNNResult | None = store(DEMO).get(key)
    if r is None:
        metrics_slot.empty()  # the previous run's numbers must not sit beside new curves
        r = train_live(params, key, status, curves_slot)
        if r is None:
            reproduce(DEMO, "kdlab.deep.cnn", params, cnn.PARAMS)
            return
        status.caption(
            t("cnn.trained", epochs=len(r.history), n=f"{r.n_train:,}", seconds=f"{r.train_seconds:.1f}")
        )
    else:
        status.caption(t("cnn.from_cache", seconds=f"{r.train_seconds:.1f}"))

    with metrics_slot.container():
        metrics(r)
    chart(curves_figure(r.history, len(r.history)), width="stretch", key="cnn_curves", where=curves_slot)
    notes(r, params)

    st.subheader(t("cnn.confusion_title"), anchor=False)
    chart(confusion_figure(r), width="stretch")
    st.caption(t("cnn.confusion_help"))

    n_wrong = r.n_test - int(np.trace(r.confusion))
    title = "cnn.mistakes_all" if len(r.mistakes) == n_wrong else "cnn.mistakes_title"
    st.subheader(t(title, n=len(r.mistakes), total=n_wrong), anchor=False)
    if r.mistakes:
        chart(cached_figure(key, "mistakes", lambda: mistakes_figure(r)), width="stretch")
        st.caption(t("cnn.mistakes_help"))
    else:
        st.success(t("cnn.no_mistakes", n=r.n_test))

    st.subheader(t("cnn.filters_title"), anchor=False)
    chart(cached_figure(key, "filters", lambda: filters_figure(r.filters)), width="stretch")
    st.caption(t("cnn.filters_help"))

    feature_map_view(r, params)

    st.subheader(t("cnn.shop_title"), anchor=False)
    st.markdown(t("cnn.shop"))
    page_link("demo-distill", t("cnn.to_distill"), icon="⚗️")
    reproduce(DEMO, "kdlab.deep.cnn", params, cnn.PARAMS)
    show_source("kdlab.deep.cnn:CNN", "kdlab.deep.cnn:train_epochs", "kdlab.deep.cnn:feature_maps")


def controls() -> dict:
    """The settings inside a form: touching a slider changes nothing until "Train", so it never aborts a run."""
    available = available_datasets()
    current = st.session_state.get("cnn_params") or {p.name: p.default for p in cnn.PARAMS}
    if current["dataset"] not in available:  # its files went away since
        current = current | {"dataset": "digits"}
    with settings("cnn_form"):
        params = {}
        for column, names in zip(st.columns(len(LAYOUT)), LAYOUT, strict=True):
            with column:
                for name in names:
                    if name == "dataset":
                        params[name] = dataset_widget(available, current[name])
                    else:
                        params[name] = widget(DEMO, SPEC[name], value=current[name])
        submitted = st.form_submit_button(t("cnn.train"), type="primary")
    if submitted or "cnn_params" not in st.session_state:
        st.session_state["cnn_params"] = params
    data_note(available)
    return st.session_state["cnn_params"]


def dataset_widget(available: list[str], value: str) -> str:
    """Only the data sets whose files are here. Labels are looked up now, not in format_func,
    which AppTest also calls outside a script run (where the session's language is unknown)."""
    labels = {d: t(f"choices.cnn.{d}") for d in available}
    return st.selectbox(label(DEMO, SPEC["dataset"]), available, index=available.index(value), key="cnn_dataset",
                        format_func=labels.get, help=t("params.cnn.dataset_help"))  # fmt: skip


def data_note(available: list[str]) -> None:
    missing = [name for name in IDX_DATASETS if name not in available]
    if not missing:
        return
    root = data_root()
    where = f"`{root}`" if root else t("cnn.env_unset", env=DATA_DIR_ENV)
    with st.expander(t("cnn.more_data_title", missing=" / ".join(t(f"choices.cnn.{m}") for m in missing))):
        st.markdown(
            t(
                "cnn.more_data",
                env=DATA_DIR_ENV,
                where=where,
                files=", ".join(f"`{f}`" for f in IDX_FILES.values()),
            )
        )


def train_live(params: dict, key: tuple, status, curves_slot) -> CNNResult | None:
    """Train with a progress bar and curves redrawn after every epoch; None (and a message) if refused.

    The run goes through the server's shared job queue (store.run): a learner who asks for a setting
    another is already training watches that same run; one who leaves finds its result on return.
    """
    total = params["epochs"]
    bar = status.progress(0.0, text=t("cnn.starting"))
    chart(curves_figure([], total), width="stretch", key="cnn_live_0", where=curves_slot)

    def train(report) -> CNNResult:
        history: list[EpochStats] = []

        def on_epoch(s: EpochStats) -> None:  # in the job's worker thread: no Streamlit here
            history.append(s)
            report(list(history))

        return cnn.run(**params, on_epoch=on_epoch)

    def draw(history: list[EpochStats]) -> None:  # in the learner's session, between polls
        s = history[-1]
        bar.progress(
            s.epoch / total, text=t("cnn.progress", epoch=s.epoch, total=total, acc=f"{s.val_acc:.1%}")
        )
        chart(curves_figure(history, total), width="stretch", key=f"cnn_live_{s.epoch}", where=curves_slot)

    try:
        return store(DEMO).run(key, train, draw=draw)
    except BudgetError as err:
        curves_slot.empty()
        status.error(
            t("cnn.refused", seconds=f"{err.seconds:.0f}", n=f"{err.n_train:,}", limit=f"{err.limit:.0f}"),
            icon="⛔",
        )
    except (ParamError, FileNotFoundError, ValueError) as err:
        curves_slot.empty()
        status.error(t("cnn.failed", error=str(err)), icon="⛔")
    return None


def class_name(name: str) -> str:
    return t(f"cnn.class.{name}", default=name)


def metrics(r: CNNResult) -> None:
    m = st.columns(4)
    m[0].metric(t("cnn.test_acc"), f"{r.test_acc:.1%}", help=t("cnn.test_acc_help", n=f"{r.n_test:,}"))
    m[1].metric(t("cnn.n_params"), f"{r.n_params:,}")
    m[2].metric(t("cnn.ms_per_image"), f"{r.ms_per_image:.3f} ms", help=t("cnn.ms_help"))
    m[3].metric(
        t("cnn.train_time"), f"{r.train_seconds:.1f} s", help=t("cnn.train_time_help", n=f"{r.n_train:,}")
    )
    if r.stopped_early:
        st.warning(t("cnn.stopped_early", done=len(r.history), seconds=f"{r.train_seconds:.0f}"), icon="⏱️")


def notes(r: CNNResult, params: dict) -> None:
    """What to notice in this run, in numbers from this run."""
    last = r.history[-1]
    c = params["channels"]
    lines = [
        t(
            "cnn.note_sharing",
            conv=f"{10 * c:,}",
            c=c,
            pixels=f"{r.image_size**2:,}",
            dense=f"{(r.image_size**2 + 1) * c:,}",
            total=f"{r.n_params:,}",
        ),
        t(
            "cnn.note_scores",
            train=f"{last.train_acc:.1%}",
            val=f"{last.val_acc:.1%}",
            test=f"{r.test_acc:.1%}",
        ),
    ]
    best = min(r.history, key=lambda s: s.val_loss)
    if last.train_acc - last.val_acc > 0.03:
        lines.append(t("cnn.note_gap", gap=f"{last.train_acc - last.val_acc:.1%}"))
    if best.epoch < last.epoch and last.val_loss > 1.1 * best.val_loss:
        lines.append(
            t("cnn.note_val_rises", best=best.epoch, low=f"{best.val_loss:.3f}", last=f"{last.val_loss:.3f}")
        )
    if r.test_acc < 0.8:
        lines.append(t("cnn.note_weak", acc=f"{r.test_acc:.1%}", lr=f"{params['lr']:g}"))
    st.markdown("\n".join(f"- {line}" for line in lines))


def curves_figure(history: list[EpochStats], epochs: int) -> go.Figure:
    """Loss and accuracy per epoch, train and validation; the x axis is fixed so the live curves grow into it."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t("cnn.loss_title"), t("cnn.acc_title")))
    x = [s.epoch for s in history]
    for part, dash in (("train", "solid"), ("val", "dash")):
        for col, metric in ((1, "loss"), (2, "acc")):
            fig.add_scatter(
                x=x,
                y=[getattr(s, f"{part}_{metric}") for s in history],
                mode="lines+markers",
                name=t(f"cnn.curve_{part}"),
                legendgroup=part,
                showlegend=col == 1,
                line=dict(color=COLORS[part], dash=dash),
                row=1,
                col=col,
            )
    fig.update_xaxes(title_text=t("cnn.epoch"), range=[0.5, epochs + 0.5], dtick=max(1, epochs // 10))
    fig.update_yaxes(title_text=t("cnn.loss"), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text=t("cnn.accuracy"), tickformat=".0%", row=1, col=2)
    if not history:  # before the first epoch: empty axes of a sensible size
        fig.update_yaxes(range=[0, 2.5], row=1, col=1)
        fig.update_yaxes(range=[0, 1], row=1, col=2)
    fig.update_layout(
        height=400, legend=dict(orientation="h", x=0.5, xanchor="center", y=-0.22), margin=dict(t=40, b=40)
    )
    return fig


def confusion_figure(r: CNNResult) -> go.Figure:
    labels = [class_name(c) for c in r.classes]
    text = [[str(v) if v else "" for v in row] for row in r.confusion]
    fig = go.Figure(
        go.Heatmap(
            z=r.confusion,
            x=labels,
            y=labels,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar=dict(title=t("cnn.count")),
            hovertemplate=t("cnn.confusion_hover") + "<extra></extra>",
        )
    )
    fig.update_layout(
        height=480,
        margin=dict(t=20, b=40),
        xaxis=dict(title=t("cnn.predicted"), type="category", side="bottom"),
        yaxis=dict(title=t("cnn.true_class"), type="category", autorange="reversed"),
    )
    return fig


def cached_figure(key: tuple, name: str, build) -> go.Figure:
    """Image grids cost most of a redraw (one subplot per image): built once per run and language."""
    figures = store("cnn-figures")
    full_key = (*key, name, lang())
    return figures.get(full_key) or figures.put(full_key, build())


def image_grid(
    images: list[np.ndarray], titles: list[str] | None, cols: int, row_height: int, **heatmap
) -> go.Figure:
    """Small square heatmaps in a grid, row 0 of each image at the top."""
    rows = -(-len(images) // cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        horizontal_spacing=0.02,
        vertical_spacing=min(0.3 / rows, 0.12) if titles else 0.02,
    )
    for i, image in enumerate(images):
        fig.add_trace(go.Heatmap(z=image, showscale=i == 0, **heatmap), row=i // cols + 1, col=i % cols + 1)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", constrain="domain")
    for i in range(1, len(images) + 1):
        fig.layout[f"yaxis{'' if i == 1 else i}"].scaleanchor = f"x{'' if i == 1 else i}"
    fig.update_annotations(font_size=11)
    fig.update_layout(height=40 + rows * row_height, margin=dict(l=10, r=10, t=40 if titles else 10, b=10))
    return fig


def mistakes_figure(r: CNNResult) -> go.Figure:
    titles = [
        f"{class_name(r.classes[m.true])} → {class_name(r.classes[m.pred])}<br>{m.confidence:.0%} · #{m.index}"
        for m in r.mistakes
    ]
    fig = image_grid(
        [m.image for m in r.mistakes],
        titles,
        cols=8,
        row_height=150,
        colorscale="gray_r",
        zmin=0,
        zmax=1,
        hovertemplate="%{z:.2f}<extra></extra>",
    )
    fig.update_traces(showscale=False)
    return fig


def filters_figure(filters: np.ndarray) -> go.Figure:
    bound = float(np.abs(filters).max()) or 1.0
    fig = image_grid(
        list(filters),
        [f"{i + 1}" for i in range(len(filters))],
        cols=16 if len(filters) > 32 else 8,
        row_height=75 if len(filters) > 32 else 125,
        colorscale="RdBu_r",
        zmin=-bound,
        zmax=bound,
        colorbar=dict(title=t("cnn.weight"), len=0.9),
        hovertemplate="%{z:.3f}<extra></extra>",
    )
    return fig


@st.cache_resource(max_entries=4, show_spinner=False)
def held_out_images(dataset: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The run's held-out images (the same split the run used), to look inside the trained model."""
    split = load_split(dataset, seed=seed)
    return split.x_test[:, 0], split.y_test


@st.fragment
def feature_map_view(r: CNNResult, params: dict) -> None:
    """Only this block reruns when the learner picks an image: the cached model is reused, nothing retrains."""
    st.subheader(t("cnn.maps_title"), anchor=False)
    st.markdown(t("cnn.maps_intro"))
    images, labels = held_out_images(params["dataset"], params["seed"])
    left, right = st.columns([1, 3])
    with left:
        source = st.radio(
            t("cnn.pick_from"),
            ("test", "mistake"),
            horizontal=True,
            key="cnn_pick_from",
            format_func={s: t(f"cnn.from_{s}") for s in ("test", "mistake")}.get,
            disabled=not r.mistakes,
        )
        if source == "mistake" and r.mistakes:
            choice = st.selectbox(
                t("cnn.pick_mistake"),
                range(len(r.mistakes)),
                key=f"cnn_mistake_{hash(key_of(params))}",
                format_func=[
                    f"#{m.index}: {class_name(r.classes[m.true])} → {class_name(r.classes[m.pred])}"
                    for m in r.mistakes
                ].__getitem__,
            )
            index = r.mistakes[choice].index
        else:
            index = int(
                st.number_input(
                    t("cnn.pick_index", last=len(labels) - 1),
                    0,
                    len(labels) - 1,
                    0,
                    key=f"cnn_index_{params['dataset']}",
                )
            )
        image = images[index]
        probs = cnn.predict_proba(r.model, image[None, None])[0]
        pred = int(probs.argmax())
        fig = image_grid(
            [image],
            None,
            cols=1,
            row_height=230,
            colorscale="gray_r",
            zmin=0,
            zmax=1,
            hovertemplate="%{z:.2f}<extra></extra>",
        )
        fig.update_traces(showscale=False)
        chart(fig, width="stretch")
        verdict = "right" if pred == labels[index] else "wrong"
        st.markdown(
            t(
                f"cnn.pick_{verdict}",
                true=class_name(r.classes[labels[index]]),
                pred=class_name(r.classes[pred]),
                conf=f"{probs[pred]:.1%}",
            )
        )
    with right:
        before = r.image_size
        for block, maps in enumerate(cnn.feature_maps(r.model, image), start=1):
            side = maps.shape[-1]
            step = t("cnn.pooled" if side < before else "cnn.not_pooled", before=before)
            st.markdown(t("cnn.block", block=block, n=len(maps), side=side, step=step))
            before = side
            fig = image_grid(
                list(maps),
                None,
                cols=8,
                row_height=95,
                colorscale="Viridis",
                zmin=0,
                zmax=float(maps.max()) or 1.0,
                hovertemplate="%{z:.2f}<extra></extra>",
            )
            fig.update_traces(showscale=False)
            chart(fig, width="stretch", key=f"cnn_maps_{block}")
        st.caption(t("cnn.maps_help"))


def compact() -> None:
    """The question page's panel: how many epochs, and the curves and test accuracy they give."""
    spec = {p.name: p for p in cnn.PARAMS}
    epochs = widget(DEMO, spec["epochs"], key_prefix="compact_")
    params = defaults(cnn.PARAMS) | {"epochs": epochs}
    key = key_of(params)
    r: CNNResult | None = store(DEMO).get(key)
    if r is None:
        r = train_live(params, key, st.empty(), st.empty())
        if r is None:
            return
    metrics(r)
    chart(curves_figure(r.history, len(r.history)), width="stretch", key="compact_cnn_curves")
    st.caption(t("cnn.compact_look"))
