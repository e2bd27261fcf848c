"""The fork server's slot queue: at most N running, refilled at once, lanes served in turn."""

from kawa.executors.local._forkserver.slots import Slots


def admit(slots: Slots[str], node: str, lane: str = "", limit: int = 2) -> bool:
    return slots.admit("wf/parallelism", limit, lane or node, node, node)


def test_no_more_than_the_limit_run_and_an_end_starts_the_next() -> None:
    slots: Slots[str] = Slots()
    assert [admit(slots, f"f{i}", "fan") for i in range(5)] == [True, True, False, False, False]
    assert slots.release("f0") == ["f2"]
    assert slots.release("f1") == ["f3"]


def test_waiting_lanes_are_served_round_robin() -> None:
    slots: Slots[str] = Slots()
    for i in range(4):
        admit(slots, f"f{i}", "fan", limit=1)
    admit(slots, "chain1", limit=1)
    first = slots.release("f0")
    second = slots.release(first[0])
    assert first + second == ["f1", "chain1"]


def test_a_waiting_step_can_be_withdrawn_and_never_starts() -> None:
    slots: Slots[str] = Slots()
    admit(slots, "a", limit=1)
    admit(slots, "b", limit=1)
    assert slots.withdraw("b") == "b"
    assert slots.release("a") == []
    assert slots.withdraw("a") is None


def test_dropping_the_waiting_keeps_the_running() -> None:
    slots: Slots[str] = Slots()
    for name in "abc":
        admit(slots, name, limit=1)
    assert slots.drop_waiting() == 2
    assert slots.release("a") == []


def test_separate_queues_do_not_share_slots() -> None:
    slots: Slots[str] = Slots()
    assert slots.admit("wf1", 1, "x", "a", "a")
    assert slots.admit("wf2", 1, "x", "b", "b")
    assert not slots.admit("wf1", 1, "y", "c", "c")
