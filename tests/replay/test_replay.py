"""Re-folding a stored event history gives exactly the stored status (Temporal-style replay)."""

from __future__ import annotations

from pathlib import Path

from kawa.controller import clock
from kawa.controller.home import Home
from kawa.controller.replay import refold
from kawa.controller.service import Kawa
from kawa.spec import loading
from kawa.spec.events import NodeSelector, ResumeRequested
from kawa.spec.workflow import Workflow

WORKFLOW = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: replay-}
spec:
  entrypoint: main
  onExit: bye
  templates:
    - name: main
      dag:
        tasks:
          - {name: flaky, template: flaky}
          - name: fan
            template: echo
            depends: flaky
            arguments: {parameters: [{name: m, value: "{{item}}"}]}
            withItems: [a, b, c]
          - {name: gate, template: gate, depends: fan}
    - name: flaky
      retryStrategy: {limit: 2}
      script:
        image: python
        command: [python]
        source: |
          import sys; sys.exit(1 if {{retries}} == 0 else 0)
    - name: echo
      inputs: {parameters: [{name: m}]}
      container: {image: busybox, command: [echo, "{{inputs.parameters.m}}"]}
    - name: gate
      suspend: {}
    - name: bye
      container: {image: busybox, command: [echo, "{{workflow.status}}"]}
"""


def test_refolding_the_stored_history_reproduces_the_stored_status(tmp_path: Path) -> None:
    kawa = Kawa(Home(tmp_path / "home"))
    try:
        [document] = loading.load_text(WORKFLOW)
        workflow = kawa.submit(kawa.prepare(document.raw))
        resumed: list[bool] = []

        def on_change(current: Workflow) -> None:
            gate = [n for n in current.status.nodes.values() if n.display_name == "gate"]
            if gate and str(gate[0].phase) == "Running" and not resumed:
                selector = NodeSelector((("displayName", "gate", False),))
                kawa.command(current.name, ResumeRequested(clock.now(), selector))
                resumed.append(True)

        [final] = kawa.drive([workflow.uid], on_change=on_change)
        assert str(final.status.phase) == "Succeeded"
        history = kawa.store.history(workflow.uid)
        kinds = {r.kind for r in history}
        assert {"submitted", "event", "reconciled"} <= kinds
        replayed = refold(history)
        assert replayed.status.to_json(private=True) == final.status.to_json(private=True)
    finally:
        kawa.close()
