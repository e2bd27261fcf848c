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

import hashlib
import json
from typing import Any

from kawa.spec.actions import StartStep
from kawa.spec.status import Inputs

#: StartStep fields that identify a step rather than describe its work
_IDENTITY = ("workflow_uid", "workflow_name", "node_id", "node_name", "queue", "queue_limit",
             "queue_lane")  # fmt: skip


def digest(value: Any) -> str:
    """``sha256:<hex>`` of a JSON value in canonical form (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


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
