"""Plan a step's own view of the file system, and map its paths back to the host.

The plan is a list of mounts, applied in order inside the step's mount namespace by
``_forkserver/isolation.py`` and recorded in ``launched`` so that :func:`host_path`
answers the same way after a restart:

* ``/tmp`` is a bind of the node's ``tmp/``.
* A volume is a bind of ``runs/<uid>/volumes/<name>[/<subPath>]`` at its mount path.
* A private path (output parameter dirs, ``workingDir``...) that does not exist on the
  host is a bind of a fresh ``private/<path>`` dir in the node dir when it sits in ``/``,
  or is created inside an overlay of its deepest existing host ancestor (``/mnt`` for
  ``/mnt/out``) otherwise.  A private path that exists on the host is overlaid itself:
  the step sees the host's files and its writes land in the overlay's upper dir, in the
  node dir.  The host's directories are never written.
* Paths kawa needs inside the view (the node dir, the shims, the interpreter) are bound
  back where a private mount would hide them (e.g. ``$KAWA_HOME`` under ``/tmp``).

Everything else is the host's, shared and writable, as on the host.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from kawa.executors.local._forkserver import records
from kawa.executors.local.images import CannotRun
from kawa.executors.local.layout import NodePaths
from kawa.spec.actions import StartStep
from kawa.spec.frozen import frozen

Kind = Literal["bind", "overlay", "shadow", "visible", "dir"]
PRIVATE: tuple[Kind, ...] = ("bind", "overlay", "shadow")
SYSTEM = ("/proc", "/sys", "/dev")


@frozen
class Mount:
    path: str
    kind: Kind
    source: str = ""
    lower: str = ""
    upper: str = ""
    work: str = ""
    read_only: bool = False

    def to_json(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"path": self.path, "kind": self.kind, "source": self.source}
        fields.update(lower=self.lower, upper=self.upper, work=self.work)
        fields["read_only"] = self.read_only
        return {k: v for k, v in fields.items() if v}


def _under(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip("/") + "/")


def _new_in_shadow(shadow: Mount, path: str) -> bool:
    """Is ``path`` in a shadow's own part (not under one of the host's entries)?"""
    rest = os.path.relpath(path, shadow.path)
    first = rest.split("/", 1)[0]
    return rest != "." and not os.path.lexists(os.path.join(shadow.lower, first))


def _mount_points() -> list[str]:
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            field = line.split(" ", 5)[4]
            points.append(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field))
    return points


class Planner:
    def __init__(self, node: NodePaths) -> None:
        self.node = node
        self.mounts: list[Mount] = []
        self._mount_points: list[str] | None = None

    def covering(self, path: str, kinds: tuple[Kind, ...] = PRIVATE) -> Mount | None:
        """The mount that makes ``path`` private in the view, if any."""
        found = [m for m in self.mounts if m.kind in kinds and _under(path, m.path)]
        found = [m for m in found if m.kind != "shadow" or _new_in_shadow(m, path)]
        return max(found, key=lambda m: len(m.path), default=None)

    def mount_points(self) -> list[str]:
        if self._mount_points is None:
            self._mount_points = _mount_points()
        return self._mount_points

    def private_view(self, path: str) -> None:
        """Make the host dir ``path`` private: an overlay, or a shadow if mounts are below it.

        An overlay's lower layer cannot show the mounts below it (and in a user namespace
        cannot be made of them at all), so a dir with mounts below gets a *shadow*: a dir
        of the node's own in which each host entry is bound back.  New entries are then
        private; the host's entries stay the host's.
        """
        n = sum(1 for m in self.mounts if m.kind in ("overlay", "shadow"))
        base = self.node.file(f"overlay/{n}")
        if any(p != path and _under(p, path) for p in self.mount_points()):
            self.mounts.append(Mount(path, "shadow", source=base, lower=path))
        else:
            mount = Mount(path, "overlay", lower=path, upper=f"{base}/upper", work=f"{base}/work")
            self.mounts.append(mount)

    def canonical(self, path: str) -> str:
        """Resolve host symlinks (``/var/run`` -> ``/run``) up to the first private mount."""
        parts = [p for p in os.path.normpath(path).split("/") if p]
        current = "/"
        for i, part in enumerate(parts):
            candidate = os.path.join(current, part)
            if self.covering(candidate):
                return os.path.join(candidate, *parts[i + 1 :])
            if os.path.islink(candidate):
                candidate = os.path.realpath(candidate)
            current = candidate
        return current

    def make_room(self, path: str) -> None:
        """Make sure ``path`` can be created in the view without writing the host."""
        if os.path.isdir(path) or self.covering(path):
            return
        ancestor = os.path.dirname(path)
        while not os.path.isdir(ancestor):
            ancestor = os.path.dirname(ancestor)
        if ancestor != "/":
            self.private_view(ancestor)

    def add_tmp(self) -> None:
        self.mounts.append(Mount("/tmp", "bind", source=self.node.file(records.TMP)))

    def add_volume(self, mount_path: str, source: str, read_only: bool) -> None:
        path = self.canonical(mount_path)
        self.make_room(path)
        self.mounts.append(Mount(path, "bind", source=source, read_only=read_only))

    def add_private(self, raw: str) -> None:
        if not raw.startswith("/"):
            return
        path = self.canonical(raw)
        if path == "/" or any(_under(path, s) for s in SYSTEM) or self.covering(path):
            return
        if os.path.isdir(path):
            self.private_view(path)
        elif os.path.exists(path):
            return
        else:
            self.make_room(path)
            if self.covering(path):
                self.mounts.append(Mount(path, "dir"))
            else:
                source = self.node.file("private" + path)
                self.mounts.append(Mount(path, "bind", source=source))

    def add_visible(self, path: str) -> None:
        """``path`` (a real host path) must be seen as it is on the host."""
        if self.covering(path) and not self.covering(path, ("visible",)):
            self.mounts.append(Mount(path, "visible", source=path))

    def ordered(self) -> list[Mount]:
        rank = {"overlay": 0, "shadow": 0, "bind": 1, "dir": 2, "visible": 3}
        return sorted(self.mounts, key=lambda m: (m.path.count("/"), rank[m.kind]))


def plan(
    step: StartStep, node: NodePaths, visible: list[str], named: list[str] | None = None
) -> list[Mount]:
    """The step's mounts.  ``named``: host directories its command line names; they are
    shown as the host's where a private ``/tmp`` would hide them, unless they are, hold or
    lie in a path the step declares its own (then the step's copy wins)."""
    planner = Planner(node)
    planner.add_tmp()
    for v in sorted(step.volume_mounts, key=lambda v: v.mount_path):
        source = node.volume(v.volume)
        if v.sub_path:
            sub = os.path.normpath(v.sub_path).lstrip("/")
            if sub == ".." or sub.startswith("../"):
                raise CannotRun(f"volume {v.volume!r}: subPath {v.sub_path!r} leaves the volume")
            source = os.path.join(source, sub)
        planner.add_volume(v.mount_path, source, v.read_only)
    containers = (step.main, *step.init_containers, *step.sidecars, *step.container_set)
    privates = {*step.private_paths, *(c.working_dir for c in containers if c.working_dir)}
    for p in sorted(privates):
        planner.add_private(p)
    for host in visible:
        planner.add_visible(host)
    own = [os.path.normpath(p) for p in privates if p.startswith("/")] + ["/tmp"]
    for host in named or []:
        if any(_under(host, p) and (p != "/tmp" or host == "/tmp") for p in own):
            continue  # inside something the step owns
        if any(_under(p, host) for p in own):
            continue  # holds something the step owns
        planner.add_visible(host)
    return planner.ordered()


def _behind(mounts: list[dict[str, Any]], full: str) -> tuple[dict[str, Any] | None, str]:
    """The mount that shows ``full`` in the step's view (the deepest, not a mere ``dir``)
    and the rest of the path below it."""
    best: dict[str, Any] | None = None
    for m in mounts:
        longer = best is None or len(m["path"]) > len(best["path"])
        if m["kind"] != "dir" and _under(full, m["path"]) and longer:
            best = m
    if best is None:
        return None, ""
    rest = os.path.relpath(full, best["path"])
    return best, "" if rest == "." else rest


def _host_entry(shadow: dict[str, Any], rest: str) -> bool:
    """Is ``rest`` under a shadow one of the host's own entries (bound in)?"""
    first = rest.split("/", 1)[0]
    return bool(first) and os.path.lexists(os.path.join(shadow["lower"], first))


def writable_path(plan: list[dict[str, Any]], isolation: str, path: str, cwd: str) -> Path:
    """Where to write a file so that the step, once started, sees it at ``path``."""
    full = os.path.normpath(os.path.join(cwd, path))
    if isolation == "none":
        return Path(full)
    best, rest = _behind(plan, full)
    if best is None or best["kind"] == "visible":
        raise CannotRun(f"{path}: kawa cannot place an input artifact outside the step's view")
    if best["kind"] == "overlay":
        return Path(best["upper"], rest)
    if best["kind"] == "shadow" and _host_entry(best, rest):
        raise CannotRun(f"{path}: kawa cannot place an input artifact over a host path")
    return Path(best["source"], rest)


def host_path(launched: dict[str, Any] | None, path: str, cwd: str) -> Path:
    """Where the file a step saw at ``path`` is on the host (after the step ended)."""
    full = os.path.normpath(os.path.join(cwd, path))
    if launched is None or launched.get("isolation", "none") == "none":
        return Path(full)
    best, rest = _behind(launched.get("mounts", []), full)
    if best is None:
        return Path(full)
    if best["kind"] == "shadow":
        return Path(best["lower" if _host_entry(best, rest) else "source"], rest)
    if best["kind"] != "overlay":
        return Path(best["source"], rest)
    upper = os.path.join(best["upper"], rest)
    # a file the step wrote (or deleted: then a whiteout, which reads as an error)
    if os.path.lexists(upper):
        return Path(upper)
    return Path(best["lower"], rest)
