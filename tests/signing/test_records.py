"""Record sealing and parsing (docs/FORMAT.md §3), and commitments (§4)."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _casebuilder import CountingSalts, signer_from
from casefile.encoding import decode, encode
from casefile.errors import (
    DecodeError,
    DisclosureError,
    EncodeError,
    MalformedRecordError,
    RepeatedSaltError,
)
from casefile.signing._commitments import Disclosure, commit, commit_fields
from casefile.signing._keys import verify_signature
from casefile.signing._records import (
    ZERO_HASH,
    pae,
    parse_record,
    record_hash,
    seal_record,
    signing_input,
)

SIGNER = signer_from("records")
CASE = uuid.UUID("6f1c2a4e-0000-4000-8000-000000000001")

# The record layer is independent of what payloads say: these records are any payload.
pytestmark = pytest.mark.payload_not_checked


def seal(**overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "case_id": CASE,
        "seq": 1,
        "prev": ZERO_HASH,
        "event_type": "note.added",
        "schema": 1,
        "time_ns": 1_700_000_000_000_000_000,
        "data": {"text": "hello"},
        "signer": SIGNER,
    }
    fields.update(overrides)
    return seal_record(**fields)


def test_pae_matches_the_dsse_definition() -> None:
    assert pae(b"t", b"body") == b"DSSEv1 1 t 4 body"
    assert pae(b"", b"") == b"DSSEv1 0  0 "


def test_sealed_record_parses_back_to_its_header_and_signature_verifies() -> None:
    rec = seal(data={"text": "x", "n": 3})
    parsed = parse_record(rec.raw)
    assert parsed.header == rec.header
    assert parsed.hash == rec.hash == record_hash(rec.raw)
    assert verify_signature(
        SIGNER.public_key.raw, signing_input(parsed.header_bytes), parsed.signature
    )


nfc = st.text(max_size=20).filter(lambda s: s == __import__("unicodedata").normalize("NFC", s))
payloads = st.dictionaries(
    nfc, st.none() | st.integers(-(2**63), 2**63) | nfc | st.binary(max_size=20), max_size=6
)


@given(payloads, st.integers(min_value=1, max_value=2**40), st.integers(-(2**63), 2**63 - 1))
def test_any_payload_round_trips(data: dict[str, Any], seq: int, time_ns: int) -> None:
    rec = seal(data=data, seq=seq, prev=b"\x07" * 32, time_ns=time_ns)
    parsed = parse_record(rec.raw)
    assert dict(parsed.header.data) == data
    assert parsed.header.seq == seq
    assert parsed.header.time_ns == time_ns


@given(st.binary(max_size=200))
def test_record_framing_agrees_with_the_generic_canonical_decoder(raw: bytes) -> None:
    # Differential test: the byte-wise frame check accepts exactly what the
    # canonical decoder accepts as a {rec: bytes, sig: 64 bytes} map.
    try:
        value = decode(raw)
        generic_ok = (
            type(value) is dict
            and value.keys() == {"rec", "sig"}
            and type(value["rec"]) is bytes
            and type(value["sig"]) is bytes
            and len(value["sig"]) == 64
        )
    except DecodeError:
        generic_ok = False
    try:
        parse_record(raw)
        frame_ok = True
    except MalformedRecordError as exc:
        frame_ok = exc.step != "V1"
    assert frame_ok == generic_ok


@given(st.binary(min_size=0, max_size=70_000), st.binary(min_size=64, max_size=64))
def test_frames_of_any_header_length_are_recognised(header: bytes, sig: bytes) -> None:
    raw = encode({"rec": header, "sig": sig})
    with pytest.raises(MalformedRecordError) as caught:
        parse_record(raw)
    assert caught.value.step == "V2"  # framing passed; the header is junk


def test_non_minimal_bin_length_in_frame_is_rejected() -> None:
    rec = seal()
    header = parse_record(rec.raw).header_bytes
    forged = b"\x82\xa3rec\xc5" + len(header).to_bytes(2, "big") + header + rec.raw[-70:]
    with pytest.raises(MalformedRecordError, match="shortest"):
        parse_record(forged)


def test_trailing_bytes_after_the_signature_are_rejected() -> None:
    with pytest.raises(MalformedRecordError, match="nothing after"):
        parse_record(seal().raw + b"\x00")


@pytest.mark.parametrize(
    ("header_change", "match"),
    [
        ({"v": 3}, "unsupported format version 3"),
        ({"v": True}, "unsupported format version bool"),
        ({"seq": 0}, "seq"),
        ({"prev": b"short"}, "prev"),
        ({"type": "Not.Valid"}, "type"),
        ({"schema": 0}, "schema"),
        ({"key": b"k"}, "key"),
        ({"data": []}, "data"),
        ({"pd": {"name": b"x"}}, "commitment must be 32 bytes"),
        ({"extra": 1}, "exactly the keys"),
        ({"case": b"x" * 15}, "case must be 16 bytes"),
    ],
)
def test_header_fields_outside_the_format_are_rejected(header_change: dict, match: str) -> None:
    rec = seal()
    header = decode(parse_record(rec.raw).header_bytes)
    header.update(header_change)
    forged = encode({"rec": encode(header), "sig": b"\x00" * 64})
    with pytest.raises(MalformedRecordError, match=match):
        parse_record(forged)


def test_record_of_format_version_1_is_refused_by_name() -> None:
    # Version 1 signed free text in clear; no deployment holds it, so it is
    # refused with a message that says why rather than read.
    rec = seal()
    header = decode(parse_record(rec.raw).header_bytes)
    header["v"] = 1
    forged = encode({"rec": encode(header), "sig": b"\x00" * 64})
    with pytest.raises(MalformedRecordError) as caught:
        parse_record(forged)
    assert caught.value.step == "V2"
    assert "format version 1 is not read by this version (2)" in str(caught.value)
    assert "predates redactable text" in str(caught.value)


@pytest.mark.parametrize(
    "name",
    ["", "Name", "1name", "_name", "na me", "name\u200b", "na\u00efve", "a.b", "a-b", "n" * 65],
)
def test_commitment_under_a_name_outside_the_field_grammar_is_rejected(name: str) -> None:
    # A name no disclosure policy can list would make the field impossible to
    # release or withhold by name; one that merely looks like another would mislead.
    rec = seal()
    header = decode(parse_record(rec.raw).header_bytes)
    header["pd"] = {name: bytes(32)}
    forged = encode({"rec": encode(header), "sig": b"\x00" * 64})
    with pytest.raises(MalformedRecordError, match=r"commitment name must be a lower-case") as e:
        parse_record(forged)
    assert e.value.step == "V2"
    with pytest.raises(ValueError, match="is not a lower-case ASCII letter"):
        commit_fields(CASE, 1, {name: "x"})


def test_disclosure_under_a_name_outside_the_field_grammar_is_rejected() -> None:
    data = encode({"case": CASE.bytes, "name": "Name", "salt": bytes(16), "seq": 1, "value": 1})
    with pytest.raises(DisclosureError, match="must be a field name") as caught:
        Disclosure.from_bytes(data)
    assert caught.value.step == "V11"


def test_longest_field_name_is_accepted() -> None:
    name = "n" + "_0" * 31 + "z"
    assert len(name) == 64
    commitments, disclosures = commit_fields(CASE, 1, {name: "x"})
    assert Disclosure.from_bytes(disclosures[0].to_bytes()).name == name
    assert list(commitments) == [name]


def test_non_canonical_header_is_rejected() -> None:
    rec = seal()
    header = decode(parse_record(rec.raw).header_bytes)
    unsorted = msgpack.packb(dict(reversed(list(header.items()))), use_bin_type=True)
    with pytest.raises(MalformedRecordError, match="sorted"):
        parse_record(encode({"rec": unsorted, "sig": b"\x00" * 64}))


def test_sealing_refuses_payloads_outside_the_profile_naming_the_path() -> None:
    with pytest.raises(EncodeError, match=r"data.people\[0\].age: float"):
        seal(data={"people": [{"age": 30.5}]})
    with pytest.raises(EncodeError, match="type"):
        seal(event_type="Bad Type")


def test_signer_returning_a_wrong_size_signature_is_refused() -> None:
    class Broken:
        public_key = SIGNER.public_key

        def sign(self, message: bytes) -> bytes:
            return b"short"

    with pytest.raises(ValueError, match="64-byte"):
        seal(signer=Broken())


# --- commitments -----------------------------------------------------------


_field_names = st.from_regex(r"[a-z][a-z0-9_]{0,63}", fullmatch=True)


@given(_field_names, st.binary(min_size=16, max_size=64), nfc)
def test_disclosure_round_trips_and_matches_its_commitment(
    name: str, salt: bytes, value: str
) -> None:
    d = Disclosure(CASE, 3, name, salt, value)
    again = Disclosure.from_bytes(d.to_bytes())
    assert again == d
    assert again.commitment() == commit(name, salt, value)


def test_commitment_binds_name_salt_and_value() -> None:
    salt = b"s" * 16
    base = commit("name", salt, "Alex Doe")
    assert commit("alias", salt, "Alex Doe") != base
    assert commit("name", b"t" * 16, "Alex Doe") != base
    assert commit("name", salt, "Alex Do") != base


def test_short_salts_are_refused() -> None:
    with pytest.raises(ValueError, match="salt"):
        commit("name", b"s" * 15, "x")
    d = Disclosure(CASE, 1, "name", b"s" * 8, "x")
    with pytest.raises(DisclosureError, match="salt"):
        Disclosure.from_bytes(d.to_bytes())


def test_commit_fields_gives_one_fresh_salt_per_field() -> None:
    commitments, disclosures = commit_fields(
        CASE, 4, {"name": "A", "dob": "2000-01-01"}, random_bytes=CountingSalts()
    )
    assert sorted(commitments) == ["dob", "name"]
    assert len({d.salt for d in disclosures}) == 2
    assert all(commitments[d.name] == d.commitment() for d in disclosures)


def test_salt_source_repeating_within_a_record_is_refused_before_sealing() -> None:
    with pytest.raises(RepeatedSaltError, match="repeated a salt"):
        commit_fields(CASE, 1, {"name": "A", "dob": "B"}, random_bytes=lambda n: b"s" * n)


def test_salt_source_repeating_across_records_is_refused_before_sealing() -> None:
    used: set[bytes] = set()
    stuck = CountingSalts()
    first, _ = commit_fields(CASE, 1, {"name": "Jane"}, random_bytes=stuck, used=used)
    stuck.n = 0  # the source starts its sequence again (a restored snapshot, say)
    with pytest.raises(RepeatedSaltError, match="repeated a salt"):
        commit_fields(CASE, 2, {"name": "Jane"}, random_bytes=stuck, used=used)
    assert used == set(first.values())  # nothing of the refused record was kept


@pytest.mark.parametrize(
    "fields",
    [
        {"case": b"x", "name": "n", "salt": b"s" * 16, "seq": 1, "value": 1},
        {"case": CASE.bytes, "name": "", "salt": b"s" * 16, "seq": 1, "value": 1},
        {"case": CASE.bytes, "name": "n", "salt": b"s" * 16, "seq": 0, "value": 1},
        {"case": CASE.bytes, "name": "n", "salt": b"s" * 16, "seq": 1},
    ],
)
def test_malformed_disclosures_are_rejected(fields: dict) -> None:
    with pytest.raises(DisclosureError):
        Disclosure.from_bytes(encode(fields))


@given(st.binary(max_size=70_000), st.binary(min_size=64, max_size=64))
def test_hand_built_frame_equals_the_canonical_encoding(header: bytes, sig: bytes) -> None:
    from casefile.signing._records import _frame

    assert _frame(header, sig) == encode({"rec": header, "sig": sig})


# --- hostile header values --------------------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.text(max_size=8).filter(lambda s: unicodedata.is_normalized("NFC", s)),
    st.binary(max_size=40),
)
_PROFILE_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text("abc", max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)
_HEADER_FIELDS = ("v", "case", "seq", "prev", "type", "schema", "time", "key", "data", "pd")


@given(st.sampled_from(_HEADER_FIELDS), _PROFILE_VALUES)
def test_any_value_in_any_header_field_is_malformed_or_parses_never_a_crash(
    field: str, value: Any
) -> None:
    # A list or map where a string is expected once escaped as a raw TypeError
    # (unhashable) from the type-name cache, before any signature was checked.
    header = decode(parse_record(seal().raw).header_bytes)
    header[field] = value
    forged = encode({"rec": encode(header), "sig": b"\x00" * 64})
    steps = []
    try:
        parse_record(forged)
    except MalformedRecordError as exc:
        steps.append(exc.step)
    assert steps in ([], ["V2"])


@pytest.mark.parametrize("value", [[], ["note.added"], {}, {"a": 1}])
def test_record_type_that_is_a_list_or_map_is_malformed_not_a_type_error(value: Any) -> None:
    header = decode(parse_record(seal().raw).header_bytes)
    header["type"] = value
    forged = encode({"rec": encode(header), "sig": b"\x00" * 64})
    with pytest.raises(MalformedRecordError, match="type"):
        parse_record(forged)


_HUGE = 1 << 20


@pytest.mark.parametrize(
    "change",
    [
        {"v": b"\x00" * _HUGE},  # repr() quadruples it
        {"v": "v" * _HUGE},
        {"pd": {"n" * _HUGE: b"short"}},
        {"k" * _HUGE: 1},  # an unexpected key, listed in the message
        {"data": {"k" * _HUGE: [1.5]}},  # a float, named by its path
    ],
)
def test_error_message_for_a_huge_hostile_header_value_stays_short(change: dict) -> None:
    # The report form keeps up to a thousand errors: a message that quotes a
    # 16 MiB value in full would let one compressible records.bin take gigabytes.
    header = decode(parse_record(seal().raw).header_bytes)
    data = change.pop("data", None)
    header.update(change)
    raw_header = encode(header)
    if data is not None:
        raw_header = msgpack.packb({**header, "data": data}, use_bin_type=True)
    forged = encode({"rec": raw_header, "sig": b"\x00" * 64})
    with pytest.raises(MalformedRecordError) as caught:
        parse_record(forged)
    assert caught.value.step == "V2"
    assert len(str(caught.value)) < 1000


@given(payloads, st.integers(min_value=1, max_value=2**40))
def test_authenticated_parse_agrees_with_the_full_parse_on_sealed_records(
    data: dict[str, Any], seq: int
) -> None:
    from casefile.signing._records import parse_authenticated_record, parse_record_fields

    raw = seal(data=data, seq=seq).raw
    header_bytes, signature, fields, _digest = parse_record_fields(raw)
    assert parse_authenticated_record(raw) == (header_bytes, signature, fields)


def test_authenticated_parse_still_refuses_a_malformed_header() -> None:
    from casefile.signing._records import parse_authenticated_record

    header = decode(parse_record(seal().raw).header_bytes)
    header["seq"] = 0
    with pytest.raises(MalformedRecordError, match="seq") as caught:
        parse_authenticated_record(encode({"rec": encode(header), "sig": b"\x00" * 64}))
    assert caught.value.step == "V2"
