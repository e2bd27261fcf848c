"""Artifact repositories: a key space on an fsspec filesystem.

A workflow's repository configuration is resolved when it is submitted (from
``spec.artifactRepositoryRef``, else the default) and travels with it, Argo's shape:

* ``{}`` or ``{"local": {"path": ...}}`` — kawa's default, ``$KAWA_HOME/artifacts``;
* ``{"s3": {"bucket", "endpoint", "insecure", "region", "keyFormat",
  "accessKeySecret": {"name", "key"}, "secretKeySecret": {...}}}`` — any S3-compatible
  store through ``s3fs`` (credentials from the secrets, else the usual AWS environment);
* ``{"fsspec": {"protocol": "gcs", "root": "bucket/prefix", "options": {...}}}`` — any
  other filesystem fsspec has a driver for (gcsfs, adlfs...), by configuration.

Keys are ``/``-separated paths below the repository's root; an artifact is one object,
or a prefix ("directory") holding several.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class RepositoryError(Exception):
    """The repository is misconfigured or unreachable."""


@dataclass
class Repository:
    fs: Any
    root: str
    #: how the location is written in Argo's artifact JSON (``s3: {key: ...}``)
    kind: str = "s3"

    def path(self, key: str) -> str:
        clean = posixpath.normpath("/" + key).lstrip("/")
        if clean in ("", ".") or ".." in key.split("/"):
            raise RepositoryError(f"invalid artifact key {key!r}")
        return f"{self.root.rstrip('/')}/{clean}"


def open_repository(
    config: Mapping[str, Any], home: Path, credentials: Mapping[str, str] | None = None
) -> Repository:
    """The repository ``config`` describes (``credentials``: resolved secret values)."""
    credentials = credentials or {}
    if config.get("s3"):
        return _s3(config["s3"], credentials)
    if config.get("fsspec"):
        import fsspec

        section = config["fsspec"]
        options = dict(section.get("options") or {})
        fs = fsspec.filesystem(str(section.get("protocol", "file")), **options)
        return Repository(fs, str(section.get("root", "")), kind="s3")
    if config.get("gcs"):
        import fsspec

        section = config["gcs"]
        return Repository(fsspec.filesystem("gcs"), str(section.get("bucket", "")), kind="gcs")
    import fsspec

    local = config.get("local") or {}
    root = Path(str(local.get("path") or home / "artifacts"))
    root.mkdir(parents=True, exist_ok=True)
    return Repository(fsspec.filesystem("file"), str(root))


def _s3(section: Mapping[str, Any], credentials: Mapping[str, str]) -> Repository:
    try:
        import s3fs
    except ImportError as error:
        raise RepositoryError(
            "an S3 artifact repository needs s3fs: pip install 'kawa[s3]'"
        ) from error
    bucket = str(section.get("bucket") or "")
    if not bucket:
        raise RepositoryError("s3 artifact repository: bucket is required")
    client: dict[str, Any] = {}
    endpoint = section.get("endpoint")
    if endpoint:
        scheme = "http" if section.get("insecure") else "https"
        client["endpoint_url"] = endpoint if "://" in str(endpoint) else f"{scheme}://{endpoint}"
    if section.get("region"):
        client["region_name"] = section["region"]
    options: dict[str, Any] = {"client_kwargs": client, "skip_instance_cache": True}
    if credentials.get("accessKey"):
        options["key"] = credentials["accessKey"]
        options["secret"] = credentials.get("secretKey", "")
    return Repository(s3fs.S3FileSystem(**options), bucket, kind="s3")
