"""Steps B18-B21 of docs/FORMAT.md §9.6: the capture streams a bundle carries.

The walk (B6) hands each verified ``capture.attached`` record to a
:class:`CaptureBindings`; once the case is walked, B18 matches the bindings
with the ``captures/`` files one to one, B19 verifies each carried stream as
the centre did when it attached it (A1-A4), and B20 holds each stream to what
the case bound: its checkpoint is the latest bound one, and it names this case.
B21 holds each capture's disclosures to what the bundle's audience may see
(:mod:`casefile.bundle._capture_disclosures`). The report then gives an account of
each capture that verified (:class:`~casefile.bundle.CaptureSummary`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from casefile.bundle._capture_check import (
    CAPTURE_ATTACHED,
    capture_signers,
    check_capture_types,
    verify_capture_checkpoint,
    verify_capture_records,
)
from casefile.bundle._capture_disclosures import capture_disclosure_faults, capture_left_out
from casefile.bundle._capture_package import CapturePackage, read_capture_package
from casefile.bundle._layout import capture_path, capture_stream_of, shown
from casefile.bundle._policy_check import policy_finding
from casefile.bundle._redactions import RedactionLedger
from casefile.bundle._result import CaptureSummary
from casefile.bundle._verify_state import VerifyState
from casefile.errors import CaptureError, CapturePackageError, InputError, VerificationError
from casefile.signing._checkpoint import parse_checkpoint_body
from casefile.signing._merkle import merkle_root
from casefile.signing._note import split_note
from casefile.verifier._verified import VerifiedRecord

__all__ = ["Binding", "CaptureBindings", "check_captures"]


@dataclass(frozen=True, slots=True)
class Binding:
    """One verified ``capture.attached`` record of the case."""

    seq: int
    stream: uuid.UUID
    from_size: int
    size: int
    checkpoint: str


class CaptureBindings:
    """The case's bindings, collected as the records verify (a few per capture)."""

    def __init__(self) -> None:
        self.by_stream: dict[uuid.UUID, list[Binding]] = {}

    def take(self, record: VerifiedRecord) -> None:
        """Keep ``record`` if it binds a capture."""
        if record.event_type != CAPTURE_ATTACHED or record.schema != 1:
            return
        data = record.data
        stream = uuid.UUID(bytes=data["stream"])
        binding = Binding(record.seq, stream, data["from_size"], data["size"], data["checkpoint"])
        self.by_stream.setdefault(stream, []).append(binding)


def check_captures(run: VerifyState) -> None:
    """B18, B19, B20, B21 over every binding and every ``captures/`` file; then B7's
    finding over the case's records and the captures' (deferred from the walk)."""
    try:
        _check_all(run)
    finally:
        manifest = run.manifest
        if manifest is not None and run.captures is not None and run.captures.by_stream:
            left_out = policy_finding(run.policy_left_out, manifest.disclosure_policy)
            if left_out is not None:
                run.findings.append(left_out)


def _check_all(run: VerifyState) -> None:
    manifest, store = run.manifest, run.trust
    if manifest is None or store is None or run.captures is None:
        return
    label = run.label
    bound = run.captures.by_stream
    carried = {
        stream: f.path for f in manifest.files if (stream := capture_stream_of(f.path)) is not None
    }
    # B18: each bound stream's bindings run unbroken from record 1, and the bundle
    # carries exactly the streams the case bound.
    for stream, bindings in bound.items():
        expected = 0
        for binding in bindings:
            if binding.from_size != expected or binding.size <= expected:
                run.fail(CaptureError(
                    f"capture {stream}: binds from {binding.from_size}, after {expected}",
                    case_id=label, seq=binding.seq, step="B18",
                ))  # fmt: skip
            expected = binding.size
        if stream not in carried:
            run.fail(CaptureError(
                f"capture {stream} is bound but the bundle lacks {capture_path(stream)}",
                case_id=label, seq=bindings[-1].seq, step="B18",
            ))  # fmt: skip
    for stream, path in sorted(carried.items()):
        if stream not in bound:
            run.fail(CaptureError(
                f"{path}: a capture the case never bound is no part of it",
                case_id=label, step="B18",
            ))  # fmt: skip
            continue
        package = _read(run, path)
        if package is not None:
            _check_one(run, package, stream, bound[stream])


def _bound_over(note: str) -> tuple[int, bytes] | None:
    """The (size, root) a binding's checkpoint note states (None: not a checkpoint)."""
    try:
        body = parse_checkpoint_body(split_note(note)[0])
    except InputError:
        return None
    return body.size, body.root


def _read(run: VerifyState, path: str) -> CapturePackage | None:
    try:
        package = read_capture_package(b"".join(run.bundle.chunks(path)))
    except VerificationError as exc:  # B4: changed since it was listed
        run.fail(exc)
        return None
    except CapturePackageError as exc:
        run.fail(CaptureError(f"{path}: {exc}", case_id=run.label, step="B19"))
        return None
    if package.stream != capture_stream_of(path):
        run.fail(CaptureError(
            f"{path}: the package is of capture {package.stream}", case_id=run.label, step="B19",
        ))  # fmt: skip
        return None
    return package


def _check_one(
    run: VerifyState, package: CapturePackage, stream: uuid.UUID, bindings: list[Binding]
) -> None:
    store = run.trust
    last = bindings[-1]
    if store is None:
        return
    try:
        # B19: the stream verifies as a case does (V1-V15), with its checkpoint (A2, A3)
        # and as a capture (A4).
        verified = verify_capture_records(package, store, at=run.at)
        verify_capture_checkpoint(package.checkpoint, verified, store, at=run.at, step="B19")
        target = check_capture_types(verified, step="B19")
    except (VerificationError, InputError) as exc:
        run.fail(exc if isinstance(exc, VerificationError) else CaptureError(
            f"capture {stream}: {exc}", case_id=run.label, step="B19"
        ))  # fmt: skip
        return
    run.used_keys |= capture_signers(package, store)
    # B20: the carried stream is what the case bound, for this case: the latest
    # binding's checkpoint is the package's, byte for byte (so its size and root,
    # over which B19 checked the records, are those the case bound).
    if package.checkpoint != last.checkpoint:
        run.fail(CaptureError(
            f"capture {stream} differs from what record {last.seq} bound",
            case_id=run.label, seq=last.seq, step="B20",
        ))  # fmt: skip
    # B20: each binding's checkpoint is over the records 1 to its ``size`` carried, so the
    # story reads at each binding the records it bound, and no more nor fewer.
    hashes = [r.hash for r in verified.records]
    for binding in bindings:
        if _bound_over(binding.checkpoint) != (binding.size, merkle_root(hashes[: binding.size])):
            run.fail(CaptureError(
                f"capture {stream}: record {binding.seq} binds {binding.size} records, but its "
                "checkpoint is not over records 1 to that size of the stream carried",
                case_id=run.label, seq=binding.seq, step="B20",
            ))  # fmt: skip
    # B9 reads them in the case's story, B12 rebuilds the views from them too.
    run.kept_captures[stream] = verified.records
    for record in verified.records:
        if record.event_type == "evidence.captured":
            run.captured.note(record.data)  # B8: a captured file's size, as the device recorded it
    manifest = run.manifest
    if target is not None and manifest is not None and target != manifest.case_id:
        run.fail(CaptureError(
            f"capture {stream} was recorded for case {target}",
            case_id=run.label, seq=last.seq, step="B20",
        ))  # fmt: skip
    if manifest is None:
        return
    # B21: the capture's disclosures (matched by V11 in B19) are what the bundle's
    # audience may see: its policy, never the defence's restricted fields, and
    # nothing the stream's own decisions in force or erasures withhold.
    # One reading of the stream's acts and texts serves B21, B7 and the report.
    ledger = RedactionLedger(manifest.audience)
    for record in verified.records:
        ledger.take(record, run.schemas.text_fields(record.event_type, record.schema))
    policy, audience = manifest.disclosure_policy, manifest.audience
    for fault in capture_disclosure_faults(
        verified.records, policy=policy, audience=audience, ledger=ledger
    ):
        run.fail(CaptureError(
            f"capture {stream}: disclosure of {shown(fault.field)} of record {fault.seq}: "
            f"{fault.why}",
            case_id=str(stream), seq=fault.seq, step="B21",
        ))  # fmt: skip
    # The report says what the case's records cannot: how much the capture holds, which
    # records bound it, and what of it this audience reads withheld (as B11 shows the case's).
    run.capture_summaries.append(CaptureSummary(
        stream, len(verified.records), tuple(b.seq for b in bindings), verified.findings,
        ledger.redacted(),
    ))  # fmt: skip
    # B7: the fields the policy covers that the capture leaves out, no act of it explaining.
    run.policy_left_out += capture_left_out(
        verified.records, policy=policy, audience=audience, ledger=ledger
    )
