"""Loading Argo documents: values as Kubernetes reads them, positions, clear errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from kawa.spec import _yaml_reader, loading
from kawa.spec.errors import NotFoundError, SpecError

from .conftest import HEADER, document

HELLO = HEADER + textwrap.dedent(
    """\
    kind: Workflow
    metadata:
      generateName: hello-
    spec:
      entrypoint: main
      templates:
        - name: main
          container:
            image: busybox
            args:
              - hello
              - "{{inputs.parameters.x}}"
    """
)


def error_of(text: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        loading.load_text(text, file="bad.yaml")
    return caught.value


def test_document_carries_kind_file_name_and_plain_values() -> None:
    (doc,) = loading.load_text(HELLO, file="hello.yaml")
    assert (doc.kind, doc.file, doc.name, doc.index) == ("Workflow", "hello.yaml", "hello-", 0)
    assert doc.raw["spec"]["templates"][0]["container"]["args"] == [
        "hello",
        "{{inputs.parameters.x}}",
    ]
    assert json.loads(json.dumps(doc.raw)) == doc.raw


def test_positions_of_nested_fields_point_at_their_keys_and_items() -> None:
    (doc,) = loading.load_text(HELLO)
    templates = ("spec", "templates")
    assert doc.position_of(("spec",)) == (5, 1)
    assert doc.position_of((*templates, 0)) == (8, 7)
    assert doc.position_of((*templates, 0, "container", "image")) == (10, 9)
    assert doc.position_of((*templates, 0, "container", "args", 1)) == (13, 13)


def test_position_of_a_missing_field_falls_back_to_its_nearest_ancestor() -> None:
    (doc,) = loading.load_text(HELLO)
    container = ("spec", "templates", 0, "container")
    assert doc.position_of((*container, "command", 0)) == doc.position_of(container)
    assert doc.positions.position_of(("nothing", "here")) == (1, 1)


def test_issue_names_the_field_in_argo_style() -> None:
    (doc,) = loading.load_text(HELLO, file="hello.yaml")
    issue = doc.issue(("spec", "templates", 0, "container", "args"), "boom")
    assert str(issue) == "hello.yaml:11:9: spec.templates[0].container.args: boom"
    assert loading.field_path(("metadata", "labels", "a.b/c")) == 'metadata.labels["a.b/c"]'


def test_multi_document_files_number_documents_and_skip_empty_ones() -> None:
    text = (
        "---\n# only a comment\n---\n"
        + HELLO
        + "---\n"
        + HELLO.replace("Workflow", "WorkflowTemplate")
    )
    docs = loading.load_text(text)
    assert [(doc.kind, doc.index) for doc in docs] == [("Workflow", 1), ("WorkflowTemplate", 2)]


def test_malformed_yaml_names_line_and_column() -> None:
    error = error_of(HEADER + "kind: Workflow\nspec:\n  templates: [a, b\n  entrypoint: x\n")
    (issue,) = error.issues
    assert (issue.file, issue.line, issue.column) == ("bad.yaml", 5, 13)
    assert issue.message.startswith("invalid YAML: while parsing a flow sequence")
    assert "bad.yaml:5:13: invalid YAML" in str(error)


def test_malformed_json_names_line_and_column() -> None:
    text = '{\n  "apiVersion": "argoproj.io/v1alpha1",\n  "kind": "Workflow"\n  "spec": {}\n}'
    (issue,) = error_of(text).issues
    assert (issue.line, issue.column) == (4, 3)
    assert issue.message == "invalid JSON: Expecting ',' delimiter"


def test_text_that_is_not_json_but_is_yaml_flow_style_loads_as_yaml() -> None:
    (doc,) = loading.load_text("{apiVersion: argoproj.io/v1alpha1, kind: Workflow, spec: {}}")
    assert doc.raw["spec"] == {}


def test_json_documents_load_with_positions() -> None:
    text = json.dumps(
        {"apiVersion": loading.API_VERSION, "kind": "Workflow", "spec": {"x": "\U0001f600"}},
        indent=2,
        ensure_ascii=True,
    )
    (doc,) = loading.load_text(text)
    assert doc.raw["spec"]["x"] == "\U0001f600"
    assert doc.position_of(("spec", "x")) == (5, 5)


def test_duplicate_mapping_keys_are_errors_like_strict_kubernetes_decoding() -> None:
    error = error_of(HELLO + "metadata:\n  name: again\n")
    (issue,) = error.issues
    assert issue.message == "duplicate key 'metadata' (first defined at line 3)"
    assert (issue.line, issue.field) == (14, "metadata")


def test_duplicate_keys_in_json_are_errors_too() -> None:
    error = error_of('{"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "kind": "x"}')
    assert "duplicate key 'kind'" in error.issues[0].message


def test_yaml_1_1_scalars_resolve_as_go_yaml_v2_does() -> None:
    doc = document(
        """\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        spec:
          values: [yes, on, y, N, off, 0x1F, 017, 0o17, 1_000, 1e3, .5, 08, 1:30, 2024-01-01, ~]
          quoted: ["yes", '1', !!str 2]
          on: true
        """
    )
    assert doc.raw["spec"]["values"] == [
        True,
        True,
        True,
        False,
        False,
        31,
        15,
        15,
        1000,
        1000.0,
        0.5,
        8.0,
        "1:30",
        "2024-01-01",
        None,
    ]
    assert doc.raw["spec"]["quoted"] == ["yes", "1", "2"]
    assert doc.raw["spec"]["true"] is True  # `on:` is the key "true", as in Kubernetes


def test_infinity_and_nan_are_rejected_because_json_cannot_carry_them() -> None:
    error = error_of(HEADER + "kind: Workflow\nspec:\n  x: .inf\n")
    assert "'.inf' is not a JSON number; quote it" in str(error)


def test_anchors_aliases_and_merge_keys_expand() -> None:
    doc = document(
        """\
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        spec:
          defaults: &base {image: busybox, command: [sh]}
          copy: *base
          merged:
            <<: *base
            args: [hi]
        """
    )
    assert doc.raw["spec"]["copy"] == {"image": "busybox", "command": ["sh"]}
    assert doc.raw["spec"]["merged"] == {"image": "busybox", "command": ["sh"], "args": ["hi"]}
    doc.raw["spec"]["copy"]["command"].append("-c")
    assert doc.raw["spec"]["defaults"]["command"] == ["sh"]


def test_a_merge_that_overrides_a_key_is_a_duplicate_under_strict_decoding() -> None:
    error = error_of(HEADER + "kind: Workflow\nspec:\n  a: &x {b: 1}\n  c:\n    b: 2\n    <<: *x\n")
    assert "duplicate key 'b'" in str(error)


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        previous, name = chr(96 + level), chr(97 + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    error = error_of("\n".join(lines) + "\n")
    assert "more than 500000 values once aliases expand" in str(error)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    depth = 100_000
    error = error_of("a: " + "[" * depth + "]" * depth)
    assert "nested more than 200 levels deep" in str(error)


def test_unknown_and_recursive_aliases_are_errors() -> None:
    assert "unknown alias '*x'" in str(error_of("a: *x\n"))
    assert "refers to a value that contains it" in str(error_of("a: &x [*x]\n"))


def test_missing_kind_and_wrong_api_version_name_the_field() -> None:
    error = error_of("apiVersion: v1\nmetadata: {}\n")
    assert [(issue.field, issue.message) for issue in error.issues] == [
        ("apiVersion", "apiVersion must be 'argoproj.io/v1alpha1', got 'v1'"),
        (
            "kind",
            "missing required field 'kind' (one of Workflow, WorkflowTemplate, "
            "ClusterWorkflowTemplate, CronWorkflow)",
        ),
    ]


def test_unknown_kind_suggests_the_closest_argo_kind() -> None:
    error = error_of(HEADER + "kind: workflowtemplate\n")
    (issue,) = error.issues
    assert issue.field == "kind"
    assert issue.message.startswith(
        "unknown kind 'workflowtemplate'; did you mean 'WorkflowTemplate'?"
    )


def test_a_document_that_is_not_a_mapping_is_an_error() -> None:
    assert "a document must be a mapping" in str(error_of("- a\n- b\n"))


def test_control_characters_and_lone_surrogates_are_errors_with_positions() -> None:
    issue = error_of("a: b\nc: \x07\n").issues[0]
    assert (issue.line, issue.column) == (2, 4)
    assert "control characters are not allowed" in issue.message
    assert "invalid text" in str(error_of("a: \ud800\n"))


def test_load_file_reads_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "hello.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + HELLO.encode())
    (doc,) = loading.load_file(path)
    assert doc.file == str(path)


def test_load_file_reports_missing_files_and_bad_encodings(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        loading.load_file(tmp_path / "missing.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"a: b\nc: \xe9\n")
    with pytest.raises(SpecError) as caught:
        loading.load_file(bad)
    assert (caught.value.issues[0].line, caught.value.issues[0].column) == (2, 4)


def test_the_pure_python_parser_reads_documents_the_same_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = loading.load_text(HELLO)
    monkeypatch.setattr(_yaml_reader, "_Parser", _yaml_reader._PurePythonParser)
    assert loading.load_text(HELLO) == expected
    assert "invalid YAML" in str(error_of("a: [1\nb: 2\n"))


def test_yaml_is_imported_with_its_patterns_compiled_only_when_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # kawa never uses PyYAML's own patterns in `kawa run`; each compiles on first use
    import re
    import sys
    import threading
    from types import ModuleType

    from kawa.spec import _yaml_import

    def fresh_yaml(threads: int) -> ModuleType:
        for name in [m for m in sys.modules if m == "yaml" or m.startswith("yaml.")]:
            monkeypatch.delitem(sys.modules, name)  # put back when the test ends
        monkeypatch.setattr(threading, "active_count", lambda: threads)
        return _yaml_import.import_yaml()

    # another thread could be compiling a pattern meanwhile: then nothing is deferred
    assert isinstance(fresh_yaml(threads=2).reader.Reader.NON_PRINTABLE, re.Pattern)
    yaml = fresh_yaml(threads=1)
    assert re.compile is _yaml_import._compile  # restored after the import
    non_printable = yaml.reader.Reader.NON_PRINTABLE
    assert isinstance(non_printable, _yaml_import._Deferred)
    assert non_printable.search("ok\x01") is not None
    assert non_printable.search("fine") is None
    loaded = yaml.safe_load("when: 2024-01-02T03:04:05Z\nn: 12\nflag: yes\n")
    assert (loaded["when"].year, loaded["when"].hour, loaded["n"], loaded["flag"]) == (
        2024,
        3,
        12,
        True,
    )


def test_deferred_patterns_behave_as_compiled_ones() -> None:
    from kawa.spec._yaml_import import _Deferred

    deferred = _Deferred(r"^(?:yes|no)$", 0)
    assert deferred.match("yes") is not None and deferred.match("maybe") is None
    assert deferred.pattern == r"^(?:yes|no)$"
