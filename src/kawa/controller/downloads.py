"""``kawa cp``: copy a workflow's output artifacts from its repository to a directory."""

from __future__ import annotations

import posixpath
from pathlib import Path

from kawa.artifacts import transfer
from kawa.artifacts.repository import open_repository
from kawa.controller.loop import repository_credentials
from kawa.controller.service import Kawa
from kawa.spec.errors import NotFoundError
from kawa.spec.workflow import Workflow


def copy_outputs(
    service: Kawa, workflow: Workflow, dest: Path, artifact_name: str = "", node: str = ""
) -> list[Path]:
    """Each saved output artifact to ``dest/<node display name>/<file name>``."""
    config = dict(workflow.artifact_repository)
    repo = open_repository(config, service.home.path, repository_credentials(service.store, config))
    copied = []
    for item in workflow.status.nodes.values():
        if str(item.type) != "Pod" or item.outputs is None:
            continue
        if node and node not in (item.display_name, item.name, item.id):
            continue
        for artifact in item.outputs.artifacts:
            if artifact_name and artifact.get("name") != artifact_name:
                continue
            key = str((artifact.get("s3") or {}).get("key") or "")
            if not key:
                continue
            name = posixpath.basename(str(artifact.get("path") or artifact["name"]).rstrip("/"))
            target = dest / item.display_name / name
            transfer.load(repo, key, target, artifact.get("archive"))
            copied.append(target)
    if not copied:
        raise NotFoundError(f"workflow {workflow.name} has no saved output artifacts to copy")
    return copied
