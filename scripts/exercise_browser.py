"""Solve coding exercises in headless Chromium as a learner would, and take screenshots.

    python scripts/exercise_browser.py [--port 8593] [--out artifacts/exercises]

Starts its own server on loopback (exercises on) with a fresh progress database, warms it, then in
each language: p20 wrong first (precision and recall swapped: the examples fail, expected vs
got shown; then 0/0 left as NaN: the examples pass, Submit fails on hidden tests), then fixed; p09 (distillation loss, in PyTorch); p02 (logistic loss and gradient).
The code is typed into the Ace editor the way a learner pastes it. Screenshots at 1280x720 and
1440x900 go to --out; the script prints what each submission showed and stops its server.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "questions" / "exercises"
P02 = """import numpy as np


def logistic_loss_grad(X, y, w, b, l2=0.0):
    z = X @ w + b
    p = np.exp(-np.logaddexp(0, -z))  # sigmoid, without overflow
    loss = np.mean(np.logaddexp(0, z) - y * z) + 0.5 * l2 * (w @ w)
    grad_w = X.T @ (p - y) / len(y) + l2 * w
    grad_b = float(np.mean(p - y))
    return float(loss), grad_w, grad_b
"""
PAGES = {"p20": "p20-evaluation-metrics", "p09": "p09-knowledge-distillation", "p02": "p02-logistic-regression"}
VIEWPORTS = ((1280, 720), (1440, 900))
RESULT = re.compile(r"pass|通过")


def serve(port: int, db: Path) -> subprocess.Popen:
    env = dict(os.environ, KDLAB_DB_PATH=str(db), KDLAB_AUTH="none")
    env.pop("KDLAB_EXERCISES", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(120):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    subprocess.run([sys.executable, "scripts/warm.py", f"http://127.0.0.1:{port}", "--timeout", "180"], cwd=ROOT,
                   check=False)  # fmt: skip
    return proc


def type_code(page, code: str) -> None:
    editor = page.frame_locator("iframe[title*='code_editor']").first.locator(".ace_content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def press(page, ex: str, which: str, lang: str) -> str:
    """Click Run or Submit, wait for the verdict, return it."""
    section = page.locator(f".st-key-exercise_{ex}")
    labels = {"run": {"en": "Run the examples", "zh": "运行示例"}, "submit": {"en": "Submit", "zh": "提交"}}
    section.get_by_role("button", name=labels[which][lang], exact=True).click()
    page.wait_for_timeout(1500)  # the click's rerun starts (the old verdict is still on screen until it ends)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120_000)
    verdict = section.locator("[data-testid='stAlert']").filter(has_text=RESULT).first
    try:
        verdict.wait_for(state="visible", timeout=120_000)
    except Exception:
        page.screenshot(path="/tmp/exercise_browser_failure.png", full_page=True)
        raise
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120_000)
    return " ".join(verdict.inner_text().split())


def shoot(page, ex: str, name: str, out: Path) -> None:
    section = page.locator(f".st-key-exercise_{ex}")
    for w, h in VIEWPORTS:
        page.set_viewport_size({"width": w, "height": h})
        page.wait_for_timeout(600)
        verdict = section.locator("[data-testid='stAlert']").filter(has_text=RESULT).first
        (verdict if verdict.count() else section).evaluate("e => e.scrollIntoView({block: 'start'})")
        page.mouse.wheel(0, -160)  # the buttons above the verdict in view too
        page.wait_for_timeout(1200)  # expanders finish opening
        page.screenshot(path=str(out / f"{name}-{w}x{h}.png"))


def solve(port: int, out: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    lines = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])  # fmt: skip
        for lang in ("en", "zh"):
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            plan = [
                ("p20", (EXERCISES / "p20" / "wrong_swapped.py").read_text(), ("run",), "swapped"),
                ("p20", (EXERCISES / "p20" / "wrong_nan.py").read_text(), ("run", "submit"), "nan"),
                ("p20", (EXERCISES / "p20" / "solution.py").read_text(), ("submit",), "fixed"),
                ("p09", (EXERCISES / "p09" / "solution.py").read_text(), ("submit",), "solved"),
                ("p02", P02, ("submit",), "solved"),
            ]
            opened = None
            for ex, code, buttons, label in plan:
                if opened != ex:
                    page.goto(f"http://127.0.0.1:{port}/{PAGES[ex]}?lang={lang}&learner=Ada{lang}")
                    page.locator(f".st-key-exercise_{ex}").wait_for(timeout=180_000)
                    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                                           timeout=180_000)  # fmt: skip
                    page.frame_locator("iframe[title*='code_editor']").first.locator(".ace_content").wait_for(
                        timeout=60_000)
                    opened = ex
                type_code(page, code)
                for which in buttons:
                    verdict = press(page, ex, which, lang)
                    lines.append(f"{lang} {ex} {label} {which}: {verdict}")
                    print(lines[-1], flush=True)
                    shoot(page, ex, f"{lang}-{ex}-{label}-{which}", out)
                    page.set_viewport_size({"width": 1280, "height": 720})
            errors = page.locator("[data-testid='stException']").count()
            lines.append(f"{lang}: exceptions on the page: {errors}")
            page.close()
        browser.close()
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8593)
    ap.add_argument("--out", default=str(ROOT / "artifacts" / "exercises"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = serve(args.port, Path(tmp) / "progress.db")
        try:
            for line in solve(args.port, out):
                print(line)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
