"""The API's own behaviour: filters, paging, logs, events, metrics, auth, and bad input
(4xx with a message naming the field, never a 500, nothing stored)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from tests.server.conftest import Server, serving

HELLO = {
    "metadata": {"generateName": "hello-", "labels": {"team": "ml"}},
    "spec": {
        "entrypoint": "main",
        "arguments": {"parameters": [{"name": "lr", "value": "0.1"}]},
        "templates": [
            {
                "name": "main",
                "container": {
                    "image": "alpine",
                    "command": ["echo", "hi {{workflow.parameters.lr}}"],
                },
            }
        ],
    },
}


def create(server: Server, workflow: dict[str, Any], **options: Any) -> dict[str, Any]:
    body = {"workflow": workflow, **options}
    response = httpx.post(f"{server.url}/api/v1/workflows/default", json=body, timeout=10)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def wait(server: Server, name: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data: dict[str, Any] = httpx.get(f"{server.url}/api/v1/workflows/default/{name}").json()
        if data["status"].get("phase") in ("Succeeded", "Failed", "Error"):
            return data
        time.sleep(0.2)
    raise AssertionError(f"{name} did not finish")


def test_list_filters_and_pages(server: Server) -> None:
    made = [
        create(server, HELLO, createOptions={"parameters": [f"lr={lr}"]})
        for lr in ("0.1", "0.5", "0.5")
    ]
    names = [w["metadata"]["name"] for w in made]
    for name in names:
        wait(server, name)
    base = f"{server.url}/api/v1/workflows/default"

    def listed(**params: Any) -> list[str]:
        response = httpx.get(base, params=params)
        assert response.status_code == 200, response.text
        return [w["metadata"]["name"] for w in response.json()["items"]]

    assert sorted(listed()) == sorted(names)
    assert sorted(listed(parameter="lr=0.5")) == sorted(names[1:])
    assert listed(**{"listOptions.labelSelector": "team=ml,team!=web"}) != []
    assert listed(**{"listOptions.labelSelector": "team=web"}) == []
    assert listed(phase="Failed") == []
    assert listed(namePattern=names[0][-5:]) == [names[0]]
    assert listed(**{"listOptions.fieldSelector": f"metadata.name={names[2]}"}) == [names[2]]
    first = httpx.get(base, params={"listOptions.limit": 2}).json()
    token = first["metadata"]["continue"]
    rest = httpx.get(base, params={"listOptions.limit": 2, "listOptions.continue": token}).json()
    paged = [w["metadata"]["name"] for w in first["items"] + rest["items"]]
    assert sorted(paged) == sorted(names) and "continue" not in rest["metadata"]


def test_logs_events_metrics_and_kawa_endpoints(server: Server) -> None:
    name = create(server, HELLO)["metadata"]["name"]
    done = wait(server, name)
    assert done["status"]["phase"] == "Succeeded"
    log = httpx.get(
        f"{server.url}/api/v1/workflows/default/{name}/log", params={"logOptions.container": "main"}
    )
    lines = [json.loads(line)["result"] for line in log.text.splitlines()]
    assert lines == [{"content": "hi 0.1", "podName": name}]
    with httpx.stream(
        "GET", f"{server.url}/api/v1/workflow-events/default",
        params={"listOptions.fieldSelector": f"metadata.name={name}"}, timeout=10,
    ) as events:  # fmt: skip
        first = json.loads(next(events.iter_lines()))
    assert first["result"]["type"] == "ADDED"
    assert first["result"]["object"]["status"]["phase"] == "Succeeded"
    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'kawa_workflows{phase="Succeeded"} 1' in metrics
    assert "kawa_controller_loop_seconds_count" in metrics
    rerun = httpx.post(
        f"{server.url}/api/kawa/v1/workflows/default/{name}/rerun",
        json={"parameters": ["lr=0.2"]},
    )
    assert rerun.status_code == 200, rerun.text
    again = wait(server, rerun.json()["metadata"]["name"])
    assert again["metadata"]["labels"]["kawa.dev/rerun-of"] == name
    provenance = httpx.get(f"{server.url}/api/kawa/v1/workflows/default/{name}/provenance").json()
    assert provenance["workflow"]["specDigest"].startswith("sha256:")
    schema = httpx.get(f"{server.url}/openapi.json").json()
    assert "/api/v1/workflows/{namespace}" in schema["paths"]


def test_bad_requests_get_4xx_with_the_field_and_store_nothing(server: Server) -> None:
    base = f"{server.url}/api/v1/workflows/default"
    cases = [
        (
            httpx.post(base, content=b"{not json", headers={"content-type": "application/json"}),
            400,
            "not valid JSON",
        ),
        (httpx.post(base, json=[1, 2]), 400, "expected a JSON object"),
        (httpx.post(base, json={}), 400, "workflow: required"),
        (httpx.post(base, json={"workflow": "x"}), 400, "workflow: expected dict"),
        (
            httpx.post(
                base, json={"workflow": {**HELLO, "spec": {**HELLO["spec"], "entrypont": "x"}}}
            ),
            400,
            "entrypont",
        ),
        (
            httpx.post(base, json={"workflow": HELLO, "createOptions": {"parameters": ["nope=1"]}}),
            400,
            "nope",
        ),
        (httpx.post(base, content=b"x" * (5 * 1024 * 1024)), 400, "too large"),
        (httpx.get(base, params={"listOptions.labelSelector": "a in (b"}), 400, "labelSelector"),
        (httpx.get(base, params={"listOptions.fieldSelector": "spec.x=1"}), 400, "fieldSelector"),
        (httpx.get(base, params={"listOptions.limit": "-1"}), 400, "listOptions.limit"),
        (httpx.get(base, params={"listOptions.continue": "garbage"}), 400, "continue"),
        (httpx.get(base, params={"phase": "Done"}), 400, "phase"),
        (httpx.get(f"{base}/nope"), 404, "nope"),
        (httpx.delete(f"{base}/nope"), 404, "nope"),
        (httpx.put(f"{base}/nope/retry", json={}), 404, "nope"),
        (httpx.put(f"{base}/nope/dance", json={}), 404, "dance"),
        (httpx.get(f"{server.url}/api/v1/workflow-templates/default/nope"), 404, "nope"),
        (
            httpx.post(
                f"{server.url}/api/v1/workflow-templates/default",
                json={"template": {"metadata": {}}},
            ),
            400,
            "metadata.name",
        ),
    ]
    for response, status, text in cases:
        assert response.status_code == status, (response.request.url, response.text)
        body = response.json()
        assert text in body["message"], (response.request.url, body)
        assert isinstance(body["code"], int)
    assert httpx.get(base).json()["items"] == []
    assert httpx.get(f"{server.url}/api/v1/workflow-templates/default").json()["items"] == []


def test_tokens_are_required_off_loopback(tmp_path: Path) -> None:
    with serving(tmp_path / "home", "--auth", "on") as server:
        base = f"{server.url}/api/v1/workflows/default"
        assert httpx.get(base).status_code == 401
        token = server.kawa("auth", "token", "create", "ci", "-n", "team-a").stdout.strip()
        assert token.startswith("kawa_")
        other = httpx.get(base, headers={"Authorization": f"Bearer {token}"})
        assert other.status_code == 403
        mine = httpx.get(
            f"{server.url}/api/v1/workflows/team-a", headers={"Authorization": f"Bearer {token}"}
        )
        assert mine.status_code == 200
        assert httpx.get(base, headers={"Authorization": "Bearer kawa_wrong"}).status_code == 401
        logs = "".join(p.read_text() for p in tmp_path.glob("server-*.log"))
        assert token not in logs and "kawa server" in logs
