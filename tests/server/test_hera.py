"""Hera (from PyPI, unmodified) against ``kawa server``: create, wait, read, retry, templates."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hera.workflows import Container, Parameter, Steps, Workflow, WorkflowsService, WorkflowTemplate
from hera.workflows.models import WorkflowRetryRequest

from tests.server.conftest import Server


@pytest.fixture
def marks() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="kawa-hera-", dir="/var/tmp"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def test_hera_creates_waits_reads_and_retries(server: Server, marks: Path) -> None:
    service = WorkflowsService(host=server.url, namespace="default")
    with Workflow(
        generate_name="hera-hello-",
        entrypoint="main",
        workflows_service=service,
        namespace="default",
        arguments=[Parameter(name="who", value="hera")],
    ) as w:
        hello = Container(
            name="hello", image="alpine:3.23", command=["echo", "hello {{workflow.parameters.who}}"]
        )
        with Steps(name="main"):
            hello()
    created = w.create()
    assert created.metadata is not None and created.metadata.name.startswith("hera-hello-")
    w.name = created.metadata.name
    finished = w.wait(poll_interval=1)
    assert finished.status is not None and finished.status.phase == "Succeeded"
    nodes = finished.status.nodes or {}
    assert any(n.display_name == "hello(0)" or n.display_name == "hello" for n in nodes.values())

    # a workflow that fails once, then a retry through Hera's service
    with Workflow(
        name="hera-flaky", entrypoint="main", workflows_service=service, namespace="default"
    ) as flaky:
        once = Container(
            name="once",
            image="alpine:3.23",
            command=["sh", "-c", f"test -e {marks}/ran; s=$?; touch {marks}/ran; exit $s"],
        )
        with Steps(name="main"):
            once()
    flaky.create()
    failed = flaky.wait(poll_interval=1)
    assert failed.status is not None and failed.status.phase == "Failed"
    service.retry_workflow("hera-flaky", WorkflowRetryRequest(name="hera-flaky"))
    retried = flaky.wait(poll_interval=1)
    assert retried.status is not None and retried.status.phase == "Succeeded"
    listed = service.list_workflows()
    names = {wf.metadata.name for wf in listed.items or []}
    assert {"hera-flaky", created.metadata.name} <= names


def test_hera_creates_and_lists_templates(server: Server) -> None:
    service = WorkflowsService(host=server.url, namespace="default")
    with WorkflowTemplate(
        name="say", entrypoint="say", workflows_service=service, namespace="default"
    ) as t:
        Container(name="say", image="alpine:3.23", command=["echo", "hi"])
    t.create()
    names = [x.metadata.name for x in service.list_workflow_templates().items or []]
    assert names == ["say"]
    fetched = service.get_workflow_template("say")
    assert fetched.spec is not None and fetched.spec.entrypoint == "say"
    with Workflow(
        generate_name="from-template-", workflows_service=service, namespace="default",
        workflow_template_ref={"name": "say"},
    ) as run:  # fmt: skip
        pass
    created = run.create()
    assert created.metadata is not None
    run.name = created.metadata.name
    assert run.wait(poll_interval=1).status.phase == "Succeeded"  # type: ignore[union-attr]
