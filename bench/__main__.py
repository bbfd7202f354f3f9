"""Run the benchmarks: `python -m bench [NAME ...]`; figures go to stdout and bench/results/."""

from __future__ import annotations

import argparse
import asyncio
import importlib

BENCHMARKS = {
    "bus": "bench.bus",
    "auth": "bench.auth",
    "crm": "bench.crm",
    "resolver": "bench.resolver",
    "resolver_accuracy": "bench.resolver_accuracy",
    "grid": "bench.grid",
    "search-quality": "bench.search_quality",
    "search-freshness": "bench.search_freshness",
    "search-scale": "bench.search_scale",
    "mcp": "bench.mcp",
    "web": "bench.web",
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], help="default: all")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    for name in args.names or list(BENCHMARKS):
        module = importlib.import_module(BENCHMARKS[name])
        asyncio.run(module.run(quick=args.quick))


if __name__ == "__main__":
    main()
