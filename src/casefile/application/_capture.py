"""Attaching a device's capture stream to a case (docs/FORMAT.md §12.3-§12.6).

The centre verifies the package as fully as an auditor would (every record,
disclosure and the checkpoint, with the capture policy), checks that the
stream belongs to this case and extends what was attached before, applies the
case's rules to what is new, then stores the new capture records as they were
signed, beside the one ``capture.attached`` record that binds them, in one
transaction. The case stays one linear chain; the capture is never re-signed.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import StoredEvent

from casefile.application._capture_erasures import apply_capture_erasures
from casefile.bundle import DISCLOSE_ALL
from casefile.bundle._capture_check import (
    CAPTURE_ATTACHED,
    check_capture_types,
    verify_capture_checkpoint,
)
from casefile.bundle._capture_package import (
    DEFAULT_MAX_PACKAGE_SIZE,
    read_capture_package,
    write_capture_package,
)
from casefile.bundle._capture_receipt import AttachReceipt, findings_of, sign_receipt
from casefile.errors import (
    CaptureError,
    CapturePackageError,
    InputError,
    UnauthorisedSignerError,
)
from casefile.events import EVENT_TYPES, ChainEntry
from casefile.events._chain import chain_of_verified
from casefile.events._loading import fold_attached, investigation_of
from casefile.events._values import Instant, check_time, check_uuid
from casefile.signing._checkpoint import (
    Checkpoint,
    parse_checkpoint_body,
)
from casefile.signing._commitments import AnyDisclosure
from casefile.signing._note import split_note
from casefile.signing._records import parse_record, record_hash
from casefile.signing._text import parse_disclosure
from casefile.verifier import VerifiedCase, payload_schemas, verify_case
from casefile.verifier._engine import DEFAULT_CLOCK_SKEW_NS

if TYPE_CHECKING:
    from casefile.application._recorders import CaseRecorder, DisclosureRow
    from casefile.events import CommandContext, Investigation
    from casefile.signing._commitments import AnyDisclosure
    from casefile.signing._keys import Signer
    from casefile.signing._trust import TrustStore
    from casefile.verifier import VerifiedRecord

__all__ = ["CaptureAttachCommands"]


@dataclass(frozen=True, slots=True)
class _Attachment:
    stream: uuid.UUID
    case_id: uuid.UUID
    checkpoint: Checkpoint
    note: str
    verified: VerifiedCase
    chain: tuple[ChainEntry, ...]
    device: str
    raw_disclosures: tuple[tuple[int, str, bytes], ...]


class CaptureAttachCommands:
    """:meth:`attach_capture`, the centre's side of a capture, for the application."""

    trust: TrustStore
    _cases: CaseRecorder
    _clock: Callable[[], int]
    _context: CommandContext
    session: Callable[[uuid.UUID, Signer], AbstractContextManager[Investigation]]
    get_case: Callable[..., Investigation]
    save_case: Callable[..., list[int]]
    records: Callable[[uuid.UUID], Iterator[bytes]]
    stored_disclosure: Callable[[uuid.UUID, int, str], AnyDisclosure | None]
    capture_disclosures: Callable[..., list[AnyDisclosure]]
    _bind_signer: Callable[[Investigation, Signer], None]

    def attach_capture(
        self,
        package: bytes,
        *,
        signer: Signer,
        name: str,
        case_id: uuid.UUID | None = None,
        at: Instant | None = None,
        max_size: int = DEFAULT_MAX_PACKAGE_SIZE,
        clock_skew_ns: int = DEFAULT_CLOCK_SKEW_NS,
    ) -> AttachReceipt:
        """Verify a capture package and bind what is new in it to its case; return the receipt.

        ``signer`` records the ``capture.attached`` record (the record policy of
        that type) and signs the receipt as the trusted key ``name``, which must
        hold a checkpoint role. ``case_id`` names the case for a capture opened
        without one (a case whose reference was issued later) and must otherwise
        be the case the capture names, or None. ``at`` is the time of receipt
        (default: the application's clock). Sending the same package again, or
        an older one, attaches nothing and returns the receipt of what is bound;
        a longer package of the same stream attaches only its new records.

        Raises :class:`~casefile.errors.CapturePackageError` for bytes that are
        not a package, a :class:`~casefile.errors.VerificationError` naming the
        stream, record and step for one that does not verify (nothing is
        recorded), and :class:`~casefile.errors.CaptureError` for a stream of
        another case or one that diverged from what was attached.
        """
        received = check_time(self._clock() if at is None else at, "at")
        entry = self.trust.get(signer.public_key.key_id)
        if entry is None or entry.name != name:
            raise UnauthorisedSignerError(f"the receipt key is not the trusted key {name!r}")
        if entry.roles.isdisjoint(self.trust.policy.checkpoint_roles):
            raise UnauthorisedSignerError(f"key of {name} lacks a checkpoint role to sign receipts")
        found = self._verify_package(package, case_id, received, max_size)
        case = self.get_case(found.case_id)
        label = str(found.case_id)
        before = case.attached.get(found.stream, (0, 0))[0]
        stored = self._cases.select_events(found.stream)
        if before == 0 and stored:
            # A5: a stream joins one case only.
            raise CaptureError("the capture is attached to another case", case_id=label, step="A5")
        new_size = found.checkpoint.size
        if before:
            self._check_extends(found, stored, before)
        if new_size <= before:
            return self._receipt_for(case, found.stream, name, signer)
        findings = self._findings(case, found, before, received, clock_skew_ns)
        self._bind_signer(case, signer)
        case.record_capture_attached(
            stream=found.stream,
            device=found.device,
            checkpoint=found.note,
            from_size=before,
            size=new_size,
            received=received,
            findings=tuple({"kind": k, "seq": s} for k, s in findings),
            at=received,
        )
        records = found.verified.records[before:]
        carried = [StoredEvent(found.stream, r.seq, r.event_type, r.raw) for r in records]
        rows: list[DisclosureRow] = [
            (found.stream, seq, field, raw)
            for seq, field, raw in found.raw_disclosures
            if seq > before
        ]
        rows, erase = apply_capture_erasures(
            found.stream,
            records,
            before,
            rows,
            lambda seq, field: self.stored_disclosure(found.stream, seq, field),
        )
        self.save_case(case, signer, carried=(carried, rows), erase=erase)
        return self._receipt_for(case, found.stream, name, signer)

    def carried_captures(
        self,
        verified: Iterable[VerifiedRecord],
        *,
        disclosures: Callable[[uuid.UUID, int], Iterable[AnyDisclosure]] | None = None,
    ) -> dict[uuid.UUID, bytes]:
        """The package of each capture the verified case records bind, as a bundle carries it
        (B18-B21): the stream's bound records, its latest bound checkpoint, and the
        disclosures ``disclosures(stream, size)`` gives for its first ``size`` records
        (by default none, as for a bundle under the policy ``none``).

        An export gives those its audience may see
        (:meth:`~casefile.application.CasefileApp.capture_disclosures`).
        """
        return {
            stream: write_capture_package(
                stream,
                note,
                itertools.islice(self.records(stream), size),
                # §12.2: the disclosures travel sorted by (seq, name), as stored.
                (d.to_bytes() for d in (disclosures(stream, size) if disclosures else ())),
            )
            for stream, (size, note) in _latest_bindings(verified).items()
        }

    def bound_capture_records(
        self, verified: Iterable[VerifiedRecord], *, at: int, audience: str | None = None
    ) -> dict[uuid.UUID, tuple[VerifiedRecord, ...]]:
        """The records of each capture the verified case records bind, verified at ``at``.

        Each stream's records up to its latest bound size, with the
        disclosures of it that a bundle for ``audience`` would carry (every
        one, less what the stream's own decisions for ``audience`` and its
        erasures withhold): what the projections read as the case's story
        (docs/FORMAT.md §12.5). Raises the first
        :class:`~casefile.errors.VerificationError` of a stream.
        """
        out: dict[uuid.UUID, tuple[VerifiedRecord, ...]] = {}
        for stream, (size, _note) in _latest_bindings(verified).items():
            out[stream] = verify_case(
                itertools.islice(self.records(stream), size),
                trust=self.trust,
                at=at,
                case_id=stream,
                disclosures=self.capture_disclosures(
                    stream, size=size, policy=DISCLOSE_ALL, audience=audience, at=at
                ),
                known_types=EVENT_TYPES.known_types(),
                payloads=payload_schemas(),
            ).records
        return out

    # --- steps ------------------------------------------------------------------

    def _verify_package(
        self, package: bytes, case_id: uuid.UUID | None, received: int, max_size: int
    ) -> _Attachment:
        parsed = read_capture_package(package, max_size=max_size)
        label = str(parsed.stream)
        disclosures = []
        raw_disclosures = []
        for i, raw in enumerate(parsed.disclosures, 1):
            try:
                disclosure = parse_disclosure(raw)
            except InputError as exc:
                raise CapturePackageError(f"disclosure {i}: {exc}") from None
            disclosures.append(disclosure)
            raw_disclosures.append((disclosure.seq, disclosure.name, raw))
        # A1: every record and disclosure, as the verifier checks a case (V1-V15).
        verified = verify_case(
            parsed.records,
            trust=self.trust,
            at=received,
            case_id=parsed.stream,
            disclosures=disclosures,
            known_types=EVENT_TYPES.known_types(),
            payloads=payload_schemas(),
            workers=1,
        )
        checkpoint = verify_capture_checkpoint(parsed.checkpoint, verified, self.trust, at=received)
        named = check_capture_types(verified)  # A4
        records = verified.records
        first = records[0]
        # A5: the capture is for this case (a stream replayed into another is refused).
        if named is None:
            if case_id is None:
                raise CaptureError(
                    "the capture names no case: say which case it joins",
                    case_id=label,
                    seq=1,
                    step="A5",
                )
            chosen = check_uuid(case_id, "case_id")
        else:
            if case_id is not None and check_uuid(case_id, "case_id") != named:
                raise CaptureError(
                    f"the capture is for case {named}, not {case_id}",
                    case_id=label,
                    seq=1,
                    step="A5",
                )
            chosen = named
        # The case's rules over the stream itself, as a load of any case applies them,
        # on the records A1 verified (read once: the chain a load would authenticate).
        chain = chain_of_verified(records)
        investigation_of(parsed.stream, chain, self.trust, context=self._context)
        return _Attachment(
            stream=parsed.stream,
            case_id=chosen,
            checkpoint=checkpoint,
            note=parsed.checkpoint,
            verified=verified,
            chain=tuple(chain),
            device=first.data["device"],
            raw_disclosures=tuple(raw_disclosures),
        )

    def _check_extends(
        self, found: _Attachment, stored: Sequence[StoredEvent], before: int
    ) -> None:
        # A6: what was attached is a prefix of what is sent (or what is sent a prefix of
        # it). The centre holds both sides' leaves, so it compares them: the check an
        # RFC 9162 consistency proof would make, without building one to verify it.
        common = min(before, len(found.verified.records))
        sent = [r.hash for r in found.verified.records[:common]]
        if [record_hash(s.state) for s in stored[:common]] != sent:
            raise CaptureError(
                "the capture differs from what was attached", case_id=str(found.case_id), step="A6"
            )

    def _findings(
        self,
        case: Investigation,
        found: _Attachment,
        before: int,
        received: int,
        skew: int,
    ) -> tuple[tuple[str, int], ...]:
        # A7: the case's rules over what joins it; each breach is recorded, never dropped.
        rows: list[tuple[str, int]] = []
        for record in found.verified.records[before:]:
            if record.time_ns > received + skew:
                rows.append(("device_time_after_receipt", record.seq))
            if case.is_closed and record.seq > 1:
                rows.append(("recorded_while_closed", record.seq))
        # The references and seals in use: folding the new records into the case,
        # at the seq its binding takes, as every later load folds them (§12.7). What
        # would not fold is refused here, never left to break a load of the case.
        try:
            rows += fold_attached(
                case, found.stream, case.version + 1, found.chain[before:], attaching=True
            )
        except ValueError as exc:
            raise CaptureError(
                f"the capture does not fold into the case: {exc}",
                case_id=str(found.case_id),
                step="A7",
            ) from None
        return findings_of(rows)

    def _receipt_for(
        self, case: Investigation, stream: uuid.UUID, name: str, signer: Signer
    ) -> AttachReceipt:
        # The receipt of what ``stream`` has bound, read back from the authenticated
        # bindings: Ed25519 is deterministic, so the same bindings give the same bytes.
        bindings = [_binding_data(self._cases, case.id, seq) for seq in case.bindings_of(stream)]
        last = bindings[-1]
        # The note was verified when it was bound, and its record is authenticated.
        checkpoint = parse_checkpoint_body(split_note(last["checkpoint"])[0])
        receipt = AttachReceipt(
            origin=checkpoint.origin,
            size=checkpoint.size,
            root=checkpoint.root,
            case_id=case.id,
            seq=case.bindings_of(stream)[-1],
            received=last["received"],
            findings=findings_of((f["kind"], f["seq"]) for b in bindings for f in b["findings"]),
        )
        return sign_receipt(receipt, name, signer)


def _binding_data(cases: CaseRecorder, case_id: uuid.UUID, seq: int) -> dict[str, Any]:
    stored = cases.select_events(case_id, gt=seq - 1, lte=seq)
    return dict(parse_record(stored[0].state).header.data)


def _latest_bindings(verified: Iterable[VerifiedRecord]) -> dict[uuid.UUID, tuple[int, str]]:
    """Per bound stream, the size and checkpoint of the latest binding of the records."""
    latest: dict[uuid.UUID, tuple[int, str]] = {}
    for record in verified:
        if record.event_type == CAPTURE_ATTACHED:
            stream = uuid.UUID(bytes=record.data["stream"])
            latest[stream] = (record.data["size"], record.data["checkpoint"])
    return latest
