"""The officer's device: capture streams recorded offline, packaged, receipted, pruned.

A :class:`DeviceApp` keeps its own SQLite file and needs nothing from the
centre but the officer's key and a trust store it already holds. Each capture
stream is recorded with the same commands as a case (the same aggregate, the
same sealing); :meth:`DeviceApp.capture_package` gives the bytes the embedding
app carries to the centre, :meth:`DeviceApp.accept_receipt` checks what the
centre answers, and only then may :meth:`DeviceApp.prune` forget the stream.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from casefile.application._app import CasefileApp
from casefile.application._config import StoreConfig
from casefile.application._recorders import (
    CASE_EXHIBITS_TABLE,
    CASES_TABLE,
    DISCLOSURES_TABLE,
    EVENTS_TABLE,
)
from casefile.application._redactions import RedactionResult
from casefile.bundle._capture_check import capture_checkpoint_roles
from casefile.bundle._capture_package import write_capture_package
from casefile.bundle._capture_receipt import AttachReceipt, open_receipt
from casefile.errors import CaptureError, InvalidCommandError, NoteError, UnauthorisedSignerError
from casefile.events import CaseKind, Instant, Investigation, authenticate_chain
from casefile.events._values import check_uuid
from casefile.signing._checkpoint import Checkpoint, case_origin, sign_checkpoint
from casefile.signing._keys import Signer
from casefile.signing._merkle import merkle_root
from casefile.signing._runs import Run
from casefile.signing._trust import TrustStore
from casefile.verifier._redaction_codes import Audience, ErasureBasis, RedactionReason

__all__ = ["DeviceApp"]

_RECEIPTS: Final = "casefile_capture_receipts"
#: Where a stream's rows lie in the device's file: table, and the column naming it.
_STREAM_ROWS: Final = (
    (EVENTS_TABLE, "originator_id"),
    (DISCLOSURES_TABLE, "case_id"),
    (CASE_EXHIBITS_TABLE, "case_id"),
    (CASES_TABLE, "case_id"),
)


class _DeviceStore(CasefileApp):
    """The device's own store: the one place where a capture stream is recorded into."""

    _records_captures = True


class DeviceApp:
    """Capture streams on one device, in the SQLite file ``path``.

    ``device`` names the device in every stream it opens; ``origin_namespace``
    is the namespace of its checkpoints' origins (FORMAT.md §6). ``clock`` and
    ``random_bytes`` are injectable as for :class:`CasefileApp`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        trust: TrustStore,
        device: str,
        origin_namespace: str,
        clock: Callable[[], int] = time.time_ns,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.trust = trust
        self.device = device
        self.origin_namespace = origin_namespace
        self._clock = clock
        self._store = _DeviceStore(
            store=StoreConfig.sqlite(path), trust=trust, clock=clock, random_bytes=random_bytes
        )
        with self._datastore().transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {_RECEIPTS} ("
                "stream TEXT PRIMARY KEY, size INTEGER NOT NULL, receipt BLOB NOT NULL)"
            )

    def close(self) -> None:
        """Close the store."""
        self._store.close()

    # --- recording --------------------------------------------------------------

    def open_capture(
        self,
        signer: Signer,
        *,
        reference: str,
        case_id: uuid.UUID | None = None,
        kind: CaseKind | str = CaseKind.CRIME,
        at: Instant | None = None,
        stream_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Open a capture stream for case ``case_id`` (reference ``reference``), or for a
        case not opened yet (``case_id`` None; ``reference`` provisional). Returns its id."""
        with self.open_session(
            signer, reference=reference, case_id=case_id, kind=kind, at=at, stream_id=stream_id
        ) as stream:
            return stream.id

    @contextmanager
    def open_session(
        self,
        signer: Signer,
        *,
        reference: str,
        case_id: uuid.UUID | None = None,
        kind: CaseKind | str = CaseKind.CRIME,
        at: Instant | None = None,
        stream_id: uuid.UUID | None = None,
    ) -> Iterator[Investigation]:
        """Open a capture stream and record more in it; all stored in one transaction."""
        stream = Investigation.open_capture(
            reference=reference,
            device=self.device,
            kind=kind,
            target=case_id,
            at=at,
            stream_id=stream_id,
            context=self._store._context,
        )
        self._store._bind_signer(stream, signer)
        yield stream
        self._store.save_case(stream, signer)

    @contextmanager
    def session(self, stream: uuid.UUID, signer: Signer) -> Iterator[Investigation]:
        """Record in a capture stream with the commands of a case; stored on leaving."""
        with self._store.session(stream, signer) as capture:
            if capture.capture_of is None:
                raise InvalidCommandError("stream", f"{stream} is not a capture stream")
            yield capture

    def streams(self) -> list[uuid.UUID]:
        """The capture streams this device holds, in the order they were opened."""
        return [c for c in self._store._cases.select_case_ids() if self._store._is_capture(c)]

    # --- withholding -----------------------------------------------------------

    def redact(
        self,
        stream: uuid.UUID,
        signer: Signer,
        seq: int,
        field: str,
        *,
        audiences: Iterable[Audience | str],
        reason: RedactionReason | str,
        explanation: str | None = None,
        runs: Iterable[Run] | None = None,
        offsets: Sequence[tuple[int, int]] | None = None,
        match: str | None = None,
        occurrence: int | None = None,
        whole_field: bool = False,
        preview: bool = False,
        at: Instant | None = None,
    ) -> RedactionResult:
        """Decide, in capture ``stream``, to withhold units of field ``field`` of its record
        ``seq`` from exports for ``audiences``: :meth:`CasefileApp.redact` on the stream.

        A capture's decision names a record of the same capture (FORMAT.md §12.1),
        and a decision recorded in the case cannot name a captured record: this is
        where a captured text is withheld. It reaches the centre with the stream's
        next package; every bundle then applies it (B21). ``signer`` holds
        ``redactor`` under the default policy.
        """
        return self._store.redact(
            self._capture(stream), signer, seq, field, audiences=audiences, reason=reason,
            explanation=explanation, runs=runs, offsets=offsets, match=match,
            occurrence=occurrence, whole_field=whole_field, preview=preview, at=at,
        )  # fmt: skip

    def withdraw_redaction(
        self,
        stream: uuid.UUID,
        signer: Signer,
        decision_seq: int,
        explanation: str | None = None,
        *,
        at: Instant | None = None,
    ) -> int:
        """Withdraw the decision of record ``decision_seq`` of capture ``stream``; its seq."""
        return self._store.withdraw_redaction(
            self._capture(stream), signer, decision_seq, explanation, at=at
        )

    def erase_words(
        self,
        stream: uuid.UUID,
        signer: Signer,
        seq: int,
        field: str,
        *,
        basis: ErasureBasis | str,
        explanation: str,
        runs: Iterable[Run] | None = None,
        offsets: Sequence[tuple[int, int]] | None = None,
        match: str | None = None,
        occurrence: int | None = None,
        whole_field: bool = False,
        at: Instant | None = None,
    ) -> RedactionResult:
        """Erase units of field ``field`` of record ``seq`` of capture ``stream`` from this
        device for good: :meth:`CasefileApp.erase_words` on the stream.

        The ``disclosure.erased`` record reaches the centre with the stream's next
        package; a centre that already holds the record erases its own copy of the
        words when it attaches it, and every bundle withholds what the stream's
        erasures name, whatever its audience (FORMAT.md §12.2, B21).
        """
        return self._store.erase_words(
            self._capture(stream), signer, seq, field, basis=basis, explanation=explanation,
            runs=runs, offsets=offsets, match=match, occurrence=occurrence,
            whole_field=whole_field, at=at,
        )  # fmt: skip

    def _capture(self, stream: uuid.UUID) -> uuid.UUID:
        stream = check_uuid(stream, "stream")
        if not self._store._is_capture(stream):
            raise InvalidCommandError("stream", f"{stream} is not a capture stream of this device")
        return stream

    # --- to the centre ----------------------------------------------------------

    def checkpoint(self, stream: uuid.UUID, signer: Signer, name: str) -> str:
        """The stream's checkpoint, signed by the officer's key ``name`` (D52)."""
        stream = check_uuid(stream, "stream")
        entry = self.trust.get(signer.public_key.key_id)
        if entry is None or entry.name != name:
            raise UnauthorisedSignerError(f"the checkpoint key is not the trusted key {name!r}")
        if entry.roles.isdisjoint(capture_checkpoint_roles(self.trust)):
            raise UnauthorisedSignerError(f"key of {name} may not checkpoint a capture")
        if not entry.valid_at(self._clock()):
            raise UnauthorisedSignerError(f"key of {name} is not valid now")
        chain = authenticate_chain(stream, self._store._cases.select_events(stream), self.trust)
        try:
            origin = case_origin(self.origin_namespace, stream)
        except NoteError as exc:
            raise InvalidCommandError("origin_namespace", str(exc)) from None
        body = Checkpoint(origin, len(chain), merkle_root([link.hash for link in chain]))
        return sign_checkpoint(body, name, signer)

    def capture_package(self, stream: uuid.UUID, *, signer: Signer, name: str) -> bytes:
        """The package of the stream as it stands (FORMAT.md §12.2), checkpointed by ``name``."""
        note = self.checkpoint(stream, signer, name)
        records = list(self._store.records(stream))
        disclosures = self._store._cases.select_disclosures(stream)
        return write_capture_package(stream, note, records, disclosures)

    # --- from the centre --------------------------------------------------------

    def accept_receipt(self, receipt: bytes) -> AttachReceipt:
        """Check the centre's receipt against the trust store and this device's stream; keep it.

        Raises :class:`~casefile.errors.CaptureError` for a receipt no trusted
        centre key signed (R1, R2), or one that does not describe a prefix of a
        stream of this device (R4). After :meth:`prune`, the receipt kept is what
        the device knows of the stream: the same receipt sent again is accepted
        (and the kept one returned); a receipt of another size or root is refused.
        """
        opened = open_receipt(receipt, self.trust, at=self._clock())
        stream = opened.stream
        label = str(stream)
        stored = self._store._cases.select_events(stream)
        kept = self.receipt(stream)
        if not stored and kept is not None:
            # Pruned: what the device kept is the receipt it accepted, so a receipt
            # sent again (a reply that was lost, then resent) is recognised by it;
            # any other is a claim about records the device no longer holds.
            if (opened.size, opened.root) == (kept.size, kept.root):
                return kept
            raise CaptureError(
                f"the stream was pruned after a receipt for its {kept.size} records; "
                "a receipt for other records cannot be checked",
                case_id=label,
                step="R4",
            )
        if not stored:
            raise CaptureError(
                "the receipt names no stream of this device", case_id=label, step="R4"
            )
        chain = authenticate_chain(stream, stored, self.trust)
        # R4: the receipt is for this stream's own records, as the device holds them.
        if not 1 <= opened.size <= len(chain) or opened.root != merkle_root(
            [link.hash for link in chain[: opened.size]]
        ):
            raise CaptureError(
                "the receipt does not describe this device's records", case_id=label, step="R4"
            )
        if kept is not None and kept.size >= opened.size:
            return kept
        with self._datastore().transaction(commit=True) as c:
            c.execute(
                f"INSERT OR REPLACE INTO {_RECEIPTS} VALUES (?,?,?)",  # noqa: S608
                (label, opened.size, opened.to_bytes()),
            )
        return opened

    def receipt(self, stream: uuid.UUID) -> AttachReceipt | None:
        """The latest receipt accepted for ``stream``, or None."""
        with self._datastore().transaction(commit=False) as c:
            c.execute(
                f"SELECT receipt FROM {_RECEIPTS} WHERE stream=?",  # noqa: S608
                (str(check_uuid(stream, "stream")),),
            )
            row = c.fetchone()
        if row is None:
            return None
        # Stored only after it verified; re-checked so a file edited at rest is caught.
        return open_receipt(bytes(row[0]), self.trust, at=self._clock())

    def prune(self, stream: uuid.UUID) -> None:
        """Forget the stream's records and disclosures: allowed once a receipt covers them all.

        Raises :class:`~casefile.errors.InvalidCommandError` otherwise: nothing is
        removed that the centre has not receipted.
        """
        stream = check_uuid(stream, "stream")
        kept = self.receipt(stream)
        stored = self._store._cases.select_events(stream)
        if kept is None or kept.size < len(stored):
            raise InvalidCommandError(
                "stream",
                f"capture {stream}: {len(stored)} records, "
                f"{0 if kept is None else kept.size} receipted; prune only what the centre holds",
            )
        hexed = stream.hex
        with self._datastore().transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete=ON")
            # Table names are module constants, never input.
            for table, column in _STREAM_ROWS:
                c.execute(f"DELETE FROM {table} WHERE {column}=?", (hexed,))  # noqa: S608

    def _datastore(self) -> Any:
        return self._store.recorder.datastore  # type: ignore[attr-defined]
