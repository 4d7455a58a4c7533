"""V10 payload schemas: shipped, complete, and enforced by the verifier (docs/FORMAT.md §10)."""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from _casebuilder import AT, CaseBuilder, World, person_of, split_texts
from casefile.errors import UnknownSchemaError
from casefile.events import EVENT_TYPES
from casefile.verifier import payload_schemas, report_case, verify_case
from casefile.verifier._payload_checker import SchemaCompileError, compile_schema
from casefile.verifier._payloads import PayloadSchemas, _Strict, json_form

WORLD = World()
SCHEMAS = payload_schemas()
KEYS = sorted(SCHEMAS.known_types().items())
TYPES = sorted((name, v) for name, versions in KEYS for v in versions)
# The records below are signed by alice: the person they name as acting is her key's holder (V15).
PC = person_of(WORLD.trust.get(WORLD.alice.public_key.key_id))  # type: ignore[arg-type]


def _stock_valid(event_type: str, schema: int, data: Any, pd: Any) -> bool:
    """The verdict of jsonschema's Draft 2020-12 validator on the payload's JSON form.

    With the one difference §10 states: '$' in a pattern is the end of the text.
    """
    try:
        instance = {"data": json_form(data), "pd": json_form(pd)}
    except ValueError:
        return False
    return bool(_Strict(SCHEMAS.document(event_type, schema)).is_valid(instance))


# --- the shipped files ------------------------------------------------------------------


def test_every_shipped_schema_is_a_valid_draft_2020_12_schema() -> None:
    folder = resources.files("casefile.verifier") / "payloads"
    names = sorted(item.name for item in folder.iterdir() if item.name.endswith(".json"))
    assert len(names) == len(TYPES) > 0
    for name in names:
        document = json.loads((folder / name).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(document)
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert re.fullmatch(r"[a-z][a-z0-9_.]*\.v[1-9][0-9]*\.json", name)


def test_every_registered_type_has_a_schema_and_every_schema_a_registered_type() -> None:
    registered = {(cls.TYPE, cls.SCHEMA) for cls in EVENT_TYPES}
    assert registered == set(TYPES)


@pytest.mark.parametrize("cls", list(EVENT_TYPES), ids=lambda c: c.TYPE)
def test_schema_declares_exactly_the_fields_and_personal_names_of_its_type(cls: Any) -> None:
    document = SCHEMAS.document(cls.TYPE, cls.SCHEMA)
    data = document["properties"]["data"]
    assert sorted(data["properties"]) == sorted(cls.DATA_FIELDS)
    assert sorted(data["required"]) == sorted(cls.DATA_FIELDS)
    assert data["additionalProperties"] is False
    pd = document["properties"]["pd"]
    assert pd["additionalProperties"] is False
    texts = SCHEMAS.text_fields(cls.TYPE, cls.SCHEMA)
    if cls.TYPE != "record.corrected":
        assert sorted(pd["properties"]) == sorted(cls.PERSONAL_FIELDS | cls.TEXT_FIELDS)
        assert texts == cls.TEXT_FIELDS
    else:
        # A correction commits corrected personal and text fields of any type, and its reason.
        every = set().union(*(c.PERSONAL_FIELDS | c.TEXT_FIELDS for c in EVENT_TYPES))
        assert set(pd["properties"]) == every
        assert texts == set().union(*(c.TEXT_FIELDS for c in EVENT_TYPES))
        assert "correction_reason" in texts


def _objects(schema: Any) -> list[Mapping[str, Any]]:
    found = []
    if isinstance(schema, Mapping):
        if "properties" in schema:
            found.append(schema)
        for value in schema.values():
            found.extend(_objects(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_objects(value))
    return found


@pytest.mark.parametrize(("event_type", "schema"), TYPES)
def test_every_object_of_every_schema_is_closed(event_type: str, schema: int) -> None:
    for obj in _objects(SCHEMAS.document(event_type, schema)):
        assert obj.get("additionalProperties") is False, obj


def test_a_keyword_the_fast_checker_does_not_implement_is_refused_when_compiled() -> None:
    with pytest.raises(SchemaCompileError, match="unsupported keywords"):
        compile_schema({"type": "string", "format": "email"})


# --- generated payloads: valid ones pass, each kind of mutation fails ----------------------


def _strategy(schema: Any, root: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Valid decoded values (bytes as bytes) for the subset of keywords the schemas use."""
    if "$ref" in schema:
        return _strategy(root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root)
    if "anyOf" in schema:
        return st.one_of([_strategy(s, root) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kinds = schema.get("type")
    if isinstance(kinds, list):
        return st.one_of([_strategy({**schema, "type": k}, root) for k in kinds])
    if kinds == "null":
        return st.none()
    if kinds == "boolean":
        return st.booleans()
    if kinds == "integer":
        return st.integers(schema.get("minimum", -(2**63)), schema.get("maximum", 2**63 - 1))
    if kinds == "string":
        low, high = schema.get("minLength", 0), min(schema.get("maxLength", 40), 40)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"].rstrip("$") + r"\Z", fullmatch=True)
        return (
            st.text(min_size=low, max_size=high)
            .map(lambda s: unicodedata.normalize("NFC", s))
            .filter(lambda s: low <= len(s) <= schema.get("maxLength", 10**9))
        )
    if kinds == "array":
        # Unique by form: items may themselves be arrays (runs of units), which do not hash.
        return st.lists(_strategy(schema["items"], root), max_size=3, unique_by=repr)
    if kinds == "object":
        props = schema.get("properties", {})
        if set(props) == {"$bytes"}:
            width = int(re.search(r"\{(\d+)\}", props["$bytes"]["pattern"])[1]) // 2  # type: ignore[index]
            return st.binary(min_size=width, max_size=width)
        if "propertyNames" in schema:
            names = schema["propertyNames"]["enum"]
            # Text in a record is NFC (FORMAT.md §1): anything else cannot be sealed.
            nfc = st.text(max_size=5).map(lambda s: unicodedata.normalize("NFC", s))
            return st.dictionaries(st.sampled_from(names), nfc, max_size=3)
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {k: _strategy(s, root) for k, s in props.items() if k in required},
            optional={k: _strategy(s, root) for k, s in props.items() if k not in required},
        )
    raise AssertionError(f"no strategy for {schema}")


@st.composite
def _payloads(draw: st.DrawFn) -> tuple[str, int, dict[str, Any], dict[str, Any]]:
    event_type, schema = draw(st.sampled_from(TYPES))
    document = SCHEMAS.document(event_type, schema)
    data = draw(_strategy(document["properties"]["data"], document))
    pd = draw(_strategy(document["properties"]["pd"], document))
    return event_type, schema, data, pd


_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
_WRONG = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**64 - 1), st.binary(max_size=40),
    st.text(max_size=10), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_payloads())
def test_generated_valid_payloads_pass_both_checkers(payload: tuple[Any, ...]) -> None:
    event_type, schema, data, pd = payload
    assert SCHEMAS.check(event_type, schema, data, pd) is None
    assert _stock_valid(event_type, schema, data, pd)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_payloads(), st.data())
def test_a_dropped_added_or_retyped_field_fails_v10_and_both_checkers_agree(
    payload: tuple[Any, ...], draw: st.DataObject
) -> None:
    event_type, schema, data, pd = payload
    mutation = draw.draw(st.sampled_from(["drop", "add", "retype", "pd"]))
    if mutation == "drop" and data:
        del data[draw.draw(st.sampled_from(sorted(data)))]
    elif mutation == "retype" and data:
        name = draw.draw(st.sampled_from(sorted(data)))
        data[name] = draw.draw(_WRONG)
    elif mutation == "pd":
        pd[draw.draw(_NAMES)] = draw.draw(st.binary(min_size=32, max_size=32))
    else:
        data[draw.draw(_NAMES)] = draw.draw(_WRONG)
    fast = SCHEMAS.check(event_type, schema, data, pd)
    # The compiled checker and jsonschema always give the same verdict.
    assert (fast is None) == _stock_valid(event_type, schema, data, pd)
    if mutation in ("drop", "add") or (mutation == "pd" and fast is None):
        # Only a name that is both declared and already present could leave it valid.
        declared = SCHEMAS.document(event_type, schema)["properties"]
        assert fast is not None or set(pd) <= set(declared["pd"]["properties"])
        assert fast is not None or set(data) == set(declared["data"]["properties"])


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(TYPES),
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.binary(max_size=33)
        | st.text(max_size=8).map(lambda s: unicodedata.normalize("NFC", s)),
        lambda inner: st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["$bytes", "$x", "name", "by", "a"]), inner, max_size=3),
        max_leaves=8,
    ),
)  # fmt: skip
def test_any_value_gets_the_same_verdict_from_both_checkers(
    key: tuple[str, int], value: Any
) -> None:
    event_type, schema = key
    for data, pd in ((value, {}), ({"text": value}, {}), ({}, value)):
        fast = SCHEMAS.check(event_type, schema, data, pd)
        assert (fast is None) == _stock_valid(event_type, schema, data, pd)


def test_a_trailing_line_feed_does_not_satisfy_a_pattern() -> None:
    data = {"exhibit": "JS/1\n", "by": PC, "place": "Station", "occurred_at": None}
    data |= {"notes": "", "purpose": "review", "recorded_by": None}
    fault = SCHEMAS.check("exhibit.accessed", 1, data, {})
    assert fault is not None
    assert fault.startswith("/data/exhibit:")


def test_a_map_posing_as_a_byte_string_has_no_json_form() -> None:
    data = {"text": {"$bytes": "00" * 32}}
    assert (
        SCHEMAS.check("note.added", 1, data, {})
        == "/data/text/$bytes: a key starting with '$' has no JSON form"
    )


def test_schemas_survive_pickling_for_worker_processes() -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(SCHEMAS))
    assert isinstance(copy, PayloadSchemas)
    assert copy.known_types() == SCHEMAS.known_types()
    assert copy.check("note.added", 1, {"text": 1}, {}) == SCHEMAS.check(
        "note.added", 1, {"text": 1}, {}
    )


# --- the verifier: V10 names the type, the record and the pointer of the first fault --------


def _seized(**extra: Any) -> dict[str, Any]:
    return {
        "exhibit": "JS/1", "by": PC, "place": "12 High Street", "occurred_at": None, "notes": "",
        "recorded_by": None,
        "description": "Black iPhone", "sha256": None, "media_type": None,
        "power": "PACE s.19", "authority": "", "seized_from": None, **extra,
    }  # fmt: skip


def _case(*payloads: tuple[str, dict[str, Any], dict[str, Any] | None]) -> CaseBuilder:
    case = CaseBuilder(uuid.UUID(int=0x5C4E))
    for event_type, data, personal in payloads:
        case.add(WORLD.alice, event_type, data, personal)
    return case


@pytest.mark.payload_not_checked  # the attack: a payload its schema refuses
def test_personal_data_in_clear_in_an_undeclared_field_fails_v10() -> None:
    case = _case(
        ("note.added", {"text": "Attended the scene."}, None),
        ("exhibit.seized", _seized(seized_from_name="Alan Example"), None),
    )
    with pytest.raises(UnknownSchemaError) as caught:
        verify_case(case.records, trust=WORLD.trust, at=AT, payloads=SCHEMAS)
    assert caught.value.step == "V10"
    assert caught.value.seq == 2
    assert "'exhibit.seized'" in caught.value.message
    assert "/data/seized_from_name: not a declared field" in caught.value.message
    # The value in clear is never repeated in the error.
    assert "Alan Example" not in str(caught.value)


@pytest.mark.payload_not_checked  # the attack: a personal name the type does not declare
def test_a_personal_field_the_type_does_not_declare_fails_v10() -> None:
    case = _case(("exhibit.seized", _seized(), {"seized_from": "A", "date_of_birth": "1990-01-01"}))
    report = report_case(case.records, trust=WORLD.trust, at=AT, payloads=SCHEMAS)
    assert [(e.step, e.seq) for e in report.errors] == [("V10", 1)]
    assert "/pd/date_of_birth: not a declared field" in report.errors[0].message


@pytest.mark.payload_not_checked  # the attack: a type with no schema
def test_a_type_without_a_payload_schema_fails_v10() -> None:
    case = _case(("note.removed", {"text": "x"}, None))
    with pytest.raises(UnknownSchemaError, match="has no payload schema") as caught:
        verify_case(case.records, trust=WORLD.trust, at=AT, payloads=SCHEMAS)
    assert (caught.value.step, caught.value.seq) == ("V10", 1)


@pytest.mark.payload_not_checked  # the attack: every mutation of a sealed payload
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_payloads(), _NAMES, st.booleans())
def test_a_signed_payload_with_an_extra_or_missing_field_fails_v10_in_every_worker_layout(
    payload: tuple[Any, ...], name: str, drop: bool
) -> None:
    event_type, schema, data, pd = payload
    if drop and data:
        del data[sorted(data)[0]]
    else:
        data["x_" + name] = "in clear"
    case = CaseBuilder(uuid.UUID(int=0xBAD))
    case.add(WORLD.alice, "note.added", {"text": "first"})
    # pd values are commitments: seal them as given.
    from casefile.signing._records import seal_record

    rec = seal_record(
        case_id=case.case_id, seq=2, prev=case.head, event_type=event_type, schema=schema,
        time_ns=case.time_ns + 1, data=data, signer=WORLD.alice, commitments=pd,
    )  # fmt: skip
    report = report_case([*case.records, rec.raw], trust=WORLD.trust, at=AT, payloads=SCHEMAS)
    # alice records; the types the policy keeps for other roles (redaction) also fail V8.
    alice = WORLD.trust.get(WORLD.alice.public_key.key_id)
    assert alice is not None
    role = [] if alice.has_role(WORLD.trust.policy.roles_for(event_type)) else [("V8", 2)]
    assert [(e.step, e.seq) for e in report.errors] == [*role, ("V10", 2)]
    assert event_type in report.errors[-1].message


def test_without_payload_schemas_the_verifier_checks_no_payload() -> None:
    case = _case(("note.added", {"text": "a"}, None))
    assert verify_case(case.records, trust=WORLD.trust, at=AT).size == 1
    assert verify_case(case.records, trust=WORLD.trust, at=AT, payloads=SCHEMAS).size == 1


# --- the written specification lists exactly the schemas' fields ------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _format_tables() -> dict[str, tuple[list[str], list[str], list[str]]]:
    text = (DOCS / "FORMAT.md").read_text(encoding="utf-8")
    section = text[text.index("### 10.4 Registered types") :]
    section = section[: section.index("\n## ")] if "\n## " in section else section
    tables: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for block in re.split(r"^#### ", section, flags=re.M)[1:]:
        head = re.match(r"`([a-z0-9_.]+)` \(schema ([0-9]+)\)", block)
        assert head is not None, block[:80]
        fields = re.findall(r"^\| `([a-z0-9_]+)` \| (?!redactable text)", block, flags=re.M)
        texts = re.findall(r"^\| `([a-z0-9_]+)` \| redactable text \|", block, flags=re.M)
        personal_line = re.search(r"^Personal fields: (.*)\.$", block, flags=re.M)
        assert personal_line is not None, head[1]
        personal = re.findall(r"`([a-z0-9_]+)`", personal_line[1])
        tables[f"{head[1]}.v{head[2]}"] = (fields, personal, texts)
    return tables


def test_format_md_tables_list_exactly_the_fields_and_personal_names_of_the_schemas() -> None:
    tables = _format_tables()
    assert sorted(tables) == sorted(f"{t}.v{v}" for t, v in TYPES)
    for event_type, schema in TYPES:
        document = SCHEMAS.document(event_type, schema)
        fields, personal, texts = tables[f"{event_type}.v{schema}"]
        assert sorted(fields) == sorted(document["properties"]["data"]["properties"]), event_type
        pd = set(document["properties"]["pd"]["properties"])
        text_fields = SCHEMAS.text_fields(event_type, schema)
        assert sorted(personal) == sorted(pd - text_fields), event_type
        if event_type == "record.corrected":
            assert texts == ["correction_reason"]
        else:
            assert sorted(texts) == sorted(text_fields), event_type


def test_format_md_tables_stand_in_the_order_of_type_then_schema() -> None:
    # A reader looks a type up by name; one out of place reads as one missing.
    text = (DOCS / "FORMAT.md").read_text(encoding="utf-8")
    heads = [
        (name, int(schema))
        for name, schema in re.findall(r"^#### `([a-z0-9_.]+)` \(schema ([0-9]+)\)", text, re.M)
    ]
    assert heads == sorted(heads)


def test_format_md_prose_names_exactly_the_fields_a_correction_may_carry() -> None:
    text = (DOCS / "FORMAT.md").read_text(encoding="utf-8")
    prose = re.search(r"lets a correction change: (.*?)\. A corrected", text, re.S)
    assert prose is not None
    named = re.findall(r"`([a-z0-9_]+)`", prose[1])
    fields = SCHEMAS.document("record.corrected", 1)["properties"]["data"]["properties"]["fields"]
    assert named == fields["propertyNames"]["enum"]


_VALUES = {"match", "mismatch", "retain", "return", "destroy"}


def test_custody_md_kinds_name_only_fields_and_personal_names_of_the_schemas() -> None:
    text = (DOCS / "CUSTODY.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(exhibit\.[a-z_]+)`[^|]*\|([^|]*)\|([^|]*)\|", text, flags=re.M)
    assert len(rows) == sum(1 for t, _ in TYPES if t.startswith("exhibit."))
    for kind, fields, personal in rows:
        document = SCHEMAS.document(kind, 1)
        texts = SCHEMAS.text_fields(kind, 1)
        declared = set(document["properties"]["data"]["properties"]) | texts
        named = set(re.findall(r"`([a-z0-9_]+)`", fields)) - _VALUES
        assert named <= declared, (kind, named - declared)
        # Each text field of the kind is written as text, never as a plain str of data.
        for name in named & texts:
            assert re.search(f"`{name}` text", fields), (kind, name)
        pd = set(re.findall(r"`([a-z0-9_]+)`", personal))
        assert pd == set(document["properties"]["pd"]["properties"]) - texts, kind


# --- corrections: their fields are checked against the record they correct -------------------


def _correction(corrects: int, fields: dict[str, Any]) -> tuple[str, dict[str, Any], None]:
    data = {"by": PC, "corrects": corrects, "fields": fields, "reason": "typo", "recorded_by": None}
    return ("record.corrected", data, None)


def _v10(case: CaseBuilder) -> list[tuple[str | None, int | None, str]]:
    report = report_case(case.records, trust=WORLD.trust, at=AT, payloads=SCHEMAS)
    return [(e.step, e.seq, e.message) for e in report.errors]


def test_a_correction_that_fits_the_record_it_corrects_passes_v10() -> None:
    case = _case(("exhibit.seized", _seized(), None), _correction(1, {"place": "Rear garden"}))
    assert _v10(case) == []
    assert verify_case(case.records, trust=WORLD.trust, at=AT, payloads=SCHEMAS).size == 2


@pytest.mark.payload_not_checked  # the attack: a field the corrected record never had
def test_a_correction_adding_a_field_its_record_does_not_have_fails_v10() -> None:
    case = _case(("note.added", {"text": "Seen."}, None), _correction(1, {"offence": "x"}))
    [(step, seq, message)] = _v10(case)
    assert (step, seq) == ("V10", 2)
    assert "/data/fields/offence: not a field of note.added" in message


@pytest.mark.payload_not_checked  # the attack: a text of the corrected record put in clear
def test_a_correction_writing_a_text_in_clear_fails_v10() -> None:
    case = _case(("exhibit.seized", _seized(), None))
    data = {"by": PC, "corrects": 1, "fields": {"place": "Rear garden"}, "recorded_by": None}
    case.add(WORLD.alice, "record.corrected", data, texts_in_clear=True)
    [(step, seq, message)] = _v10(case)
    assert (step, seq) == ("V10", 2)
    assert "/data/fields" in message


@pytest.mark.payload_not_checked  # the attack: a corrected value its field does not allow
def test_a_correction_with_a_value_its_field_does_not_allow_fails_v10() -> None:
    case = _case(("exhibit.seized", _seized(), None), _correction(1, {"power": 7}))
    [(step, seq, message)] = _v10(case)
    assert (step, seq) == ("V10", 2)
    assert "/data/fields/power: expected" in message


@pytest.mark.payload_not_checked  # the attack: personal data committed under a foreign name
def test_a_correction_committing_a_personal_field_its_record_does_not_declare_fails_v10() -> None:
    case = _case(("note.added", {"text": "Seen."}, None))
    case.add(
        WORLD.alice, "record.corrected",
        {"by": PC, "corrects": 1, "fields": {}, "reason": "x", "recorded_by": None},
        {"name": "Alan Example"},
    )  # fmt: skip
    [(step, seq, message)] = _v10(case)
    assert (step, seq) == ("V10", 2)
    assert "/pd/name: not a personal field of note.added" in message


@pytest.mark.payload_not_checked  # the attack: corrections of nothing, of itself, of a correction
@pytest.mark.parametrize(
    ("corrects", "expected"),
    [(4, "names no earlier record"), (9, "names no earlier record"), (2, "never corrected")],
)
def test_a_correction_of_no_earlier_record_or_of_a_correction_fails_v10(
    corrects: int, expected: str
) -> None:
    case = _case(
        ("note.added", {"text": "Seen."}, None),
        _correction(1, {"text": "Seen twice."}),
        _correction(1, {"text": "Seen thrice."}),
    )
    case.add(WORLD.alice, *_correction(corrects, {})[:2])
    [(step, seq, message)] = _v10(case)
    assert (step, seq) == ("V10", 4)
    assert expected in message


def test_schemas_sent_to_a_worker_are_not_checked_against_the_metaschema_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The parent checked them; each worker interpreter re-checking casefile's own
    # schemas would cost a third of a second before it verifies a record.
    import pickle

    sent = pickle.dumps(SCHEMAS)
    checked: list[object] = []
    monkeypatch.setattr(_Strict, "check_schema", classmethod(lambda cls, s: checked.append(s)))
    received = pickle.loads(sent)
    assert checked == []
    assert received.known_types() == SCHEMAS.known_types()
    data = split_texts("exhibit.seized", _seized())[0]
    assert received.check("exhibit.seized", 1, data, {}) is None
    assert received.check("exhibit.seized", 1, {**data, "extra": 1}, {}) is not None
    # Schemas built anew from documents are still checked.
    PayloadSchemas({("x.y", 1): {"type": "object"}})
    assert checked == [{"type": "object"}]


def test_the_sealed_payload_check_of_every_test_refuses_what_v10_refuses() -> None:
    # The autouse check of tests/conftest.py must not pass a reference ending in a
    # line feed (Python's '$' would) that the verifier then refuses.
    from conftest import _payload_faults

    sealed = {"event_type": "exhibit.seized", "schema": 1, "seq": 1, "commitments": {}}
    data = split_texts("exhibit.seized", _seized())[0]
    assert _payload_faults({**sealed, "data": data}) == []
    assert SCHEMAS.check("exhibit.seized", 1, {**data, "exhibit": "JS/1\n"}, {}) is not None
    assert _payload_faults({**sealed, "data": {**data, "exhibit": "JS/1\n"}}) != []


def test_casefile_s_own_schemas_load_without_the_metaschema_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Checked by test_every_shipped_schema_is_a_valid_draft_2020_12_schema; checking
    # them again in every process that verifies cost a third of a second per command.
    checked: list[object] = []
    monkeypatch.setattr(_Strict, "check_schema", classmethod(lambda cls, s: checked.append(s)))
    payload_schemas.cache_clear()
    try:
        fresh = payload_schemas()
    finally:
        payload_schemas.cache_clear()
    assert checked == []
    assert fresh.known_types() == SCHEMAS.known_types()
    assert fresh.check("exhibit.seized", 1, {**_seized(), "extra": 1}, {}) is not None
