"""A step is a host process: what it runs, what it gets, what kawa reads back."""

from __future__ import annotations

from pathlib import Path

from kawa.executors.local import LocalExecutor
from kawa.spec.actions import OutputParameter

from .conftest import UID, run, step


def test_hello_world_prints_its_message_as_the_result(executor: LocalExecutor) -> None:
    outcome = run(executor, step("hello", "echo", args=("hello world",)))["hello"].outcome
    assert outcome.exit_code == 0
    assert outcome.result == "hello world"
    assert outcome.message == ""
    assert not outcome.error


def test_script_runs_with_the_interpreter_running_kawa(executor: LocalExecutor) -> None:
    source = "import sys\nprint(sys.version_info[:2] >= (3, 11))\nprint('second line')\n"
    s = step("script", "python", image="python:alpine3.23", source=source)
    outcome = run(executor, s)["script"].outcome
    assert outcome.exit_code == 0
    assert outcome.result == "True\nsecond line"


def test_result_has_one_trailing_newline_trimmed(executor: LocalExecutor) -> None:
    outcome = run(executor, step("nl", "printf", args=("a\\n\\n",)))["nl"].outcome
    assert outcome.result == "a\n"


def test_argosay_image_without_command_says_hello_argo(executor: LocalExecutor) -> None:
    s = step("argo", image="argoproj/argosay:v2")
    assert run(executor, s)["argo"].outcome.result == "hello argo"


def test_argosay_verbs_behave_as_upstream(executor: LocalExecutor) -> None:
    steps = [
        step("echo", image="argoproj/argosay:v2", args=("echo", "hi there")),
        step("many", image="argoproj/argosay:v2", args=("echo", "a", "b", "c")),
        step("exit", image="argoproj/argosay:v2", args=("exit", "7")),
        step("sleep", image="argoproj/argosay:v2", args=("sleep", "0.1s")),
        step("nope", image="argoproj/argosay:v2", args=("fly",)),
        step("shell", "sh", "-c", "argosay echo via-path && /argosay echo via-root"),
    ]
    ended = run(executor, *steps)
    assert ended["echo"].outcome.result == "hi there"
    assert (ended["many"].outcome.exit_code, ended["many"].outcome.result) == (0, "")
    assert ended["exit"].outcome.exit_code == 7
    assert ended["sleep"].outcome.exit_code == 0
    assert ended["nope"].outcome.exit_code == 1
    assert ended["shell"].outcome.result == "via-path\nvia-root"


def test_argosay_echo_to_a_file_becomes_an_output_parameter(executor: LocalExecutor) -> None:
    s = step(
        "param",
        image="argoproj/argosay:v2",
        args=("echo", "hello param", "/mnt/out/hello.txt"),
        private_paths=("/mnt/out",),
        output_parameters=(
            OutputParameter("hello", "/mnt/out/hello.txt"),
            OutputParameter("absent", "/mnt/out/absent.txt"),
        ),
    )
    outcome = run(executor, s)["param"].outcome
    assert outcome.parameters == {"hello": "hello param"}
    assert executor.host_path(s, "/mnt/out/hello.txt").read_text() == "hello param\n"


def test_argosay_cat_and_assert_contains_read_files(executor: LocalExecutor) -> None:
    script = (
        "argosay echo needle /tmp/f && argosay cat /tmp/f && argosay assert_contains /tmp/f eed"
    )
    outcome = run(executor, step("cat", "sh", "-c", script))["cat"].outcome
    assert (outcome.exit_code, outcome.result) == (0, "needle\nneedle")


def test_cowsay_puts_the_message_in_a_bubble(executor: LocalExecutor) -> None:
    ended = run(
        executor,
        step("cow", "cowsay", args=("hello world",)),
        step("silent-cow", image="argoproj/argosay:v1"),
    )
    lines = (ended["cow"].outcome.result or "").splitlines()
    assert lines[:3] == [" _____________", "< hello world >", " -------------"]
    assert "(oo)" in (ended["silent-cow"].outcome.result or "")


def test_exit_code_123_is_recorded_with_argos_message(executor: LocalExecutor) -> None:
    outcome = run(executor, step("fail", "sh", "-c", "exit 123"))["fail"].outcome
    assert outcome.exit_code == 123
    assert outcome.message == "main: Error (exit code 123)"
    assert not outcome.error


def test_missing_executable_fails_with_argos_emissary_message(executor: LocalExecutor) -> None:
    ended = run(executor, step("missing", "invalid"), step("path", "/no/such/tool"))
    missing = ended["missing"].outcome
    assert missing.exit_code == 64
    assert missing.message == (
        'main: Error (exit code 64): failed to find name in PATH: exec: "invalid": '
        "executable file not found in $PATH"
    )
    assert "stat /no/such/tool: no such file or directory" in ended["path"].outcome.message
    stderr = executor.logs(UID, "missing").stderr.read_text()
    assert "executable file not found in $PATH" in stderr


def test_unknown_image_without_command_is_an_error_that_says_why(
    executor: LocalExecutor,
) -> None:
    outcome = run(executor, step("unknown", image="example.com/mystery:1"))["unknown"].outcome
    assert outcome.error
    assert "example.com/mystery:1" in outcome.message
    assert "give the container a command" in outcome.message


def test_env_and_working_dir_reach_the_process(executor: LocalExecutor) -> None:
    script = 'echo "$GREETING|$EXPANDED|$ARGO_NODE_ID|$ARGO_CONTAINER_NAME"; pwd; echo $PATH'
    s = step(
        "env",
        "sh",
        "-c",
        script,
        env=(("GREETING", "hi"), ("EXPANDED", "$(GREETING) there $$(GREETING)")),
        working_dir="/workspace/src",
    )
    lines = (run(executor, s)["env"].outcome.result or "").splitlines()
    assert lines[0] == "hi|hi there $(GREETING)|env|main"
    assert lines[1] == "/workspace/src"
    assert lines[2].startswith(str(executor.home / "shims") + ":")


def test_environment_is_clean(executor: LocalExecutor) -> None:
    outcome = run(executor, step("clean", "env"))["clean"].outcome
    names = {line.split("=", 1)[0] for line in (outcome.result or "").splitlines()}
    allowed = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "PWD", "SHLVL", "_"}
    allowed |= {"ARGO_PROGRESS_FILE", "ARGO_CONTAINER_NAME", "ARGO_NODE_ID", "ARGO_WORKFLOW_NAME"}
    assert names <= allowed


def test_secrets_reach_the_process_but_no_file_kawa_writes(
    executor: LocalExecutor, home: Path
) -> None:
    secret = "s3cr3t-value-that-must-not-leak"
    s = step(
        "secret",
        "sh",
        "-c",
        'test "$TOKEN" = s3cr3t-value-that-must-not-leak && echo ok',
        env=(("TOKEN", secret),),
        secret_env=("TOKEN",),
    )
    assert run(executor, s)["secret"].outcome.result == "ok"
    for path in home.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert secret.encode() not in path.read_bytes(), path


def test_logs_name_the_files_holding_stdout_and_stderr(executor: LocalExecutor) -> None:
    run(executor, step("logs", "sh", "-c", "echo out; echo err >&2"))
    logs = executor.logs(UID, "logs")
    assert logs.stdout.read_text() == "out\n"
    assert logs.stderr.read_text() == "err\n"
