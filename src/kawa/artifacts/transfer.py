"""Saving a step's output artifact to a key, loading a key into a step's input path.

Digests are ``sha256:<hex>``: of the stored object's bytes (a tar, or a file stored as it
is), or, for a directory stored as it is, of the sorted list of its files' relative paths
and digests.  They identify content, not location, so a re-run can compare them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kawa.artifacts import archive
from kawa.artifacts.repository import Repository
from kawa.spec.frozen import frozen


class ArtifactMissing(Exception):
    """The artifact to save or load does not exist."""


@frozen
class Saved:
    key: str
    digest: str
    size: int


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


def tree_digest(root: Path) -> str:
    listing = [
        [p.relative_to(root).as_posix(), file_digest(p)]
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]
    return _sha(json.dumps(listing, separators=(",", ":")).encode())


def save(repo: Repository, source: Path, key: str, spec: Mapping[str, Any] | None) -> Saved:
    """Store ``source`` (file or directory) under ``key`` as ``spec`` (``archive``) says."""
    if not source.exists():
        raise ArtifactMissing(f"open {source}: no such file or directory")
    kind, level = archive.strategy(spec)
    target = repo.path(key)
    if kind == "none" and source.is_dir():
        if repo.fs.exists(target):
            repo.fs.rm(target, recursive=True)
        files = [p for p in sorted(source.rglob("*")) if p.is_file()]
        for path in files:
            destination = f"{target}/{path.relative_to(source).as_posix()}"
            repo.fs.makedirs(destination.rsplit("/", 1)[0], exist_ok=True)
            repo.fs.put_file(str(path), destination)
        return Saved(key, tree_digest(source), sum(p.stat().st_size for p in files))
    if kind == "none":
        data = source.read_bytes()
    elif kind == "zip":
        data = archive.zip_bytes(source)
    else:
        data = archive.tar_gz(source, level)
    parent = target.rsplit("/", 1)[0]
    repo.fs.makedirs(parent, exist_ok=True)
    with repo.fs.open(target, "wb") as f:
        f.write(data)
    return Saved(key, _sha(data), len(data))


def load(
    repo: Repository,
    key: str,
    dest: Path,
    spec: Mapping[str, Any] | None,
    *,
    mode: int | None = None,
    sub_path: str = "",
) -> str:
    """Place the artifact at ``key`` at ``dest`` (extracting a tar); its digest."""
    source = repo.path(key)
    if not repo.fs.exists(source):
        raise ArtifactMissing(f"key {key} does not exist")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".kawa-load-") as tmp:
        staged = Path(tmp) / "artifact"
        if repo.fs.isdir(source):
            staged.mkdir()
            repo.fs.get(source.rstrip("/") + "/", str(staged) + "/", recursive=True)
            digest = tree_digest(staged)
        else:
            repo.fs.get_file(source, str(staged))
            digest = file_digest(staged)
            if archive.strategy(spec)[0] != "none" and archive.is_tar_gz(staged):
                unpacked = Path(tmp) / "unpacked"
                archive.extract(staged, unpacked)
                staged = unpacked
        if sub_path:
            staged = staged / sub_path.strip("/")
            if not staged.exists():
                raise ArtifactMissing(f"subPath {sub_path} not found in key {key}")
        place(staged, dest, mode)
    return digest


def place_bytes(data: bytes, dest: Path, mode: int | None) -> str:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    if mode is not None:
        os.chmod(dest, mode)
    return _sha(data)


def place(staged: Path, dest: Path, mode: int | None) -> None:
    if dest.is_dir() and not dest.is_symlink():
        shutil.rmtree(dest)
    elif dest.exists():
        dest.unlink()
    os.replace(staged, dest)
    if mode is not None:
        paths = [dest] if dest.is_file() else [p for p in dest.rglob("*") if p.is_file()]
        for path in paths:
            os.chmod(path, mode)
