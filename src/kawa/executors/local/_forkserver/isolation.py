"""Give each step its own view of the file system.

The fork server enters a mount namespace of its own once (:func:`enter_server_namespace`);
nothing it mounts there is seen by the host.  For each step it then

1. builds a root (:func:`build_root`): a tmpfs in which each top-level entry of the
   host's ``/`` is recreated (symlinks as symlinks, directories and files as recursive
   bind mounts of the host's), ``/tmp`` is an empty mountpoint and ``/argosay`` a
   symlink to the shim;
2. follows the step's mount plan (:func:`apply_mounts`, planned by
   ``kawa.executors.local.mounts``): the node's ``tmp`` at ``/tmp``, overlays (or
   shadows) of host directories in which private paths or volume mountpoints must
   appear, with their writable layer in the node dir, private directories, volumes;
3. starts the step chrooted into that root (``launch.View``);
4. detaches the root when the step has ended (:func:`remove_root`) — or, when the step
   changed nothing in it but its ``/tmp``, keeps the root for the next step, whose
   ``/tmp`` is mounted over this one (``starting.Launcher.release``).

Q: Why a tmpfs root instead of the host's ``/``?  A: New top-level paths (``/workspace``,
``/foo``) need mountpoints; in a tmpfs they cost nothing and vanish with the namespace,
and nothing is ever created in the host's ``/``.

Q: Is this a security boundary?  A: No.  ``chroot`` in a mount namespace keeps steps from
colliding; it does not contain a hostile root process.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_UNBINDABLE = 0x20000
MS_SLAVE = 0x80000
MNT_DETACH = 0x2

_libc: Any = None


def _lib() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.mount.argtypes = [
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_ulong,
            ctypes.c_char_p,
        ]
        _libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
        _libc.unshare.argtypes = [ctypes.c_int]
    return _libc


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _b(s: str | None) -> bytes | None:
    return None if s is None else os.fsencode(s)


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    lib = _lib()
    result = lib.mount(_b(source), _b(target), _b(fstype), flags, _b(data) if data else None)
    _check(result, f"mount {source or fstype} on {target}")


def unshare(flags: int) -> None:
    _check(_lib().unshare(flags), "unshare")


def enter_user_namespace(uid: int, gid: int) -> None:
    """Become root-equivalent in a new user namespace mapping our own uid/gid to itself.

    Mounts then need no privilege on the host; after exec the step runs with its usual
    uid and no capabilities.
    """
    unshare(CLONE_NEWUSER)
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")


def host_top_level() -> list[tuple[str, str, str]]:
    """The host's ``/`` as (name, kind, symlink target); computed once per fork server."""
    entries = []
    for name in sorted(os.listdir("/")):
        path = "/" + name
        if os.path.islink(path):
            entries.append((name, "link", os.readlink(path)))
        elif os.path.isdir(path):
            entries.append((name, "dir", ""))
        else:
            entries.append((name, "file", ""))
    return entries


def enter_server_namespace(roots: str) -> None:
    """Give the calling process (the fork server) a mount namespace of its own.

    Mounts from the host still propagate in (slave); nothing propagates out.  ``roots``
    gets an *unbindable* tmpfs, so that steps' roots, made below it, are never copied
    into one another when a root binds the host directory that holds them.
    """
    unshare(CLONE_NEWNS)
    mount(None, "/", None, MS_REC | MS_SLAVE)
    os.makedirs(roots, exist_ok=True)
    mount("tmpfs", roots, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700")
    mount(None, roots, None, MS_UNBINDABLE)


def build_root(root: str, top: list[tuple[str, str, str]], argosay: str) -> None:
    """A fresh view of the host's ``/`` at ``root`` (see the module docstring)."""
    os.mkdir(root)
    mount("tmpfs", root, "tmpfs", MS_NOSUID, "mode=0755")
    for name, kind, target in top:
        path = f"{root}/{name}"
        if name == "argosay":
            continue
        if kind == "link":
            os.symlink(target, path)
        elif name == "tmp":
            os.mkdir(path, 0o1777)
        elif kind == "dir":
            os.mkdir(path)
            mount("/" + name, path, None, MS_BIND | MS_REC)
        else:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))
            mount("/" + name, path, None, MS_BIND | MS_REC)
    os.symlink(argosay, f"{root}/argosay")


def unmount(path: str) -> None:
    """Detach the mount at ``path`` and everything mounted below it."""
    _check(_lib().umount2(_b(path), MNT_DETACH), f"umount {path}")


def remove_root(root: str) -> None:
    """Detach a step's root (processes still inside keep it until they end)."""
    unmount(root)
    os.rmdir(root)


def apply_mounts(root: str, mounts: list[dict[str, Any]], userns: bool = False) -> None:
    """Carry out a step's mount plan inside ``root`` (see ``mounts.Mount`` for the kinds)."""
    for m in mounts:
        target = root + m["path"]
        kind = m["kind"]
        if kind == "overlay":
            os.makedirs(m["upper"], exist_ok=True)
            os.makedirs(m["work"], exist_ok=True)
            options = f"lowerdir={_escape(m['lower'])},upperdir={_escape(m['upper'])}"
            options += f",workdir={_escape(m['work'])}"
            mount("overlay", target, "overlay", 0, options + (",userxattr" if userns else ""))
            continue
        if kind == "shadow":
            shadow(m["lower"], m["source"], target)
            continue
        if kind == "dir":
            os.makedirs(target, exist_ok=True)
            continue
        flags = MS_BIND | (MS_REC if kind == "visible" else 0)
        try:
            mount(m["source"], target, None, flags)
        except FileNotFoundError:  # rarely: most steps' only bind is their /tmp
            os.makedirs(m["source"], exist_ok=True)
            os.makedirs(target, exist_ok=True)
            mount(m["source"], target, None, flags)
        if m.get("read_only"):
            mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY)


def shadow(lower: str, source: str, target: str) -> None:
    """Show ``source`` at ``target`` with every entry of the host dir ``lower`` bound in."""
    os.makedirs(source, exist_ok=True)
    bound = []
    for name in os.listdir(lower):
        host, stub = f"{lower}/{name}", f"{source}/{name}"
        if os.path.islink(host):
            if not os.path.lexists(stub):
                os.symlink(os.readlink(host), stub)
            continue
        if os.path.isdir(host):
            os.makedirs(stub, exist_ok=True)
        elif not os.path.lexists(stub):
            os.close(os.open(stub, os.O_WRONLY | os.O_CREAT, 0o644))
        bound.append(name)
    mount(source, target, None, MS_BIND)
    for name in bound:
        mount(f"{lower}/{name}", f"{target}/{name}", None, MS_BIND | MS_REC)


def _escape(path: str) -> str:
    if any(c in path for c in ",:\\"):
        raise OSError(f"cannot use {path!r} in an overlay mount (it contains , : or \\)")
    return path
