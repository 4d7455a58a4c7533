"""A payload schema compiled once into a fast yes/no check over decoded values.

The verifier checks every record's payload, and a general JSON Schema
validator costs several times a signature verification per record. The
shipped schemas use a small set of keywords, so each is compiled here into
nested closures that say whether a decoded payload (byte strings as
``bytes``) is valid, with the very meaning draft 2020-12 gives the payload's
JSON form (docs/FORMAT.md §10.1): a byte string is the object
``{"$bytes": hex}``, and a map with a key starting with ``$`` has no JSON
form, so it is never valid. Only the verdict is computed here; a payload
found invalid is handed to ``jsonschema`` to name its first fault, and the
tests check on generated payloads that both always agree.

A keyword outside the supported set is refused when the schema is compiled,
so a schema can never be checked by silently ignoring part of it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

__all__ = ["Check", "SchemaCompileError", "compile_schema", "end_anchored"]

Check = Callable[[Any], bool]

# Keywords that only annotate: they never change a verdict.
_ANNOTATIONS: Final = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description"})
_SUPPORTED: Final = _ANNOTATIONS | {
    "$ref",
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "minProperties",
    "items",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "anyOf",
}


_OBJECT_KEYWORDS: Final = frozenset(
    {"properties", "required", "additionalProperties", "propertyNames", "minProperties"}
)


class SchemaCompileError(ValueError):
    """A schema that uses a keyword or form this compiler does not implement."""


def _has_json_form(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        return all(
            type(k) is str and not k.startswith("$") and _has_json_form(v) for k, v in value.items()
        )
    if kind is list:
        return all(_has_json_form(v) for v in value)
    return kind in (str, int, bool, bytes) or value is None


def _as_object(value: Any) -> dict[str, Any] | None:
    """The JSON-form object of a map or a byte string, else None (not an object)."""
    if type(value) is dict:
        return value
    if type(value) is bytes:
        return {"$bytes": value.hex()}
    return None


def _is_type(name: str, value: Any) -> bool:
    kind = type(value)
    if name == "string":
        return kind is str
    if name == "integer":
        return kind is int
    if name == "boolean":
        return kind is bool
    if name == "null":
        return value is None
    if name == "object":
        return kind is dict or kind is bytes
    if name == "array":
        return kind is list
    if name == "number":
        return kind is int
    raise SchemaCompileError(f"unknown type {name!r}")


def _is_bool(value: Any) -> bool:
    return type(value) is bool


_HEX_OF: Final = re.compile(r"\^\[0-9a-f\]\{([1-9][0-9]{0,5})\}\$")


def _bytes_width(props: Mapping[str, Any]) -> int | None:
    """N if ``props`` is exactly ``{"$bytes": <N*2 lowercase hex digits>}``, else None."""
    if set(props) != {"$bytes"}:
        return None
    sub = props["$bytes"]
    if not isinstance(sub, Mapping) or set(sub) != {"type", "pattern"} or sub["type"] != "string":
        return None
    match = _HEX_OF.fullmatch(sub["pattern"])
    if match is None or int(match[1]) % 2:
        return None
    return int(match[1]) // 2


def _all_of(checks: list[Check]) -> Check:
    def every(v: Any) -> bool:
        # A plain loop: all() over a generator costs a frame per record.
        for check in checks:  # noqa: SIM110
            if not check(v):
                return False
        return True

    return every


def _json_key(value: Any) -> str:
    return json.dumps(_plain(value), sort_keys=True)


def _plain(value: Any) -> Any:
    obj = _as_object(value) if type(value) is bytes else None
    if obj is not None:
        return obj
    if type(value) is dict:
        return {k: _plain(v) for k, v in value.items()}
    if type(value) is list:
        return [_plain(v) for v in value]
    return value


@functools.lru_cache(maxsize=256)
def end_anchored(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled with ECMA-262's meaning of a final ``$``: the end of the text.

    Python's ``$`` also matches before a final line feed, which would let
    ``"JS/1\\n"`` pass; both this compiler and the validator that names a
    fault use this one function, so their verdicts cannot drift apart.
    """
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root
        self._refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return _has_json_form
        if schema is False:
            return lambda value: False
        if not isinstance(schema, Mapping):
            raise SchemaCompileError(f"not a schema: {schema!r}")
        unknown = set(schema) - _SUPPORTED
        if unknown:
            raise SchemaCompileError(f"unsupported keywords {sorted(unknown)}")
        fused = self._fused(schema)
        if fused is not None:
            return fused
        checks: list[Check] = []
        if "$ref" in schema:
            checks.append(self._ref(schema["$ref"]))
        if "type" in schema:
            checks.append(self._type(schema["type"]))
        if "enum" in schema or "const" in schema:
            allowed = schema["enum"] if "enum" in schema else [schema["const"]]
            keys = frozenset(_json_key(v) for v in allowed)
            checks.append(lambda v: _has_json_form(v) and _json_key(v) in keys)
        checks.extend(self._string(schema))
        checks.extend(self._integer(schema))
        checks.extend(self._object(schema))
        checks.extend(self._array(schema))
        if "anyOf" in schema:
            branches = [self.compile(s) for s in schema["anyOf"]]
            checks.append(lambda v: any(b(v) for b in branches))
        if "$ref" not in schema and "anyOf" not in schema:
            # Whatever this schema does not descend into must still have a JSON form.
            if not _OBJECT_KEYWORDS & schema.keys():
                checks.append(lambda v: type(v) is not dict or _has_json_form(v))
            if "items" not in schema:
                checks.append(lambda v: type(v) is not list or _has_json_form(v))
        if not checks:
            return _has_json_form
        if len(checks) == 1:
            return checks[0]
        return _all_of(checks)

    def _fused(self, schema: Mapping[str, Any]) -> Check | None:
        """One closure for the common shapes: exact scalars, byte strings, closed maps.

        Each has exactly the meaning of the general path; they only save calls.
        """
        keys = schema.keys() - _ANNOTATIONS
        kind: Any = schema.get("type")
        nullable = isinstance(kind, list) and len(kind) == 2 and kind[1] == "null"
        base = kind[0] if nullable else kind
        if keys <= {"type", "minLength", "maxLength", "pattern"} and base == "string":
            lo, hi = schema.get("minLength", 0), schema.get("maxLength")
            pattern = schema.get("pattern")
            search = None if pattern is None else end_anchored(pattern).search

            def string(v: Any) -> bool:
                if type(v) is not str:
                    return nullable and v is None
                n = len(v)
                return (
                    lo <= n
                    and (hi is None or n <= hi)
                    and (search is None or search(v) is not None)
                )

            return string
        if keys <= {"type", "minimum", "maximum"} and base == "integer":
            low, high = schema.get("minimum"), schema.get("maximum")

            def integer(v: Any) -> bool:
                if type(v) is not int:
                    return nullable and v is None
                return (low is None or v >= low) and (high is None or v <= high)

            return integer
        if keys == {"type"} and base == "boolean":
            return (lambda v: type(v) is bool or v is None) if nullable else _is_bool
        if keys == {"type", "properties", "required", "additionalProperties"} and kind == "object":
            return self._closed_map(schema["properties"], schema["required"], schema)
        if keys == {"type", "properties", "additionalProperties"} and kind == "object":
            return self._closed_map(schema["properties"], [], schema)
        return None

    def _closed_map(
        self, props: Mapping[str, Any], required: list[str], schema: Mapping[str, Any]
    ) -> Check | None:
        if schema["additionalProperties"] is not False or not set(required) <= set(props):
            return None
        if set(required) == set(props):
            width = _bytes_width(props)
            if width is not None:
                return lambda v: type(v) is bytes and len(v) == width
        # A byte string's JSON form has the key '$bytes', which such a map never declares.
        if any(name.startswith("$") for name in props):
            return None
        members = {name: self.compile(sub) for name, sub in props.items()}
        names = frozenset(props)
        if set(required) == names:
            ordered = list(members.items())

            def exact_map(v: Any) -> bool:
                # Exactly the declared keys: no '$' key, no extra, none missing.
                if type(v) is not dict or v.keys() != names:
                    return False
                for name, check in ordered:  # noqa: SIM110 (as in _all_of)
                    if not check(v[name]):
                        return False
                return True

            return exact_map
        needed = frozenset(required)

        def closed_map(v: Any) -> bool:
            if type(v) is not dict or not needed <= v.keys() or not v.keys() <= names:
                return False
            for name, item in v.items():  # noqa: SIM110 (as in _all_of)
                if not members[name](item):
                    return False
            return True

        return closed_map

    def _ref(self, ref: Any) -> Check:
        if type(ref) is not str or not ref.startswith("#/$defs/") or "/" in ref[8:]:
            raise SchemaCompileError(f"only local '#/$defs/<name>' references: {ref!r}")
        name = ref[8:]
        if name not in self._refs:
            definitions = self._root.get("$defs", {})
            if name not in definitions:
                raise SchemaCompileError(f"unresolved reference {ref!r}")
            self._refs[name] = lambda v: False  # until compiled (no recursive schemas here)
            self._refs[name] = self.compile(definitions[name])
        compiled = self._refs
        return lambda v: compiled[name](v)

    def _type(self, names: Any) -> Check:
        wanted = [names] if isinstance(names, str) else list(names)
        for name in wanted:
            _is_type(name, None)  # refuses unknown names now
        if wanted == ["string"]:
            return lambda v: type(v) is str
        return lambda v: any(_is_type(n, v) for n in wanted)

    def _string(self, schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        low, high = schema.get("minLength"), schema.get("maxLength")
        if low is not None or high is not None:
            lo, hi = low or 0, high
            checks.append(
                lambda v: type(v) is not str or (lo <= len(v) and (hi is None or len(v) <= hi))
            )
        if "pattern" in schema:
            search = end_anchored(schema["pattern"]).search
            checks.append(lambda v: type(v) is not str or search(v) is not None)
        return checks

    def _integer(self, schema: Mapping[str, Any]) -> list[Check]:
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is None and high is None:
            return []
        return [
            lambda v: (
                type(v) is not int or ((low is None or v >= low) and (high is None or v <= high))
            )
        ]

    def _object(self, schema: Mapping[str, Any]) -> list[Check]:
        if not _OBJECT_KEYWORDS & schema.keys():
            return []
        props = {k: self.compile(s) for k, s in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        extra_schema = schema.get("additionalProperties", True)
        extra = None if extra_schema is True else self.compile(extra_schema)
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None
        least = schema.get("minProperties", 0)

        def check(value: Any) -> bool:
            obj = _as_object(value)
            if obj is None:
                return True  # not an object: these keywords do not apply
            if len(obj) < least:
                return False
            for name in required:
                if name not in obj:
                    return False
            for name, item in obj.items():
                if obj is value and name.startswith("$"):
                    return False  # a map with a '$' key has no JSON form
                if names is not None and not names(name):
                    return False
                sub = props.get(name)
                if sub is not None:
                    if not sub(item):
                        return False
                elif extra is not None:
                    if not extra(item):
                        return False
                elif not _has_json_form(item):
                    return False
            return True

        return [check]

    def _array(self, schema: Mapping[str, Any]) -> list[Check]:
        if "items" not in schema and not schema.get("uniqueItems"):
            return []
        item_check = self.compile(schema["items"]) if "items" in schema else _has_json_form
        unique = bool(schema.get("uniqueItems"))

        def check(value: Any) -> bool:
            if type(value) is not list:
                return True
            if not all(item_check(item) for item in value):
                return False
            return not unique or len({_json_key(i) for i in value}) == len(value)

        return [check]


def compile_schema(schema: Mapping[str, Any]) -> Check:
    """A function telling whether a decoded payload's JSON form is valid against ``schema``."""
    return _Compiler(schema).compile(schema)
