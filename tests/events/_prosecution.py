"""A prosecution case in the making: a suspect, evidence, an offence, and a prosecutor's key."""

from __future__ import annotations

import uuid

from casefile.events import Custodian, Investigation, PointToProve, SealedBatch, seal_events
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import Holder, TrustEntry, TrustStore
from events.conftest import OFFICER, SECOND, T0, entry, signer_for

#: A Crown prosecutor, as the records of their decisions name them.
PROSECUTOR = Custodian(
    name="Priya Shah", number="CPS-0042", organisation="Crown Prosecution Service", rank=""
)
#: A second interviewing officer.
DC = Custodian(name="Dan Cole", number="5521", organisation="Test Force", rank="DC")
DIGEST = bytes(range(32))


def prosecutor_key() -> InMemorySigner:
    return signer_for("prosecutor")


def prosecutor_entry(roles: frozenset[str] = frozenset({"prosecutor"})) -> TrustEntry:
    return TrustEntry(
        public_key=prosecutor_key().public_key,
        name="cps/prosecutor/0042",
        holder=Holder(name="Priya Shah", rank="", number="CPS-0042", force=PROSECUTOR.organisation),
        roles=roles,
        valid_from=T0 - 86_400 * SECOND,
    )


def trust_with_prosecutor(officer: InMemorySigner) -> TrustStore:
    """The default policy: the officer records, the prosecutor decides."""
    return TrustStore([entry(officer, "officer"), prosecutor_entry()])


def seal(case: Investigation, signer: InMemorySigner, trust: TrustStore) -> SealedBatch:
    """Seal the case's pending events with ``signer`` and mark them stored (random salts)."""
    batch = seal_events(case, list(case.pending_events), signer, trust=trust)
    case.collect_events()
    case.mark_sealed(batch.last_seq, batch.head, batch.commitments)
    return batch


def suspect(case: Investigation, name: str = "Sam Suspect") -> uuid.UUID:
    """A person of the case identified as a suspect."""
    person = case.add_person(role="suspect", name=name)
    case.identify_suspect(person_id=person, grounds="Seen on CCTV leaving the house.")
    return person


def statement(case: Investigation) -> int:
    """A witness statement; returns the seq of its record."""
    witness = case.add_person(role="witness", name="Wendy Witness")
    case.record_statement(
        witness_id=witness,
        declaration="This statement is true.",
        body="I saw a man climb out of the window.",
        place="Home",
        started_at=T0,
        ended_at=T0 + 600 * SECOND,
    )
    return case.version


def offence(case: Investigation, person: uuid.UUID, evidence: tuple[int, ...] = ()) -> int:
    """A burglary alleged against ``person``; returns its seq (the offence's id)."""
    return case.allege_offence(
        person_id=person,
        code="TH68010",
        title="Burglary dwelling and theft",
        wording="On 1 March 2026 at Leeds entered a dwelling as a trespasser and stole a laptop.",
        place="12 Acacia Avenue, Leeds",
        from_date="2026-03-01",
        points_to_prove=[PointToProve("Entered as a trespasser", evidence)] if evidence else (),
    )


def decide(case: Investigation, request: int, outcome: str, offences: tuple[int, ...] = ()) -> int:
    """The prosecutor's decision on ``request``, keyed in by the prosecutor's own session."""
    case.bind_actor(PROSECUTOR)
    try:
        return case.record_charging_decision(
            request=request,
            outcome=outcome,
            test="full_code",
            reasons="The evidential and public interest stages are met.",
            offences=offences,
            action_plan="Obtain the CCTV." if outcome == "further_evidence" else "",
        )
    finally:
        case.bind_actor(OFFICER)
