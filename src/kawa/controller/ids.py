"""New workflow uids and ``generateName`` suffixes, from ``os.urandom``.

Not ``uuid``/``secrets``: importing those loads OpenSSL's libcrypto (~8-13 ms), which
every ``kawa run`` paid for one uid and five random letters.
"""

from __future__ import annotations

import os

#: the letters Kubernetes uses for generated name suffixes (no vowels, no 0/1/3)
SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def new_uid() -> str:
    """A random (version 4) UUID in its usual text form."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def name_suffix(length: int = 5) -> str:
    """``length`` letters of :data:`SUFFIX_ALPHABET`, uniformly at random."""
    n = len(SUFFIX_ALPHABET)
    limit = 256 - 256 % n  # bytes at or above it would favour the first letters
    letters: list[str] = []
    while len(letters) < length:
        letters.extend(SUFFIX_ALPHABET[b % n] for b in os.urandom(length) if b < limit)
    return "".join(letters[:length])
