import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Tests assume the default sign-in mode (a typed name), even inside the Docker image, which sets
# KDLAB_AUTH=accounts; tests of the other modes set it themselves (tests/test_signin.py).
os.environ["KDLAB_AUTH"] = "none"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "shared_results: keep the job queue's stored results from earlier tests, as a running server does "
        "(for tests that open many pages at default settings: each experiment then trains once)",
    )


@pytest.fixture(autouse=True)
def _clear_streamlit_caches(request):
    # Streamlit caches live for the whole process; tests must not see each other's results.
    import streamlit as st

    from pages.demos import kit

    st.cache_data.clear()
    st.cache_resource.clear()
    if "shared_results" not in request.keywords:
        kit.clear_results()  # the job queue's results live for the process, like a server's
    yield
