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

import glob
import json
import os
import sys
import threading
from collections.abc import Mapping
from typing import Any

from kawa.spec import _schema_build
from kawa.spec.errors import KawaError, SpecIssue
from kawa.spec.loading import Document, Path, kind_of

#: at most this many schema problems are listed for one document
MAX_ISSUES = 100
_HERE = os.path.dirname(os.path.abspath(__file__))
_lock = threading.Lock()
_loaded: _Schema | None = None


class SchemaUnavailableError(KawaError):
    """Argo's schema cannot be derived: Hera is not installed and nothing is cached."""


def validate(document: Document) -> list[SpecIssue]:
    """Every place where ``document`` does not match Argo's schema for its kind."""
    schema = _schema()
    root = schema.roots.get(document.kind)
    if root is None:
        return [document.issue(("kind",), f"unknown kind '{document.kind}'")]
    checker = _Checker(document, schema)
    checker.check(document.raw, root, ())
    issues = sorted(checker.issues, key=lambda issue: (issue.line, issue.column))
    if len(issues) > MAX_ISSUES:
        last = issues[MAX_ISSUES - 1]
        more = f"... and {len(issues) - MAX_ISSUES} more problems like these"
        issues = [*issues[:MAX_ISSUES], SpecIssue(last.file, last.line, last.column, "", more)]
    return issues


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
        resolver = _Resolver(data["defs"])
        self.roots = {kind: resolver.node(ref) for kind, ref in data["roots"].items()}


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
    import tempfile

    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    for path in candidates:
        folder = os.path.dirname(path)
        try:
            os.makedirs(folder, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".argo-schema-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temporary, 0o644)
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
            found = _metadata_version(os.path.join(info, "METADATA"))
            if found:
                return found
    from importlib import metadata  # unusual installs (editable, zipped): slower

    try:
        return metadata.version("hera")
    except metadata.PackageNotFoundError:
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
    """A mapping with known fields only (a Go struct)."""

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


class _Resolver:
    """Turns compact JSON nodes into node objects, sharing one object per definition."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.done: dict[str, Any] = {}
        objects = {name: node for name, node in raw.items() if _is_object(node)}
        for name in objects:
            self.done[name] = _Object()
        for name, node in objects.items():
            target = self.done[name]
            target.fields = {field: self.node(sub) for field, sub in node["p"].items()}
            target.required = tuple(node.get("r", ()))

    def node(self, node: Any) -> Any:
        if isinstance(node, str):
            return self.ref(node[1:]) if node.startswith("#") else node
        if _is_object(node):
            obj = _Object()
            obj.fields = {field: self.node(sub) for field, sub in node["p"].items()}
            obj.required = tuple(node.get("r", ()))
            return obj
        if isinstance(node, dict) and "m" in node:
            return _MapOf(self.node(node["m"]))
        if isinstance(node, dict) and "a" in node:
            return _ListOf(self.node(node["a"]))
        if isinstance(node, dict) and "u" in node:
            return _OneOf([self.node(option) for option in node["u"]])
        return "any"

    def ref(self, name: str) -> Any:
        if name not in self.done:
            self.done[name] = "any"  # guards a (never seen) cycle of non-object definitions
            self.done[name] = self.node(self.raw.get(name, "any"))
        return self.done[name]


def _is_object(node: Any) -> bool:
    return isinstance(node, dict) and "p" in node


# --- checking ---------------------------------------------------------------------------

_EXPECTED = {
    "str": "a string",
    "int": "an integer",
    "num": "a number",
    "bool": "a boolean",
    "obj": "a mapping",
    "anystr": "a string, number or boolean",
    "intstr": "an integer or a string",
    "qty": "a quantity (a number, or a string such as '500m' or '2Gi')",
}


def _fits(value: Any, code: str) -> bool:
    """Does a non-null JSON value fit the primitive schema ``code``?"""
    if code == "str":
        return isinstance(value, str)
    if code == "any":
        return True
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if code == "int":
        return number and (isinstance(value, int) or float(value).is_integer())
    if code == "num":
        return number
    if code == "bool":
        return isinstance(value, bool)
    if code == "obj":
        return isinstance(value, dict)
    if code == "anystr":
        return not isinstance(value, dict | list)
    if code == "intstr":
        return isinstance(value, str) or (number and float(value).is_integer())
    if code == "qty":
        return isinstance(value, str) or number
    return True


class _Checker:
    def __init__(self, document: Document, schema: _Schema) -> None:
        self.document = document
        self.schema = schema
        self.issues: list[SpecIssue] = []

    def check(self, value: Any, node: Any, path: Path, parent: _Object | None = None) -> None:
        if value is None:
            return  # Go's decoder leaves a field set to null at its zero value
        kind = type(node)
        if kind is str:
            if not _fits(value, node):
                self._wrong_type(path, _EXPECTED.get(node, node), value)
        elif kind is _Object:
            self._object(value, node, path, parent)
        elif kind is _ListOf:
            if not isinstance(value, list):
                self._wrong_type(path, "a list", value)
                return
            for index, item in enumerate(value):
                self.check(item, node.items, (*path, index), parent)
        elif kind is _MapOf:
            if not isinstance(value, dict):
                self._wrong_type(path, "a mapping", value)
                return
            for key, item in value.items():
                self.check(item, node.values, (*path, key), parent)
        elif kind is _OneOf:
            self._one_of(value, node, path, parent)

    def _object(self, value: Any, node: _Object, path: Path, parent: _Object | None) -> None:
        if not isinstance(value, dict):
            self._wrong_type(path, "a mapping", value)
            return
        fields = node.fields
        for key, item in value.items():
            sub = fields.get(key)
            if sub is None:
                self.issues.append(self.document.issue((*path, key), _unknown(key, node, parent)))
            else:
                self.check(item, sub, (*path, key), node)
        for name in node.required:
            if value.get(name) is None:
                self.issues.append(self.document.issue(path, f"missing required field '{name}'"))

    def _one_of(self, value: Any, node: _OneOf, path: Path, parent: _Object | None) -> None:
        best: list[SpecIssue] | None = None
        for option in node.options:
            trial = _Checker(self.document, self.schema)
            trial.check(value, option, path, parent)
            if not trial.issues:
                return
            if best is None or len(trial.issues) < len(best):
                best = trial.issues
        self.issues.extend(best or [])

    def _wrong_type(self, path: Path, expected: str, value: Any) -> None:
        message = f"expected {expected}, got {kind_of(value)}"
        if expected == "a string" and isinstance(value, bool):
            message += " (YAML reads unquoted yes/no/on/off/y/n/true/false as booleans; quote it)"
        elif expected == "a string" and isinstance(value, int | float):
            message += f" (quote it to make it a string: '{value}')"
        self.issues.append(self.document.issue(path, message))


def _unknown(key: str, node: _Object, parent: _Object | None) -> str:
    import difflib  # only on errors: keeps the CLI's start fast

    message = f"unknown field '{key}'"
    close = difflib.get_close_matches(key, list(node.fields), n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean '{close[0]}'?"
    if parent is not None:
        if key in parent.fields:
            return f"{message} here; '{key}' belongs one level up (check the indentation)"
        close = difflib.get_close_matches(key, list(parent.fields), n=1, cutoff=0.75)
        if close:
            return f"{message}; did you mean '{close[0]}' one level up (check the indentation)?"
    names = sorted(node.fields)
    if names and len(names) <= 12:
        return f"{message} (expected one of: {', '.join(names)})"
    return message
