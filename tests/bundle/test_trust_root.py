"""The signed trust root and trust list (FORMAT.md §7.5) and step B17, from the attacker's side."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.bundle import _json
from casefile.bundle._trust_list import (
    open_trust_list,
    read_trust_list,
    resolve_trust,
    sign_trust_list,
)
from casefile.bundle._trust_root import Root, RootKey, open_root, sign_root, update_root
from casefile.errors import TrustRootError, TrustStoreError
from casefile.signing import (
    DEFAULT_POLICY,
    RECORDER_ROLE,
    Holder,
    InMemorySigner,
    TrustEntry,
    TrustStore,
    dump_trust_store,
    parse_trust_store,
)

T0 = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
YEAR = 365 * 86_400 * 10**9
AT = T0 + YEAR // 2


def _signer(n: int) -> InMemorySigner:
    return InMemorySigner(bytes([n]) * 32)


def _root(version: int, keys: list[int], threshold: int = 1, expires: int = T0 + YEAR) -> Root:
    return Root(
        version=version,
        expires=expires,
        keys=tuple(RootKey(_signer(k).public_key, f"force.example/root/{k}") for k in keys),
        threshold=threshold,
    )


def _store() -> TrustStore:
    officer = _signer(200)
    return TrustStore(
        [
            TrustEntry(
                public_key=officer.public_key,
                name="force.example/pc/1",
                holder=Holder("Jo Bloggs", "PC", "1", "Example Police"),
                roles=frozenset({RECORDER_ROLE}),
                valid_from=T0,
            )
        ],
        DEFAULT_POLICY,
    )


def _list(version: int, root_version: int, signers: list[int], expires: int = T0 + YEAR) -> bytes:
    return sign_trust_list(
        _store(),
        version=version,
        expires=expires,
        root_version=root_version,
        signers=[_signer(k) for k in signers],
    )


def test_pinned_root_round_trips() -> None:
    root = _root(1, [1, 2, 3], threshold=2)
    assert open_root(sign_root(root, [_signer(1), _signer(2)])) == root


def test_pinned_root_short_of_its_own_threshold_is_refused() -> None:
    data = sign_root(_root(1, [1, 2, 3], threshold=2), [_signer(1)])
    with pytest.raises(TrustRootError, match="signed by 1 of the keys of itself"):
        open_root(data)


def test_root_rotation_signed_by_old_and_new_keys_is_accepted() -> None:
    old = _root(1, [1])
    new = _root(2, [2])
    assert update_root(old, sign_root(new, [_signer(1), _signer(2)])) == new


def test_new_root_signed_only_by_its_own_keys_is_refused() -> None:
    with pytest.raises(TrustRootError, match="keys of the root before it"):
        update_root(_root(1, [1]), sign_root(_root(2, [2]), [_signer(2)]))


def test_new_root_not_signed_by_its_own_keys_is_refused() -> None:
    with pytest.raises(TrustRootError, match="keys of itself"):
        update_root(_root(1, [1]), sign_root(_root(2, [2]), [_signer(1)]))


def test_root_chain_with_a_skipped_version_is_refused() -> None:
    pinned = _root(1, [1])
    three = sign_root(_root(3, [1]), [_signer(1)])
    with pytest.raises(TrustRootError, match="root version 2 is missing"):
        resolve_trust(pinned, {3: three}, _list(1, 3, [1]), at=AT)


def test_root_whose_version_does_not_follow_is_refused() -> None:
    # root.2.json holding a version 3 document: the name cannot stand in for the version.
    with pytest.raises(TrustRootError, match="versions go up by exactly one"):
        update_root(_root(1, [1]), sign_root(_root(3, [1]), [_signer(1)]))


def test_old_root_threshold_not_met_is_refused() -> None:
    old = _root(1, [1, 2, 3], threshold=2)
    new = _root(2, [4])
    with pytest.raises(TrustRootError, match="signed by 1 of the keys of the root before it"):
        update_root(old, sign_root(new, [_signer(1), _signer(4)]))


def test_same_key_counted_twice_toward_a_threshold_is_refused() -> None:
    old = _root(1, [1, 2], threshold=2)
    data = sign_root(_root(2, [1, 2], threshold=2), [_signer(1), _signer(2)])
    envelope = json.loads(data)
    one = envelope["signatures"][0]
    envelope["signatures"] = [one, one]
    with pytest.raises(TrustRootError, match="repeats the key id before it"):
        update_root(old, _json.dumps(envelope))


def test_root_listing_the_same_key_twice_is_refused() -> None:
    data = sign_root(_root(1, [1]), [_signer(1)])
    envelope = json.loads(data)
    payload = json.loads(base64.b64decode(envelope["payload"]))
    payload["keys"] = [payload["keys"][0], dict(payload["keys"][0], name="force.example/root/x")]
    payload["threshold"] = 2
    envelope["payload"] = base64.b64encode(_json.dumps(payload)).decode()
    with pytest.raises(TrustRootError, match="same key as the one before it"):
        open_root(_json.dumps(envelope))


def test_trust_list_signed_by_revoked_root_is_refused() -> None:
    # Root 2 drops key 1; a list that key 1 alone signs later counts for nothing.
    pinned = _root(1, [1, 2])
    two = sign_root(_root(2, [2]), [_signer(1), _signer(2)])
    with pytest.raises(TrustRootError, match="signed by 0 of the keys of root version 2"):
        resolve_trust(pinned, {2: two}, _list(5, 2, [1]), at=AT)


def test_trust_list_signed_by_expired_root_is_refused() -> None:
    pinned = _root(1, [1], expires=T0 + YEAR)
    with pytest.raises(TrustRootError, match="root version 1 expired"):
        resolve_trust(pinned, {}, _list(1, 1, [1]), at=T0 + 2 * YEAR)


def test_expired_intermediate_root_still_hands_on_trust() -> None:
    pinned = _root(1, [1], expires=T0 + 1)
    two = sign_root(_root(2, [2], expires=T0 + 2 * YEAR), [_signer(1), _signer(2)])
    resolved = resolve_trust(pinned, {2: two}, _list(1, 2, [2]), at=AT)
    assert resolved.root.version == 2
    assert [k.name for k in resolved.signers] == ["force.example/root/2"]


def test_expired_trust_list_is_refused() -> None:
    with pytest.raises(TrustRootError, match="expired"):
        resolve_trust(_root(1, [1]), {}, _list(1, 1, [1], expires=T0 + 1), at=AT)


def test_old_trust_list_version_replayed_is_refused() -> None:
    # Version 2 revoked a key; version 1, still within its expiry, is replayed.
    with pytest.raises(TrustRootError, match="version 1 is older than version 2"):
        resolve_trust(_root(1, [1]), {}, _list(1, 1, [1]), at=AT, min_trust_version=2)


def test_trust_list_from_before_a_root_rotation_is_refused() -> None:
    pinned = _root(1, [1])
    two = sign_root(_root(2, [1]), [_signer(1)])
    with pytest.raises(TrustRootError, match="signed under root version 1"):
        resolve_trust(pinned, {2: two}, _list(3, 1, [1]), at=AT)


def test_bundle_chain_older_than_the_pinned_root_is_refused() -> None:
    # The verifier already trusts root 2; a bundle still signed under root 1 is a rollback.
    with pytest.raises(TrustRootError, match="signed under root version 1"):
        resolve_trust(_root(2, [1]), {}, _list(1, 1, [1]), at=AT)


def test_trust_list_threshold_not_met_is_refused() -> None:
    with pytest.raises(TrustRootError, match="signed by 1 of the keys of root version 1"):
        resolve_trust(_root(1, [1, 2], threshold=2), {}, _list(1, 1, [1]), at=AT)


def test_missing_trust_list_is_refused() -> None:
    with pytest.raises(TrustRootError, match="no signed trust list"):
        resolve_trust(_root(1, [1]), {}, None, at=AT)


def test_trust_list_round_trips_its_store() -> None:
    listed, signers = open_trust_list(_list(4, 1, [1]), _root(1, [1]), at=AT)
    assert (listed.version, listed.root_version, listed.store) == (4, 1, _store())
    assert [s.name for s in signers] == ["force.example/root/1"]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_changed_byte_of_a_signed_trust_list_is_refused(data: st.DataObject) -> None:
    signed = bytearray(_list(1, 1, [1]))
    index = data.draw(st.integers(0, len(signed) - 1))
    signed[index] ^= data.draw(st.integers(1, 255))
    with pytest.raises(TrustRootError):
        open_trust_list(bytes(signed), _root(1, [1]), at=AT)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_changed_byte_of_a_root_is_refused(data: st.DataObject) -> None:
    signed = bytearray(sign_root(_root(2, [2]), [_signer(1), _signer(2)]))
    index = data.draw(st.integers(0, len(signed) - 1))
    signed[index] ^= data.draw(st.integers(1, 255))
    with pytest.raises(TrustRootError):
        update_root(_root(1, [1]), bytes(signed))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_are_refused_as_a_trust_list_by_a_clear_error(data: bytes) -> None:
    with pytest.raises(TrustRootError):
        read_trust_list(data)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(1, 40), min_size=1, max_size=5, unique=True),
    st.integers(1, 5),
    st.integers(1, 10**6),
)
def test_root_round_trips_and_counts_each_key_once(keys: list[int], k: int, version: int) -> None:
    threshold = min(k, len(keys))
    root = _root(version, keys, threshold)
    signed = sign_root(root, [_signer(n) for n in keys[:threshold]] * 2)
    assert open_root(signed) == root
    if threshold > 1:
        with pytest.raises(TrustRootError):
            open_root(sign_root(root, [_signer(n) for n in keys[: threshold - 1]] * 3))


def test_signed_trust_list_is_never_accepted_as_a_bare_trust_store() -> None:
    with pytest.raises(TrustStoreError, match="unknown field 'payload'"):
        parse_trust_store(_list(1, 1, [1]))


def test_bare_trust_store_is_never_accepted_as_a_signed_trust_list() -> None:
    with pytest.raises(TrustRootError, match="expected exactly the fields payload"):
        open_trust_list(_json.dumps(json.loads(dump_trust_store(_store()))), _root(1, [1]), at=AT)
