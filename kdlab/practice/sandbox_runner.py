"""The part of an exercise run that happens INSIDE the sandbox, and the wire format both sides share.

This file is copied into each run's temporary directory and run there as a script: it imports only
the standard library and numpy (torch when the exercise needs it), never kdlab. It reads the job
(the function's name and each case's inputs: never an expected value), imports the learner's code,
calls the function once per case, and writes one JSON line per case to its standard output.

The server imports `encode` and `decode` from here. Values travel as JSON: numpy arrays as
{"__nd__": [dtype, shape, base64 of the raw little-endian bytes]} (exact, NaN and inf included),
tuples and dicts tagged, nothing that could run code when read (no pickle): the learner controls
what comes back, so the server decodes it with a depth limit, a whitelist of dtypes and a size
check of every array.
"""

from __future__ import annotations

import base64
import io
import json
import linecache
import os
import sys
import time
import traceback

DTYPES = frozenset(
    {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
    | {"float16", "float32", "float64", "complex64", "complex128"}
)
MAX_DEPTH = 32
CODE_NAME = "solution.py"  # the learner's code, as tracebacks name it


class WireError(ValueError):
    """A value that cannot travel (or be graded): its message is for the learner."""


# ---------------------------------------------------------------- the wire format


def encode(value, depth: int = 0):
    """A JSON-able form of `value`; torch tensors and numpy scalars travel as arrays."""
    if depth > MAX_DEPTH:
        raise WireError(f"nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        value = value.detach().cpu().resolve_conj().numpy()
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray | np.generic):
        arr = np.asarray(value)
        if arr.dtype.name not in DTYPES:
            raise WireError(f"an array of dtype {arr.dtype} cannot be graded (numbers or booleans only)")
        arr = np.asarray(arr, dtype=arr.dtype.newbyteorder("<"), order="C")  # not ascontiguousarray: 0-d stays 0-d
        return {"__nd__": [arr.dtype.name, list(arr.shape), base64.b64encode(arr.tobytes()).decode("ascii")]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if isinstance(k, bool) or not isinstance(k, str | int):
                raise WireError(f"a dict key must be a string or an integer, not {type(k).__name__}")
            items.append([k, encode(v, depth + 1)])
        return {"__dict__": items}
    raise WireError(
        f"a {type(value).__name__} cannot be graded: return numbers, arrays"
        + (", tensors" if torch is not None else "")
        + ", or lists, tuples and dicts of them"
    )


def decode(value, depth: int = 0, *, max_bytes: int = 64 << 20):
    """The value `encode` made, checked: arrays only of DTYPES, their bytes matching their shape."""
    if depth > MAX_DEPTH:
        raise WireError(f"nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [decode(v, depth + 1, max_bytes=max_bytes) for v in value]
    if not isinstance(value, dict) or len(value) != 1:
        raise WireError("not a value this format makes")
    (tag, body), = value.items()
    if tag == "__tuple__" and isinstance(body, list):
        return tuple(decode(v, depth + 1, max_bytes=max_bytes) for v in body)
    if tag == "__dict__" and isinstance(body, list):
        out = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str | int)):
                raise WireError("a malformed dict")
            out[pair[0]] = decode(pair[1], depth + 1, max_bytes=max_bytes)
        return out
    if tag == "__nd__" and isinstance(body, list) and len(body) == 3:
        import numpy as np

        name, shape, data = body
        if name not in DTYPES or not isinstance(data, str) or not isinstance(shape, list):
            raise WireError("a malformed array")
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape) or len(shape) > 32:
            raise WireError("a malformed array shape")
        dtype = np.dtype(name).newbyteorder("<")
        if len(data) > max_bytes * 4 // 3 + 4:
            raise WireError("an array too large to grade")
        raw = base64.b64decode(data.encode("ascii"), validate=True)
        count = 1
        for n in shape:
            count *= n
        if count * dtype.itemsize != len(raw):
            raise WireError("an array whose bytes do not match its shape")
        return np.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("=")).reshape(shape)
    raise WireError("not a value this format makes")


def to_torch(value):
    """Numpy arrays inside `value` as torch tensors (exercises with `tensors = true`)."""
    import numpy as np
    import torch

    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value))  # a writable copy
    if isinstance(value, tuple | list):
        return type(value)(to_torch(v) for v in value)
    if isinstance(value, dict):
        return {k: to_torch(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- inside the sandbox


class CappedText(io.TextIOBase):
    """sys.stdout and sys.stderr while a case runs: the first `limit` characters, and a count."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.kept, self.total = limit, [], 0, 0

    def write(self, s) -> int:
        s = str(s)
        self.total += len(s)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(s[:room])
            self.kept += min(room, len(s))
        return len(s)

    def take(self) -> tuple[str, int]:
        text, total = "".join(self.parts), self.total
        self.parts, self.kept, self.total = [], 0, 0
        return text, total

    def writable(self) -> bool:
        return True


REFUSED = {
    "process": "starting processes is not allowed here",
    "network": "the sandbox has no network",
    "ctypes": "ctypes is not allowed here",
    "file": "only the current directory can be written, and files outside Python are not readable",
    "signal": "sending signals is not allowed here",
    "introspect": "walking the interpreter's objects is not allowed here",
}
_EVENTS = {
    "os.system": "process", "os.exec": "process", "os.posix_spawn": "process", "os.spawn": "process",
    "os.fork": "process", "os.forkpty": "process", "subprocess.Popen": "process", "pty.spawn": "process",
    "os.startfile": "process",
    "socket.__new__": "network", "socket.connect": "network", "socket.bind": "network",
    "socket.getaddrinfo": "network", "socket.sendto": "network", "socket.gethostbyname": "network",
    "ctypes.dlopen": "ctypes", "ctypes.dlsym": "ctypes", "ctypes.cdata": "ctypes",
    "ctypes.call_function": "ctypes", "ctypes.addressof": "ctypes", "ctypes.string_at": "ctypes",
    "os.kill": "signal", "os.killpg": "signal", "signal.pthread_kill": "signal",
    "gc.get_objects": "introspect", "gc.get_referrers": "introspect", "gc.get_referents": "introspect",
}  # fmt: skip
_BLOCKED_IMPORTS = {
    "ctypes": "ctypes", "_ctypes": "ctypes", "socket": "network", "_socket": "network", "ssl": "network",
    "subprocess": "process", "_posixsubprocess": "process", "multiprocessing": "process", "pty": "process",
}  # fmt: skip
_WRITES = ("os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.link", "os.symlink",
           "os.truncate", "os.utime", "shutil.rmtree")  # fmt: skip
_TWO_PATHS = ("os.rename", "os.link", "os.symlink")


def guard(readable: list[str], writable: str) -> None:
    """Refuse, with a clear message, what learner code has no business doing (an audit hook).

    Inside bubblewrap the kernel already forbids all of this (no network, no other files, a
    process limit); the hook turns a cryptic failure into a plain sentence. Without bubblewrap (a
    learner's own laptop) it is the only fence besides the resource limits, and a determined
    program can get round an audit hook: that mode is never offered on a shared server.
    """
    readable = [os.path.realpath(p) for p in readable]
    writable = os.path.realpath(writable)

    def inside(path, roots) -> bool:
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return any(real == r or real.startswith(r.rstrip("/") + "/") for r in roots)

    def refusal(event: str, args: tuple) -> str | None:
        kind = _EVENTS.get(event)
        if kind is not None:
            return kind
        if event == "import":
            return _BLOCKED_IMPORTS.get(str(args[0]).split(".")[0]) if args else None
        if not args or isinstance(args[0], int):  # an open file descriptor, or nothing to check
            return None
        if event == "open":
            path, mode, flags = [*args, None, None][:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC)
            )
            return None if inside(path, [writable] if writing else [writable, *readable]) else "file"
        if event in ("os.listdir", "os.scandir"):
            return None if inside(args[0] if args[0] is not None else ".", [writable, *readable]) else "file"
        if event in _WRITES:
            targets = [args[0]] + [a for a in args[1:2] if isinstance(a, str | bytes) and event in _TWO_PATHS]
            return None if all(inside(t, [writable]) for t in targets) else "file"
        return None

    def hook(event: str, args: tuple) -> None:
        kind = refusal(event, args)
        if kind is not None:
            raise PermissionError(f"{REFUSED[kind]} ({event} {args[0]})" if event == "import" else f"{REFUSED[kind]} ({event})")

    torch = sys.modules.get("torch")
    if torch is not None:  # C-level file access that no audit event sees
        for owner in (torch, getattr(torch, "UntypedStorage", None)):
            if owner is not None and hasattr(owner, "from_file"):
                owner.from_file = _refused_from_file
    for name in ("_posixsubprocess", "ctypes", "_ctypes"):
        module = sys.modules.pop(name, None)
        if name == "_posixsubprocess" and module is not None:
            module.fork_exec = _refused_process
    subprocess = sys.modules.get("subprocess")
    if subprocess is not None:
        subprocess._fork_exec = _refused_process
    sys.addaudithook(hook)


def _refused_from_file(*_args, **_kwargs):
    raise PermissionError(REFUSED["file"] + " (from_file)")


def _refused_process(*_args, **_kwargs):
    raise PermissionError(REFUSED["process"] + " (fork_exec)")


def learner_traceback(err: BaseException) -> tuple[str, int | None]:
    """The traceback from the learner's own frames only (the runner's are noise), and the last
    line of their code it passed through."""
    te = traceback.TracebackException.from_exception(err, limit=50)
    frames = [f for f in te.stack if f.filename == CODE_NAME]
    te.stack = traceback.StackSummary.from_list(frames)
    line = frames[-1].lineno if frames else getattr(err, "lineno", None) if isinstance(err, SyntaxError) else None
    return "".join(te.format()), line


def load_function(source: str, name: str, capture: CappedText):
    """Run the learner's module and return its function named `name` (raises what it raised)."""
    linecache.cache[CODE_NAME] = (len(source), None, source.splitlines(True), CODE_NAME)
    namespace = {"__name__": "solution", "__file__": CODE_NAME, "__builtins__": __builtins__}
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture
    try:
        exec(compile(source, CODE_NAME, "exec"), namespace)
    finally:
        sys.stdout, sys.stderr = saved
    function = namespace.get(name)
    if not callable(function):
        raise NameError(f"your code defines no function named {name!r}")
    return function


def execute(source: str, job: dict, cases: list, emit, capture: CappedText) -> None:
    """Load the code, then call its function once per case; one record per step through `emit`.

    Records: {"loaded": True, stdout} or {"load_error": traceback, "type", "line", stdout}, then
    per case {"i", "value" (encoded) | "error", "message", "traceback", "line"; "seconds", stdout}."""
    try:
        function = load_function(source, job["function"], capture)
    except BaseException as err:
        text, line = learner_traceback(err)
        stdout, total = capture.take()
        emit({"load_error": text, "type": type(err).__name__, "message": str(err)[:1000], "line": line,
              "stdout": stdout, "stdout_total": total})  # fmt: skip
        return
    stdout, total = capture.take()
    emit({"loaded": True, "stdout": stdout, "stdout_total": total})
    run_cases(function, cases, job.get("tensors", False), emit, capture)


def run_cases(function, cases: list, tensors: bool, emit, capture: CappedText) -> None:
    for i, (args, kwargs) in enumerate(cases):
        if tensors:
            args, kwargs = to_torch(args), to_torch(kwargs)
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = capture
        start = time.perf_counter()
        try:
            value = function(*args, **kwargs)
            seconds = time.perf_counter() - start
            record = {"i": i, "value": encode(value)}
        except BaseException as err:
            seconds = time.perf_counter() - start
            text, line = ("", None) if isinstance(err, WireError) else learner_traceback(err)
            record = {"i": i, "error": type(err).__name__, "message": str(err)[:1000], "traceback": text, "line": line}
        finally:
            sys.stdout, sys.stderr = saved
        stdout, total = capture.take()
        record.update(seconds=seconds, stdout=stdout, stdout_total=total)
        emit(record)


def main(job_path: str) -> None:
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")  # results; the learner's prints are captured
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)

    def emit(record: dict) -> None:
        out.write(json.dumps(record) + "\n")
        out.flush()

    if "numpy" in job["needs"] or "torch" in job["needs"]:
        import numpy  # noqa: F401
    if "torch" in job["needs"]:
        import torch

        torch.set_num_threads(1)
    cases = [(decode(c["args"]), decode(c["kwargs"])) for c in job["cases"]]
    code_path = os.path.join(os.path.dirname(os.path.abspath(job_path)), CODE_NAME)
    with open(code_path, encoding="utf-8") as f:
        source = f.read()
    os.chdir(job["workdir"])
    if job.get("uid") is not None:
        # Started as root inside bubblewrap (the server runs as root): become an unprivileged user
        # of our own, so the kernel's process limit applies (it never does to root).
        import resource

        os.chmod(job["workdir"], 0o1777)
        resource.setrlimit(resource.RLIMIT_NPROC, (job["nproc"], job["nproc"]))
        os.setgroups([])
        os.setgid(job["uid"])
        os.setuid(job["uid"])
    guard(job["readable"], job["workdir"])
    execute(source, job, cases, emit, CappedText(job["stdout_limit"]))


if __name__ == "__main__":
    main(sys.argv[1])
