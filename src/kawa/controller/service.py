"""Local kawa operations over one ``$KAWA_HOME``: what the CLI and the SDK call.

Submitting validates first (schema + lint) and writes nothing when the document is bad.
Commands for a running workflow (resume, stop...) are written to the store's inbox and the
controllers are poked; whichever process drives the workflow applies them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from kawa.controller import clock, codec, ids, wakeup
from kawa.controller.home import Home
from kawa.spec import submission
from kawa.spec.errors import ConflictError, KawaError, NotFoundError, SpecError, SpecIssue
from kawa.spec.events import Event
from kawa.spec.frozen import frozen
from kawa.spec.workflow import Workflow
from kawa.store.records import ListQuery
from kawa.store.sqlite import SqliteStore

DEFAULT_NAMESPACE = "default"

TEMPLATE_KINDS = {
    "WorkflowTemplate": "namespaced",
    "ClusterWorkflowTemplate": "cluster",
    "CronWorkflow": "cron",
}


@frozen
class Submitted:
    workflow: Workflow
    warnings: list[SpecIssue]


class Kawa:
    def __init__(self, home: Home | None = None) -> None:
        self.home = home or Home.default()
        self._store: SqliteStore | None = None

    @property
    def store(self) -> SqliteStore:
        if self._store is None:
            self._store = SqliteStore(self.home.database)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- templates and other stored objects ----------------------------------------------

    def template_lookup(self, namespace: str = DEFAULT_NAMESPACE) -> submission.TemplateLookup:
        def lookup(kind: str, name: str) -> Mapping[str, Any] | None:
            ns = "" if kind == "cluster" else namespace
            try:
                data = json.loads(self.store.get_object(kind, ns, name))
            except NotFoundError:
                return None
            spec: Mapping[str, Any] = data.get("spec") or {}
            return spec

        return lookup

    def put_template(self, raw: Mapping[str, Any]) -> str:
        kind = TEMPLATE_KINDS[str(raw.get("kind"))]
        meta = raw.get("metadata") or {}
        name = str(meta.get("name") or "")
        if not name:
            raise SpecError([SpecIssue("<template>", 1, 1, "metadata.name", "is required")])
        namespace = "" if kind == "cluster" else str(meta.get("namespace") or DEFAULT_NAMESPACE)
        self.store.put_object(kind, namespace, name, codec.dumps(raw), clock.now().isoformat())
        return name

    # -- submitting ---------------------------------------------------------------------

    def prepare(
        self,
        raw: Mapping[str, Any],
        parameters: Mapping[str, str] | None = None,
        *,
        file: str = "<workflow>",
        name: str | None = None,
        position_of: submission.PositionOf | None = None,
    ) -> Workflow:
        """A new Workflow object (name, uid, effective spec) — not yet stored."""
        meta = raw.get("metadata") or {}
        namespace = str(meta.get("namespace") or DEFAULT_NAMESPACE)
        spec, referenced = submission.effective_spec(
            raw.get("spec") or {},
            self.template_lookup(namespace),
            parameters,
            file=file,
            position_of=position_of,
        )
        generate = str(meta.get("generateName") or "")
        chosen = name or str(meta.get("name") or "") or generate + ids.name_suffix()
        if not chosen:
            raise SpecError([SpecIssue(file, 1, 1, "metadata", "name or generateName is required")])
        labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
        ref = (raw.get("spec") or {}).get("workflowTemplateRef") or {}
        if ref.get("name"):  # Argo labels a run with the template it came from
            kind = "cluster-workflow-template" if ref.get("clusterScope") else "workflow-template"
            labels.setdefault(f"workflows.argoproj.io/{kind}", str(ref["name"]))
        repository = artifact_repository(self.store, spec, namespace)
        annotations = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
        return Workflow(
            name=chosen,
            namespace=namespace,
            uid=ids.new_uid(),
            created_at=clock.now().replace(microsecond=0),
            spec=spec,
            labels=labels,
            annotations=annotations,
            generate_name=generate,
            referenced_templates=referenced,
            artifact_repository=repository,
        )

    def submit(self, workflow: Workflow) -> Workflow:
        record = codec.to_record(workflow)
        history = [codec.submitted_record(workflow)]
        nodes = {}
        if workflow.status.nodes:  # a memoized resubmit starts from kept nodes
            history.append(codec.restarted_record(workflow, workflow.created_at))
            nodes = {nid: codec.node_json(n) for nid, n in workflow.status.nodes.items()}
        self.store.insert_workflow(record, nodes, history)
        wakeup.poke_all(self.home.sockets)
        return workflow

    # -- running ------------------------------------------------------------------------

    def drive(
        self,
        uids: list[str],
        on_change: Callable[[Workflow], None] | None = None,
    ) -> list[Workflow]:
        """Drive these workflows to completion in this process; return their final state."""
        from kawa.controller.loop import Controller
        from kawa.executors.local.executor import LocalExecutor

        def new_executor() -> Any:
            return LocalExecutor(self.home.path)

        controller = Controller(
            self.home, self.store, new_executor(), on_change=on_change, new_executor=new_executor
        )
        completed: dict[str, Workflow] = {}
        controller.completed = completed
        try:
            for uid in uids:
                if not controller.adopt(uid):
                    record = self.store.workflow(uid)
                    if record.phase not in ("Succeeded", "Failed", "Error"):
                        raise KawaError(
                            f"workflow {record.name} is driven by another kawa process "
                            f"({record.owner}); use `kawa get` or `kawa logs` to follow it"
                        )
            controller.run_until(lambda: not any(uid in controller.tracked for uid in uids))
        finally:
            controller.close()
        # what this controller committed last is what the store holds: no need to reload it
        return [completed.get(uid) or self.load(uid) for uid in uids]

    def serve(
        self,
        stop: Callable[[], bool],
        on_change: Callable[[Workflow], None] | None = None,
        on_pass: Callable[[float], None] | None = None,
    ) -> None:
        """``kawa controller``: drive every unfinished workflow, including new ones."""
        from kawa.controller.loop import Controller
        from kawa.executors.local.executor import LocalExecutor

        def new_executor() -> Any:
            return LocalExecutor(self.home.path)

        controller = Controller(
            self.home, self.store, new_executor(), on_change=on_change, new_executor=new_executor
        )
        try:
            while not stop():
                began = time.perf_counter()
                controller.adopt_unfinished()
                controller.pass_once()
                if on_pass is not None:
                    on_pass(time.perf_counter() - began)
                if stop():
                    break
                controller._sleep()
        finally:
            controller.close()

    # -- reading ------------------------------------------------------------------------

    def load(self, uid: str) -> Workflow:
        return codec.from_record(self.store.workflow(uid), self.store.nodes(uid))

    def find(self, name: str, namespace: str = DEFAULT_NAMESPACE) -> Workflow:
        record = self.store.find(namespace, name)
        return codec.from_record(record, self.store.nodes(record.uid))

    def list(self, query: ListQuery) -> list[Workflow]:
        records = self.store.list_workflows(query)
        return [codec.from_record(r, {}) for r in records]

    def command(self, name: str, event: Event, namespace: str = DEFAULT_NAMESPACE) -> Workflow:
        workflow = self.find(name, namespace)
        if workflow.status.phase.completed:
            raise KawaError(f"workflow {name} has already {str(workflow.status.phase).lower()}")
        self.store.post_command(workflow.uid, codec.dumps(codec.event_to_json(event)))
        wakeup.poke_all(self.home.sockets)
        return workflow

    def delete(self, name: str, namespace: str = DEFAULT_NAMESPACE) -> None:
        """Delete a finished (or abandoned) workflow; a live one must be ended first."""
        from kawa.controller import ownership

        workflow = self.find(name, namespace)
        owner = self.store.owner(workflow.uid)
        if not workflow.status.phase.completed and not ownership.is_gone(owner):
            raise ConflictError(
                f"workflow {name} is {str(workflow.status.phase) or 'Pending'} and driven by "
                f"a kawa process ({owner}); end it first: kawa terminate {name}"
            )
        self.store.delete_workflow(workflow.uid)

    def node_files(self, workflow: Workflow, node_id: str) -> tuple[Path, Path]:
        directory = self.home.node_dir(workflow.uid, node_id)
        return directory / "stdout", directory / "stderr"


REPOSITORIES = "artifact-repositories"
DEFAULT_REPOSITORY = "workflows.argoproj.io/default-artifact-repository"


def artifact_repository(
    store: SqliteStore, spec: Mapping[str, Any], namespace: str
) -> dict[str, Any]:
    """The repository a workflow uses (Argo's rules), fixed at submission.

    ``spec.artifactRepositoryRef`` names a ConfigMap (default ``artifact-repositories``)
    and a key in it; without it, that ConfigMap's key named by its annotation
    ``workflows.argoproj.io/default-artifact-repository`` is the default; without
    that, kawa's local directory ``$KAWA_HOME/artifacts``.
    """
    import yaml

    ref = spec.get("artifactRepositoryRef") or {}
    name = str(ref.get("configMap") or REPOSITORIES)
    try:
        config_map = json.loads(store.get_object("configmap", namespace, name))
    except NotFoundError:
        if ref:
            raise KawaError(
                f'spec.artifactRepositoryRef: configmap "{name}" not found in namespace '
                f'"{namespace}"'
            ) from None
        return {}
    data = config_map.get("data") or {}
    annotations = (config_map.get("metadata") or {}).get("annotations") or {}
    key = str(ref.get("key") or annotations.get(DEFAULT_REPOSITORY) or "")
    if not key:
        return {}
    if key not in data:
        raise KawaError(f'spec.artifactRepositoryRef: configmap "{name}" has no key "{key}"')
    try:
        repository = yaml.safe_load(data[key])
    except yaml.YAMLError as error:
        raise KawaError(f'configmap "{name}" key "{key}": not YAML: {error}') from error
    if not isinstance(repository, dict):
        raise KawaError(f'configmap "{name}" key "{key}": expected an artifact repository')
    return repository


def since(text: str, now: datetime | None = None) -> str:
    """``--since 1h`` / ``30m`` / ``2d`` / an ISO time -> ISO lower bound."""
    from datetime import timedelta

    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    now = now or clock.now()
    if text and text[-1] in units and text[:-1].isdigit():
        return (now - timedelta(seconds=int(text[:-1]) * units[text[-1]])).isoformat()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError as error:
        raise KawaError(
            f"--since: expected a duration like 1h or an ISO time, got {text!r}"
        ) from error
