"""The notebook example runs top to bottom (nbclient) and shows the flagship's result."""

from __future__ import annotations

import os
from pathlib import Path

import nbclient  # the dev extra installs it
import nbformat

CHECKSUM = "sha256:27c3642603fdc0f8b1c6050bbacda663a937f0ad70f2d5f64d889ff681897d05"

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "notebook" / "higgs4l.ipynb"


def test_the_notebook_runs_the_flagship_and_shows_it(data_dir: Path, tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    os.environ["HIGGS4L_DATA"] = str(data_dir)
    os.environ["KAWA_HOME"] = str(tmp_path / "home")
    os.environ["HIGGS4L_CHUNKS"] = "2"
    try:
        client = nbclient.NotebookClient(
            notebook, timeout=600, kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        )  # fmt: skip
        client.execute()
    finally:
        for name in ("HIGGS4L_DATA", "KAWA_HOME", "HIGGS4L_CHUNKS"):
            os.environ.pop(name, None)
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Succeeded" in text
    assert f"checksum: {CHECKSUM}" in text
    assert any("image/png" in o.get("data", {}) for o in outputs if o.output_type == "display_data")
