"""``/api/v1/info``, ``/api/v1/version``, ``/api/v1/userinfo`` and ``/metrics``."""

from __future__ import annotations

import platform
import sys
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from kawa._version import __version__
from kawa.server import metrics

router = APIRouter(tags=["InfoService"])


@router.get("/api/v1/info")
def info() -> dict[str, Any]:
    return {"managedNamespace": "", "links": [], "modals": {}, "navColor": ""}


@router.get("/api/v1/version")
def version() -> dict[str, Any]:
    return {
        "version": f"v{__version__}",
        "buildDate": "",
        "gitCommit": "",
        "gitTag": "",
        "gitTreeState": "",
        "goVersion": "",
        "compiler": "kawa",
        "platform": f"{sys.platform}/{platform.machine()}",
    }


@router.get("/api/v1/userinfo")
def userinfo(request: Request) -> dict[str, Any]:
    subject = getattr(request.state, "subject", "") or "anonymous"
    return {"subject": subject, "issuer": "kawa", "serviceAccountName": ""}


@router.get("/metrics", response_class=PlainTextResponse)
def prometheus(request: Request) -> str:
    return metrics.render(request.app.state.kawa, request.app.state.loop_stats)
