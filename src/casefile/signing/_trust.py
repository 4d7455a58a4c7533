"""Trust: which public keys an auditor accepts, held by whom, for what, and when.

A :class:`TrustStore` is the auditor's decision, not the log's claim: it maps
key ids to :class:`TrustEntry` values (holder, roles, validity window,
revocation) and carries the :class:`TrustPolicy` that says which roles may sign
which record types and checkpoints. Everything here is an immutable value that
validates itself; the JSON form lives in :mod:`casefile.signing._trust_json`.

A key is judged at the time a record asserts (docs/FORMAT.md V7): it is valid
from ``valid_from`` (inclusive) until ``valid_until`` (exclusive), and never at
or after ``revoked_at``. ``revoked_at`` records when a compromise is believed to
have begun, which may lie before the revocation was decided.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from casefile.errors import TrustStoreError
from casefile.signing._keys import PublicKey
from casefile.signing._timestamp import TimestampAuthorities
from casefile.signing._trust_names import (
    check_display_text,
    check_note_name,
    check_roles,
    check_time,
)

__all__ = [
    "CHECKPOINT_ROLE",
    "DATA_PROTECTION_ROLE",
    "DEFAULT_POLICY",
    "MAX_WITNESSES",
    "PROSECUTOR_ROLE",
    "RECIPIENT_ROLE",
    "RECORDER_ROLE",
    "REDACTOR_ROLE",
    "SUPERVISOR_ROLE",
    "WILDCARD_TYPE",
    "WITNESS_ROLE",
    "Holder",
    "TrustEntry",
    "TrustPolicy",
    "TrustStore",
]

#: The role every record type needs under the default policy.
RECORDER_ROLE: Final = "recorder"
#: The role checkpoints need under the default policy.
CHECKPOINT_ROLE: Final = "checkpoint"
#: The role that decides and withdraws redactions under the default policy.
REDACTOR_ROLE: Final = "redactor"
#: The roles, either of which records a data-protection erasure under the default policy.
DATA_PROTECTION_ROLE: Final = "data_protection"
SUPERVISOR_ROLE: Final = "supervisor"
#: The role that makes charging decisions and decides the disclosure of unused material.
PROSECUTOR_ROLE: Final = "prosecutor"
#: The role of a recipient's key, whose cosignature of a checkpoint is a receipt (B15).
RECIPIENT_ROLE: Final = "recipient"
#: The role of a witness's key, whose cosignature says it saw the checkpoint (B15).
WITNESS_ROLE: Final = "witness"
#: A witness policy names at most this many witnesses (a note carries at most 100 lines).
MAX_WITNESSES: Final = 64
#: The key of :attr:`TrustPolicy.record_roles` that applies to types not listed.
WILDCARD_TYPE: Final = "*"

# The record type names of docs/FORMAT.md §3.
_EVENT_TYPE: Final = re.compile(r"[a-z][a-z0-9_.]{0,63}")


@dataclass(frozen=True, slots=True)
class Holder:
    """The person a key was issued to.

    ``number`` is the collar number (officers) or staff number (police staff);
    ``rank`` may be empty for staff.
    """

    name: str
    rank: str
    number: str
    force: str

    def __post_init__(self) -> None:
        check_display_text(self.name, "holder.name")
        check_display_text(self.rank, "holder.rank", allow_empty=True)
        check_display_text(self.number, "holder.number")
        check_display_text(self.force, "holder.force")


@dataclass(frozen=True, slots=True)
class TrustEntry:
    """One trusted public key: its note name, holder, roles and validity window.

    Times are integer nanoseconds since the epoch, UTC.
    """

    public_key: PublicKey
    name: str
    holder: Holder
    roles: frozenset[str]
    valid_from: int
    valid_until: int | None = None
    revoked_at: int | None = None

    def __post_init__(self) -> None:
        if type(self.public_key) is not PublicKey:
            raise TrustStoreError("public_key: expected a PublicKey")
        check_note_name(self.name)
        if type(self.holder) is not Holder:
            raise TrustStoreError("holder: expected a Holder")
        check_roles(self.roles, "roles")
        check_time(self.valid_from, "valid_from", optional=False)
        check_time(self.valid_until, "valid_until", optional=True)
        check_time(self.revoked_at, "revoked_at", optional=True)
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise TrustStoreError("valid_until: must be later than valid_from")

    @property
    def key_id(self) -> bytes:
        """The 32-byte key id of :attr:`public_key`."""
        return self.public_key.key_id

    def valid_at(self, t_ns: int) -> bool:
        """True if the key may sign at ``t_ns``: inside its window and before any revocation."""
        if t_ns < self.valid_from:
            return False
        if self.valid_until is not None and t_ns >= self.valid_until:
            return False
        return self.revoked_at is None or t_ns < self.revoked_at

    def may_sign_after(self, last_ns: int, at_ns: int) -> bool:
        """True if the key may sign a note made after ``last_ns`` and known by ``at_ns``.

        A checkpoint or manifest carries no time of its own, but it was made
        after the last record it covers and before it is verified: the key
        must be valid by ``at_ns`` and neither expired nor revoked by ``last_ns``.
        """
        if self.valid_from > at_ns:
            return False
        if self.valid_until is not None and self.valid_until <= last_ns:
            return False
        return self.revoked_at is None or self.revoked_at > last_ns

    def has_role(self, roles: Iterable[str]) -> bool:
        """True if this key holds at least one of ``roles``."""
        return not self.roles.isdisjoint(roles)


@dataclass(frozen=True, slots=True)
class TrustPolicy:
    """Which roles may sign which record types, and which may sign checkpoints.

    ``record_roles`` maps a record type (e.g. ``case.opened``) to the roles any
    one of which suffices; ``"*"`` applies to types not listed. Without a
    ``"*"`` entry, unlisted types are refused to every key.
    """

    record_roles: Mapping[str, frozenset[str]]
    checkpoint_roles: frozenset[str]
    #: The note names of the witnesses of which ``witness_threshold`` must
    #: cosign a bundle's checkpoint (B15); empty with a threshold of 0: no policy.
    witnesses: frozenset[str] = frozenset()
    witness_threshold: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.record_roles, Mapping):
            raise TrustStoreError("policy.record_roles: expected a mapping")
        frozen: dict[str, frozenset[str]] = {}
        for event_type, roles in self.record_roles.items():
            if type(event_type) is not str or (
                event_type != WILDCARD_TYPE and _EVENT_TYPE.fullmatch(event_type) is None
            ):
                raise TrustStoreError(
                    f"policy.record_roles: {event_type!r} is neither '*' nor a record type name"
                )
            frozen[event_type] = check_roles(roles, f"policy.record_roles[{event_type!r}]")
        # A private, sorted copy behind a read-only view: the caller's dict can
        # change afterwards without changing a policy already in use.
        ordered = {event_type: frozen[event_type] for event_type in sorted(frozen)}
        object.__setattr__(self, "record_roles", types.MappingProxyType(ordered))
        check_roles(self.checkpoint_roles, "policy.checkpoint_roles")
        if type(self.witnesses) is not frozenset:
            raise TrustStoreError("policy.witnesses.names: expected a frozenset of key names")
        if len(self.witnesses) > MAX_WITNESSES:
            raise TrustStoreError(f"policy.witnesses.names: more than {MAX_WITNESSES} witnesses")
        for name in self.witnesses:
            check_note_name(name)
        threshold = self.witness_threshold
        if type(threshold) is not int or not 0 <= threshold <= len(self.witnesses):
            raise TrustStoreError(
                f"policy.witnesses.threshold: {threshold!r} is not an integer from 1 to the"
                f" number of witnesses named ({len(self.witnesses)})"
            )
        if self.witnesses and threshold == 0:
            raise TrustStoreError("policy.witnesses.threshold: must be at least 1")

    def __hash__(self) -> int:
        return hash(
            (
                frozenset(self.record_roles.items()),
                self.checkpoint_roles,
                self.witnesses,
                self.witness_threshold,
            )
        )

    def roles_for(self, event_type: str) -> frozenset[str]:
        """The roles any one of which may sign a record of ``event_type`` (empty: none may)."""
        roles = self.record_roles.get(event_type)
        if roles is None:
            roles = self.record_roles.get(WILDCARD_TYPE, frozenset())
        return roles


#: Every record type needs ``recorder``, but for redaction decisions and their
#: withdrawals (``redactor``) and erasures (``data_protection`` or
#: ``supervisor``): withholding or erasing what an officer recorded is a
#: decision of its own, made by someone accountable for it. Charging decisions
#: and decisions on unused material are the prosecutor's (``prosecutor``), never
#: a police officer's; a prosecutor whose decision was keyed on their behalf confirms
#: it (``record.confirmed``: ``recorder`` or ``prosecutor``), or it stays unconfirmed
#: for good. Checkpoints need ``checkpoint``. (The record type names
#: are those of FORMAT.md §10.4.)
DEFAULT_POLICY: Final = TrustPolicy(
    record_roles={
        WILDCARD_TYPE: frozenset({RECORDER_ROLE}),
        "redaction.decided": frozenset({REDACTOR_ROLE}),
        "redaction.withdrawn": frozenset({REDACTOR_ROLE}),
        "disclosure.erased": frozenset({DATA_PROTECTION_ROLE, SUPERVISOR_ROLE}),
        "charging.decided": frozenset({PROSECUTOR_ROLE}),
        "unused.decided": frozenset({PROSECUTOR_ROLE}),
        "record.confirmed": frozenset({RECORDER_ROLE, PROSECUTOR_ROLE}),
        # The export service that checkpoints a case for a recipient records the handover.
        "case.handed_over": frozenset({CHECKPOINT_ROLE, RECORDER_ROLE}),
    },
    checkpoint_roles=frozenset({CHECKPOINT_ROLE}),
)


@dataclass(frozen=True, slots=True)
class TrustStore:
    """The trusted keys and the policy an auditor verifies against.

    Entries are kept sorted by note name, so two stores with the same entries
    are equal whatever order they were given in. Duplicate key ids or names are
    refused.
    """

    entries: tuple[TrustEntry, ...]
    policy: TrustPolicy = DEFAULT_POLICY
    #: The time-stamping authorities accepted for B16, or None: tokens are not checked.
    timestamping: TimestampAuthorities | None = None
    _by_id: Mapping[bytes, TrustEntry] = field(init=False, repr=False, compare=False)
    _by_name: Mapping[str, TrustEntry] = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        entries: Iterable[TrustEntry],
        policy: TrustPolicy = DEFAULT_POLICY,
        timestamping: TimestampAuthorities | None = None,
    ) -> None:
        listed = tuple(entries)
        if type(policy) is not TrustPolicy:
            raise TrustStoreError("policy: expected a TrustPolicy")
        if timestamping is not None and type(timestamping) is not TimestampAuthorities:
            raise TrustStoreError("timestamping: expected TimestampAuthorities")
        by_id: dict[bytes, int] = {}
        by_name: dict[str, int] = {}
        for index, entry in enumerate(listed):
            if type(entry) is not TrustEntry:
                raise TrustStoreError(f"keys[{index}]: expected a TrustEntry")
            seen = by_id.setdefault(entry.key_id, index)
            if seen != index:
                raise TrustStoreError(f"keys[{index}].public_key: same key as keys[{seen}]")
            seen = by_name.setdefault(entry.name, index)
            if seen != index:
                raise TrustStoreError(f"keys[{index}].name: same name as keys[{seen}]")
        ordered = tuple(sorted(listed, key=lambda entry: entry.name))
        object.__setattr__(self, "entries", ordered)
        object.__setattr__(self, "policy", policy)
        object.__setattr__(self, "timestamping", timestamping)
        object.__setattr__(
            self, "_by_id", types.MappingProxyType({entry.key_id: entry for entry in ordered})
        )
        object.__setattr__(
            self, "_by_name", types.MappingProxyType({entry.name: entry for entry in ordered})
        )

    def get(self, key_id: bytes) -> TrustEntry | None:
        """The entry whose key id is ``key_id`` (32 bytes), or None."""
        return self._by_id.get(key_id)

    def by_name(self, name: str) -> TrustEntry | None:
        """The entry whose note key name is ``name``, or None."""
        return self._by_name.get(name)

    def entries_with_role(self, role: str) -> tuple[TrustEntry, ...]:
        """The entries holding ``role``, in name order."""
        return tuple(entry for entry in self.entries if role in entry.roles)

    def subset(self, key_ids: Iterable[bytes]) -> TrustStore:
        """A store of only the given keys, with the same policy and TSAs (for exports).

        Raises :class:`TrustStoreError` if a key id is not in this store.
        """
        chosen: dict[bytes, TrustEntry] = {}
        for key_id in key_ids:
            entry = self._by_id.get(key_id)
            if entry is None:
                shown = key_id.hex() if isinstance(key_id, bytes) else repr(key_id)
                raise TrustStoreError(f"key id {shown} is not in the trust store")
            chosen[key_id] = entry
        return TrustStore(chosen.values(), self.policy, self.timestamping)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[TrustEntry]:
        return iter(self.entries)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._by_id
