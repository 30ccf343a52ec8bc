"""Real-browser tests: one `streamlit run` server and one headless Chromium for the whole session,
a fresh browser context (= a fresh learner) per test, a screenshot after every test.

Without Chromium the tests are skipped, unless KDLAB_REQUIRE_E2E=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from appserver import (
    CHART,
    CHROMIUM,
    CHROMIUM_ARGS,
    DRAWN,
    EXCEPTION,
    IDLE,
    ROOT,
    chromium_problem,
    running_app,
)

ARTIFACTS = ROOT / "artifacts" / "e2e"
TIMEOUT_MS = 90_000  # the first training on a busy 2-core machine; the usual wait is a few seconds
# Streamlit's frontend first probes <page>/_stcore/health and <page>/_stcore/host-config on a page's
# own path (404 on any non-root page) before it falls back to the root. Those two 404s, and the
# browser's generic console line for exactly them, are expected; every other error fails the test.
STREAMLIT_PROBE = re.compile(r"^http://127\.0\.0\.1:\d+/[^?#]+/_stcore/(health|host-config)$")
FAILED_RESOURCE_404 = "Failed to load resource: the server responded with a status of 404 (Not Found)"


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: drives the running app in a real browser (Chromium)")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[tuple[str, int]]:
    """(base URL, server pid) of the one server the browser tests share."""
    # Learners' progress goes to a throwaway SQLite file, never to ~/.kdlab or a configured database.
    db = {"KDLAB_DB_PATH": str(tmp_path_factory.mktemp("e2e") / "progress.db"), "KDLAB_DATABASE_URL": ""}
    with running_app(ARTIFACTS / "server.log", env=db) as (url, pid):
        yield url, pid


@pytest.fixture(scope="session")
def app_url(app_server) -> str:
    return app_server[0]


@pytest.fixture(scope="session")
def browser():
    if problem := chromium_problem():
        if os.environ.get("KDLAB_REQUIRE_E2E") == "1":
            pytest.fail(f"KDLAB_REQUIRE_E2E=1 but the browser tests cannot run: {problem}", pytrace=False)
        pytest.skip(f"browser tests skipped: {problem}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def expect(browser):
    """Playwright's auto-waiting assertions, e.g. expect(locator).to_be_visible()."""
    from playwright.sync_api import expect

    # Playwright's default is 5 s; a training or a page on a loaded 2-core CI machine can take longer.
    expect.set_options(timeout=TIMEOUT_MS)
    return expect


@dataclass
class Tab:
    """One learner's browser tab on the app, with the console errors it collected."""

    page: object  # playwright.sync_api.Page
    base: str
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> Tab:
        self.page.goto(self.base + path)
        return self.idle()

    def idle(self, timeout: int = TIMEOUT_MS) -> Tab:
        """Wait until the script run finished (fails at once if an exception box appears)."""
        self.page.wait_for_selector(f"{IDLE}, {EXCEPTION}", timeout=timeout)
        self.assert_no_exception()
        return self

    def chart(self, timeout: int = TIMEOUT_MS):
        """The first visible Plotly chart, once drawn (Plotly loads lazily, after the run has finished)."""
        self.page.wait_for_selector(f"{DRAWN}, {EXCEPTION}", timeout=timeout)
        self.assert_no_exception()
        return self.page.locator(f"{CHART}:visible").first

    def plotly_traces(self) -> list[list[dict]]:
        """Every drawn Plotly figure's traces (name, x, y) as the browser plotted them.

        `_fullData` holds the decoded arrays (Plotly ships numpy arrays base64-encoded in `data`).
        """
        return self.page.evaluate(
            """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(p =>
                   (p._fullData || []).map(t => ({name: t.name ?? null,
                                                  x: t.x ? Array.from(t.x) : null,
                                                  y: t.y ? Array.from(t.y) : null})))"""
        )

    def assert_no_exception(self) -> None:
        boxes = self.page.locator(EXCEPTION)
        if boxes.count():
            pytest.fail(f"exception on the page:\n{boxes.first.inner_text()}", pytrace=False)

    def assert_clean(self) -> None:
        self.assert_no_exception()
        assert not self.errors, "browser console errors:\n" + "\n".join(self.errors)


def _console_error(msg) -> str | None:
    if msg.type != "error":
        return None
    url = (msg.location or {}).get("url", "")
    if msg.text.startswith(FAILED_RESOURCE_404) and STREAMLIT_PROBE.match(url):
        return None
    return f"{msg.text} ({url})" if url else msg.text


@pytest.fixture
def tab(request, browser, app_url) -> Iterator[Tab]:
    """A fresh learner (own cookies, own Streamlit session) in English, screenshot saved afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page, app_url)

    def on_console(msg) -> None:
        if error := _console_error(msg):
            tab.errors.append(error)

    page.on("console", on_console)
    page.on("pageerror", lambda err: tab.errors.append(f"uncaught: {err}"))
    try:
        yield tab
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
        try:
            screenshot(page, ARTIFACTS / f"{name}.png")
        except Exception as err:  # a page that crashed must not hide the test's own failure
            warnings.warn(f"no screenshot for {name}: {err}", stacklevel=1)
        finally:
            context.close()


def screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the window to its height first."""
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]')?.scrollHeight ?? 0")
    page.set_viewport_size({"width": 1400, "height": min(max(height, 1000), 8000)})
    page.wait_for_timeout(300)  # Plotly redraws at the new size
    page.screenshot(path=path, full_page=True)


def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (the README's test command), every browser test runs in one worker: they
    share one app server and one Chromium for the session."""
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.xdist_group("browser"))
