"""Salted commitments to personal data, and their disclosures (FORMAT.md §4).

A record carries only ``SHA-256(tag ‖ enc({name, salt, value}))`` for each
personal field. The value and its salt travel apart, as a disclosure, so they
can be withheld from an export or erased without breaking a signature; the
salt (at least 128 bits) stops anyone from confirming a guessed value.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from casefile.encoding import decode, encode
from casefile.errors import DecodeError, DisclosureError, RepeatedSaltError

__all__ = [
    "FIELD_NAME_RULE",
    "MAX_DISCLOSURE_SIZE",
    "MAX_SALT_SIZE",
    "MIN_SALT_SIZE",
    "Disclosure",
    "commit",
    "commit_fields",
    "is_field_name",
]

MIN_SALT_SIZE: Final = 16
MAX_SALT_SIZE: Final = 64
MAX_DISCLOSURE_SIZE: Final = 1024 * 1024
_COMMITMENT_TAG: Final = b"casefile:commitment:v1\x00"
_DISCLOSURE_KEYS: Final = frozenset({"case", "name", "salt", "seq", "value"})
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
        if type(fields) is not dict or fields.keys() != _DISCLOSURE_KEYS:
            raise DisclosureError(
                "malformed disclosure: expected exactly case, name, salt, seq, value", step="V11"
            )
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


def commit_fields(
    case_id: uuid.UUID,
    seq: int,
    fields: Mapping[str, object],
    *,
    random_bytes: Callable[[int], bytes] = os.urandom,
    used: set[bytes] | None = None,
) -> tuple[dict[str, bytes], tuple[Disclosure, ...]]:
    """Commit each personal field of record ``seq``; return (commitments, disclosures).

    ``random_bytes`` supplies the salts; inject a deterministic one only in tests.
    Every commitment of a case must differ from every other (FORMAT.md §4, V14):
    a salt drawn twice raises :class:`~casefile.errors.RepeatedSaltError` before anything
    is sealed, as
    does a commitment already in ``used`` (the commitments the caller has made
    for the case so far), to which the new ones are then added.
    """
    commitments: dict[str, bytes] = {}
    disclosures = []
    salts: set[bytes] = set()
    for name in sorted(fields):
        if not is_field_name(name):
            raise ValueError(f"personal field name {name!r} is not {FIELD_NAME_RULE}")
        salt = random_bytes(MIN_SALT_SIZE)
        if type(salt) is not bytes or len(salt) != MIN_SALT_SIZE:
            raise ValueError(f"random_bytes must return {MIN_SALT_SIZE} bytes")
        value = fields[name]
        commitment = commit(name, salt, value)
        if salt in salts or (used is not None and commitment in used):
            raise RepeatedSaltError(
                f"random_bytes repeated a salt (field {name!r} of record {seq}): "
                "a repeated commitment would show that two withheld values are equal"
            )
        salts.add(salt)
        commitments[name] = commitment
        disclosures.append(Disclosure(case_id, seq, name, salt, value))
    if used is not None:
        used.update(commitments.values())
    return commitments, tuple(disclosures)
