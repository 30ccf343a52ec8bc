"""Projector mode in a real browser at a projector's 1280x720: the distillation page's key plot (the
step-through's) is on the first screen, whole."""

import pytest
from appserver import DRAWN, EXCEPTION, IDLE, ROOT

ARTIFACTS = ROOT / "artifacts" / "e2e"
TIMEOUT_MS = 90_000  # as the other browser tests: a loaded 2-core machine can take long

pytestmark = pytest.mark.e2e


def test_distill_key_plot_is_above_the_fold_on_a_projector(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{app_url}/demo-distill?lang=en&projector=1")
        page.wait_for_selector(f"{IDLE}, {EXCEPTION}")
        page.wait_for_selector(f"{DRAWN}, {EXCEPTION}")
        assert not page.locator(EXCEPTION).count()
        assert page.get_by_role("tab", name="▶ Step by step").get_attribute("aria-selected") == "true"
        box = page.locator("[data-testid='stPlotlyChart']").filter(visible=True).first.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, box
        assert "projector=1" in page.url  # kept in the URL, as ?lang= is
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "projector_distill_1280x720.png")
    finally:
        context.close()
