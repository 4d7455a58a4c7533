"""The bundle manifest: what a bundle holds, byte for byte (docs/FORMAT.md §9.2).

The manifest is canonical JSON (see :mod:`casefile.bundle._json`) carried in
a signed DSSE envelope. It names the case, the number of records, the signed
checkpoint, the disclosure policy the sender applied, and the path, size and
SHA-256 of every other file, and the audience the bundle was made for (whose
redaction decisions it applies), if any. :func:`parse_manifest` is only ever called on a
payload whose signature has verified (step B3); its errors are
:class:`~casefile.errors.ManifestError` naming the field.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from casefile.bundle import _json
from casefile.bundle._audience import AUDIENCES
from casefile.bundle._layout import (
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    MANIFEST,
    MAX_MANIFEST_SIZE,
    REQUIRED_FILES,
    check_member_name,
)
from casefile.errors import BundleError, ManifestError
from casefile.signing._commitments import FIELD_NAME_RULE, is_field_name
from casefile.signing._note import MAX_NOTE_SIZE

__all__ = [
    "AUDIENCES",
    "DISCLOSE_ALL",
    "DISCLOSE_NONE",
    "DisclosurePolicy",
    "FileEntry",
    "Manifest",
    "manifest_bytes",
    "parse_manifest",
]

_MAX_INT: Final = 2**63 - 1
_MAX_FIELDS: Final = 1000
_HEX64: Final = re.compile(r"[0-9a-f]{64}")
_MODES: Final = ("all", "none", "list")


@dataclass(frozen=True, slots=True)
class DisclosurePolicy:
    """Which personal-data disclosures a bundle carries.

    ``"all"``: every disclosure the sender holds; ``"none"``: none at all;
    ``"list"``: only the fields named in ``fields`` (sorted, unique).
    """

    mode: str
    fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            raise ValueError(f"disclosure policy mode must be one of {_MODES}, not {self.mode!r}")
        if not isinstance(self.fields, tuple):
            raise TypeError("disclosure policy fields must be a tuple of field names")
        for name in self.fields:
            if not is_field_name(name):
                raise ValueError(f"field name {str(name)[:80]!r} is not {FIELD_NAME_RULE}")
        if self.mode == "list":
            if not self.fields:
                raise ValueError("a 'list' disclosure policy names at least one field")
            if len(self.fields) > _MAX_FIELDS:
                raise ValueError(f"a disclosure policy names at most {_MAX_FIELDS} fields")
            object.__setattr__(self, "fields", tuple(sorted(set(self.fields))))
        elif self.fields:
            raise ValueError(f"a {self.mode!r} disclosure policy names no fields")

    @classmethod
    def only(cls, fields: Iterable[str]) -> DisclosurePolicy:
        """A policy that discloses only the named fields."""
        return cls("list", tuple(fields))

    def allows(self, name: str) -> bool:
        """True if a disclosure of field ``name`` may travel under this policy."""
        if self.mode == "all":
            return True
        if self.mode == "none":
            return False
        return name in self.fields

    def to_json(self) -> dict[str, Any]:
        return {"fields": list(self.fields), "mode": self.mode}


#: Every disclosure the sender holds travels with the bundle.
DISCLOSE_ALL: Final = DisclosurePolicy("all")
#: No personal data travels: every committed field is withheld.
DISCLOSE_NONE: Final = DisclosurePolicy("none")


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of a bundle as the manifest lists it."""

    path: str
    size: int
    sha256: bytes

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256.hex(), "size": self.size}


@dataclass(frozen=True, slots=True)
class Manifest:
    """The signed table of contents of a bundle (files sorted by path)."""

    case_id: uuid.UUID
    records: int
    checkpoint: str
    disclosure_policy: DisclosurePolicy
    files: tuple[FileEntry, ...]
    #: The audience whose redaction decisions the bundle applies (one of
    #: :data:`AUDIENCES`), or None for a bundle made for no audience.
    audience: str | None = None

    def __post_init__(self) -> None:
        if self.audience is not None and self.audience not in AUDIENCES:
            raise ValueError(
                f"audience must be one of {', '.join(AUDIENCES)} or None, not {self.audience!r}"
            )

    def entry(self, path: str) -> FileEntry | None:
        """The listed file at ``path``, or None."""
        for item in self.files:
            if item.path == path:
                return item
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "audience": self.audience,
            "case_id": str(self.case_id),
            "checkpoint": self.checkpoint,
            "disclosure_policy": self.disclosure_policy.to_json(),
            "files": [item.to_json() for item in self.files],
            "format": BUNDLE_FORMAT,
            "records": self.records,
            "version": BUNDLE_VERSION,
        }


def manifest_bytes(manifest: Manifest) -> bytes:
    """The canonical JSON payload of ``manifest``."""
    return _json.dumps(manifest.to_json())


def _fail(where: str, problem: str) -> ManifestError:
    return ManifestError(f"manifest {where}: {problem}", step="B3")


def _object(value: Any, where: str, keys: set[str]) -> dict[str, Any]:
    if type(value) is not dict:
        raise _fail(where, "expected a JSON object")
    if value.keys() != keys:
        raise _fail(where, f"expected exactly the fields {sorted(keys)}, found {sorted(value)}")
    return value


def _int(value: Any, where: str, low: int) -> int:
    if type(value) is not int or not low <= value <= _MAX_INT:
        raise _fail(where, f"expected an integer from {low} to {_MAX_INT}")
    return value


def _policy(value: Any) -> DisclosurePolicy:
    obj = _object(value, "disclosure_policy", {"fields", "mode"})
    mode, fields = obj["mode"], obj["fields"]
    if type(fields) is not list or any(type(f) is not str for f in fields):
        raise _fail("disclosure_policy.fields", "expected an array of strings")
    for index, name in enumerate(fields):
        if not is_field_name(name):
            raise _fail(
                f"disclosure_policy.fields[{index}]", f"{name[:80]!r} is not {FIELD_NAME_RULE}"
            )
    # Field names are ASCII, so code point order is the UTF-8 byte order of the spec.
    if fields != sorted(set(fields)):
        raise _fail(
            "disclosure_policy.fields", "must be sorted by UTF-8 bytes and without duplicates"
        )
    try:
        return DisclosurePolicy(mode, tuple(fields))
    except (ValueError, TypeError) as exc:
        raise _fail("disclosure_policy", str(exc)) from None


def _files(value: Any, max_files: int) -> tuple[FileEntry, ...]:
    if type(value) is not list:
        raise _fail("files", "expected an array")
    if len(value) > max_files:
        raise _fail("files", f"{len(value)} entries, more than the limit of {max_files}")
    out: list[FileEntry] = []
    for index, item in enumerate(value):
        where = f"files[{index}]"
        obj = _object(item, where, {"path", "sha256", "size"})
        path = obj["path"]
        if type(path) is not str:
            raise _fail(f"{where}.path", "expected a string")
        try:
            check_member_name(path)
        except BundleError as exc:
            raise _fail(f"{where}.path", str(exc)) from None
        if path == MANIFEST:
            raise _fail(f"{where}.path", "the manifest cannot list itself")
        if out and path <= out[-1].path:
            raise _fail(f"{where}.path", "files must be sorted by path, without duplicates")
        digest = obj["sha256"]
        if type(digest) is not str or not _HEX64.fullmatch(digest):
            raise _fail(f"{where}.sha256", "expected 64 lower-case hex digits")
        out.append(FileEntry(path, _int(obj["size"], f"{where}.size", 0), bytes.fromhex(digest)))
    listed = {item.path for item in out}
    missing = sorted(REQUIRED_FILES - listed)
    if missing:
        raise _fail("files", f"does not list {', '.join(missing)}")
    return tuple(out)


def parse_manifest(payload: bytes, *, max_files: int) -> Manifest:
    """Parse an authenticated manifest payload strictly (step B3)."""
    try:
        document = _json.loads(payload, max_size=MAX_MANIFEST_SIZE)
    except _json.CanonicalJSONError as exc:
        raise _fail("payload", str(exc)) from None
    obj = _object(
        document,
        "payload",
        {
            "audience",
            "case_id",
            "checkpoint",
            "disclosure_policy",
            "files",
            "format",
            "records",
            "version",
        },
    )
    if obj["format"] != BUNDLE_FORMAT:
        raise _fail("format", f"expected {BUNDLE_FORMAT!r}")
    if type(obj["version"]) is not int or obj["version"] != BUNDLE_VERSION:
        raise _fail("version", f"expected {BUNDLE_VERSION}")
    audience = obj["audience"]
    if audience is not None and (type(audience) is not str or audience not in AUDIENCES):
        raise _fail("audience", f"expected null or one of {', '.join(AUDIENCES)}")
    case_text = obj["case_id"]
    try:
        case_id = uuid.UUID(case_text) if type(case_text) is str else None
    except ValueError:
        case_id = None
    if case_id is None or str(case_id) != case_text:
        raise _fail("case_id", "expected a lower-case hyphenated UUID")
    checkpoint = obj["checkpoint"]
    if type(checkpoint) is not str or not 0 < len(checkpoint) <= MAX_NOTE_SIZE:
        raise _fail("checkpoint", f"expected the signed checkpoint text (1-{MAX_NOTE_SIZE})")
    return Manifest(
        case_id=case_id,
        records=_int(obj["records"], "records", 1),
        checkpoint=checkpoint,
        disclosure_policy=_policy(obj["disclosure_policy"]),
        files=_files(obj["files"], max_files),
        audience=audience,
    )
