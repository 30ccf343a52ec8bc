"""The exercise sandbox against hostile submissions (kdlab.practice.sandbox).

Each submission is graded as a learner's would be (kdlab.practice.exercises.grade on p20), with
limits made small so the suite stays fast. Each must be stopped or refused with a clear message,
leave no temporary directory and no process behind, and not hold up another learner meanwhile.

bubblewrap is the sandbox a shared server needs: without it these tests skip, except in CI
(KDLAB_REQUIRE_BWRAP=1, set by .ci/run, which installs it), where they fail. A few also run in the
plain fallback (a learner's own laptop).
"""

from __future__ import annotations

import dataclasses
import os
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from kdlab.practice import sandbox
from kdlab.practice.exercises import describe, exercise_for, grade

# Runs leave no temporary folder or process behind: checked over the whole machine, so every test that
# runs submissions stays in one pytest-xdist worker (two workers saw each other's runs as leftovers).
pytestmark = pytest.mark.xdist_group("sandbox")

HEAD = "import os\n\ndef precision_recall_f1(C, average=None):\n"
SECRET = "kdlab-test-secret-7f3a"


def require_bwrap() -> None:
    works, why = sandbox.bwrap_works()
    if not works:
        if os.environ.get("KDLAB_REQUIRE_BWRAP") == "1":
            pytest.fail(f"KDLAB_REQUIRE_BWRAP=1 but the sandbox cannot run: {why}", pytrace=False)
        pytest.skip(f"bubblewrap: {why}")


@pytest.fixture(params=["bwrap", "plain"])
def mode(request) -> str:
    if request.param == "bwrap":
        require_bwrap()
    return request.param


@pytest.fixture
def bwrap() -> str:
    require_bwrap()
    return "bwrap"


def leftovers() -> tuple[list[str], list[str]]:
    """Temporary directories and processes of exercise runs that outlived them."""
    dirs = [p.name for p in Path(tempfile.gettempdir()).glob("kdlab-exercise-*")]
    procs = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "kdlab-exercise-" in text or "/sandbox/runner.py" in text:
            procs.append(text.replace("\0", " ")[:120])
    return dirs, procs


def hostile(code: str, mode: str, **limits):
    """Grade `code` on p20's examples in the sandbox `mode`, with small limits; check the run left
    nothing behind; return the report and its first case."""
    ex = exercise_for("p20")
    small = {"cpu_seconds": 2, "wall_seconds": 8.0, "memory_mb": 400} | limits

    def run(c, job, lim):
        return sandbox.run_code(c, job, dataclasses.replace(lim, **small), sandbox=mode)

    report = grade(ex, HEAD + code, everything=False, run=run)
    assert leftovers() == ([], [])
    first = report.results[0] if report.results else None
    return report, first


def said(report, first) -> str:
    parts = [describe(report.load)] if report.load else []
    if first is not None:
        parts += [describe(first.note), first.stdout, first.traceback]
    return "\n".join(parts)


def test_numpys_lazily_imported_parts_work_for_a_learner(mode):
    """np.unique (numpy.ma), np.random, np.fft and np.polynomial load on first use: in bubblewrap
    they failed with ModuleNotFoundError when the runner's uid could not read Python's folder
    (its parents under /root were made 0700), so a right answer to p03 failed."""
    code = (
        "    import numpy as np\n"
        "    np.unique([2, 1]); np.random.default_rng(0).random(); np.fft.rfft(np.ones(4))\n"
        "    np.polynomial.Polynomial([1, 2])(3.0)\n"
        "    print('loaded')\n"
        "    raise ValueError('after the imports')\n"
    )
    report, first = hostile(code, mode)
    assert first.stdout.strip() == "loaded" and "after the imports" in first.traceback, said(report, first)


def test_an_infinite_loop_is_stopped_at_its_cpu_limit(mode):
    start = time.monotonic()
    report, first = hostile("    while True:\n        pass\n", mode)
    assert report.stop in ("cpu", "wall") and first.note[0] == "stopped_here"
    assert "CPU time" in said(report, first) or "longer than" in said(report, first)
    assert time.monotonic() - start < 20
    assert all(r.note[0] == "not_reached" for r in report.results[1:])


def test_a_fork_bomb_is_refused(mode):
    report, first = hostile("    while True:\n        os.fork()\n", mode)
    assert "starting processes is not allowed" in said(report, first)


def test_a_thread_bomb_stops_at_the_kernels_process_limit(bwrap):
    # threads count as processes for RLIMIT_NPROC; no audit hook sees them, only the kernel
    code = ("    import threading\n    stop = threading.Event()\n    n = 0\n    try:\n        while n < 1000:\n"
            "            threading.Thread(target=stop.wait).start()\n            n += 1\n"
            "    except RuntimeError as err:\n        print('stopped at', n, err)\n    stop.set()\n    return n\n")
    _report, first = hostile(code, bwrap)
    assert "stopped at" in first.stdout and "can't start new thread" in first.stdout
    assert int(first.got) < sandbox.Limits().processes


def test_a_memory_hog_runs_out_of_memory(mode):
    _report, first = hostile("    hog = []\n    while True:\n        hog.append(bytearray(10**7))\n", mode)
    assert first.note[0] == "memory" and "400 MB" in describe(first.note)
    assert "out of memory" in describe(first.note, "en") and "内存" in describe(first.note, "zh")


def test_a_huge_print_is_cut(mode):
    # (a print loop is an infinite loop: stopped like one, above)
    _report, first = hostile("    print('x' * 5_000_000)\n    return 0\n", mode)
    assert len(first.stdout) < 11_000 and "4,990,001 more characters not kept" in first.stdout


def test_a_huge_result_is_refused(mode):
    report, first = hostile("    import numpy as np\n    return np.ones(2_000_000)\n", mode, output_mb=1)
    assert report.stop == "output" and first.note[0] == "stopped_here"
    assert "more than 1 MB" in describe(first.note)


def test_writing_outside_its_directory_is_refused(mode, tmp_path):
    target = tmp_path / "pwned"
    code = (f"    for path in [{str(target)!r}, '/etc/pwned', {str(Path.home() / 'pwned')!r}]:\n"
            "        try:\n            open(path, 'w').write('x')\n            print('WROTE', path)\n"
            "        except OSError as err:\n            print('refused', path, type(err).__name__)\n"
            "    open('mine.txt', 'w').write('fine')\n    return open('mine.txt').read()\n")
    _report, first = hostile(code, mode)
    assert "WROTE" not in first.stdout and first.stdout.count("refused") == 3
    assert first.got == "'fine'"  # its own directory is writable
    assert not target.exists() and not Path("/etc/pwned").exists() and not (Path.home() / "pwned").exists()


def test_the_progress_database_and_the_servers_environment_are_out_of_reach(mode, tmp_path, monkeypatch):
    from kdlab.practice.progress import open_store

    db = tmp_path / "progress.db"
    monkeypatch.setenv("KDLAB_DB_PATH", str(db))
    monkeypatch.setenv("KDLAB_TEST_SECRET", SECRET)
    with open_store() as store:
        store.record_quiz(store.learner(SECRET), "c03-knowledge-distillation", 0, True, "en")
    code = (f"    for path in [{str(db)!r}, '/proc/1/environ', '/proc/%d/environ' % os.getppid(), "
            f"{str(Path(__file__))!r}]:\n"
            "        try:\n            print('READ', path, open(path, 'rb').read()[:200])\n"
            "        except OSError as err:\n            print('refused', path, type(err).__name__)\n"
            "    print(dict(os.environ))\n    return 0\n")
    _report, first = hostile(code, mode)
    assert "READ " not in first.stdout and SECRET not in first.stdout
    assert "KDLAB" not in first.stdout and "HOME" in first.stdout  # a scrubbed environment


def test_a_socket_gets_no_network(mode):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    port = server.getsockname()[1]
    code = (f"    import socket\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n    return 0\n")
    report, first = hostile(code, mode)
    assert "no network" in said(report, first)
    with pytest.raises(TimeoutError):
        server.accept()  # nothing ever connected
    server.close()


def test_a_socket_without_the_audit_hook_still_has_no_network(bwrap):
    # The kernel's part: inside bubblewrap there is no network at all (the hook aside: a raw
    # socket module from the interpreter's own copy would meet an empty network namespace).
    code = "    return open('/proc/net/dev').read().count(':')\n"
    _report, first = hostile(code, bwrap)
    assert first.got == "1"  # only the loopback interface, down


def test_ctypes_and_os_system_are_refused(mode, tmp_path):
    marker = tmp_path / "ran"
    report, first = hostile(f"    import ctypes\n    ctypes.CDLL(None).system(b'touch {marker}')\n", mode)
    assert "ctypes is not allowed" in said(report, first)
    report, first = hostile(f"    return os.system('touch {marker}')\n", mode)
    assert "starting processes is not allowed" in said(report, first)
    assert not marker.exists()


def test_another_learner_is_not_held_up_by_a_hostile_run(bwrap):
    """While an infinite loop takes one of the two slots, another learner's submission completes
    in about its usual time, and the server's own threads keep ticking."""
    ex = exercise_for("p20")
    jobs = sandbox.Jobs(slots=2, per_owner=1)
    small = {"cpu_seconds": 3, "wall_seconds": 10.0, "memory_mb": 400}

    def run(c, job, lim):
        return sandbox.run_code(c, job, dataclasses.replace(lim, **small), sandbox=bwrap)

    solution = (Path(ex.path) / "solution.py").read_text()
    start = time.monotonic()
    alone = grade(ex, solution, everything=True, run=run)
    usual = time.monotonic() - start
    assert alone.passed

    ticks, stop = [], threading.Event()

    def tick() -> None:
        last = time.monotonic()
        while not stop.is_set():
            time.sleep(0.01)
            now = time.monotonic()
            ticks.append(now - last)
            last = now

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    loop = jobs.submit(("hostile",), lambda _: grade(ex, HEAD + "    while True:\n        pass\n",
                                                     everything=False, run=run), owner="mallory")  # fmt: skip
    time.sleep(0.5)
    start = time.monotonic()
    other = jobs.submit(("other",), lambda _: grade(ex, solution, everything=True, run=run), owner="ada")
    report = other.future.result(timeout=60)
    waited = time.monotonic() - start
    assert report.passed and not loop.future.done()  # ada finished while mallory's loop still ran
    assert waited < max(3 * usual, usual + 3), (waited, usual)
    assert loop.future.result(timeout=30).stop in ("cpu", "wall")
    stop.set()
    ticker.join()
    assert max(ticks) < 0.5  # the server's threads were never blocked for long
    assert leftovers() == ([], [])
