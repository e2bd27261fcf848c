"""A small supervisor for steps with several processes: init containers, sidecars,
containerSet graphs.  It is the step's pid (the session leader the fork server reaps and
``stop`` signals), starts its containers in the view the server prepared for the step
(one view for all, as a Pod's containers share volumes), and exits with the step's exit
code.

Argo's order (Kubernetes init containers, then the Pod's containers): each init container
runs to completion in turn, and a failing one ends the step; sidecars start next and main
with them; when main ends, sidecars get SIGTERM and, after ``SIDECAR_GRACE`` seconds,
SIGKILL (Argo's emissary kills them once the main container(s) exit).  A containerSet
runs each container once all its ``dependencies`` succeeded, in parallel where the graph
allows; a container whose dependency failed does not run.

Each container has ``containers/<name>/exit``; ``supervisor.json`` sums up the step for
the fork server (exit code, which container failed first, per-container exit codes and
messages).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from typing import Any, NoReturn

from . import launch, records

SIDECAR_GRACE = 30.0


def exit_code(status: int) -> int:
    """Argo's exit code for a wait status: the code, or 128 + the signal number."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.waitstatus_to_exitcode(status)


def _killpg(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class Supervisor:
    def __init__(self, req: dict[str, Any], root: str, real_root: int, devnull: int) -> None:
        self.req = req
        self.root = root
        self.real_root = real_root
        self.devnull = devnull
        self.running: dict[int, dict[str, Any]] = {}
        self.started: dict[str, float] = {}
        self.codes: dict[str, int] = {}
        self.messages: dict[str, str] = {}
        self.failed: str | None = None
        self.skipped: set[str] = set()
        self.stopping = False

    def on_sigterm(self, signum: int, frame: object) -> None:
        self.stopping = True
        for pid in list(self.running):
            _killpg(pid, signal.SIGTERM)

    def spawn(self, c: dict[str, Any]) -> int:
        """Start ``c``; its pid, or 0 if it could not start (then it has ended, 64)."""
        os.makedirs(c["dir"], exist_ok=True)
        self.started[c["name"]] = records.now()
        pid, message = launch.spawn(
            c, self.root, self.real_root, self.devnull, new_session=False, new_group=True
        )
        if pid:
            self.running[pid] = c
        else:
            self.messages[c["name"]] = message
            self.end(c, launch.EXIT_CANNOT_START, None)
        return pid

    def end(self, c: dict[str, Any], code: int, sig: int | None) -> None:
        name = c["name"]
        self.codes[name] = code
        record = {
            "exit_code": code,
            "signal": sig,
            "started_at": records.iso(self.started[name]),
            "finished_at": records.iso(records.now()),
            "message": self.messages.get(name, ""),
        }
        records.write_once(os.path.join(c["dir"], records.EXIT), record)
        if code != 0 and self.failed is None and c["role"] != "sidecar":
            self.failed = name

    def reap(self, pid: int, status: int) -> None:
        c = self.running.pop(pid, None)
        if c is not None:
            sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            self.end(c, exit_code(status), sig)

    def run_to_end(self, pid: int) -> None:
        while pid in self.running:
            self.reap(*os.waitpid(-1, 0))

    def run_graph(self, containers: list[dict[str, Any]]) -> None:
        pending = {c["name"]: c for c in containers}
        while pending or self.running:
            for name, c in list(pending.items()):
                deps = c["deps"]
                if self.stopping or any(self.codes.get(d, 0) or d in self.skipped for d in deps):
                    self.skipped.add(name)
                    del pending[name]
                elif all(d in self.codes for d in deps):
                    del pending[name]
                    self.spawn(c)
            if self.running:
                self.reap(*os.waitpid(-1, 0))
            elif not any(all(d in self.codes for d in c["deps"]) for c in pending.values()):
                break

    def stop_sidecars(self) -> None:
        sidecars = [pid for pid, c in self.running.items() if c["role"] == "sidecar"]
        for pid in sidecars:
            _killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + SIDECAR_GRACE
        while any(pid in self.running for pid in sidecars):
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid:
                self.reap(pid, status)
            elif time.monotonic() > deadline:
                for pid in sidecars:
                    _killpg(pid, signal.SIGKILL)
                deadline = float("inf")
            else:
                time.sleep(0.01)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.on_sigterm)
        by_role: dict[str, list[dict[str, Any]]] = {}
        for c in self.req["containers"]:
            by_role.setdefault(c["role"], []).append(c)
        for c in by_role.get("init", []):
            if self.stopping:
                break
            self.run_to_end(self.spawn(c))
            if self.failed:
                return self.codes[self.failed]
        for c in by_role.get("sidecar", []):
            self.spawn(c)
        if "set" in by_role:
            self.run_graph(by_role["set"])
        elif "main" in by_role and not self.stopping:
            self.run_to_end(self.spawn(by_role["main"][0]))
        self.stop_sidecars()
        if self.failed:
            return self.codes[self.failed]
        mains = [c["name"] for c in by_role.get("main", []) + by_role.get("set", [])]
        if self.stopping and not all(name in self.codes for name in mains):
            return 128 + signal.SIGTERM
        return 0

    def summary(self, code: int) -> dict[str, Any]:
        return {
            "exit_code": code,
            "failed": self.failed,
            "messages": self.messages,
            "containers": self.codes,
        }


def run_pod(req: dict[str, Any], root: str, real_root: int, devnull: int) -> NoReturn:
    """Run the Pod's containers in the view the server prepared; exit with its code."""
    node: str = req["node"]
    code = launch.EXIT_KAWA_ERROR
    summary: dict[str, Any]
    try:
        main = [c for c in req["containers"] if c["name"] == "main" and c["role"] == "set"]
        for name in ("stdout", "stderr") if main else ():
            link = os.path.join(node, name)
            if not os.path.lexists(link):
                os.symlink(os.path.join(records.CONTAINERS, "main", name), link)
        supervisor = Supervisor(req, root, real_root, devnull)
        code = supervisor.run()
        summary = supervisor.summary(code)
    except BaseException as e:
        summary = {"exit_code": code, "error": True, "message": f"kawa's supervisor failed: {e}"}
    try:
        with open(os.path.join(node, records.SUPERVISOR), "w") as f:
            f.write(json.dumps(summary))
    finally:
        os._exit(code)
