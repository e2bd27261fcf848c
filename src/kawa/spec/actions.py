"""What the engine asks the world to do, and what executors act on.

The engine returns these; the controller commits them to the store and only then hands
them to an executor (write-ahead).  They live in ``spec`` because both ``engine``
(producer) and ``executors`` (consumer) use them and neither may import the other.
Every field is a plain value so an action serialises to JSON for the store.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from kawa.spec.frozen import frozen


@frozen
class Container:
    """One process to run: a fully substituted Argo container (or script) body."""

    name: str
    image: str = ""
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    working_dir: str = ""
    #: script templates: the ``source`` text, written to a file and passed to ``command``
    source: str | None = None
    #: names of ``env`` entries whose values are secrets (never logged or shown)
    secret_env: tuple[str, ...] = ()
    #: containerSet: names of containers this one waits for
    dependencies: tuple[str, ...] = ()
    #: env values the controller resolves at launch, never stored:
    #: (env name, "secret" | "configmap", object name, key)
    env_refs: tuple[tuple[str, str, str, str], ...] = ()


@frozen
class VolumeMount:
    """A workflow-level volume (emptyDir/PVC/volumeClaimTemplate) seen at ``mount_path``."""

    volume: str
    mount_path: str
    sub_path: str = ""
    read_only: bool = False


@frozen
class OutputParameter:
    """An output parameter read from a file after the step ends (``valueFrom.path``)."""

    name: str
    path: str


@frozen
class InputArtifact:
    """An input artifact to place at ``path`` before the step starts.

    ``location`` is Argo's JSON for where it is: ``{"s3": {"key": K}}`` (a key in the
    workflow's artifact repository), ``{"raw": {"data": D}}``, ``{"http": {"url": U}}``.
    """

    name: str
    path: str
    location: dict[str, Any]
    archive: dict[str, Any] | None = None
    mode: int | None = None
    optional: bool = False
    sub_path: str = ""
    #: the content digest, when known (an output of an earlier step)
    digest: str = ""


@frozen
class OutputArtifact:
    """An output artifact to save from ``path`` under ``key`` once the step has ended."""

    name: str
    path: str
    key: str
    archive: dict[str, Any] | None = None
    optional: bool = False


@frozen
class StartStep:
    """Start the process(es) of one Pod-type node.

    ``private_paths`` are absolute container paths that must be the step's own (output and
    input paths, ``workingDir``); ``/tmp`` is always private.
    """

    workflow_uid: str
    workflow_name: str
    node_id: str
    node_name: str
    main: Container
    init_containers: tuple[Container, ...] = ()
    sidecars: tuple[Container, ...] = ()
    #: containerSet templates: several containers with ``dependencies`` (``main`` unused)
    container_set: tuple[Container, ...] = ()
    volume_mounts: tuple[VolumeMount, ...] = ()
    private_paths: tuple[str, ...] = ()
    output_parameters: tuple[OutputParameter, ...] = ()
    #: daemon templates: the node is Running (and outputs usable) once started
    daemon: bool = False
    #: extra facts recorded for provenance (image, template name, ...)
    labels: tuple[tuple[str, str], ...] = ()
    #: concurrency limit the executor enforces (workflow ``parallelism``): at most
    #: ``queue_limit`` steps of ``queue`` run at once; waiting ones are served
    #: round-robin by ``queue_lane``
    queue: str = ""
    queue_limit: int = 0
    queue_lane: str = ""
    input_artifacts: tuple[InputArtifact, ...] = ()
    output_artifacts: tuple[OutputArtifact, ...] = ()
    #: the workflow's artifact repository configuration (Argo's shape, no secrets)
    artifact_repository: dict[str, Any] = field(default_factory=dict)
    #: an *advance* start (``kawa.engine.advance``): start the step the moment the Pod
    #: node ``after`` exits 0, without waiting for the controller; the engine issues
    #: the same start again, without ``after``, once it has seen that node succeed
    after: str = ""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (lists for tuples), without ``asdict``'s deep copies."""
        data = dict(vars(self))
        for key in ("init_containers", "sidecars", "container_set"):
            data[key] = [_container_json(c) for c in data[key]]
        data["main"] = _container_json(self.main)
        data["volume_mounts"] = [dict(vars(v)) for v in self.volume_mounts]
        data["output_parameters"] = [dict(vars(p)) for p in self.output_parameters]
        data["private_paths"] = list(self.private_paths)
        data["labels"] = [list(pair) for pair in self.labels]
        data["input_artifacts"] = [dict(vars(a)) for a in self.input_artifacts]
        data["output_artifacts"] = [dict(vars(a)) for a in self.output_artifacts]
        return data

    @staticmethod
    def from_json(data: dict[str, Any]) -> StartStep:
        def container(c: dict[str, Any]) -> Container:
            return Container(
                name=c["name"],
                image=c.get("image", ""),
                command=tuple(c.get("command", ())),
                args=tuple(c.get("args", ())),
                env=tuple((k, v) for k, v in c.get("env", ())),
                working_dir=c.get("working_dir", ""),
                source=c.get("source"),
                secret_env=tuple(c.get("secret_env", ())),
                dependencies=tuple(c.get("dependencies", ())),
                env_refs=tuple(tuple(r) for r in c.get("env_refs", ())),
            )

        return StartStep(
            workflow_uid=data["workflow_uid"],
            workflow_name=data["workflow_name"],
            node_id=data["node_id"],
            node_name=data["node_name"],
            main=container(data["main"]),
            init_containers=tuple(container(c) for c in data.get("init_containers", ())),
            sidecars=tuple(container(c) for c in data.get("sidecars", ())),
            container_set=tuple(container(c) for c in data.get("container_set", ())),
            volume_mounts=tuple(VolumeMount(**v) for v in data.get("volume_mounts", ())),
            private_paths=tuple(data.get("private_paths", ())),
            output_parameters=tuple(
                OutputParameter(**p) for p in data.get("output_parameters", ())
            ),
            daemon=bool(data.get("daemon", False)),
            labels=tuple((k, v) for k, v in data.get("labels", ())),
            queue=str(data.get("queue", "")),
            queue_limit=int(data.get("queue_limit", 0)),
            queue_lane=str(data.get("queue_lane", "")),
            input_artifacts=tuple(InputArtifact(**a) for a in data.get("input_artifacts", ())),
            output_artifacts=tuple(OutputArtifact(**a) for a in data.get("output_artifacts", ())),
            artifact_repository=dict(data.get("artifact_repository") or {}),
            after=str(data.get("after", "")),
        )


def _container_json(container: Container) -> dict[str, Any]:
    data = dict(vars(container))
    for key in ("command", "args", "secret_env", "dependencies"):
        data[key] = list(data[key])
    data["env"] = [list(pair) for pair in container.env]
    data["env_refs"] = [list(ref) for ref in container.env_refs]
    return data


@frozen
class StopStep:
    """Stop a running step: SIGTERM, then SIGKILL after ``grace_seconds``."""

    workflow_uid: str
    node_id: str
    reason: str = "terminated"
    grace_seconds: float = 10.0


@frozen
class StepOutcome:
    """What an executor observed when a step ended (folded into the node by the engine)."""

    node_id: str
    exit_code: int | None
    #: stdout with one trailing newline trimmed (Argo's ``outputs.result``)
    result: str | None = None
    #: output parameter values read from files; a missing file has no entry
    parameters: dict[str, str] = field(default_factory=dict)
    #: Argo-style message for an abnormal end ("executable file not found", signals...)
    message: str = ""
    #: kawa could not run or follow the step (lost supervisor, unknown image with no
    #: command...): the node is an Error.  A command that is not found is *not* an error:
    #: like Argo's emissary it exits 64 with "executable file not found", and is Failed.
    error: bool = False
    #: containerSet: exit code of each container by name
    containers: dict[str, int] = field(default_factory=dict)
    #: output artifacts saved: name -> {"key", "digest", "size"}
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: input artifacts placed: name -> digest
    loaded: dict[str, str] = field(default_factory=dict)


@frozen
class AcquireLocks:
    """Ask the controller for a node's mutexes and semaphores (Argo ``synchronization``).

    ``semaphores`` holds ``(key, limit_ref)`` pairs where ``limit_ref`` names the
    ConfigMap key (``configmap/<name>/<key>``) that holds the limit.
    """

    workflow_uid: str
    node_id: str
    mutexes: tuple[str, ...] = ()
    semaphores: tuple[tuple[str, str], ...] = ()


@frozen
class ReleaseLocks:
    workflow_uid: str
    node_id: str


@frozen
class LookupCache:
    """Read one memoization entry (Argo ``memoize``): ``key`` in the ConfigMap ``cache``."""

    workflow_uid: str
    node_id: str
    namespace: str
    cache: str
    key: str


@frozen
class SaveCache:
    """Store a succeeded memoized node's outputs under ``key`` in the ConfigMap ``cache``."""

    workflow_uid: str
    node_id: str
    namespace: str
    cache: str
    key: str
    #: the node's outputs, as Argo's JSON (``parameters``, ``result``, ``exitCode``...)
    outputs: dict[str, Any] = field(default_factory=dict)


Action = StartStep | StopStep | AcquireLocks | ReleaseLocks | LookupCache | SaveCache
