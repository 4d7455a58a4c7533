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

__all__ = ["POLICY_FIELDS_NOT_DISCLOSED", "PolicyCheck"]

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
        if self.policy.mode != "none":
            self._not_disclosed.update(
                (record.seq, name)
                for name in record.commitments
                if self.policy.allows(name) and name not in record.disclosed
            )

    def finding(self, withheld_whole: Set[tuple[int, str]]) -> Finding | None:
        """The B7 finding, if a covered field is left out that ``withheld_whole`` (B11's
        whole-field acts) and the defence rule do not account for."""
        unexplained = [
            key
            for key in self._not_disclosed - withheld_whole
            if not is_restricted(self.audience, key[1])
        ]
        if not unexplained:
            return None
        return Finding(
            POLICY_FIELDS_NOT_DISCLOSED,
            f"{len(unexplained)} personal field(s) covered by the disclosure policy "
            f"({self.policy.mode}) are not disclosed, and no signed decision for the "
            "audience or erasure withholds them",
        )
