"""The web UI in a real browser: filter the list, open a workflow, see its graph, read a
log, resume a suspended node, re-run from a node with a changed parameter; templates and
cron pages.  Every page is checked for what a person would see, and screenshotted."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.server.conftest import Server
from tests.ui.conftest import screenshot

pytestmark = pytest.mark.timeout(180)


def echo(name: str, message: str, depends: list[str] | None = None) -> dict[str, Any]:
    task: dict[str, Any] = {
        "name": name,
        "template": "echo",
        "arguments": {"parameters": [{"name": "msg", "value": message}]},
    }
    if depends:
        task["dependencies"] = depends
    return task


ECHO = {
    "name": "echo",
    "inputs": {"parameters": [{"name": "msg"}]},
    "container": {"image": "alpine", "command": ["echo", "{{inputs.parameters.msg}}"]},
}


def dag(prefix: str, team: str, tasks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "metadata": {"generateName": prefix, "labels": {"team": team}},
        "spec": {
            "entrypoint": "main",
            "arguments": {
                "parameters": [{"name": "lr", "value": "0.1"}, {"name": "rows", "value": "10"}]
            },
            "templates": [{"name": "main", "dag": {"tasks": tasks}}, ECHO, *extra.values()],
        },
    }


#: prepare -> (train, approve: suspended) -> report
APPROVAL = dag(
    "approval-",
    "ml",
    [
        echo("prepare", "rows {{workflow.parameters.rows}}"),
        echo("train", "lr {{workflow.parameters.lr}}", ["prepare"]),
        {"name": "approve", "template": "wait", "dependencies": ["prepare"]},
        echo("report", "approved", ["train", "approve"]),
    ],
    wait={"name": "wait", "suspend": {}},
)
#: prepare -> train -> evaluate, all succeed
PIPELINE = dag(
    "pipeline-",
    "ml",
    [
        echo("prepare", "rows {{workflow.parameters.rows}}"),
        echo("train", "lr {{workflow.parameters.lr}}", ["prepare"]),
        echo("evaluate", "evaluated lr {{workflow.parameters.lr}}", ["train"]),
    ],
)
#: one step that fails
BROKEN = dag(
    "broken-",
    "web",
    [{"name": "crash", "template": "crash"}],
    crash={
        "name": "crash",
        "container": {"image": "alpine", "command": ["sh", "-c", "echo boom; exit 3"]},
    },
)
TEMPLATE = {
    "metadata": {"name": "nightly-echo"},
    "spec": {
        "entrypoint": "main",
        "arguments": {"parameters": [{"name": "msg", "value": "from a template"}]},
        "templates": [
            {
                "name": "main",
                "container": {
                    "image": "alpine",
                    "command": ["echo", "{{workflow.parameters.msg}}"],
                },
            }
        ],
    },
}
FROM_TEMPLATE = {
    "metadata": {"generateName": "nightly-echo-"},
    "spec": {"workflowTemplateRef": {"name": "nightly-echo"}},
}
CRON = {
    "metadata": {"name": "yearly-echo"},
    "spec": {
        "schedules": ["0 0 1 1 *"],
        "workflowSpec": {"workflowTemplateRef": {"name": "nightly-echo"}},
    },
}


def post(server: Server, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{server.url}{path}", json=body, timeout=10)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def submit(server: Server, workflow: dict[str, Any], *parameters: str) -> str:
    body = {"workflow": workflow, "createOptions": {"parameters": list(parameters)}}
    return str(post(server, "/api/v1/workflows/default", body)["metadata"]["name"])


def wait_for(server: Server, name: str, *phases: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    data: dict[str, Any] = {}
    while time.monotonic() < deadline:
        data = httpx.get(f"{server.url}/api/v1/workflows/default/{name}", timeout=10).json()
        status = data.get("status") or {}
        if status.get("phase") in phases and (
            "Running" not in phases or status.get("progress", "").startswith("2/")
        ):
            return data
        time.sleep(0.2)
    raise AssertionError(f"{name} never reached {phases}: {data.get('status')}")


@pytest.fixture(scope="module")
def runs(server: Server) -> dict[str, str]:
    """The workflows the tests look at, created through the API and settled."""
    post(server, "/api/v1/workflow-templates/default", {"template": TEMPLATE})
    post(server, "/api/v1/cron-workflows/default", {"cronWorkflow": CRON})
    names = {
        "approval": submit(server, APPROVAL),
        "pipeline": submit(server, PIPELINE, "lr=0.5"),
        "broken": submit(server, BROKEN),
        "templated": submit(server, FROM_TEMPLATE),
    }
    wait_for(server, names["approval"], "Running")  # prepare and train done, approve waits
    wait_for(server, names["pipeline"], "Succeeded")
    wait_for(server, names["broken"], "Failed")
    wait_for(server, names["templated"], "Succeeded")
    return names


def shown_rows(page: Any) -> list[str]:
    rows = page.locator("[data-testid=workflow-row]")
    return sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.name)"))


def expect_rows(page: Any, expected: list[str]) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("workflow-table")).to_have_attribute("aria-busy", "false")
    if expected:
        expect(page.locator("[data-testid=workflow-row]")).to_have_count(len(expected))
    else:
        expect(page.get_by_test_id("empty")).to_be_visible()
    assert shown_rows(page) == sorted(expected)


def test_list_filters_are_in_the_url_and_find_the_runs(
    page: Any, server: Server, runs: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    expect_rows(page, list(runs.values()))
    # phase: a checkbox applies at once, and the URL says so
    page.get_by_test_id("filter-phase-Failed").check()
    expect(page).to_have_url(re.compile(r"[?&]phase=Failed"))
    expect_rows(page, [runs["broken"]])
    page.get_by_test_id("filter-phase-Failed").uncheck()
    # name substring
    page.get_by_test_id("filter-name").fill("pipeline")
    page.get_by_test_id("filter-apply").click()
    expect(page).to_have_url(re.compile(r"[?&]name=pipeline"))
    expect_rows(page, [runs["pipeline"]])
    # label selector and parameter value, together with the name (cleared)
    page.get_by_test_id("filter-name").fill("")
    page.get_by_test_id("filter-label").fill("team=ml")
    page.get_by_test_id("filter-param").first.fill("lr=0.5")
    page.get_by_test_id("filter-apply").click()
    expect(page).to_have_url(re.compile(r"label=team%3Dml.*param=lr%3D0\.5"))
    expect_rows(page, [runs["pipeline"]])
    screenshot(page, "list-filtered")
    # back restores the previous filter, from the URL alone
    page.go_back()
    expect_rows(page, [runs["pipeline"]])
    expect(page).to_have_url(re.compile(r"name=pipeline"))
    # a URL typed or shared: template, label, time range
    page.goto("/?ns=default&template=nightly-echo")
    expect_rows(page, [runs["templated"]])
    expect(page.get_by_test_id("filter-template")).to_have_value("nightly-echo")
    page.goto("/?ns=default&label=team%3Dweb")
    expect_rows(page, [runs["broken"]])
    page.goto("/?ns=default&after=2999-01-01T00:00:00Z")
    expect_rows(page, [])
    page.goto("/?ns=default&before=2999-01-01T00:00:00Z&phase=Succeeded&phase=Failed")
    expect_rows(page, [runs["pipeline"], runs["broken"], runs["templated"]])
    page.goto("/?ns=elsewhere")
    expect_rows(page, [])
    # paging with the API's continue token, two runs a page
    page.goto("/?ns=default&limit=2")
    listed = httpx.get(f"{server.url}/api/v1/workflows/default").json()["items"]
    newest = [w["metadata"]["name"] for w in listed]  # the server's order: newest first
    assert sorted(newest) == sorted(runs.values())
    expect_rows(page, newest[:2])
    page.get_by_test_id("next-page").click()
    expect(page).to_have_url(re.compile(r"continue="))
    expect_rows(page, newest[2:])
    expect(page.get_by_test_id("next-page")).to_be_disabled()
    page.get_by_role("button", name="← Previous").click()
    expect_rows(page, newest[:2])


def test_workflow_page_shows_the_graph_and_a_node_log_and_resumes_a_suspended_node(
    page: Any, server: Server, runs: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    page.goto("/?ns=default&label=team%3Dml")
    page.get_by_role("link", name=runs["approval"]).click()
    expect(page).to_have_url(re.compile(f"/workflows/default/{runs['approval']}$"))
    expect(page.get_by_test_id("workflow-name")).to_have_text(runs["approval"])
    graph = page.get_by_test_id("graph")
    node = graph.locator("[data-testid=graph-node]")
    expect(node.and_(page.locator("[data-name=prepare]"))).to_have_class(
        re.compile(r"\bphase-Succeeded\b")
    )
    approve = node.and_(page.locator("[data-name=approve]"))
    expect(approve).to_have_attribute("data-phase", "Running")
    expect(approve).to_have_class(re.compile(r"\btype-Suspend\b.*\bphase-Running\b"))
    assert node.count() >= 4  # the DAG, prepare, train, approve
    # a node's details and its log
    node.and_(page.locator("[data-name=prepare]")).click()
    expect(page).to_have_url(re.compile(r"\?node="))
    details = page.get_by_test_id("node-details")
    expect(details.get_by_role("heading", level=3)).to_contain_text("prepare")
    expect(details.get_by_test_id("node-log")).to_have_text("rows 10")
    expect(details.get_by_test_id("inputs")).to_contain_text("rows 10")
    screenshot(page, "workflow-suspended")
    # resume the suspended node: the workflow goes on and the page follows it live
    approve.click()
    page.get_by_test_id("resume-node").click()
    summary_phase = page.locator(".summary [data-testid=phase]")
    expect(summary_phase).to_have_text("Succeeded")
    expect(node.and_(page.locator("[data-name=approve]"))).to_have_attribute(
        "data-phase", "Succeeded"
    )
    expect(node.and_(page.locator("[data-name=report]"))).to_have_attribute(
        "data-phase", "Succeeded"
    )
    expect(page.get_by_test_id("action-resume")).to_be_disabled()
    node.and_(page.locator("[data-name=report]")).click()
    expect(page.get_by_test_id("node-log")).to_have_text("approved")
    screenshot(page, "workflow-resumed")
    stored = httpx.get(f"{server.url}/api/v1/workflows/default/{runs['approval']}").json()
    assert stored["status"]["phase"] == "Succeeded"


def test_rerun_from_a_node_with_a_changed_parameter_reuses_what_came_before(
    page: Any, server: Server, runs: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    original = runs["pipeline"]
    page.goto(f"/workflows/default/{original}")
    node = page.get_by_test_id("graph").locator("[data-testid=graph-node]")
    node.and_(page.locator("[data-name=train]")).click()
    expect(page.get_by_test_id("node-log")).to_have_text("lr 0.5")
    page.get_by_test_id("rerun-from-node").click()
    dialog = page.get_by_test_id("rerun-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("rerun-param-lr")).to_have_value("0.5")
    expect(dialog.get_by_test_id("rerun-param-rows")).to_have_value("10")
    dialog.get_by_test_id("rerun-param-lr").fill("0.9")
    screenshot(page, "rerun-form")
    dialog.get_by_test_id("rerun-submit").click()
    # the new run opens, and follows itself to the end
    expect(page).to_have_url(re.compile(f"/workflows/default/(?!{original}$)pipeline-[a-z0-9]+$"))
    rerun = page.url.rsplit("/", 1)[1]
    wait_for(server, rerun, "Succeeded")
    expect(page.locator(".summary [data-testid=phase]")).to_have_text("Succeeded")
    expect(page.get_by_test_id("workflow-parameters")).to_contain_text("lr=0.9")
    expect(node.and_(page.locator("[data-name=prepare]"))).to_have_class(re.compile(r"\breused\b"))
    node.and_(page.locator("[data-name=prepare]")).click()
    reused = page.get_by_test_id("reused-from")
    expect(reused).to_contain_text(f"reused from {original}")
    node.and_(page.locator("[data-name=train]")).click()
    expect(page.get_by_test_id("reused-from")).to_have_count(0)
    expect(page.get_by_test_id("node-log")).to_have_text("lr 0.9")
    screenshot(page, "rerun-result")
    # the reused-from link leads back to the original run
    node.and_(page.locator("[data-name=prepare]")).click()
    page.get_by_test_id("reused-from").get_by_role("link").click()
    expect(page.get_by_test_id("workflow-name")).to_have_text(original)
    stored = httpx.get(f"{server.url}/api/v1/workflows/default/{rerun}").json()
    assert stored["metadata"]["labels"]["kawa.dev/rerun-of"] == original


def test_failed_workflow_shows_the_failed_step_and_can_be_retried(
    page: Any, runs: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    page.goto(f"/workflows/default/{runs['broken']}")
    crash = page.get_by_test_id("graph").locator("[data-testid=graph-node][data-name=crash]")
    expect(crash).to_have_class(re.compile(r"\bphase-Failed\b"))
    crash.click()
    expect(page.get_by_test_id("node-log")).to_have_text("boom")
    expect(page.get_by_test_id("node-message")).to_contain_text("3")
    expect(page.get_by_test_id("action-retry")).to_be_enabled()
    expect(page.get_by_test_id("action-suspend")).to_be_disabled()
    screenshot(page, "workflow-failed")


def test_templates_and_cron_pages_list_them_and_link_to_their_runs(
    page: Any, runs: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    page.get_by_role("navigation", name="sections").get_by_role("link", name="Templates").click()
    expect(page).to_have_url(re.compile(r"/workflow-templates"))
    row = page.get_by_test_id("template-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("nightly-echo")
    expect(row).to_contain_text("msg=from a template")
    screenshot(page, "templates")
    row.get_by_role("link", name="Runs").click()
    expect(page).to_have_url(re.compile(r"template=nightly-echo"))
    expect_rows(page, [runs["templated"]])
    page.goto("/cron-workflows")
    cron = page.get_by_test_id("cron-row")
    expect(cron).to_contain_text("yearly-echo")
    expect(cron).to_contain_text("0 0 1 1 *")
    expect(cron.get_by_test_id("cron-state")).to_have_text("active")
    cron.get_by_role("button", name="Suspend").click()
    expect(cron.get_by_test_id("cron-state")).to_have_text("suspended")
    screenshot(page, "cron-workflows")
    cron.get_by_role("button", name="Resume").click()
    expect(cron.get_by_test_id("cron-state")).to_have_text("active")
    # submit a template with an edited parameter: the new run opens and says it
    page.goto("/workflow-templates?ns=default")
    page.get_by_test_id("template-row").get_by_role("button", name="Submit…").click()
    form = page.get_by_role("dialog")
    form.get_by_label("msg").fill("submitted from the UI")
    form.get_by_role("button", name="Submit").click()
    expect(page).to_have_url(re.compile(r"/workflows/default/nightly-echo-[a-z0-9]+$"))
    expect(page.locator(".summary [data-testid=phase]")).to_have_text("Succeeded")
    page.get_by_test_id("graph").locator("[data-testid=graph-node]").first.click()
    expect(page.get_by_test_id("node-log")).to_have_text("submitted from the UI")
