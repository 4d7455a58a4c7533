"""The trust store JSON format: strict, path-naming parsing and deterministic output."""

from __future__ import annotations

import base64
import contextlib
import json
import operator
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casefile._time import MAX_TIME_NS, MIN_TIME_NS
from casefile.errors import TrustStoreError
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import (
    DEFAULT_POLICY,
    Holder,
    TrustEntry,
    TrustPolicy,
    TrustStore,
)
from casefile.signing._trust_json import (
    MAX_TRUST_STORE_SIZE,
    dump_trust_store,
    load_trust_store,
    parse_trust_store,
)

REPO = Path(__file__).resolve().parents[2]


def _b64(n: int) -> str:
    return base64.b64encode(InMemorySigner(bytes([n]) * 32).public_key.raw).decode()


def _key_doc(n: int = 1) -> dict[str, Any]:
    return {
        "public_key": _b64(n),
        "key_id": InMemorySigner(bytes([n]) * 32).public_key.key_id.hex(),
        "name": f"met.police.uk/officer/{n}",
        "holder": {"name": "Jane Smith", "rank": "PC", "number": str(n), "force": "Met"},
        "roles": ["recorder"],
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2027-01-01T00:00:00Z",
        "revoked_at": None,
    }


def _doc() -> dict[str, Any]:
    return {
        "format": "casefile-trust-store",
        "version": 1,
        "keys": [_key_doc(1), _key_doc(2)],
        "policy": {
            "record_roles": {"*": ["recorder"], "case.handed_over": ["recorder", "supervisor"]},
            "checkpoint_roles": ["checkpoint"],
        },
    }


def _parse(doc: Any) -> TrustStore:
    return parse_trust_store(json.dumps(doc))


# --- accepted documents --------------------------------------------------------


def test_documented_examples_parse() -> None:
    spec = (REPO / "docs" / "FORMAT.md").read_text("utf-8")
    text = spec[spec.index("## 7. Trust store") : spec.index("## 8. ")]
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    assert len(blocks) == 3
    # §7.1.4's example is a member of the document: added to §7.1's, it parses.
    with_tsa = parse_trust_store(blocks[0].rstrip().rstrip("}") + ", " + blocks[2] + "}")
    assert with_tsa.timestamping is not None
    assert len(with_tsa.timestamping.anchors) == 1
    assert with_tsa.timestamping.max_skew_seconds == 300
    store = parse_trust_store(blocks[0])
    assert len(store) == 2
    checkpoint = store.by_name("casefile.met.police.uk/checkpoint")
    assert checkpoint is not None
    assert checkpoint.revoked_at == 1_782_854_100_500_000_000
    assert store.policy.roles_for("case.handed_over") == frozenset({"recorder", "supervisor"})
    policy = json.loads(blocks[1])
    default = _doc()
    default["policy"] = policy
    assert _parse(default).policy == DEFAULT_POLICY


def test_document_parses_to_the_expected_values() -> None:
    store = _parse(_doc())
    entry = store.by_name("met.police.uk/officer/2")
    assert entry is not None
    assert entry.public_key == InMemorySigner(b"\x02" * 32).public_key
    assert entry.holder == Holder(name="Jane Smith", rank="PC", number="2", force="Met")
    assert entry.roles == frozenset({"recorder"})
    assert entry.valid_from == 1_767_225_600 * 10**9
    assert entry.valid_until == 1_798_761_600 * 10**9
    assert entry.revoked_at is None
    assert store.policy.roles_for("case.handed_over") == frozenset({"recorder", "supervisor"})
    assert store.policy.checkpoint_roles == frozenset({"checkpoint"})


def test_optional_fields_may_be_omitted() -> None:
    doc = _doc()
    del doc["policy"]
    for key in doc["keys"]:
        del key["key_id"], key["valid_until"], key["revoked_at"]
    store = _parse(doc)
    assert store.policy == DEFAULT_POLICY
    assert all(e.valid_until is None and e.revoked_at is None for e in store)


def test_bytes_and_text_give_the_same_store() -> None:
    text = json.dumps(_doc(), ensure_ascii=False)
    assert parse_trust_store(text) == parse_trust_store(text.encode("utf-8"))
    assert parse_trust_store(bytearray(text.encode("utf-8"))) == parse_trust_store(text)  # type: ignore[arg-type]


def test_empty_store_is_allowed() -> None:
    doc = _doc()
    doc["keys"] = []
    assert len(_parse(doc)) == 0


# --- rejected documents: every path ---------------------------------------------------


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return change


ZERO_KEY = base64.b64encode(bytes(32)).decode()
IDENTITY_KEY = base64.b64encode(bytes([1]) + bytes(31)).decode()
ORDER_8_KEY = base64.b64encode(
    bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa")
).decode()
MIXED_ORDER_KEY = base64.b64encode(
    bytes.fromhex("cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d")
).decode()
GOOD = _b64(1)
# The last base64 character carries two padding bits; setting one gives a
# second spelling of the same 32 bytes.
NON_CANONICAL = GOOD[:-2] + chr(ord(GOOD[-2]) + 1) + "="

REJECTIONS = [
    ("top-level-array", lambda d: d.clear(), None, r"\$: missing field 'format'"),
    ("format", _set(("format",), "casefile-trust"), None, "format: expected"),
    ("version-2", _set(("version",), 2), None, "version: expected 1"),
    ("version-string", _set(("version",), "1"), None, "version: expected 1"),
    ("version-bool", _set(("version",), True), None, "version: expected 1"),
    ("version-float", _set(("version",), 1.0), None, "version: expected 1"),
    ("unknown-top", _set(("extra",), 1), None, r"\$: unknown field 'extra'"),
    ("missing-keys", _delete(("keys",)), None, r"\$: missing field 'keys'"),
    ("keys-object", _set(("keys",), {}), None, "keys: expected an array"),
    ("entry-string", _set(("keys", 1), "key"), None, r"keys\[1\]: expected a JSON object"),
    ("unknown-entry", _set(("keys", 1, "comment"), "x"), None, r"keys\[1\]: unknown field"),
    ("missing-name", _delete(("keys", 0, "name")), None, r"keys\[0\]: missing field 'name'"),
    ("key-number", _set(("keys", 0, "public_key"), 7), None, r"keys\[0\].public_key: expected a"),
    ("key-bad-char", _set(("keys", 0, "public_key"), "*" + GOOD[1:]), None, "not valid base64"),
    ("key-no-padding", _set(("keys", 0, "public_key"), GOOD[:-1]), None, "not valid base64"),
    ("key-newline", _set(("keys", 0, "public_key"), GOOD[:20] + "\n" + GOOD[20:]), None, "base64"),
    ("key-urlsafe", _set(("keys", 0, "public_key"), "_-" + GOOD[2:]), None, "not valid base64"),
    ("key-padding-bits", _set(("keys", 0, "public_key"), NON_CANONICAL), None, "non-canonical"),
    (
        "key-short",
        _set(("keys", 0, "public_key"), base64.b64encode(bytes(31)).decode()),
        None,
        "32",
    ),
    ("key-zero", _set(("keys", 0, "public_key"), ZERO_KEY), "key_id", "not a valid Ed25519"),
    ("key-identity", _set(("keys", 0, "public_key"), IDENTITY_KEY), "key_id", "small-order"),
    ("key-order-8", _set(("keys", 0, "public_key"), ORDER_8_KEY), "key_id", "small-order"),
    ("key-mixed", _set(("keys", 0, "public_key"), MIXED_ORDER_KEY), "key_id", "not a valid"),
    ("key-id-other", _set(("keys", 1, "key_id"), "00" * 32), None, r"keys\[1\].key_id: does not"),
    ("key-id-upper", _set(("keys", 0, "key_id"), "AB" * 32), None, "64 lower-case hex"),
    ("key-id-short", _set(("keys", 0, "key_id"), "ab" * 31), None, "64 lower-case hex"),
    ("key-id-null", _set(("keys", 0, "key_id"), None), None, r"keys\[0\].key_id: expected a str"),
    ("name-space", _set(("keys", 0, "name"), "met officer"), None, r"keys\[0\].name: 'met"),
    ("name-plus", _set(("keys", 0, "name"), "met+1"), None, r"keys\[0\].name: .*'\+'"),
    ("name-empty", _set(("keys", 0, "name"), ""), None, r"keys\[0\].name: must not be empty"),
    ("name-list", _set(("keys", 0, "name"), ["a"]), None, r"keys\[0\].name: expected a string"),
    ("holder-list", _set(("keys", 0, "holder"), []), None, r"keys\[0\].holder: expected a JSON"),
    ("holder-extra", _set(("keys", 0, "holder", "x"), ""), None, r"holder: unknown field 'x'"),
    ("holder-no-rank", _delete(("keys", 0, "holder", "rank")), None, r"holder: missing field"),
    ("holder-empty", _set(("keys", 0, "holder", "name"), ""), None, r"holder.name: must not be"),
    ("holder-null", _set(("keys", 0, "holder", "force"), None), None, r"holder.force: expected"),
    ("holder-ctrl", _set(("keys", 0, "holder", "number"), "1\x1b"), None, r"holder.number: cont"),
    ("roles-empty", _set(("keys", 0, "roles"), []), None, r"keys\[0\].roles: must name at least"),
    ("roles-string", _set(("keys", 0, "roles"), "recorder"), None, r"keys\[0\].roles: expected"),
    ("roles-dup", _set(("keys", 0, "roles"), ["a", "a"]), None, r"roles\[1\]: duplicate role"),
    ("roles-bad", _set(("keys", 0, "roles"), ["a", "B"]), None, r"roles\[1\]: 'B' is not a role"),
    ("roles-int", _set(("keys", 0, "roles"), [1]), None, r"roles\[0\]: 1 is not a role"),
    ("from-missing", _delete(("keys", 0, "valid_from")), None, "missing field 'valid_from'"),
    ("from-null", _set(("keys", 0, "valid_from"), None), None, r"valid_from: expected a string"),
    ("from-offset", _set(("keys", 0, "valid_from"), "2026-01-01T00:00:00+00:00"), None, "RFC"),
    ("from-number", _set(("keys", 0, "valid_from"), 1767225600), None, r"valid_from: expected"),
    ("until-bad", _set(("keys", 0, "valid_until"), "2027-02-30T00:00:00Z"), None, "no calendar"),
    ("until-equal", _set(("keys", 0, "valid_until"), "2026-01-01T00:00:00Z"), None, "later than"),
    ("until-before", _set(("keys", 0, "valid_until"), "2025-01-01T00:00:00Z"), None, "later than"),
    ("revoked-bad", _set(("keys", 1, "revoked_at"), "soon"), None, r"keys\[1\].revoked_at: 'soon'"),
    ("policy-list", _set(("policy",), []), None, "policy: expected a JSON object"),
    ("policy-extra", _set(("policy", "x"), 1), None, "policy: unknown field 'x'"),
    ("policy-missing", _delete(("policy", "checkpoint_roles")), None, "policy: missing field"),
    ("record-list", _set(("policy", "record_roles"), []), None, "policy.record_roles: expected"),
    ("record-type", _set(("policy", "record_roles", "Case.Opened"), ["a"]), None, "neither"),
    ("record-empty", _set(("policy", "record_roles", "*"), []), None, r"\['\*'\]: must name"),
    ("record-dup", _set(("policy", "record_roles", "*"), ["a", "a"]), None, "duplicate role"),
    ("checkpoint-none", _set(("policy", "checkpoint_roles"), []), None, "checkpoint_roles: must"),
    ("checkpoint-bad", _set(("policy", "checkpoint_roles"), [""]), None, "is not a role name"),
]


@pytest.mark.parametrize(
    ("change", "drop", "message"),
    [pytest.param(change, drop, message, id=name) for name, change, drop, message in REJECTIONS],
)
def test_malformed_document_is_rejected_naming_the_place(
    change: Callable[[dict[str, Any]], None], drop: str | None, message: str
) -> None:
    doc = _doc()
    if drop is not None:
        del doc["keys"][0][drop]
    change(doc)
    with pytest.raises(TrustStoreError, match=message):
        _parse(doc)


def test_small_order_key_in_trust_store_is_refused() -> None:
    doc = _doc()
    doc["keys"][1]["public_key"] = ORDER_8_KEY
    del doc["keys"][1]["key_id"]
    with pytest.raises(TrustStoreError) as caught:
        _parse(doc)
    assert str(caught.value).startswith("keys[1].public_key: not a valid Ed25519 public key")


def test_all_zero_key_in_trust_store_is_refused() -> None:
    doc = _doc()
    doc["keys"][0]["public_key"] = ZERO_KEY
    del doc["keys"][0]["key_id"]
    with pytest.raises(TrustStoreError, match=r"^keys\[0\]\.public_key: not a valid Ed25519"):
        _parse(doc)


def test_key_id_that_names_another_key_is_refused() -> None:
    # A reviewer reading key_id would approve a different key than the one used.
    doc = _doc()
    doc["keys"][0]["key_id"] = doc["keys"][1]["key_id"]
    with pytest.raises(TrustStoreError, match=r"^keys\[0\]\.key_id: does not match"):
        _parse(doc)


def test_same_key_listed_twice_is_refused() -> None:
    doc = _doc()
    twin = _key_doc(1)
    twin["name"] = "kent.police.uk/officer/1"
    doc["keys"].append(twin)
    with pytest.raises(TrustStoreError, match=r"^keys\[2\]\.public_key: same key as keys\[0\]$"):
        _parse(doc)


def test_same_name_for_two_keys_is_refused() -> None:
    doc = _doc()
    doc["keys"][1]["name"] = doc["keys"][0]["name"]
    with pytest.raises(TrustStoreError, match=r"^keys\[1\]\.name: same name as keys\[0\]$"):
        _parse(doc)


def test_look_alike_name_with_zero_width_space_is_refused_naming_the_place() -> None:
    doc = _doc()
    doc["keys"][1]["name"] = doc["keys"][0]["name"].replace("/", "/\u200b", 1)
    with pytest.raises(
        TrustStoreError,
        match=r"^keys\[1\]\.name: contains the invisible formatting character U\+200B at \d+$",
    ):
        _parse(doc)


def test_holder_with_bidi_override_is_refused_naming_the_place() -> None:
    doc = _doc()
    doc["keys"][0]["holder"]["number"] = "\u202e4321"
    with pytest.raises(TrustStoreError, match=r"^keys\[0\]\.holder\.number: contains the invis"):
        _parse(doc)


# --- hostile text ---------------------------------------------------------------

GOOD_TEXT = json.dumps(_doc())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": 1, "format": 2}', r"^\$: duplicate key 'format'$"),
        (
            GOOD_TEXT.replace('"name": "Jane Smith"', '"name": "Jane Smith", "name": "Eve"', 1),
            r"^keys\[0\]\.holder: duplicate key 'name'$",
        ),
        (
            GOOD_TEXT.replace('"roles": ["recorder"]', '"roles": ["recorder"], "roles": ["x"]', 1),
            r"^keys\[0\]: duplicate key 'roles'$",
        ),
        (
            GOOD_TEXT.replace('{"*": ["recorder"],', '{"*": ["recorder"], "*": ["anyone"],'),
            r"^policy\.record_roles: duplicate key '\*'$",
        ),
        ("", r"^\$: not valid JSON"),
        ("[]", r"^\$: expected a JSON object$"),
        ("null", r"^\$: expected a JSON object$"),
        ('{"format": NaN}', r"NaN is not allowed"),
        ('{"format": -Infinity}', r"-Infinity is not allowed"),
        (GOOD_TEXT + " {}", r"^\$: not valid JSON \(Extra data"),
        ("[" * 100_000 + "]" * 100_000, r"^\$: not valid JSON"),
        ('{"version": ' + "9" * 5000 + "}", r"^\$: not valid JSON"),
        ("\ufeff" + GOOD_TEXT, r"^\$: not valid JSON"),
        (
            GOOD_TEXT.replace('"Jane Smith"', '"Jane \\ud800Smith"', 1),
            r"^keys\[0\]\.holder\.name: contains an unpaired surrogate U\+D800",
        ),
    ],
    ids=[
        "dup-top",
        "dup-holder",
        "dup-entry",
        "dup-policy",
        "empty",
        "array",
        "null",
        "nan",
        "infinity",
        "trailing",
        "deep",
        "huge-int",
        "bom",
        "lone-surrogate",
    ],
)
def test_hostile_text_is_rejected(text: str, message: str) -> None:
    with pytest.raises(TrustStoreError, match=message):
        parse_trust_store(text)


def test_invalid_utf8_is_rejected() -> None:
    with pytest.raises(TrustStoreError, match=r"^\$: not valid UTF-8 \(at byte 10\)$"):
        parse_trust_store(b'{"format":\xff}')


def test_oversized_document_is_rejected_before_parsing() -> None:
    big = b" " * (MAX_TRUST_STORE_SIZE - len(GOOD_TEXT)) + GOOD_TEXT.encode()
    assert len(parse_trust_store(big)) == 2
    with pytest.raises(TrustStoreError, match=r"^\$: larger than 8388608 bytes$"):
        parse_trust_store(b" " + big)
    with pytest.raises(TrustStoreError, match=r"^\$: larger than"):
        parse_trust_store(" " + big.decode())
    # Characters that take several bytes count by their UTF-8 size.
    with pytest.raises(TrustStoreError, match=r"^\$: larger than"):
        parse_trust_store("\u00e9" * (MAX_TRUST_STORE_SIZE // 2 + 1))


def test_non_text_input_is_rejected() -> None:
    with pytest.raises(TrustStoreError, match=r"^\$: expected bytes or str, not dict"):
        parse_trust_store(_doc())  # type: ignore[arg-type]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=512) | st.text(max_size=512))
def test_arbitrary_input_raises_only_trust_store_error(data: bytes | str) -> None:
    with contextlib.suppress(TrustStoreError):
        parse_trust_store(data)


@settings(max_examples=300)
@given(st.data())
def test_corrupted_document_parses_or_raises_trust_store_error(data: Any) -> None:
    raw = bytearray(GOOD_TEXT.encode())
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        index = data.draw(st.integers(0, len(raw) - 1), label="index")
        raw[index] = data.draw(st.integers(0, 255), label="byte")
    with contextlib.suppress(TrustStoreError):
        parse_trust_store(bytes(raw))


# --- output and round trips ---------------------------------------------------------


def test_dump_is_canonical() -> None:
    store = _parse(_doc())
    text = dump_trust_store(store)
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    names = [key["name"] for key in json.loads(text)["keys"]]
    assert names == sorted(names)
    reordered = _doc()
    reordered["keys"].reverse()
    reordered["policy"]["record_roles"]["case.handed_over"].reverse()
    assert dump_trust_store(_parse(reordered)) == text


def test_dump_writes_every_field() -> None:
    doc = _doc()
    for key in doc["keys"]:
        del key["key_id"], key["valid_until"], key["revoked_at"]
    written = json.loads(dump_trust_store(_parse(doc)))
    assert written["keys"][0] == {**_key_doc(1), "valid_until": None}


_NAME = st.text(
    alphabet=st.characters(categories=["L", "N", "P", "S"], exclude_characters="+", codec="utf-8"),
    min_size=1,
    max_size=30,
).filter(lambda text: unicodedata.is_normalized("NFC", text))
_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Cf", "Cn", "Zl", "Zp"]),
    max_size=40,
).filter(lambda text: unicodedata.is_normalized("NFC", text))
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ROLE = st.builds(
    operator.add,
    st.sampled_from(_LOWER),
    st.text(alphabet=_LOWER + "0123456789_.-", max_size=10),
)
_ROLES = st.frozensets(_ROLE, min_size=1, max_size=4)
_TIME = st.integers(MIN_TIME_NS, MAX_TIME_NS - 10**18)


@st.composite
def _entries(draw: st.DrawFn) -> TrustEntry:
    valid_from = draw(_TIME)
    length = draw(st.none() | st.integers(1, 10**18))
    return TrustEntry(
        public_key=InMemorySigner(draw(st.binary(min_size=32, max_size=32))).public_key,
        name=draw(_NAME),
        holder=Holder(
            name=draw(_TEXT.filter(bool)),
            rank=draw(_TEXT),
            number=draw(_TEXT.filter(bool)),
            force=draw(_TEXT.filter(bool)),
        ),
        roles=draw(_ROLES),
        valid_from=valid_from,
        valid_until=None if length is None else valid_from + length,
        revoked_at=draw(st.none() | _TIME),
    )


@st.composite
def _stores(draw: st.DrawFn) -> TrustStore:
    entries = draw(
        st.lists(
            _entries(),
            max_size=4,
            unique_by=(lambda e: e.key_id, lambda e: e.name),
        )
    )
    record_roles = draw(
        st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9_.]{0,11}", fullmatch=True) | st.just("*"),
            _ROLES,
            max_size=3,
        )
    )
    witnesses = draw(st.frozensets(_NAME, max_size=3))
    threshold = draw(st.integers(1, len(witnesses))) if witnesses else 0
    policy = TrustPolicy(record_roles, draw(_ROLES), witnesses, threshold)
    return TrustStore(entries, policy)


@settings(max_examples=100, deadline=None)
@given(_stores())
def test_store_round_trips_through_json(store: TrustStore) -> None:
    text = dump_trust_store(store)
    again = parse_trust_store(text)
    assert again == store
    assert dump_trust_store(again) == text
    assert parse_trust_store(text.encode("utf-8")) == store


@settings(max_examples=50, deadline=None)
@given(_stores(), st.randoms(use_true_random=False))
def test_entry_order_does_not_change_the_output(store: TrustStore, rng: Any) -> None:
    entries = list(store.entries)
    rng.shuffle(entries)
    assert dump_trust_store(TrustStore(entries, store.policy)) == dump_trust_store(store)


def test_subset_round_trips_for_export() -> None:
    store = _parse(_doc())
    part = store.subset([InMemorySigner(b"\x02" * 32).public_key.key_id])
    again = parse_trust_store(dump_trust_store(part))
    assert [entry.name for entry in again] == ["met.police.uk/officer/2"]
    assert again.policy == store.policy


# --- files -------------------------------------------------------------------------


def test_load_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text(dump_trust_store(_parse(_doc())), "utf-8")
    assert load_trust_store(path) == _parse(_doc())
    assert load_trust_store(str(path)) == _parse(_doc())


def test_load_names_the_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text("{}", "utf-8")
    with pytest.raises(TrustStoreError, match=r"trust\.json: \$: missing field 'format'"):
        load_trust_store(path)
    with pytest.raises(TrustStoreError, match=r"missing\.json: cannot read"):
        load_trust_store(tmp_path / "missing.json")
    with pytest.raises(TrustStoreError, match="cannot read"):
        load_trust_store(tmp_path)


def test_load_does_not_read_past_the_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_TRUST_STORE_SIZE * 4)
    with pytest.raises(TrustStoreError, match=r"huge\.json: \$: larger than"):
        load_trust_store(path)


# --- the witness policy (B15) --------------------------------------------------


def _with_witnesses(witnesses: Any) -> dict[str, Any]:
    doc = _doc()
    doc["policy"]["witnesses"] = witnesses
    return doc


def test_witness_policy_parses_and_round_trips() -> None:
    names = ["witness.example/b", "witness.example/a", "witness.example/c"]
    store = _parse(_with_witnesses({"threshold": 2, "names": names}))
    assert store.policy.witnesses == frozenset(names)
    assert store.policy.witness_threshold == 2
    text = dump_trust_store(store)
    assert '"witnesses"' in text
    assert parse_trust_store(text) == store


def test_store_without_witness_policy_has_none_and_writes_none() -> None:
    store = _parse(_doc())
    assert store.policy.witness_threshold == 0
    assert not store.policy.witnesses
    assert '"witnesses"' not in dump_trust_store(store)


@pytest.mark.parametrize(
    ("witnesses", "message"),
    [
        ({"threshold": 0, "names": ["w.example/a"]}, r"policy\.witnesses\.threshold: 0 is not"),
        ({"threshold": 2, "names": ["w.example/a"]}, r"policy\.witnesses\.threshold: 2 is not"),
        ({"threshold": "1", "names": ["w.example/a"]}, r"threshold: expected an integer"),
        ({"threshold": 1, "names": []}, r"policy\.witnesses\.names: expected a non-empty"),
        (
            {"threshold": 2, "names": ["w.example/a", "w.example/a"]},
            r"policy\.witnesses\.names\[1\]: 'w.example/a' is named twice",
        ),
        ({"threshold": 1, "names": ["w example"]}, r"policy\.witnesses\.names\[0\]:"),
        ({"threshold": 1}, r"policy\.witnesses: missing field 'names'"),
        ({"threshold": 1, "names": ["w.example/a"], "k": 1}, r"policy\.witnesses: unknown field"),
    ],
)
def test_malformed_witness_policy_is_refused_naming_the_place(witnesses: Any, message: str) -> None:
    with pytest.raises(TrustStoreError, match=message):
        _parse(_with_witnesses(witnesses))


def test_witness_policy_counting_one_witness_twice_cannot_be_built() -> None:
    with pytest.raises(TrustStoreError, match="threshold"):
        TrustPolicy(
            {"*": frozenset({"recorder"})}, frozenset({"checkpoint"}), frozenset({"w/a"}), 2
        )
