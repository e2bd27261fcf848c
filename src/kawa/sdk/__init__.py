"""kawa in-process: run a Hera ``Workflow`` (or an Argo Workflow as a dict) to its end.

    import kawa
    finished = kawa.run(workflow, parameters={"chunks": "8"})
    finished.status.phase            # WorkflowPhase.SUCCEEDED
    kawa.outputs(finished, "out/")  # download its output artifacts

The workflow is checked like ``kawa run`` checks a file (schema, lint), stored in
``$KAWA_HOME`` (or ``home``), and driven in this process; in Jupyter a progress line
updates in place.  The result is kawa's :class:`~kawa.spec.workflow.Workflow`:
``to_json()`` gives Argo's object.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kawa.controller import documents
from kawa.controller.home import Home
from kawa.controller.service import Kawa
from kawa.spec.workflow import Workflow


def _as_dict(workflow: Any) -> dict[str, Any]:
    if isinstance(workflow, Mapping):
        return dict(workflow)
    to_dict = getattr(workflow, "to_dict", None)
    if callable(to_dict):  # a Hera Workflow
        data: dict[str, Any] = to_dict()
        return data
    raise TypeError(f"expected a Hera Workflow or a dict, got {type(workflow).__name__}")


def _service(home: str | Path | None) -> Kawa:
    return Kawa(Home(Path(home).absolute())) if home is not None else Kawa()


def run(
    workflow: Any,
    parameters: Mapping[str, str] | None = None,
    *,
    home: str | Path | None = None,
    progress: bool = True,
) -> Workflow:
    """Submit ``workflow`` and drive it to its end here; return the finished Workflow."""
    service = _service(home)
    try:
        raw = _as_dict(workflow)
        document = documents.from_object(raw, "Workflow", file="<workflow>")
        documents.validated(service, [document])
        prepared = service.prepare(document.raw, dict(parameters or {}), file="<workflow>")
        submitted = service.submit(prepared)
        show = _Progress() if progress else None
        [finished] = service.drive([submitted.uid], on_change=show)
        if show is not None:
            show(finished)
        return finished
    finally:
        service.close()


def outputs(
    workflow: Workflow, dest: str | Path, *, node: str = "", home: str | Path | None = None
) -> list[Path]:
    """Copy the workflow's output artifacts to ``dest/<node>/<file>``; the files."""
    from kawa.controller.downloads import copy_outputs

    service = _service(home)
    try:
        return copy_outputs(service, workflow, Path(dest), node=node)
    finally:
        service.close()


class _Progress:
    """One line, updated in place: Jupyter (IPython display) or a terminal."""

    def __init__(self) -> None:
        self.handle: Any = None
        self.last = ""
        try:
            from IPython import get_ipython

            self.notebook = get_ipython() is not None
        except ImportError:
            self.notebook = False

    def __call__(self, workflow: Workflow) -> None:
        status = workflow.status
        text = f"{workflow.name}: {status.phase or 'Pending'} {status.progress or ''}".strip()
        if text == self.last:
            return
        self.last = text
        if self.notebook:
            from IPython.display import display

            if self.handle is None:
                self.handle = display(text, display_id=True)  # type: ignore[no-untyped-call]
            else:
                self.handle.update(text)
        else:
            print("\r" + text, end="\n" if status.phase.completed else "", flush=True)
