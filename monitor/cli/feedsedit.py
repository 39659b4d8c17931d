"""`monitor feeds enable|disable|rename|remove|check`: change one feed by name.

Feeds listed in the config file belong to it: the sync at every start re-creates them, so they are
renamed or removed by editing the file (the command says where), while switching them off by hand
lasts (the sync does not switch them back on). See docs/feeds.md, "Feeds from the config file".
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from sqlalchemy import Engine

from monitor.cli.common import add_config_option, say
from monitor.clock import SystemClock
from monitor.config import Settings
from monitor.configfile import locate_key
from monitor.errors import ConfigError
from monitor.storage.feeds import check_now, remove_feed, rename_feed, set_enabled

Opener = Callable[[argparse.Namespace], tuple[Settings, Engine]]


def register(actions: argparse._SubParsersAction, open_feeds: Opener) -> None:  # type: ignore[type-arg]
    def command(name: str, help_text: str, run: Callable[[argparse.Namespace, Settings, Engine], int],
                *names: str) -> None:
        parser = actions.add_parser(name, help=help_text)
        for arg in names:
            parser.add_argument(arg)
        add_config_option(parser)
        parser.set_defaults(func=lambda args: run(args, *open_feeds(args)))

    command("enable", "switch a disabled feed back on and check it at once", _enable, "name")
    command("disable", "switch a feed off (it stays off until `feeds enable`)", _disable, "name")
    command("check", "check a feed on the next cycle, whatever its schedule or back-off", _check, "name")
    command("rename", "give a feed another name (it keeps its entries and articles)", _rename, "old", "new")
    command("remove", "delete a feed and its entries (its articles stay)", _remove, "name")


def _enable(args: argparse.Namespace, _settings: Settings, engine: Engine) -> int:
    with engine.begin() as conn:
        found = set_enabled(conn, args.name, True, now=SystemClock().now())
    return _done(found, args.name, f"enabled {args.name!r}; it is checked on the next cycle")


def _disable(args: argparse.Namespace, _settings: Settings, engine: Engine) -> int:
    with engine.begin() as conn:
        found = set_enabled(conn, args.name, False, now=SystemClock().now())
    return _done(found, args.name, f"disabled {args.name!r}; `monitor feeds enable {args.name}` undoes it")


def _check(args: argparse.Namespace, _settings: Settings, engine: Engine) -> int:
    with engine.begin() as conn:
        found = check_now(conn, args.name, now=SystemClock().now())
    return _done(found, args.name, f"{args.name!r} is checked on the next cycle (`monitor once` runs one)")


def _rename(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    _refuse_config_feed(settings, args.old, "rename it in the file (it keeps its entries: the sync "
                                            "recognises it by its URL)")
    with engine.begin() as conn:
        found = rename_feed(conn, args.old, args.new)
    return _done(found, args.old, f"renamed {args.old!r} to {args.new!r}")


def _remove(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    _refuse_config_feed(settings, args.name, "delete its [[feeds]] table from the file (or disable it: "
                                             f"`monitor feeds disable {args.name}`)")
    with engine.begin() as conn:
        found = remove_feed(conn, args.name)
    return _done(found, args.name, f"removed {args.name!r} and its entries")


def _refuse_config_feed(settings: Settings, name: str, advice: str) -> None:
    """A config feed changed here would be undone at the next start: point at the file instead."""
    for index, spec in enumerate(settings.feeds):
        if spec.name == name and settings.source is not None:
            text = settings.source.read_text(encoding="utf-8")
            raise ConfigError(f"feed {name!r} comes from this config file; {advice}",
                              file=str(settings.source), key=f"feeds[{index}].name",
                              line=locate_key(text, ("feeds", index, "name")))


def _done(found: bool, name: str, message: str) -> int:
    if not found:
        say(f"no feed named {name!r} (`monitor feeds list` shows them all)")
        return 1
    say(message)
    return 0
