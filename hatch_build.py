"""Hatch build hook: a wheel always carries the web UI.

``make ui`` builds ``ui/`` into ``src/kawa/server/ui_assets`` (gitignored).  When a wheel
is built without it (``pip wheel .`` on a fresh clone), this hook runs the same two npm
commands; without npm it stops with what to do.  Editable installs are left alone: they
see the assets ``make ui`` writes into the source tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

INDEX = Path("src/kawa/server/ui_assets/index.html")


class UiAssets(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if version == "editable" or (root / INDEX).is_file():
            return
        if os.environ.get("KAWA_WHEEL_WITHOUT_UI") == "1":
            return
        ui = root / "ui"
        if not (ui / "package-lock.json").is_file() or shutil.which("npm") is None:
            raise RuntimeError(
                f"kawa's web UI is not built ({INDEX.parent}): run `make ui` (needs node and "
                "npm) before building the wheel, or set KAWA_WHEEL_WITHOUT_UI=1 for one without it"
            )
        npm_ci = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]
        subprocess.run(npm_ci, cwd=ui, check=True)
        subprocess.run(["npm", "run", "--silent", "build"], cwd=ui, check=True)
