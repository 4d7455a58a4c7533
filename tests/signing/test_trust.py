"""Trust values: holders, entries with validity windows, the role policy and the store."""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.errors import InputError, TrustStoreError
from casefile.signing._keys import InMemorySigner, PublicKey
from casefile.signing._trust import (
    DEFAULT_POLICY,
    Holder,
    TrustEntry,
    TrustPolicy,
    TrustStore,
)
from casefile.signing._trust_names import check_note_name, check_role

HOLDER = Holder(name="Jane Smith", rank="PC", number="1234", force="Metropolitan Police Service")


def _key(n: int) -> PublicKey:
    return InMemorySigner(bytes([n]) * 32).public_key


def _entry(n: int = 1, **changes: Any) -> TrustEntry:
    fields: dict[str, Any] = {
        "public_key": _key(n),
        "name": f"met.police.uk/officer/{n}",
        "holder": HOLDER,
        "roles": frozenset({"recorder"}),
        "valid_from": 1_000,
        "valid_until": 2_000,
        "revoked_at": None,
    }
    fields.update(changes)
    return TrustEntry(**fields)


# --- Holder -------------------------------------------------------------------


def test_staff_holder_may_have_no_rank() -> None:
    assert Holder(name="A Clerk", rank="", number="S123", force="Kent Police").rank == ""


@pytest.mark.parametrize("field", ["name", "number", "force"])
def test_holder_without_identity_is_refused(field: str) -> None:
    with pytest.raises(TrustStoreError, match=f"holder.{field}: must not be empty"):
        dataclasses.replace(HOLDER, **{field: ""})


@pytest.mark.parametrize("field", ["name", "rank", "number", "force"])
def test_holder_field_of_wrong_type_is_refused(field: str) -> None:
    with pytest.raises(TrustStoreError, match=f"holder.{field}: expected a string"):
        dataclasses.replace(HOLDER, **{field: 1234})  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["Jane\nSmith", "Jane\x00", "\x7f", "\x85"])
def test_holder_name_with_control_character_is_refused(text: str) -> None:
    with pytest.raises(TrustStoreError, match=r"holder.name: contains the control character"):
        Holder(name=text, rank="", number="1", force="f")


def test_holder_name_with_unpaired_surrogate_is_refused() -> None:
    # JSON "\ud800" escapes produce these; they cannot be written as UTF-8.
    with pytest.raises(
        TrustStoreError, match=r"holder.name: contains an unpaired surrogate U\+D800"
    ):
        Holder(name="Jane\ud800", rank="", number="1", force="f")


def test_holder_names_in_any_script_are_accepted() -> None:
    for name in ("Siân Jones", "Zoë Ørsted", "Мария Иванова", "李小龍"):
        assert Holder(name=name, rank="DC", number="1", force="f").name == name


def test_overlong_holder_field_is_refused() -> None:
    with pytest.raises(TrustStoreError, match="longer than 256"):
        dataclasses.replace(HOLDER, force="x" * 257)


# --- names and roles -------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["met.police.uk/officer/1234", "a", "casefile.example/checkpoint-1", "Siân/ü"]
)
def test_valid_note_names_are_accepted(name: str) -> None:
    assert check_note_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "a b", "a+b", "a\tb", "a\u00a0b", "a\u2003b", "a\u3000b", "a\nb", "a\x00b", "\ud800"],
)
def test_note_name_that_would_break_a_signed_note_is_refused(name: str) -> None:
    with pytest.raises(TrustStoreError, match=r"^name: "):
        check_note_name(name)


# Characters that render as nothing or reorder the text around them.
_INVISIBLE = st.sampled_from(
    [
        *("\u00ad", "\u061c", "\u180e", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f"),
        *("\u2028", "\u2029", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2060"),
        *("\u2061", "\u2062", "\u2063", "\u2064", "\u2066", "\u2067", "\u2068", "\u2069"),
        *("\u206a", "\ufeff", "\ufff9", "\U0001d173", "\U000e0001", "\U000e0041"),
    ]
)


@given(st.sampled_from(["met.police.uk/officer/1234", "Siân/ü"]), _INVISIBLE, st.data())
def test_note_name_with_invisible_or_bidi_character_is_refused(
    name: str, mark: str, data: st.DataObject
) -> None:
    # "officer/1234" and "officer/12\u200b34" would look the same on screen.
    at = data.draw(st.integers(0, len(name)))
    with pytest.raises(TrustStoreError, match=r"^name: contains the invisible formatting"):
        check_note_name(name[:at] + mark + name[at:])


@given(st.sampled_from(["name", "rank", "number", "force"]), _INVISIBLE, st.data())
def test_holder_text_with_invisible_or_bidi_character_is_refused(
    field: str, mark: str, data: st.DataObject
) -> None:
    # A right-to-left override would show a court "PC 4321" for "PC 1234".
    text = getattr(HOLDER, field)
    at = data.draw(st.integers(0, len(text)))
    with pytest.raises(TrustStoreError, match=rf"^holder.{field}: contains the invisible"):
        dataclasses.replace(HOLDER, **{field: text[:at] + mark + text[at:]})


def test_every_format_character_is_refused() -> None:
    # The list in the library is frozen at Unicode 15.0; it must cover every
    # Cf character the running Python knows of.
    for code in range(0x110000):
        if unicodedata.category(chr(code)) == "Cf":
            with pytest.raises(TrustStoreError, match=f"U\\+{code:04X}"):
                check_note_name("a" + chr(code))


@pytest.mark.parametrize("text", ["Sia\u0302n", "e\u0301", "\u212b", "\u0958"])
def test_text_not_in_nfc_is_refused_not_normalised(text: str) -> None:
    # "Siân" typed with a combining circumflex must not be a second "Siân".
    with pytest.raises(TrustStoreError, match=r"^name: is not in Unicode normalisation form NFC"):
        check_note_name(text)
    with pytest.raises(TrustStoreError, match=r"^holder\.name: is not in Unicode normalisation"):
        dataclasses.replace(HOLDER, name=text)


@pytest.mark.parametrize("role", ["recorder", "checkpoint", "custody.officer", "a", "x-1_2"])
def test_valid_roles_are_accepted(role: str) -> None:
    assert check_role(role) == role


@pytest.mark.parametrize("role", ["", "Recorder", "recorder ", "1abc", "a" * 65, "*", 7])
def test_malformed_role_is_refused(role: object) -> None:
    with pytest.raises(TrustStoreError, match="is not a role name"):
        check_role(role)


# --- TrustEntry ---------------------------------------------------------------


def test_entry_key_id_is_the_public_key_id() -> None:
    entry = _entry()
    assert entry.key_id == _key(1).key_id
    assert len(entry.key_id) == 32


def test_key_used_after_revocation_is_not_valid() -> None:
    entry = _entry(valid_until=None, revoked_at=1_500)
    assert entry.valid_at(1_499)
    assert not entry.valid_at(1_500)
    assert not entry.valid_at(10**18)


def test_key_used_before_valid_from_is_not_valid() -> None:
    entry = _entry()
    assert not entry.valid_at(999)
    assert entry.valid_at(1_000)


def test_key_used_at_valid_until_is_not_valid() -> None:
    entry = _entry()
    assert entry.valid_at(1_999)
    assert not entry.valid_at(2_000)


def test_key_revoked_before_its_window_is_never_valid() -> None:
    entry = _entry(revoked_at=500)
    assert not any(entry.valid_at(t) for t in (0, 999, 1_000, 1_500, 1_999, 2_000))


def test_key_without_end_stays_valid() -> None:
    assert _entry(valid_until=None).valid_at(10**20)


@settings(max_examples=300)
@given(
    valid_from=st.integers(-(10**19), 10**19),
    length=st.none() | st.integers(1, 10**19),
    revoked_at=st.none() | st.integers(-(10**19), 2 * 10**19),
    t=st.integers(-(10**21), 10**21),
)
def test_valid_at_matches_the_written_rule(
    valid_from: int, length: int | None, revoked_at: int | None, t: int
) -> None:
    valid_until = None if length is None else valid_from + length
    entry = _entry(valid_from=valid_from, valid_until=valid_until, revoked_at=revoked_at)
    expected = (
        valid_from <= t
        and (valid_until is None or t < valid_until)
        and (revoked_at is None or t < revoked_at)
    )
    assert entry.valid_at(t) is expected


@pytest.mark.parametrize("valid_until", [1_000, 999])
def test_window_that_ends_before_it_starts_is_refused(valid_until: int) -> None:
    with pytest.raises(TrustStoreError, match="valid_until: must be later than valid_from"):
        _entry(valid_until=valid_until)


def test_entry_without_roles_is_refused() -> None:
    with pytest.raises(TrustStoreError, match="roles: must name at least one role"):
        _entry(roles=frozenset())


@pytest.mark.parametrize("roles", [{"recorder"}, ["recorder"], "recorder"])
def test_mutable_or_loose_roles_are_refused(roles: object) -> None:
    with pytest.raises(TrustStoreError, match="roles: expected a frozenset"):
        _entry(roles=roles)


@pytest.mark.parametrize(
    ("field", "value"),
    [("valid_from", True), ("valid_from", 1.5), ("valid_until", "2026"), ("revoked_at", 1.0)],
)
def test_time_that_is_not_integer_nanoseconds_is_refused(field: str, value: object) -> None:
    with pytest.raises(TrustStoreError, match=f"{field}: expected integer nanoseconds"):
        _entry(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [("valid_from", -(2**70)), ("valid_until", 2**70), ("revoked_at", 253_402_300_800 * 10**9)],
)
def test_time_outside_the_writable_range_is_refused(field: str, value: int) -> None:
    # Such an entry could not be written back to a trust store file.
    with pytest.raises(TrustStoreError, match=f"{field}: .* outside the years 0001-9999"):
        _entry(**{field: value})


def test_raw_bytes_instead_of_a_validated_key_are_refused() -> None:
    with pytest.raises(TrustStoreError, match="public_key: expected a PublicKey"):
        _entry(public_key=_key(1).raw)


def test_entry_with_invalid_note_name_is_refused() -> None:
    with pytest.raises(TrustStoreError, match=r"name: .* not allowed in a note key name"):
        _entry(name="officer 1234")


def test_has_role() -> None:
    entry = _entry(roles=frozenset({"recorder", "supervisor"}))
    assert entry.has_role({"supervisor", "checkpoint"})
    assert not entry.has_role({"checkpoint"})
    assert not entry.has_role(())


# --- TrustPolicy --------------------------------------------------------------


def test_default_policy_needs_recorder_for_records_and_checkpoint_for_checkpoints() -> None:
    assert DEFAULT_POLICY.roles_for("case.opened") == frozenset({"recorder"})
    assert DEFAULT_POLICY.roles_for("anything.else") == frozenset({"recorder"})
    assert DEFAULT_POLICY.checkpoint_roles == frozenset({"checkpoint"})


def test_a_recorder_key_cannot_make_a_prosecutors_decision_under_the_default_policy() -> None:
    for decided in ("charging.decided", "unused.decided"):
        assert DEFAULT_POLICY.roles_for(decided) == frozenset({"prosecutor"})
    # The request for a decision, and the charge that follows it, are the police's.
    for recorded in ("charging.requested", "offence.charged", "unused.item_recorded"):
        assert DEFAULT_POLICY.roles_for(recorded) == frozenset({"recorder"})


def test_listed_type_overrides_the_wildcard() -> None:
    policy = TrustPolicy(
        record_roles={
            "*": frozenset({"recorder"}),
            "case.handed_over": frozenset({"supervisor"}),
        },
        checkpoint_roles=frozenset({"checkpoint"}),
    )
    assert policy.roles_for("case.handed_over") == frozenset({"supervisor"})
    assert policy.roles_for("case.opened") == frozenset({"recorder"})


def test_unlisted_type_without_wildcard_is_signable_by_no_role() -> None:
    policy = TrustPolicy(
        record_roles={"case.opened": frozenset({"recorder"})},
        checkpoint_roles=frozenset({"checkpoint"}),
    )
    assert policy.roles_for("case.closed") == frozenset()


def test_policy_does_not_change_when_the_callers_dict_does() -> None:
    roles = {"*": frozenset({"recorder"})}
    policy = TrustPolicy(record_roles=roles, checkpoint_roles=frozenset({"checkpoint"}))
    roles["*"] = frozenset({"anyone"})
    roles["case.opened"] = frozenset({"anyone"})
    assert policy.roles_for("case.opened") == frozenset({"recorder"})
    with pytest.raises(TypeError):
        policy.record_roles["*"] = frozenset({"anyone"})  # type: ignore[index]


def test_equal_policies_are_equal_and_hash_alike() -> None:
    a = TrustPolicy({"b.x": frozenset({"r"}), "*": frozenset({"r"})}, frozenset({"c"}))
    b = TrustPolicy({"*": frozenset({"r"}), "b.x": frozenset({"r"})}, frozenset({"c"}))
    assert a == b
    assert hash(a) == hash(b)
    assert a != TrustPolicy({"*": frozenset({"r"})}, frozenset({"c"}))


@pytest.mark.parametrize("event_type", ["Case.Opened", "", "case opened", "a" * 65, "**"])
def test_policy_for_a_malformed_type_name_is_refused(event_type: str) -> None:
    with pytest.raises(TrustStoreError, match=r"policy.record_roles: .* neither"):
        TrustPolicy({event_type: frozenset({"recorder"})}, frozenset({"checkpoint"}))


def test_policy_type_that_nobody_may_sign_must_be_said_another_way() -> None:
    with pytest.raises(TrustStoreError, match=r"policy.record_roles\['case.opened'\]: must name"):
        TrustPolicy({"case.opened": frozenset()}, frozenset({"checkpoint"}))


def test_policy_without_checkpoint_roles_is_refused() -> None:
    with pytest.raises(TrustStoreError, match=r"policy.checkpoint_roles: must name"):
        TrustPolicy({"*": frozenset({"recorder"})}, frozenset())


# --- TrustStore ---------------------------------------------------------------


def test_store_finds_entries_by_key_id_and_name() -> None:
    store = TrustStore([_entry(1), _entry(2)])
    assert store.get(_key(2).key_id) == _entry(2)
    assert store.get(bytes(32)) is None
    assert store.by_name("met.police.uk/officer/1") == _entry(1)
    assert store.by_name("nobody") is None
    assert _key(1).key_id in store
    assert bytes(32) not in store
    assert len(store) == 2
    assert store.policy == DEFAULT_POLICY


def test_entries_with_role() -> None:
    checkpointer = _entry(3, roles=frozenset({"checkpoint"}))
    both = _entry(4, roles=frozenset({"checkpoint", "recorder"}))
    store = TrustStore([_entry(1), checkpointer, both])
    assert store.entries_with_role("checkpoint") == (checkpointer, both)
    assert store.entries_with_role("recorder") == (_entry(1), both)
    assert store.entries_with_role("supervisor") == ()


def test_duplicate_key_in_store_is_refused() -> None:
    twin = _entry(1, name="someone.else/1")
    with pytest.raises(TrustStoreError, match=r"keys\[2\].public_key: same key as keys\[0\]"):
        TrustStore([_entry(1), _entry(2), twin])


def test_duplicate_name_in_store_is_refused() -> None:
    # Two keys under one note name would let a checkpoint signature be
    # attributed to the wrong holder.
    impostor = _entry(2, name="met.police.uk/officer/1")
    with pytest.raises(TrustStoreError, match=r"keys\[1\].name: same name as keys\[0\]"):
        TrustStore([_entry(1), impostor])


def test_store_of_non_entries_is_refused() -> None:
    with pytest.raises(TrustStoreError, match=r"keys\[0\]: expected a TrustEntry"):
        TrustStore([_key(1)])  # type: ignore[list-item]
    with pytest.raises(TrustStoreError, match="policy: expected a TrustPolicy"):
        TrustStore([], policy={})  # type: ignore[arg-type]


def test_store_equality_ignores_the_order_entries_were_given_in() -> None:
    a = TrustStore([_entry(1), _entry(2), _entry(3)])
    b = TrustStore([_entry(3), _entry(1), _entry(2)])
    assert a == b
    assert hash(a) == hash(b)
    assert [entry.name for entry in a] == sorted(entry.name for entry in a)


def test_subset_keeps_only_the_named_keys_and_the_policy() -> None:
    policy = TrustPolicy({"*": frozenset({"recorder"})}, frozenset({"checkpoint", "auditor"}))
    store = TrustStore([_entry(1), _entry(2), _entry(3)], policy)
    part = store.subset([_key(3).key_id, _key(1).key_id, _key(1).key_id])
    assert part == TrustStore([_entry(1), _entry(3)], policy)
    assert store.subset([]) == TrustStore([], policy)


def test_subset_with_an_unknown_key_is_refused() -> None:
    store = TrustStore([_entry(1)])
    with pytest.raises(
        TrustStoreError, match=f"key id {bytes(32).hex()} is not in the trust store"
    ):
        store.subset([bytes(32)])


def test_store_is_immutable() -> None:
    store = TrustStore([_entry(1)])
    with pytest.raises(dataclasses.FrozenInstanceError):
        store.entries = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        store._by_id[bytes(32)] = _entry(2)  # type: ignore[index]


def test_trust_store_error_is_an_input_error() -> None:
    assert issubclass(TrustStoreError, InputError)
