"""Reading a step's ``result`` from its stdout file, as Argo's ``CaptureScriptResult`` does."""

from __future__ import annotations

from pathlib import Path

from kawa.executors.local.outcomes import MAX_RESULT, read_result


def test_result_trims_one_trailing_newline(tmp_path: Path) -> None:
    out = tmp_path / "stdout"
    out.write_bytes(b"hello\n\n")
    assert read_result(str(out)) == "hello\n"
    out.write_bytes(b"")
    assert read_result(str(out)) == ""
    out.write_bytes("é\xff".encode("latin-1"))
    assert read_result(str(out)) == "\ufffd\ufffd"


def test_result_keeps_the_last_256_kib(tmp_path: Path) -> None:
    out = tmp_path / "stdout"
    out.write_bytes(b"a" * 10 + b"b" * MAX_RESULT + b"\n")
    assert read_result(str(out)) == "b" * MAX_RESULT
    out.write_bytes(b"a" * 10 + b"b" * MAX_RESULT)
    assert read_result(str(out)) == "b" * MAX_RESULT


def test_a_step_that_never_started_has_no_result(tmp_path: Path) -> None:
    assert read_result(str(tmp_path / "stdout")) is None
