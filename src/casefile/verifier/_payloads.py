"""Payload schemas (docs/FORMAT.md §10): what each registered type's ``data`` and ``pd`` may hold.

Each registered (type, schema version) has one JSON Schema (draft 2020-12),
shipped in ``casefile/verifier/payloads/<type>.v<schema>.json``, that
describes the **JSON form** of the record's payload: ``{"data": ..., "pd":
...}`` with byte strings written ``{"$bytes": "<lowercase hex>"}``. The schema
documents are the one source of truth; the tables of FORMAT.md §10 are checked
against them by the tests.

Each schema is compiled once into a fast check (:mod:`._payload_checker`);
a payload it finds invalid goes to a ``jsonschema`` validator, also built
once, which names the first fault. Validation differs from
plain draft 2020-12 in one point, which §10 states: a ``pattern`` ending in
``$`` matches only at the end of the text (as in ECMA-262), never before a
final line feed (as Python's ``$`` would).
"""

from __future__ import annotations

import array
import functools
import importlib.resources
import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.protocols import Validator

from casefile.verifier._payload_checker import Check, compile_schema, end_anchored

__all__ = [
    "CAPTURE_ATTACHED",
    "CAPTURE_OPENED",
    "CORRECTION_REASON",
    "CORRECTION_TYPE",
    "PayloadFormError",
    "PayloadSchemas",
    "RecordTypes",
    "json_form",
    "json_pointer",
    "payload_schemas",
]

#: The record that opens a capture stream (FORMAT §12.1), and the case's record
#: that binds one (§12.3).
CAPTURE_OPENED: Final = "capture.opened"
CAPTURE_ATTACHED: Final = "capture.attached"

_FILE_NAME: Final = re.compile(r"([a-z][a-z0-9_.]{0,63})\.v([1-9][0-9]{0,18})\.json")
# How much of an offending key or schema value a fault message quotes.
_QUOTE: Final = 80


class PayloadFormError(ValueError):
    """A payload value with no JSON form: a map with a key starting with ``$``."""

    def __init__(self, pointer: str, problem: str) -> None:
        super().__init__(f"{pointer or '/'}: {problem}")
        self.pointer = pointer
        self.problem = problem


def json_pointer(parts: Iterator[Any] | list[Any] | tuple[Any, ...]) -> str:
    """The RFC 6901 JSON pointer of a path of keys and indices (``""`` is the whole value)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def json_form(value: Any, pointer: str = "") -> Any:
    """The JSON form of a decoded payload value (§10.1).

    nil, booleans, integers and text are themselves; a byte string is
    ``{"$bytes": hex}``; arrays and maps are converted item by item. A map
    with a key starting with ``$`` has no JSON form (it could pose as a byte
    string) and raises :class:`PayloadFormError` naming its pointer.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is bytes:
        return {"$bytes": value.hex()}
    if kind is dict:
        out = {}
        for key, item in value.items():
            if key.startswith("$"):
                raise PayloadFormError(
                    json_pointer((*_split(pointer), key)),
                    "a key starting with '$' has no JSON form",
                )
            out[key] = json_form(item, f"{pointer}/{_escape(key)}")
        return out
    if kind is list:
        return [json_form(item, f"{pointer}/{i}") for i, item in enumerate(value)]
    # The canonical decoder yields nothing else; refuse rather than guess.
    raise PayloadFormError(pointer, f"a {kind.__name__} has no JSON form")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _split(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def _pattern(
    validator: Validator, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not end_anchored(pattern).search(instance):
        yield ValidationError(f"does not match {pattern!r}")


_Strict: Final[Any] = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern}
)


def _fault(error: ValidationError) -> str:
    """``<JSON pointer>: <problem>`` for the first fault, never quoting a value."""
    path = list(error.absolute_path)
    keyword = error.validator
    instance = error.instance
    problem = f"fails {keyword!s} {_quoted(error.validator_value)}"
    if keyword == "additionalProperties" and isinstance(instance, dict):
        declared = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = sorted(k for k in instance if k not in declared)
        if extra:
            path.append(extra[0])
            problem = "not a declared field"
    elif keyword == "required" and isinstance(instance, dict):
        wanted: Any = error.validator_value
        missing = sorted(k for k in wanted if k not in instance)
        if missing:
            path.append(missing[0])
            problem = "required field missing"
    elif keyword == "propertyNames":
        problem = "not a field this map may name"
    elif keyword == "type":
        problem = f"expected {_quoted(error.validator_value)}, not {_kind(instance)}"
    return f"{json_pointer(path) or '/'}: {problem}"


def _quoted(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True, sort_keys=True)
    return text if len(text) <= _QUOTE else text[:_QUOTE] + "…"


def _kind(instance: Any) -> str:
    if instance is None:
        return "null"
    if isinstance(instance, bool):
        return "boolean"
    return {int: "integer", str: "string", list: "array", dict: "object"}.get(
        type(instance), type(instance).__name__
    )


class PayloadSchemas:
    """Payload schemas by (type, schema version), each validated by a validator built once.

    Picklable (only the schema documents travel, and are not checked against
    the metaschema again), so that worker processes of the verifier check
    payloads where they parse the records.
    """

    def __init__(self, documents: Mapping[tuple[str, int], Mapping[str, Any]]) -> None:
        for document in documents.values():
            _Strict.check_schema(document)
        self._build(documents)

    def _build(self, documents: Mapping[tuple[str, int], Mapping[str, Any]]) -> None:
        self._documents: dict[tuple[str, int], Mapping[str, Any]] = dict(documents)
        self._validators: dict[tuple[str, int], Validator] = {}
        self._checks: dict[tuple[str, int], Check] = {}
        self._field_checks: dict[tuple[str, int, str], tuple[Check, Validator]] = {}
        self._texts: dict[tuple[str, int], frozenset[str]] = {}
        for key, document in self._documents.items():
            self._validators[key] = _Strict(document)
            self._checks[key] = compile_schema(document)

    def __reduce__(
        self,
    ) -> tuple[Callable[[dict[tuple[str, int], Mapping[str, Any]]], PayloadSchemas], tuple[Any]]:
        return (_checked_schemas, (self._documents,))

    def __contains__(self, key: object) -> bool:
        return key in self._documents

    def __len__(self) -> int:
        return len(self._documents)

    def document(self, event_type: str, schema: int) -> Mapping[str, Any]:
        """The JSON Schema of ``event_type`` version ``schema`` (KeyError if there is none)."""
        return self._documents[(event_type, schema)]

    def text_fields(self, event_type: str, schema: int) -> frozenset[str]:
        """The ``pd`` names of ``event_type`` that are text commitments (FORMAT.md §4.1).

        Empty for a type without a schema. The schema says which: a text
        field's ``pd`` entry refers to the ``text`` definition (§10.3).
        """
        key = (event_type, schema)
        found = self._texts.get(key)
        if found is None:
            document = self._documents.get(key)
            names: frozenset[str] = frozenset()
            if document is not None:
                personal = document["properties"]["pd"]["properties"]
                names = frozenset(n for n, s in personal.items() if s.get("$ref") == _TEXT_REF)
            found = self._texts[key] = names
        return found

    def known_types(self) -> Mapping[str, frozenset[int]]:
        """Schema versions by type name (the types whose payloads can be checked)."""
        out: dict[str, set[int]] = {}
        for name, schema in self._documents:
            out.setdefault(name, set()).add(schema)
        return {name: frozenset(v) for name, v in sorted(out.items())}

    def check(self, event_type: str, schema: int, data: Any, pd: Any) -> str | None:
        """None if the payload fits its schema, else its first fault (``pointer: problem``).

        ``data`` and ``pd`` are the decoded header entries. A type with no
        schema here is the caller's to report (V10: unknown schema).
        """
        key = (event_type, schema)
        fast = self._checks.get(key)
        if fast is None:
            return "no payload schema"
        if fast({"data": data, "pd": pd}):
            return None
        # Invalid: the general validator names the first fault (both always agree).
        validator = self._validators[key]
        try:
            instance = {"data": json_form(data, "/data"), "pd": json_form(pd, "/pd")}
        except PayloadFormError as exc:
            return str(exc)
        error = next(iter(validator.iter_errors(instance)), None)
        return "/: does not fit its schema" if error is None else _fault(error)

    def check_fields(self, event_type: str, schema: int, fields: Any, pd: Any) -> str | None:
        """None if corrected ``fields`` and personal names fit ``event_type`` (§10.4), else why.

        Faults are reported at ``/data/fields/<name>`` and ``/pd/<name>`` of the correction.
        """
        document = self._documents[(event_type, schema)]
        for name, value in fields.items():
            key = (event_type, schema, name)
            pair = self._field_checks.get(key)
            if pair is None:
                found = _field_check(document, name)
                if found is None:
                    return f"{json_pointer(('data', 'fields', name))}: not a field of {event_type}"
                pair = self._field_checks[key] = found
            check, validator = pair
            if not check(value):
                error = next(iter(validator.iter_errors(json_form(value))), None)
                where = json_pointer(("data", "fields", name))
                if error is None:
                    return f"{where}: does not fit {event_type}"
                pointer, _, problem = _fault(error).partition(": ")
                return f"{where}{'' if pointer == '/' else pointer}: {problem}"
        personal = document["properties"]["pd"]["properties"]
        for name in pd:
            # A correction's own reason is its text, not a field of the corrected record.
            if name not in personal and name != CORRECTION_REASON:
                return f"{json_pointer(('pd', name))}: not a personal field of {event_type}"
        return None


def _checked_schemas(documents: Mapping[tuple[str, int], Mapping[str, Any]]) -> PayloadSchemas:
    # Documents already checked against the metaschema (casefile's own, by the
    # tests; those a worker receives, by its parent): compile them only.
    schemas = PayloadSchemas.__new__(PayloadSchemas)
    schemas._build(documents)
    return schemas


def _field_check(document: Mapping[str, Any], name: str) -> tuple[Check, Validator] | None:
    fields = document["properties"]["data"]["properties"]
    if name not in fields:
        return None
    # The field's schema, with the definitions it may refer to.
    sub = {**fields[name], "$defs": document.get("$defs", {})}
    return compile_schema(sub), _Strict(sub)


def _load_documents() -> dict[tuple[str, int], Any]:
    documents: dict[tuple[str, int], Any] = {}
    folder = importlib.resources.files("casefile.verifier") / "payloads"
    for item in folder.iterdir():
        match = _FILE_NAME.fullmatch(item.name)
        if match is None:
            continue
        documents[(match[1], int(match[2]))] = json.loads(item.read_text(encoding="utf-8"))
    return documents


@functools.cache
def payload_schemas() -> PayloadSchemas:
    """The payload schemas of casefile's own registered event types (read once).

    They are compiled but not checked against the metaschema here, which
    would cost every process that verifies a third of a second: the tests
    check each shipped document, and the compiler still refuses any keyword
    it does not implement.
    """
    return _checked_schemas(_load_documents())


#: The registered type whose payload corrects fields of an earlier record.
CORRECTION_TYPE: Final = "record.corrected"
#: The text field of a correction that says why (its own, not the corrected record's).
CORRECTION_REASON: Final = "correction_reason"
_TEXT_REF: Final = "#/$defs/text"


class RecordTypes:
    """The (type, schema) of each record of a case so far, two bytes per record.

    A correction's fields are checked against the schema of the record it
    corrects, so V10 must know the type of every earlier record; a case of
    millions of records keeps only an index per record here.
    """

    def __init__(self) -> None:
        self._keys: list[tuple[str, int]] = []
        self._index: dict[tuple[str, int], int] = {}
        self._by_seq = array.array("H")

    def note(self, seq: int, event_type: str, schema: int, *, has_schema: bool) -> None:
        """Remember record ``seq`` (records out of sequence have failed V4 and are skipped).

        Only types with a payload schema (``has_schema``) are kept by name, so
        memory is bounded by the schemas, not by the type names a stream of
        forged records may invent; a correction of any other type is refused
        for want of a schema, as it would be if its name were kept.
        """
        if seq != len(self._by_seq) + 1:
            return
        if not has_schema:
            self._by_seq.append(_NO_SCHEMA)
            return
        key = (event_type, schema)
        index = self._index.get(key)
        if index is None:
            index = len(self._keys)
            if index >= _UNREADABLE:
                index = _NO_SCHEMA  # more schemas than an index holds: the correction fails
            else:
                self._keys.append(key)
                self._index[key] = index
        self._by_seq.append(index)

    def note_unreadable(self, seq: int) -> None:
        """Record ``seq`` failed V1 or V2: it holds its position, with no type to check against."""
        if seq == len(self._by_seq) + 1:
            self._by_seq.append(_UNREADABLE)

    def of(self, seq: int) -> tuple[str, int] | None:
        """The (type, schema) of record ``seq``, if it was noted (``("", 0)``: no schema)."""
        if not 1 <= seq <= len(self._by_seq):
            return None
        index = self._by_seq[seq - 1]
        if index == _UNREADABLE:
            return None
        return _NO_SCHEMA_TYPE if index == _NO_SCHEMA else self._keys[index]

    def check_correction(
        self, payloads: PayloadSchemas, seq: int, data: Any, pd: Any
    ) -> str | None:
        """None if correction ``seq`` fits the record it corrects (§10.4), else its first fault."""
        corrects = data["corrects"]
        earlier = 1 <= corrects <= len(self._by_seq) and corrects < seq
        if earlier and self._by_seq[corrects - 1] == _UNREADABLE:
            # The corrected record already failed V1 or V2, which the report names;
            # what it held cannot be known, so the correction is not judged against it.
            return None
        target = self.of(corrects) if corrects < seq else None
        if target is None:
            return "/data/corrects: names no earlier record"
        if target[0] == CORRECTION_TYPE:
            return "/data/corrects: a correction is never corrected"
        if target not in payloads:
            return f"/data/corrects: record {corrects} is of a type without a payload schema"
        return payloads.check_fields(target[0], target[1], data["fields"], pd)


# A record whose type has no payload schema: its name is not kept.
_NO_SCHEMA: Final = 0xFFFF
_NO_SCHEMA_TYPE: Final = ("", 0)
# A record that failed V1 or V2: it has no type at all.
_UNREADABLE: Final = 0xFFFE
