"""The summary text and the figure of a merged result.

The summary holds counts and the checksum only, nothing about how the work was chunked, so
the same data give the same summary byte for byte whatever the number of chunks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import matplotlib

matplotlib.use("Agg")  # no display: steps run headless

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from . import histograms, selection

SOURCE: Final = "scikit-hep-testdata 0.3.12"
CHANNEL_LABELS: Final = {"4mu": r"$4\mu$", "4e": r"$4e$", "2e2mu": r"$2e2\mu$"}
CHANNEL_COLOURS: Final = {"4mu": "#d62728", "4e": "#2ca02c", "2e2mu": "#1f77b4"}

Merged = dict[str, Any]


def summary(merged: Merged) -> str:
    """Events read, events selected per channel, and the checksum of all counts."""
    lines = [f"higgs4l summary ({SOURCE}; counts are exact, the same for any chunking)"]
    samples = merged["samples"]
    if "hzz" in samples:
        hzz = samples["hzz"]
        sel = hzz["selected"]
        lines += [
            f"sample hzz: {hzz['file']}, {hzz['what']}",
            f"events read (hzz): {hzz['events_read']}",
            *(f"events selected (hzz, {name}): {sel[name]}" for name in selection.CHANNELS),
            f"events selected (hzz, all channels): {sum(sel.values())}",
            f"events with 120 <= m4l < 130 GeV (hzz): {_higgs_window(hzz)}",
            "same-flavour opposite-sign pairs in 60-120 GeV (hzz): "
            f"{histograms.total(hzz['histograms']['sfos_mass'])}",
        ]
    if "zmumu" in samples:
        zmumu = samples["zmumu"]
        lines += [
            f"sample zmumu: {zmumu['file']}, {zmumu['what']}",
            f"candidates read (zmumu): {zmumu['events_read']}",
            "candidates selected (zmumu, two global muons, opposite sign): "
            f"{zmumu['selected']['gg_opposite_sign']}",
            "dimuon candidates in 60-120 GeV (zmumu): "
            f"{histograms.total(zmumu['histograms']['dimuon_mass'])}",
        ]
    lines.append(f"checksum: {merged['checksum']}")
    return "\n".join(lines) + "\n"


def plot(merged: Merged, png: Path) -> None:
    """Four panels (m4l, Z1/Z2, same-flavour pairs, CMS dimuons) and what they show."""
    samples = merged["samples"]
    fig, axes = plt.subplots(2, 2, figsize=(12, 9.5))
    (m4l, zs), (pairs, dimuons) = axes
    if "hzz" in samples:
        hists = samples["hzz"]["histograms"]
        _stacked_m4l(m4l, hists, samples["hzz"]["selected"])
        _steps(zs, hists["mz1"], "Z1", "#9467bd")
        _steps(zs, hists["mz2"], "Z2", "#ff7f0e")
        zs.set_xlabel(r"$m_{Z}$ of the selected Z1 and Z2 [GeV]")
        zs.legend()
        _steps(pairs, hists["sfos_mass"], r"$e^+e^-$ and $\mu^+\mu^-$", "#1f77b4")
        pairs.legend()
        pairs.set_title("Simulation: same-flavour opposite-sign pairs, all events")
    if "zmumu" in samples:
        _steps(dimuons, samples["zmumu"]["histograms"]["dimuon_mass"], "CMS 2010", "black")
        dimuons.set_title(r"CMS 2010 data: $\mu^+\mu^-$ candidates (two global muons)")
        dimuons.legend()
    for ax in axes.flat:
        ax.set_ylabel("entries / bin")
        if not ax.has_data():
            ax.text(0.5, 0.5, "sample not processed", ha="center", transform=ax.transAxes)
    fig.suptitle(rf"kawa flagship: an H$\to$ZZ$\to$4$\ell$-style analysis on {SOURCE}", fontsize=14)
    fig.text(0.5, 0.01, _caption(merged), ha="center", va="bottom", fontsize=9, wrap=True)
    fig.tight_layout(rect=(0.0, 0.09, 1.0, 0.97))
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, format="png", dpi=100)
    plt.close(fig)


def _caption(merged: Merged) -> str:
    lines = [
        "What these samples show: the Z peak near 91 GeV (simulated same-flavour lepton pairs; "
        r"real CMS 2010 dimuons) and, in $m_{4\ell}$, the ZZ continuum, mostly above 180 GeV where "
        "both Z bosons are on shell.",
        "They contain no 125 GeV Higgs signal. This rehearses the method (fan out, histogram, "
        "merge exactly, plot); it is not a discovery.",
    ]
    if "hzz" in merged["samples"]:
        hzz = merged["samples"]["hzz"]
        lines[1] += (
            f" {sum(hzz['selected'].values())} of {hzz['events_read']} simulated events pass "
            rf"the 4$\ell$ selection, {_higgs_window(hzz)} of them with "
            r"120 ≤ $m_{4\ell}$ < 130 GeV."
        )
    lines.append(f"checksum of all counts: {merged['checksum']}")
    return "\n".join(lines)


def _higgs_window(hzz: Merged) -> int:
    """Selected events with 120 <= m4l < 130 GeV, summed over the channels."""
    count = 0
    for name in selection.CHANNELS:
        hist = hzz["histograms"][f"m4l_{name}"]
        count += hist["counts"][round((120.0 - hist["lo"]) / hist["width"])]
    return count


def _edges(hist: histograms.Histogram) -> np.ndarray:
    return float(hist["lo"]) + float(hist["width"]) * np.arange(len(hist["counts"]) + 1)


def _steps(ax: Axes, hist: histograms.Histogram, label: str, colour: str) -> None:
    ax.stairs(hist["counts"], _edges(hist), label=label, color=colour, linewidth=1.8)
    ax.set_xlim(hist["lo"], hist["hi"])


def _stacked_m4l(
    ax: Axes, hists: dict[str, histograms.Histogram], selected: dict[str, int]
) -> None:
    bottom = np.zeros(len(hists["m4l_4mu"]["counts"]))
    edges = _edges(hists["m4l_4mu"])
    overflow = 0
    for name in selection.CHANNELS:
        hist = hists[f"m4l_{name}"]
        counts = np.asarray(hist["counts"], dtype=float)
        ax.stairs(
            bottom + counts,
            edges,
            baseline=bottom,
            fill=True,
            color=CHANNEL_COLOURS[name],
            label=f"{CHANNEL_LABELS[name]} ({selected[name]} selected)",
        )
        bottom += counts
        overflow += hist["overflow"]
    ax.axvline(125.0, color="grey", linestyle=":", linewidth=1)
    ax.text(127, ax.get_ylim()[1] * 0.92, "125 GeV", color="grey", fontsize=8)
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel(r"$m_{4\ell}$ [GeV]")
    ax.set_title(rf"Simulation: selected 4$\ell$ events (+{overflow} above {edges[-1]:.0f} GeV)")
    ax.legend(title="channel")
