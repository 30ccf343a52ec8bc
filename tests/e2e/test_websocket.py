"""Probes a client can send over Streamlit's websocket without a browser (issue 17)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from appserver import ROOT

pytestmark = pytest.mark.e2e


def _learner(url: str, demo: str):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from load import WsLearner
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return WsLearner(url, 0, argparse.Namespace(demo=demo, timeout=90))


async def _clear_cache(url: str) -> None:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg

    async with websockets.connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"]) as ws:
        msg = BackMsg()
        msg.clear_cache = True
        await ws.send(msg.SerializeToString())
        await asyncio.sleep(1.0)  # the server handles it before the next client's rerun


def _kinds(elements) -> list[str]:
    return [e.WhichOneof("type") for e in elements]


def test_a_clients_cache_clear_neither_retrains_nor_reopens_the_queue(app_url):
    """Issue 17 item 4: a websocket BackMsg(clear_cache=True), which any client can send, rebuilt the
    job queue and the result stores: every learner's next visit retrained, 6 trainings at once."""

    async def probe() -> tuple[list[str], list[str]]:
        a = _learner(app_url, "cnn")
        await a.open()  # trains the default run, or finds it stored by an earlier test
        first = _kinds(a.elements)
        await _clear_cache(app_url)
        await a.run_script()  # the same learner's next run: served from the store, no training
        again = _kinds(a.elements)
        await a.close()
        return first, again

    # In a thread of its own: Playwright's sync API (the other browser tests) keeps an event loop
    # running in this one, and asyncio.run() refuses to start a second.
    with ThreadPoolExecutor(1) as pool:
        first, again = pool.submit(asyncio.run, probe()).result()
    assert "plotly_chart" in first and "plotly_chart" in again, (first, again)
    assert "progress" not in again, "the stored result was dropped by a client's cache clear: it retrained"
