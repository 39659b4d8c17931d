"""Benchmarks: `python -m bench` lists them, `python -m bench NAME [ARGS]` runs `bench.NAME`."""
