"""The public test vectors travel with the repository, and a missing one fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from _vectors import VECTORS, vector_path

REPOSITORY = Path(__file__).resolve().parents[1]


def test_vectors_live_inside_the_repository() -> None:
    # A clone must run every vector test: nothing may be read from beside the checkout.
    assert VECTORS.is_relative_to(REPOSITORY / "tests")
    assert vector_path("wycheproof", "ed25519_test.json").is_file()


def test_missing_vector_fails_instead_of_skipping() -> None:
    with pytest.raises(FileNotFoundError, match="test vectors missing from the repository"):
        vector_path("wycheproof", "absent.json")


@pytest.mark.parametrize("origin", ["wycheproof", "speccheck", "merkle", "ct", "tessera"])
def test_every_vector_origin_carries_its_licence(origin: str) -> None:
    licence = vector_path(origin, "LICENSE").read_text("utf-8")
    assert "Apache License" in licence or "Redistribution and use" in licence
    assert f"`{origin}/" in vector_path("README.md").read_text("utf-8")
