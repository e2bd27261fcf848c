"""Pod nodes: container, script and containerSet templates.

A Pod node is Pending until its StartStep is issued (after parallelism and locks allow),
Running once the executor reports the process started, and fulfilled when the outcome
arrives: exit 0 is Succeeded, any other exit is Failed with Argo's "Error (exit code N)",
a step that could not run is Error.  Output parameters come from the files the step
wrote (``valueFrom.path``; ``default`` when missing) or from ``value``; ``result`` is
stdout.  ``activeDeadlineSeconds`` and ``timeout`` stop the process and fail the node
with Argo's deadline message.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from kawa.engine import artifacts, content, naming, retries, reuse
from kawa.engine.calls import Call
from kawa.engine.run import Run
from kawa.engine.scope import Scope, render
from kawa.engine.templates import Resolved, substitute_template
from kawa.spec.actions import (
    AcquireLocks,
    Container,
    OutputParameter,
    ReleaseLocks,
    StartStep,
    StopStep,
    VolumeMount,
)
from kawa.spec.frozen import evolve
from kawa.spec.status import NodePhase, NodeStatus, Outputs, Parameter, parse_time

DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"


def execute(run: Run, call: Call, resolved: Resolved, node: NodeStatus, scope: Scope) -> NodeStatus:
    outcome = node.private.get("outcome")
    if outcome is not None:
        return _finish(run, resolved, node, scope, outcome)
    if not node.private.get("launched"):
        return _launch(run, call, resolved, node, scope)
    return _watch_deadline(run, resolved, node, scope)


def _launch(run: Run, call: Call, resolved: Resolved, node: NodeStatus, scope: Scope) -> NodeStatus:
    in_exit_handler = node.name.startswith(naming.exit_hook(run.name))
    if run.spec.get("suspend"):
        return node
    if run.workflow.status.private.get("shutdown") and not in_exit_handler:
        return node
    prepared = None
    if run.workflow.reuse:  # a re-run: an equal step of the earlier run is not launched
        prepared = _prepare(run, node, resolved, scope)
        entry = reuse.recorded(run, node, prepared[2])
        if entry is not None:
            return reuse.reuse(run, node, prepared[2], entry)
    if run.launch_window_full():
        return node
    sync = resolved.template.get("synchronization")
    if sync and not node.private.get("locked"):
        if not node.private.get("lock_requested"):
            run.emit(_acquire(run, node, sync))
            node = run.save(node.with_private(lock_requested=True))
        return run.save(_waiting_message(run, node, sync))
    body, step, key = prepared or _prepare(run, node, resolved, scope)
    limit = run.spec.get("parallelism")
    if limit is not None:
        # the executor enforces workflow parallelism, refilling a slot the moment a step
        # ends; a loop's items share a lane so they cannot starve other steps
        lane = call.parent_id or node.id
        step = evolve(
            step, queue=f"{run.workflow.uid}/parallelism", queue_limit=int(limit), queue_lane=lane
        )
    run.emit(step)
    watch = body.get("activeDeadlineSeconds") is not None or bool(body.get("timeout"))
    launched = node.with_private(
        launched=True,
        key=key,
        daemon=True if body.get("daemon") else None,
        watch=True if watch else None,  # a deadline to check on every pass
    )
    return run.save(launched.with_phase(NodePhase.PENDING, run.now, ""))


def _prepare(
    run: Run, node: NodeStatus, resolved: Resolved, scope: Scope
) -> tuple[Mapping[str, Any], StartStep, str]:
    """The substituted template, the executor's request for it, and its content key."""
    body = substitute_template(resolved.template, scope, strict=True)
    step = start_step(run, node, body)
    inputs = node.inputs.artifacts if node.inputs else ()
    repository = run.workflow.artifact_repository
    saves = artifacts.outputs_to_save(resolved.template, scope, repository)
    if inputs or saves:
        step = evolve(
            step,
            input_artifacts=artifacts.inputs_to_load(inputs),
            output_artifacts=saves,
            artifact_repository=dict(repository),
        )
    return body, step, content.step_key(step, node.inputs)


def end_daemons(run: Run, boundary_id: str) -> None:
    """Argo kills a template's daemoned children when it completes; they count Succeeded."""
    for node in list(run.nodes.values()):
        if node.boundary_id == boundary_id and node.daemoned and not node.phase.fulfilled:
            run.emit(StopStep(run.workflow.uid, node.id, reason="daemon", grace_seconds=2.0))
            run.pod_ended()
            ended = evolve(node, daemoned=False, private={})
            run.save(ended.with_phase(NodePhase.SUCCEEDED, run.now))


def _waiting_message(run: Run, node: NodeStatus, sync: Mapping[str, Any]) -> NodeStatus:
    """Argo's text, e.g. ``Waiting for default/Mutex/m lock. Lock status: 0/1``."""
    namespace = run.workflow.namespace
    names = [m.get("name") for m in sync.get("mutexes") or []]
    if sync.get("mutex"):
        names.append(sync["mutex"].get("name"))
    if names:
        what = f"{namespace}/Mutex/{names[0]} lock. Lock status: 0/1"
    else:
        sems = [
            *(sync.get("semaphores") or []),
            *([sync["semaphore"]] if sync.get("semaphore") else []),
        ]
        ref = (sems[0].get("configMapKeyRef") or {}) if sems else {}
        what = f"{namespace}/ConfigMap/{ref.get('name')}/{ref.get('key')} lock"
    return evolve(node, message=f"Waiting for {what}")


def _acquire(run: Run, node: NodeStatus, sync: Mapping[str, Any]) -> AcquireLocks:
    mutexes = [str(m.get("name")) for m in sync.get("mutexes") or []]
    if sync.get("mutex"):
        mutexes.append(str(sync["mutex"].get("name")))
    semaphores: list[tuple[str, str]] = []
    for sem in [
        *(sync.get("semaphores") or []),
        *([sync["semaphore"]] if sync.get("semaphore") else []),
    ]:
        ref = sem.get("configMapKeyRef") or {}
        key = f"configmap/{ref.get('name')}/{ref.get('key')}"
        semaphores.append((f"{run.workflow.namespace}/semaphore/{key}", key))
    return AcquireLocks(
        workflow_uid=run.workflow.uid,
        node_id=node.id,
        mutexes=tuple(f"{run.workflow.namespace}/mutex/{m}" for m in mutexes),
        semaphores=tuple(semaphores),
    )


def _watch_deadline(run: Run, resolved: Resolved, node: NodeStatus, scope: Scope) -> NodeStatus:
    if node.phase is not NodePhase.RUNNING or node.private.get("stopping"):
        return node
    deadline_s = _deadline_seconds(resolved.template, scope)
    if deadline_s is None:
        return node
    started = parse_time(node.private.get("pod_started")) or node.started_at or run.now
    deadline = started + timedelta(seconds=deadline_s)
    if run.now < deadline:
        run.wake(deadline)
        return node
    run.emit(StopStep(run.workflow.uid, node.id, reason="deadline", grace_seconds=10.0))
    return run.save(node.with_private(stopping="deadline"))


def _deadline_seconds(template: Mapping[str, Any], scope: Scope) -> float | None:
    values = []
    ads = template.get("activeDeadlineSeconds")
    if ads is not None:
        values.append(float(render(str(ads), scope)))
    timeout = template.get("timeout")
    if timeout:
        values.append(retries.parse_duration(render(str(timeout), scope)))
    return min(values) if values else None


def _finish(
    run: Run, resolved: Resolved, node: NodeStatus, scope: Scope, outcome: Mapping[str, Any]
) -> NodeStatus:
    at = parse_time(outcome.get("at")) or run.now
    exit_code = outcome.get("exit_code")
    result = outcome.get("result")
    parameters, missing = _output_parameters(resolved.template, scope, outcome)
    saved = artifacts.saved(resolved.template, scope, outcome)
    outputs = Outputs(
        parameters=parameters,
        artifacts=saved,
        result=result,
        exit_code=str(exit_code) if exit_code is not None else None,
    )
    if node.private.get("stopping") == "deadline":
        phase, message = NodePhase.FAILED, DEADLINE_MESSAGE
    elif node.private.get("stopping"):
        phase, message = NodePhase.FAILED, str(node.private.get("stop_message") or "")
    elif outcome.get("error"):
        phase, message = NodePhase.ERROR, str(outcome.get("message") or "")
    elif exit_code == 0 and missing:
        phase, message = NodePhase.ERROR, f"wait: Error (exit code 64): {missing}"
    elif exit_code == 0:
        phase, message = NodePhase.SUCCEEDED, ""
    else:
        phase = NodePhase.FAILED
        message = str(outcome.get("message") or f"main: Error (exit code {exit_code})")
    if node.private.get("launched"):
        run.pod_ended()
    if node.private.get("locked") or node.private.get("lock_requested"):
        run.emit(ReleaseLocks(run.workflow.uid, node.id))
    if node.private.get("daemon") and phase is NodePhase.SUCCEEDED:
        phase, message = NodePhase.FAILED, "daemoned pod exited"
    kept = {"key": node.private["key"]} if "key" in node.private else {}
    done = evolve(node, outputs=outputs, private=kept, daemoned=False)
    if outcome.get("loaded") and node.inputs is not None:  # digests of what was placed
        loaded = outcome["loaded"]
        placed = tuple(
            {**a, "digest": loaded[a["name"]]} if a.get("name") in loaded else a
            for a in node.inputs.artifacts
        )
        done = evolve(done, inputs=evolve(node.inputs, artifacts=placed))
    publish(run, outputs)
    return run.save(done.with_phase(phase, at, message))


def publish(run: Run, outputs: Outputs) -> None:
    """Outputs with a ``globalName`` become the workflow's outputs."""
    for param in outputs.parameters:
        if param.global_name and param.value is not None:
            run.global_outputs[param.global_name] = param.value
    for artifact in outputs.artifacts:
        if artifact.get("globalName"):
            run.global_artifacts[str(artifact["globalName"])] = {
                **artifact,
                "name": artifact["globalName"],
            }


def _output_parameters(
    template: Mapping[str, Any], scope: Scope, outcome: Mapping[str, Any]
) -> tuple[tuple[Parameter, ...], str]:
    found: dict[str, str] = dict(outcome.get("parameters") or {})
    result: list[Parameter] = []
    missing = ""
    for spec in (template.get("outputs") or {}).get("parameters") or []:
        name = spec["name"]
        value_from = spec.get("valueFrom") or {}
        value: str | None = None
        if value_from.get("path"):
            value = found.get(name)
            if value is None and value_from.get("default") is not None:
                value = render(str(value_from["default"]), scope, strict=False)
            if value is None and not missing:
                path = render(str(value_from["path"]), scope, strict=False)
                missing = f"open {path}: no such file or directory"
        elif spec.get("value") is not None:
            value = render(str(spec["value"]), scope, strict=False)
        result.append(
            Parameter(
                name=name,
                value=value,
                value_from=value_from or None,
                global_name=spec.get("globalName"),
            )
        )
    return tuple(result), missing


def start_step(run: Run, node: NodeStatus, template: Mapping[str, Any]) -> StartStep:
    """The executor request for a fully substituted pod template."""
    volumes = _volumes(run, template)
    private: list[str] = []
    mounts: list[VolumeMount] = []
    main_raw = template.get("container") or template.get("script") or {}
    for vm in main_raw.get("volumeMounts") or []:
        _mount(vm, volumes, private, mounts)
    outputs = []
    # a file or directory the step (or kawa, for an input artifact) creates: its parent
    # must be the step's own, the path itself is not made in advance
    for param in (template.get("outputs") or {}).get("parameters") or []:
        path = (param.get("valueFrom") or {}).get("path")
        if path:
            outputs.append(OutputParameter(param["name"], str(path)))
            private.append(posixpath.dirname(str(path).rstrip("/")) or "/")
    for kind in ("outputs", "inputs"):
        for artifact in (template.get(kind) or {}).get("artifacts") or []:
            if artifact.get("path"):
                private.append(posixpath.dirname(str(artifact["path"]).rstrip("/")) or "/")
    if main_raw.get("workingDir"):
        private.append(str(main_raw["workingDir"]))
    main = _container(main_raw, "main", source=(template.get("script") or {}).get("source"))
    init = tuple(
        _container(c, c.get("name", f"init-{i}"))
        for i, c in enumerate(template.get("initContainers") or [])
    )
    for c in template.get("initContainers") or []:
        if c.get("mirrorVolumeMounts"):
            continue
        for vm in c.get("volumeMounts") or []:
            _mount(vm, volumes, private, mounts)
    sidecars = tuple(
        _container(c, c.get("name", f"sidecar-{i}"))
        for i, c in enumerate(template.get("sidecars") or [])
    )
    container_set: tuple[Container, ...] = ()
    if template.get("containerSet"):
        cs = template["containerSet"]
        container_set = tuple(
            _container(c, c.get("name", f"c{i}")) for i, c in enumerate(cs.get("containers") or [])
        )
        for vm in cs.get("volumeMounts") or []:
            _mount(vm, volumes, private, mounts)
    return StartStep(
        workflow_uid=run.workflow.uid,
        workflow_name=run.workflow.name,
        node_id=node.id,
        node_name=node.name,
        main=main,
        init_containers=init,
        sidecars=sidecars,
        container_set=container_set,
        volume_mounts=tuple(mounts),
        private_paths=tuple(dict.fromkeys(private)),
        output_parameters=tuple(outputs),
        daemon=bool(template.get("daemon")),
        labels=_labels(template),
    )


#: template annotation: start this Python step from a pre-warmed interpreter
WARM_PYTHON = "kawa.dev/warm-python"


def _labels(template: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    labels: tuple[tuple[str, str], ...] = (("template", str(template.get("name", ""))),)
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    if str(annotations.get(WARM_PYTHON, "")).lower() == "true":
        labels += (("warm-python", "true"),)
    return labels


def _volumes(run: Run, template: Mapping[str, Any]) -> dict[str, str]:
    """Volume name -> "private" (emptyDir: per pod) or "shared" (claims: per workflow)."""
    kinds: dict[str, str] = {}
    for claim in run.spec.get("volumeClaimTemplates") or []:
        kinds[str((claim.get("metadata") or {}).get("name"))] = "shared"
    for volume in [*(run.spec.get("volumes") or []), *(template.get("volumes") or [])]:
        kinds[str(volume.get("name"))] = "private" if "emptyDir" in volume else "shared"
    return kinds


def _mount(
    vm: Mapping[str, Any], volumes: dict[str, str], private: list[str], mounts: list[VolumeMount]
) -> None:
    path = str(vm.get("mountPath", ""))
    if not path:
        return
    if volumes.get(str(vm.get("name"))) == "shared":
        mounts.append(
            VolumeMount(
                volume=str(vm.get("name")),
                mount_path=path,
                sub_path=str(vm.get("subPath", "")),
                read_only=bool(vm.get("readOnly", False)),
            )
        )
    else:
        private.append(path)


def _container(raw: Mapping[str, Any], name: str, source: str | None = None) -> Container:
    env: list[tuple[str, str]] = []
    refs: list[tuple[str, str, str, str]] = []
    for entry in raw.get("env") or []:
        value_from = entry.get("valueFrom") or {}
        if value_from.get("secretKeyRef"):
            ref = value_from["secretKeyRef"]
            refs.append((entry["name"], "secret", str(ref.get("name")), str(ref.get("key"))))
        elif value_from.get("configMapKeyRef"):
            ref = value_from["configMapKeyRef"]
            refs.append((entry["name"], "configmap", str(ref.get("name")), str(ref.get("key"))))
        else:
            env.append((str(entry["name"]), str(entry.get("value", ""))))
    return Container(
        name=str(raw.get("name") or name),
        image=str(raw.get("image", "")),
        command=tuple(str(c) for c in raw.get("command") or ()),
        args=tuple(str(a) for a in raw.get("args") or ()),
        env=tuple(env),
        working_dir=str(raw.get("workingDir", "")),
        source=source,
        secret_env=tuple(r[0] for r in refs if r[1] == "secret"),
        dependencies=tuple(str(d) for d in raw.get("dependencies") or ()),
        env_refs=tuple(refs),
    )
