"""Run a learner's code: a fresh process in a fresh temporary directory, fenced in, within limits.

    from kdlab.practice.sandbox import run_code, detect
    outcome = run_code(code, job, Limits.for_exercise(cpu_seconds=5, torch=False))
    outcome.records  # one dict per JSON line the runner wrote (values still in the wire format)

With Debian's bubblewrap (`bwrap`), each run gets new namespaces for everything (no network, its
own process tree, nothing of the host's file system but read-only Python and its libraries), a
small tmpfs as its only writable directory (also $HOME), a scrubbed environment, a new session,
and it dies with the server. A server running as root starts the sandbox as root (bubblewrap
needs no user namespace then) and the runner becomes an unprivileged user of its own before it
reads the learner's code: the kernel's process limit never applies to root. Without bubblewrap
the same runner runs as a plain subprocess with the same resource limits and an audit hook that
refuses processes, sockets, ctypes and files outside its directory: good against accidents on
one's own laptop, not a security boundary (`allowed()` never offers it on a shared server).

Limits (kernel rlimits, set before the sandbox starts): CPU time, address space, file size, open
files, no core dumps, processes; the server kills the whole run at its wall-clock limit. At most
KDLAB_EXERCISE_JOBS runs (default 2) at once server-wide: `exercise_jobs()`, the training queue's
own class (kdlab.core.jobs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import ipaddress
import json
import os
import resource
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kdlab.core.jobs import Jobs

ENV_SWITCH = "KDLAB_EXERCISES"  # "on": also on a server reachable from the network (needs bwrap); "off"
ENV_JOBS = "KDLAB_EXERCISE_JOBS"  # runs at once, server-wide
ENV_MEMORY = "KDLAB_EXERCISE_MEMORY_MB"  # address space of one run
RUNNER = Path(__file__).with_name("sandbox_runner.py")
BWRAP = "/usr/bin/bwrap"
UIDS = range(61000, 61064)  # the unprivileged users runs become when the server is root


@dataclass(frozen=True)
class Limits:
    """One run's limits. `cpu_seconds` covers importing numpy/torch and every case."""

    cpu_seconds: int = 6
    wall_seconds: float = 17.0
    memory_mb: int = 1024  # torch needs ~600 MB of address space just to import (measured)
    file_mb: int = 16  # any one file the code writes
    workdir_mb: int = 32  # the whole writable directory (bubblewrap's tmpfs)
    processes: int = 16  # threads included (torch starts a few)
    open_files: int = 256
    stdout_chars: int = 10_000  # the learner's printout kept per case
    output_mb: int = 32  # results read back; past it the run is stopped

    @classmethod
    def for_exercise(cls, cpu_seconds: float = 5, torch: bool = False) -> Limits:
        cpu = int(cpu_seconds + (3 if torch else 1))  # + importing torch (~1.5-2.5 s of CPU) or numpy
        memory = int(os.environ.get(ENV_MEMORY, "1024"))
        return cls(cpu_seconds=cpu, wall_seconds=2.0 * cpu + 5, memory_mb=memory)


@dataclass
class Outcome:
    """What came back: the runner's records, and how the process ended.

    `stop`: None (it finished), "wall", "cpu", "memory", "output" (wrote too much back),
    "crash" (died another way; `detail` has the end of its stderr, for the server's log)."""

    records: list[dict] = field(default_factory=list)
    stop: str | None = None
    detail: str = ""
    seconds: float = 0.0
    sandbox: str = "bwrap"
    limits: Limits | None = None  # the limits the run had


# ---------------------------------------------------------------- is it allowed here?


@dataclass(frozen=True)
class Availability:
    on: bool
    reason: str  # a locale key under exercise.disabled.* (when off) or exercise.sandbox.* (when on)
    sandbox: str | None  # "bwrap", "plain" or None


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to `address` is reachable only from this machine. Streamlit binds
    every interface when server.address is unset (None or "")."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed(address: str | None, env: dict | None = None) -> Availability:
    """Whether exercises run on a server bound to `address`, and in which sandbox.

    On loopback they run (in bubblewrap if it works here, else the plain fallback). On any other
    address only when the administrator sets KDLAB_EXERCISES=on AND bubblewrap works.
    KDLAB_EXERCISES=off turns them off everywhere."""
    env = os.environ if env is None else env
    switch = env.get(ENV_SWITCH, "").strip().lower()
    if switch in ("off", "0", "false", "no"):
        return Availability(False, "switched_off", None)
    works, _why = bwrap_works()
    if is_loopback(address):
        return Availability(True, "bwrap" if works else "plain", "bwrap" if works else "plain")
    if switch not in ("on", "1", "true", "yes"):
        return Availability(False, "network", None)
    if not works:
        return Availability(False, "no_bwrap", None)
    return Availability(True, "bwrap", "bwrap")


@functools.cache
def bwrap_works() -> tuple[bool, str]:
    """Whether bubblewrap is here and can start a sandbox (a container may forbid namespaces)."""
    if not os.access(BWRAP, os.X_OK):
        return False, f"{BWRAP} is not installed (Debian: apt-get install bubblewrap)"
    probe = [*_bwrap_args(Limits(), Path(tempfile.gettempdir())), sys.executable, "-I", "-c", "pass"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=30, env={}, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as err:
        return False, f"bwrap did not start: {err}"
    if done.returncode != 0:
        return False, f"bwrap cannot make a sandbox here: {done.stderr.decode(errors='replace')[-300:].strip()}"
    return True, "ok"


def detect() -> str:
    return "bwrap" if bwrap_works()[0] else "plain"


# ---------------------------------------------------------------- the queue


_JOBS: Jobs | None = None
_JOBS_LOCK = threading.Lock()


def exercise_jobs() -> Jobs:
    """The server's queue of exercise runs (process-wide, like the trainings' queue): at most
    KDLAB_EXERCISE_JOBS at once, and one queued or running per learner."""
    global _JOBS
    with _JOBS_LOCK:
        if _JOBS is None:
            _JOBS = Jobs(slots=max(1, int(os.environ.get(ENV_JOBS, "2"))), per_owner=1)
        return _JOBS


# ---------------------------------------------------------------- one run


def python_paths() -> list[str]:
    """Where Python, numpy and torch live: the only host folders a sandbox sees (read-only)."""
    found = [sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()]
    for name in ("numpy", "torch"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__file__", None):
            found.append(str(Path(module.__file__).resolve().parent.parent))
    real = sorted({os.path.realpath(p) for p in found if p and os.path.isdir(p)})
    # keep only the outermost folders, never the root itself
    outer = [p for p in real if p != "/" and not any(p != q and p.startswith(q.rstrip("/") + "/") for q in real)]
    return outer


SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")
INSIDE = "/sandbox"  # the run's files (read-only) inside bubblewrap
WORKDIR = "/tmp"  # the writable tmpfs inside bubblewrap


def _bwrap_args(limits: Limits, host_dir: Path) -> list[str]:
    args = [BWRAP]
    if os.geteuid() == 0:
        # Root needs no user namespace; without one the runner can become an unprivileged uid
        # (the process limit never applies to root, and uid 0 in a user namespace is root).
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-all", "--disable-userns"]
    args += ["--die-with-parent", "--new-session", "--clearenv"]
    for d in SYSTEM_DIRS:
        args += ["--ro-bind-try", d, d]
    for f in SYSTEM_FILES:
        args += ["--ro-bind-try", f, f]
    made: set[str] = set()
    for p in python_paths():
        if not any(p == d or p.startswith(d + "/") for d in SYSTEM_DIRS):
            # bubblewrap makes a bind's missing parents 0700: the runner's own uid could then not
            # read Python's files (/root/.pyenv/...: numpy's lazily imported submodules failed)
            for parent in reversed(Path(p).parents[:-1]):
                if str(parent) not in made:
                    made.add(str(parent))
                    args += ["--perms", "0755", "--dir", str(parent)]
            args += ["--ro-bind", p, p]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--size", str(limits.workdir_mb << 20), "--perms", "1777", "--tmpfs", WORKDIR]
    args += ["--ro-bind", str(host_dir), INSIDE, "--chdir", WORKDIR]
    for key, value in _env(WORKDIR).items():
        args += ["--setenv", key, value]
    return args


def _env(home: str) -> dict[str, str]:
    """Everything the learner's process sees of an environment: nothing of the server's."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


_UIDS_FREE = list(UIDS)
_UIDS_LOCK = threading.Lock()


def _user_tasks(uid: int) -> int:
    """Processes and threads this uid has now: the kernel's process limit counts them all."""
    n = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            n += int(fields.get("Threads", "1").strip() or 1)
    return n


def _limit(limits: Limits, nproc: int | None):
    def apply() -> None:
        cpu = limits.cpu_seconds
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))  # SIGXCPU, then SIGKILL a second later
        memory = limits.memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb << 20, limits.file_mb << 20))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if nproc is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))

    return apply


def run_code(code: str, job: dict, limits: Limits, sandbox: str | None = None) -> Outcome:
    """Run the learner's `code` on `job` (function, needs, tensors, cases: inputs only) in a
    fresh process and temporary directory, removed afterwards whatever happens."""
    sandbox = sandbox or detect()
    host_dir = Path(tempfile.mkdtemp(prefix="kdlab-exercise-"))
    uid = None
    try:
        (host_dir / "solution.py").write_text(code, encoding="utf-8")
        shutil.copyfile(RUNNER, host_dir / "runner.py")
        readable = [*python_paths(), *(d for d in SYSTEM_DIRS if os.path.isdir(d))]
        job = dict(job, stdout_limit=limits.stdout_chars)
        nproc = None
        if sandbox == "bwrap":
            where = INSIDE
            if os.geteuid() == 0:
                with _UIDS_LOCK:
                    uid = _UIDS_FREE.pop(0)
                job |= {"uid": uid, "nproc": limits.processes}
            else:
                nproc = _user_tasks(os.geteuid()) + limits.processes
            job |= {"workdir": WORKDIR, "readable": [*readable, INSIDE, "/proc/self", "/dev/null"]}
            command = [*_bwrap_args(limits, host_dir), sys.executable, "-I", "-B", f"{INSIDE}/runner.py",
                       f"{INSIDE}/job.json"]  # fmt: skip
            env: dict[str, str] = {}
            cwd = None
        else:
            work = host_dir / "work"
            work.mkdir()
            where = str(host_dir)
            nproc = None if os.geteuid() == 0 else _user_tasks(os.geteuid()) + limits.processes
            job |= {"workdir": str(work), "readable": [*readable, str(host_dir), "/proc/self", "/dev/null"]}
            command = [sys.executable, "-I", "-B", f"{where}/runner.py", f"{where}/job.json"]
            env, cwd = _env(str(work)), str(work)
        (host_dir / "job.json").write_text(json.dumps(job), encoding="utf-8")
        return dataclasses.replace(_watch(command, env, cwd, limits, _limit(limits, nproc), sandbox), limits=limits)
    finally:
        shutil.rmtree(host_dir, ignore_errors=True)
        if uid is not None:
            with _UIDS_LOCK:
                _UIDS_FREE.append(uid)


def _watch(command, env, cwd, limits: Limits, preexec, sandbox: str) -> Outcome:
    start = time.monotonic()
    out, err = bytearray(), bytearray()
    too_much = threading.Event()
    proc = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
        preexec_fn=preexec, start_new_session=True, close_fds=True,
    )  # fmt: skip

    lock, unreaped = threading.Lock(), [True]  # once reaped, the group id may belong to someone else

    def kill() -> None:
        with lock:
            if unreaped[0]:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

    def drain(stream, sink: bytearray, cap: int) -> None:
        fd = stream.fileno()
        while chunk := os.read(fd, 1 << 16):
            if len(sink) + len(chunk) > cap:
                too_much.set()
                kill()
                break
            sink += chunk

    readers = [
        threading.Thread(target=drain, args=(proc.stdout, out, limits.output_mb << 20), daemon=True),
        threading.Thread(target=drain, args=(proc.stderr, err, 64 << 10), daemon=True),
    ]
    for r in readers:
        r.start()
    timed_out = True
    deadline = start + limits.wall_seconds
    try:
        while time.monotonic() < deadline:
            # WNOWAIT: the process stays a zombie, so its group id cannot be reused before the kill
            if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                timed_out = False
                break
            time.sleep(0.02)
    finally:
        kill()  # the whole group, even after a normal exit: nothing may outlive the run
        with lock:
            proc.wait()
            unreaped[0] = False
        for r in readers:
            r.join(timeout=5)
        proc.stdout.close()
        proc.stderr.close()
    seconds = time.monotonic() - start
    records = []
    for line in bytes(out).splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            break  # a half-written last line (the run was stopped while writing)
        if isinstance(record, dict):
            records.append(record)
    code = proc.returncode
    signum = -code if code < 0 else code - 128 if code > 128 else 0
    stderr = err.decode("utf-8", errors="replace")
    if too_much.is_set():
        stop = "output"
    elif timed_out:
        stop = "wall"
    elif signum == signal.SIGXCPU or (signum == signal.SIGKILL and not timed_out):
        stop = "cpu"  # SIGXCPU at the soft limit, SIGKILL at the hard one a second later
    elif "MemoryError" in stderr or "bad_alloc" in stderr:
        stop = "memory"
    elif code != 0:
        stop = "crash"
    else:
        stop = None
    return Outcome(records, stop, stderr[-2000:], seconds, sandbox)

