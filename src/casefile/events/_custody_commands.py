"""Commands of an exhibit's chain of custody: taking it, sealing it, handing it on, ending it.

Every command takes the exhibit reference, ``by`` (the
:class:`~casefile.events.Custodian` acting; by default the bound signer, see
:meth:`~casefile.events.Investigation.bind_actor`: another person's act is
recorded on their behalf), ``place``, and optionally ``occurred_at`` (when it happened, if
before the record's time), ``notes`` and ``at`` (the record's time). Each
returns the sequence number of its record. The rules are listed in
:mod:`casefile.events._custody_base`; examination, copies and other work on
an exhibit are in :class:`~casefile.events._exhibit_work_commands.ExhibitWorkCommands`.
"""

from __future__ import annotations

import uuid
from typing import Any

from casefile.errors import (
    DuplicateExhibitError,
    ExhibitHashError,
    InvalidCommandError,
    SealMismatchError,
)
from casefile.events._custody_base import CustodyAct
from casefile.events._custody_events import (
    ExhibitBooked,
    ExhibitDestroyed,
    ExhibitLocated,
    ExhibitPackaged,
    ExhibitProduced,
    ExhibitProducedInCourt,
    ExhibitResealed,
    ExhibitReturned,
    ExhibitSeized,
    ExhibitTransferred,
    SealOpened,
)
from casefile.events._custody_values import Custodian, ExhibitStatus, check_custodian
from casefile.events._exhibit_work_commands import ExhibitWorkCommands
from casefile.events._values import (
    MAX_LONG_TEXT,
    Instant,
    check_media_type,
    check_sha256,
    check_text,
)

__all__ = ["CustodyCommands"]


class CustodyCommands(ExhibitWorkCommands):
    """Exhibit custody: found, seized or handed in, sealed, booked, moved, returned, destroyed.

    Losses and damage are reported with :class:`ExhibitWorkCommands`.
    """

    def _origin_fields(
        self, act: CustodyAct, description: str, sha256: bytes | None, media_type: str | None
    ) -> dict[str, Any]:
        fields = {
            "description": check_text(description, "description", max_length=MAX_LONG_TEXT),
            "sha256": None if sha256 is None else check_sha256(sha256, "sha256"),
            "media_type": None if media_type is None else check_media_type(media_type),
        }
        state = self._custody_state(act.ref)
        if state is not None:
            self._check_not_disposed(act, state)
            if state.custodian is not None:
                raise DuplicateExhibitError(
                    f"exhibit {act.ref} already exists (record {state.seq}) and is held by "
                    f"{state.custodian.describe()}"
                )
            self._check_order(act, state)
            if fields["sha256"] is not None and state.sha256 not in (None, fields["sha256"]):
                raise ExhibitHashError(
                    f"sha256 differs from exhibit {act.ref}'s SHA-256 on record {state.seq}"
                )
        return fields

    def locate_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        description: str,
        sha256: bytes | None = None,
        media_type: str | None = None,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record an item found in place (not yet held), or a lost exhibit found again."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        state = self._custody_state(act.ref)
        if state is not None and state.status != ExhibitStatus.LOST:
            raise DuplicateExhibitError(
                f"exhibit {act.ref} already exists in case {self._id} (record {state.seq})"
            )
        return self._append(
            ExhibitLocated, act, self._origin_fields(act, description, sha256, media_type)
        )

    def seize_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        description: str,
        power: str,
        authority: str = "",
        seized_from: uuid.UUID | None = None,
        sha256: bytes | None = None,
        media_type: str | None = None,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record a seizure by ``by`` under ``power``; ``by`` becomes the custodian.

        The exhibit may be new, or one found in place, captured or lost that
        nobody holds. ``seized_from`` names a person of the case (their details
        are committed in their own record).
        """
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        fields = self._origin_fields(act, description, sha256, media_type)
        fields["power"] = check_text(power, "power")
        fields["authority"] = check_text(authority, "authority", allow_empty=True)
        fields["seized_from"] = self._person_or_none(seized_from, "seized_from")
        return self._append(ExhibitSeized, act, fields)

    def receive_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        description: str,
        produced_by: uuid.UUID | None = None,
        sha256: bytes | None = None,
        media_type: str | None = None,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record an item handed in by ``produced_by``, a person of the case (of the public)."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        fields = self._origin_fields(act, description, sha256, media_type)
        fields["produced_by"] = self._person_or_none(produced_by, "produced_by")
        return self._append(ExhibitProduced, act, fields)

    def package_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        bag: str,
        seal: str,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record the exhibit packaged in ``bag`` and sealed with a new ``seal``."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        state = self._existing(act, handles="package")
        if state.sealed:
            raise InvalidCommandError(
                "seal", f"exhibit {act.ref} is already sealed with {state.seal}"
            )
        fields = {
            "bag": check_text(bag, "bag", max_length=64),
            "seal": self._check_new_seal(seal, "seal"),
        }
        return self._append(ExhibitPackaged, act, fields)

    def book_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        to: Custodian,
        place: str,
        property_ref: str,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record the exhibit booked into a property store at ``place``; ``to`` receives it."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        self._existing(act, handles="book")
        receiver = check_custodian(to, "to")
        fields = {
            "to": receiver.to_data(),
            "property_ref": check_text(property_ref, "property_ref"),
        }
        return self._append(ExhibitBooked, act, fields)

    def transfer_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        to: Custodian,
        place: str,
        purpose: str,
        seal_checked: bool = False,
        seal: str | None = None,
        seal_intact: bool | None = None,
        submission_ref: str = "",
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record the exhibit handed by its custodian ``by`` to ``to`` for ``purpose``.

        With ``seal_checked``, quote the ``seal`` seen (it must be the seal on
        record) and whether it was intact (a broken seal is recorded as such).
        """
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        state = self._existing(act, handles="transfer")
        receiver = check_custodian(to, "to")
        if receiver.same_person(act.by):
            raise InvalidCommandError(
                "to", f"{receiver.describe()} already holds exhibit {act.ref}"
            )
        if type(seal_checked) is not bool:
            raise InvalidCommandError("seal_checked", "expected True or False")
        if seal_checked:
            if type(seal_intact) is not bool:
                raise InvalidCommandError(
                    "seal_intact", "a checked seal is intact (True) or not (False)"
                )
            self._check_quoted_seal(act, state, check_text(seal, "seal", max_length=64))
        elif seal is not None or seal_intact is not None:
            raise InvalidCommandError("seal", "quote a seal only when seal_checked is True")
        fields = {
            "to": receiver.to_data(),
            "purpose": check_text(purpose, "purpose"),
            "seal_checked": seal_checked,
            "seal": seal,
            "seal_intact": seal_intact,
            "submission_ref": check_text(submission_ref, "submission_ref", allow_empty=True),
        }
        return self._append(ExhibitTransferred, act, fields)

    def open_seal(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        seal: str,
        reason: str,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record the exhibit's seal opened; ``seal`` must quote the seal number on record."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        state = self._existing(act, handles="open")
        self._check_quoted_seal(act, state, check_text(seal, "seal", max_length=64))
        fields = {"seal": seal, "reason": check_text(reason, "reason", max_length=MAX_LONG_TEXT)}
        return self._append(SealOpened, act, fields)

    def reseal_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        old_seal: str,
        new_seal: str,
        bag: str,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record an opened exhibit sealed again: ``old_seal`` (on record) becomes ``new_seal``."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        state = self._existing(act, handles="reseal")
        old = check_text(old_seal, "old_seal", max_length=64)
        if state.sealed or state.seal is None:
            problem = "is still sealed" if state.sealed else "was never sealed: package it"
            raise InvalidCommandError("old_seal", f"exhibit {act.ref} {problem}")
        if old != state.seal:
            raise SealMismatchError(
                f"old seal {old!r} quoted for exhibit {act.ref}, but the seal on record is "
                f"{state.seal!r} (record {self._seals.get(state.seal, state.seq)})"
            )
        fields = {
            "old_seal": old,
            "new_seal": self._check_new_seal(new_seal, "new_seal"),
            "bag": check_text(bag, "bag", max_length=64),
        }
        return self._append(ExhibitResealed, act, fields)

    def produce_in_court(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        court: str,
        hearing: str = "",
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record the exhibit produced in ``court`` by its custodian."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at)
        self._existing(act, handles="produce in court")
        fields = {
            "court": check_text(court, "court"),
            "hearing": check_text(hearing, "hearing", allow_empty=True),
        }
        return self._append(ExhibitProducedInCourt, act, fields)

    def return_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        returned_to: uuid.UUID | None = None,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record the exhibit returned to ``returned_to`` (a person of the case); final."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at, after_closure=True)
        self._existing(act, handles="return")
        owner = self._person_or_none(returned_to, "returned_to")
        return self._append(ExhibitReturned, act, {"returned_to": owner})

    def destroy_exhibit(
        self,
        *,
        exhibit: str,
        by: Custodian | None = None,
        place: str,
        method: str,
        authority: str,
        witness: Custodian,
        occurred_at: Instant | None = None,
        notes: str = "",
        at: Instant | None = None,
    ) -> int:
        """Record the exhibit destroyed by ``method`` under ``authority``, seen by ``witness``."""
        act = self._begin(exhibit, by, place, occurred_at, notes, at, after_closure=True)
        self._existing(act, handles="destroy")
        seen_by = check_custodian(witness, "witness")
        if seen_by.same_person(act.by):
            raise InvalidCommandError(
                "witness", "the witness must be someone other than the custodian"
            )
        fields = {
            "method": check_text(method, "method"),
            "authority": check_text(authority, "authority"),
            "witness": seen_by.to_data(),
        }
        return self._append(ExhibitDestroyed, act, fields)
