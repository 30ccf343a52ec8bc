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


# The results that tests marked shared_results leave in the job queue's stores, kept aside while other
# tests run from an empty store: every shared test (question pages in test_app, demo pages in
# test_registry) sees the default runs of the shared tests before it, whatever ran in between.
_SHARED: dict[str, dict] = {}


@pytest.fixture(autouse=True)
def _clear_streamlit_caches(request):
    # Streamlit caches live for the whole process; tests must not see each other's results.
    import streamlit as st

    from pages.demos import kit

    st.cache_data.clear()
    st.cache_resource.clear()
    kit.clear_results()  # the job queue's results live for the process, like a server's
    shared = "shared_results" in request.keywords
    if shared:
        for demo, items in _SHARED.items():
            for key, value in items.items():
                kit.store(demo).put(key, value)
    yield
    if shared:
        for demo, results in list(kit._STORES.items()):
            _SHARED.setdefault(demo, {}).update(results._items)


@pytest.fixture
def page_results(monkeypatch):
    """The results a page gets from the job queue while a test runs, by store name: distinct, in the
    order it asked (a test checks what the page showed against these, without training again)."""
    from pages.demos import kit

    found: dict[str, list] = {}

    def keep(store, value):
        seen = found.setdefault(store.results.name, [])
        if value is not None and not any(v is value for v in seen):
            seen.append(value)
        return value

    for name in ("get", "run", "get_or_run"):
        method = getattr(kit.PageStore, name)
        monkeypatch.setattr(kit.PageStore, name, lambda self, *a, _m=method, **k: keep(self, _m(self, *a, **k)))
    return found
