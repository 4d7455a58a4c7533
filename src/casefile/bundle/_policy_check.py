"""B7 of docs/FORMAT.md §9.6: the disclosures a bundle carries, held to its policy and audience.

A disclosure outside the manifest's policy, or of a restricted field in a
bundle for the defence, is a manifest error: the sender let out what the
bundle says it keeps in. A field the policy covers that has no disclosure is
only a finding, and not even that when it is withheld on purpose: whole by a
signed act (B11 accounts for it) or, for the defence, a restricted field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Set
from dataclasses import dataclass, field

from casefile.bundle._audience import is_restricted
from casefile.bundle._layout import shown
from casefile.bundle._manifest import DisclosurePolicy
from casefile.errors import ManifestError, VerificationError
from casefile.findings import Finding
from casefile.signing._commitments import AnyDisclosure
from casefile.verifier._verified import VerifiedRecord

__all__ = [
    "POLICY_FIELDS_NOT_DISCLOSED",
    "PolicyCheck",
    "captured_unexplained",
    "not_disclosed",
    "policy_finding",
]

#: Fields the policy covers that have no disclosure and that no signed act withholds.
POLICY_FIELDS_NOT_DISCLOSED = "policy_fields_not_disclosed"


@dataclass(slots=True)
class PolicyCheck:
    """B7 over one bundle: filters its disclosures, notes the covered fields left out."""

    policy: DisclosurePolicy
    audience: str | None
    label: str | None
    # (record, field) pairs the policy covers that have no disclosure.
    _not_disclosed: set[tuple[int, str]] = field(default_factory=set)

    def disclosures(
        self, items: Iterable[AnyDisclosure], fail: Callable[[VerificationError], None]
    ) -> Iterator[AnyDisclosure]:
        """The disclosures that may travel; each other one is reported to ``fail`` and dropped."""
        for item in items:
            # B7: the witness's restricted details never travel to the defence.
            if is_restricted(self.audience, item.name):
                fault = (
                    f"disclosure of the restricted field {shown(item.name)} of record "
                    f"{item.seq} in a bundle for the defence"
                )
            # B7: only disclosures the manifest's policy allows travel with the bundle.
            elif not self.policy.allows(item.name):
                fault = (
                    f"disclosure of {shown(item.name)} is outside the manifest's "
                    f"disclosure policy ({self.policy.mode})"
                )
            else:
                yield item
                continue
            fail(ManifestError(fault, case_id=self.label, seq=item.seq, step="B7"))

    def take(self, record: VerifiedRecord) -> None:
        """Note the fields of a verified record that the policy covers but that it lacks."""
        self._not_disclosed |= not_disclosed((record,), self.policy)

    def unexplained(self, withheld_whole: Set[tuple[int, str]]) -> int:
        """How many covered fields are left out that ``withheld_whole`` (B11's whole-field
        acts) and the defence rule do not account for."""
        return _unexplained(self._not_disclosed, withheld_whole, self.audience)

    def finding(self, withheld_whole: Set[tuple[int, str]]) -> Finding | None:
        """The B7 finding over the case's records alone (see :func:`policy_finding`)."""
        return policy_finding(self.unexplained(withheld_whole), self.policy)


def not_disclosed(
    records: Iterable[VerifiedRecord], policy: DisclosurePolicy
) -> set[tuple[int, str]]:
    """The (seq, field) pairs of ``records`` that ``policy`` covers but that have no disclosure."""
    if policy.mode == "none":
        return set()
    return {
        (record.seq, name)
        for record in records
        for name in record.commitments
        if policy.allows(name) and name not in record.disclosed
    }


def _unexplained(
    left_out: Set[tuple[int, str]], withheld_whole: Set[tuple[int, str]], audience: str | None
) -> int:
    return sum(1 for key in left_out - withheld_whole if not is_restricted(audience, key[1]))


def captured_unexplained(
    records: Iterable[VerifiedRecord],
    policy: DisclosurePolicy,
    audience: str | None,
    withheld_whole: Set[tuple[int, str]],
) -> int:
    """B7's count over one carried capture's records, ``withheld_whole`` its own acts'."""
    return _unexplained(not_disclosed(records, policy), withheld_whole, audience)


def policy_finding(count: int, policy: DisclosurePolicy) -> Finding | None:
    """The B7 finding for ``count`` covered fields left out that no signed act explains."""
    if not count:
        return None
    return Finding(
        POLICY_FIELDS_NOT_DISCLOSED,
        f"{count} personal field(s) covered by the disclosure policy "
        f"({policy.mode}) are not disclosed, and no signed decision for the "
        "audience or erasure withholds them",
    )
