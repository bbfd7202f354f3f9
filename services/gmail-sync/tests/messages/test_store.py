"""The attachment store: once per SHA-256, atomic, private, capped."""

from __future__ import annotations

import hashlib
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gmail_sync.messages import AttachmentNotFound, AttachmentStore, AttachmentTooLarge


def store_in(data_dir: Path, *, max_bytes: int = 1024) -> AttachmentStore:
    return AttachmentStore.for_data_dir(data_dir, max_bytes=max_bytes)


def test_bytes_are_stored_under_their_sha256_and_read_back(tmp_path: Path) -> None:
    store = store_in(tmp_path)

    sha256 = store.put(b"side letter")

    assert sha256 == hashlib.sha256(b"side letter").hexdigest()
    assert store.read(sha256) == b"side letter"
    assert store.has(sha256)
    assert (tmp_path / "attachments" / sha256[:2] / sha256[2:4] / sha256).is_file()


def test_the_same_bytes_are_stored_once(tmp_path: Path) -> None:
    store = store_in(tmp_path)
    sha256 = store.put(b"deck")
    path = store.path_for(sha256)
    first_inode = path.stat().st_ino

    assert store.put(b"deck") == sha256
    assert path.stat().st_ino == first_inode
    assert [p.name for p in path.parent.iterdir()] == [sha256]


def test_concurrent_puts_of_the_same_bytes_leave_one_file(tmp_path: Path) -> None:
    store = store_in(tmp_path)

    with ThreadPoolExecutor(max_workers=8) as pool:
        digests = set(pool.map(lambda _: store.put(b"x" * 1000), range(32)))

    (sha256,) = digests
    assert [p.name for p in store.path_for(sha256).parent.iterdir()] == [sha256]


def test_files_and_folders_are_not_readable_by_others(tmp_path: Path) -> None:
    store = store_in(tmp_path)
    old_umask = os.umask(0)
    try:
        path = store.path_for(store.put(b"private"))
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, path.parent.parent, tmp_path / "attachments"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_bytes_over_the_cap_are_refused(tmp_path: Path) -> None:
    store = store_in(tmp_path, max_bytes=10)

    with pytest.raises(AttachmentTooLarge):
        store.put(b"x" * 11)
    assert not (tmp_path / "attachments").exists()
    assert store.put(b"x" * 10) == hashlib.sha256(b"x" * 10).hexdigest()


def test_a_failed_write_leaves_no_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = store_in(tmp_path)

    def disk_full(_: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        store.put(b"half")
    monkeypatch.undo()

    sha256 = hashlib.sha256(b"half").hexdigest()
    assert not store.has(sha256)
    assert list(store.path_for(sha256).parent.iterdir()) == []


@pytest.mark.parametrize("sha256", ["0" * 64, "../../etc/passwd", "AB" * 32, ""])
def test_an_unknown_or_malformed_hash_is_not_found(tmp_path: Path, sha256: str) -> None:
    store = store_in(tmp_path)

    with pytest.raises(AttachmentNotFound):
        store.read(sha256)
    assert not store.has(sha256)
