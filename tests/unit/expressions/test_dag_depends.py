"""DAG ``depends`` and ``dependencies``: which tasks, what they mean, when they are decided."""

from __future__ import annotations

import pytest

from kawa.spec.errors import ExpressionError
from kawa.spec.expressions.depends import (
    ContinueOn,
    TaskOutcome,
    Verdict,
    dependencies_to_depends,
    parse_depends,
)


def outcomes(**phases: str | TaskOutcome) -> dict[str, TaskOutcome]:
    return {
        name.replace("_", "-"): p if isinstance(p, TaskOutcome) else TaskOutcome(p)
        for name, p in phases.items()
    }


def holds(source: str, **phases: str | TaskOutcome) -> bool:
    return parse_depends(source).evaluate(outcomes(**phases).__getitem__)


def test_tasks_lists_every_named_task_including_hyphenated_names() -> None:
    expr = parse_depends("should-execute-2.Succeeded || should-not-execute")
    assert expr.tasks == {"should-execute-2", "should-not-execute"}


@pytest.mark.parametrize("phase", ["Succeeded", "Skipped"])
def test_bare_name_accepts_success_or_skip(phase: str) -> None:
    assert holds("A", A=phase)


@pytest.mark.parametrize("phase", ["Failed", "Error", "Omitted"])
def test_bare_name_rejects_failure_error_and_omission(phase: str) -> None:
    assert not holds("A", A=phase)


def test_bare_name_accepts_a_running_daemon() -> None:
    assert holds("A", A=TaskOutcome("Running", daemoned=True))
    assert not holds("A", A=TaskOutcome("Pending", daemoned=True))


def test_bare_name_honours_the_dependency_continue_on() -> None:
    failed = parse_depends("A", {"A": ContinueOn(failed=True)})
    assert failed.evaluate(outcomes(A="Failed").__getitem__)
    assert not failed.evaluate(outcomes(A="Error").__getitem__)
    errored = parse_depends("A", lambda _task: ContinueOn(error=True))
    assert errored.evaluate(outcomes(A="Error").__getitem__)


@pytest.mark.parametrize(
    ("result", "phase"),
    [
        ("Succeeded", "Succeeded"),
        ("Failed", "Failed"),
        ("Errored", "Error"),
        ("Skipped", "Skipped"),
        ("Omitted", "Omitted"),
    ],
)
def test_each_result_matches_its_phase_only(result: str, phase: str) -> None:
    for other in ("Succeeded", "Failed", "Error", "Skipped", "Omitted"):
        assert holds(f"A.{result}", A=other) == (other == phase)


def test_any_succeeded_and_all_failed_look_at_task_group_children() -> None:
    group = TaskOutcome("Failed", children=("Failed", "Succeeded"))
    assert holds("A.AnySucceeded", A=group)
    assert not holds("A.AllFailed", A=group)
    all_failed = TaskOutcome("Failed", children=("Failed", "Failed"))
    assert holds("A.AllFailed", A=all_failed)
    assert not holds("A.AllFailed", A=TaskOutcome("Failed", children=()))
    assert not holds("A.AnySucceeded", A="Succeeded")  # not a TaskGroup


def test_item_tasks_are_those_referenced_with_group_results() -> None:
    expr = parse_depends("A.AnySucceeded || B.AllFailed || C")
    assert expr.item_tasks == {"A", "B"}


def test_boolean_operators_and_parentheses() -> None:
    source = "(task-2.Succeeded || task-2.Skipped) && !task-3.Failed"
    assert holds(source, task_2="Skipped", task_3="Succeeded")
    assert not holds(source, task_2="Skipped", task_3="Failed")
    assert holds("A && B || C", A="Failed", B="Succeeded", C="Succeeded")
    assert not holds("A && (B || C)", A="Failed", B="Succeeded", C="Succeeded")


def test_task_names_may_start_with_a_digit() -> None:
    assert holds("1st-step.Succeeded", **{"1st-step": "Succeeded"})


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("A.Finished", "task result 'Finished' for task 'A' is invalid"),
        ("A &&", "unexpected end"),
        ("(A", "expected '\\)'"),
        ("A == B", "unexpected character '='"),
        ("A.succeeded", "unexpected character '.'"),
        ("A B", "unexpected 'operand'"),
    ],
)
def test_bad_depends_is_an_expression_error(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        parse_depends(source)


def test_empty_depends_names_nothing_and_holds() -> None:
    expr = parse_depends("")
    assert expr.tasks == frozenset()
    assert expr.evaluate(lambda _t: TaskOutcome("Failed"))
    assert expr.decide(lambda _t: None) is Verdict.RUN


def test_decide_waits_until_every_named_task_is_fulfilled() -> None:
    expr = parse_depends("A || B")
    known = outcomes(A="Succeeded", B="Running")
    assert expr.decide(known.get) is Verdict.WAIT  # even though A already makes it true
    assert expr.decide(outcomes(A="Succeeded").get) is Verdict.WAIT  # B has no node yet


def test_decide_runs_or_omits_once_everything_is_fulfilled() -> None:
    expr = parse_depends("A.Succeeded && B")
    assert expr.decide(outcomes(A="Succeeded", B="Skipped").get) is Verdict.RUN
    assert expr.decide(outcomes(A="Failed", B="Succeeded").get) is Verdict.OMIT


def test_decide_waits_for_collected_outputs_and_finished_hooks() -> None:
    expr = parse_depends("A")
    assert expr.decide(outcomes(A=TaskOutcome("Succeeded", result_synced=False)).get) is (
        Verdict.WAIT
    )
    assert expr.decide(outcomes(A=TaskOutcome("Succeeded", hooks_fulfilled=False)).get) is (
        Verdict.WAIT
    )


def test_a_running_daemon_counts_as_fulfilled() -> None:
    expr = parse_depends("A")
    assert expr.decide(outcomes(A=TaskOutcome("Running", daemoned=True)).get) is Verdict.RUN


def test_could_become_true_looks_ahead_without_deciding() -> None:
    expr = parse_depends("A.Succeeded && B")
    assert not expr.could_become_true(outcomes(A="Failed").get)
    assert expr.could_become_true(outcomes(A="Succeeded").get)
    assert parse_depends("A || B").could_become_true(outcomes(A="Failed").get)


def test_dependencies_list_converts_to_anded_expansions() -> None:
    assert dependencies_to_depends(["A", "B"]) == (
        "(A.Succeeded || A.Skipped || A.Daemoned) && (B.Succeeded || B.Skipped || B.Daemoned)"
    )
    assert dependencies_to_depends(["A"], {"A": ContinueOn(failed=True, error=True)}) == (
        "(A.Succeeded || A.Skipped || A.Daemoned || A.Errored || A.Failed)"
    )
    assert dependencies_to_depends([]) == ""


def test_expanded_text_matches_argos_resolved_depends() -> None:
    expr = parse_depends("task || task-2.Failed")
    assert expr.expanded() == ("(task.Succeeded || task.Skipped || task.Daemoned) || task-2.Failed")
    assert parse_depends(expr.expanded()).tasks == expr.tasks


def test_dependencies_expansion_parses_back_to_the_same_meaning() -> None:
    text = dependencies_to_depends(["A", "B"])
    expr = parse_depends(text)
    assert expr.evaluate(outcomes(A="Succeeded", B="Skipped").__getitem__)
    assert not expr.evaluate(outcomes(A="Succeeded", B="Failed").__getitem__)
