"""Artifacts in the engine: binding inputs, naming outputs, folding what was saved.

An artifact is carried as Argo's JSON (``{"name", "path", "s3": {"key": ...}}`` and the
like), plus kawa's ``digest`` of its content.  References such as
``{{tasks.x.outputs.artifacts.y}}`` render to that JSON, so ``from`` (and
``fromExpression``) yield the producer's artifact with its location and digest.

An output without an explicit location goes to the workflow's repository under its
``keyFormat`` (Argo's default ``{{workflow.name}}/{{pod.name}}``) followed by
``<name>.tgz`` (tar, the default), ``<name>.zip``, or the path's last component
(``archive: none``), as Argo's executor names it.  Which repository a key lives in is the
shell's business; the engine only names keys.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from typing import Any

from kawa.engine.scope import Scope, evaluate, render, substitute
from kawa.engine.templates import TemplateError
from kawa.spec.actions import InputArtifact, OutputArtifact

LOCATIONS = ("s3", "gcs", "http", "git", "raw", "artifactory", "hdfs", "oss", "azure")
DEFAULT_KEY_FORMAT = "{{workflow.name}}/{{pod.name}}"
_KEPT = ("name", "path", "mode", "optional", "archive", "subPath", "globalName", "deleted")


class ArtifactError(TemplateError):
    """An artifact cannot be bound (not supplied, a reference to nothing...)."""


def location_of(artifact: Mapping[str, Any]) -> dict[str, Any]:
    return {k: artifact[k] for k in LOCATIONS if artifact.get(k)}


def bind(
    template: Mapping[str, Any],
    arguments: Mapping[str, Any] | None,
    scope: Scope,
) -> tuple[dict[str, Any], ...]:
    """The input artifacts of one execution of ``template``, with their locations."""
    supplied = {a.get("name"): a for a in ((arguments or {}).get("artifacts") or []) if a}
    bound = []
    for spec in (template.get("inputs") or {}).get("artifacts") or []:
        name = str(spec["name"])
        source = supplied.get(name) or spec
        found = _resolve(source, scope) or (_resolve(spec, scope) if source is not spec else None)
        artifact = {k: spec[k] for k in _KEPT if spec.get(k) is not None}
        if "path" in artifact:
            artifact["path"] = render(str(artifact["path"]), scope, strict=False)
        if found is None:
            if spec.get("optional"):
                bound.append(artifact)
                continue
            raise ArtifactError(
                f"templates.{template.get('name')} inputs.artifacts.{name} was not supplied"
            )
        artifact.update(location_of(found))
        if found.get("digest"):
            artifact["digest"] = found["digest"]
        bound.append(artifact)
    return tuple(bound)


def expressions_as_tags(arguments: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """``fromExpression: E`` as ``from: "{{=E}}"``, so it is evaluated where the caller's
    ``steps.*``/``tasks.*`` are known (with the other arguments)."""
    if not arguments:
        return {}
    listed = arguments.get("artifacts") or []
    if not any(a.get("fromExpression") for a in listed):
        return arguments
    rewritten = [
        {k: v for k, v in a.items() if k != "fromExpression"}
        | {"from": "{{=" + str(a["fromExpression"]) + "}}"}
        if a.get("fromExpression")
        else a
        for a in listed
    ]
    return {**arguments, "artifacts": rewritten}


def _resolve(source: Mapping[str, Any], scope: Scope) -> dict[str, Any] | None:
    """The artifact (location and digest) a ``from``/``fromExpression``/location names."""
    if source.get("from"):
        return _parse(render(str(source["from"]), scope), str(source["from"]))
    if source.get("fromExpression"):
        value = evaluate(str(source["fromExpression"]), scope)
        if isinstance(value, str):
            return _parse(value, str(source["fromExpression"]))
        return dict(value) if isinstance(value, Mapping) else None
    location = location_of(source)
    if not location:
        return None
    resolved: dict[str, Any] = substitute(location, scope, strict=False)
    return resolved


def _parse(text: str, reference: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ArtifactError(f"{reference}: not an artifact") from error
    if not isinstance(value, dict) or not location_of(value):
        raise ArtifactError(f"{reference}: the artifact has no location (was it saved?)")
    return value


def scope_values(artifacts: tuple[Mapping[str, Any], ...]) -> dict[str, str]:
    """``inputs.artifacts.NAME`` (the artifact, to pass on with ``from``)."""
    return {
        f"inputs.artifacts.{a['name']}": json.dumps(dict(a), separators=(",", ":"))
        for a in artifacts
        if location_of(a)
    }


def inputs_to_load(artifacts: tuple[Mapping[str, Any], ...]) -> tuple[InputArtifact, ...]:
    loads = []
    for a in artifacts:
        location = location_of(a)
        if not location or not a.get("path"):
            continue
        loads.append(
            InputArtifact(
                name=str(a["name"]),
                path=str(a["path"]),
                location=location,
                archive=dict(a["archive"]) if a.get("archive") else None,
                mode=int(a["mode"]) if a.get("mode") is not None else None,
                optional=bool(a.get("optional")),
                sub_path=str(a.get("subPath") or ""),
                digest=str(a.get("digest") or ""),
            )
        )
    return tuple(loads)


def outputs_to_save(
    template: Mapping[str, Any], scope: Scope, repository: Mapping[str, Any]
) -> tuple[OutputArtifact, ...]:
    saves = []
    for spec in (template.get("outputs") or {}).get("artifacts") or []:
        if not spec.get("path"):
            continue
        path = render(str(spec["path"]), scope, strict=False)
        archive = dict(spec["archive"]) if spec.get("archive") else None
        explicit = (spec.get("s3") or {}).get("key")
        if explicit:
            key = render(str(explicit), scope, strict=False)
        else:
            key = f"{render(key_format(repository), scope, strict=False)}/{_file_name(spec, path)}"
        saves.append(
            OutputArtifact(
                name=str(spec["name"]),
                path=path,
                key=key,
                archive=archive,
                optional=bool(spec.get("optional")),
            )
        )
    return tuple(saves)


def key_format(repository: Mapping[str, Any]) -> str:
    for section in repository.values():
        if isinstance(section, Mapping) and section.get("keyFormat"):
            return str(section["keyFormat"])
    return DEFAULT_KEY_FORMAT


def _file_name(spec: Mapping[str, Any], path: str) -> str:
    archive = spec.get("archive") or {}
    if "none" in archive:
        return posixpath.basename(path.rstrip("/")) or str(spec["name"])
    if "zip" in archive:
        return f"{spec['name']}.zip"
    return f"{spec['name']}.tgz"


def saved(
    template: Mapping[str, Any], scope: Scope, outcome: Mapping[str, Any]
) -> tuple[dict[str, Any], ...]:
    """The node's ``outputs.artifacts``: each declared artifact the step saved."""
    done = outcome.get("artifacts") or {}
    found = []
    for spec in (template.get("outputs") or {}).get("artifacts") or []:
        record = done.get(spec["name"])
        if record is None:
            continue
        artifact = {k: spec[k] for k in _KEPT if spec.get(k) is not None}
        if "path" in artifact:
            artifact["path"] = render(str(artifact["path"]), scope, strict=False)
        artifact["s3"] = {**(spec.get("s3") or {}), "key": record["key"]}
        artifact["digest"] = record.get("digest", "")
        artifact["size"] = record.get("size", 0)
        found.append(artifact)
    return tuple(found)


def template_outputs(template: Mapping[str, Any], scope: Scope) -> tuple[dict[str, Any], ...]:
    """Outputs of a steps/dag template: artifacts taken ``from`` its children."""
    found = []
    for spec in (template.get("outputs") or {}).get("artifacts") or []:
        source = _resolve(spec, scope)
        if source is None:
            if spec.get("optional"):
                continue
            raise ArtifactError(f"unable to resolve outputs.artifacts.{spec['name']}")
        artifact = {k: spec[k] for k in _KEPT if spec.get(k) is not None}
        artifact.update(location_of(source))
        for extra in ("digest", "size"):
            if source.get(extra):
                artifact[extra] = source[extra]
        found.append(artifact)
    return tuple(found)
