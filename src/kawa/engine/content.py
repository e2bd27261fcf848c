"""Content keys: what a step computes, as a digest, so equal work can be recognised.

A Pod node's key is the SHA-256 of its fully substituted template as the executor receives
it (image, command, args, env, script source, working dir, volume mounts, output paths,
init containers and sidecars) and of its input parameters — everything that decides what
the step does, and nothing that only names it (workflow name and uid, node name and id,
queue).  Two runs that would execute the same thing get the same key; a template that
uses ``{{workflow.name}}`` or ``{{pod.name}}`` gets a different key in every run, as it
should: it does something different.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hashlib import sha256
else:  # CPython's own SHA-256: ``hashlib`` loads OpenSSL first, ~2.5 ms of every start-up
    try:
        from _sha256 import sha256
    except ImportError:  # Python 3.12+ calls it _sha2; other Pythons: hashlib's
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256

from kawa.spec.actions import StartStep
from kawa.spec.status import Inputs

#: StartStep fields that identify a step rather than describe its work
_IDENTITY = ("workflow_uid", "workflow_name", "node_id", "node_name", "queue", "queue_limit",
             "queue_lane")  # fmt: skip


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value: Any) -> str:
    """``sha256:<hex>`` of a JSON value in canonical form (sorted keys, no spaces)."""
    return "sha256:" + sha256(_CANONICAL.encode(value).encode()).hexdigest()


def step_key(step: StartStep, inputs: Inputs | None) -> str:
    """Input artifacts count by content (their digest), outputs by what is saved (not where:
    a default key holds the workflow's name)."""
    work = {k: v for k, v in step.to_json().items() if k not in _IDENTITY}
    work.pop("artifact_repository", None)
    work["input_artifacts"] = [_by_content(a) for a in work.get("input_artifacts", [])]
    for artifact in work.get("output_artifacts", []):
        artifact.pop("key", None)
    parameters = [[p.name, p.value] for p in inputs.parameters] if inputs else []
    return digest({"step": work, "parameters": parameters})


def _by_content(artifact: dict[str, Any]) -> dict[str, Any]:
    if artifact.get("digest"):
        return {k: v for k, v in artifact.items() if k != "location"}
    return artifact
