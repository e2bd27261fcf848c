"""One chunk's partial result, and the exact merge of all of them.

A partial (``kawa-higgs4l-partial/1``) is what one fan-out step writes::

    {"format": "kawa-higgs4l-partial/1", "sample": "hzz", "chunk": 3, "of": 8,
     "entries": 2421, "entry_start": 907, "entry_stop": 1210,
     "events_read": 303, "selected": {"4mu": 1, "4e": 0, "2e2mu": 3},
     "histograms": {"m4l_4mu": {...}, ...}}

The merge (``kawa-higgs4l-merged/1``) adds the partials of each sample and refuses a set
that does not cover every entry of a sample exactly once: a missing or repeated chunk is an
error, not a quietly smaller histogram. Its ``checksum`` hashes the counts only (events read,
selected, histograms), never the chunking, so every chunking of the same data gives the same
checksum.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import awkward as ak
import numpy as np

from . import histograms, samples, selection

PARTIAL_FORMAT: Final = "kawa-higgs4l-partial/1"
MERGED_FORMAT: Final = "kawa-higgs4l-merged/1"
COUNTED: Final = ("events_read", "selected", "histograms")  # what the checksum covers

Result = dict[str, Any]


class IncompleteMerge(Exception):
    """The partials do not cover a sample's entries exactly once, or do not fit together."""


class ChecksumMismatch(Exception):
    """A merged file's counts do not hash to its recorded checksum."""


def process(sample_name: str, chunk: int, of: int, data_dir: Path) -> Result:
    """Read chunk ``chunk`` of ``of`` of a sample, select, histogram: the step's partial."""
    sample = samples.SAMPLES[sample_name]
    entries = samples.entries(sample, data_dir)
    start, stop = samples.entry_range(chunk, of, entries)
    events = samples.read(sample, data_dir, start, stop)
    counted = analyse_hzz(events) if sample_name == "hzz" else analyse_zmumu(events)
    return {
        "format": PARTIAL_FORMAT,
        "sample": sample_name,
        "chunk": chunk,
        "of": of,
        "entries": entries,
        "entry_start": start,
        "entry_stop": stop,
        **counted,
    }


def analyse_hzz(events: ak.Array) -> Result:
    """Events read, events selected per channel, and the HZZ histograms of a batch."""
    leps = selection.leptons(events)
    result = selection.four_lepton(leps)
    channel = ak.to_numpy(result.channel)
    m4l = ak.to_numpy(result.m4l)
    pair_masses = ak.to_numpy(ak.flatten(selection.sfos_pairs(leps).mass))
    hists = {
        f"m4l_{name}": histograms.fill(f"m4l_{name}", m4l[channel == code])
        for code, name in enumerate(selection.CHANNELS)
    }
    hists["mz1"] = histograms.fill("mz1", ak.to_numpy(result.mz1))
    hists["mz2"] = histograms.fill("mz2", ak.to_numpy(result.mz2))
    hists["sfos_mass"] = histograms.fill("sfos_mass", pair_masses)
    return {
        "events_read": len(events),
        "selected": {
            name: int(np.count_nonzero(channel == code))
            for code, name in enumerate(selection.CHANNELS)
        },
        "histograms": hists,
    }


def analyse_zmumu(candidates: ak.Array) -> Result:
    """Rows read, GG opposite-sign candidates kept, and their mass histogram."""
    masses = selection.dimuon_mass(candidates)
    return {
        "events_read": len(candidates),
        "selected": {"gg_opposite_sign": len(masses)},
        "histograms": {"dimuon_mass": histograms.fill("dimuon_mass", masses)},
    }


def merge(partials: Iterable[Result]) -> Result:
    """The sum of the partials per sample, with the checksum of the counts."""
    by_sample: dict[str, list[Result]] = {}
    for partial in partials:
        if partial.get("format") != PARTIAL_FORMAT:
            raise IncompleteMerge(f"not a {PARTIAL_FORMAT} partial: {partial.get('format')!r}")
        by_sample.setdefault(partial["sample"], []).append(partial)
    if not by_sample:
        raise IncompleteMerge("no partials to merge")
    merged = {name: _merge_sample(name, parts) for name, parts in sorted(by_sample.items())}
    return {"format": MERGED_FORMAT, "samples": merged, "checksum": counts_checksum(merged)}


def counts_checksum(merged_samples: dict[str, Result]) -> str:
    """The checksum of every count of every sample (and nothing about the chunking)."""
    counts = {
        name: {key: sample[key] for key in COUNTED} for name, sample in merged_samples.items()
    }
    return histograms.checksum(counts)


def verified(merged: Result) -> Result:
    """``merged``, after checking that its counts still hash to its checksum."""
    recomputed = counts_checksum(merged["samples"])
    if recomputed != merged["checksum"]:
        raise ChecksumMismatch(f"counts hash to {recomputed}, the file says {merged['checksum']}")
    return merged


def _merge_sample(name: str, parts: list[Result]) -> Result:
    _check_coverage(name, parts)
    first, *rest = sorted(parts, key=lambda p: (p["entry_start"], p["entry_stop"]))
    selected = dict(first["selected"])
    hists = dict(first["histograms"])
    for part in rest:
        if part["selected"].keys() != selected.keys() or part["histograms"].keys() != hists.keys():
            raise IncompleteMerge(f"{name}: partials with different contents cannot be added")
        selected = {key: selected[key] + part["selected"][key] for key in selected}
        hists = {key: histograms.add(hists[key], part["histograms"][key]) for key in hists}
    return {
        "file": samples.SAMPLES[name].file,
        "what": samples.SAMPLES[name].what,
        "entries": first["entries"],
        "chunks": len(parts),
        "events_read": sum(part["events_read"] for part in parts),
        "selected": selected,
        "histograms": hists,
    }


def _check_coverage(name: str, parts: list[Result]) -> None:
    entries = {part["entries"] for part in parts}
    if len(entries) != 1:
        raise IncompleteMerge(f"{name}: partials disagree on the number of entries: {entries}")
    expected_stop = 0
    for part in sorted(parts, key=lambda p: (p["entry_start"], p["entry_stop"])):
        start, stop = part["entry_start"], part["entry_stop"]
        if start != expected_stop:
            what = "missing" if start > expected_stop else "counted twice"
            low, high = sorted((start, expected_stop))
            raise IncompleteMerge(f"{name}: entries {low}..{high - 1} are {what}")
        expected_stop = stop
    (total,) = entries
    if expected_stop != total:
        raise IncompleteMerge(f"{name}: entries {expected_stop}..{total - 1} are missing")
