"""Small, real, deterministic media standing in for the demo's photographs and audio."""

from __future__ import annotations

import hashlib
import struct
import zlib
from typing import Final

__all__ = ["demo_png", "demo_wav"]

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


def demo_wav(label: str, *, seconds: int = 2, rate: int = 8000) -> bytes:
    """A valid 16-bit mono PCM WAV whose samples follow from ``label`` alone.

    Integer arithmetic only (a triangle tone under a little noise), so the
    bytes, and hence the SHA-256, are the same on every platform.
    """
    seed = hashlib.sha256(label.encode("utf-8")).digest()
    period = 20 + seed[0] % 40  # a tone between 133 and 400 Hz at 8 kHz
    noise = int.from_bytes(seed[1:5], "big") | 1
    samples = bytearray()
    for n in range(seconds * rate):
        phase, half = n % period, period // 2
        if phase < half:
            tone = -8000 + 16000 * phase // half
        else:
            tone = 8000 - 16000 * (phase - half) // (period - half)
        noise = (noise * 1103515245 + 12345) & 0x7FFFFFFF
        value = tone + (noise >> 20) - 1024
        samples += struct.pack("<h", max(-32768, min(32767, value)))
    data = bytes(samples)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)  # PCM, mono, 16-bit
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body
