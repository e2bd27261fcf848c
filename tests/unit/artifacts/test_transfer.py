"""Packing, storing and loading artifacts on a local repository (real files)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kawa.artifacts import archive, transfer
from kawa.artifacts.repository import Repository, RepositoryError, open_repository


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    return open_repository({}, tmp_path / "home")


def _tree(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("alpha\n")
    (root / "sub" / "b.txt").write_text("beta\n")
    return root


def test_tar_gz_is_reproducible_whatever_the_times(tmp_path: Path) -> None:
    one = _tree(tmp_path / "one" / "out")
    first = archive.tar_gz(one, 6)
    time.sleep(1.1)
    two = _tree(tmp_path / "two" / "out")
    os.utime(two / "a.txt", (0, 12345))
    assert archive.tar_gz(two, 6) == first
    assert first[:2] == archive.GZIP_MAGIC


def test_a_directory_round_trips_through_the_default_tar(repo: Repository, tmp_path: Path) -> None:
    source = _tree(tmp_path / "out")
    saved = transfer.save(repo, source, "wf/pod/out.tgz", None)
    assert saved.digest.startswith("sha256:") and saved.size > 0
    dest = tmp_path / "in"
    digest = transfer.load(repo, "wf/pod/out.tgz", dest, None)
    assert digest == saved.digest
    assert (dest / "sub" / "b.txt").read_text() == "beta\n"
    assert (dest / "a.txt").read_text() == "alpha\n"


def test_archive_none_stores_a_file_as_is_and_a_directory_as_a_prefix(
    repo: Repository, tmp_path: Path
) -> None:
    file = tmp_path / "f.txt"
    file.write_text("hello\n")
    transfer.save(repo, file, "k/f.txt", {"none": {}})
    assert Path(repo.path("k/f.txt")).read_text() == "hello\n"
    tree = _tree(tmp_path / "tree")
    saved = transfer.save(repo, tree, "k/tree", {"none": {}})
    assert Path(repo.path("k/tree/sub/b.txt")).read_text() == "beta\n"
    dest = tmp_path / "back"
    assert transfer.load(repo, "k/tree", dest, {"none": {}}) == saved.digest
    assert (dest / "sub" / "b.txt").read_text() == "beta\n"


def test_load_with_sub_path_and_mode(repo: Repository, tmp_path: Path) -> None:
    transfer.save(repo, _tree(tmp_path / "out"), "x.tgz", None)
    dest = tmp_path / "only-b"
    transfer.load(repo, "x.tgz", dest, None, mode=0o600, sub_path="sub/b.txt")
    assert dest.read_text() == "beta\n"
    assert dest.stat().st_mode & 0o777 == 0o600


def test_missing_artifacts_and_bad_keys_are_clear(repo: Repository, tmp_path: Path) -> None:
    with pytest.raises(transfer.ArtifactMissing, match="no such file"):
        transfer.save(repo, tmp_path / "nothing", "k", None)
    with pytest.raises(transfer.ArtifactMissing, match="key nope does not exist"):
        transfer.load(repo, "nope", tmp_path / "x", None)
    with pytest.raises(RepositoryError, match="invalid artifact key"):
        repo.path("../../etc/passwd")


def test_an_s3_repository_needs_a_bucket(tmp_path: Path) -> None:
    with pytest.raises(RepositoryError, match="bucket is required"):
        open_repository({"s3": {"endpoint": "localhost:9"}}, tmp_path)
