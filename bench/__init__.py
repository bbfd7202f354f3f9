"""Benchmarks (not part of `make test`): `make bench` runs them all, `python -m bench NAME` one."""
