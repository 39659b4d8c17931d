"""The command line: one module per command group, each with `register(subparsers)`.

Machine-readable output is JSON Lines on stdout; progress and messages for people go to stderr.
A command module adds its subcommands and sets `func` (args -> exit code) on each.

Exit status, for every command: 0 done, 1 an error (the message says which file, key or URL), 2
wrong arguments, 130 interrupted; a command may give more meanings in its own --help (alerts: 3).
A reader that stops early (`monitor stories export | head`) ends the command quietly.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from monitor import __version__
from monitor.allocator import cap_arenas
from monitor.errors import MonitorError
from monitor.logs import configure_logging

# Registered command modules, in the order `monitor --help` lists them, with the commands each adds.
# A command line imports only its command's module: the others pull in the model, extraction or the
# web stack, which `monitor once` and `monitor run` must not pay for at every start.
COMMAND_MODULES = {
    "monitor.cli.daemon": ("run", "once", "demo"),
    "monitor.cli.configcmd": ("check-config",),
    "monitor.cli.extractcmd": ("extract",),
    "monitor.cli.clustercmd": ("similarity", "cluster"),
    "monitor.cli.watchcmd": ("match", "watchlists"),  # watchlists test/parse
    "monitor.cli.alertscmd": ("alerts", "test-alert"),  # alerts list/retry
    "monitor.cli.feedscmd": ("feeds",),  # list/add/import/export (+ feedsedit: enable/disable/...)
    "monitor.cli.storiescmd": ("stories", "backfill"),  # stories list/show/export
    "monitor.cli.webcmd": ("web",),
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of `argv`'s command, or of every command (for help, or a command nobody knows)."""
    parser = argparse.ArgumentParser(
        prog="monitor", description="News monitoring and alerting daemon.",
        epilog="exit status: 0 done; 1 an error (the message names the file, key or URL); 2 wrong arguments; "
               "130 interrupted. `alerts retry` and `alerts send` also use 3: some alert was not delivered "
               "or was left as it was (see their --help).")
    parser.add_argument("--version", action="version", version=f"monitor {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    command = next((word for word in (argv or ()) if not word.startswith("-")), None)
    wanted = [name for name, commands in COMMAND_MODULES.items() if command in commands]
    for name in wanted or COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    cap_arenas()  # before any worker thread starts
    try:
        try:
            return _run(sys.argv[1:] if argv is None else argv)
        finally:  # also after --help (SystemExit): a closed pipe shows here, where it can be caught
            sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
        return 1


def _run(argv: Sequence[str]) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    configure_logging(level=logging.DEBUG if args.verbose else logging.INFO)
    try:
        return int(args.func(args) or 0)
    except MonitorError as exc:
        print(f"monitor: error: {exc}", file=sys.stderr)
        return 1
    except (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError) as exc:
        if args.verbose or exc.filename is None:
            raise
        print(f"monitor: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _discard_stdout() -> None:
    """The reader went away (`| head`): send what Python still flushes at exit to /dev/null.

    As the Python docs advise for SIGPIPE: without it the interpreter prints a BrokenPipeError
    while shutting down.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
