"""The fork server's loop goes back to its requests after each step it reaps.

Reaping a step refills its slot; when steps end as fast as that bookkeeping, reaping
"until no child has exited" kept the loop from reading the requests on stdin — a
chain's next link waited behind a whole fan-out (10-35 ms seen).  ``reap`` now takes
one step of its own per call and asks the loop to come back at once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from kawa.executors.local._forkserver import records
from kawa.executors.local._forkserver.loop import Running, Server


def _exited_child() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    return pid


def _wait_until_exited(pid: int) -> None:
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z":
        assert time.monotonic() < deadline, f"child {pid} did not exit"
        time.sleep(0.005)


def test_reap_takes_one_step_per_call_and_asks_to_be_called_again(tmp_path: Path) -> None:
    server = Server(home=str(tmp_path), mode="plain", argosay="argosay")
    server.controller_gone = True  # no controller: events are not written anywhere
    nodes = []
    for name in ("a", "b"):
        node = tmp_path / name
        node.mkdir()
        pid = _exited_child()
        _wait_until_exited(pid)
        server.jobs[pid] = server.nodes[str(node)] = Running(str(node), pid, time.time())
        nodes.append(node)

    def ended() -> int:
        return sum((node / records.EXIT).exists() for node in nodes)

    server.reap()
    assert ended() == 1, "one step per call: the loop reads requests in between"
    assert server.more_to_reap and server.timeout(time.time()) == 0
    server.reap()
    assert ended() == 2
    server.reap()
    assert not server.more_to_reap, "nothing left: the loop may sleep again"
