"""How KD Lab holds up when a class opens a demo at once: N learners at the same moment.

    python scripts/load.py --n 20                            # 20 browsers open /demo-cnn on a fresh server
    python scripts/load.py --n 20 --client ws                # the same sessions over Streamlit's websocket
    python scripts/load.py --n 5 --scenario train            # then each trains its own setting
    python scripts/load.py --n 5 --demo distill --url http://127.0.0.1:8501 --pid 1234

Without --url it starts the app itself (a fresh server: caches are cold) and reports the server's
peak resident memory (VmHWM from /proc). Bounded: at most 30 learners, each step with a time limit,
and only a loopback server.

Clients:
  browser  one headless Chromium (Debian's), one browser context (= one Streamlit session) per
           learner; done when the run has finished and a chart is drawn. On one small machine the
           browser's own rendering competes with the server for the same cores.
  ws       speaks Streamlit's websocket protocol directly (no browser): done when the server reports
           the script run finished. This is the server's share of the wait.
Scenarios:
  open     every learner opens the demo with its default settings. Identical requests share one run,
           so this measures page load, the result cache and the first (shared) training.
  train    (cnn only) after everyone has opened the page, every learner at once trains a setting
           nobody else has (seed = 1..N): N trainings compete; the job queue runs at most
           KDLAB_MAX_JOBS (2) at once and tells the others they are queued. Timed from pressing Train.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from appserver import (  # noqa: E402  (after the path set-up above)
    CHROMIUM,
    CHROMIUM_ARGS,
    DRAWN,
    EXCEPTION,
    IDLE,
    chromium_problem,
    running_app,
)

from kdlab.core.i18n import translate  # noqa: E402
from kdlab.demos import DEMOS  # noqa: E402

MAX_N = 30
MAX_TIMEOUT = 600
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
QUEUED = translate("en", "demo_kit.queued")
# Set in each browser page before the app loads: remembers whether the "queued" notice ever showed.
WATCH_QUEUED = """(text) => {
  setInterval(() => {
    if (document.body && document.body.textContent.includes(text)) window.__kdlabQueued = true;
  }, 100);
}"""


@dataclass
class Outcome:
    learner: int
    seconds: float | None  # None: did not finish
    error: str | None = None
    queued: bool = False  # was told "queued"


class Timeout(Exception):
    pass


# ---------------------------------------------------------------- a learner in a real browser


class BrowserLearner:
    """A browser context of its own (a fresh Streamlit session) on the demo page."""

    def __init__(self, browser, url: str, i: int, args: argparse.Namespace):
        self.browser, self.url, self.i, self.args = browser, url, i, args
        self.deadline = time.monotonic() + args.timeout
        self.page = None

    def left_ms(self) -> float:
        return max(1.0, (self.deadline - time.monotonic()) * 1000)

    async def finished(self) -> None:
        """The script run has ended and a chart is drawn; an exception box is an error."""
        await self.page.wait_for_selector(f"{IDLE}, {EXCEPTION}", timeout=self.left_ms())
        await self.page.wait_for_selector(f"{DRAWN}, {EXCEPTION}", timeout=self.left_ms())
        boxes = self.page.locator(EXCEPTION)
        if await boxes.count():
            raise RuntimeError(f"exception on the page: {(await boxes.first.inner_text())[:200]}")

    async def open(self) -> float:
        context = await self.browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
        self.page = await context.new_page()
        await self.page.add_init_script(f"({WATCH_QUEUED})({json.dumps(QUEUED)})")
        start = time.monotonic()
        await self.page.goto(f"{self.url}/demo-{self.args.demo}?lang=en", timeout=self.left_ms())
        await self.finished()
        return time.monotonic() - start

    async def train(self) -> float:
        """Set the seed to this learner's own (learner + 1) in the form, press Train, wait for the charts."""
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        page = self.page
        label = page.locator("[data-testid='stWidgetLabel']").get_by_text(
            translate("en", "params.cnn.seed"), exact=True
        )
        thumb = page.locator("[data-testid='stSlider']").filter(has=label).locator("input[type=range]")
        await thumb.focus()
        for _ in range(self.i + 1):
            await thumb.press("ArrowRight")
        await page.evaluate("() => { window.__kdlabQueued = false; }")
        await page.get_by_role("button", name=translate("en", "cnn.train"), exact=True).click()
        start = time.monotonic()
        with contextlib.suppress(PlaywrightTimeout):  # the run starts; a miss means it already ended
            await page.wait_for_selector(
                "[data-testid='stApp'][data-test-script-state='running']", timeout=10_000
            )
        await self.finished()
        if not await page.get_by_text(translate("en", "cnn.trained").split("{")[0]).count():
            raise RuntimeError("the run ended without a trained result (refused or failed)")
        return time.monotonic() - start

    async def queued(self) -> bool:
        return bool(await self.page.evaluate("() => window.__kdlabQueued === true"))

    async def close(self) -> None:
        if self.page is not None:
            await self.page.context.close()


# ---------------------------------------------------------------- a learner over the websocket


class WsLearner:
    """Streamlit's own protocol: a rerun request in, the page's elements out, until "script finished"."""

    def __init__(self, url: str, i: int, args: argparse.Namespace):
        self.url, self.i, self.args = url, i, args
        self.deadline = time.monotonic() + args.timeout
        self.ws = None
        self.elements: list = []
        self.saw_queued = False

    async def run_script(self, widget_states: list | None = None) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = "lang=en"
        msg.rerun_script.page_name = f"demo-{self.args.demo}"
        msg.rerun_script.widget_states.widgets.extend(widget_states or [])
        await self.ws.send(msg.SerializeToString())
        self.elements = []
        while True:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise Timeout()
            try:
                data = await asyncio.wait_for(self.ws.recv(), timeout=left)
            except TimeoutError:
                raise Timeout() from None
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                self.elements.append(element)
                if element.WhichOneof("type") == "exception":
                    raise RuntimeError(f"exception on the page: {element.exception.message[:200]}")
                if element.WhichOneof("type") == "alert" and QUEUED in element.alert.body:
                    self.saw_queued = True
            elif kind == "page_not_found":
                raise RuntimeError(f"no page /demo-{self.args.demo}")
            elif kind == "script_finished":
                return

    async def open(self) -> float:
        import websockets

        start = time.monotonic()
        ws_url = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None)
        await self.run_script()
        return time.monotonic() - start

    async def train(self) -> float:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        kinds = [(e.WhichOneof("type"), e) for e in self.elements]
        seed_label = translate("en", "params.cnn.seed")
        seed = next(e.slider for k, e in kinds if k == "slider" and e.slider.label == seed_label)
        submit = next(e.button for k, e in kinds if k == "button" and e.button.is_form_submitter)
        states = [WidgetState(id=seed.id), WidgetState(id=submit.id, trigger_value=True)]
        states[0].double_array_value.data.append(self.i + 1)
        self.saw_queued = False
        start = time.monotonic()
        await self.run_script(states)
        trained = translate("en", "cnn.trained").split("{")[0]
        if not any(e.WhichOneof("type") == "markdown" and trained in e.markdown.body for e in self.elements):
            raise RuntimeError("the run ended without a trained result (refused or failed)")
        return time.monotonic() - start

    async def queued(self) -> bool:
        return self.saw_queued

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


# ---------------------------------------------------------------- the class


async def learner_run(
    learner, i: int, args: argparse.Namespace, everyone_open: asyncio.Barrier | None
) -> Outcome:
    """Open the page; in the train scenario wait for everyone (the teacher's "now press Train"), then train."""

    async def step(coro, what: str) -> Outcome:
        try:
            seconds = await coro
            return Outcome(i, seconds, queued=await learner.queued())
        except Exception as err:  # one learner's failure is a result, not the end of the run
            if isinstance(err, Timeout) or type(err).__name__ == "TimeoutError":
                return Outcome(i, None, f"timeout after {args.timeout:.0f} s {what}")
            return Outcome(i, None, f"{what}: {type(err).__name__}: {str(err)[:200]}")

    outcome = await step(learner.open(), "opening the page")
    if everyone_open is not None:
        await everyone_open.wait()
        if outcome.error is None:
            learner.deadline = time.monotonic() + args.timeout
            outcome = await step(learner.train(), "training")
    await learner.close()
    return outcome


async def crowd(url: str, args: argparse.Namespace) -> list[Outcome]:
    everyone_open = asyncio.Barrier(args.n) if args.scenario == "train" else None
    backstop = args.timeout * (2 if everyone_open else 1) + 60  # each step has its own limit; last resort
    if args.client == "ws":
        learners = [WsLearner(url, i, args) for i in range(args.n)]
        runs = (learner_run(x, i, args, everyone_open) for i, x in enumerate(learners))
        return await asyncio.wait_for(asyncio.gather(*runs), timeout=backstop)

    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            learners = [BrowserLearner(browser, url, i, args) for i in range(args.n)]
            runs = (learner_run(x, i, args, everyone_open) for i, x in enumerate(learners))
            return await asyncio.wait_for(asyncio.gather(*runs), timeout=backstop)
        finally:
            await browser.close()


# ---------------------------------------------------------------- command line and report


def bounded(low: float, high: float, kind=int):
    def parse(text: str):
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value

    return parse


def loopback_url(text: str) -> str:
    url = urlparse(text)
    if url.scheme not in ("http", "https") or url.hostname not in LOOPBACK:
        raise argparse.ArgumentTypeError(f"only a loopback server (127.0.0.1, localhost, ::1), got {text!r}")
    return text.rstrip("/")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=bounded(1, MAX_N), default=5, help=f"concurrent learners, 1..{MAX_N}")
    parser.add_argument("--demo", choices=list(DEMOS), default="cnn")
    parser.add_argument("--scenario", choices=("open", "train"), default="open")
    parser.add_argument("--client", choices=("browser", "ws"), default="browser")
    parser.add_argument(
        "--timeout", type=bounded(10, MAX_TIMEOUT, float), default=180.0, help="seconds per learner and step"
    )
    parser.add_argument("--url", type=loopback_url, help="a running KD Lab (default: start a fresh one)")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, to report its peak memory")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    if args.scenario == "train" and args.demo != "cnn":
        parser.error("--scenario train is written for --demo cnn (its form has a seed to vary)")
    return args


def memory_mb(pid: int | None) -> dict[str, float | None]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process, from /proc."""
    found: dict[str, float | None] = {"peak_mb": None, "now_mb": None}
    try:
        status = Path(f"/proc/{pid}/status").read_text() if pid else ""
    except OSError:
        return found
    for field, name in (("VmHWM", "peak_mb"), ("VmRSS", "now_mb")):
        if m := re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE):
            found[name] = int(m.group(1)) / 1024
    return found


def summarize(outcomes: list[Outcome], args: argparse.Namespace, memory: dict, wall: float) -> dict:
    times = sorted(o.seconds for o in outcomes if o.seconds is not None)
    return {
        "demo": args.demo,
        "scenario": args.scenario,
        "client": args.client,
        "n": args.n,
        "completed": len(times),
        "median_s": round(statistics.median(times), 2) if times else None,
        "worst_s": round(times[-1], 2) if times else None,
        "queued": sum(o.queued for o in outcomes),
        "server_peak_mb": round(memory["peak_mb"]) if memory["peak_mb"] else None,
        "server_now_mb": round(memory["now_mb"]) if memory["now_mb"] else None,
        "wall_s": round(wall, 1),
        "errors": [asdict(o) for o in outcomes if o.error],
    }


def report(s: dict) -> str:
    peak = f"{s['server_peak_mb']} MB" if s["server_peak_mb"] else "unknown (give --pid)"
    seconds = lambda v: "-" if v is None else f"{v} s"  # noqa: E731
    lines = [
        f"{s['n']} learners ({s['client']}), /demo-{s['demo']}, scenario {s['scenario']}:",
        f"  completed    {s['completed']}/{s['n']}",
        f"  median       {seconds(s['median_s'])}",
        f"  worst        {seconds(s['worst_s'])}",
        f"  queued       {s['queued']} were told they are queued",
        f"  server peak  {peak} resident memory",
        f"  wall time    {s['wall_s']} s",
    ]
    lines += [f"  learner {e['learner']}: {e['error']}" for e in s["errors"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.client == "browser" and (problem := chromium_problem()):
        print(f"cannot run: {problem}", file=sys.stderr)
        return 2
    start = time.monotonic()
    if args.url:
        outcomes = asyncio.run(crowd(args.url, args))
        memory = memory_mb(args.pid)
    else:
        with (
            tempfile.TemporaryDirectory() as tmp,  # progress of these fake learners is thrown away
            running_app(
                ROOT / "artifacts" / "load" / "server.log",
                env={"KDLAB_DB_PATH": f"{tmp}/progress.db", "KDLAB_DATABASE_URL": ""},
            ) as (url, pid),
        ):
            outcomes = asyncio.run(crowd(url, args))
            memory = memory_mb(pid)
    summary = summarize(outcomes, args, memory, time.monotonic() - start)
    print(json.dumps(summary, indent=2) if args.json else report(summary))
    return 0 if summary["completed"] == args.n else 1


if __name__ == "__main__":
    sys.exit(main())
