"""Warn where a parameter is spliced, unquoted, into shell code.

Argo substitutes ``{{inputs.parameters.x}}`` as text before the step runs, so in
``args: ["echo {{inputs.parameters.x}}"]`` run by ``sh -c`` a value such as ``a; rm -rf ~``
becomes two commands.  kawa keeps that substitution for compatibility (it never splices a
value into a shell itself) and ``kawa lint`` warns, with severity "warning", where an
``inputs.parameters``/``workflow.parameters`` tag lands outside quotes in shell code:

* the argument after ``-c`` (or ``-ec``, ``-xc``, ...) when the command is ``sh``, ``bash``,
  ``dash``, ``ash``, ``ksh`` or ``zsh`` (any path), in a container, container set,
  init container or sidecar;
* the ``source`` of a script template whose ``command`` is such a shell.

Quotes reduce the damage but do not remove it (``"$(...)"`` still runs inside double
quotes), so the warning suggests passing the value in an environment variable.  Tags in
``#`` comments are ignored; here-documents are read as unquoted text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from kawa.spec import _expressions
from kawa.spec._lint_context import Context, Site, as_dict, as_list, as_str
from kawa.spec.loading import Path

_SHELLS = frozenset(("sh", "bash", "dash", "ash", "ksh", "zsh", "busybox"))
_COMMAND_FLAG = re.compile(r"-[a-zA-Z]*c[a-zA-Z]*\Z")
_PARAMETERS = ("inputs.parameters.", "workflow.parameters.")
_WORD_BREAK = frozenset(" \t\n;&|()<>")


def check(ctx: Context) -> None:
    """Warn for every unquoted parameter in shell code of the document's templates."""
    for site in ctx.all_templates():
        for text, path in shell_code(site):
            for name in unquoted_parameters(text):
                message = (
                    f"{{{{{name}}}}} is substituted unquoted into shell code: a value with "
                    "spaces or ; $ ` | changes the command. Quote it, or better pass it "
                    "in an environment variable"
                )
                ctx.warn(path, message)


def shell_code(site: Site) -> Iterator[tuple[str, Path]]:
    """The pieces of shell code a template runs, with their paths."""
    body, path = site.body, site.path
    script = as_dict(body.get("script"))
    if script and _is_shell(as_list(script.get("command"))):
        source = script.get("source")
        if isinstance(source, str):
            yield source, (*path, "script", "source")
    for container, where in _containers(body, path):
        yield from _dash_c(container, where)


def _containers(body: dict[str, Any], path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    container = body.get("container")
    if isinstance(container, dict):
        yield container, (*path, "container")
    containers = as_dict(body.get("containerSet")).get("containers")
    for key, items in (
        ("containerSet", containers),
        ("initContainers", body.get("initContainers")),
    ):
        base = (*path, "containerSet", "containers") if key == "containerSet" else (*path, key)
        for index, item in enumerate(as_list(items)):
            if isinstance(item, dict):
                yield item, (*base, index)
    for index, item in enumerate(as_list(body.get("sidecars"))):
        if isinstance(item, dict):
            yield item, (*path, "sidecars", index)


def _dash_c(container: dict[str, Any], path: Path) -> Iterator[tuple[str, Path]]:
    """The script after ``sh -c`` in command + args, if the container runs a shell."""
    argv: list[tuple[Any, Path]] = []
    for key in ("command", "args"):
        argv += [
            (value, (*path, key, index)) for index, value in enumerate(as_list(container.get(key)))
        ]
    if not argv or not _is_shell([value for value, _ in argv[:2]]):
        return
    for (flag, _), (code, where) in itertools.pairwise(argv):
        if isinstance(flag, str) and _COMMAND_FLAG.match(flag) and isinstance(code, str):
            yield code, where
            return


def _is_shell(command: list[Any]) -> bool:
    if not command or not isinstance(command[0], str):
        return False
    program = command[0].rsplit("/", 1)[-1]
    if program == "busybox":
        return len(command) > 1 and as_str(command[1]) in _SHELLS
    return program in _SHELLS


def unquoted_parameters(text: str) -> list[str]:
    """Names of parameter tags in ``text`` that sit outside any shell quotes or comments."""
    tags = [
        tag
        for tag in _expressions.find_tags(text)
        if tag.kind == "simple" and tag.inner.startswith(_PARAMETERS)
    ]
    if not tags:
        return []
    found: list[str] = []
    state = "plain"
    position = 0
    for tag in tags:
        state = _scan(text, position, tag.start, state)
        if state == "plain":
            found.append(tag.inner)
        position = tag.end
    return found


def _scan(text: str, start: int, stop: int, state: str) -> str:
    """The quoting state after reading ``text[start:stop]`` from ``state``."""
    index = start
    while index < stop:
        char = text[index]
        if state == "comment":
            state = "plain" if char == "\n" else state
        elif state == "single":
            state = "plain" if char == "'" else state
        elif char == "\\":
            index += 1
        elif state == "double":
            state = "plain" if char == '"' else state
        elif char == "'":
            state = "single"
        elif char == '"':
            state = "double"
        elif char == "#" and (index == 0 or text[index - 1] in _WORD_BREAK):
            state = "comment"
        index += 1
    return state
