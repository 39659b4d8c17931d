"""Run benchmarks: `python -m bench` lists the modules, `python -m bench NAME [ARGS...]` runs one,
`python -m bench all` runs each with its defaults. A benchmark is any `bench/<name>.py` with `main(argv)`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def run(name: str, argv: list[str]) -> int:
    module = importlib.import_module(f"bench.{name}")
    print(f"== bench.{name}", file=sys.stderr)
    return int(module.main(argv) or 0)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = available()
    if not argv:
        print("benchmarks: " + ", ".join(names), file=sys.stderr)
        print("usage: python -m bench NAME [ARGS...] | python -m bench all", file=sys.stderr)
        return 0
    if argv[0] == "all":
        return max((run(name, []) for name in names), default=0)
    if argv[0] not in names:
        print(f"unknown benchmark {argv[0]!r}; available: {', '.join(names)}", file=sys.stderr)
        return 2
    return run(argv[0], argv[1:])


if __name__ == "__main__":
    sys.exit(main())
