"""Options and output helpers shared by command modules."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from monitor.config import DEFAULT_CONFIG
from monitor.storage.urls import safe_url

__all__ = ["add_config_option", "add_json_option", "emit_json", "safe_url", "say"]


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", default=str(DEFAULT_CONFIG),
                        help=f"config file (default: {DEFAULT_CONFIG})")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="JSON Lines on stdout, for programs")


def emit_json(obj: Any) -> None:
    """One JSON line on stdout, flushed: a program reading a long run sees each line as it comes."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """A line for people: stderr, so stdout stays machine-readable."""
    print(message, file=sys.stderr)
