"""Personal values a store holds for the people of a case: reading them, erasing them.

The records carry only commitments to personal values (docs/FORMAT.md §4);
the values travel as disclosures stored beside them, which can be read back
checked against their commitments, or erased while the case still verifies.
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from casefile.errors import InvalidCommandError
from casefile.events import PersonAdded
from casefile.events._values import check_uuid
from casefile.signing._records import parse_record
from casefile.signing._text import TextDisclosure, parse_disclosure
from casefile.verifier._redaction_codes import ErasureBasis

if TYPE_CHECKING:
    from collections.abc import Sequence

    from casefile.application._recorders import CaseRecorder, ErasureRow
    from casefile.events import Investigation
    from casefile.signing._keys import Signer
    from casefile.signing._value import Disclosure

__all__ = ["PersonalDataCommands"]


class PersonalDataCommands:
    """The personal-data reads and erasures of :class:`~casefile.application.CasefileApp`."""

    _cases: CaseRecorder

    @abc.abstractmethod
    def get_case(self, case_id: uuid.UUID, *, audit: bool = False) -> Investigation:
        """Load a case, authenticating its chain (provided by the application)."""

    @abc.abstractmethod
    def disclosures(self, case_id: uuid.UUID) -> Iterator[Disclosure | TextDisclosure]:
        """The case's disclosures by (seq, name) (provided by the application)."""

    @abc.abstractmethod
    def save_case(
        self, case: Investigation, signer: Signer, *, erase: Sequence[ErasureRow] = ()
    ) -> list[int]:
        """Seal and store (provided by the application)."""

    @abc.abstractmethod
    def _bind_signer(self, case: Investigation, signer: Signer) -> None: ...

    def person_details(self, case_id: uuid.UUID, person_id: uuid.UUID) -> dict[str, Any]:
        """The personal values this store holds for a person of the case, as last corrected.

        Each value is checked against its record's commitment (the records are
        authenticated by loading the case); erased or never given values are
        absent. Raises :class:`~casefile.errors.UnknownReferenceError` for an
        unknown case or person.
        """
        case = self.get_case(case_id)
        seqs = case.person_record_seqs(person_id)
        # Only the person's own records: the case was read whole to load it.
        stored = {
            seq: self._cases.select_events(case.id, gt=seq - 1, lte=seq)[0].state for seq in seqs
        }
        values: dict[int, dict[str, Any]] = {}
        for d in self.disclosures(case.id):
            if d.seq in seqs and not isinstance(d, TextDisclosure):
                committed = parse_record(stored[d.seq]).header.commitments.get(d.name)
                if committed == d.commitment():
                    values.setdefault(d.seq, {})[d.name] = d.value
        details: dict[str, Any] = {}
        for seq in sorted(values):  # later corrections win
            details.update(values[seq])
        return details

    def erase_personal_data(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        *,
        person_id: uuid.UUID | None = None,
        fields: Iterable[str] | None = None,
        basis: ErasureBasis | str = ErasureBasis.ERASURE_REQUEST,
        explanation: str | None = None,
    ) -> int:
        """Erase disclosures: a person's (optionally only ``fields``), or ``fields`` case-wide.

        Each erased field is recorded as a ``disclosure.erased`` record signed
        by ``signer`` (role ``data_protection`` or ``supervisor``), stored in
        the same transaction as the erasure; the records keep their
        commitments, so the case still verifies. Returns how many were erased
        (nothing is recorded when none is held). To erase words of a text,
        see :meth:`erase_words`.
        """
        case_id = check_uuid(case_id, "case_id")
        names = None if fields is None else frozenset(fields)
        if names is not None and any(type(n) is not str for n in names):
            raise InvalidCommandError("fields", "field names are strings")
        if person_id is None and names is None:
            raise InvalidCommandError("person_id", "name a person, fields, or both")
        # The case first: an erasure stored meanwhile makes this one's records clash.
        case = self.get_case(case_id)
        seqs = None
        if person_id is not None:
            seqs = case.person_record_seqs(person_id)
            # The person's values only: a correction's reason is a text of the case.
            names = PersonAdded.PERSONAL_FIELDS if names is None else names
        held = [
            (found.seq, found.name)
            for found in map(parse_disclosure, self._cases.select_disclosures(case_id))
            if (seqs is None or found.seq in seqs) and (names is None or found.name in names)
        ]
        if not held:
            return 0
        self._bind_signer(case, signer)
        for seq, name in held:
            case.record_erasure(record=seq, field=name, basis=basis, explanation=explanation)
        self.save_case(case, signer, erase=[(case_id, seq, name, None) for seq, name in held])
        return len(held)
