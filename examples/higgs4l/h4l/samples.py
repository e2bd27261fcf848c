"""The two samples, and how a chunk of one is read.

A chunk is a range of entries (``entry_start``, ``entry_stop``) of the sample's tree: chunk
``k`` of ``n`` is ``[k*N//n, (k+1)*N//n)`` for a tree of ``N`` entries, so for any ``n`` the
chunks cover every entry exactly once (with ``n > N`` some chunks are empty).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import awkward as ak
import uproot

from . import selection


@dataclass(frozen=True)
class Sample:
    name: str
    file: str
    tree: str
    branches: tuple[str, ...]
    what: str  # one line for the summary and the plot


SAMPLES: Final = {
    "hzz": Sample(
        name="hzz",
        file="uproot-HZZ.root",
        tree="events",
        branches=selection.HZZ_BRANCHES,
        what="simulated four-lepton (ZZ -> 4l style) events",
    ),
    "zmumu": Sample(
        name="zmumu",
        file="uproot-Zmumu.root",
        tree="events",
        branches=("Type", "E1", "px1", "py1", "pz1", "Q1", "E2", "px2", "py2", "pz2", "Q2"),
        what="CMS 2010 collision data, dimuon candidates (one row per candidate)",
    ),
}


class MissingData(Exception):
    """The sample's file is not in the data directory."""


def entry_range(chunk: int, of: int, entries: int) -> tuple[int, int]:
    """The entries ``[start, stop)`` of chunk ``chunk`` (0-based) out of ``of`` chunks."""
    if of < 1 or not 0 <= chunk < of:
        raise ValueError(f"chunk {chunk} of {of}: the chunk must be in 0..{of - 1}")
    return chunk * entries // of, (chunk + 1) * entries // of


def path(sample: Sample, data_dir: Path) -> Path:
    file = data_dir / sample.file
    if not file.is_file():
        raise MissingData(
            f"{file} not found: fetch the data first "
            f"(python examples/higgs4l/fetch_data.py {data_dir})"
        )
    return file


def entries(sample: Sample, data_dir: Path) -> int:
    with uproot.open(path(sample, data_dir)) as file:
        return int(file[sample.tree].num_entries)


def read(sample: Sample, data_dir: Path, start: int, stop: int) -> ak.Array:
    """The sample's branches for entries ``[start, stop)``."""
    with uproot.open(path(sample, data_dir)) as file:
        tree = file[sample.tree]
        return tree.arrays(list(sample.branches), entry_start=start, entry_stop=stop)
