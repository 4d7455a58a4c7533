"""B10: with the auditor's own keys, the bundle's trust.json must still be what FORMAT.md §9.1 says.

A bundle must carry a trust store with every key that signed it, so that a
reader without keys of their own can check it; a sender who ships an empty or
partial trust.json (and re-signs the manifest over it) must not pass just
because this auditor happens to hold the keys.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from _bundlecase import AT, World, make_bundle, replace_and_resign
from casefile.bundle import verify_bundle
from casefile.errors import ManifestError
from casefile.signing._trust import TrustStore
from casefile.signing._trust_json import dump_trust_store

WORLD = World()


@pytest.fixture(scope="module")
def built() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        make_bundle(Path(folder) / "b", WORLD)
        yield Path(folder) / "b"


def _with_trust_json(built: Path, into: Path, content: bytes) -> Path:
    """A copy of the bundle whose trust.json is ``content``, under a re-signed manifest."""
    target = into / "b"
    shutil.copytree(built, target)
    replace_and_resign(target, "trust.json", content, WORLD)
    return target


def _b10(path: Path) -> list[ManifestError]:
    result = verify_bundle(path, at=AT, trust=WORLD.trust, report=True, workers=1)
    assert not result.verified
    return [e for e in result.errors if isinstance(e, ManifestError) and e.step == "B10"]


def test_empty_trust_json_fails_even_with_the_auditors_trust(built: Path, tmp_path: Path) -> None:
    target = _with_trust_json(built, tmp_path, b"{}")
    with pytest.raises(ManifestError, match=r"trust\.json is not a trust store") as caught:
        verify_bundle(target, at=AT, trust=WORLD.trust, workers=1)
    assert caught.value.step == "B10"
    assert len(_b10(target)) == 1


def test_trust_json_lacking_a_record_signer_fails_naming_it(built: Path, tmp_path: Path) -> None:
    partial = TrustStore([e for e in WORLD.trust.entries if e.name != "test.police.uk/officer/bob"])
    target = _with_trust_json(built, tmp_path, dump_trust_store(partial).encode("utf-8"))
    [error] = _b10(target)
    assert "test.police.uk/officer/bob" in error.message
    assert WORLD.bob.public_key.key_id.hex()[:16] in error.message
    assert "alice" not in error.message


def test_trust_json_lacking_the_manifest_and_checkpoint_signer_fails(
    built: Path, tmp_path: Path
) -> None:
    officers = TrustStore([e for e in WORLD.trust.entries if e.name != "test.police.uk/log"])
    target = _with_trust_json(built, tmp_path, dump_trust_store(officers).encode("utf-8"))
    [error] = _b10(target)
    assert "test.police.uk/log" in error.message


def test_intact_bundle_passes_b10_with_the_auditors_trust(built: Path) -> None:
    result = verify_bundle(built, at=AT, trust=WORLD.trust, workers=1)
    assert result.verified
