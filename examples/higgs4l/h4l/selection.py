"""The event selection: which leptons count, how they pair into Z candidates, which events pass.

Everything here is vectorised over a batch of events (awkward arrays, one list per event) and
reads no files, so the tests build a few events by hand and check each cut alone.

The four-lepton selection, in the order it is applied:

1. leptons: muons pT > 5 GeV and |eta| < 2.4; electrons pT > 7 GeV and |eta| < 2.5; both with
   relative isolation Iso/pT < 0.4;
2. same-flavour opposite-charge (SFOS) pairs of those leptons;
3. Z1: the SFOS pair whose mass is closest to 91.1876 GeV; the event needs 40 < mZ1 < 120 GeV
   (Z1 is chosen first, then the window is applied: a closer pair outside the window is not
   traded for a farther one inside it);
4. Z2: among the SFOS pairs that share no lepton with Z1 and have 12 < mZ2 < 120 GeV, the one
   with the highest scalar pT sum;
5. of those four leptons, the leading one has pT > 20 GeV and the second pT > 10 GeV.

Ties (two pairs equally close to the Z mass, or with equal pT sums) go to the pair that comes
first in ``ak.argcombinations`` order, muons before electrons: deterministic, so every chunking
picks the same pair.
"""

from __future__ import annotations

from typing import Final

import awkward as ak
import numpy as np

Z_MASS: Final = 91.1876  # GeV, PDG
MUON: Final = 13
ELECTRON: Final = 11

MUON_MIN_PT: Final = 5.0
MUON_MAX_ETA: Final = 2.4
ELECTRON_MIN_PT: Final = 7.0
ELECTRON_MAX_ETA: Final = 2.5
MAX_RELATIVE_ISOLATION: Final = 0.4
Z1_WINDOW: Final = (40.0, 120.0)
Z2_WINDOW: Final = (12.0, 120.0)
LEADING_MIN_PT: Final = 20.0
SUBLEADING_MIN_PT: Final = 10.0

# channel codes in the per-event result; names as the summary prints them
CHANNELS: Final = ("4mu", "4e", "2e2mu")
NO_CHANNEL: Final = -1

HZZ_BRANCHES: Final = tuple(
    f"{kind}_{field}"
    for kind in ("Muon", "Electron")
    for field in ("Px", "Py", "Pz", "E", "Charge", "Iso")
)


def leptons(events: ak.Array) -> ak.Array:
    """The muons and electrons of each event that pass the lepton cuts, muons first.

    ``events`` has the HZZ file's branches (``Muon_Px`` … ``Electron_Iso``). Each lepton is a
    record of ``px py pz E`` (GeV, float64), ``pt``, ``eta``, ``charge``, ``flavour`` (13 or 11)
    and ``reliso`` (Iso/pT).
    """
    muons = _lepton_records(events, "Muon", MUON)
    electrons = _lepton_records(events, "Electron", ELECTRON)
    muons = muons[_passes(muons, MUON_MIN_PT, MUON_MAX_ETA)]
    electrons = electrons[_passes(electrons, ELECTRON_MIN_PT, ELECTRON_MAX_ETA)]
    return ak.concatenate([muons, electrons], axis=1)


def sfos_pairs(leps: ak.Array) -> ak.Array:
    """All same-flavour opposite-charge pairs of each event's leptons.

    Each pair is a record of ``i`` and ``j`` (the leptons' positions in ``leps``), ``mass``,
    ``ptsum`` (scalar sum of the two pT) and ``flavour``.
    """
    i, j = ak.unzip(ak.argcombinations(leps, 2))
    first, second = leps[i], leps[j]
    pairs = ak.zip(
        {
            "i": i,
            "j": j,
            "mass": invariant_mass(first, second),
            "ptsum": first.pt + second.pt,
            "flavour": first.flavour,
        }
    )
    same_flavour = first.flavour == second.flavour
    opposite_charge = first.charge * second.charge < 0
    return pairs[same_flavour & opposite_charge]


def four_lepton(leps: ak.Array) -> ak.Array:
    """Z1, Z2 and the four-lepton system of each event, or the event's failure.

    Returns one record per event: ``passed`` (bool), ``channel`` (index into CHANNELS, or -1),
    ``mz1``, ``mz2``, ``m4l`` (GeV; NaN where the event did not pass).
    """
    pairs = sfos_pairs(leps)
    z1 = _first_or_none(pairs, ak.argmin(abs(pairs.mass - Z_MASS), axis=1, keepdims=True))
    z1_ok = _within(z1.mass, Z1_WINDOW)

    others = pairs[_disjoint(pairs, z1) & _within(pairs.mass, Z2_WINDOW)]
    z2 = _first_or_none(others, ak.argmax(others.ptsum, axis=1, keepdims=True))
    has_z2 = z2.i >= 0

    four = leps[ak.concatenate([_one(z1.i), _one(z1.j), _one(z2.i), _one(z2.j)], axis=1)]
    # an event without Z1 or Z2 has fewer than four leptons here; `passed` drops it
    pts = ak.sort(four.pt, axis=1, ascending=False)
    leading_ok = ak.fill_none(ak.firsts(pts) > LEADING_MIN_PT, False)
    subleading_ok = ak.fill_none(ak.firsts(pts[:, 1:]) > SUBLEADING_MIN_PT, False)

    passed = ak.to_numpy(z1_ok & has_z2 & leading_ok & subleading_ok).astype(bool)
    return ak.zip(
        {
            "passed": passed,
            "channel": np.where(passed, _channel(z1.flavour, z2.flavour), NO_CHANNEL),
            "mz1": np.where(passed, ak.to_numpy(z1.mass), np.nan),
            "mz2": np.where(passed, ak.to_numpy(z2.mass), np.nan),
            "m4l": np.where(passed, _four_lepton_mass(four), np.nan),
        },
        depth_limit=1,
    )


def dimuon_mass(candidates: ak.Array) -> np.ndarray:
    """Masses of the CMS dimuon candidates that are two global muons of opposite charge.

    ``candidates`` has the Zmumu file's columns (one row per dimuon candidate: ``Type``,
    ``E1 px1 py1 pz1 Q1`` and the same for muon 2). ``Type`` is ``GG`` (both muons global),
    ``GT`` or ``TT`` (one or both tracker-only); the same muons often appear in several rows
    with different types, so keeping only ``GG`` counts each pair of muons once.
    """
    keep = (candidates.Type == "GG") & (candidates.Q1 * candidates.Q2 < 0)
    c = candidates[keep]
    energy = c.E1 + c.E2
    px, py, pz = c.px1 + c.px2, c.py1 + c.py2, c.pz1 + c.pz2
    squared = ak.to_numpy(energy**2 - px**2 - py**2 - pz**2).astype(np.float64)
    masses: np.ndarray = np.sqrt(np.maximum(squared, 0.0))
    return masses


def invariant_mass(first: ak.Array, second: ak.Array) -> ak.Array:
    """Invariant mass of two particles with fields ``E px py pz``."""
    energy = first.E + second.E
    px, py, pz = first.px + second.px, first.py + second.py, first.pz + second.pz
    return np.sqrt(np.maximum(energy**2 - px**2 - py**2 - pz**2, 0.0))


def _lepton_records(events: ak.Array, kind: str, flavour: int) -> ak.Array:
    def column(field: str) -> ak.Array:
        return ak.values_astype(events[f"{kind}_{field}"], np.float64)

    px, py, pz = column("Px"), column("Py"), column("Pz")
    pt = np.hypot(px, py)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.arcsinh(pz / pt)
        reliso = column("Iso") / pt
    charge = events[f"{kind}_Charge"]
    return ak.zip(
        {
            "px": px,
            "py": py,
            "pz": pz,
            "E": column("E"),
            "pt": pt,
            "eta": eta,
            "charge": charge,
            "flavour": ak.full_like(charge, flavour),
            "reliso": reliso,
        }
    )


def _passes(leps: ak.Array, min_pt: float, max_eta: float) -> ak.Array:
    return (leps.pt > min_pt) & (abs(leps.eta) < max_eta) & (leps.reliso < MAX_RELATIVE_ISOLATION)


def _first_or_none(pairs: ak.Array, index: ak.Array) -> ak.Array:
    """The pair at ``index`` per event, with ``i = j = -1`` and NaN mass where there is none."""
    picked = ak.firsts(pairs[index])
    return ak.zip(
        {
            "i": ak.fill_none(picked.i, -1),
            "j": ak.fill_none(picked.j, -1),
            "mass": ak.fill_none(picked.mass, np.nan),
            "flavour": ak.fill_none(picked.flavour, 0),
        }
    )


def _disjoint(pairs: ak.Array, z1: ak.Array) -> ak.Array:
    return (pairs.i != z1.i) & (pairs.i != z1.j) & (pairs.j != z1.i) & (pairs.j != z1.j)


def _within(mass: ak.Array, window: tuple[float, float]) -> ak.Array:
    low, high = window
    return (mass > low) & (mass < high)  # NaN (no pair) is never within


def _one(index: ak.Array) -> ak.Array:
    """Per event, a one-element list holding ``index``; an index of -1 becomes an empty list."""
    return ak.singletons(ak.mask(index, index >= 0))


def _channel(z1_flavour: ak.Array, z2_flavour: ak.Array) -> np.ndarray:
    f1, f2 = ak.to_numpy(z1_flavour), ak.to_numpy(z2_flavour)
    four_mu = (f1 == MUON) & (f2 == MUON)
    four_e = (f1 == ELECTRON) & (f2 == ELECTRON)
    return np.where(four_mu, 0, np.where(four_e, 1, 2))


def _four_lepton_mass(four: ak.Array) -> np.ndarray:
    """Invariant mass of each event's leptons (NaN unless there are exactly four)."""
    energy, px = ak.sum(four.E, axis=1), ak.sum(four.px, axis=1)
    py, pz = ak.sum(four.py, axis=1), ak.sum(four.pz, axis=1)
    squared = ak.to_numpy(energy**2 - px**2 - py**2 - pz**2)
    mass = np.sqrt(np.maximum(squared, 0.0))
    return np.where(ak.to_numpy(ak.num(four, axis=1)) == 4, mass, np.nan)
