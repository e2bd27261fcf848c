"""Is a document shaped as Argo expects?  Field names, types, required fields.

The schema comes from Hera's generated models (``_schema_build``), which are generated from
Argo's own OpenAPI spec, so kawa keeps no hand-written field lists.  Deriving it imports
Hera (~0.6 s), so it is done once and cached as JSON:
``src/kawa/spec/_generated/argo-schema-<hera version>.json`` when that folder is writable,
else ``$XDG_CACHE_HOME/kawa/`` (default ``~/.cache/kawa/``).  ``warm_cache()`` builds it
ahead of time (``make install`` calls it); ``validate`` builds it on first use otherwise.

Validation follows what Argo's strict decoding (``sigs.k8s.io/json.UnmarshalStrict``)
accepts: unknown fields are errors, names are case-sensitive, ``null`` leaves a field
unset, numbers are not strings -- except where Argo's Go types say otherwise
(``AnyString`` parameter values, ``IntOrString``, ``Quantity``; see ``_schema_build``).
Each problem becomes a ``SpecIssue`` naming the field in Argo's style
(``spec.templates[2].container.args``) and where it is in the file.
"""

from __future__ import annotations

import difflib
import glob
import json
import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from kawa.spec import _schema_build
from kawa.spec.errors import KawaError, SpecIssue
from kawa.spec.loading import Document, Path, field_path, kind_of

_HERE = os.path.dirname(os.path.abspath(__file__))
_lock = threading.Lock()
_loaded: _Schema | None = None


class SchemaUnavailableError(KawaError):
    """Argo's schema cannot be derived: Hera is not installed and nothing is cached."""


def validate(document: Document) -> list[SpecIssue]:
    """Every place where ``document`` does not match Argo's schema for its kind."""
    checker = _Checker(document, _schema())
    checker.check(document.raw, _schema().roots[document.kind], ())
    return sorted(checker.issues, key=lambda issue: (issue.line, issue.column))


def warm_cache() -> str:
    """Derive and cache the schema now if it is not cached; return the cache file's path."""
    schema = _schema()
    return schema.path


def cache_candidates(hera_version: str) -> list[str]:
    """Where the cached schema may live, in order of preference."""
    name = f"argo-schema-{hera_version}.json"
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [os.path.join(_HERE, "_generated", name), os.path.join(xdg, "kawa", name)]


# --- the cache --------------------------------------------------------------------------


class _Schema:
    """The compact schema with every ``#Name`` reference resolved to its node."""

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        self.path = path
        self.hera = str(data["hera"])
        raw_defs: dict[str, Any] = data["defs"]
        self.defs: dict[str, Any] = {}
        for name, node in raw_defs.items():
            self.defs[name] = _shell(node)
        for name, node in raw_defs.items():
            _fill(self.defs[name], node, self.defs)
        self.roots = {kind: _resolve(ref, self.defs) for kind, ref in data["roots"].items()}


def _schema() -> _Schema:
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _load_or_build()
    return _loaded


def _load_or_build() -> _Schema:
    version = _hera_version()
    if version is None:
        return _newest_cached()
    candidates = cache_candidates(version)
    for path in candidates:
        data = _read(path)
        if data is not None:
            return _Schema(data, path)
    data = _schema_build.build(version)
    return _Schema(data, _write(candidates, data))


def _read(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != _schema_build.FORMAT:
        return None
    return data


def _write(candidates: list[str], data: dict[str, Any]) -> str:
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    for path in candidates:
        folder = os.path.dirname(path)
        try:
            os.makedirs(folder, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".argo-schema-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, path)
        except OSError:
            continue
        return path
    return "<memory>"  # nowhere writable: keep it in memory for this process


def _newest_cached() -> _Schema:
    found: list[str] = []
    for path in cache_candidates("*"):
        found.extend(glob.glob(path))
    for path in sorted(found, key=os.path.getmtime, reverse=True):
        data = _read(path)
        if data is not None:
            return _Schema(data, path)
    raise SchemaUnavailableError("cannot derive Argo's schema: hera is not installed")


def _hera_version() -> str | None:
    """The installed Hera's version, read from its dist-info without importing it."""
    for entry in sys.path:
        folder = entry or "."
        if not os.path.isdir(os.path.join(folder, "hera")):
            continue
        for info in glob.glob(os.path.join(glob.escape(folder), "hera-*.dist-info")):
            version = _metadata_version(os.path.join(info, "METADATA"))
            if version:
                return version
    try:  # unusual installs (editable, zipped): ask importlib.metadata (slower)
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return None
    try:
        return version("hera")
    except PackageNotFoundError:
        return None


def _metadata_version(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
                if not line.strip():
                    break
    except OSError:
        return None
    return None


# --- schema nodes -----------------------------------------------------------------------


class _Object:
    __slots__ = ("fields", "required")

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.required: tuple[str, ...] = ()


class _MapOf:
    __slots__ = ("values",)

    def __init__(self, values: Any) -> None:
        self.values = values


class _ListOf:
    __slots__ = ("items",)

    def __init__(self, items: Any) -> None:
        self.items = items


class _OneOf:
    __slots__ = ("options",)

    def __init__(self, options: list[Any]) -> None:
        self.options = options


def _shell(node: Any) -> Any:
    """A definition's node before references are resolved (objects are filled later)."""
    if isinstance(node, dict) and "p" in node:
        return _Object()
    return None


def _fill(target: Any, node: Any, defs: dict[str, Any]) -> None:
    if isinstance(target, _Object):
        target.fields = {name: _resolve(sub, defs) for name, sub in node["p"].items()}
        target.required = tuple(node.get("r", ()))
    else:
        for name, value in defs.items():
            if value is None and target is None and node is not None:
                pass
        # non-object definitions are resolved in place by the caller
    _replace_non_objects(defs, node, target)


def _replace_non_objects(defs: dict[str, Any], node: Any, target: Any) -> None:
    if isinstance(target, _Object):
        return
    for name, value in defs.items():
        if value is None:
            defs[name] = _PENDING


_PENDING = object()


def _resolve(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        if "p" in node:
            obj = _Object()
            _fill(obj, node, defs)
            return obj
        if "m" in node:
            return _MapOf(_resolve(node["m"], defs))
        if "a" in node:
            return _ListOf(_resolve(node["a"], defs))
        if "u" in node:
            return _OneOf([_resolve(option, defs) for option in node["u"]])
    return "any"


def _iter_fields(node: Any) -> Iterator[str]:
    if isinstance(node, _Object):
        yield from node.fields
