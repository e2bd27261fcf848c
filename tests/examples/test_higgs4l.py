"""The flagship's analysis (examples/higgs4l): cuts, pairing, exact merge, summary, plot.

The data (two ROOT files from scikit-hep-testdata 0.3.12) are fetched once per session by the
example's own fetch script into ``examples/higgs4l/data`` (or ``$HIGGS4L_DATA``), as
``make flagship-data`` does.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

# the flagship extra (numpy, awkward, uproot, matplotlib) is installed by `make`
import awkward as ak
import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "higgs4l"
sys.path.insert(0, str(EXAMPLE))

from h4l import histograms, partials, report, samples, selection  # noqa: E402

# The full samples in one pass: what the summary must say, whatever the chunking.
HZZ_EVENTS = 2421
ZMUMU_CANDIDATES = 2304
SELECTED = {"4mu": 8, "4e": 0, "2e2mu": 30}
CHECKSUM = "sha256:27c3642603fdc0f8b1c6050bbacda663a937f0ad70f2d5f64d889ff681897d05"


def run_all(data_dir: Path, chunks: int) -> dict[str, Any]:
    """Every chunk of both samples, through JSON as the steps pass them, then the merge."""
    parts = [
        json.loads(json.dumps(partials.process(name, chunk, chunks, data_dir)))
        for name in samples.SAMPLES
        for chunk in range(chunks)
    ]
    merged: dict[str, Any] = partials.merge(parts)
    return merged


@pytest.fixture(scope="session")
def one_pass(data_dir: Path) -> dict[str, Any]:
    return run_all(data_dir, 1)


# ---- building events by hand -------------------------------------------------------------


def lepton(pt: float, eta: float, phi: float, charge: int, iso: float = 0.0) -> dict[str, float]:
    """A massless lepton; ``iso`` is the relative isolation (the file stores Iso = iso * pT)."""
    px, py, pz = pt * math.cos(phi), pt * math.sin(phi), pt * math.sinh(eta)
    energy = math.sqrt(px**2 + py**2 + pz**2)
    return {"Px": px, "Py": py, "Pz": pz, "E": energy, "Charge": charge, "Iso": iso * pt}


def pair(mass: float, pt1: float, pt2: float, phi: float = 0.0) -> list[dict[str, float]]:
    """A + and a - lepton of the given pT whose invariant mass is ``mass``."""
    if mass**2 <= 4 * pt1 * pt2:  # at the same eta, opening the angle in phi
        dphi, deta = math.acos(1 - mass**2 / (2 * pt1 * pt2)), 0.0
    else:  # back to back in phi, apart in eta
        dphi, deta = math.pi, math.acosh(mass**2 / (2 * pt1 * pt2) - 1)
    return [lepton(pt1, deta / 2, phi, +1), lepton(pt2, -deta / 2, phi + dphi, -1)]


def events(*batch: tuple[list[dict[str, float]], list[dict[str, float]]]) -> ak.Array:
    """An array with the HZZ file's lepton branches; each item is (muons, electrons)."""
    columns = {}
    for position, kind in enumerate(("Muon", "Electron")):
        counts = [len(event[position]) for event in batch]
        for field in ("Px", "Py", "Pz", "E", "Charge", "Iso"):
            flat = [lep[field] for event in batch for lep in event[position]]
            dtype = np.int32 if field == "Charge" else np.float32
            columns[f"{kind}_{field}"] = ak.unflatten(np.asarray(flat, dtype=dtype), counts)
    return ak.zip(columns, depth_limit=1)


def outcome(*batch: tuple[list[dict[str, float]], list[dict[str, float]]]) -> list[Any]:
    result = selection.four_lepton(selection.leptons(events(*batch)))
    return [
        (selection.CHANNELS[r["channel"]], round(r["mz1"], 1), round(r["mz2"], 1))
        if r["passed"]
        else None
        for r in result.tolist()
    ]


# ---- the lepton cuts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "pt", "eta", "iso", "kept"),
    [
        ("muon", 5.1, 0.0, 0.0, True),
        ("muon", 4.9, 0.0, 0.0, False),
        ("muon", 30.0, 2.39, 0.0, True),
        ("muon", 30.0, -2.41, 0.0, False),
        ("muon", 30.0, 0.0, 0.39, True),
        ("muon", 30.0, 0.0, 0.41, False),
        ("electron", 7.1, 0.0, 0.0, True),
        ("electron", 6.9, 0.0, 0.0, False),
        ("electron", 30.0, -2.49, 0.0, True),
        ("electron", 30.0, 2.51, 0.0, False),
        ("electron", 30.0, 0.0, 0.39, True),
        ("electron", 30.0, 0.0, 0.41, False),
    ],
)
def test_a_lepton_is_kept_only_within_its_pt_eta_and_isolation_cuts(
    kind: str, pt: float, eta: float, iso: float, kept: bool
) -> None:
    one = [lepton(pt, eta, 0.3, +1, iso)]
    batch = events((one, [])) if kind == "muon" else events(([], one))
    leps = selection.leptons(batch)
    assert ak.num(leps).tolist() == [1 if kept else 0]
    if kept:
        assert leps.flavour.tolist() == [[selection.MUON if kind == "muon" else selection.ELECTRON]]
        assert leps.pt[0, 0] == pytest.approx(pt, rel=1e-5)


def test_pairs_are_same_flavour_and_opposite_charge_only() -> None:
    muons = [lepton(30, 0, 0, +1), lepton(30, 0.5, 2, -1), lepton(20, -0.5, 4, +1)]
    electrons = [lepton(25, 1.0, 1, -1)]
    pairs = selection.sfos_pairs(selection.leptons(events((muons, electrons))))
    # mu0+ mu1- and mu2+ mu1-; never mu0+ mu2+ (same charge) nor a muon with the electron
    assert sorted(zip(pairs.i[0].tolist(), pairs.j[0].tolist(), strict=True)) == [(0, 1), (1, 2)]


# ---- Z1, Z2 and the four-lepton selection -------------------------------------------------


def test_a_four_muon_event_with_two_z_candidates_passes() -> None:
    muons = pair(91.0, 45.0, 45.0) + pair(60.0, 30.0, 30.0, phi=1.0)
    assert outcome((muons, [])) == [("4mu", 91.0, 60.0)]


def test_the_channel_follows_the_flavours_of_z1_and_z2() -> None:
    z_ee, z_mumu = pair(91.0, 45.0, 45.0), pair(70.0, 30.0, 30.0, phi=1.0)
    assert outcome(([], z_ee + pair(70.0, 30.0, 30.0, phi=1.0))) == [("4e", 91.0, 70.0)]
    assert outcome((z_mumu, z_ee)) == [("2e2mu", 91.0, 70.0)]
    assert outcome((pair(91.0, 45.0, 45.0), pair(70.0, 30.0, 30.0, phi=1.0))) == [
        ("2e2mu", 91.0, 70.0)
    ]


def test_z1_is_the_pair_closest_to_the_z_mass() -> None:
    muons = pair(80.0, 40.0, 40.0) + pair(95.0, 47.5, 47.5, phi=1.0)
    assert outcome((muons, [])) == [("4mu", 95.0, 80.0)]


def test_z1_outside_40_to_120_fails_even_if_a_farther_pair_is_inside() -> None:
    # muons for one Z candidate and electrons for the other: no mixed pairs compete
    too_heavy = (pair(125.0, 60.0, 60.0), pair(45.0, 22.5, 22.5))  # 125 is closer than 45
    too_light = (pair(38.0, 19.0, 19.0), pair(30.0, 25.0, 25.0))
    inside = (pair(119.0, 59.5, 59.5), pair(45.0, 22.5, 22.5))
    assert outcome(too_heavy, too_light, inside) == [None, None, ("2e2mu", 119.0, 45.0)]


def test_z2_must_lie_in_12_to_120() -> None:
    z1 = pair(91.0, 45.0, 45.0)
    below, above, inside = pair(11.0, 8.0, 8.0), pair(121.0, 61.0, 61.0), pair(13.0, 8.0, 8.0)
    assert outcome((z1, below), (z1, above), (z1, inside)) == [None, None, ("2e2mu", 91.0, 13.0)]


def test_z2_is_the_pair_with_the_highest_pt_sum_not_the_one_closest_to_the_z() -> None:
    z1 = pair(91.1876, 45.6, 45.6)  # electrons, exactly at the Z mass
    high_pt_sum = pair(50.0, 25.0, 25.0, phi=1.0)  # pT sum 50
    near_z = pair(90.0, 20.0, 20.0, phi=2.2)  # pT sum 40
    assert outcome((high_pt_sum + near_z, z1)) == [("2e2mu", 91.2, 50.0)]


def test_z2_shares_no_lepton_with_z1() -> None:
    muons = [*pair(91.0, 45.0, 45.0), lepton(40.0, 0.3, 1.0, +1)]  # a third muon, no partner
    electron = [lepton(30.0, 0.0, 2.0, -1)]
    assert outcome((muons, electron)) == [None]


def test_the_leading_lepton_needs_20_gev_and_the_second_10_gev() -> None:
    leading_19 = (pair(91.0, 19.0, 19.0), pair(30.0, 15.0, 15.0))
    second_9_5 = (pair(91.0, 30.0, 9.5), pair(30.0, 9.0, 8.0))
    second_10_5 = (pair(91.0, 30.0, 10.5), pair(30.0, 9.0, 8.0))
    assert outcome(leading_19, second_9_5, second_10_5) == [None, None, ("2e2mu", 91.0, 30.0)]


def test_events_with_fewer_than_four_leptons_fail() -> None:
    assert outcome(([], []), (pair(91.0, 45.0, 45.0), []), ([lepton(50, 0, 0, 1)], [])) == [
        None,
        None,
        None,
    ]


def test_the_vectorised_selection_agrees_with_a_plain_loop_on_every_event(
    data_dir: Path,
) -> None:
    sample = samples.SAMPLES["hzz"]
    batch = samples.read(sample, data_dir, 0, samples.entries(sample, data_dir))
    leps = selection.leptons(batch)
    fast = selection.four_lepton(leps).tolist()
    for event, result in zip(leps.tolist(), fast, strict=True):
        expected = loop_selection(event)
        if expected is None:
            assert not result["passed"]
        else:
            assert result["passed"]
            assert (result["mz1"], result["mz2"], result["m4l"]) == pytest.approx(expected)
    assert sum(r["passed"] for r in fast) == sum(SELECTED.values())


def loop_selection(leps: list[dict[str, float]]) -> tuple[float, float, float] | None:
    """The four-lepton selection written out with loops: (mZ1, mZ2, m4l) or None."""

    def mass(*parts: dict[str, float]) -> float:
        e, px = sum(p["E"] for p in parts), sum(p["px"] for p in parts)
        py, pz = sum(p["py"] for p in parts), sum(p["pz"] for p in parts)
        return math.sqrt(max(e * e - px * px - py * py - pz * pz, 0.0))

    sfos = [
        (i, j)
        for i, j in itertools.combinations(range(len(leps)), 2)
        if leps[i]["flavour"] == leps[j]["flavour"] and leps[i]["charge"] * leps[j]["charge"] < 0
    ]
    if not sfos:
        return None
    z1 = min(sfos, key=lambda p: abs(mass(leps[p[0]], leps[p[1]]) - 91.1876))
    mz1 = mass(leps[z1[0]], leps[z1[1]])
    if not 40 < mz1 < 120:
        return None
    z2s = [p for p in sfos if not set(p) & set(z1) and 12 < mass(leps[p[0]], leps[p[1]]) < 120]
    if not z2s:
        return None
    z2 = max(z2s, key=lambda p: leps[p[0]]["pt"] + leps[p[1]]["pt"])
    four = [leps[k] for k in (*z1, *z2)]
    pts = sorted((lep["pt"] for lep in four), reverse=True)
    if pts[0] <= 20 or pts[1] <= 10:
        return None
    return mz1, mass(leps[z2[0]], leps[z2[1]]), mass(*four)


def test_the_cms_dimuons_keep_two_global_muons_of_opposite_charge() -> None:
    def row(kind: str, q1: int, q2: int) -> dict[str, Any]:
        mu1, mu2 = pair(91.0, 45.0, 45.0)
        return {
            "Type": kind,
            **{f"{k}1": v for k, v in (("E", mu1["E"]), ("px", mu1["Px"]), ("py", mu1["Py"]))},
            **{f"{k}2": v for k, v in (("E", mu2["E"]), ("px", mu2["Px"]), ("py", mu2["Py"]))},
            "pz1": mu1["Pz"],
            "pz2": mu2["Pz"],
            "Q1": q1,
            "Q2": q2,
        }

    rows = ak.Array([row("GG", 1, -1), row("GT", 1, -1), row("TT", -1, 1), row("GG", 1, 1)])
    assert selection.dimuon_mass(rows) == pytest.approx([91.0])


# ---- histograms, merge, checksum ---------------------------------------------------------


def test_bins_are_half_open_and_out_of_range_values_are_counted_aside() -> None:
    hist = histograms.fill("m4l_4mu", np.array([69.9, 70.0, 79.99, 80.0, 369.9, 370.0, np.nan]))
    assert hist["counts"][:2] == [2, 1]
    assert hist["counts"][-1] == 1
    assert (hist["underflow"], hist["overflow"], histograms.total(hist)) == (1, 1, 4)
    assert len(hist["counts"]) == 30


def test_histograms_with_different_binnings_cannot_be_added() -> None:
    with pytest.raises(ValueError, match="different binnings"):
        histograms.add(histograms.fill("mz1", np.array([])), histograms.fill("mz2", np.array([])))


@pytest.mark.parametrize("chunks", [3, 7, 16])
def test_any_chunking_gives_the_counts_and_checksum_of_one_pass(
    data_dir: Path, one_pass: dict[str, Any], chunks: int
) -> None:
    merged = run_all(data_dir, chunks)
    assert merged["checksum"] == one_pass["checksum"]
    for name in samples.SAMPLES:
        assert merged["samples"][name]["chunks"] == chunks
        for key in ("events_read", "selected", "histograms"):
            assert merged["samples"][name][key] == one_pass["samples"][name][key]
    assert report.summary(merged) == report.summary(one_pass)


def test_the_full_samples_give_the_recorded_counts(one_pass: dict[str, Any]) -> None:
    hzz, zmumu = one_pass["samples"]["hzz"], one_pass["samples"]["zmumu"]
    assert (hzz["events_read"], hzz["selected"]) == (HZZ_EVENTS, SELECTED)
    assert zmumu["events_read"] == ZMUMU_CANDIDATES
    assert one_pass["checksum"] == CHECKSUM


def test_the_merge_refuses_a_missing_or_repeated_chunk(data_dir: Path) -> None:
    parts = [partials.process("hzz", chunk, 3, data_dir) for chunk in range(3)]
    with pytest.raises(partials.IncompleteMerge, match=r"entries 807\.\.1613 are missing"):
        partials.merge([parts[0], parts[2]])
    with pytest.raises(partials.IncompleteMerge, match="counted twice"):
        partials.merge([*parts, parts[1]])


def test_the_summary_states_events_read_selected_per_channel_and_the_checksum(
    one_pass: dict[str, Any],
) -> None:
    text = report.summary(one_pass)
    lines = text.splitlines()
    assert f"events read (hzz): {HZZ_EVENTS}" in lines
    for channel, count in SELECTED.items():
        assert f"events selected (hzz, {channel}): {count}" in lines
    assert f"events selected (hzz, all channels): {sum(SELECTED.values())}" in lines
    assert f"candidates read (zmumu): {ZMUMU_CANDIDATES}" in lines
    assert re.fullmatch(r"checksum: sha256:[0-9a-f]{64}", lines[-1])
    # the checksum is the sha256 of the canonical JSON of every count, and nothing else
    counts = {
        name: {key: sample[key] for key in ("events_read", "selected", "histograms")}
        for name, sample in one_pass["samples"].items()
    }
    canonical = json.dumps(counts, sort_keys=True, separators=(",", ":"))
    assert lines[-1] == f"checksum: sha256:{hashlib.sha256(canonical.encode()).hexdigest()}"


def test_a_merged_file_whose_counts_were_changed_is_refused(one_pass: dict[str, Any]) -> None:
    tampered = json.loads(json.dumps(one_pass))
    tampered["samples"]["hzz"]["selected"]["4e"] += 1
    with pytest.raises(partials.ChecksumMismatch):
        partials.verified(tampered)


def test_the_plot_is_a_png(one_pass: dict[str, Any], tmp_path: Path) -> None:
    png = tmp_path / "higgs4l.png"
    report.plot(one_pass, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000


# ---- the steps as the workflow calls them ------------------------------------------------


def step(*args: str | int | Path) -> str:
    command = [sys.executable, str(EXAMPLE / "higgs4l.py"), *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_workflow_steps_end_to_end(data_dir: Path, tmp_path: Path) -> None:
    items = json.loads(step("chunks", "--n", "2"))
    assert items[:2] == [
        {"sample": "hzz", "chunk": 0, "of": 2},
        {"sample": "hzz", "chunk": 1, "of": 2},
    ]
    assert len(items) == 2 * len(samples.SAMPLES)
    for item in items:
        out = tmp_path / "partials" / f"{item['sample']}-{item['chunk']}.json"
        step(
            *("process", "--sample", item["sample"], "--chunk", item["chunk"], "--of", item["of"]),
            *("--data", data_dir, "--out", out),
        )
    step("merge", "--in", tmp_path / "partials", "--out", tmp_path / "merged.json")
    png, summary = tmp_path / "out" / "higgs4l.png", tmp_path / "out" / "summary.txt"
    printed = step("plot", "--in", tmp_path / "merged.json", "--png", png, "--summary", summary)
    assert printed == summary.read_text()
    assert printed.splitlines()[-1] == f"checksum: {CHECKSUM}"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_step_with_missing_data_says_how_to_fetch_it(tmp_path: Path) -> None:
    command = [sys.executable, str(EXAMPLE / "higgs4l.py"), "process", "--sample", "hzz"]
    command += ["--chunk", "0", "--of", "1", "--data", str(tmp_path), "--out", "x.json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "fetch_data.py" in done.stderr
    assert "Traceback" not in done.stderr


# ---- the data ----------------------------------------------------------------------------


def test_fetching_again_downloads_nothing(data_dir: Path, tmp_path: Path) -> None:
    for name in ("uproot-HZZ.root", "uproot-Zmumu.root"):
        (tmp_path / name).write_bytes((data_dir / name).read_bytes())
    fetch = [sys.executable, str(EXAMPLE / "fetch_data.py"), str(tmp_path)]
    fetch += ["--wheel", str(tmp_path / "no-such.whl")]  # would fail if it were opened
    done = subprocess.run(fetch, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("already there") == 2


def test_a_wheel_whose_files_do_not_match_the_recorded_sha256_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "scikit_hep_testdata-0.3.12-py2.py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name in ("uproot-HZZ.root", "uproot-Zmumu.root"):
            archive.writestr(f"skhep_testdata/data/{name}", b"not the recorded file")
    data = tmp_path / "data"
    fetch = [sys.executable, str(EXAMPLE / "fetch_data.py"), str(data), "--wheel", str(wheel)]
    done = subprocess.run(fetch, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "expected baa852f7" in done.stderr
    assert list(data.iterdir()) == []


# ---- the workflow itself, run by kawa ----------------------------------------------------


def test_the_workflow_run_by_kawa_gives_the_one_pass_checksum(
    data_dir: Path, tmp_path: Path
) -> None:
    """examples/higgs4l/higgs4l.yaml through `kawa run` (artifacts, fan-out, fan-in) with 3
    chunks per sample: the summary it stores has the checksum of one pass."""
    env = {**os.environ, "KAWA_HOME": str(tmp_path / "home")}
    kawa = [sys.executable, "-m", "kawa.cli.main"]
    run = [
        *kawa, "run", str(EXAMPLE / "higgs4l.yaml"), "--name", "h4l",
        "-p", "chunks=3", "-p", f"code-dir={EXAMPLE}", "-p", f"data-dir={data_dir}",
    ]  # fmt: skip
    done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    out = tmp_path / "out"
    copy = [*kawa, "cp", "h4l", str(out), "--node", "plot"]
    subprocess.run(copy, env=env, capture_output=True, text=True, timeout=60, check=True)
    summary = (out / "plot" / "summary.txt").read_text()
    assert f"checksum: {CHECKSUM}" in summary
    assert (out / "plot" / "higgs4l.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
