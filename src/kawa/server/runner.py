"""``kawa server``: the controller in a background thread, the API in the foreground."""

from __future__ import annotations

import logging
import threading

from kawa.controller.service import Kawa
from kawa.server import auth

log = logging.getLogger("kawa.server")


def serve(host: str, port: int, *, require_auth: bool | None = None) -> None:
    import uvicorn

    from kawa.server.app import create_app

    if require_auth is None:
        require_auth = host not in auth.LOOPBACK
    api = Kawa()
    if require_auth and not auth.tokens(api.store):
        log.warning("kawa server: no tokens yet; create one with `kawa auth token create NAME`")
    app = create_app(api, require_auth=require_auth)
    stopping = threading.Event()
    stats = app.state.loop_stats

    def record(seconds: float) -> None:
        stats["count"] += 1
        stats["sum"] += seconds

    def control() -> None:
        controller = Kawa(api.home)
        try:
            controller.serve(stopping.is_set, on_pass=record)
        finally:
            controller.close()

    thread = threading.Thread(target=control, name="kawa-controller", daemon=True)
    thread.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        stopping.set()
        thread.join(timeout=5)
        api.close()
