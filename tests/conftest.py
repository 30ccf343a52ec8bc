from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    # Streamlit caches live for the whole process; tests must not see each other's results.
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
