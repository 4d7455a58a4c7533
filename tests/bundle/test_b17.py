"""Step B17: a bundle verified against a pinned trust root instead of a trust store."""

from __future__ import annotations

from pathlib import Path

import pytest

from _bundlecase import AT, World, make_bundle
from _casebuilder import T0
from casefile.bundle import Root, RootKey, sign_root, sign_trust_list, verify_bundle
from casefile.errors import TrustRootError
from casefile.signing import InMemorySigner, TrustStore

YEAR = 365 * 86_400 * 10**9


def _key(n: int) -> InMemorySigner:
    return InMemorySigner(bytes([n + 100]) * 32)


def _root(version: int, *keys: int) -> Root:
    return Root(
        version=version,
        expires=T0 + 3 * YEAR,
        keys=tuple(RootKey(_key(k).public_key, f"force.example/root/{k}") for k in keys),
        threshold=1,
    )


def _bundle(tmp_path: Path, *, list_version: int = 1, root_version: int = 1, **kw: object) -> Path:
    world = World()
    signers = kw.pop("signers", [_key(1)])
    listed = sign_trust_list(
        world.trust,
        version=list_version,
        expires=T0 + 2 * YEAR,
        root_version=root_version,
        signers=signers,  # type: ignore[arg-type]
    )
    make_bundle(tmp_path / "b", world, trust_list=listed, **kw)  # type: ignore[arg-type]
    return tmp_path / "b"


def test_bundle_with_a_signed_trust_list_verifies_against_the_pinned_root(tmp_path: Path) -> None:
    result = verify_bundle(_bundle(tmp_path), at=AT, root=_root(1, 1))
    assert result.verified, result.errors
    assert result.trust_root is not None
    assert (result.trust_root.root_version, result.trust_root.trust_list_version) == (1, 1)
    assert result.trust_root.signers == ("force.example/root/1",)
    assert "trust_from_bundle" not in {f.kind for f in result.findings}


def test_bundle_follows_a_root_rotation_it_carries(tmp_path: Path) -> None:
    two = sign_root(_root(2, 2), [_key(1), _key(2)])
    path = _bundle(tmp_path, root_version=2, signers=[_key(2)], roots={2: two})
    result = verify_bundle(path, at=AT, root=_root(1, 1))
    assert result.verified, result.errors
    assert result.trust_root is not None
    assert result.trust_root.root_version == 2


def test_trust_list_signed_by_a_key_the_pinned_root_lacks_is_refused(tmp_path: Path) -> None:
    path = _bundle(tmp_path, signers=[_key(9)])
    with pytest.raises(TrustRootError, match="signed by 0 of the keys"):
        verify_bundle(path, at=AT, root=_root(1, 1))


def test_trust_root_failure_is_the_only_failure_reported(tmp_path: Path) -> None:
    result = verify_bundle(
        _bundle(tmp_path, signers=[_key(9)]), at=AT, root=_root(1, 1), report=True
    )
    assert not result.verified
    assert [(e.kind, e.step) for e in result.errors] == [("trust_root", "B17")]


def test_bundle_without_a_signed_trust_list_is_refused_under_a_pinned_root(tmp_path: Path) -> None:
    make_bundle(tmp_path / "b", World())
    with pytest.raises(TrustRootError, match="no signed trust list"):
        verify_bundle(tmp_path / "b", at=AT, root=_root(1, 1))


def test_changed_trust_list_is_refused_at_b17(tmp_path: Path) -> None:
    path = _bundle(tmp_path)
    listed = path / "trust-root" / "trust-list.json"
    listed.write_bytes(listed.read_bytes().replace(b'"sig":"', b'"sig":"A', 1))
    result = verify_bundle(path, at=AT, root=_root(1, 1), report=True)
    assert [e.step for e in result.errors] == ["B17"]


def test_signed_trust_list_is_the_trust_store_the_manifest_is_judged_by(tmp_path: Path) -> None:
    # The list is authentic but names none of the bundle's keys: B2 must use it, not trust.json.
    world = World()
    listed = sign_trust_list(
        TrustStore([], world.trust.policy),
        version=1,
        expires=T0 + 2 * YEAR,
        root_version=1,
        signers=[_key(1)],
    )
    make_bundle(tmp_path / "b", world, trust_list=listed)
    result = verify_bundle(tmp_path / "b", at=AT, root=_root(1, 1), report=True)
    assert [e.step for e in result.errors] == ["B2"]


def test_old_trust_list_version_replayed_in_a_bundle_is_refused(tmp_path: Path) -> None:
    path = _bundle(tmp_path, list_version=1)
    with pytest.raises(TrustRootError, match="older than version 2"):
        verify_bundle(path, at=AT, root=_root(1, 1), min_trust_version=2)


def test_pinned_root_and_trust_store_together_are_refused(tmp_path: Path) -> None:
    world = World()
    with pytest.raises(ValueError, match="not both"):
        verify_bundle(_bundle(tmp_path), at=AT, root=_root(1, 1), trust=world.trust)


def test_many_large_root_files_are_not_all_read_before_the_chain_fails(tmp_path: Path) -> None:
    # Before the manifest is authenticated, B17 reads the root documents a bundle carries:
    # a sender could add thousands of them at the 2 MiB cap (compressing to almost nothing in
    # a zip). Only the next version of the chain is read; it fails, and nothing more is.
    import tracemalloc

    path = _bundle(tmp_path)
    junk = b" " * (2 * 1024 * 1024 - 1)
    for version in range(2, 32):
        (path / "trust-root" / f"root.{version}.json").write_bytes(junk)
    tracemalloc.start()
    try:
        result = verify_bundle(path, at=AT, root=_root(1, 1), report=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [e.step for e in result.errors] == ["B17"]
    assert "root version 2" in result.errors[0].message
    assert peak < 16 * 1024 * 1024, peak
