"""The casefile application service: officers' commands over signed, chained case records.

Every command loads the case (authenticating its chain), checks the rules,
seals the new records with the acting officer's key and stores them with
their disclosures (personal values and texts) in one transaction. :meth:`CasefileApp.session`
groups many commands (an officer's whole visit) into one such transaction.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from eventsourcing.application import Application, Repository
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper, StoredEvent
from eventsourcing.utils import Environment, EnvType

from casefile.application._capture import CaptureAttachCommands
from casefile.application._casefile import CaseFileQueries
from casefile.application._checkpoints import CheckpointCommands
from casefile.application._commands import CaseCommands
from casefile.application._config import StoreConfig
from casefile.application._export import ExportCommands
from casefile.application._index import index_entry, officer_of
from casefile.application._personal import PersonalDataCommands
from casefile.application._queries import CaseQueries
from casefile.application._recorders import CaseRecorder, DisclosureRow, ErasureRow
from casefile.application._redactions import RedactionAppCommands
from casefile.bundle._capture_check import CAPTURE_OPENED
from casefile.errors import (
    ConcurrencyConflictError,
    InputError,
    InvalidCommandError,
)
from casefile.events import (
    EVENT_TYPES,
    CaseKind,
    CommandContext,
    Custodian,
    Instant,
    Investigation,
    RecordMapper,
    ReferenceScheme,
    ReportingChannel,
    check_time,
    load_investigation,
    seal_events,
)
from casefile.events._values import check_uuid
from casefile.signing._keys import Signer
from casefile.signing._text import TextDisclosure, parse_disclosure
from casefile.signing._trust import TrustStore
from casefile.signing._value import Disclosure
from casefile.verifier import VerifiedCase, payload_schemas, verify_case
from casefile.verifier._redaction_codes import Audience

__all__ = ["CasefileApp"]

_PAGE: Final = 1000


class CasefileApp(
    CaseCommands,
    CaseQueries,
    CheckpointCommands,
    PersonalDataCommands,
    RedactionAppCommands,
    CaptureAttachCommands,
    ExportCommands,
    CaseFileQueries,
    Application[uuid.UUID],
):
    """Investigations kept as signed, hash-chained records in one store.

    ``store`` says where (see :class:`StoreConfig`; nothing is read from the
    environment); ``trust`` decides which keys may sign what, and is checked
    on every write and load. ``clock`` (ns since the epoch) and
    ``random_bytes`` are injectable; ``reference_scheme`` issues the reference
    of new cases when :meth:`open_case` is given none. A reference names one
    case per store; :meth:`find_case` and :meth:`case_summaries` read the case
    index the store keeps with the records.
    """

    name = "casefile"
    #: Whether this store records into capture streams (a device's store does).
    _records_captures = False

    def __init__(
        self,
        *,
        store: StoreConfig,
        trust: TrustStore,
        clock: Callable[[], int] = time.time_ns,
        random_bytes: Callable[[int], bytes] = os.urandom,
        reference_scheme: ReferenceScheme | None = None,
    ) -> None:
        if not isinstance(store, StoreConfig):
            raise TypeError("store must be a StoreConfig")
        if not isinstance(trust, TrustStore):
            raise TypeError("trust must be a TrustStore")
        self.store = store
        self.trust = trust
        self.reference_scheme = reference_scheme
        self._clock = clock
        self._random_bytes = random_bytes
        self._context = CommandContext(clock=clock, random_bytes=random_bytes)
        super().__init__(env=dict(store.settings))
        self._cases: CaseRecorder = self.recorder  # type: ignore[assignment]

    # --- eventsourcing construction seams -----------------------------------

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # Exactly the configured settings: no os.environ, no class defaults.
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[uuid.UUID]:
        # Followers and projection runners map records one at a time: authenticate each.
        return RecordMapper(transcoder=JSONTranscoder(), trust=self.trust)

    def construct_recorder(self) -> Any:
        backend = self.store.backend
        if backend == "memory":
            from casefile.application._popo import CasefilePOPORecorder

            return CasefilePOPORecorder()
        recorder: Any
        if backend == "sqlite":
            from casefile.application._sqlite import CasefileSQLiteRecorder, switch_to_wal

            settings = self.store.settings
            switch_to_wal(settings["SQLITE_DBNAME"], float(settings.get("SQLITE_LOCK_TIMEOUT", 5)))
            recorder = CasefileSQLiteRecorder(self.factory.datastore)  # type: ignore[attr-defined]
        else:
            from casefile.application._postgres import CasefilePostgresRecorder

            recorder = CasefilePostgresRecorder(self.factory.datastore)  # type: ignore[attr-defined]
        if self.factory.env_create_table():  # type: ignore[attr-defined]
            recorder.create_table()
        return recorder

    def construct_repository(self) -> Repository[uuid.UUID]:
        return _AuthenticatingRepository(self)

    # --- units of work --------------------------------------------------------

    def get_case(self, case_id: uuid.UUID, *, audit: bool = False) -> Investigation:
        """Load a case, authenticating its chain (or, with ``audit``, every record).

        A routine load checks every record's framing, case, sequence and link
        and the head record's signature, which covers the chain; ``audit=True``
        also verifies every signature and disclosure with the offline verifier.
        The exhibits of attached captures join the case's state (FORMAT.md
        §12.7), their streams authenticated as the case's chain is.
        Raises :class:`~casefile.errors.UnknownReferenceError` for an unknown case.
        """
        case_id = check_uuid(case_id, "case_id")
        stored = self._cases.select_events(case_id)
        if audit and stored:
            self._verify([s.state for s in stored], case_id, at=self._clock())
        return load_investigation(
            case_id, stored, self.trust, context=self._context, captured=self._cases.select_events
        )

    @contextmanager
    def session(
        self, case_id: uuid.UUID, signer: Signer, *, audit: bool = False
    ) -> Iterator[Investigation]:
        """Load a case, let the caller issue commands, then store them all at once.

        Everything recorded in the block is sealed with ``signer`` and saved in
        one transaction on leaving it; nothing is saved if the block raises.
        The signer's trust-store holder is bound as the case's actor
        (:meth:`~casefile.events.Investigation.bind_actor`): commands default
        ``by`` to them, and a ``by`` naming someone else is recorded on that
        person's behalf.
        Raises :class:`~casefile.errors.ConcurrencyConflictError` if another
        writer stored records first: reload and retry.
        """
        case = self.get_case(case_id, audit=audit)
        if case.capture_of is not None and not self._records_captures:
            # The centre's copy of a capture is what it bound: written only by attaching.
            raise InvalidCommandError(
                "case_id",
                f"{case_id} is a capture stream: it is recorded on its device and joins "
                "its case by attach_capture",
            )
        self._bind_signer(case, signer)
        yield case
        self.save_case(case, signer)

    @contextmanager
    def open_session(
        self,
        signer: Signer,
        *,
        channel: ReportingChannel | str,
        kind: CaseKind | str = CaseKind.CRIME,
        offence: str | None = None,
        reference: str | None = None,
        at: Instant | None = None,
        case_id: uuid.UUID | None = None,
    ) -> Iterator[Investigation]:
        """Open a case and let the caller record more; all stored in one transaction.

        A crime case (``kind="crime"``) names its ``offence``; a missing-person case none.
        """
        case = self._new_case(kind, offence, channel, reference, at, case_id)
        self._bind_signer(case, signer)
        yield case
        self.save_case(case, signer)

    def _bind_signer(self, case: Investigation, signer: Signer) -> None:
        # An unknown key binds no one; sealing then refuses it with its own error.
        entry = self.trust.get(signer.public_key.key_id)
        case.bind_actor(None if entry is None else Custodian.from_holder(entry.holder))

    def save_case(
        self,
        case: Investigation,
        signer: Signer,
        *,
        erase: Sequence[ErasureRow] = (),
        carried: tuple[Sequence[StoredEvent], Sequence[DisclosureRow]] = ((), ()),
    ) -> list[int]:
        """Seal the case's pending events with ``signer`` and store them with their disclosures.

        Returns the sequence numbers stored. On failure nothing is stored; after
        a :class:`~casefile.errors.ConcurrencyConflictError` the case object is
        stale and must be reloaded. Opening a case whose reference another case
        has raises :class:`~casefile.errors.DuplicateReferenceError`. The case
        index is brought up to date, and the disclosures ``erase`` names are
        replaced or deleted, in the same transaction, as are ``carried``: records
        of capture streams, stored as they were signed, with their disclosure rows.
        """
        pending = list(case.pending_events)
        if not pending:
            return []
        batch = seal_events(
            case,
            pending,  # type: ignore[arg-type]
            signer,
            trust=self.trust,
            random_bytes=self._random_bytes,
        )
        rows = [(d.case_id, d.seq, d.name, d.to_bytes()) for d in batch.disclosures]
        rows.extend(carried[1])
        index = index_entry(
            case,
            events=pending,
            last_seq=batch.last_seq,
            officer=officer_of(self.trust, signer.public_key.key_id),
        )
        try:
            self._cases.insert_events(
                [*carried[0], *batch.stored_events], disclosures=rows, index=index, erase=erase
            )
        except IntegrityError:
            first = batch.stored_events[0].originator_version
            raise ConcurrencyConflictError(
                f"case {case.id}: another writer stored record {first} first; "
                "reload the case and retry"
            ) from None
        case.collect_events()
        case.mark_sealed(batch.last_seq, batch.head, batch.commitments)
        return [s.originator_version for s in batch.stored_events]

    def _new_case(
        self,
        kind: CaseKind | str,
        offence: str | None,
        channel: ReportingChannel | str,
        reference: str | None,
        at: Instant | None,
        case_id: uuid.UUID | None,
    ) -> Investigation:
        when = check_time(self._clock() if at is None else at, "at")
        if reference is None:
            if self.reference_scheme is None:
                raise InvalidCommandError(
                    "reference", "no reference scheme is configured: give the reference"
                )
            reference = self.reference_scheme.issue(when)
        return Investigation.open(
            reference=reference,
            kind=kind,
            offence=offence,
            channel=channel,
            at=when,
            case_id=case_id,
            context=self._context,
        )

    # --- commands ---------------------------------------------------------------

    def open_case(
        self,
        signer: Signer,
        *,
        channel: ReportingChannel | str,
        kind: CaseKind | str = CaseKind.CRIME,
        offence: str | None = None,
        reference: str | None = None,
        at: Instant | None = None,
        case_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Open a case; the reference scheme issues its reference unless given. Returns its id.

        A crime case (``kind="crime"``) names its ``offence``; a missing-person case none.
        """
        with self.open_session(
            signer,
            kind=kind,
            offence=offence,
            channel=channel,
            reference=reference,
            at=at,
            case_id=case_id,
        ) as case:
            return case.id

    def record_handover(
        self,
        case_id: uuid.UUID,
        signer: Signer,
        *,
        recipient: str,
        checkpoint: str,
        audience: Audience | str | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record that ``recipient`` is given the case for ``audience``; returns its seq.

        ``checkpoint`` is the signed note over every record the case holds
        before this one: it must verify under a trusted checkpoint key that the
        verifier would accept for it (V12) and describe those records (origin,
        size and root). :meth:`export_bundle` with a ``recipient`` records the
        handover and makes the bundle that ends with it in one call.
        """
        case_id = check_uuid(case_id, "case_id")
        self._check_checkpoint(case_id, checkpoint)
        with self.session(case_id, signer) as case:
            return case.record_handover(
                recipient=recipient, checkpoint=checkpoint, audience=audience, at=at
            )

    def now(self) -> int:
        """The application's clock: ns since the epoch (injected, ``time.time_ns`` by default)."""
        return self._clock()

    # --- reading and verifying ------------------------------------------------

    def records(self, case_id: uuid.UUID) -> Iterator[bytes]:
        """The case's stored record bytes in sequence order, read page by page.

        Not authenticated: give them to the verifier.
        """
        case_id = check_uuid(case_id, "case_id")
        last = 0
        while True:
            page = self._cases.select_events(case_id, gt=last, limit=_PAGE)
            for stored in page:
                yield stored.state
            if len(page) < _PAGE:
                return
            last = page[-1].originator_version

    def disclosures(self, case_id: uuid.UUID) -> Iterator[Disclosure | TextDisclosure]:
        """The case's disclosures of values and texts, sorted by (seq, name).

        Not checked against the records: give them to the verifier. Erased
        values and texts are gone; a text with runs erased is its disclosure
        with those runs withheld.
        """
        for blob in self._cases.select_disclosures(check_uuid(case_id, "case_id")):
            yield parse_disclosure(blob)

    def list_cases(self) -> list[uuid.UUID]:
        """Every case id in the store, in the order the cases were opened.

        Capture streams (attached at the centre, recorded on a device) are not cases:
        a device lists them with :meth:`DeviceApp.streams`.
        """
        return [c for c in self._cases.select_case_ids() if not self._is_capture(c)]

    def _is_capture(self, case_id: uuid.UUID) -> bool:
        # The stored topic of record 1 is its type; the records authenticate it when loaded.
        first = self._cases.select_events(case_id, lte=1)
        return bool(first) and first[0].topic == CAPTURE_OPENED

    def verify(
        self,
        case_id: uuid.UUID,
        *,
        at: Instant | None = None,
        checkpoint: str | None = None,
        keep_records: bool = True,
    ) -> VerifiedCase:
        """Verify every record and disclosure of the case (and ``checkpoint``) at ``at``.

        The result's ``records`` are the verified records, ready for the
        projections (``build_exhibit_register(verified.records, as_of=...)``);
        ``keep_records=False`` keeps memory flat for a very large case and
        returns the summary alone, with no records (the projections refuse
        its ``records`` rather than show a case with no exhibits).
        """
        case_id = check_uuid(case_id, "case_id")
        when = check_time(self._clock() if at is None else at, "at")
        return self._verify(
            self.records(case_id),
            case_id,
            at=when,
            checkpoint=checkpoint,
            keep_records=keep_records,
        )

    def _verify(
        self,
        records: Iterable[bytes],
        case_id: uuid.UUID,
        *,
        at: int,
        checkpoint: str | None = None,
        keep_records: bool = False,
    ) -> VerifiedCase:
        return verify_case(
            records,
            trust=self.trust,
            at=at,
            case_id=case_id,
            disclosures=self.disclosures(case_id),
            checkpoint=checkpoint,
            known_types=EVENT_TYPES.known_types(),
            payloads=payload_schemas(),
            keep_records=keep_records,
        )


class _AuthenticatingRepository(Repository[uuid.UUID]):
    """eventsourcing's repository, answering only through the authenticated load."""

    def __init__(self, app: CasefileApp) -> None:
        super().__init__(app.events)
        self._app = app

    def get(self, aggregate_id: uuid.UUID, **kwargs: Any) -> Any:
        if kwargs.get("version") is not None:
            raise InputError("casefile loads whole cases only: version= is not supported")
        return self._app.get_case(aggregate_id)
