"""Argo's DAG ``depends`` ("enhanced depends logic") and ``dependencies``.

Reproduces ``workflow/common/ancestry.go`` and ``evaluateDependsLogic`` in
``workflow/controller/dag.go``:

* an operand is ``task`` or ``task.Result``; a task name is letters, digits and ``-``
  (Argo finds them with the pattern ``[a-zA-Z0-9][-a-zA-Z0-9]*``, so *every* word is a task
  name, ``true`` and ``and`` included); results are ``Succeeded``, ``Failed``, ``Errored``,
  ``Skipped``, ``Omitted``, ``Daemoned`` and, for a task with ``withItems``/``withParam``
  (a TaskGroup), ``AnySucceeded`` and ``AllFailed``;
* a bare ``task`` means ``(task.Succeeded || task.Skipped || task.Daemoned)``, plus
  ``|| task.Errored`` if that task has ``continueOn.error`` and ``|| task.Failed`` if it
  has ``continueOn.failed``; ``dependencies: [A, B]`` is the same expansion joined by ``&&``;
* operators are ``&&``, ``||``, ``!`` and parentheses;
* **when it is decided**: only once *every* task the expression names has a node that is
  fulfilled (Succeeded, Failed, Error with its outputs collected, Skipped, Omitted, or a
  daemon past Pending) and whose lifecycle hooks have finished.  Until then the task
  waits, even if the answer is already certain (``A || B`` waits for B after A succeeded).
  Then true means run, false means the task is Omitted.  ``decide`` implements exactly
  that; ``could_become_true`` is a three-valued look-ahead for diagnostics only.
* ``Daemoned`` is true for a daemoned node that is not Pending; ``AnySucceeded`` is true
  when a child of the TaskGroup Succeeded; ``AllFailed`` when it has children and all
  Failed.  For a task that is not a TaskGroup both are false.

Where kawa differs: Argo evaluates the expanded text with expr-lang after replacing ``-``
by ``_``, which breaks on task names that start with a digit (``1st-step``); kawa handles
them.  Argo would also accept other expr-lang operators (``==``) between operands; kawa
rejects anything but ``&& || ! ( )``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field

from kawa.spec.errors import ExpressionError
from kawa.spec.frozen import frozen

RESULTS = (
    "Succeeded",
    "Failed",
    "Errored",
    "Skipped",
    "Omitted",
    "Daemoned",
    "AnySucceeded",
    "AllFailed",
)
_OPERAND = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)|([a-zA-Z0-9][-a-zA-Z0-9]*)")


@frozen
class ContinueOn:
    """A DAG task's ``continueOn``: which failures still count as "done" for a bare name."""

    failed: bool = False
    error: bool = False


@frozen
class TaskOutcome:
    """What a dependent task needs to know about one task's node."""

    #: the node's phase: Pending, Running, Succeeded, Failed, Error, Skipped, Omitted
    phase: str
    daemoned: bool = False
    #: for a TaskGroup (a loop task), the phases of its children; None otherwise
    children: tuple[str, ...] | None = None
    #: Argo's ``taskResultSynced``: the step's outputs have been collected
    result_synced: bool = True
    #: every lifecycle-hook child of the node has finished
    hooks_fulfilled: bool = True

    @property
    def fulfilled(self) -> bool:
        """Argo's ``NodeStatus.Fulfilled()`` together with ``CheckAllHooksFullfilled``."""
        completed = self.phase in ("Succeeded", "Failed", "Error")
        done = ((completed and self.result_synced) or self.phase in ("Skipped", "Omitted")) and (
            self.result_synced
        )
        return (done or (self.daemoned and self.phase != "Pending")) and self.hooks_fulfilled

    def result(self, name: str) -> bool:
        """The value of ``task.<name>``."""
        if name == "Errored":
            return self.phase == "Error"
        if name == "Daemoned":
            return self.daemoned and self.phase != "Pending"
        if name == "AnySucceeded":
            return self.children is not None and "Succeeded" in self.children
        if name == "AllFailed":
            kids = self.children
            return bool(kids) and all(p == "Failed" for p in kids or ())
        return self.phase == name


class Verdict(enum.Enum):
    """What a task's ``depends`` says now."""

    WAIT = "wait"  # some referenced task is not fulfilled yet
    RUN = "run"
    OMIT = "omit"  # decided false: the task becomes Omitted


# -- syntax tree ------------------------------------------------------------------------


@frozen
class _Operand:
    task: str
    result: str | None  # None: a bare name


@frozen
class _Not:
    operand: _Node


@frozen
class _Op:
    op: str  # "&&" or "||"
    left: _Node
    right: _Node


_Node = _Operand | _Not | _Op


def _tokens(source: str) -> list[tuple[str, object, int]]:
    out: list[tuple[str, object, int]] = []
    pos = 0
    while pos < len(source):
        ch = source[pos]
        if ch.isspace():
            pos += 1
            continue
        match = _OPERAND.match(source, pos)
        if match:
            task, _, result = match.group(0).partition(".")
            if result and result not in RESULTS:
                raise ExpressionError(
                    f"task result '{result}' for task '{task}' is invalid", source, pos
                )
            out.append(("operand", _Operand(task, result or None), pos))
            pos = match.end()
        elif source.startswith(("&&", "||"), pos):
            out.append((source[pos : pos + 2], None, pos))
            pos += 2
        elif ch in "!()":
            out.append((ch, None, pos))
            pos += 1
        else:
            raise ExpressionError(f"unexpected character {ch!r} in depends", source, pos)
    return out


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokens(source)
        self.i = 0

    def peek(self) -> str:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else "end"

    def fail(self, message: str) -> ExpressionError:
        pos = self.tokens[self.i][2] if self.i < len(self.tokens) else len(self.source)
        return ExpressionError(message, self.source, pos)

    def binary(self, op: str, operand: Callable[[], _Node]) -> _Node:
        left = operand()
        while self.peek() == op:
            self.i += 1
            left = _Op(op, left, operand())
        return left

    def either(self) -> _Node:
        return self.binary("||", self.both)

    def both(self) -> _Node:
        return self.binary("&&", self.unary)

    def unary(self) -> _Node:
        kind = self.peek()
        if kind == "!":
            self.i += 1
            return _Not(self.unary())
        if kind == "(":
            self.i += 1
            inner = self.either()
            if self.peek() != ")":
                raise self.fail("expected ')'")
            self.i += 1
            return inner
        if kind == "operand":
            node = self.tokens[self.i][1]
            self.i += 1
            assert isinstance(node, _Operand)
            return node
        raise self.fail("unexpected end of depends" if kind == "end" else f"unexpected {kind!r}")

    def parse(self) -> _Node:
        tree = self.either()
        if self.peek() != "end":
            raise self.fail(f"unexpected {self.peek()!r}")
        return tree


def _operands(node: _Node) -> list[_Operand]:
    if isinstance(node, _Operand):
        return [node]
    if isinstance(node, _Not):
        return _operands(node.operand)
    return _operands(node.left) + _operands(node.right)


# -- public API -------------------------------------------------------------------------

ContinueOnLookup = Mapping[str, ContinueOn] | Callable[[str], ContinueOn | None] | None


@frozen
class DependsExpr:
    """A parsed ``depends`` expression."""

    source: str
    tree: _Node | None
    continue_on: Mapping[str, ContinueOn] = field(default_factory=dict)

    @property
    def tasks(self) -> frozenset[str]:
        """Every task the expression names (all must be fulfilled before it is decided)."""
        return frozenset(o.task for o in self._operands())

    @property
    def item_tasks(self) -> frozenset[str]:
        """Tasks referenced with ``.AnySucceeded``/``.AllFailed`` (Argo: item dependencies)."""
        return frozenset(
            o.task for o in self._operands() if o.result in ("AnySucceeded", "AllFailed")
        )

    def _operands(self) -> list[_Operand]:
        return [] if self.tree is None else _operands(self.tree)

    def bare_results(self, task: str) -> tuple[str, ...]:
        """The results a bare ``task`` stands for, given its ``continueOn``."""
        cont = self.continue_on.get(task, ContinueOn())
        extra = (("Errored",) if cont.error else ()) + (("Failed",) if cont.failed else ())
        return ("Succeeded", "Skipped", "Daemoned", *extra)

    def evaluate(self, result_of: Callable[[str], TaskOutcome]) -> bool:
        """The expression's value, from each named task's outcome (no fulfilment check)."""
        if self.tree is None:
            return True
        return self._eval(self.tree, result_of)

    def _eval(self, node: _Node, result_of: Callable[[str], TaskOutcome]) -> bool:
        if isinstance(node, _Operand):
            outcome = result_of(node.task)
            names = (node.result,) if node.result else self.bare_results(node.task)
            return any(outcome.result(name) for name in names)
        if isinstance(node, _Not):
            return not self._eval(node.operand, result_of)
        left = self._eval(node.left, result_of)
        if left == (node.op == "||"):
            return left
        return self._eval(node.right, result_of)

    def decide(self, outcome_of: Callable[[str], TaskOutcome | None]) -> Verdict:
        """Argo's rule: wait until every named task is fulfilled, then run or omit.

        ``outcome_of`` returns None for a task that has no node yet.
        """
        outcomes: dict[str, TaskOutcome] = {}
        for task in sorted(self.tasks):
            outcome = outcome_of(task)
            if outcome is None or not outcome.fulfilled:
                return Verdict.WAIT
            outcomes[task] = outcome
        return Verdict.RUN if self.evaluate(outcomes.__getitem__) else Verdict.OMIT

    def could_become_true(self, outcome_of: Callable[[str], TaskOutcome | None]) -> bool:
        """False when no future outcome of the unfulfilled tasks can make this true.

        A look-ahead for messages and lint; Argo does *not* omit early on it.
        """
        if self.tree is None:
            return True

        def value(node: _Node) -> bool | None:
            if isinstance(node, _Operand):
                outcome = outcome_of(node.task)
                if outcome is None or not outcome.fulfilled:
                    return None
                return self._eval(node, lambda _t: outcome)
            if isinstance(node, _Not):
                inner = value(node.operand)
                return None if inner is None else not inner
            a, b = value(node.left), value(node.right)
            if node.op == "&&":
                return False if a is False or b is False else None if None in (a, b) else True
            return True if a is True or b is True else None if None in (a, b) else False

        return value(self.tree) is not False

    def expanded(self) -> str:
        """The resolved text Argo works with: bare names replaced by their result list."""
        if self.tree is None:
            return ""
        return _render(self.tree, self, top=True)


def _render(node: _Node, expr: DependsExpr, top: bool = False) -> str:
    if isinstance(node, _Operand):
        if node.result:
            return f"{node.task}.{node.result}"
        return "(" + " || ".join(f"{node.task}.{r}" for r in expr.bare_results(node.task)) + ")"
    if isinstance(node, _Not):
        return "!" + _render(node.operand, expr)
    text = f"{_render(node.left, expr)} {node.op} {_render(node.right, expr)}"
    return text if top else f"({text})"


def _continue_on_map(tree: _Node | None, lookup: ContinueOnLookup) -> dict[str, ContinueOn]:
    if lookup is None or tree is None:
        return {}
    found: dict[str, ContinueOn] = {}
    for operand in _operands(tree):
        cont = lookup.get(operand.task) if isinstance(lookup, Mapping) else lookup(operand.task)
        if cont is not None:
            found[operand.task] = cont
    return found


def parse_depends(source: str, continue_on: ContinueOnLookup = None) -> DependsExpr:
    """Parse a ``depends`` string; ``continue_on`` gives each task's ``continueOn``.

    An empty (or blank) string depends on nothing and is always true.
    """
    tree = None if not source.strip() else _Parser(source).parse()
    return DependsExpr(source, tree, _continue_on_map(tree, continue_on))


def dependencies_to_depends(names: Sequence[str], continue_on: ContinueOnLookup = None) -> str:
    """Argo's conversion of ``dependencies: [A, B]`` to the equivalent ``depends`` text."""
    parts = []
    for name in names:
        expr = parse_depends(name, continue_on)
        parts.append(expr.expanded())
    return " && ".join(parts)
