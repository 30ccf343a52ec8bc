"""Make a freshly started KD Lab server's first script run, so no learner's is.

    python scripts/warm.py http://127.0.0.1:8501      # after `streamlit run app.py` is healthy

Why: with a folder named pages/ beside app.py, Streamlit 1.67 runs the very first script run of a
server process in its legacy multipage mode. A learner whose first visit is a deep link
(/c03-knowledge-distillation) then sees a "Page not found" dialog over the right page. This
script opens Home once over Streamlit's websocket (no browser), which ends that mode for the
process, and asks that run to import PyTorch and train the shared teacher (?warm=1), so the first
learner on a deep-learning page waits for neither.
The Dockerfile runs it at start; tests/e2e does too. Loopback or the given URL only; gives up
after --timeout seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import urllib.request


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


async def first_run(url: str, timeout: float) -> None:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ws_url = url.replace("http", "ws", 1) + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = "warm=1"  # app.py then imports torch and trains the teacher
        msg.rerun_script.page_name = ""  # Home: the one page the legacy mode knows
        await ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=timeout))
            if fwd.WhichOneof("type") == "script_finished":
                return


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url", nargs="?", default="http://127.0.0.1:8501", help="the server (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for it all (<= 600)")
    args = ap.parse_args(argv)
    if not 0 < args.timeout <= 600:
        ap.exit(2, "warm.py: --timeout must be in (0, 600]\n")
    url = args.url.rstrip("/")
    deadline = time.monotonic() + args.timeout
    while not healthy(url):
        if time.monotonic() > deadline:
            ap.exit(1, f"warm.py: {url} did not become healthy within {args.timeout:g} s\n")
        time.sleep(0.3)
    try:
        asyncio.run(first_run(url, max(1.0, deadline - time.monotonic())))
    except (OSError, TimeoutError) as err:
        ap.exit(1, f"warm.py: {url}: {err}\n")
    print(f"warm.py: {url} made its first run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
