"""Property: whatever is wrong with a document, loading and lint fail only with SpecError.

Corpus workflows are mutated (a key deleted or renamed, a value replaced by one of another
type, garbage inserted into the YAML text, the text truncated); ``load_text`` must return
documents or raise ``SpecError``, and ``lint`` must return a list of issues, never raise.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kawa.spec import lint, loading
from kawa.spec.errors import SpecError, SpecIssue

from .conftest import corpus_files, needs_corpus

TEXTS = [path.read_text(encoding="utf-8") for path in corpus_files()]
pytestmark = needs_corpus

SCALARS = [None, 0, -1, 2**70, 1.5, True, "", "x", "{{", "{{inputs.parameters.zz}}", "a && ("]
ODD_VALUES: st.SearchStrategy[Any] = st.sampled_from(
    [*SCALARS, "{{= 1 +}}", "@every", [], {}, [1, "a"], {"a": {"b": []}}, [[{"name": 1}]]]
)
GARBAGE = st.lists(
    st.sampled_from([*":-[]{}&*!|>'\"#%@`,?\t\n \\x=.0~\x07", "{{", "}}", "<<", "---"]),
    max_size=8,
).map("".join)


def check(text: str) -> None:
    """The property: SpecError or documents; lint returns issues for each document."""
    try:
        documents = loading.load_text(text, file="mutant.yaml")
    except SpecError as error:
        assert error.issues
        assert all(issue.line >= 1 and issue.column >= 1 for issue in error.issues)
        return
    issues = lint.lint_all(documents)
    assert isinstance(issues, list)
    assert all(isinstance(issue, SpecIssue) and issue.line >= 1 for issue in issues)
    for document in documents:
        assert isinstance(lint.lint(document), list)


def _containers(tree: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = []
    if isinstance(tree, dict | list) and tree:
        found.append(path)
        children = tree.items() if isinstance(tree, dict) else enumerate(tree)
        for key, child in children:
            found.extend(_containers(child, (*path, key)))
    return found


def _at(tree: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        tree = tree[key]
    return tree


@st.composite
def mutated_trees(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    index = draw(st.integers(0, len(documents) - 1))
    tree = json.loads(json.dumps(documents[index], default=str))
    for _ in range(draw(st.integers(1, 3))):
        places = _containers(tree)
        if not places:
            break
        container = _at(tree, draw(st.sampled_from(places)))
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        key = draw(st.sampled_from(keys))
        action = draw(st.sampled_from(["delete", "rename", "replace"]))
        if action == "delete":
            del container[key]
        elif action == "rename" and isinstance(container, dict):
            container[key + draw(st.sampled_from(["s", "x", ""]))[:-1] + "_"] = container.pop(key)
        else:
            container[key] = json.loads(json.dumps(draw(ODD_VALUES)))  # a fresh copy
    documents[index] = tree
    if draw(st.booleans()):
        return json.dumps(tree)
    return yaml.safe_dump_all(documents, sort_keys=False)


@st.composite
def mutated_texts(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        insert = draw(GARBAGE) if draw(st.booleans()) else None
        text = text[:at] + insert + text[at:] if insert is not None else text[:at]
    return text


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(mutated_trees())
def test_mutated_documents_give_spec_errors_or_issues_never_crashes(text: str) -> None:
    check(text)


@FAST
@given(mutated_texts())
def test_garbled_or_truncated_yaml_gives_spec_errors_or_issues_never_crashes(text: str) -> None:
    check(text)


@FAST
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=40))
def test_arbitrary_text_gives_spec_errors_or_documents(text: str) -> None:
    check(text)
