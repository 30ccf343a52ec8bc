"""`python -m kdlab <command>`: run any experiment headless, check the bank, benchmark."""

from __future__ import annotations

import argparse
import json
import sys

from kdlab.core.params import ParamError, validate
from kdlab.core.result import jsonable
from kdlab.demos import DEMOS, load
from kdlab.practice.accounts import add_cli as add_accounts_cli
from kdlab.practice.accounts import cli_main as accounts_main


def _add_demo_parser(sub, demo: str) -> None:
    module = load(demo)
    doc = (module.__doc__ or "").strip().splitlines()[0]
    p = sub.add_parser(demo, help=doc, description=doc)
    for param in module.PARAMS:
        bounds = ""
        if param.choices:
            bounds = f" one of {', '.join(map(str, param.choices))};"
        elif param.low is not None or param.high is not None:
            bounds = f" range [{param.low}, {param.high}];"
        p.add_argument(
            f"--{param.name.replace('_', '-')}",
            dest=param.name,
            default=None,
            metavar=type(param.default).__name__.upper(),
            help=f"{param.help}{bounds} default {param.default}",
        )
    p.add_argument("--json", action="store_true", help="print the whole result as JSON")


def ready() -> int:
    """The app's dependencies, checked the way its first page uses them."""
    from kdlab.practice.bank import load_bank
    from kdlab.practice.progress import StoreUnavailable, open_store

    problems = []
    bank = load_bank()
    if not bank.questions:
        problems.append("question bank: no question loads (python -m kdlab check-bank says why)")
    try:
        with open_store() as store:
            store.learners()
    except StoreUnavailable as err:
        problems.append(f"progress database: {err}")
    for problem in problems:
        print(f"not ready: {problem}", file=sys.stderr)
    if not problems:
        print(f"ready: {len(bank.ids())} questions, progress database answers")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m kdlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check-bank", help="validate every question file and coding exercise")
    check.add_argument("root", nargs="?", default=None, help="bank folder (default: questions/)")
    check.add_argument("--exercise", default=None, help="check only this exercise (e.g. p09), case by case")
    sub.add_parser("bench", help="time and measure each demo's default run")
    sub.add_parser(
        "ready",
        help="readiness for a deployment's probe: the bank loads and the progress database answers",
        description="Exit 0 and print 'ready' when the question bank loads and the progress database "
        "answers a query; else exit 1 and say which part is not ready. /_stcore/health only says the "
        "web server is up.",
    )
    add_accounts_cli(sub)
    # The subcommand is always argv[0]; only its demo is imported (torch costs seconds).
    for demo in DEMOS:
        if argv and argv[0] == demo:
            _add_demo_parser(sub, demo)
        else:
            sub.add_parser(demo, help=f"run the {demo} demo (python -m kdlab {demo} --help)")
    args = parser.parse_args(argv)

    if args.command == "check-bank":
        from kdlab.practice.exercises import check_main

        return check_main(args.root, args.exercise)
    if args.command == "accounts":
        return accounts_main(args)
    if args.command == "ready":
        return ready()
    if args.command == "bench":
        from kdlab.bench import main as bench_main

        return bench_main()

    module = load(args.command)
    given = {p.name: getattr(args, p.name) for p in module.PARAMS if getattr(args, p.name) is not None}
    try:
        params = validate(module.PARAMS, given)
    except ParamError as err:
        parser.exit(2, f"python -m kdlab {args.command}: error: {err}\n")
    try:
        result = module.run(**params)
    except (ParamError, FileNotFoundError, ValueError) as err:
        # Settings that are valid one by one but impossible together, or data that is not on disk.
        parser.exit(2, f"python -m kdlab {args.command}: error: {err}\n")
    if args.json:
        print(json.dumps(jsonable(result), ensure_ascii=False))
    else:
        print(module.summarize(result))
    return 0
