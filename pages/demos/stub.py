"""Placeholder for a demo page whose library is still being written."""

from __future__ import annotations

import streamlit as st

from pages.shared.common import t


def render(demo: str) -> None:
    st.header(t(f"demo.{demo}"), anchor=False)
    st.info(t("demo.coming"))
