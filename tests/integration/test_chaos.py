"""Short chaos run (the long one is ``bench/chaos.py``): SIGKILL the controller at random
moments, at least 20 times; every run must end as an undisturbed run did, and no step may
execute twice."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "chaos", Path(__file__).resolve().parents[2] / "bench" / "chaos.py"
)
assert spec is not None and spec.loader is not None
chaos = importlib.util.module_from_spec(spec)
spec.loader.exec_module(chaos)


def test_killing_the_controller_at_random_moments_changes_nothing(tmp_path: Path) -> None:
    workflow = tmp_path / "chaos.yaml"
    workflow.write_text(chaos.WORKFLOW)
    reference = chaos.undisturbed(tmp_path, workflow)
    assert reference["phase"] == "Succeeded"
    rng = random.Random(20261122)
    kills = runs = 0
    while kills < 20 or runs < 2:
        result, killed, executions = chaos.chaotic(tmp_path, workflow, rng, runs)
        assert chaos.check(reference, result, executions) == [], f"run {runs}"
        kills += killed
        runs += 1
    assert kills >= 20
