"""B21 of docs/FORMAT.md §9.6: a carried capture discloses only what the bundle's audience may see.

A capture's disclosures passed V11 in B19: the words are the officer's. B21
says whether they may be in this bundle at all, by the rules B7 and B11 hold
the case's own disclosures to: the manifest's policy allows each name, the
defence gets no restricted field, and no unit or value that the stream's own
decisions in force for the audience (or its erasures, for every bundle) withhold
is revealed. A decision recorded in a capture names a record of the same
capture (§12.1), so the stream's acts are read over the stream's records, with
the ledger the case's B11 and the export use.

Unlike B11, whose faults are findings, a fault here is a failure: no bundle
made before capture disclosures travelled carries one, and a centre that
writes a bundle applies the stream's acts itself (docs/DECISIONS.md D66).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from casefile.bundle._audience import is_restricted
from casefile.bundle._manifest import DisclosurePolicy
from casefile.bundle._policy_check import captured_unexplained
from casefile.bundle._redactions import RedactionLedger
from casefile.projections._redactions import FieldRedactions
from casefile.signing._runs import uncovered
from casefile.signing._text import TextDisclosure
from casefile.verifier._verified import VerifiedRecord

__all__ = [
    "CaptureDisclosureFault",
    "capture_disclosure_faults",
    "capture_left_out",
    "stream_acts",
]


@dataclass(frozen=True, slots=True)
class CaptureDisclosureFault:
    """A disclosure of record ``seq`` of a capture that the bundle must not carry, and why."""

    seq: int
    field: str
    why: str


def stream_acts(records: Iterable[VerifiedRecord], audience: str | None) -> RedactionLedger:
    """The ledger of one capture's own acts (decisions, withdrawals, erasures) for ``audience``."""
    ledger = RedactionLedger(audience)
    for record in records:
        ledger.take_acts(record)
    return ledger


def capture_disclosure_faults(
    records: Iterable[VerifiedRecord],
    *,
    policy: DisclosurePolicy,
    audience: str | None,
    ledger: RedactionLedger | None = None,
) -> Iterator[CaptureDisclosureFault]:
    """B21 over the verified records of one carried capture (with the disclosures V11 matched).

    ``ledger`` holds the stream's acts for ``audience`` when the caller has read
    them already (:func:`stream_acts`). Yields one fault per disclosure, in
    (seq, name) order.
    """
    kept = list(records)
    covers = (ledger or stream_acts(kept, audience)).covers()
    for record in kept:
        for name in sorted(record.disclosed):
            why = _fault(
                name,
                record.disclosed[name],
                covers.get((record.seq, name)),
                policy=policy,
                audience=audience,
            )
            if why is not None:
                yield CaptureDisclosureFault(record.seq, name, why)


def capture_left_out(
    records: Iterable[VerifiedRecord],
    *,
    policy: DisclosurePolicy,
    audience: str | None,
    ledger: RedactionLedger | None = None,
) -> int:
    """B7 over one carried capture: the fields its records commit that the policy covers,
    that have no disclosure and that neither the stream's own whole-field acts for the
    audience (decisions in force, erasures) nor the defence rule withhold."""
    kept = list(records)
    withheld = (ledger or stream_acts(kept, audience)).withheld_whole()
    return captured_unexplained(kept, policy, audience, withheld)


def _fault(
    name: str,
    opened: object,
    found: FieldRedactions | None,
    *,
    policy: DisclosurePolicy,
    audience: str | None,
) -> str | None:
    # B21.1: B7's rules, for the capture's disclosures as for the case's.
    if is_restricted(audience, name):
        return "a restricted field in a bundle for the defence"
    if not policy.allows(name):
        return f"outside the manifest's disclosure policy ({policy.mode})"
    if found is None:
        return None
    # B21.2: the stream's decisions in force for the audience and its erasures (B11 steps 1-2).
    acts = (*found.decisions, *found.erasures)
    if found.whole:
        whole = [c.seq for c in acts if c.runs is None]
        return f"withheld whole by record {whole[0]} of the capture"
    if not isinstance(opened, TextDisclosure):
        # A value is withheld whole or not at all: any act that counts withholds it.
        counted = [c.seq for c in acts if c.runs]
        return None if not counted else f"a value withheld by record {counted[0]} of the capture"
    revealed = [
        part for run in found.runs(opened.n) or () for part in uncovered(run, opened.withheld)
    ]
    if not revealed:
        return None
    a, b = revealed[0]
    return f"reveals units [{a}, {b}) that the capture's decisions or erasures withhold"
