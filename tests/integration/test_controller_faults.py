"""One workflow kawa cannot drive must not stop the controller for the others."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kawa.controller import loop
from kawa.controller.home import Home
from kawa.controller.replay import refold
from kawa.controller.service import Kawa
from kawa.spec import loading

TEMPLATE = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: NAME}
spec:
  entrypoint: main
  templates:
    - name: main
      container: {image: busybox, command: [echo, hi]}
"""


def test_an_internal_error_ends_only_that_workflow_and_is_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = loop.reconcile

    def failing_for_broken(workflow: Any, now: datetime) -> Any:
        if workflow.name == "broken":
            raise RuntimeError("injected engine fault")
        return real(workflow, now)

    monkeypatch.setattr(loop, "reconcile", failing_for_broken)
    kawa = Kawa(Home(tmp_path / "home"))
    try:
        uids = []
        for name in ("broken", "fine"):
            [document] = loading.load_text(TEMPLATE.replace("NAME", name))
            uids.append(kawa.submit(kawa.prepare(document.raw)).uid)
        broken, fine = kawa.drive(uids)
        assert str(broken.status.phase) == "Error"
        assert broken.status.message == "kawa internal error: RuntimeError: injected engine fault"
        assert str(fine.status.phase) == "Succeeded"
        assert str(refold(kawa.store.history(uids[0])).status.phase) == "Error"
    finally:
        kawa.close()
