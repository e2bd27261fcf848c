"""Artifacts through the pure engine: binding, keys, outputs, globals, re-run keys."""

from __future__ import annotations

from dataclasses import replace

from kawa.engine import rerun
from kawa.spec.actions import StartStep, StepOutcome
from kawa.spec.status import NodePhase
from tests.unit.engine.harness import default_outcome, drive, make_workflow

PASSING = """
metadata: {name: wf}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - {name: gen, template: gen}
        - - name: use
            template: use
            arguments:
              artifacts: [{name: in, from: "{{steps.gen.outputs.artifacts.out}}"}]
      outputs:
        artifacts:
          - {name: final, from: "{{steps.gen.outputs.artifacts.out}}"}
    - name: gen
      container: {image: busybox, command: [echo, made]}
      outputs:
        artifacts:
          - {name: out, path: /mnt/out, globalName: shared}
          - {name: plain, path: /tmp/plain.txt, archive: {none: {}}}
          - {name: maybe, path: /tmp/maybe, optional: true}
    - name: use
      inputs:
        artifacts:
          - {name: in, path: /mnt/in}
          - {name: extra, path: /tmp/extra, optional: true}
      container: {image: busybox, command: [echo, used]}
"""


def saving(step: StartStep) -> StepOutcome:
    """Every declared output artifact is saved, except optional ones."""
    outcome = default_outcome(step)
    saved = {
        a.name: {"key": a.key, "digest": f"sha256:{a.name}", "size": 3}
        for a in step.output_artifacts
        if not a.optional
    }
    loaded = {a.name: a.digest or "sha256:loaded" for a in step.input_artifacts}
    return replace(outcome, artifacts=saved, loaded=loaded)


def test_outputs_get_argo_keys_and_inputs_their_location_and_digest() -> None:
    run = drive(PASSING, saving)
    assert run.phase == "Succeeded"
    [gen, use] = run.started
    keys = {a.name: a.key for a in gen.output_artifacts}
    node_id = run.node("gen").id
    assert keys == {
        "out": f"wf/{node_id}/out.tgz",
        "plain": f"wf/{node_id}/plain.txt",
        "maybe": f"wf/{node_id}/maybe.tgz",
    }
    [loaded] = use.input_artifacts
    assert (loaded.name, loaded.path) == ("in", "/mnt/in")
    assert loaded.location == {"s3": {"key": keys["out"]}}
    assert loaded.digest == "sha256:out"
    out = run.node("gen").outputs
    assert out is not None and [a["name"] for a in out.artifacts] == ["out", "plain"]
    # Argo's view: no kawa digest
    shown = run.node("gen").to_json()["outputs"]["artifacts"][0]
    assert shown == {"name": "out", "path": "/mnt/out", "globalName": "shared",
                     "s3": {"key": keys["out"]}}  # fmt: skip
    root = run.workflow.status.nodes[run.workflow.name]
    assert root.outputs is not None and root.outputs.artifacts[0]["s3"] == {"key": keys["out"]}
    shared = run.workflow.status.outputs
    assert shared is not None and shared.artifacts[0]["name"] == "shared"


def test_an_input_artifact_that_is_not_supplied_is_an_error() -> None:
    text = PASSING.replace(
        'arguments:\n              artifacts: [{name: in, from: "{{steps.gen.outputs.artifacts.out}}"}]',
        "arguments: {}",
    )
    run = drive(text, saving)
    assert run.phase == "Error" or run.phase == "Failed"
    assert run.node("use").phase is NodePhase.ERROR
    assert run.node("use").message == "templates.use inputs.artifacts.in was not supplied"


def test_a_reference_to_an_artifact_that_was_not_saved_is_an_error() -> None:
    text = PASSING.replace('outputs.artifacts.out}}"}]', 'outputs.artifacts.maybe}}"}]')
    run = drive(text, saving)
    assert run.node("use").phase is NodePhase.ERROR
    assert "outputs.artifacts.maybe" in run.node("use").message


def test_content_keys_ignore_where_outputs_go_and_follow_input_digests() -> None:
    first = drive(PASSING, saving)
    second_wf = make_workflow(PASSING.replace("{name: wf}", "{name: other}"))
    table = rerun.reusable(first.workflow)
    second = drive(replace(second_wf, reuse=table), saving)
    assert second.phase == "Succeeded"
    assert second.started == []  # both steps reused: same work, only the run's name differs
    use = second.node("use")
    assert use.message.startswith("reused from wf")
    gen_outputs = second.node("gen").outputs
    assert gen_outputs is not None and gen_outputs.artifacts[0]["digest"] == "sha256:out"
