"""The public test vectors carried in ``tests/vectors`` (origins and licences in its README)."""

from __future__ import annotations

from pathlib import Path

VECTORS = Path(__file__).resolve().parent / "vectors"


def vector_path(*parts: str) -> Path:
    """The vector file or folder at ``parts`` below ``tests/vectors``, which must exist.

    The vectors are part of the repository: a missing one is a broken checkout, so the test
    fails (never skips) and names what is missing.
    """
    path = VECTORS.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"test vectors missing from the repository: {path}")
    return path
