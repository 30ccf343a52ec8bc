"""What the first learner on a fresh server sees: a cold start measured in a real browser.

    python scripts/first_visit.py                       # /demo-distill on a fresh server, 3 times
    python scripts/first_visit.py --path /c03-knowledge-distillation --runs 1
    python scripts/first_visit.py --wait 20             # the server is up 20 s before the visit
    python scripts/first_visit.py --warm                # after scripts/warm.py, as in the Dockerfile

Each run starts `streamlit run app.py` afresh (cold caches, torch not imported, no teacher), opens
the page in Debian's headless Chromium as soon as /_stcore/health says ok (or --wait seconds
later, as when a class arrives a little after the server started), and prints, from the moment
the browser asks for the page:
  title    the page's heading is on screen
  blank    how long the main area had nothing in it after the title (the longest gap)
  results  the first Plotly chart is drawn
A script that prints figures; it judges nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from appserver import CHROMIUM, CHROMIUM_ARGS, DRAWN, EXCEPTION, chromium_problem, running_app  # noqa: E402

POLL = 0.05


def visit(url: str, path: str, timeout: float) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720}, locale="en-US")
        start = time.monotonic()
        page.goto(url + path, wait_until="commit")
        title = results = None
        empty_since, longest_blank = None, 0.0
        while time.monotonic() - start < timeout:
            now = time.monotonic() - start
            state = page.evaluate(
                """([drawn, exception]) => {
                    const main = document.querySelector('[data-testid=stMain]');
                    const heading = main && main.querySelector('h1, h2');
                    return {heading: !!(heading && heading.innerText.trim()),
                            text: main ? main.innerText.trim().length : 0,
                            drawn: !!document.querySelector(drawn.replace(':visible', '')),
                            exception: !!document.querySelector(exception)};
                }""",
                [DRAWN, EXCEPTION],
            )
            if state["exception"]:
                raise RuntimeError("the page shows an exception: " + page.locator(EXCEPTION).first.inner_text())
            if title is None and state["heading"]:
                title = now
            if title is not None:
                if state["text"] == 0:
                    empty_since = now if empty_since is None else empty_since
                elif empty_since is not None:
                    longest_blank, empty_since = max(longest_blank, now - empty_since), None
            if state["drawn"]:
                results = now
                break
            time.sleep(POLL)
        browser.close()
    return {"title": title, "blank": longest_blank, "results": results}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--path", default="/demo-distill?lang=en", help="the page to open (default %(default)s)")
    ap.add_argument("--runs", type=int, default=3, choices=range(1, 6), help="fresh servers, one visit each")
    ap.add_argument("--wait", type=float, default=0.0, help="seconds between health ok and the visit (<= 60)")
    ap.add_argument("--warm", action="store_true", help="run scripts/warm.py first, as the Dockerfile does")
    ap.add_argument("--timeout", type=float, default=120.0, help="give up on a visit after this many seconds")
    args = ap.parse_args()
    if problem := chromium_problem():
        ap.exit(2, f"first_visit.py: {problem}\n")
    if not 0 <= args.wait <= 60:
        ap.exit(2, "first_visit.py: --wait must be between 0 and 60 seconds\n")
    rows = []
    for k in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            env = {"KDLAB_DB_PATH": str(Path(tmp) / "progress.db"), "KDLAB_DATABASE_URL": ""}
            with running_app(Path(tmp) / "server.log", env=env, warm=args.warm) as (url, _pid):
                time.sleep(args.wait)
                row = visit(url, args.path, args.timeout)
        rows.append(row)
        fmt = lambda v: "—" if v is None else f"{v:.2f} s"  # noqa: E731
        print(f"run {k + 1}: title {fmt(row['title'])}  longest blank after it {row['blank']:.2f} s  "
              f"results {fmt(row['results'])}")  # fmt: skip
    for name in ("title", "blank", "results"):
        values = [r[name] for r in rows if r[name] is not None]
        if values:
            print(f"median {name}: {statistics.median(values):.2f} s (of {len(values)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
