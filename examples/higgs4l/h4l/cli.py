"""The steps of the flagship workflow, as one command with a subcommand per step.

    higgs4l.py chunks  --n 8 [--samples hzz,zmumu]                 > chunks.json
    higgs4l.py process --sample hzz --chunk 3 --of 8 --data DIR --out partial.json
    higgs4l.py merge   --in DIR_OF_PARTIALS --out merged.json
    higgs4l.py plot    --in merged.json --png higgs4l.png --summary summary.txt
    higgs4l.py run     --n 8 --data DIR --out DIR      (all of the above, in one process)

Each step reads and writes files only where it is told. A failure prints one line naming
what is wrong on stderr and exits 1.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import partials, samples

# `report` (matplotlib) is imported only by the steps that plot: the chunk steps start faster


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        args.step(args)
    except (
        samples.MissingData,
        partials.IncompleteMerge,
        partials.ChecksumMismatch,
        ValueError,  # a chunk outside 0..of-1, a file that is not JSON
    ) as error:
        print(f"higgs4l {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


def chunks(args: argparse.Namespace) -> None:
    """Print the fan-out's items: one ``{"sample", "chunk", "of"}`` per chunk of each sample."""
    items = [
        {"sample": name, "chunk": chunk, "of": args.n}
        for name in args.samples
        for chunk in range(args.n)
    ]
    print(json.dumps(items))


def process(args: argparse.Namespace) -> None:
    partial = partials.process(args.sample, args.chunk, args.of, args.data)
    _write_json(args.out, partial)
    print(
        f"{args.sample} chunk {args.chunk} of {args.of}: entries "
        f"[{partial['entry_start']}, {partial['entry_stop']}), selected {partial['selected']}"
    )


def merge(args: argparse.Namespace) -> None:
    if not args.inputs.is_dir():
        raise partials.IncompleteMerge(f"{args.inputs} is not a directory of partials")
    files = sorted(args.inputs.rglob("*.json"))
    if not files:
        raise partials.IncompleteMerge(f"no partials (*.json) under {args.inputs}")
    merged = partials.merge(_read_json(file) for file in files)
    _write_json(args.out, merged)
    print(f"merged {len(files)} partials: {merged['checksum']}")


def plot(args: argparse.Namespace) -> None:
    from . import report

    merged = partials.verified(_read_json(args.inputs))
    text = report.summary(merged)
    report.plot(merged, args.png)
    if args.summary is not None:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        args.summary.write_text(text)
    print(text, end="")


def run(args: argparse.Namespace) -> None:
    """Every step in one process, for a quick local look: OUT/partials, merged.json, PNG."""
    from . import report

    shutil.rmtree(args.out / "partials", ignore_errors=True)  # partials of an earlier run
    for name in args.samples:
        for chunk in range(args.n):
            partial = partials.process(name, chunk, args.n, args.data)
            _write_json(args.out / "partials" / f"{name}-{chunk}.json", partial)
    files = sorted((args.out / "partials").glob("*.json"))
    merged = partials.merge(_read_json(file) for file in files)
    _write_json(args.out / "merged.json", merged)
    report.plot(merged, args.out / "higgs4l.png")
    text = report.summary(merged)
    (args.out / "summary.txt").write_text(text)
    print(text, end="")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except ValueError as error:
        raise ValueError(f"{path}: not JSON: {error}") from None


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1, sort_keys=True) + "\n")


def _sample_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - samples.SAMPLES.keys())
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown sample(s) {unknown}; choose from {sorted(samples.SAMPLES)}"
        )
    return names


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="higgs4l", description="kawa's flagship example: fan out, histogram, merge, plot."
    )
    steps = parser.add_subparsers(dest="command", required=True)

    step = steps.add_parser("chunks", help="print the fan-out items as JSON")
    step.add_argument("--n", type=_positive, required=True, help="chunks per sample")
    step.add_argument("--samples", type=_sample_list, default=list(samples.SAMPLES))
    step.set_defaults(step=chunks)

    step = steps.add_parser("process", help="select and histogram one chunk of one sample")
    step.add_argument("--sample", choices=sorted(samples.SAMPLES), required=True)
    step.add_argument("--chunk", type=int, required=True, help="0-based chunk index")
    step.add_argument("--of", type=_positive, required=True, help="number of chunks")
    step.add_argument("--data", type=Path, required=True, help="directory with the ROOT files")
    step.add_argument("--out", type=Path, required=True, help="partial result (JSON)")
    step.set_defaults(step=process)

    step = steps.add_parser("merge", help="add all partials under a directory")
    step.add_argument("--in", dest="inputs", type=Path, required=True)
    step.add_argument("--out", type=Path, required=True, help="merged result (JSON)")
    step.set_defaults(step=merge)

    step = steps.add_parser("plot", help="render the PNG and the summary")
    step.add_argument("--in", dest="inputs", type=Path, required=True, help="merged.json")
    step.add_argument("--png", type=Path, required=True)
    step.add_argument("--summary", type=Path, help="also write the summary here")
    step.set_defaults(step=plot)

    step = steps.add_parser("run", help="all steps in one process")
    step.add_argument("--n", type=_positive, default=8, help="chunks per sample")
    step.add_argument("--samples", type=_sample_list, default=list(samples.SAMPLES))
    step.add_argument("--data", type=Path, required=True)
    step.add_argument("--out", type=Path, required=True, help="output directory")
    step.set_defaults(step=run)
    return parser
