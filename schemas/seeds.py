"""Stable seeds derived from parts with hashlib (never Python's salted `hash()`)."""

from __future__ import annotations

import hashlib


def derive_seed(*parts: object, sep: str = "\x1f") -> int:
    """A 64-bit seed from the parts' text joined by `sep`, the same in every process: the one seed derivation."""
    text = sep.join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
