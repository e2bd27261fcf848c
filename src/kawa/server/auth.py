"""Bearer tokens: off when the server listens on loopback only, required otherwise.

``kawa auth token create NAME [--namespace NS]...`` prints a token once; the store keeps
only its SHA-256.  A request's ``Authorization: Bearer <token>`` is hashed and compared
with every stored digest in constant time.  A token limited to namespaces may only touch
``/api/v1/<kind>/<namespace>/...`` paths of those namespaces (and cluster-wide reads).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from kawa.controller import clock
from kawa.spec.frozen import frozen

KIND = "token"
LOOPBACK = ("127.0.0.1", "::1", "localhost")
_NAMESPACED = ("workflows", "workflow-templates", "cron-workflows", "workflow-events")


@frozen
class Token:
    name: str
    digest: str
    namespaces: tuple[str, ...]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(store: object, name: str, namespaces: list[str]) -> str:
    token = "kawa_" + secrets.token_urlsafe(32)
    record = {"name": name, "digest": digest(token), "namespaces": namespaces}
    store.put_object(KIND, "", name, json.dumps(record), clock.now().isoformat())  # type: ignore[attr-defined]
    return token


def tokens(store: object) -> list[Token]:
    found = []
    for _, name, data in store.list_objects(KIND):  # type: ignore[attr-defined]
        record = json.loads(data)
        found.append(Token(name, str(record["digest"]), tuple(record.get("namespaces") or ())))
    return found


def check(store: object, header: str) -> Token | None:
    """The token a request's Authorization header carries, if it is a known one."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    wanted = digest(value.strip())
    match = None
    for token in tokens(store):
        if hmac.compare_digest(token.digest, wanted):
            match = token
    return match


def allowed(token: Token, path: str) -> bool:
    if not token.namespaces:
        return True
    parts = path.strip("/").split("/")
    if len(parts) >= 4 and parts[:2] == ["api", "v1"] and parts[2] in _NAMESPACED:
        return parts[3] in token.namespaces
    return True
