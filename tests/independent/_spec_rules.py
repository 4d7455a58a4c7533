"""The encodings and documents of docs/FORMAT.md, read as an outside implementer would.

Canonical MessagePack (§1), canonical JSON (§9.2), trust stores (§7) and payload schemas (§10),
for the independent verifier beside it. Nothing here comes from casefile but the schema files,
which §10.2 makes data of the package.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import msgpack
from jsonschema import Draft202012Validator
from nacl.signing import VerifyKey

__all__ = [
    "CONFIRMATION",
    "CORRECTION",
    "CUSTODY_ACTOR_TYPES",
    "DEFAULT_POLICY",
    "HEADER",
    "ORIGIN",
    "PROSECUTION_ACTOR_TYPES",
    "RECEIPT_RECORDED",
    "RECEIPT_TYPES",
    "REDACTION_ACTOR_TYPES",
    "RESTRICTED",
    "ZERO",
    "Key",
    "Report",
    "SpecError",
    "canon",
    "canonical_json",
    "frames",
    "header_ok",
    "jcs",
    "key_id",
    "mp",
    "parse_trust",
    "text_fields",
    "v10",
]

ZERO = bytes(32)
#: §9.6 B7: the MG11 back page and the witness care assessment, never disclosed to the defence.
RESTRICTED = frozenset(
    [
        "address",
        "care_needs",
        "consent_to_share",
        "date_of_birth",
        "dates_to_avoid",
        "email",
        "ethnicity",
        "gender",
        "interpreter",
        "phone",
        "special_measures",
        "vps_offered",
        "willing_to_attend",
    ]
)
CUSTODY_KINDS = [
    "accessed",
    "booked",
    "damaged",
    "derived",
    "destroyed",
    "disclosed",
    "examined",
    "fixity_checked",
    "imaged",
    "located",
    "lost",
    "packaged",
    "produced",
    "produced_in_court",
    "resealed",
    "retention_reviewed",
    "returned",
    "seal_opened",
    "seized",
    "transferred",
]
CUSTODY_ACTOR_TYPES = (
    *(f"exhibit.{kind}" for kind in CUSTODY_KINDS),
    "evidence.captured",
    "statement.recorded",
    "case.handed_over",
)
# §10.4: redaction decisions, their withdrawal and erasures name who acted too.
REDACTION_ACTOR_TYPES = ("redaction.decided", "redaction.withdrawn", "disclosure.erased")
# §8.1: so does every record of the prosecution case file.
PROSECUTION_ACTOR_TYPES = (
    "suspect.identified",
    "suspect.arrested",
    "suspect.attended_voluntarily",
    "interview.recorded",
    "offence.alleged",
    "offence.charged",
    "charging.requested",
    "charging.decided",
    "bail.recorded",
    "hearing.listed",
    "unused.item_recorded",
    "unused.scheduled",
    "unused.decided",
    "case_summary.written",
    "vps.recorded",
    "witness_care.assessed",
    "missing.risk_reviewed",
    "missing.sighting_recorded",
    "missing.enquiry_recorded",
    "missing.found",
)
# §7.1.3: the policy of a trust store that has none.
DEFAULT_POLICY = {
    "record_roles": {
        "*": ["recorder"],
        "case.handed_over": ["checkpoint", "recorder"],
        "charging.decided": ["prosecutor"],
        "disclosure.erased": ["data_protection", "supervisor"],
        "record.confirmed": ["prosecutor", "recorder"],
        "redaction.decided": ["redactor"],
        "redaction.withdrawn": ["redactor"],
        "unused.decided": ["prosecutor"],
    },
    "checkpoint_roles": ["checkpoint"],
}
CORRECTION, CONFIRMATION = "record.corrected", "record.confirmed"
# §8.1, §10.4: a recipient's receipt, keyed for them, confirmed by its own cosignature (B15).
RECEIPT_RECORDED = "receipt.recorded"
# V15 (b): records whose `to` may confirm the receipt.
RECEIPT_TYPES = ("exhibit.transferred", "exhibit.booked")
ORIGIN = re.compile(
    r"[a-z0-9](?:[a-z0-9.-]{0,126}[a-z0-9])?/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
# §7.1.2: control characters, surrogates, the fixed list of format characters, U+2028/9.
FORBIDDEN = [
    (0x00, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C),
    (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
    (0x2028, 0x2029),
]  # fmt: skip
WHITE_SPACE = set(range(0x9, 0xE)) | {0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F}
WHITE_SPACE |= set(range(0x2000, 0x200B)) | {0x3000}


class SpecError(Exception):
    """Unusable input (§9.7.1: exit status 2)."""


@dataclass
class Report:
    """What §9.7 says a report lists: failures and findings, each with its record or None."""

    failures: list[tuple[str, str, int | None]] = field(default_factory=list)
    #: Each finding's record: its seq, or ``<stream-uuid>#<seq>`` for a captured one (§12.5).
    noted: set[tuple[str, int | str | None]] = field(default_factory=set)
    #: The count a case-wide finding gives (§9.7.5: withheld fields, fields the policy covers).
    counts: dict[str, int] = field(default_factory=dict)
    #: B11's findings, one per run or field (§9.6), as (kind, record) in any order.
    b11: list[tuple[str, int]] = field(default_factory=list)
    #: §9.6: each redacted text as its reader sees it, as (record, field, text with markers).
    redacted: list[tuple[int, str, str]] = field(default_factory=list)
    #: B12's byte comparison, which only the library makes: the views it found to differ.
    views_differ: list[str] = field(default_factory=list)

    @property
    def findings(self) -> set[str]:
        return {kind for kind, _ in self.noted}

    def note(self, kind: str, seq: int | str | None = None) -> None:
        self.noted.add((kind, seq))

    @property
    def verified(self) -> bool:
        return not self.failures

    def fail(self, step: str, kind: str, seq: int | None = None) -> None:
        self.failures.append((step, kind, seq))


# -- §9.2 canonical JSON -------------------------------------------------------------------


def _jcs_string(s: str) -> str:
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
    short["\r"] = "\\r"
    out = []
    for ch in s:
        if ch in short:
            out.append(short[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def jcs(value: Any) -> bytes:
    """The canonical JSON text of a value (§9.2), as UTF-8."""

    def enc(v: Any) -> str:
        if v is None or isinstance(v, bool):
            return {None: "null", True: "true", False: "false"}[v]
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str):
            return _jcs_string(v)
        if isinstance(v, list):
            return "[" + ",".join(enc(x) for x in v) + "]"
        names = sorted(v, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(_jcs_string(k) + ":" + enc(v[k]) for k in names) + "}"

    return enc(value).encode("utf-8")


def canonical_json(data: bytes) -> Any:
    """Parse, refusing anything whose canonical text differs (None when it does)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({k for k, _ in items}) != len(items):
            raise ValueError("duplicate name")
        return dict(items)

    def no_float(text: str) -> Any:
        raise ValueError(f"not an integer: {text}")

    def i_json(text: str) -> int:
        if abs(int(text)) > 2**53 - 1:
            raise ValueError(f"outside I-JSON: {text}")
        return int(text)

    def depth(v: Any) -> int:
        inner = v.values() if isinstance(v, dict) else v if isinstance(v, list) else None
        return 0 if inner is None else 1 + max(map(depth, inner), default=0)

    try:
        value = json.loads(
            data.decode("utf-8"), object_pairs_hook=pairs, parse_float=no_float,
            parse_constant=no_float, parse_int=i_json,
        )  # fmt: skip
        return value if jcs(value) == data and depth(value) <= 32 else None
    except (ValueError, UnicodeError):
        return None


# -- §1 canonical MessagePack --------------------------------------------------------------


def canon(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: canon(v[k]) for k in sorted(v, key=lambda k: k.encode())}
    if isinstance(v, list):
        return [canon(x) for x in v]
    return v


def mp(data: bytes) -> Any:
    """Decode §1's profile; None for anything else."""
    try:
        v = msgpack.unpackb(data, raw=False, strict_map_key=True, use_list=True)
    except Exception:
        return None

    def ok(x: Any, depth: int) -> bool:  # depth: the arrays and maps around x
        if isinstance(x, float) or (isinstance(x, list | dict) and depth + 1 > 32):
            return False
        if isinstance(x, str):
            return unicodedata.normalize("NFC", x) == x
        if isinstance(x, list):
            return all(ok(i, depth + 1) for i in x)
        if isinstance(x, dict):
            return all(
                isinstance(k, str) and ok(k, depth) and ok(i, depth + 1) for k, i in x.items()
            )
        return x is None or isinstance(x, bool | int | bytes)

    if not ok(v, 0) or msgpack.packb(canon(v), use_bin_type=True) != data:
        return None
    return v


HEADER = {"v": int, "case": bytes, "seq": int, "prev": bytes, "type": str, "schema": int}
HEADER |= {"time": int, "key": bytes, "data": dict, "pd": dict}


def header_ok(h: Any) -> bool:
    """V2: exactly the entries of §3, with their types and sizes."""
    if not isinstance(h, dict) or set(h) != set(HEADER):
        return False
    if any(not isinstance(h[k], t) or isinstance(h[k], bool) for k, t in HEADER.items()):
        return False
    sizes = len(h["case"]) == 16 and len(h["prev"]) == 32 and len(h["key"]) == 32
    pd = all(isinstance(c, bytes) and len(c) == 32 for c in h["pd"].values())
    pd = pd and all(re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name) for name in h["pd"])
    type_ok = re.fullmatch(r"[a-z][a-z0-9_.]{0,63}", h["type"]) is not None
    return h["v"] == 2 and sizes and pd and type_ok and h["seq"] >= 1 and h["schema"] >= 1


def frames(data: bytes) -> tuple[list[bytes], int | None]:
    """Elements of records.bin / disclosures.bin (§9.1.1), and the position of a framing fault."""
    out: list[bytes] = []
    i = 0
    while i < len(data):
        width = {0xC4: 1, 0xC5: 2, 0xC6: 4}.get(data[i])
        if width is None or i + 1 + width > len(data):
            return out, len(out) + 1
        n = int.from_bytes(data[i + 1 : i + 1 + width], "big")
        if (width > 1 and n < 1 << (8 * width // 2)) or i + 1 + width + n > len(data):
            return out, len(out) + 1
        out.append(data[i + 1 + width : i + 1 + width + n])
        i += 1 + width + n
    return out, None


# -- §7 trust stores -----------------------------------------------------------------------


def _ns(text: str) -> int:
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z", text)
    if not m:
        raise ValueError(text)
    whole = datetime.fromisoformat(m[1]).replace(tzinfo=UTC)
    return int(whole.timestamp()) * 10**9 + int((m[2] or "0").ljust(9, "0"))


def _display_ok(text: object, *, empty: bool = False) -> bool:
    if not isinstance(text, str) or len(text) > 256 or (not text and not empty):
        return False
    bad = any(lo <= ord(c) <= hi for c in text for lo, hi in FORBIDDEN)
    return not bad and unicodedata.normalize("NFC", text) == text


@dataclass(frozen=True)
class Key:
    key_id: bytes
    verify: VerifyKey
    name: str
    holder: tuple[str, str, str]
    roles: frozenset[str]
    valid_from: int
    valid_until: int | None
    revoked_at: int | None

    def valid(self, t: int) -> bool:
        ends = [e for e in (self.valid_until, self.revoked_at) if e is not None]
        return self.valid_from <= t and all(t < e for e in ends)


def key_id(public: bytes) -> bytes:
    return hashlib.sha256(b"casefile:key-id:ed25519:v1\x00" + public).digest()


def parse_trust(data: bytes) -> tuple[dict[bytes, Key], dict[str, list[str]], list[str]]:
    """A trust store (§7), reduced to what verification needs; ValueError when it is not one."""
    doc = json.loads(data.decode("utf-8"))
    if doc.get("format") != "casefile-trust-store" or doc.get("version") != 1:
        raise ValueError("not a trust store")
    keys: dict[bytes, Key] = {}
    for e in doc["keys"]:
        public = base64.b64decode(e["public_key"], validate=True)
        h = e["holder"]
        name = e["name"]
        if not _display_ok(name) or "+" in name or any(ord(c) in WHITE_SPACE for c in name):
            raise ValueError(f"key name {name!r}")
        if not all(
            _display_ok(h[f], empty=f == "rank") for f in ("name", "rank", "number", "force")
        ):
            raise ValueError("holder")
        kid = key_id(public)
        if "key_id" in e and e["key_id"] != kid.hex():
            raise ValueError("key_id")
        end, rev = e.get("valid_until"), e.get("revoked_at")
        keys[kid] = Key(
            kid, VerifyKey(public), name, (h["name"], h["number"], h["force"]),
            frozenset(e["roles"]), _ns(e["valid_from"]), end and _ns(end), rev and _ns(rev),
        )  # fmt: skip
    policy = doc.get("policy", DEFAULT_POLICY)
    return keys, policy["record_roles"], policy["checkpoint_roles"]


# -- §10 payloads --------------------------------------------------------------------------


def _json_form(v: Any) -> Any:
    if isinstance(v, bytes):
        return {"$bytes": v.hex()}
    if isinstance(v, list):
        return [_json_form(x) for x in v]
    if isinstance(v, dict):
        if any(k.startswith("$") for k in v):
            raise ValueError("a key starting with $")
        return {k: _json_form(x) for k, x in v.items()}
    return v


def _anchor(schema: Any) -> Any:
    """§10.2: ECMA-262's `$` matches only at the very end; Python's also before a final LF."""
    if isinstance(schema, dict):
        out = {k: _anchor(v) for k, v in schema.items()}
        if isinstance(schema.get("pattern"), str) and schema["pattern"].endswith("$"):
            out["pattern"] = schema["pattern"][:-1] + r"\Z"
        return out
    return [_anchor(x) for x in schema] if isinstance(schema, list) else schema


def _schema(type_: str, version: int) -> dict[str, Any] | None:
    path = resources.files("casefile.verifier") / "payloads" / f"{type_}.v{version}.json"
    return _anchor(json.loads(path.read_text("utf-8"))) if path.is_file() else None


def text_fields(h: dict[str, Any]) -> set[str]:
    """The ``pd`` names the record's payload schema declares texts (§10.2, §10.3 ``text``)."""
    schema = _schema(h["type"], h["schema"])
    props = {} if schema is None else schema["properties"]["pd"].get("properties", {})
    return {name for name, sub in props.items() if sub.get("$ref") == "#/$defs/text"}


def _valid(schema: dict[str, Any], instance: Any) -> bool:
    return Draft202012Validator(schema).is_valid(instance)


def v10(h: dict[str, Any], earlier: dict[int, dict[str, Any] | None]) -> bool:
    schema = _schema(h["type"], h["schema"])
    if schema is None:
        return False
    try:
        form = {"data": _json_form(h["data"]), "pd": _json_form(h["pd"])}
    except ValueError:
        return False
    if not _valid(schema, form):
        return False
    if h["type"] != CORRECTION:
        return True
    corrects = h["data"]["corrects"]
    target = earlier.get(corrects)
    if corrects in earlier and target is None:
        return True  # §10.4: the corrected record failed V1 or V2; not judged against it
    if target is None or target["type"] == CORRECTION:
        return False
    tschema = _schema(target["type"], target["schema"])
    if tschema is None:
        return False
    props = tschema["properties"]["data"]["properties"]
    pd_names = tschema["properties"]["pd"].get("properties", {})
    for name, value in h["data"]["fields"].items():
        if name not in props:
            return False
        sub = {"$defs": tschema.get("$defs", {}), **props[name]}
        if not _valid(sub, _json_form(value)):
            return False
    # §10.4: every pd name but the correction's own reason names a field of the target.
    return all(name in pd_names or name == "correction_reason" for name in h["pd"])
