"""Artifacts in an S3-compatible repository: a real S3-style server (moto's standalone
server, started here as its own process), reached through fsspec/s3fs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, needs_corpus
from tests.integration.conftest import Cli

BUCKET = "kawa-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    port = _free_port()
    moto = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(moto, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("moto server did not start")
    try:
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _fs(endpoint: str) -> Any:
    import s3fs

    return s3fs.S3FileSystem(
        key="test-key",
        secret="test-secret",
        client_kwargs={"endpoint_url": f"http://{endpoint}"},
        skip_instance_cache=True,
    )


def _configure(cli: Cli, tmp_path: Path, endpoint: str, bucket: str) -> None:
    fs = _fs(endpoint)
    if not fs.exists(bucket):
        fs.mkdir(bucket)
    repository = tmp_path / "repository.yaml"
    repository.write_text(
        f"s3:\n  bucket: {bucket}\n  endpoint: {endpoint}\n  insecure: true\n"
        "  accessKeySecret: {name: s3-creds, key: accessKey}\n"
        "  secretKeySecret: {name: s3-creds, key: secretKey}\n"
    )
    cli.run(
        "secret", "create", "s3-creds", "--from-literal", "accessKey=test-key",
        "--from-literal", "secretKey=test-secret", check=True,
    )  # fmt: skip
    cli.run(
        "configmap", "create", "artifact-repositories",
        "--from-file", f"default-v1={repository}",
        "--annotation", "workflows.argoproj.io/default-artifact-repository=default-v1",
        check=True,
    )  # fmt: skip


@pytest.fixture
def cli_s3(cli: Cli, tmp_path: Path, s3_server: str) -> Cli:
    _configure(cli, tmp_path, s3_server, BUCKET)
    # no AWS credentials from the environment: only the configured secret may work
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        cli.env.pop(name, None)
    cli.env["AWS_CONFIG_FILE"] = cli.env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return cli


@needs_corpus
def test_artifact_passing_through_s3(cli_s3: Cli, s3_server: str) -> None:
    result = cli_s3.run("run", str(CORPUS / "test/e2e/smoke/artifact-passing.yaml"), "-o", "json")
    assert result.returncode == 0, result.stderr
    workflow = json.loads(result.stdout)
    nodes = {n["displayName"]: n for n in workflow["status"]["nodes"].values()}
    [out] = nodes["generate-artifact"]["outputs"]["artifacts"]
    key = out["s3"]["key"]
    assert key == f"{workflow['metadata']['name']}/{nodes['generate-artifact']['id']}/out.tgz"
    assert _fs(s3_server).exists(f"{BUCKET}/{key}")
    log = cli_s3.run("logs", workflow["metadata"]["name"], "consume-artifact", check=True).stdout
    assert "hello world" in log


@needs_corpus
def test_key_only_and_archive_strategies_through_s3(cli_s3: Cli, s3_server: str) -> None:
    for path in ("examples/key-only-artifact.yaml", "test/e2e/testdata/archive-strategies.yaml"):
        result = cli_s3.run("run", str(CORPUS / path), "-o", "json")
        assert result.returncode == 0, result.stderr
    fs = _fs(s3_server)
    assert fs.cat(f"{BUCKET}/my-file").startswith(b"\x1f\x8b")  # tar.gz by default
    nones = [p for p in fs.find(BUCKET) if p.endswith("/file-none")]
    assert nones and fs.cat(nones[0]) == b"hello\n"  # archive: none stores the file itself


@needs_corpus
def test_a_missing_repository_secret_fails_the_step_clearly(
    cli: Cli, tmp_path: Path, s3_server: str
) -> None:
    _configure(cli, tmp_path, s3_server, "other-bucket")
    cli.run("secret", "delete", "s3-creds", check=True)
    result = cli.run("run", str(CORPUS / "examples/key-only-artifact.yaml"), "-o", "json")
    assert result.returncode == 1, result.stderr
    assert result.stdout, result.stderr
    nodes = json.loads(result.stdout)["status"]["nodes"].values()
    [generate] = [n for n in nodes if n["displayName"] == "generate"]
    assert generate["phase"] == "Error"
    assert 'secret "s3-creds" not found' in generate["message"]
