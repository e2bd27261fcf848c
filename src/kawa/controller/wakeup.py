"""Waking controllers from other kawa processes, without polling.

A controller listens on a UNIX datagram socket in ``$KAWA_HOME/controllers``; a command
such as ``kawa resume`` first writes its request to the store (durable), then sends one
byte to every socket there.  Stale sockets of dead controllers are removed.

The sockets are ``_socket``'s, the C module under :mod:`socket`: ``socket`` itself adds
~2.5 ms to the start of every ``kawa run`` (its enums, ``array``) and nothing used here.
"""

from __future__ import annotations

import contextlib
import os
from _socket import AF_UNIX, SOCK_DGRAM, socket
from pathlib import Path


class WakeSocket:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{os.getpid()}.sock"
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.sock = socket(AF_UNIX, SOCK_DGRAM)
        self.sock.bind(str(self.path))
        self.sock.setblocking(False)

    def fileno(self) -> int:
        return self.sock.fileno()

    def drain(self) -> bool:
        woke = False
        while True:
            try:
                self.sock.recv(64)
                woke = True
            except BlockingIOError:
                return woke

    def close(self) -> None:
        self.sock.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def poke_all(directory: Path) -> None:
    if not directory.is_dir():
        return
    sender = socket(AF_UNIX, SOCK_DGRAM)
    try:
        for path in directory.glob("*.sock"):
            try:
                sender.sendto(b"!", str(path))
            except (ConnectionRefusedError, FileNotFoundError):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            except OSError:
                pass
    finally:
        sender.close()
