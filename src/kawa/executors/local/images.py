"""Which host program runs for a container: kawa's table of well-known images.

kawa records a container's ``image`` but does not pull it; the command runs on the host.
Two small tables make Argo's examples and test images run anyway:

* **Image defaults** — what Docker would run when the container gives no ``command``:
  the image's ENTRYPOINT followed by ``args``, or, for an image with no ENTRYPOINT,
  ``args`` alone (they replace CMD) or CMD when there are no ``args`` either.

  ======================  ===============  =========
  image                   ENTRYPOINT       CMD
  ======================  ===============  =========
  argoproj/argosay:v2     ``/argosay``
  argoproj/argosay:v1                      ``cowsay``
  busybox (any tag)                        ``sh``
  alpine (any tag)                         ``/bin/sh``
  python (any tag)                         ``python3``
  ======================  ===============  =========

  Any other image without a ``command`` is an error that says so: kawa cannot know its
  ENTRYPOINT.

* **Command aliases** — programs those images have and hosts usually lack:
  ``argosay``/``/argosay`` and ``cowsay`` run shims shipped with kawa (``shims/``), and
  ``python``/``python3`` run the interpreter running kawa (never a pyenv shim).  The same
  names are first on the step's ``PATH``, so ``sh -c "argosay ..."`` works too, and
  ``/argosay`` exists in an isolated step's view of the files.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from kawa.spec.actions import Container
from kawa.spec.frozen import frozen


@frozen
class ImageDefaults:
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()


#: (repository, tag or None for any tag) -> what the image runs by default
IMAGES: dict[tuple[str, str | None], ImageDefaults] = {
    ("argoproj/argosay", "v2"): ImageDefaults(entrypoint=("/argosay",)),
    ("argoproj/argosay", "v1"): ImageDefaults(cmd=("cowsay",)),
    ("busybox", None): ImageDefaults(cmd=("sh",)),
    ("alpine", None): ImageDefaults(cmd=("/bin/sh",)),
    ("python", None): ImageDefaults(cmd=("python3",)),
}

SHIMS_IN_PACKAGE = Path(__file__).with_name("shims")
SHIM_ALIASES = {
    "argosay": "argosay",
    "/argosay": "argosay",
    "cowsay": "cowsay",
    "/usr/games/cowsay": "cowsay",
}
PYTHON_ALIASES = frozenset({"python", "python3", "/usr/local/bin/python", "/usr/local/bin/python3"})


class CannotRun(ValueError):
    """A step kawa cannot launch as given; the message says why (the node is an Error)."""


class UnknownImage(CannotRun):
    """A container without ``command`` whose image kawa has no default for."""


def split_image(image: str) -> tuple[str, str]:
    """``docker.io/library/busybox:1.36`` -> (``busybox``, ``1.36``)."""
    name = image.split("@", 1)[0]
    repo, _, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "")
    for prefix in ("docker.io/", "index.docker.io/", "library/"):
        if repo.startswith(prefix):
            repo = repo[len(prefix) :]
    return repo, tag or "latest"


def defaults_for(image: str) -> ImageDefaults | None:
    repo, tag = split_image(image)
    return IMAGES.get((repo, tag)) or IMAGES.get((repo, None))


def command_line(container: Container) -> list[str]:
    """The argv Kubernetes would run for ``container`` (before aliases)."""
    if container.command:
        return [*container.command, *container.args]
    defaults = defaults_for(container.image)
    if defaults is None:
        known = ", ".join(sorted({repo for repo, _ in IMAGES}))
        raise UnknownImage(
            f"container {container.name!r} has no command, and kawa does not know what "
            f"image {container.image!r} runs by default (it knows {known}); "
            "give the container a command"
        )
    if defaults.entrypoint:
        return [*defaults.entrypoint, *container.args]
    return list(container.args) or list(defaults.cmd)


def resolve(argv: list[str], shims: Path) -> list[str]:
    """Replace a well-known command by the host program that stands in for it."""
    head = argv[0]
    if head in SHIM_ALIASES:
        return [str(shims / SHIM_ALIASES[head]), *argv[1:]]
    if head in PYTHON_ALIASES:
        return [sys.executable, *argv[1:]]
    return argv


def install_shims(home: Path) -> Path:
    """Write ``$KAWA_HOME/shims`` (argosay, cowsay, python, python3); return its path.

    Copies rather than links, so the directory works wherever the package lives; the
    python wrappers exec this very interpreter, so a step's ``python`` sees the same
    virtual environment as kawa.
    """
    shims = home / "shims"
    shims.mkdir(parents=True, exist_ok=True)
    files = {name: (SHIMS_IN_PACKAGE / name).read_text() for name in ("argosay", "cowsay")}
    wrapper = f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n'
    files.update(python=wrapper, python3=wrapper)
    for name, text in files.items():
        target = shims / name
        if target.exists() and target.read_text() == text:
            continue
        tmp = shims / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(text)
        tmp.chmod(0o755)
        tmp.replace(target)
    return shims
