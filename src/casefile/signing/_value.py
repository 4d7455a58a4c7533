"""Value commitments to personal data, and their disclosures (FORMAT.md §4).

A record carries only ``SHA-256(tag ‖ enc({name, salt, value}))`` for each
personal field. The value and its salt travel apart, as a disclosure, so they
can be withheld from an export or erased without breaking a signature; the
salt (at least 128 bits) stops anyone from confirming a guessed value.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Any, Final

from casefile.encoding import decode, encode
from casefile.errors import DecodeError, DisclosureError

__all__ = [
    "DISCLOSURE_KEYS",
    "FIELD_NAME_RULE",
    "MAX_DISCLOSURE_SIZE",
    "MAX_SALT_SIZE",
    "MIN_SALT_SIZE",
    "Disclosure",
    "commit",
    "is_field_name",
]

MIN_SALT_SIZE: Final = 16
MAX_SALT_SIZE: Final = 64
MAX_DISCLOSURE_SIZE: Final = 1024 * 1024
_COMMITMENT_TAG: Final = b"casefile:commitment:v1\x00"
#: The exact key set of a value disclosure (FORMAT.md §4).
DISCLOSURE_KEYS: Final = frozenset({"case", "name", "salt", "seq", "value"})
#: The grammar of a personal-data field name (FORMAT.md §3), in words for errors.
FIELD_NAME_RULE: Final = "a lower-case ASCII letter, then up to 63 of [a-z0-9_]"
_FIELD_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")


def is_field_name(name: object) -> bool:
    """True if ``name`` is a personal-data field name: ``[a-z][a-z0-9_]{0,63}``.

    One grammar for commitments, disclosures and disclosure policies, so that
    a name a policy lists is always one a record can commit to.
    """
    return type(name) is str and _FIELD_NAME.fullmatch(name) is not None


def commit(name: str, salt: bytes, value: object) -> bytes:
    """The 32-byte commitment to ``value`` under field ``name`` and ``salt``."""
    if not MIN_SALT_SIZE <= len(salt) <= MAX_SALT_SIZE:
        raise ValueError(f"a salt is {MIN_SALT_SIZE} to {MAX_SALT_SIZE} bytes")
    body = encode({"name": name, "salt": salt, "value": value})
    return hashlib.sha256(_COMMITMENT_TAG + body).digest()


@dataclass(frozen=True, slots=True)
class Disclosure:
    """The value and salt behind one commitment of one record."""

    case_id: uuid.UUID
    seq: int
    name: str
    salt: bytes
    value: Any

    def commitment(self) -> bytes:
        return commit(self.name, self.salt, self.value)

    def sort_key(self) -> tuple[int, str]:
        return (self.seq, self.name)

    def to_bytes(self) -> bytes:
        return encode(
            {
                "case": self.case_id.bytes,
                "name": self.name,
                "salt": self.salt,
                "seq": self.seq,
                "value": self.value,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Disclosure:
        """Parse a stored disclosure strictly; raise DisclosureError otherwise."""
        try:
            fields = decode(data, max_size=MAX_DISCLOSURE_SIZE)
        except DecodeError as exc:
            raise DisclosureError(f"malformed disclosure: {exc}", step="V11") from None
        if type(fields) is not dict or fields.keys() != DISCLOSURE_KEYS:
            raise DisclosureError(
                "malformed disclosure: expected exactly case, name, salt, seq, value", step="V11"
            )
        return cls.from_fields(fields)

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> Disclosure:
        """Check the decoded map of a value disclosure, whose key set the caller has checked."""
        case, seq, name, salt = fields["case"], fields["seq"], fields["name"], fields["salt"]
        if type(case) is not bytes or len(case) != 16:
            raise DisclosureError("malformed disclosure: case must be 16 bytes", step="V11")
        if type(seq) is not int or seq < 1:
            raise DisclosureError("malformed disclosure: seq must be an integer from 1", step="V11")
        if not is_field_name(name):
            raise DisclosureError(
                f"malformed disclosure: name must be a field name ({FIELD_NAME_RULE})",
                step="V11",
            )
        if type(salt) is not bytes or not MIN_SALT_SIZE <= len(salt) <= MAX_SALT_SIZE:
            raise DisclosureError(
                f"malformed disclosure: salt must be {MIN_SALT_SIZE}-{MAX_SALT_SIZE} bytes",
                case_id=str(uuid.UUID(bytes=case)),
                seq=seq,
                step="V11",
            )
        return cls(uuid.UUID(bytes=case), seq, name, salt, fields["value"])
