"""Mutation testing of the modules that compute what learners see, one module at a time (issue 18).

    nice -n 15 python scripts/mutate.py                  # every module in pyproject's [tool.kdlab.mutate]
    nice -n 15 python scripts/mutate.py metrics qlearning  # some of them (a name matches the file's stem)
    python scripts/mutate.py --list                      # what would run, and with which tests

For each module it copies this checkout's files (those git tracks or does not ignore) into a scratch folder, narrows
pyproject.toml's [tool.mutmut] to that module and its own fast tests (the table
[tool.kdlab.mutate.modules]), runs `mutmut run` there on the module's functions (all of them, or
the ones listed), and prints the kill rate: killed (a test failed, or the mutant timed out) over
all mutants checked, a mutant with no test that reaches it counting as a survivor. `--survivors`
prints each survivor's diff. Slow (minutes per module on 2 cores): not part of CI. Results per
module and what survives are in docs/mutation.md.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {1, 3, 36, -24, 24, 152, 255}  # mutmut's exit codes for "killed" and "timeout"


def settings() -> tuple[dict, dict]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["tool"]["mutmut"], data["tool"]["kdlab"]["mutate"]["modules"]


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


def scratch_copy(dest: Path) -> None:
    """The checkout's files as they are on disk: tracked ones (uncommitted edits included) and new ones
    git does not ignore. On a fresh clone, that is the clone."""
    if dest.exists():
        shutil.rmtree(dest)
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, check=True).stdout  # fmt: skip
    for name in files.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)


def narrow(dest: Path, base: dict, module: str, tests: list[str]) -> None:
    """Rewrite the copy's [tool.mutmut] for one module and its tests (other tables kept as they are)."""
    cfg = dict(base) | {"only_mutate": [module], "pytest_add_cli_args_test_selection": tests}
    lines = (dest / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    start = lines.index("[tool.mutmut]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    body = [f"{key} = {toml_value(value)}" for key, value in cfg.items()]
    (dest / "pyproject.toml").write_text("\n".join([*lines[: start + 1], *body, *lines[end:]]) + "\n")


def functions_of(path: Path) -> list[str]:
    """Top-level functions and methods, named as mutmut names them (f, or ǁClassǁmethod)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(node.name)
        elif isinstance(node, ast.ClassDef):
            names += [f"ǁ{node.name}ǁ{f.name}" for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return names


def mutant_patterns(module: str, spec: dict) -> list[str]:
    """Every function of the module, or those `functions` lists, less those `skip` lists."""
    functions = spec.get("functions") or functions_of(ROOT / module)
    functions = [f for f in functions if f not in spec.get("skip", [])]
    dotted = module.removesuffix(".py").replace("/", ".")
    return [f"{dotted}.x{'_' if 'ǁ' not in f else ''}{f}__mutmut_*" for f in functions]


def run_module(module: str, spec: dict, base: dict, work: Path, children: int, survivors: bool) -> dict:
    dest = work / Path(module).stem
    scratch_copy(dest)
    narrow(dest, base, module, spec["tests"])
    patterns = mutant_patterns(module, spec)
    mutmut = [sys.executable, "-c", "from mutmut.__main__ import cli; cli()"]
    started = time.perf_counter()
    log = dest / "mutmut.log"
    with log.open("w") as out:
        proc = subprocess.run([*mutmut, "run", "--max-children", str(children), *patterns],
                              cwd=dest, stdout=out, stderr=subprocess.STDOUT, env=os.environ | {"CI": "1"})  # fmt: skip
    meta = dest / "mutants" / f"{module}.meta"
    if proc.returncode != 0 or not meta.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise SystemExit(f"{module}: mutmut failed (exit {proc.returncode}); the end of {log}:\n{tail}")
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    chosen = {k: v for k, v in codes.items() if any(fnmatch.fnmatch(k, p) for p in patterns)}
    killed = sorted(k for k, v in chosen.items() if v in KILLED)
    alive = sorted(k for k, v in chosen.items() if v not in KILLED)
    no_test = sorted(k for k in alive if chosen[k] in (5, 33))
    row = {
        "module": module,
        "mutants": len(chosen),
        "killed": len(killed),
        "survived": alive,
        "no_tests": len(no_test),
        "rate": len(killed) / len(chosen) if chosen else float("nan"),
        "seconds": time.perf_counter() - started,
        "tests": spec["tests"],
    }
    if survivors and alive:  # every diff from one process (`mutmut show` costs a second each)
        show = ("import sys\nfrom mutmut.mutation.diff_apply import get_diff_for_mutant\n"
                "for name in sys.stdin.read().split():\n"
                f"    print('--- survived:', name, '(no test reaches it)' if name in {no_test!r} else '')\n"
                f"    print(get_diff_for_mutant(name, path={module!r}))\n")  # fmt: skip
        out = subprocess.run([sys.executable, "-c", show], cwd=dest, input="\n".join(alive), capture_output=True, text=True)
        print(out.stdout + out.stderr[-2000:], flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="stems of the modules to run (default: all configured)")
    parser.add_argument("--list", action="store_true", help="list the modules and their tests, run nothing")
    parser.add_argument("--survivors", action="store_true", help="print the diff of every surviving mutant")
    parser.add_argument("--children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kdlab-mutate",
                        help="scratch folder (one copy of the checkout per module)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args(argv)
    base, modules = settings()
    unknown = set(modules) - set(base["only_mutate"])
    if unknown:
        parser.error(f"[tool.kdlab.mutate.modules] names modules [tool.mutmut] does not mutate: {sorted(unknown)}")
    chosen = [m for m in modules if not args.modules or Path(m).stem in args.modules]
    if args.modules and len(chosen) != len(args.modules):
        parser.error(f"known modules: {', '.join(Path(m).stem for m in modules)}")
    if args.list:
        for m in chosen:
            skip = modules[m].get("skip")
            print(f"{m}: {', '.join(modules[m].get('functions', ['all']))}{f' but {chr(44).join(skip)}' if skip else ''}"
                  f" <- {' '.join(modules[m]['tests'])}")  # fmt: skip
        return 0
    rows = []
    print(f"{'module':32} {'mutants':>7} {'killed':>6} {'survived':>8} {'kill rate':>9} {'time':>7}", flush=True)
    for m in chosen:
        row = run_module(m, modules[m], base, args.work, args.children, args.survivors)
        rows.append(row)
        print(f"{m:32} {row['mutants']:7d} {row['killed']:6d} {len(row['survived']):8d} "
              f"{row['rate']:9.1%} {row['seconds'] / 60:5.1f} min", flush=True)  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    low = [r["module"] for r in rows if not r["rate"] >= 0.8]
    if low:
        print(f"below 80%: {', '.join(low)}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
