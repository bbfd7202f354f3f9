"""The backup directory (`CRM_API_BACKUP_DIR`, default DATA_DIR/backups): the backup files, their
manifests `<id>.json`, the policy file `policy.json`, and the file locks the replicas share."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crm_api.backups.errors import BackupNotFound

logger = logging.getLogger(__name__)

_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CHUNK = 1 << 20


class Store:
    """The backup directory: files, manifests, the policy."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def ensure(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(self.directory, 0o700)

    def manifest_path(self, backup_id: str) -> Path:
        return self.directory / f"{backup_id}.json"

    def file_of(self, manifest: dict[str, Any]) -> Path:
        return self.directory / str(manifest["file"])

    def load(self, backup_id: str) -> dict[str, Any]:
        """Raises BackupNotFound for an id that is not one (ids are checked: no path tricks)."""
        if not _ID.match(backup_id):
            raise BackupNotFound()
        path = self.manifest_path(backup_id)
        if not path.exists():
            raise BackupNotFound()
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded

    def save(self, manifest: dict[str, Any]) -> None:
        self.ensure()
        path = self.manifest_path(manifest["id"])
        partial = path.with_suffix(".json.partial")
        partial.write_text(json.dumps(manifest, indent=2, default=str))
        os.replace(partial, path)

    def all(self) -> list[dict[str, Any]]:
        if not self.directory.exists():
            return []
        found = []
        for path in self.directory.glob("*.json"):
            if not _ID.match(path.stem):
                continue
            try:
                found.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                logger.warning("unreadable backup manifest %s", path.name)
        return sorted(found, key=lambda m: str(m["created_at"]), reverse=True)

    def remove(self, manifest: dict[str, Any]) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.file_of(manifest).unlink()
        with contextlib.suppress(FileNotFoundError):
            self.manifest_path(manifest["id"]).unlink()

    @property
    def policy_path(self) -> Path:
        return self.directory / "policy.json"

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[bool]:
        """An exclusive file lock in the directory (shared by the replicas that share it)."""
        self.ensure()
        handle = (self.directory / f".{name}.lock").open("a+")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            handle.close()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
