"""Small, real, deterministic PNG images standing in for scene photographs in the demo."""

from __future__ import annotations

import hashlib
import struct
import zlib
from typing import Final

__all__ = ["demo_png"]

_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def demo_png(label: str, *, width: int = 96, height: int = 64) -> bytes:
    """A valid RGB PNG whose pixels follow from ``label`` alone (same label, same bytes)."""
    seed = hashlib.sha256(label.encode("utf-8")).digest()
    base = seed[0], seed[1], seed[2]
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type 0 (none) for every scanline
        for x in range(width):
            # A soft gradient with a few blocks: enough structure to look like an image.
            block = seed[(x // 16 + 6 * (y // 16)) % 32]
            rows += bytes(
                (
                    (base[0] + 2 * x + block // 4) % 256,
                    (base[1] + 3 * y + block // 8) % 256,
                    (base[2] + x + y + block // 2) % 256,
                )
            )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        _SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )
