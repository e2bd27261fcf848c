"""Packing artifacts as Argo does — reproducibly.

An output artifact is stored as a gzipped tar by default (``archive: {tar: {}}``, with
``compressionLevel``), or as it is (``archive: {none: {}}``: a file as one object, a
directory as a prefix of objects).  The tar holds one top entry named after the path's
last component.  kawa's tars are reproducible: entries sorted, times zeroed, owners
dropped, and the gzip header carries no time or name, so the same files always give the
same bytes, and the same digest, on any machine.

Loading (``unpack``) follows Argo's auto-detection: a gzipped tar is extracted (its single
top entry becomes the input path), anything else is placed as it is.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

GZIP_MAGIC = b"\x1f\x8b"


def strategy(archive: Mapping[str, Any] | None) -> tuple[str, int]:
    """("tar", gzip level) or ("none", 0) or ("zip", 0) for an Argo ``archive`` field."""
    if not archive:
        return "tar", 6
    if "none" in archive:
        return "none", 0
    if "zip" in archive:
        return "zip", 0
    level = (archive.get("tar") or {}).get("compressionLevel")
    return "tar", 6 if level is None else int(level)


def _reset(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def tar_gz(source: Path, level: int) -> bytes:
    """A reproducible gzipped tar of ``source`` (file or directory) as one top entry."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        top = source.name
        tar.add(str(source), arcname=top, recursive=False, filter=_reset)
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                arcname = f"{top}/{path.relative_to(source).as_posix()}"
                tar.add(str(path), arcname=arcname, recursive=False, filter=_reset)
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=level) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def zip_bytes(source: Path) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        paths = [source] if source.is_file() else sorted(source.rglob("*"))
        for path in paths:
            name = source.name if path == source else str(path.relative_to(source.parent))
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            if path.is_dir():
                info.filename += "/"
                zf.writestr(info, b"")
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return out.getvalue()


def is_tar_gz(path: Path) -> bool:
    if not path.is_file():
        return False
    with open(path, "rb") as f:
        if f.read(2) != GZIP_MAGIC:
            return False
    try:
        with tarfile.open(path, "r:gz") as tar:
            tar.next()
        return True
    except (tarfile.TarError, OSError, EOFError):
        return False


def extract(archive_file: Path, dest: Path) -> None:
    """Extract a gzipped tar so that its single top entry becomes ``dest``."""
    staging = dest.parent / f".{dest.name}.kawa-extract"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(archive_file, "r:gz") as tar:
        tar.extractall(staging, filter="data")
    entries = os.listdir(staging)
    _remove(dest)
    if len(entries) == 1:
        os.replace(staging / entries[0], dest)
        staging.rmdir()
    else:
        os.replace(staging, dest)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
