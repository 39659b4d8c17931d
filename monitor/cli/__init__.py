"""The command line: one module per command group, each with `register(subparsers)`.

Machine-readable output is JSON Lines on stdout; progress and messages for people go to stderr.
A command module adds its subcommands and sets `func` (args -> exit code) on each.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from monitor import __version__
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
    parser = argparse.ArgumentParser(prog="monitor", description="News monitoring and alerting daemon.")
    parser.add_argument("--version", action="version", version=f"monitor {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    command = next((word for word in (argv or ()) if not word.startswith("-")), None)
    wanted = [name for name, commands in COMMAND_MODULES.items() if command in commands]
    for name in wanted or COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
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
    except KeyboardInterrupt:
        return 130
