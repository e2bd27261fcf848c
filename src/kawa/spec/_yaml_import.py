"""PyYAML, imported with its regular expressions compiled when first used.

Importing PyYAML compiles some 20 regular expressions: its pure-Python reader's
``NON_PRINTABLE`` (a character class over most of Unicode, ~4 ms alone), its implicit
resolvers' and its timestamp constructor's.  kawa reads YAML with libyaml's parser and
resolves scalars itself (``_scalars``), so ``kawa run`` never uses them, and they were
~6 ms of every start.  :func:`import_yaml` imports PyYAML with ``re.compile`` giving a
:class:`_Deferred` pattern instead, which compiles on first use: whatever of PyYAML
does use one (``yaml.safe_load``, the pure-Python parser) works as before.

``re.compile`` is swapped only while this process has one thread, for the import alone.
"""

from __future__ import annotations

import re
import sys
from types import ModuleType
from typing import Any

_compile = re.compile


class _Deferred:
    """A compiled pattern to be: ``re.compile(*args)``, made at the first attribute asked."""

    __slots__ = ("_args", "_pattern")

    def __init__(self, *args: Any) -> None:
        self._args = args
        self._pattern: re.Pattern[Any] | None = None

    def __getattr__(self, name: str) -> Any:
        pattern = self._pattern
        if pattern is None:
            pattern = self._pattern = _compile(*self._args)
        return getattr(pattern, name)


def import_yaml() -> ModuleType:
    """``import yaml``, deferring the patterns it compiles at import (see the module doc)."""
    loaded = sys.modules.get("yaml")
    if loaded is not None:
        return loaded
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        import yaml  # another thread may be compiling patterns meanwhile: no swap

        return yaml
    setattr(re, "compile", _Deferred)  # noqa: B010 - mypy refuses a plain assignment
    try:
        import yaml
    finally:
        setattr(re, "compile", _compile)  # noqa: B010
    return yaml
