"""The exception hierarchy of casefile.

Every error the library raises derives from :class:`CasefileError`. Three
families sit under it, because callers react to them differently:

* :class:`InputError` — bytes or arguments that are unusable before any trust
  question arises (malformed encoding, a trust store that does not parse, a
  bundle that is not a bundle). Nothing was verified, nothing was written.
* :class:`VerificationError` — the input was readable but does not verify:
  tampering, a bad signature, an untrusted key, a broken chain. Each carries
  the case id and the record sequence number where the check broke, and the
  number of the verification step in ``docs/FORMAT.md`` that failed.
* :class:`DomainError` — a command that the investigation's rules refuse
  (recording on a closed case, changing a signed statement, ...).

Beside them, :class:`DependencyMissingError` and :class:`PrintError` say that a
program outside Python (Chromium, which prints the case file to PDF) is not
installed or did not do its job: nothing about the case is wrong. Likewise
:class:`SignerError` says that a signer (a key in a token) returned a signature
its own public key does not verify; nothing was recorded with it.
"""

from __future__ import annotations

__all__ = [
    "ActorError",
    "ActorMismatchError",
    "BadSignatureError",
    "BrokenLinkError",
    "BundleError",
    "CaptureError",
    "CapturePackageError",
    "CaseClosedError",
    "CasefileError",
    "CheckpointError",
    "CheckpointMismatchError",
    "CheckpointSignatureError",
    "ConcurrencyConflictError",
    "CosignatureError",
    "DecodeError",
    "DependencyMissingError",
    "DisclosureError",
    "DomainError",
    "DuplicateExhibitError",
    "DuplicateReferenceError",
    "EncodeError",
    "EvidenceError",
    "ExhibitDisposedError",
    "ExhibitHashError",
    "FixityError",
    "HandoverError",
    "HistoryError",
    "InconsistentHistoryError",
    "InputError",
    "InvalidCommandError",
    "InvalidPublicKeyError",
    "KeyFileError",
    "KeyNotValidError",
    "KeyRoleError",
    "MalformedRecordError",
    "ManifestError",
    "NotCustodianError",
    "NoteError",
    "PrintError",
    "ProofError",
    "RepeatedCommitmentError",
    "RepeatedSaltError",
    "RollbackError",
    "SealMismatchError",
    "SequenceError",
    "SignerError",
    "StatementSignedError",
    "TimeFormatError",
    "TimestampAuthorityError",
    "TokenKeyError",
    "TrustRootError",
    "TrustStoreError",
    "TrustedTimeError",
    "UnauthorisedSignerError",
    "UnknownKeyError",
    "UnknownReferenceError",
    "UnknownSchemaError",
    "VerificationError",
    "WrongCaseError",
]


class CasefileError(Exception):
    """Root of every error raised by casefile."""


# --- unusable input -------------------------------------------------------


class InputError(CasefileError):
    """Input that cannot be used at all; nothing was verified or written."""


class EncodeError(InputError, ValueError):
    """A value lies outside the canonical encoding profile.

    ``path`` names the offending place, e.g. ``data.people[2].dob``.
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


class DecodeError(InputError, ValueError):
    """Bytes that are not a canonical encoding within the decoder's limits."""

    def __init__(self, problem: str, path: str = "") -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


class InvalidPublicKeyError(InputError, ValueError):
    """A public key that is not a valid, prime-order Ed25519 point."""


class TrustStoreError(InputError):
    """A trust store file or entry that does not parse or is inconsistent."""


class KeyFileError(InputError):
    """A private key file that does not parse, or a wrong passphrase."""


class TokenKeyError(InputError):
    """A key in a PKCS#11 token that cannot be used: URI, module, token, PIN or key.

    The message names the URI with any PIN in it masked.
    """


class NoteError(InputError):
    """A signed note or checkpoint whose text breaks the C2SP format."""


class BundleError(InputError):
    """A bundle that cannot be read safely (missing, not a bundle, hostile archive)."""


class CapturePackageError(InputError):
    """Bytes that are not a capture package (docs/FORMAT.md §12.2), named at the fault."""


class EvidenceError(InputError):
    """An evidence file or blob store operation that cannot proceed."""


class TimeFormatError(InputError, ValueError):
    """A time that is not a strict RFC 3339 UTC time (``2026-01-01T00:00:00Z``)."""


# --- failed verification --------------------------------------------------


class RepeatedSaltError(CasefileError, ValueError):
    """The randomness source repeated a salt: sealing is refused before anything is signed.

    Two equal commitments in a case would show that the withheld values behind
    them are equal (FORMAT.md §4, V14); only a broken or injected source repeats.
    """


class VerificationError(CasefileError):
    """Readable input that does not verify.

    ``case_id`` (hex) and ``seq`` name where the check broke when known;
    ``step`` is the verification step number of docs/FORMAT.md (``"V5"``).
    """

    step: str = ""

    def __init__(
        self,
        message: str,
        *,
        case_id: str | None = None,
        seq: int | None = None,
        step: str | None = None,
    ) -> None:
        self.case_id = case_id
        self.seq = seq
        if step is not None:
            self.step = step
        self.message = message
        where = []
        if case_id is not None:
            where.append(f"case {case_id}")
        if seq is not None:
            where.append(f"record {seq}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)

    @property
    def kind(self) -> str:
        """A stable machine-readable name for the failure (used in JSON reports)."""
        name = type(self).__name__
        if name.endswith("Error"):
            name = name[: -len("Error")]
        out = []
        for i, ch in enumerate(name):
            if ch.isupper() and i:
                out.append("_")
            out.append(ch.lower())
        return "".join(out)


class MalformedRecordError(VerificationError):
    """A stored record that is not a canonical, well-formed record."""


class WrongCaseError(VerificationError):
    """A record that belongs to another case."""


class SequenceError(VerificationError):
    """A sequence number out of order: a gap, a duplicate or a reordering."""


class BrokenLinkError(VerificationError):
    """A record whose previous-record hash does not match its predecessor."""


class UnknownKeyError(VerificationError):
    """A record or checkpoint signed by a key absent from the trust store."""


class KeyNotValidError(VerificationError):
    """A key used outside its validity window, or after it was revoked."""


class KeyRoleError(VerificationError):
    """A key that lacks the role needed to sign this event type or checkpoint."""


class BadSignatureError(VerificationError):
    """A signature that does not verify under the strict Ed25519 rules."""


class UnknownSchemaError(VerificationError):
    """A record whose event type or schema version is not registered, or whose payload does
    not fit that type's schema (V10)."""


class DisclosureError(VerificationError):
    """A personal-data disclosure that does not match its commitment."""


class RepeatedCommitmentError(VerificationError):
    """A personal-data commitment that repeats another of the same case (a reused salt).

    Two equal commitments show that the two withheld values behind them are
    equal, which is what a commitment must never reveal.
    """


class ActorError(VerificationError):
    """A record naming as its actor someone other than the holder of its signing key.

    Also a record made on someone's behalf that does not say so correctly, and
    a confirmation that names no unconfirmed on-behalf act of its signer (V15).
    """


class CheckpointError(VerificationError):
    """Base class for checkpoint failures."""


class CheckpointMismatchError(CheckpointError):
    """A checkpoint whose origin, size or root disagrees with the records."""


class CheckpointSignatureError(CheckpointError):
    """A checkpoint that no trusted key signs validly."""


class CosignatureError(CheckpointError):
    """A cosignature (a recipient's receipt or a witness's) that does not verify, or a
    checkpoint without the cosignatures its trust policy requires."""


class ProofError(VerificationError):
    """An inclusion or consistency proof that does not verify."""


class HandoverError(VerificationError):
    """A bundle whose handover record, or the earlier handovers it carries, disagree with its
    records (docs/FORMAT.md B13, B14)."""


class HistoryError(VerificationError):
    """A bundle that does not extend a checkpoint its recipient was given before (``verify
    --previous``, :func:`~casefile.bundle.check_extends`). The message names both
    checkpoints (origin, size, root)."""


class InconsistentHistoryError(HistoryError):
    """The case was rewritten after the previous checkpoint, or it is of another log."""


class RollbackError(HistoryError):
    """A bundle shorter than a checkpoint its recipient was given before: an older state of
    the case presented as the latest."""


class CaptureError(VerificationError):
    """A capture stream that may not join this case, or a binding or receipt that does not
    hold (docs/FORMAT.md §12): another case's stream, a stream that diverged from what was
    attached, a receipt not signed by a trusted centre key."""


class FixityError(VerificationError):
    """Evidence bytes whose SHA-256 differs from the recorded hash."""


class TrustedTimeError(VerificationError):
    """An RFC 3161 timestamp token that does not prove when the checkpoint existed (B16).

    The token does not parse, is over another checkpoint, is not signed by a
    time-stamping authority the trust store names, or is earlier than a record
    of the case claims to be; or the trust store requires a token and there is none.
    """

    step = "B16"


class ManifestError(VerificationError):
    """A bundle manifest that is unsigned, badly signed, or disagrees with the files it lists.

    A missing, changed or unlisted file of a bundle raises this, naming the file.
    """


class TrustRootError(VerificationError):
    """A signed trust root or trust list that fails step B17 (docs/FORMAT.md §7.5, §9.6).

    It is malformed, not signed by enough of the keys that must sign it, out of
    version order, an older version than one already trusted, or expired.
    """

    step = "B17"


# --- domain rules ---------------------------------------------------------


class DomainError(CasefileError):
    """A command refused by the rules of an investigation."""


class ConcurrencyConflictError(DomainError):
    """Another writer appended to the case first; reload and retry."""


class CaseClosedError(DomainError):
    """A command refused because the case is closed (docs/CUSTODY.md §3.1 says what is allowed)."""


class StatementSignedError(DomainError):
    """A change to a signed statement; record a correction or a further statement instead."""


class DuplicateExhibitError(DomainError):
    """An exhibit reference already used in the same case."""


class DuplicateReferenceError(DomainError):
    """A case opened with a reference (crime reference, URN) that another case already has.

    ``reference`` is the refused reference and ``existing`` the id of the case
    that holds it; nothing of the refused case was stored.
    """

    def __init__(self, reference: str, existing: str) -> None:
        self.reference = reference
        self.existing = existing
        super().__init__(
            f"reference {reference!r} is already case {existing}: a reference names one case"
        )


class UnknownReferenceError(DomainError, LookupError):
    """A command or query naming a case, person, statement or record that does not exist.

    ``field`` names the argument that named it (e.g. ``seq``), when one did,
    so that a command line can name its own option instead.
    """

    def __init__(self, problem: str, *, field: str = "") -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)


class InvalidCommandError(DomainError, ValueError):
    """A command argument the investigation's rules refuse.

    ``field`` names the offending argument, e.g. ``exhibit`` or ``fields.offence``.
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)


class UnauthorisedSignerError(DomainError):
    """An acting key the trust store would not accept for this record or checkpoint.

    Refused before anything is sealed, so that no record is written that a
    verifier holding the same trust store would reject.
    """


class ActorMismatchError(UnauthorisedSignerError):
    """A record whose ``by`` or ``recorded_by`` does not fit the holder of the signing key.

    The person a record says acted must hold the key that signs it, or the
    record must say it was made on their behalf by the key's holder.
    """


class NotCustodianError(DomainError):
    """An exhibit handled or handed on by someone who does not hold it on record.

    Only the current custodian may transfer, seal, open, examine, book,
    produce, return or destroy an exhibit; anyone else must receive it first.
    """


class SealMismatchError(DomainError):
    """A seal number quoted for an exhibit that differs from the seal on record."""


class ExhibitDisposedError(DomainError):
    """A custody event on an exhibit already destroyed or returned; only a correction may follow."""


class ExhibitHashError(DomainError):
    """A derived copy or fixity check whose source SHA-256 is unknown or differs from the record.

    A copy must name the hash of what it was made from, so that a court can
    see it is a copy of that exhibit bit for bit.
    """


# --- programs outside Python ----------------------------------------------


class DependencyMissingError(CasefileError):
    """A program the library runs is not installed; the message names the package to install."""


class TimestampAuthorityError(CasefileError):
    """A time-stamping authority could not be reached, refused, or answered with something
    that is not a timestamp over what was asked; the message names its URL."""


class SignerError(CasefileError):
    """A signer returned a signature that its own public key does not verify.

    A faulty or tampered token: the signature is discarded and nothing is
    recorded with it.
    """


class PrintError(CasefileError):
    """The program that prints a document failed, hung or wrote something unusable."""
