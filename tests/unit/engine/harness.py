"""Drive the pure engine with scripted step outcomes — no processes, no clock.

``drive(yaml_text)`` reconciles, answers every StartStep with StepStarted/StepEnded events
computed by ``outcome`` (default: a tiny interpreter for ``echo``, ``sh -c 'exit N'`` and
argosay verbs), jumps the clock to wake-ups, and returns the final Workflow plus the
history of decisions.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from kawa.engine.observe import apply
from kawa.engine.reconcile import reconcile
from kawa.spec import submission
from kawa.spec.actions import StartStep, StepOutcome, StopStep
from kawa.spec.events import Event, StepEnded, StepStarted
from kawa.spec.status import NodeStatus
from kawa.spec.workflow import Workflow

T0 = datetime(2026, 1, 1, tzinfo=UTC)

Outcome = Callable[[StartStep], StepOutcome | None]


@dataclass
class Run:
    workflow: Workflow
    started: list[StartStep] = field(default_factory=list)
    #: starts issued in advance (``StartStep.after``): an executor's business, not
    #: answered here (the engine issues each again once ``after`` succeeded)
    advanced: list[StartStep] = field(default_factory=list)
    stopped: list[StopStep] = field(default_factory=list)
    now: datetime = T0

    @property
    def phase(self) -> str:
        return str(self.workflow.status.phase)

    def node(self, display: str) -> NodeStatus:
        found = [n for n in self.workflow.status.nodes.values() if n.display_name == display]
        assert len(found) == 1, (
            f"{display!r}: {[n.display_name for n in self.workflow.status.nodes.values()]}"
        )
        return found[0]

    def by_name(self, name: str) -> NodeStatus:
        found = [n for n in self.workflow.status.nodes.values() if n.name == name]
        assert found, (
            f"no node {name!r}: {sorted(n.name for n in self.workflow.status.nodes.values())}"
        )
        return found[0]

    def displays(self) -> list[str]:
        return sorted(n.display_name for n in self.workflow.status.nodes.values())

    def started_names(self) -> list[str]:
        return [s.node_name for s in self.started]


def make_workflow(
    text: str,
    parameters: Mapping[str, str] | None = None,
    templates: Mapping[str, Mapping[str, Any]] | None = None,
    name: str = "wf",
) -> Workflow:
    raw = yaml.safe_load(text)
    lookup_table = templates or {}

    def lookup(kind: str, tname: str) -> Mapping[str, Any] | None:
        return lookup_table.get(tname)

    spec, referenced = submission.effective_spec(raw["spec"], lookup, parameters)
    meta = raw.get("metadata") or {}
    return Workflow(
        name=meta.get("name") or name,
        namespace="default",
        uid="uid-1",
        created_at=T0,
        spec=spec,
        labels=meta.get("labels") or {},
        annotations=meta.get("annotations") or {},
        referenced_templates=referenced,
    )


def simulate_stdout(step: StartStep) -> tuple[int, str, dict[str, str]]:
    """A small interpreter for the commands the tests use."""
    argv = list(step.main.command) + list(step.main.args)
    files: dict[str, str] = {}
    if argv[:2] in (["sh", "-c"], ["bash", "-c"]):
        script = " ".join(argv[2:])
        code, out = 0, []
        for part in script.split(";"):
            words = shlex.split(part) if part.strip() else []
            if words[:1] == ["exit"]:
                code = int(words[1]) if len(words) > 1 else 0
                break
            if words[:1] == ["echo"]:
                out.append(" ".join(words[1:]))
        return code, "\n".join(out) + ("\n" if out else ""), files
    if argv[:1] == ["echo"]:
        return 0, " ".join(argv[1:]) + "\n", files
    if (not step.main.command and argv[:1] == ["echo"]) or argv[:1] == ["argosay"]:
        argv = argv[1:]
    if step.main.image.startswith("argoproj/argosay") and not step.main.command:
        if argv[:1] == ["echo"] and len(argv) == 3:
            files[argv[2]] = argv[1] + "\n"
            return 0, "", files
        if argv[:1] == ["echo"]:
            return 0, (argv[1] if len(argv) > 1 else "hello argo") + "\n", files
        if argv[:1] == ["exit"]:
            return int(argv[1]) if len(argv) > 1 else 0, "", files
        if argv[:1] == ["sleep"] or not argv:
            return 0, "hello argo\n" if not argv else "", files
    return 0, "", files


def default_outcome(step: StartStep) -> StepOutcome:
    code, stdout, files = simulate_stdout(step)
    params = {
        p.name: files[p.path].removesuffix("\n") for p in step.output_parameters if p.path in files
    }
    return StepOutcome(
        node_id=step.node_id, exit_code=code, result=stdout.removesuffix("\n"), parameters=params
    )


def drive(
    text: str | Workflow,
    outcome: Outcome | None = None,
    *,
    parameters: Mapping[str, str] | None = None,
    templates: Mapping[str, Mapping[str, Any]] | None = None,
    until: Callable[[Run], bool] | None = None,
    events: Callable[[Run], list[Event]] | None = None,
    max_passes: int = 2000,
) -> Run:
    workflow = text if isinstance(text, Workflow) else make_workflow(text, parameters, templates)
    run = Run(workflow)
    held: dict[str, StartStep] = {}
    for _ in range(max_passes):
        decision = reconcile(run.workflow, run.now)
        run.workflow = run.workflow.with_status(decision.status)
        if decision.status.phase.completed or (until is not None and until(run)):
            return run
        pending: list[Event] = list(events(run)) if events else []
        for action in decision.actions:
            if isinstance(action, StartStep) and action.after:
                run.advanced.append(action)
            elif isinstance(action, StartStep):
                run.started.append(action)
                pending.append(StepStarted(action.node_id, run.now))
                result = (outcome or default_outcome)(action)
                if result is None:
                    held[action.node_id] = action
                else:
                    pending.append(
                        StepEnded(action.node_id, run.now + timedelta(seconds=1), result)
                    )
            elif isinstance(action, StopStep):
                run.stopped.append(action)
                held.pop(action.node_id, None)
                pending.append(
                    StepEnded(action.node_id, run.now, StepOutcome(action.node_id, exit_code=143))
                )
        if not pending:
            if decision.wake_at is None:
                return run
            run.now = max(run.now, decision.wake_at)
            continue
        for event in pending:
            run.workflow = apply(run.workflow, event)
        run.now += timedelta(seconds=1)
    raise AssertionError("workflow did not settle")
