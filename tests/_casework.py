"""A case worked by an officer and a prosecutor, each signing with their own key.

The keys and people are those of the domain tests (``events.conftest``,
``events._prosecution``): the officer's key holds ``recorder``, the
prosecutor's ``prosecutor`` (under the default policy only a prosecutor
decides unused material). ``Desk`` seals what is pending with the key of
whoever acts, keeps the stored records and disclosures, and loads or
verifies them as a reader would.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import StoredEvent

from casefile.events import CommandContext, Investigation, load_investigation
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import TrustStore
from casefile.verifier import VerifiedCase, payload_schemas, verify_case
from events._prosecution import PROSECUTOR, prosecutor_entry, prosecutor_key, seal
from events.conftest import OFFICER, SECOND, T0, entry, signer_for

__all__ = [
    "OFFICER",
    "OFFICER_KEY",
    "PROSECUTOR",
    "PROSECUTOR_KEY",
    "SECOND",
    "T0",
    "TRUST",
    "Desk",
    "context",
    "handover_note",
    "trust_with",
]

OFFICER_KEY = signer_for("officer")
PROSECUTOR_KEY = prosecutor_key()


def handover_note(case: Investigation) -> str:
    """A checkpoint note over the records of ``case`` so far, as a handover names it.

    Its root and signature are placeholders: the domain checks only the size,
    the application and the verifier check the rest.
    """
    return f"casefile.example/{case.id}\n{case.version}\n{'A' * 43}=\n\n\u2014 log AAAA\n"


def trust_with(prosecutor_role: str) -> TrustStore:
    """The officer's key as a recorder, and the prosecutor's key holding ``prosecutor_role``."""
    return TrustStore(
        [entry(OFFICER_KEY, "officer"), prosecutor_entry(frozenset({prosecutor_role}))]
    )


TRUST = trust_with("prosecutor")


def context() -> CommandContext:
    """A clock stepping one second a command, and ids counted from zero."""
    ticks, ids = itertools.count(), itertools.count()

    def random_bytes(n: int) -> bytes:
        return hashlib.sha256(b"casework %d" % next(ids)).digest()[:n]

    return CommandContext(clock=lambda: T0 + SECOND * next(ticks), random_bytes=random_bytes)


@dataclass
class Desk:
    """A case and the records stored of it so far."""

    case: Investigation
    stored: list[StoredEvent] = field(default_factory=list)
    disclosures: list[Any] = field(default_factory=list)

    @classmethod
    def open(cls, *, kind: str = "crime", offence: str | None = "Burglary dwelling") -> Desk:
        case = Investigation.open(
            reference="01YE1234526", kind=kind, offence=offence, channel="phone", context=context()
        )
        case.bind_actor(OFFICER)
        desk = cls(case)
        desk.seal()
        return desk

    def seal(self, signer: InMemorySigner = OFFICER_KEY) -> None:
        """Store what is pending, signed by ``signer``."""
        batch = seal(self.case, signer, TRUST)
        self.stored.extend(batch.stored_events)
        self.disclosures.extend(batch.disclosures)

    def as_prosecutor(self, act: Callable[[Investigation], Any]) -> Any:
        """Record ``act`` as the prosecutor, sealed with the prosecutor's key."""
        self.seal()
        self.case.bind_actor(PROSECUTOR)
        try:
            result = act(self.case)
            self.seal(PROSECUTOR_KEY)
        finally:
            self.case.bind_actor(OFFICER)
        return result

    def load(self) -> Investigation:
        return load_investigation(self.case.id, self.stored, TRUST)

    def verify(self) -> VerifiedCase:
        return verify_case(
            [s.state for s in self.stored],
            trust=TRUST,
            at=T0 + 10**6 * SECOND,
            case_id=self.case.id,
            disclosures=self.disclosures,
            payloads=payload_schemas(),
        )

    def person(self, role: str, name: str = "Ann Example") -> uuid.UUID:
        return self.case.add_person(role=role, name=name)
