"""Workflow uids and generated-name suffixes."""

from __future__ import annotations

import re
import uuid
from collections import Counter

from kawa.controller import ids


def test_uids_are_version_4_uuids_and_differ() -> None:
    made = {ids.new_uid() for _ in range(1000)}
    assert len(made) == 1000
    for uid in list(made)[:50]:
        parsed = uuid.UUID(uid)
        assert str(parsed) == uid
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_suffixes_use_every_letter_of_the_alphabet_evenly_and_only_those() -> None:
    suffixes = [ids.name_suffix() for _ in range(40_000)]
    assert all(re.fullmatch(f"[{ids.SUFFIX_ALPHABET}]{{5}}", s) for s in suffixes)
    counts = Counter("".join(suffixes))
    assert set(counts) == set(ids.SUFFIX_ALPHABET)
    # a byte taken modulo 27 would give the first 13 letters 10/9 of the others' share;
    # over 200,000 letters the two groups' means differ by well under 3% when even
    first, rest = ids.SUFFIX_ALPHABET[:13], ids.SUFFIX_ALPHABET[13:]
    mean_first = sum(counts[c] for c in first) / len(first)
    mean_rest = sum(counts[c] for c in rest) / len(rest)
    assert abs(mean_first / mean_rest - 1) < 0.03
