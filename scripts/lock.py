"""Pin the workspace's third-party dependencies into requirements.lock.

pip-compile writes our own editable packages with absolute paths; those lines are dropped, since
`make install` installs the workspace packages editable (without dependencies) after the lock.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
    kept = [line for line in lock.read_text().splitlines() if not line.startswith("-e ")]
    header = "# Pinned by `make lock` (scripts/lock.py) from requirements.in; do not edit.\n"
    lock.write_text(header + "\n".join(kept) + "\n")


if __name__ == "__main__":
    main()
