"""Attachment files, stored once per SHA-256 under `DATA_DIR/attachments/ab/cd/<sha256>`.

- Content-addressed: the same bytes from any message or mailbox are one file; `put` of bytes
  already there writes nothing.
- Atomic: bytes go to a temporary file in the target folder, are flushed to disk, then renamed
  into place (`os.replace`), so a reader or a crash never sees half a file.
- Private: folders are 0700 and files 0600, whatever the process umask.
- Capped: `put` refuses more than `max_bytes` (25 MiB by default, Gmail's own attachment limit).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from gmail_sync.messages.errors import AttachmentNotFound, AttachmentTooLarge

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


class AttachmentStore:
    """Files under `root` (normally `DATA_DIR / "attachments"`, see `for_data_dir`)."""

    def __init__(self, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes

    @classmethod
    def for_data_dir(cls, data_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> AttachmentStore:
        return cls(data_dir / "attachments", max_bytes=max_bytes)

    def path_for(self, sha256: str) -> Path:
        """Where the file of `sha256` lives.

        Raises:
            AttachmentNotFound: `sha256` is not 64 lower-case hex digits.
        """
        if not _SHA256.fullmatch(sha256):
            raise AttachmentNotFound("not a SHA-256 digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store `data` once; returns its SHA-256.

        Raises:
            AttachmentTooLarge: `data` is over `max_bytes`.
        """
        if len(data) > self.max_bytes:
            raise AttachmentTooLarge(f"{len(data)} bytes is over the cap of {self.max_bytes}")
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.path_for(sha256)
        if path.exists():
            return sha256
        self._make_folders(path.parent)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                os.fchmod(file.fileno(), 0o600)
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256

    def has(self, sha256: str) -> bool:
        return _SHA256.fullmatch(sha256) is not None and self.path_for(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        """The stored bytes of `sha256`.

        Raises:
            AttachmentNotFound: nothing is stored under `sha256`.
        """
        try:
            return self.path_for(sha256).read_bytes()
        except FileNotFoundError:
            raise AttachmentNotFound(f"no attachment {sha256}") from None

    def _make_folders(self, folder: Path) -> None:
        for level in (self.root, folder.parent, folder):
            level.mkdir(mode=0o700, exist_ok=True)
            os.chmod(level, 0o700)
