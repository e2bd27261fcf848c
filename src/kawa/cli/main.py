"""``kawa``: run Argo Workflows YAML on this machine.

Errors print as one line (``kawa: ...``, or ``file:line:col: field: message`` for bad
documents) with exit status 1; ``--debug`` shows the traceback.  Heavy imports (the
engine, the executor, Rich) happen inside the commands that need them, so ``kawa run``
starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from kawa.spec.errors import KawaError, SpecError


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only_run=given[:1] == ["run"])
    args = parser.parse_args(given)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        code: int = args.handler(args)
        return code
    except SpecError as error:
        for issue in error.issues:
            print(str(issue), file=sys.stderr)
        return 1
    except KawaError as error:
        if args.debug:
            raise
        print(f"kawa: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kawa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as error:
        if args.debug:
            raise
        print(
            f"kawa: internal error: {type(error).__name__}: {error} (run with --debug)",
            file=sys.stderr,
        )
        return 1


def build_parser(*, only_run: bool = False) -> argparse.ArgumentParser:
    """The ``kawa`` parser; with ``only_run``, just ``kawa run`` (it needs no other:
    building all of them costs ~10 ms of its start-up)."""
    parser = _Parser(prog="kawa", description="Run Argo Workflows YAML locally.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command")
    from kawa.cli import commands

    commands.register(sub, only_run=only_run)
    if only_run:
        return parser
    from kawa.cli import cache, objects, restarts, serve

    restarts.register(sub)
    restarts.register_provenance(sub)
    restarts.register_cp(sub)
    objects.register(sub)
    cache.register(sub)
    serve.register(sub)
    return parser


class _Help(argparse.HelpFormatter):
    """argparse's help, sized to the terminal as ``shutil.get_terminal_size`` would.

    argparse makes one of these for every argument it adds, and its own imports
    ``shutil`` (with zlib, bz2 and lzma): ~1.5 ms of every start-up.
    """

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=terminal_columns() - 2)


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` (subcommands' too) whose help is ``_Help``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)


def terminal_columns() -> int:
    """``$COLUMNS``, else the width of the terminal on stdout, else 80."""
    with contextlib.suppress(KeyError, ValueError):
        columns = int(os.environ["COLUMNS"])
        if columns > 0:
            return columns
    with contextlib.suppress(AttributeError, ValueError, OSError):
        columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        if columns > 0:
            return columns
    return 80


def parse_parameters(
    pairs: Sequence[str] | None, files: Sequence[str] | None = None
) -> dict[str, str]:
    values: dict[str, str] = {}
    for path in files or []:
        values.update(_parameter_file(path))
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise KawaError(f"-p {pair!r}: expected NAME=VALUE")
        values[name] = value
    return values


def _parameter_file(path: str) -> dict[str, str]:
    from kawa.spec.loading import load_text

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        raise KawaError(f"--parameter-file {path}: {error.strerror}") from error
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise KawaError(f"--parameter-file {path}: not YAML/JSON: {error}") from error
    del load_text
    if not isinstance(data, dict):
        raise KawaError(f"--parameter-file {path}: expected a map of parameter names to values")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


def is_terminal() -> bool:
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


if __name__ == "__main__":
    from kawa.cli.entry import entry

    entry()
