"""Start KD Lab with `streamlit run` on a free loopback port, and Debian's Chromium beside it.

Shared by the end-to-end tests (tests/e2e/conftest.py) and the load script (scripts/load.py),
so both drive the app exactly as a learner's browser would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KDLAB_CHROMIUM", "/usr/bin/chromium")
# No sandbox inside containers; no GPU on the server; nothing may phone home (the machine is offline).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Streamlit marks its root with the script's state; "notRunning" = the page finished its run.
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CHART = "[data-testid='stPlotlyChart']"
# A Plotly chart actually drawn and on screen (charts in a hidden tab are drawn but not visible).
DRAWN = f"{CHART} .js-plotly-plot .main-svg:visible"
EXCEPTION = "[data-testid='stException']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


@contextmanager
def running_app(
    log_path: Path, timeout: float = 60.0, env: dict | None = None, warm: bool = True
) -> Iterator[tuple[str, int]]:
    """Yield (base URL, server pid) once /_stcore/health says ok; stop the server on exit, also on failure.

    warm: make the server's first script run first, as the Dockerfile does (scripts/warm.py), so
    a learner's deep link never lands on Streamlit's legacy first run; False for a cold server.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py",
           "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=os.environ | (env or {})
        )
        try:
            deadline = time.monotonic() + timeout
            while not healthy(url):
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with code {proc.returncode}:\n{tail(log_path)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{tail(log_path)}")
                time.sleep(0.2)
            if warm:
                subprocess.run([sys.executable, str(ROOT / "scripts" / "warm.py"), url], check=True,
                               timeout=timeout, capture_output=True)  # fmt: skip
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return (
            f"no Chromium at {CHROMIUM} (apt-get install -y chromium fonts-noto-cjk, or set KDLAB_CHROMIUM)"
        )
    return None
