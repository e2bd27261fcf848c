"""Each step sees its own /tmp and private paths; volumes are shared; the host is untouched."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from kawa.executors.local import LocalExecutor
from kawa.executors.local._forkserver.starting import STEPS_PER_ROOT
from kawa.spec.actions import OutputParameter, VolumeMount

from .conftest import UID, run, step

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")


def writer(node_id: str, value: str) -> object:
    script = (
        f"echo {value} > /tmp/x && mkdir -p /mnt/out && echo {value} > /mnt/out/x && "
        "sleep 0.2 && cat /tmp/x /mnt/out/x"
    )
    return step(
        node_id,
        "sh",
        "-c",
        script,
        private_paths=("/mnt/out",),
        output_parameters=(OutputParameter("tmp", "/tmp/x"), OutputParameter("out", "/mnt/out/x")),
    )


def test_parallel_steps_writing_the_same_paths_each_keep_their_own(
    executor: LocalExecutor,
) -> None:
    assert executor.isolation == "mount-namespace"
    steps = [writer(f"loop-{i}", f"value-{i}") for i in range(10)]
    ended = run(executor, *steps)  # type: ignore[arg-type]
    for i in range(10):
        outcome = ended[f"loop-{i}"].outcome
        assert outcome.result == f"value-{i}\nvalue-{i}"
        assert outcome.parameters == {"tmp": f"value-{i}", "out": f"value-{i}"}
    assert not Path("/mnt/out").exists()


def test_new_top_level_paths_appear_only_in_the_steps_view(executor: LocalExecutor) -> None:
    s = step("foo", "sh", "-c", "echo bar > /foo/bar && cat /foo/bar", private_paths=("/foo",))
    assert run(executor, s)["foo"].outcome.result == "bar"
    assert not Path("/foo").exists()
    assert executor.host_path(s, "/foo/bar").read_text() == "bar\n"


def test_an_existing_host_dir_made_private_shows_host_files_and_keeps_writes(
    executor: LocalExecutor, home: Path
) -> None:
    shared = Path("/work") / f".kawa-test-{os.getpid()}"
    shared.mkdir()
    try:
        (shared / "input").write_text("from the host\n")
        s = step(
            "overlay",
            "sh",
            "-c",
            "cat input && echo mine > output",
            working_dir=str(shared),
            output_parameters=(OutputParameter("out", "output"),),
        )
        outcome = run(executor, s)["overlay"].outcome
        assert outcome.result == "from the host"
        assert outcome.parameters == {"out": "mine"}
        assert sorted(p.name for p in shared.iterdir()) == ["input"]
    finally:
        shutil.rmtree(shared)


def test_volumes_are_shared_between_steps(executor: LocalExecutor, home: Path) -> None:
    mounts = (VolumeMount("vol", "/mnt/vol"),)
    first = step("first", "sh", "-c", "echo hello > /mnt/vol/hello.txt", volume_mounts=mounts)
    run(executor, first)
    second = step("second", "cat", args=("/mnt/vol/hello.txt",), volume_mounts=mounts)
    assert run(executor, second)["second"].outcome.result == "hello"
    assert (home / "runs" / UID / "volumes" / "vol" / "hello.txt").read_text() == "hello\n"


def test_volume_sub_path_and_read_only(executor: LocalExecutor, home: Path) -> None:
    mounts = (VolumeMount("vol", "/data", sub_path="a/b"),)
    run(executor, step("w", "sh", "-c", "echo x > /data/f", volume_mounts=mounts))
    assert (home / "runs" / UID / "volumes" / "vol" / "a" / "b" / "f").exists()
    ro = (VolumeMount("vol", "/data", sub_path="a/b", read_only=True),)
    outcome = run(executor, step("ro", "sh", "-c", "echo y > /data/f", volume_mounts=ro))["ro"]
    assert outcome.outcome.exit_code != 0


def test_fallback_runs_without_isolation_and_says_so(
    home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("KAWA_ISOLATION", "none")
    with LocalExecutor(home) as executor:
        assert executor.isolation == "none"
        s = step("plain", "sh", "-c", "echo $$ > /dev/null; pwd")
        outcome = run(executor, s)["plain"].outcome
        assert outcome.result == str(home / "runs" / UID / "nodes" / "plain" / "tmp")
        launched = json.loads((home / "runs" / UID / "nodes" / "plain" / "launched").read_text())
        assert launched["isolation"] == "none"


def test_unavailable_isolation_logs_one_warning_naming_the_reason(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kawa.executors.local")
    # a home whose path cannot go into an overlay mount makes the start-up probe fail
    with LocalExecutor(home.parent / "bad,home") as executor:
        assert executor.isolation == "none"
        assert run(executor, step("still-runs", "true"))["still-runs"].outcome.exit_code == 0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "without isolation" in warnings[0].getMessage()
    assert "overlay" in warnings[0].getMessage()


@needs_root
def test_user_namespace_isolation_works_too(home: Path) -> None:
    with LocalExecutor(home, isolation="user") as executor:
        assert executor.isolation == "user-namespace"
        ended = run(executor, writer("a", "A"), writer("b", "B"))  # type: ignore[arg-type]
        assert ended["a"].outcome.parameters == {"tmp": "A", "out": "A"}
        assert ended["b"].outcome.parameters == {"tmp": "B", "out": "B"}


UNPRIVILEGED = """
import json, select, sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from kawa.executors.local import LocalExecutor
from kawa.spec.actions import Container, StartStep, OutputParameter
ex = LocalExecutor(Path(sys.argv[1]))
steps = [
    StartStep("u", "wf", f"n{i}", "n", Container("main", "busybox", command=(
        "sh", "-c", f"id -u; echo {i} > /tmp/x; mkdir -p /mnt/out; echo {i} > /mnt/out/x")),
        private_paths=("/mnt/out",),
        output_parameters=(OutputParameter("tmp", "/tmp/x"), OutputParameter("out", "/mnt/out/x")))
    for i in range(2)
]
for s in steps:
    ex.start(s)
done = {}
while len(done) < 2:
    select.select([ex.fileno()], [], [], 10)
    for e in ex.poll():
        if type(e).__name__ == "StepEnded":
            done[e.node_id] = [e.outcome.exit_code, e.outcome.result, e.outcome.parameters]
print(json.dumps({"isolation": ex.isolation, "done": done}))
"""


@needs_root
def test_an_unprivileged_user_gets_isolation_through_a_user_namespace() -> None:
    python = shutil.which("python3", path="/usr/bin")
    assert python is not None, "no /usr/bin/python3: run scripts/setup-system.sh as root"
    home = Path(tempfile.mkdtemp(prefix="kawa-nobody-"))
    try:
        home.chmod(0o755)
        shutil.chown(home, "nobody", "nogroup")
        src = str(Path(__file__).parents[3] / "src")
        proc = subprocess.run(
            [python, "-I", "-c", UNPRIVILEGED, str(home / "home"), src],
            user="nobody",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        shutil.rmtree(home)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["isolation"] == "user-namespace"
    uid = str(int(subprocess.check_output(["id", "-u", "nobody"])))
    for i in range(2):
        assert report["done"][f"n{i}"] == [0, uid, {"tmp": str(i), "out": str(i)}]


def test_the_controller_python_is_what_steps_call_python(executor: LocalExecutor) -> None:
    outcome = run(executor, step("py", "sh", "-c", "python -c 'import sys; print(sys.prefix)'"))
    assert outcome["py"].outcome.result == sys.prefix


def _mounts_in_roots(executor: LocalExecutor) -> list[str]:
    """The fork server's mount points below its roots dir: ``3``, ``3/tmp``, ``3/usr``..."""
    mounts = Path(f"/proc/{executor.server_pid}/mountinfo").read_text().splitlines()
    roots = f"/roots-{executor.server_pid}/"
    return [m.partition(roots)[2] for m in (line.split()[4] for line in mounts) if roots in m]


def _root_numbers(executor: LocalExecutor) -> set[int]:
    """The numbers of the step roots mounted in the fork server's namespace."""
    return {int(path) for path in _mounts_in_roots(executor) if path.isdigit()}


#: a step that fails if it sees a ``/tmp/x`` (left by the step before), then writes one
FRESH_TMP = "test ! -e /tmp/x && echo {i} > /tmp/x && cat /tmp/x"


def test_roots_are_kept_for_later_steps_with_nothing_of_the_last_one_left(
    executor: LocalExecutor,
) -> None:
    for i in range(8):
        s = step(f"seq-{i}", "sh", "-c", FRESH_TMP.format(i=i))
        assert run(executor, s)[f"seq-{i}"].outcome.result == str(i)
    # without reuse each step would have had a new root (the probe at start takes one)
    assert max(_root_numbers(executor)) < 8


def _tmp_mounts_per_root(executor: LocalExecutor) -> Counter[str]:
    """How many ``/tmp`` mounts are stacked in each step root of the fork server."""
    return Counter(
        number
        for number, _, path in (m.partition("/") for m in _mounts_in_roots(executor))
        if path == "tmp"
    )


def test_a_kept_root_is_detached_whole_after_serving_its_share_of_steps(
    executor: LocalExecutor,
) -> None:
    for i in range(STEPS_PER_ROOT + 6):
        s = step(f"many-{i}", "sh", "-c", FRESH_TMP.format(i=i))
        assert run(executor, s)[f"many-{i}"].outcome.result == str(i)
    stacked = _tmp_mounts_per_root(executor)
    assert stacked and max(stacked.values()) <= STEPS_PER_ROOT


@needs_root
def test_a_root_a_step_wrote_into_is_not_given_to_another(executor: LocalExecutor) -> None:
    first = step("stray", "sh", "-c", "echo here > /stray && cat /stray")
    assert run(executor, first)["stray"].outcome.result == "here"
    for i in range(4):
        s = step(f"after-{i}", "sh", "-c", "test ! -e /stray && echo clean")
        assert run(executor, s)[f"after-{i}"].outcome.result == "clean"


def test_a_root_with_a_process_left_behind_is_not_given_to_another(
    executor: LocalExecutor,
) -> None:
    background = "(sleep 0.5; echo leaked > /tmp/leak) > /dev/null 2>&1 & echo started"
    leaves = run(executor, step("leaves", "sh", "-c", background))["leaves"]
    assert leaves.outcome.result == "started"
    script = "sleep 1; ls /tmp/leak 2>/dev/null; echo done"
    later = [step(f"later-{i}", "sh", "-c", script) for i in range(3)]
    ended = run(executor, *later)
    assert [ended[s.node_id].outcome.result for s in later] == ["done"] * 3
