"""Input artifacts placed before a step starts; output artifacts saved after it ends.

Inputs are written where the step will see them: through its mount plan, into the node's
private storage behind the path (``mounts.writable_path``), never into the host's own
directories.  Outputs are read the same way back (``mounts.host_path``) and stored in the
workflow's repository (see ``kawa.artifacts``).  What was placed is recorded in the node
dir (``artifacts-in``) so the digests survive a controller restart; saving is idempotent
(same key, same bytes), so a recovered controller may save again.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kawa.artifacts import transfer
from kawa.artifacts.repository import Repository, RepositoryError, open_repository
from kawa.executors.local import mounts
from kawa.executors.local.images import CannotRun
from kawa.executors.local.layout import NodePaths
from kawa.spec.actions import InputArtifact, StartStep
from kawa.spec.errors import KawaError

LOADED = "artifacts-in"
Credentials = Callable[[Mapping[str, Any]], dict[str, str]]


class CannotLoad(CannotRun):
    """An input artifact could not be placed: the step must not start."""


def repository(step: StartStep, home: Path, credentials: Credentials | None) -> Repository:
    config = step.artifact_repository
    try:
        secrets = credentials(config) if credentials is not None else {}
    except KawaError as error:  # a secret the configuration names is missing
        raise RepositoryError(str(error)) from error
    return open_repository(config, home, secrets)


def load_inputs(
    step: StartStep,
    node: NodePaths,
    plan: list[dict[str, Any]],
    isolation: str,
    home: Path,
    credentials: Credentials | None = None,
) -> None:
    if not step.input_artifacts:
        return
    cwd = node.cwd(step.main.working_dir, isolation)
    loaded: dict[str, str] = {}
    repo: Repository | None = None
    for artifact in step.input_artifacts:
        dest = mounts.writable_path(plan, isolation, artifact.path, cwd)
        try:
            if "s3" in artifact.location and repo is None:
                repo = repository(step, home, credentials)
            loaded[artifact.name] = _load(artifact, dest, repo)
        except Exception as error:  # any storage backend's failure is the step's, not ours
            if artifact.optional:
                continue
            raise CannotLoad(f"failed to load artifact {artifact.name}: {error}") from error
    Path(node.file(LOADED)).write_text(json.dumps(loaded))


def _load(artifact: InputArtifact, dest: Path, repo: Repository | None) -> str:
    location = artifact.location
    if "raw" in location:
        data = str((location["raw"] or {}).get("data", "")).encode()
        return transfer.place_bytes(data, dest, artifact.mode)
    if "http" in location:
        url = str((location["http"] or {}).get("url", ""))
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
        return transfer.place_bytes(data, dest, artifact.mode)
    if "s3" in location and repo is not None:
        key = str((location["s3"] or {}).get("key", ""))
        return transfer.load(
            repo, key, dest, artifact.archive, mode=artifact.mode, sub_path=artifact.sub_path
        )
    kinds = ", ".join(sorted(location)) or "none"
    raise RepositoryError(f"artifact location {kinds} is not supported by the local executor")


def loaded_digests(node: NodePaths) -> dict[str, str]:
    try:
        data: dict[str, str] = json.loads(Path(node.file(LOADED)).read_text())
        return data
    except (OSError, ValueError):
        return {}


def save_outputs(
    step: StartStep,
    node: NodePaths,
    launched: dict[str, Any] | None,
    cwd: str,
    exit_code: int | None,
    home: Path,
    credentials: Credentials | None = None,
) -> tuple[dict[str, dict[str, Any]], str]:
    """({name: {key, digest, size}}, message about a required artifact that is missing)."""
    saved: dict[str, dict[str, Any]] = {}
    problem = ""
    if not step.output_artifacts:
        return saved, problem
    try:
        repo = repository(step, home, credentials)
    except RepositoryError as error:
        return saved, f"failed to save outputs: {error}"
    for artifact in step.output_artifacts:
        source = mounts.host_path(launched, artifact.path, cwd)
        try:
            done = transfer.save(repo, source, artifact.key, artifact.archive)
        except transfer.ArtifactMissing:
            if not artifact.optional and exit_code == 0 and not problem:
                problem = f"failed to save outputs: open {artifact.path}: no such file or directory"
            continue
        except Exception as error:  # any storage backend's failure is the step's, not ours
            problem = problem or f"failed to save outputs: {artifact.name}: {error}"
            continue
        saved[artifact.name] = {"key": done.key, "digest": done.digest, "size": done.size}
    return saved, problem
