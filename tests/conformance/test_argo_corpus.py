"""Argo's own example workflows reach the outcome EXPECTED.yaml records, run for real.

Each workflow runs in a fresh ``$KAWA_HOME`` through kawa's local service (real fork
server, real processes, real SQLite); ``load_first`` templates are stored first, fixtures
become ConfigMaps, ``actions`` are issued when their node is waiting.  Then the phase and
the facts EXPECTED.yaml lists (translated into checks below) must hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from kawa.controller import clock
from kawa.controller.home import Home
from kawa.controller.service import Kawa
from kawa.spec import lint as spec_lint
from kawa.spec import loading
from kawa.spec.events import NodeSelector, ResumeRequested, StopRequested
from kawa.spec.workflow import Workflow
from tests.conftest import CORPUS, needs_corpus

pytestmark = needs_corpus


def _entries() -> list[dict[str, Any]]:
    if not (CORPUS / "EXPECTED.yaml").exists():
        return []
    return list(yaml.safe_load((CORPUS / "EXPECTED.yaml").read_text())["workflows"])


ENTRIES = _entries()

#: workflows not yet supported; each is an xfail with its reason
PENDING: dict[str, str] = {}


class Outcome:
    def __init__(self, kawa: Kawa, workflow: Workflow, seen: list[Workflow]) -> None:
        self.kawa = kawa
        self.workflow = workflow
        self.json = workflow.to_json()
        self.seen = seen

    @property
    def nodes(self) -> list[dict[str, Any]]:
        return list(self.json["status"]["nodes"].values())

    def node(self, display: str) -> dict[str, Any]:
        found = [n for n in self.nodes if n["displayName"] == display]
        assert len(found) == 1, f"{display!r} among {sorted(n['displayName'] for n in self.nodes)}"
        return found[0]

    def phase_of(self, display: str) -> str:
        return str(self.node(display)["phase"])

    def inputs(self, display: str) -> dict[str, str]:
        params = (self.node(display).get("inputs") or {}).get("parameters") or []
        return {p["name"]: p.get("value") for p in params}

    def outputs(self, display: str) -> dict[str, str]:
        params = (self.node(display).get("outputs") or {}).get("parameters") or []
        return {p["name"]: p.get("value") for p in params}

    def log(self, display: str | None = None) -> str:
        text = []
        for node in self.nodes:
            if node["type"] != "Pod" or (display is not None and node["displayName"] != display):
                continue
            stdout, _ = self.kawa.node_files(self.workflow, node["id"])
            if stdout.exists():
                text.append(stdout.read_text())
        return "".join(text)


def _artifact(o: Outcome, display: str, kind: str, name: str) -> dict[str, Any]:
    listed = (o.node(display).get(kind) or {}).get("artifacts") or []
    found = [a for a in listed if a["name"] == name]
    assert found, f"{display} {kind}.artifacts: {listed}"
    return found[0]


def _check_raw(o: Outcome) -> None:
    assert o.log() == "this is\nthe raw file\ncontents\n"


def _check_artifact_passing(o: Outcome) -> None:
    out = _artifact(o, "generate-artifact", "outputs", "out")
    assert out["s3"]["key"].endswith("/out.tgz") and out["path"] == "/mnt/out"
    assert "digest" not in out  # kawa's digest stays out of Argo's view
    assert _artifact(o, "consume-artifact", "inputs", "in")["s3"] == out["s3"]
    assert o.log("consume-artifact").strip() == "hello world"


def _check_key_only(o: Outcome) -> None:
    assert _artifact(o, "generate", "outputs", "file")["s3"] == {"key": "my-file"}
    assert o.log("consume").strip() == "hello"


def _check_archive_strategies(o: Outcome) -> None:
    for kind in ("default", "tar", "none"):
        assert o.phase_of(f"consume-{kind}") == "Succeeded"
    assert _artifact(o, "generate-none", "outputs", "file-none")["s3"]["key"].endswith("/file-none")
    assert _artifact(o, "generate-tar", "outputs", "file-tar")["s3"]["key"].endswith(".tgz")


def _check_steps(o: Outcome) -> None:
    for name in ("hello1", "hello2a", "hello2b"):
        assert o.phase_of(name) == "Succeeded"
    assert "hello2a" in o.log("hello2a") and "hello1" in o.log("hello1")


def _check_diamond(o: Outcome) -> None:
    for name in "ABCD":
        assert o.phase_of(name) == "Succeeded"
    assert o.node("D")["startedAt"] >= max(o.node("B")["finishedAt"], o.node("C")["finishedAt"])


def _check_enhanced_depends(o: Outcome) -> None:
    assert o.phase_of("C") == "Failed"
    assert o.phase_of("should-not-execute") == "Omitted"
    for name in ("should-execute-1", "should-execute-2", "should-execute-3"):
        assert o.phase_of(name) == "Succeeded"


def _check_coinflip(o: Outcome) -> None:
    result = o.node("flip-coin")["outputs"]["result"]
    assert result in ("heads", "tails")
    other = "tails" if result == "heads" else "heads"
    assert o.phase_of(result) == "Succeeded"
    assert o.phase_of(other) == "Skipped"


def _check_output_parameter(o: Outcome) -> None:
    assert o.outputs("generate-parameter")["hello-param"] == "hello world"
    assert o.inputs("consume-parameter")["message"] == "hello world"


def _check_aggregation(o: Outcome) -> None:
    assert json.loads(o.inputs("print-nums")["message"]) == ["1", "2", "3", "4"]
    assert json.loads(o.inputs("print-evenness")["message"]) == ["odd", "even", "odd", "even"]
    divided = {
        n["displayName"]: n["phase"] for n in o.nodes if n["displayName"].startswith("divide-by-2(")
    }
    assert sorted(p for p in divided.values()) == ["Skipped", "Skipped", "Succeeded", "Succeeded"]
    printed = sorted(
        o.log(n["displayName"]).strip() for n in o.nodes if n["displayName"].startswith("print(")
    )
    assert printed == ["1", "2"]


def _check_aggregation_dag_retry(o: Outcome) -> None:
    name = o.workflow.name
    root = o.json["status"]["nodes"][name]
    assert root["type"] == "Retry"
    attempt = o.node(f"{name}(0)")
    assert attempt["phase"] == "Succeeded"
    params = attempt["outputs"]["parameters"]
    assert len(params) == 1 and json.loads(params[0]["value"]) == ["1", "2", "3"]


def _check_conditional(o: Outcome) -> None:
    flipped = o.node("flip-coin")["outputs"]["result"]
    root = o.json["status"]["nodes"][o.workflow.name]
    assert root["outputs"]["parameters"][0]["value"] == flipped


def _check_exit_code(o: Outcome) -> None:
    assert o.phase_of("failing-container") == "Failed"
    assert o.node("failing-container")["outputs"]["exitCode"] == "123"
    assert o.inputs("echo-container")["exitCode"] == "123"


def _check_json_variables(o: Outcome) -> None:
    assert o.log().strip() == "myLabelValue myAnnotationValue myParamValue"


def _check_loops(o: Outcome) -> None:
    assert o.phase_of("print-message-loop(0:hello world)") == "Succeeded"
    assert o.phase_of("print-message-loop(1:goodbye world)") == "Succeeded"


def _check_sequence(o: Outcome) -> None:
    def items(prefix: str) -> list[str]:
        found = [n for n in o.nodes if n["displayName"].startswith(prefix + "(")]
        found.sort(key=lambda n: int(n["displayName"].split("(")[1].split(":")[0]))
        return [o.log(n["displayName"]).strip() for n in found]

    assert items("sequence-count") == ["0", "1", "2", "3", "4"]
    assert items("sequence-start-end") == ["100", "101", "102", "103", "104", "105"]
    assert items("sequence-param") == ["200", "201", "202"]
    assert items("sequence-negative") == ["5", "4", "3", "2", "1", "0"]
    assert items("sequence-format") == [f"testuser0{i}" for i in range(5)]


def _check_empty_param(o: Outcome) -> None:
    assert len(o.nodes) == 5
    sleep = o.node("sleep")
    assert sleep["phase"] == "Skipped" and sleep["message"] == "Skipped, empty params"
    assert o.node("generate")["outputs"]["result"] == "[]"


def _check_when_filter(o: Outcome) -> None:
    for name in (
        "fst(0:name:first,type:)",
        "fst(1:name:second,type:always)",
        "fst(2:name:third,type:test)",
        "fst(3:name:fourth)",
    ):
        assert o.phase_of(name) == "Succeeded"


def _check_destructure(o: Outcome) -> None:
    assert o.log().strip() == "123"


def _check_skipped_producer(o: Outcome) -> None:
    assert o.phase_of("producer") == "Skipped"
    assert o.phase_of("consumer") == "Succeeded"
    assert o.inputs("consumer")["in"] == "hello-from-producer"


def _check_omitted_ref(o: Outcome) -> None:
    assert o.phase_of("stage-a") == "Succeeded"
    assert o.phase_of("stage-b") == "Omitted"
    assert o.phase_of("stage-c") == "Error"
    assert "absent optional" in o.node("stage-c")["message"]


def _check_exit_handlers(o: Outcome) -> None:
    assert o.phase_of("notify") == "Succeeded"
    assert o.phase_of("celebrate") == "Skipped"
    assert o.phase_of("cry") == "Succeeded"
    assert "boohoo!" in o.log("cry")


def _check_step_exit(o: Outcome) -> None:
    for name in ("hello1", "hello2a", "hello2b"):
        assert o.phase_of(f"{name}.onExit") == "Succeeded"
        assert o.log(f"{name}.onExit").strip() == "step cleanup"


def _check_hook_parameter(o: Outcome) -> None:
    hook = o.node(f"{o.workflow.name}.onExit")
    assert hook["phase"] == "Succeeded"
    assert [p["value"] for p in hook["inputs"]["parameters"]] == ["Succeeded", "Succeeded"]


def _check_items_hooks(o: Outcome) -> None:
    for index, value in enumerate(("1", "2", "3")):
        assert o.phase_of(f"run-sim({index}:{value})") == "Succeeded"
    assert sorted(o.log("run-sim").split()) == ["1", "2", "3"]


def _check_template_steps(o: Outcome) -> None:
    for name in ("hello1", "hello2a", "hello2b", "inner-hello1", "inner-hello2a", "inner-hello2b"):
        assert o.phase_of(name) == "Succeeded"
    assert o.log("inner-hello2b").strip() == "inner-hello2b"


def _check_template_ref(o: Outcome) -> None:
    assert o.log().strip() == "hello world"


def _check_recursive(o: Outcome) -> None:
    heads = [n for n in o.nodes if n["displayName"] == "heads" and n["phase"] == "Succeeded"]
    assert len(heads) == 1 and o.log("heads").strip() == "it was heads"


def _check_retry_on_error(o: Outcome) -> None:
    root = o.json["status"]["nodes"][o.workflow.name]
    assert root["type"] == "Retry" and len(root["children"]) == 1


def _check_retry_metrics(o: Outcome) -> None:
    run_test = o.node("runTest")
    assert run_test["type"] == "Retry" and run_test["phase"] == "Failed"
    assert [o.json["status"]["nodes"][c]["displayName"] for c in run_test["children"]] == [
        "runTest(0)",
        "runTest(1)",
        "runTest(2)",
    ]


def _check_timeout(o: Outcome) -> None:
    assert "123" in o.log()


def _check_fail_fast(o: Outcome) -> None:
    assert (
        o.json["status"]["message"]
        == "template has failed or errored children and failFast enabled"
    )
    assert o.phase_of("task1") == "Failed"
    assert o.phase_of("task2") == "Succeeded"


def _check_mutex(o: Outcome) -> None:
    one, two = o.node("task-1"), o.node("task-2")
    first, second = sorted([one, two], key=lambda n: n["startedAt"])
    assert o.kawa.store.lock_holders("default/mutex/task-1") == []
    assert first["finishedAt"] <= second["finishedAt"]


def _check_memoize(o: Outcome) -> None:
    assert o.outputs(o.workflow.name)["hello"] == "world"


def _check_volumes(o: Outcome) -> None:
    assert "hello world" in o.log("print")


def _check_init(o: Outcome) -> None:
    assert o.log().strip().endswith("bye")


def _check_daemon(o: Outcome) -> None:
    assert o.phase_of("daemoned") == "Succeeded"


def _check_graph(o: Outcome) -> None:
    assert o.json["status"]["phase"] == "Succeeded"


def _check_progress(o: Outcome) -> None:
    root = o.json["status"]["nodes"][o.workflow.name]
    assert root["progress"] == "100/100"
    seen = {wf.status.nodes[wf.name].progress for wf in o.seen if wf.name in wf.status.nodes}
    assert "0/100" in seen or "50/100" in seen
    assert "50/100" in seen


def _check_node_suspend(o: Outcome) -> None:
    assert o.phase_of("suspend1") == "Succeeded"
    assert o.phase_of("suspend2") == "Failed"
    assert re.fullmatch(r"child 'node-suspend-.*' failed", o.json["status"]["message"])


def _check_basic(o: Outcome) -> None:
    assert ":) Hello Argo!" in o.log()


def _check_hello(o: Outcome) -> None:
    assert o.log().strip() == "hello world"


def _check_scripts_python(o: Outcome) -> None:
    number = o.node("generate")["outputs"]["result"]
    assert 1 <= int(number) <= 100
    assert o.log("print").strip() == f"result was: {number}"


def _check_sidecar(o: Outcome) -> None:
    main = o.json["status"]["nodes"][o.workflow.name]
    started = main["startedAt"]
    finished = main["finishedAt"]
    assert started[:16] == finished[:16] or finished > started  # sidecar (sleep 999) was killed
    assert o.workflow.status.finished_at is not None
    assert (o.workflow.status.finished_at - o.workflow.created_at).total_seconds() < 120


FACTS: dict[str, Callable[[Outcome], None]] = {
    "examples/hello-world.yaml": _check_hello,
    "examples/pod-spec-patch.yaml": _check_hello,
    "examples/scripts-python.yaml": _check_scripts_python,
    "test/e2e/testdata/sidecar-workflow.yaml": _check_sidecar,
    "test/e2e/smoke/basic.yaml": _check_basic,
    "examples/steps.yaml": _check_steps,
    "examples/dag-diamond.yaml": _check_diamond,
    "examples/dag-enhanced-depends.yaml": _check_enhanced_depends,
    "examples/coinflip.yaml": _check_coinflip,
    "examples/output-parameter.yaml": _check_output_parameter,
    "examples/parameter-aggregation.yaml": _check_aggregation,
    "test/e2e/functional/parameter-aggregation-dag-with-retry.yaml": _check_aggregation_dag_retry,
    "examples/conditional-parameters.yaml": _check_conditional,
    "examples/exit-code-output-variable.yaml": _check_exit_code,
    "test/e2e/testdata/json-variables.yaml": _check_json_variables,
    "examples/loops.yaml": _check_loops,
    "examples/loops-sequence.yaml": _check_sequence,
    "test/e2e/functional/loops-empty-param.yaml": _check_empty_param,
    "test/e2e/functional/steps-when-expr-filter.yaml": _check_when_filter,
    "examples/expression-destructure-json.yaml": _check_destructure,
    "test/e2e/functional/dag-skipped-producer-default.yaml": _check_skipped_producer,
    "test/e2e/functional/dag-omitted-output-ref.yaml": _check_omitted_ref,
    "examples/exit-handlers.yaml": _check_exit_handlers,
    "examples/exit-handler-step-level.yaml": _check_step_exit,
    "test/e2e/testdata/workflow-hook-parameter.yaml": _check_hook_parameter,
    "test/e2e/smoke/with-items-with-hooks.yaml": _check_items_hooks,
    "examples/workflow-template/steps.yaml": _check_template_steps,
    "examples/workflow-template/workflow-template-ref.yaml": _check_template_ref,
    "examples/coinflip-recursive.yaml": _check_recursive,
    "test/e2e/testdata/retry-on-error-workflow.yaml": _check_retry_on_error,
    "test/e2e/testdata/workflow-retry-metrics.yaml": _check_retry_metrics,
    "examples/timeouts-step.yaml": _check_timeout,
    "test/e2e/expectedfailures/parallelism-dag-fail-fast.yaml": _check_fail_fast,
    "test/e2e/synchronization/tmpl-level-mutex-semaphore.yaml": _check_mutex,
    "examples/memoize-simple.yaml": _check_memoize,
    "examples/input-artifact-raw.yaml": _check_raw,
    "test/e2e/smoke/artifact-passing.yaml": _check_artifact_passing,
    "examples/key-only-artifact.yaml": _check_key_only,
    "test/e2e/testdata/archive-strategies.yaml": _check_archive_strategies,
    "examples/volumes-pvc.yaml": _check_volumes,
    "examples/init-container.yaml": _check_init,
    "test/e2e/testdata/daemoned-pod-completed.yaml": _check_daemon,
    "examples/container-set-template/graph-workflow.yaml": _check_graph,
    "test/e2e/testdata/progress-workflow.yaml": _check_progress,
    "test/e2e/testdata/node-suspend.yaml": _check_node_suspend,
}

RUNNABLE = [e for e in ENTRIES if e["expect"]["phase"] in ("Succeeded", "Failed", "Error")]
LINT_ONLY = [e for e in ENTRIES if e["expect"]["phase"].startswith("(lint")]


def _params(entries: list[dict[str, Any]]) -> list[Any]:
    marks = []
    for entry in entries:
        reason = PENDING.get(entry["file"])
        mark = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        marks.append(pytest.param(entry, id=entry["file"], marks=mark))
    return marks


def _prepare(kawa: Kawa, entry: dict[str, Any]) -> None:
    for path in entry.get("load_first") or []:
        for document in loading.load_file(CORPUS / path):
            kawa.put_template(document.raw)
    for key, data in (entry.get("fixtures") or {}).items():
        kind, name = key.split("/", 1)
        body = {"metadata": {"name": name, "namespace": "default"}, "data": data}
        kawa.store.put_object(kind, "default", name, json.dumps(body), clock.now().isoformat())


def _actions(kawa: Kawa, entry: dict[str, Any]) -> Callable[[Workflow], None]:
    """Issue ``resume node X`` / ``stop node X`` once node X waits (suspended)."""
    todo = [a.split() for a in entry.get("actions") or []]

    def on_change(workflow: Workflow) -> None:
        for action in list(todo):
            verb, _, display = action
            waiting = [
                n
                for n in workflow.status.nodes.values()
                if n.display_name == display
                and str(n.type) == "Suspend"
                and str(n.phase) == "Running"
            ]
            if not waiting:
                continue
            selector = NodeSelector((("displayName", display, False),))
            now = clock.now()
            event: Any = (
                ResumeRequested(now, selector)
                if verb == "resume"
                else StopRequested(now, selector=selector)
            )
            kawa.command(workflow.name, event)
            todo.remove(action)

    return on_change


@pytest.mark.parametrize("entry", _params(RUNNABLE))
def test_workflow_reaches_expected_phase_and_facts(entry: dict[str, Any], tmp_path: Path) -> None:
    kawa = Kawa(Home(tmp_path / "home"))
    try:
        _prepare(kawa, entry)
        [document] = [d for d in loading.load_file(CORPUS / entry["file"]) if d.kind == "Workflow"]
        workflow = kawa.submit(kawa.prepare(document.raw, file=str(document.file)))
        seen: list[Workflow] = []
        act = _actions(kawa, entry)

        def on_change(wf: Workflow) -> None:
            seen.append(wf)
            act(wf)

        [final] = kawa.drive([workflow.uid], on_change=on_change)
        outcome = Outcome(kawa, final, seen)
        assert str(final.status.phase) == entry["expect"]["phase"], final.status.message
        FACTS[entry["file"]](outcome)
    finally:
        kawa.close()


def test_every_runnable_corpus_workflow_has_fact_checks() -> None:
    assert {e["file"] for e in RUNNABLE} - set(PENDING) <= set(FACTS)


@pytest.mark.parametrize("entry", [pytest.param(e, id=e["file"]) for e in LINT_ONLY])
def test_lint_verdict_matches_argo(entry: dict[str, Any], tmp_path: Path) -> None:
    [document] = loading.load_file(CORPUS / entry["file"])
    errors = [i for i in spec_lint.lint(document) if i.severity == "error"]
    if entry["expect"]["phase"] == "(lint error)":
        assert len(errors) == 1
        assert (
            "templates.abc.tasks.a templates.whalesay inputs.parameters.message was not supplied"
            in errors[0].message
        )
    else:
        assert errors == []
        kawa = Kawa(Home(tmp_path / "home"))
        try:
            assert kawa.put_template(document.raw) == "test-cron-wf-basic"
        finally:
            kawa.close()


def test_memoize_rerun_within_max_age_is_a_cache_hit(tmp_path: Path) -> None:
    kawa = Kawa(Home(tmp_path / "home"))
    try:
        [document] = loading.load_file(CORPUS / "examples/memoize-simple.yaml")
        finals = []
        for _ in range(2):
            workflow = kawa.submit(kawa.prepare(document.raw))
            finals.extend(kawa.drive([workflow.uid]))
        first = finals[0].status.nodes[finals[0].name]
        second = finals[1].status.nodes[finals[1].name]
        assert first.memoization_status == {
            "hit": False, "key": "cache-key", "cacheName": "cache-config",
        }  # fmt: skip
        assert second.memoization_status == {
            "hit": True, "key": "cache-key", "cacheName": "cache-config",
        }  # fmt: skip
        assert second.outputs is not None and second.outputs.parameter("hello") is not None
        assert second.outputs.parameter("hello").value == "world"  # type: ignore[union-attr]
        # nothing ran the second time: no step directory for it
        assert not kawa.home.node_dir(finals[1].uid, second.id).exists()
    finally:
        kawa.close()
