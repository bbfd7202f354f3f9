"""Pin the workspace's third-party dependencies into requirements.lock.

pip-compile writes our own editable packages with absolute paths; those lines are dropped, since
`make install` installs the workspace packages editable (without dependencies) after the lock.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _without_local_label(line: str) -> str:
    """`torch==2.13.0+cpu` -> `torch==2.13.0`: the plain version matches the CPU build on disk
    here (and a machine with an accelerator its own build), where `+cpu` would pin one file."""
    name, sep, version = line.partition("==")
    return f"{name}{sep}{version.split('+', 1)[0]}" if sep else line


def main() -> None:
    lock = ROOT / "requirements.lock"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "piptools",
            "compile",
            "--quiet",
            "--strip-extras",
            "--no-emit-index-url",
            "--no-emit-find-links",
            "--no-annotate",
            "--no-header",
            "-o",
            str(lock),
            str(ROOT / "requirements.in"),
        ],
        check=True,
        cwd=ROOT,
    )
    kept = [
        _without_local_label(line)
        for line in lock.read_text().splitlines()
        if not line.startswith("-e ")
    ]
    header = "# Pinned by `make lock` (scripts/lock.py) from requirements.in; do not edit.\n"
    lock.write_text(header + "\n".join(kept) + "\n")


if __name__ == "__main__":
    main()
