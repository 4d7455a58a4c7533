"""A case handed over to the CPS, whose receipt key and three witnesses' keys the trust store holds.

Shared by the tests of receipts and witnesses (B15) and of the command that records a receipt.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from application.conftest import CHECKPOINTER, NAMESPACE, OFFICER, SECOND, T0, signer_for
from casefile.application import CasefileApp
from casefile.events._custody_values import Custodian
from casefile.signing._keys import InMemorySigner
from casefile.signing._note import split_note
from casefile.signing._trust import Holder, TrustEntry, TrustPolicy, TrustStore

CPS = signer_for("cps-receipts")
WITNESSES = [signer_for(f"witness-{n}") for n in range(3)]
LATER = T0 + 10**12
CPS_NAME = "cps.example/receipts"
WITNESS_NAMES = [f"witness.example/w{n}" for n in range(3)]


def _entry(signer: InMemorySigner, name: str, roles: set[str], force: str) -> TrustEntry:
    return TrustEntry(
        public_key=signer.public_key,
        name=name,
        holder=Holder(name=name, rank="", number="1187", force=force),
        roles=frozenset(roles),
        valid_from=T0 - 86_400 * SECOND,
    )


ENTRIES = [
    _entry(OFFICER, "pc-1234", {"recorder"}, "Test Force"),
    _entry(CHECKPOINTER, "custody-suite", {"checkpoint"}, "Test Force"),
    _entry(CPS, CPS_NAME, {"recipient"}, "Crown Prosecution Service"),
    *(_entry(s, n, {"witness"}, "Witness") for s, n in zip(WITNESSES, WITNESS_NAMES, strict=True)),
]
TRUST = TrustStore(ENTRIES)
CPS_PERSON = Custodian.from_holder(ENTRIES[2].holder, role="recipient")


def witness_policy(k: int) -> TrustStore:
    policy = TrustPolicy(
        TRUST.policy.record_roles,
        TRUST.policy.checkpoint_roles,
        witnesses=frozenset(WITNESS_NAMES),
        witness_threshold=k,
    )
    return TrustStore(ENTRIES, policy)


def clock() -> Iterator[int]:
    n = 0
    while True:
        n += 1
        yield T0 + n * SECOND


def handed_over(app: CasefileApp, case_id: uuid.UUID | None = None, notes: int = 2) -> uuid.UUID:
    """A case with ``notes`` notes and a handover record; returns its id."""
    case_id = app.open_case(
        OFFICER, offence="Burglary", channel="online", reference="01YE0000126", case_id=case_id
    )
    for n in range(notes):
        app.add_note(case_id, OFFICER, text=f"note {n}")
    before = app.checkpoint(case_id, CHECKPOINTER, "custody-suite", NAMESPACE)
    app.record_handover(case_id, OFFICER, recipient="CPS", checkpoint=before)
    return case_id


def checkpoint_note(app: CasefileApp, case_id: uuid.UUID) -> str:
    return app.checkpoint(case_id, CHECKPOINTER, "custody-suite", NAMESPACE)


def body_of(note: str) -> str:
    return split_note(note)[0]


def seconds_after_t0(seconds: int) -> int:
    return T0 // SECOND + seconds
