"""Handing a case over in one call: checkpoint, bundle, zip, verify, then publish.

:meth:`ExportCommands.export_bundle` does what ``casefile export`` does, so a
police system and the command line hand over the same bundle. The bundle holds
exactly the records the new checkpoint covers (officers may go on recording
meanwhile), is written in a locked staging folder beside its destination, and
takes its name only once it has verified against the application's trust
store: a bundle that fails its own check never appears. Staging that killed
exports left in the same folder is removed first (never a live export's).
"""

from __future__ import annotations

import abc
import dataclasses
import itertools
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from casefile._scratch import new_locked_dir
from casefile.application._export_evidence import EvidenceFinder, exhibit_hashes, find_evidence
from casefile.application._export_policy import audience_policy
from casefile.application._handover import handovers_file, with_retries
from casefile.application._tsa import TimestampAuthority
from casefile.bundle import (
    AUDIENCES,
    STAGING_PREFIX,
    BundleInfo,
    BundleVerification,
    DisclosurePolicy,
    clean_staging,
    verify_bundle,
    write_bundle,
    zip_bundle,
)
from casefile.bundle._audience import is_restricted
from casefile.bundle._files import check_destination, publish_dir, publish_file, remove
from casefile.bundle._redactions import RedactionLedger
from casefile.bundle._runs import apply_redactions
from casefile.bundle._views import build_views, carried_capture_records
from casefile.errors import BundleError
from casefile.events import EVENT_TYPES
from casefile.events._values import Instant
from casefile.evidence import BlobStore
from casefile.projections import (
    ExhibitRegister,
    build_exhibit_register,
    records_as_read,
)
from casefile.signing import NoteVerifier, Signer, TrustStore, open_checkpoint
from casefile.signing._commitments import AnyDisclosure
from casefile.signing._runs import Run
from casefile.verifier import iter_verified_records, payload_schemas
from casefile.verifier._redaction_codes import Audience
from casefile.verifier._verified import VerifiedRecord

__all__ = ["ExportCommands", "ExportResult"]


@dataclass(frozen=True, slots=True)
class ExportResult:
    """A published, verified bundle and what went into it."""

    path: Path
    case_id: uuid.UUID
    checkpoint: str
    info: BundleInfo
    verification: BundleVerification
    #: The register of the case's story: its records and those of the captures it bound.
    register: ExhibitRegister
    #: SHA-256 of the exhibits (the case's and its captures') whose files the bundle lacks.
    missing_evidence: frozenset[bytes]


class ExportCommands:
    """The one-call export of :class:`~casefile.application.CasefileApp`."""

    trust: TrustStore

    @abc.abstractmethod
    def records(self, case_id: uuid.UUID) -> Iterator[bytes]:
        """The case's stored record bytes in order (provided by the application)."""

    @abc.abstractmethod
    def disclosures(self, case_id: uuid.UUID) -> Iterator[AnyDisclosure]:
        """The case's disclosures by (seq, name) (provided by the application)."""

    @abc.abstractmethod
    def carried_captures(
        self,
        verified: Iterable[VerifiedRecord],
        *,
        disclosures: Callable[[uuid.UUID, int], Iterable[AnyDisclosure]] | None = None,
    ) -> dict[uuid.UUID, bytes]:
        """The packages of the captures the records bind, each with the disclosures
        ``disclosures(stream, size)`` gives (provided by the application)."""

    @abc.abstractmethod
    def bound_capture_records(
        self, verified: Iterable[VerifiedRecord], *, at: int, audience: str | None = None
    ) -> dict[uuid.UUID, tuple[VerifiedRecord, ...]]:
        """The verified records of the captures the records bind (provided by the application)."""

    @abc.abstractmethod
    def checkpoint(
        self,
        case_id: uuid.UUID,
        checkpoint_signer: Signer,
        name: str,
        origin_namespace: str,
        *,
        size: int | None = None,
    ) -> str:
        """A signed checkpoint over the case as it stands, or its first ``size`` records
        (provided by the application)."""

    @abc.abstractmethod
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
        """Record a handover over the records before it (provided by the application)."""

    @abc.abstractmethod
    def now(self) -> int:
        """The application's clock (ns since the epoch)."""

    def exhibit_register(
        self,
        case_id: uuid.UUID,
        *,
        at: int,
        size: int | None = None,
        disclosures: Iterable[AnyDisclosure] | None = None,
    ) -> ExhibitRegister:
        """The case's exhibit register, from its records as the offline verifier checks them.

        Raises the first :class:`~casefile.errors.VerificationError` if a record
        does not verify at ``at``; ``size`` reads only the first records (those
        a checkpoint covers). A pause in custody running up to ``at`` is a finding.
        Texts are read from ``disclosures`` (by default, every one the store
        holds): a text without one shows as not disclosed. The records of
        each capture the case bound (as far as the records read bind it) are
        read with it as one story (docs/FORMAT.md §12.5), with the texts the
        store holds for them, and cited ``"<stream-uuid>#<seq>"``.
        """
        stored = self.records(case_id)
        if disclosures is None:
            disclosures = self.disclosures(case_id)
        records = list(iter_verified_records(
            stored if size is None else itertools.islice(stored, size),
            trust=self.trust,
            at=at,
            case_id=case_id,
            disclosures=(
                disclosures if size is None else (d for d in disclosures if d.seq <= size)
            ),
            known_types=EVENT_TYPES.known_types(),
            payloads=payload_schemas(),
        ))  # fmt: skip
        captured = self.bound_capture_records(records, at=at)
        # The texts as the store holds them, each checked by the verifier (V11).
        return build_exhibit_register(
            records_as_read(records),
            as_of=at,
            captures={s: list(records_as_read(rs)) for s, rs in captured.items()},
        )

    def withheld_from(
        self, case_id: uuid.UUID, audience: Audience | str | None, at: int, size: int
    ) -> dict[tuple[int, str], tuple[Run, ...] | None]:
        """Per (record, field) of the first ``size`` records: the runs (None: the whole
        field) that ``audience``'s decisions in force and the erasures withhold
        (``audience`` None: the erasures alone). ``case_id`` may name a capture
        stream, whose acts name its own records (FORMAT.md §12.1).

        Read from the verified records by the ledger that judges a bundle (B11),
        so that what an export withholds and what its verifier expects withheld
        cannot drift apart.
        """
        ledger = RedactionLedger(None if audience is None else str(audience))
        for record in iter_verified_records(
            itertools.islice(self.records(case_id), size),
            trust=self.trust,
            at=at,
            case_id=case_id,
            known_types=EVENT_TYPES.known_types(),
            payloads=payload_schemas(),
        ):
            ledger.take_acts(record)
        return ledger.withheld()

    def carried_disclosures(
        self,
        case_id: uuid.UUID,
        *,
        size: int,
        policy: DisclosurePolicy,
        audience: str | None,
        withheld: Mapping[tuple[int, str], tuple[Run, ...] | None],
    ) -> Iterator[AnyDisclosure]:
        """The disclosures of the first ``size`` records that ``audience`` is given.

        The policy's fields, never a restricted one for the defence, with the
        runs ``withheld`` (as :meth:`withheld_from` reads them) withheld: what a
        bundle for that audience carries, and so what a view of it may show.
        """
        return apply_redactions(
            (
                d
                for d in self.disclosures(case_id)
                if d.seq <= size and policy.allows(d.name) and not is_restricted(audience, d.name)
            ),
            withheld,
        )

    def capture_disclosures(
        self,
        stream: uuid.UUID,
        *,
        size: int,
        policy: DisclosurePolicy,
        audience: str | None,
        at: int,
    ) -> list[AnyDisclosure]:
        """The disclosures of capture ``stream``'s first ``size`` records that a bundle for
        ``audience`` under ``policy`` carries (FORMAT.md §12.2, B21).

        As :meth:`carried_disclosures` gives the case's, with the runs withheld
        that the stream's own decisions in force for ``audience`` and its
        erasures withhold, read from its verified records (a decision recorded
        in the case names a case record, never a captured one). Erasures apply
        to a bundle for no audience too (the centre also erased its own copy of
        the words when the erasure was attached). Under the policy ``none``,
        nothing.
        """
        if policy.mode == "none":
            return []
        withheld = self.withheld_from(stream, audience, at, size)
        return list(
            self.carried_disclosures(
                stream, size=size, policy=policy, audience=audience, withheld=withheld
            )
        )

    def export_bundle(
        self,
        case_id: uuid.UUID,
        out: str | os.PathLike[str],
        *,
        checkpoint_signer: Signer,
        checkpoint_name: str,
        origin_namespace: str | None = None,
        evidence: BlobStore | EvidenceFinder | Iterable[BlobStore | EvidenceFinder] = (),
        disclosure_policy: DisclosurePolicy | None = None,
        audience: Audience | str | None = None,
        recipient: str | None = None,
        handed_over_by: Signer | None = None,
        zip: bool = False,
        tsa: TimestampAuthority | None = None,
        trust_list: bytes | None = None,
        roots: Mapping[int, bytes] | None = None,
    ) -> ExportResult:
        """Checkpoint the case, write it as a bundle at ``out`` (a zip if ``zip``), verify, publish.

        ``checkpoint_signer`` is the trusted key named ``checkpoint_name``
        holding a checkpoint role; it signs the checkpoint (origin
        ``<origin_namespace>/<case id>``, by default the name up to its first
        '/') and the manifest. ``evidence`` is where the exhibits' files are
        looked for, in order: evidence stores, or finders given the wanted
        digests. Personal data travels only as ``disclosure_policy`` allows
        (by default none, or all for an audience). For an ``audience``
        (``cps``, ``defence``, ``court``, ``victim``) the bundle names it and
        applies its redaction decisions still in force and every erasure: the
        runs they withhold are withheld from each text, a whole-field decision
        leaves the field out, and for the defence no restricted field travels,
        whatever the policy. With an audience the policy chooses personal
        values only: every text travels as the decisions leave it (a ``none``
        or ``list`` policy is widened by the names of the text fields, which
        the manifest's policy then lists). Each capture the case bound travels
        with its disclosures chosen by the same rules, its own stream's
        decisions and erasures in place of the case's
        (:meth:`capture_disclosures`).

        With a ``recipient`` the export is a handover (docs/FORMAT.md B13): a
        ``case.handed_over`` record naming the recipient, the audience and the
        checkpoint of every record before it is appended first, signed by
        ``handed_over_by`` (by default the checkpoint key, as the service
        that hands the case over), and the bundle ends with that record. A
        bundle for an audience is always a handover: without ``recipient``
        it is handed to the audience itself (``"cps"``, ...), so successive
        bundles for it are linked (B14). Without either, the bundle is the case
        as it stands, handed to no one (an auditor's or the force's own copy),
        and nothing is recorded.

        With ``tsa``, the time-stamping authority stamps the new checkpoint
        before the manifest is signed, and the bundle carries its token
        (checkpoint.tsr, B16). ``trust_list`` (the force's signed trust list)
        and ``roots`` (its root documents by version) travel under
        ``trust-root/`` for a verifier that pins the root (step B17).

        ``out`` must not exist (or, for a folder, be an empty one). Returns the
        verified result; raises, leaving nothing at ``out``, if any step fails.
        A handover recorded before a later step failed stays in the case, as
        the record of an attempt: the next export names it among the earlier
        handovers to that recipient (B14), which is what happened.
        """
        dest = Path(out)
        check_destination(dest, directory=not zip)
        # Before the checkpoint: a refused export leaves nothing behind, not even a checkpoint.
        if audience is not None and audience not in AUDIENCES:
            raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
        audience = None if audience is None else str(audience)
        if audience is not None and recipient is None:
            recipient = audience  # a bundle for an audience is always a handover
        policy = audience_policy(disclosure_policy, audience)
        namespace = origin_namespace or checkpoint_name.split("/", 1)[0]
        if recipient is None:
            note = self.checkpoint(case_id, checkpoint_signer, checkpoint_name, namespace)
        else:
            by = handed_over_by or checkpoint_signer
            seq = with_retries(
                lambda: self.record_handover(
                    case_id,
                    by,
                    recipient=str(recipient),
                    audience=audience,
                    checkpoint=self.checkpoint(
                        case_id, checkpoint_signer, checkpoint_name, namespace
                    ),
                )
            )
            note = self.checkpoint(case_id, checkpoint_signer, checkpoint_name, namespace, size=seq)
        # Officers may go on recording meanwhile: the bundle holds what the checkpoint covers.
        covered, _ = open_checkpoint(
            note, [NoteVerifier(checkpoint_name, checkpoint_signer.public_key)]
        )
        size = covered.size
        token = None if tsa is None else tsa.stamp(note)
        at = self.now()
        withheld = {} if audience is None else self.withheld_from(case_id, audience, at, size)

        def carried() -> Iterator[AnyDisclosure]:
            # What the bundle carries, and so what its exhibit view may show.
            return self.carried_disclosures(
                case_id, size=size, policy=policy, audience=audience, withheld=withheld
            )

        # The records as the bundle will carry them, from which its views are built
        # exactly as its verifier rebuilds them (B12).
        verified = list(
            iter_verified_records(
                itertools.islice(self.records(case_id), size),
                trust=self.trust,
                at=at,
                case_id=case_id,
                disclosures=carried(),
                known_types=EVENT_TYPES.known_types(),
                payloads=payload_schemas(),
            )
        )
        captures = self.carried_captures(
            verified,
            disclosures=lambda stream, bound: self.capture_disclosures(
                stream, size=bound, policy=policy, audience=audience, at=at
            ),
        )  # B18-B21
        # The bundle's trust.json is a subset of this store: its signers are named as here.
        # Captured records are read from the very packages the bundle carries, as B12 reads
        # them, and as B9 reads them for the evidence the bundle must carry.
        captured = carried_capture_records(captures, self.trust, at)
        views = build_views(verified, audience=audience, checkpoint=covered, captures=captured)
        # B14: the checkpoints the recipient of the handover the bundle ends with was given
        # before, each with its proof.
        handovers = handovers_file(
            verified,
            size,
            lambda n: self.checkpoint(
                case_id, checkpoint_signer, checkpoint_name, namespace, size=n
            ),
        )
        # The story's register: a file captured on a device is evidence the bundle carries.
        register = build_exhibit_register(
            records_as_read(verified),
            as_of=at,
            captures={s: list(records_as_read(rs)) for s, rs in captured.items()},
        )
        del verified, captured
        wanted = exhibit_hashes(register)
        files = find_evidence(evidence, wanted)
        clean_staging(dest.parent)
        try:
            lock, stage = new_locked_dir(dest.parent, STAGING_PREFIX)
        except OSError as exc:
            raise BundleError(
                f"{dest.parent}: cannot stage a bundle here ({exc.strerror})"
            ) from None
        try:
            info = write_bundle(
                stage / "bundle",
                case_id=case_id,
                records=itertools.islice(self.records(case_id), size),
                disclosures=carried(),
                trust=self.trust,
                checkpoint_note=note,
                signer=checkpoint_signer,
                evidence=files,
                views=views,
                disclosure_policy=policy,
                audience=audience,
                timestamp=token,
                trust_list=trust_list,
                roots=roots,
                handovers=handovers,
                captures=captures,
            )
            product = stage / "bundle"
            if zip:
                product = zip_bundle(product, stage / "bundle.zip")
            # Checked against the application's own trust, as the recipient will with theirs.
            checked = verify_bundle(product, at=self.now(), trust=self.trust, keep_history=True)
            if zip:
                publish_file(product, dest)
            else:
                publish_dir(product, dest)
        finally:
            remove(stage)
            os.close(lock)
        return ExportResult(
            path=dest,
            case_id=case_id,
            checkpoint=note,
            # Where it now lives, not the staging folder it was written in.
            info=dataclasses.replace(info, path=dest),
            verification=checked,
            register=register,
            missing_evidence=frozenset(wanted) - frozenset(files),
        )
