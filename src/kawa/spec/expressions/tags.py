"""Argo's template tags: ``{{ name }}`` (simple) and ``{{= expr }}`` (expression).

Reproduces ``util/template`` (which scans with ``valyala/fasttemplate``):

* a tag opens at ``{{`` and closes at the *first* ``}}`` after it, so ``{{a{{b}}`` is one
  tag whose text is ``a{{b``; braces are not balanced;
* a tag is an expression tag only when ``=`` follows ``{{`` immediately (``{{= x }}`` and
  ``{{=x}}``); ``{{ = x }}`` is a simple tag named ``= x``, as in Argo;
* a simple tag's name is its text with surrounding whitespace removed (Go's
  ``strings.TrimSpace``), so ``{{ item.name }}`` names ``item.name``.

Where kawa differs: an opening ``{{`` with no ``}}`` after it is plain text here.  Argo's
``template.Replace`` rejects the whole string ("Cannot find end tag"); callers that want
that strictness can check ``has_unclosed_tag``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from kawa.spec.expressions import govalues
from kawa.spec.frozen import frozen

TagKind = Literal["simple", "expression"]

OPEN = "{{"
CLOSE = "}}"


@frozen
class Tag:
    """One ``{{...}}`` occurrence in a string."""

    kind: TagKind
    #: the name (simple) or the expression source (expression), whitespace-stripped
    inner: str
    #: offset of ``{{`` in the text
    start: int
    #: offset just after ``}}``
    end: int
    #: the text between the braces, untouched (what Argo's tag function receives)
    raw: str

    @property
    def text(self) -> str:
        """Alias of ``inner``."""
        return self.inner


def find_tags(text: str) -> list[Tag]:
    """Every tag in ``text``, left to right."""
    tags: list[Tag] = []
    pos = 0
    while True:
        start = text.find(OPEN, pos)
        if start < 0:
            return tags
        close = text.find(CLOSE, start + len(OPEN))
        if close < 0:
            return tags
        raw = text[start + len(OPEN) : close]
        tags.append(_make_tag(raw, start, close + len(CLOSE)))
        pos = close + len(CLOSE)


def _make_tag(raw: str, start: int, end: int) -> Tag:
    if raw.startswith("="):
        return Tag("expression", govalues.trim_space(raw[1:]), start, end, raw)
    return Tag("simple", govalues.trim_space(raw), start, end, raw)


def has_unclosed_tag(text: str) -> bool:
    """True if some ``{{`` has no ``}}`` after it (Argo rejects such a template)."""
    pos = 0
    while (start := text.find(OPEN, pos)) >= 0:
        close = text.find(CLOSE, start + len(OPEN))
        if close < 0:
            return True
        pos = close + len(CLOSE)
    return False


Resolver = Callable[[str], "str | None"]


def render(text: str, resolve_simple: Resolver, resolve_expression: Resolver) -> str:
    """Replace each tag by what its resolver returns; ``None`` leaves the tag as written.

    ``resolve_simple`` receives the tag's name, ``resolve_expression`` the expression
    source.  Resolvers may raise ``ExpressionError``; it propagates unchanged.
    """
    tags = find_tags(text)
    if not tags:
        return text
    out: list[str] = []
    pos = 0
    for tag in tags:
        out.append(text[pos : tag.start])
        resolver = resolve_expression if tag.kind == "expression" else resolve_simple
        value = resolver(tag.inner)
        out.append(text[tag.start : tag.end] if value is None else value)
        pos = tag.end
    out.append(text[pos:])
    return "".join(out)
