"""Put the flagship's two ROOT files into a data directory, verified by their sha256.

    python examples/higgs4l/fetch_data.py DATA_DIR [--wheel PATH]

The files come from the wheel of scikit-hep-testdata 0.3.12 (the last release whose wheel
carries its data): ``pip download scikit-hep-testdata==0.3.12 --no-deps``, then the two
members are extracted from the wheel (a zip). With ``--wheel`` an already downloaded wheel is
used instead. Idempotent: files already present with the right sha256 are left alone, and
nothing is downloaded. A file is written under a temporary name and renamed only once its
sha256 matches, so an interrupted fetch never leaves a half-written file behind. Standard
library only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Final

PACKAGE: Final = "scikit-hep-testdata==0.3.12"
MEMBER_DIR: Final = "skhep_testdata/data/"
# recorded from the first download of scikit_hep_testdata-0.3.12-py2.py3-none-any.whl
# (whose own sha256 was 7abaef737a5111d955c551469dce8075ad74014ed8d535d184f1f2cf4864b51a)
FILES: Final = {
    "uproot-HZZ.root": "baa852f7b801eee0fb7234f44864a20808d17d84fa44e712072fa881c423ad46",
    "uproot-Zmumu.root": "8290ddc1f2b1f866f30df016558936da27107f7f5b87e574c741f2baab1bad64",
}


class FetchError(Exception):
    """The wheel could not be downloaded, or a file in it is not the one recorded."""


def fetch(data_dir: Path, wheel: Path | None = None) -> list[str]:
    """Make ``data_dir`` hold both files, verified; returns the names it had to write."""
    data_dir.mkdir(parents=True, exist_ok=True)
    missing = [name for name in FILES if not _verified(data_dir / name)]
    if not missing:
        return []
    if wheel is not None:
        _extract(wheel, missing, data_dir)
        return missing
    with tempfile.TemporaryDirectory(prefix="higgs4l-wheel-") as tmp:
        _extract(_download(Path(tmp)), missing, data_dir)
    return missing


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified(path: Path) -> bool:
    return path.is_file() and sha256(path) == FILES[path.name]


def _download(into: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps"]
    command += ["--only-binary=:all:", "--quiet", "--dest", str(into)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(into.glob("scikit_hep_testdata-*.whl"))
    if done.returncode != 0 or not wheels:
        raise FetchError(f"`{' '.join(command)}` failed:\n{done.stderr.strip()}")
    return wheels[0]


def _extract(wheel: Path, names: list[str], data_dir: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for name in names:
            target = data_dir / name
            partial = target.with_name(f"{target.name}.part-{os.getpid()}")
            try:
                with archive.open(MEMBER_DIR + name) as source, partial.open("wb") as out:
                    while block := source.read(1 << 20):
                        out.write(block)
            except KeyError:
                raise FetchError(f"{wheel} has no {MEMBER_DIR + name}") from None
            actual = sha256(partial)
            if actual != FILES[name]:
                partial.unlink()
                raise FetchError(f"{name} from {wheel} has sha256 {actual}, expected {FILES[name]}")
            partial.replace(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="where to put the ROOT files")
    parser.add_argument("--wheel", type=Path, help="use this scikit-hep-testdata 0.3.12 wheel")
    args = parser.parse_args(argv)
    try:
        written = fetch(args.data_dir, args.wheel)
    except FetchError as error:
        print(f"fetch_data: {error}", file=sys.stderr)
        return 1
    for name in FILES:
        state = "fetched" if name in written else "already there"
        print(f"{args.data_dir / name}: {state}, sha256 {FILES[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
