"""What Argo adds around expr-lang: the environment shape and the extra functions.

Reproduces ``util/expr/env.GetFuncMap`` and the result formatting of
``util/template/expression_template.go``:

* Argo's scope is a flat map with dotted keys (``inputs.parameters.x``,
  ``steps.flip-coin.outputs.result``); ``nest`` turns it into nested maps the way Argo's
  ``expand.Expand`` (``removeConflicts`` + ``bellows.Expand``) does: split every key on
  ``.``, and when a key is also the prefix of a longer key (``{"a": 1, "a.b": 2}``) drop the
  shorter one, so the longer, more specific key wins.
* ``asInt``/``asFloat`` are expr's ``int``/``float``; ``jsonpath(json, path)`` decodes a
  JSON string and queries it; ``toJson`` is compact ``json.Marshal``; ``sprig`` is the sprig
  function map.
* ``format_result`` is how a ``{{= }}`` result becomes text: a string as is, anything else
  as compact JSON (Go's encoding, ``<`` written ``\\u003c``).

Where kawa differs: Argo's conflict removal only compares neighbouring keys in sorted
order, so ``{"a": 1, "a-x": 2, "a.b": 3}`` keeps ``a`` and then picks a winner at random;
kawa always lets ``a.b`` win.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions import functions, govalues, jsonpath, sprig
from kawa.spec.expressions import runtime as rt


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Turn dotted keys into nested maps, as Argo builds the ``{{= }}`` environment."""
    prefixes: set[str] = set()
    for key in flat:
        start = key.find(".")
        while start >= 0:
            prefixes.add(key[:start])
            start = key.find(".", start + 1)
    result: dict[str, Any] = {}
    for key, value in flat.items():
        if key in prefixes:
            continue
        *parents, leaf = key.split(".")
        target = result
        for part in parents:
            child = target.get(part)
            if not isinstance(child, dict):
                child = target[part] = {}
            target = child
        target[leaf] = value
    return result


def _one(name: str, fn: Any) -> Any:
    def call(*args: Any) -> Any:
        if len(args) != 1:
            raise rt.Fault(f"invalid number of arguments: expected 1, got {len(args)}")
        return fn(args[0])

    call.__name__ = name
    return call


def json_path(*args: Any) -> Any:
    """Argo's ``jsonpath(jsonString, path)``."""
    if len(args) != 2:
        raise rt.Fault(f"invalid number of arguments: expected 2, got {len(args)}")
    document, path = ("" if a is None else a for a in args)
    if not isinstance(document, str) or not isinstance(path, str):
        bad = document if not isinstance(document, str) else path
        raise rt.Fault(f"reflect: Call using {govalues.type_name(bad)} as type string")
    try:
        data = govalues.unmarshal(document)
    except govalues.GoValueError as err:
        raise rt.Fault(str(err)) from None
    return jsonpath.query(data, path)


def to_json(value: Any) -> str:
    """Argo's ``toJson``: compact ``json.Marshal``."""
    try:
        return govalues.marshal(value)
    except govalues.GoValueError as err:
        raise rt.Fault(str(err)) from None


#: Names Argo adds to every expression environment (they shadow same-named variables).
EXTRAS: dict[str, Any] = {
    "asInt": _one("asInt", functions.to_int),
    "asFloat": _one("asFloat", functions.to_float),
    "jsonpath": json_path,
    "toJson": _one("toJson", to_json),
    "sprig": sprig.SPRIG,
}


def format_result(value: Any, source: str = "") -> str:
    """The text a ``{{= expr }}`` tag is replaced by, for a value the expression gave.

    Argo refuses a nil result (it leaves the tag or fails, depending on context); here
    that is an ``ExpressionError``, and the caller decides.
    """
    if value is None:
        raise ExpressionError("expression evaluated to nil", source, None)
    if isinstance(value, str):
        return value
    try:
        return govalues.marshal(value)
    except govalues.GoValueError as err:
        raise ExpressionError(f"failed to marshal evaluated expression: {err}", source) from None
