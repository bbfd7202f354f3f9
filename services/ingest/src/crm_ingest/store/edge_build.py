"""The child process that builds a Qdrant Edge shard's index: `python -m
crm_ingest.store.edge_build <shard dir>`.

It loads the copy the service made, runs `optimize()` (which holds this process's GIL, not the
service's), flushes, closes and prints what it did as one JSON line. It imports nothing but
qdrant-edge, so it starts in a fraction of a second.
"""

from __future__ import annotations

import json
import sys
import time

import qdrant_edge as qe


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m crm_ingest.store.edge_build <shard dir>", file=sys.stderr)  # noqa: T201 - CLI
        return 2
    started = time.perf_counter()
    shard = qe.EdgeShard.load(argv[0])
    loaded = time.perf_counter()
    changed = shard.optimize()
    optimized = time.perf_counter()
    shard.flush()
    info = shard.info()
    shard.close()
    report = {
        "changed": changed,
        "points": info.points_count,
        "segments": info.segments_count,
        "load_s": round(loaded - started, 3),
        "optimize_s": round(optimized - loaded, 3),
    }
    print(json.dumps(report))  # noqa: T201 - the parent reads it
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
