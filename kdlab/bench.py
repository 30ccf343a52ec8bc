"""`python -m kdlab bench`: wall time and peak memory of each demo's default run.

Each case runs in a fresh process, so its peak resident memory is its own and
imports are not counted in its time (they are paid once when the app starts).
A benchmark prints figures; it never fails because a shared machine was slow.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable

# name -> (what is timed, the target from the issue, in seconds)
TARGETS = {
    "regression": 0.5,
    "qlearning": 2.0,
    "cnn": 10.0,
    "distill-teacher": None,
    "distill": 5.0,
    "distill-sweep": None,
    "distill-omit": None,
    "logistic": 1.0,
    "tree": 1.0,
    "ensemble": 1.0,
    "ensemble-bias_variance": None,
    "metrics": 1.0,
    "svm": 1.0,
    "pca": 1.5,
    "capacity": 1.0,
    "losses": 0.5,
    "rnn": 5.0,
    "detect": 10.0,
    "segment": 10.0,
    "attention": 10.0,
    "forecast": 10.0,
    "gan": 10.0,
    "gan_digits": 10.0,
    "playground": 2.0,
    "optimizers": 5.0,
    "adversarial": 10.0,
    "augment": 10.0,
    "transfer": 10.0,
}


def _ecommerce_cases() -> dict:
    try:
        from kdlab.shop.ecommerce import bench_cases
    except ImportError:  # the e-commerce scenarios are optional here
        return {}
    return {f"ecommerce-{name}": call for name, call in bench_cases()}


def _case(name: str) -> tuple[Callable[[], object] | None, Callable[[], object]]:
    """(setup, timed call); setup is not timed: it stands for the page's caches (the teacher)."""
    if name.startswith("ecommerce-"):
        return None, _ecommerce_cases()[name]
    from kdlab.demos import load

    demo, _, experiment = name.partition("-")
    module = load(demo)
    if experiment == "teacher":
        return None, module.default_teacher
    params = {"experiment": experiment} if experiment else {}
    setup = module.default_teacher if demo == "distill" else None
    return setup, lambda: module.run(**params)


def _measure(name: str) -> dict:
    setup, call = _case(name)
    if setup is not None:
        setup()
    start = time.perf_counter()
    call()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_mb()}


def _peak_mb() -> float:
    """This process's peak resident memory. VmHWM starts afresh at exec; ru_maxrss would count
    the parent's peak, inherited through fork."""
    try:
        with open("/proc/self/status") as f:
            kib = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: the best we have
    return kib / 1024


def main() -> int:
    import os

    names = list(TARGETS) + list(_ecommerce_cases())
    print(f"{'demo (default settings)':<28}{'wall time':>12}{'target':>10}{'peak memory':>14}")
    env = os.environ | {"KDLAB_TORCH_THREADS": os.environ.get("KDLAB_TORCH_THREADS", "1")}
    for name in names:
        out = subprocess.run(
            [sys.executable, "-m", "kdlab.bench", name], capture_output=True, text=True, env=env, timeout=600
        )
        if out.returncode != 0:
            print(f"{name:<28}{'failed':>12}   {out.stderr.strip().splitlines()[-1:]}")
            continue
        m = json.loads(out.stdout.strip().splitlines()[-1])
        target = TARGETS.get(name)
        target_text = f"< {target:g} s" if target else "—"
        print(f"{name:<28}{m['seconds']:>10.2f} s{target_text:>10}{m['peak_mb']:>11.0f} MB")
    print("(each case in a fresh process, 1 torch thread; imports and cached setup such as the teacher not timed)")
    return 0


if __name__ == "__main__":
    print(json.dumps(_measure(sys.argv[1])))
