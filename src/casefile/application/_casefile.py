"""The case file of a stored case, for the system that embeds the library.

:meth:`CaseFileQueries.case_file` verifies the case as an export does and
builds the case file (the MG forms) from the verified records with the pure
projection :func:`~casefile.projections.build_case_file`. For an audience it
reads exactly the disclosures a bundle for that audience would carry: its
redaction decisions in force and every erasure withhold their runs, a
whole-field decision leaves the field out, and the defence never sees the
restricted fields. With no audience it is the force's own view: every value and
text the store holds. The captures the case bound are read with it as one story
(docs/FORMAT.md §12.5), each under its own stream's decisions for the audience.

A system holding a bundle rather than a store takes the other, pure path:
:func:`~casefile.bundle.verify_bundle`, then
:func:`~casefile.verifier.verify_case` of the bundle's records and
disclosures, and :func:`~casefile.projections.build_case_file` of the verified
records, for the audience the bundle's manifest names
(``examples/cps_casefile.py`` does exactly that).
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from casefile.bundle import AUDIENCES, DISCLOSE_ALL, DisclosurePolicy
from casefile.bundle._redactions import RedactionLedger
from casefile.errors import InvalidCommandError, UnknownReferenceError
from casefile.events import EVENT_TYPES, Instant, check_time
from casefile.events._values import check_uuid
from casefile.projections import FILE_TYPES, CaseFile, build_case_file
from casefile.signing import TrustStore
from casefile.signing._commitments import AnyDisclosure
from casefile.signing._runs import Run
from casefile.verifier import VerifiedCase, VerifiedRecord, payload_schemas, verify_case
from casefile.verifier._redaction_codes import Audience

__all__ = ["CaseFileQueries", "VerifiedCaseFile"]


@dataclass(frozen=True, slots=True)
class VerifiedCaseFile:
    """A case file and the one verification of the records it was built from.

    ``verified`` is what a verification page needs (the verified records, the
    checkpoint, the findings, the root): the file and its page rest on the same
    verification rather than on two of the store read at different moments.
    ``captured`` holds the verified records of each capture the case bound,
    which the file read with the case's (docs/FORMAT.md §12.5) and the page
    lists with their signers.
    """

    case_file: CaseFile
    verified: VerifiedCase
    captured: Mapping[uuid.UUID, tuple[VerifiedRecord, ...]] = field(default_factory=dict)


class CaseFileQueries:
    """The case file of :class:`~casefile.application.CasefileApp`."""

    trust: TrustStore

    @abc.abstractmethod
    def records(self, case_id: uuid.UUID) -> Iterator[bytes]:
        """The case's stored record bytes in order (provided by the application)."""

    @abc.abstractmethod
    def now(self) -> int:
        """The application's clock (ns since the epoch)."""

    @abc.abstractmethod
    def carried_disclosures(
        self,
        case_id: uuid.UUID,
        *,
        size: int,
        policy: DisclosurePolicy,
        audience: str | None,
        withheld: Mapping[tuple[int, str], tuple[Run, ...] | None],
    ) -> Iterator[AnyDisclosure]:
        """What a bundle for ``audience`` carries (provided by the export)."""

    @abc.abstractmethod
    def bound_capture_records(
        self, verified: Iterable[VerifiedRecord], *, at: int, audience: str | None = None
    ) -> dict[uuid.UUID, tuple[VerifiedRecord, ...]]:
        """The verified records of the captures the records bind (provided by the application)."""

    def case_file(
        self,
        case_id: uuid.UUID,
        *,
        audience: Audience | str | None = None,
        as_of: Instant | None = None,
        file_type: str | None = None,
    ) -> CaseFile:
        """The case file of the case as ``audience`` (``cps``, ``defence``...) may read it.

        :meth:`verified_case_file` gives it with the verification it rests on.

        Every record and disclosure is verified at the application's clock
        (raising the first :class:`~casefile.errors.VerificationError`); only
        verified records reach the projection. ``as_of`` (default: now) is the
        time the file is judged at (exhibit gaps, ages), and ``file_type`` the
        kind of file (``pre_charge``, ``anticipated_guilty_plea``,
        ``anticipated_not_guilty_plea``, ``missing_person``; default: as the
        records suggest) its completeness is judged for. Officers may go on
        recording meanwhile: the file holds the records stored when it started.
        Raises :class:`~casefile.errors.InvalidCommandError` naming
        ``audience`` or ``file_type`` for a value not listed, and
        :class:`~casefile.errors.UnknownReferenceError` for an unknown case.
        """
        return self.verified_case_file(
            case_id, audience=audience, as_of=as_of, file_type=file_type
        ).case_file

    def verified_case_file(
        self,
        case_id: uuid.UUID,
        *,
        audience: Audience | str | None = None,
        as_of: Instant | None = None,
        file_type: str | None = None,
        checkpoint: str | None = None,
    ) -> VerifiedCaseFile:
        """The case file as :meth:`case_file` builds it, and the verification it was built from.

        The case is verified once, with ``checkpoint`` (a signed checkpoint
        note over the records, V12, V13) when given: a readable case file's
        verification page is made from ``verified`` (every signer, the
        checkpoint, the findings) and a PDF carries its ``root``. The
        arguments and errors are those of :meth:`case_file`.
        """
        case_id = check_uuid(case_id, "case_id")
        if audience is not None and audience not in AUDIENCES:
            raise InvalidCommandError(
                "audience", f"must be one of {', '.join(AUDIENCES)} or None, not {audience!r}"
            )
        if file_type is not None and file_type not in FILE_TYPES:
            raise InvalidCommandError(
                "file_type", f"must be one of {', '.join(FILE_TYPES)} or None, not {file_type!r}"
            )
        shown = None if audience is None else str(audience)
        at = self.now()
        when = at if as_of is None else check_time(as_of, "as_of")
        # The records stored now, read once; those recorded from here on are not in this file.
        stored = list(self.records(case_id))
        size = len(stored)
        if size == 0:
            raise UnknownReferenceError(f"no case {case_id} in the store", field="case_id")
        everything = self.carried_disclosures(
            case_id, size=size, policy=DISCLOSE_ALL, audience=None, withheld={}
        )
        verified = verify_case(
            stored,
            trust=self.trust,
            at=at,
            case_id=case_id,
            disclosures=everything,
            checkpoint=checkpoint,
            known_types=EVENT_TYPES.known_types(),
            payloads=payload_schemas(),
        )
        records = list(verified.records)
        # The captures the case bound are read with it, as one story (FORMAT §12.5), each
        # with the disclosures of it a bundle for the audience would carry.
        captured = self.bound_capture_records(records, at=at, audience=shown)
        if shown is None:
            built = build_case_file(records, as_of=when, file_type=file_type, captures=captured)
            return VerifiedCaseFile(built, verified, captured)
        # Every record and disclosure is verified once, here; the audience's
        # decisions are read from those verified records (as an export reads
        # them) rather than by verifying the case again, and the projection
        # checks each redacted disclosure it is given against its commitment.
        ledger = RedactionLedger(shown)
        for record in records:
            ledger.take_acts(record)
        carried = self.carried_disclosures(
            case_id, size=size, policy=DISCLOSE_ALL, audience=shown, withheld=ledger.withheld()
        )
        built = build_case_file(
            records,
            audience=shown,
            as_of=when,
            file_type=file_type,
            disclosures=carried,
            captures=captured,
        )
        return VerifiedCaseFile(built, verified, captured)
