"""C2SP checkpoints (``c2sp.org/tlog-checkpoint``) and offline proofs (``c2sp.org/tlog-proof``).

A checkpoint is a signed note whose text is ``origin\\nsize\\nbase64(root)\\n``
(docs/FORMAT.md §6). :func:`parse_checkpoint_body` reads any C2SP checkpoint,
keeping extension lines in :attr:`Checkpoint.extensions`, so that other logs'
checkpoints can be read; a casefile checkpoint is stricter, and
:func:`case_of_checkpoint` holds it to its grammar: exactly three lines, and
the origin ``<namespace>/<case-uuid>``.

A tlog proof bundles a leaf index, its RFC 9162 inclusion proof and the signed
checkpoint it leads to, so that one text file can be checked offline.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from casefile.errors import NoteError
from casefile.signing._keys import Signer
from casefile.signing._merkle import HASH_SIZE, MAX_PROOF_HASHES, verify_inclusion
from casefile.signing._note import (
    MAX_NOTE_SIZE,
    NoteVerifier,
    open_note,
    sign_note,
    strict_b64decode,
)
from casefile.signing._trust import TrustStore

__all__ = [
    "MAX_TREE_SIZE",
    "TLOG_PROOF_HEADER",
    "Checkpoint",
    "TlogProof",
    "case_of_checkpoint",
    "case_origin",
    "checkpoint_verifiers",
    "format_tlog_proof",
    "open_checkpoint",
    "parse_checkpoint_body",
    "parse_decimal",
    "parse_tlog_proof",
    "sign_checkpoint",
    "verify_tlog_proof",
]

#: Tree sizes and indices are int64 in every C2SP implementation; larger ones are refused.
MAX_TREE_SIZE: Final = 2**63 - 1
TLOG_PROOF_HEADER: Final = "c2sp.org/tlog-proof@v1"

_DECIMAL: Final = re.compile(r"0|[1-9][0-9]{0,18}")
_CONTROL: Final = re.compile(r"[\x00-\x1f]")
# FORMAT.md §6: a lower-case host-like name, one "/", the lowercase hyphenated
# UUID. One "/" only, so that no origin can name a case inside a longer path.
_NAMESPACE_TEXT: Final = r"[a-z0-9](?:[a-z0-9.-]{0,126}[a-z0-9])?"
_NAMESPACE: Final = re.compile(_NAMESPACE_TEXT)
_CASE_ORIGIN: Final = re.compile(
    rf"(?P<namespace>{_NAMESPACE_TEXT})/"
    r"(?P<case>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)


def parse_decimal(text: str, what: str) -> int:
    """A note's decimal field (a size, an index, a count): no sign, no leading zero, at most
    :data:`MAX_TREE_SIZE`; raise :class:`NoteError` naming ``what`` otherwise."""
    # int() alone would also take signs, spaces, underscores and non-ASCII digits.
    if not _DECIMAL.fullmatch(text):
        raise NoteError(f"{what} {text[:40]!r} is not a decimal without leading zeros")
    value = int(text)
    if value > MAX_TREE_SIZE:
        raise NoteError(f"{what} {value} exceeds {MAX_TREE_SIZE}")
    return value


def _check_line(line: str, what: str) -> None:
    if not line:
        raise NoteError(f"{what} is empty")
    if _CONTROL.search(line):
        raise NoteError(f"{what} contains a control character")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's signed tree head: origin, tree size and RFC 9162 root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str):
            raise TypeError("origin must be a str")
        _check_line(self.origin, "checkpoint origin")
        if type(self.size) is not int or not 0 <= self.size <= MAX_TREE_SIZE:
            raise ValueError(f"checkpoint size must be an int between 0 and {MAX_TREE_SIZE}")
        if type(self.root) is not bytes or len(self.root) != HASH_SIZE:
            raise ValueError(f"checkpoint root must be {HASH_SIZE} bytes")
        if not isinstance(self.extensions, tuple):
            raise TypeError("extensions must be a tuple of str")
        for i, line in enumerate(self.extensions):
            if not isinstance(line, str):
                raise TypeError("extensions must be a tuple of str")
            _check_line(line, f"checkpoint extension line {i + 1}")

    def body(self) -> str:
        """The note text: ``origin\\nsize\\nbase64(root)\\n`` then any extension lines."""
        root = base64.b64encode(self.root).decode("ascii")
        lines = [self.origin, str(self.size), root, *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint_body(text: str) -> Checkpoint:
    """Parse checkpoint note text strictly (call only on text a trusted key verified).

    At least three newline-terminated non-empty lines: a non-empty origin, the
    size in decimal without leading zeros, and the root as canonical base64 of
    exactly 32 bytes; further non-empty lines are kept as extensions.
    """
    if not isinstance(text, str):
        raise NoteError("checkpoint text must be a str")
    if len(text) > MAX_NOTE_SIZE:
        raise NoteError(f"checkpoint text exceeds {MAX_NOTE_SIZE} characters")
    if not text.endswith("\n"):
        raise NoteError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError(f"checkpoint text has {len(lines)} lines, at least 3 are needed")
    origin, size_text, root_text, *extensions = lines
    _check_line(origin, "checkpoint origin")
    size = parse_decimal(size_text, "checkpoint size")
    root = strict_b64decode(root_text, "checkpoint root")
    if len(root) != HASH_SIZE:
        raise NoteError(f"checkpoint root is {len(root)} bytes, not {HASH_SIZE}")
    for i, line in enumerate(extensions):
        _check_line(line, f"checkpoint extension line {i + 1}")
    return Checkpoint(origin, size, root, tuple(extensions))


def case_origin(namespace: str, case_id: uuid.UUID) -> str:
    """The origin of a casefile checkpoint of ``case_id`` (FORMAT.md §6).

    Raises :class:`~casefile.errors.NoteError` if ``namespace`` is not 1-128
    of ``[a-z0-9.-]`` starting and ending with a letter or digit.
    """
    if type(namespace) is not str or _NAMESPACE.fullmatch(namespace) is None:
        raise NoteError(
            f"checkpoint origin namespace {str(namespace)[:80]!r} must be 1-128 of [a-z0-9.-],"
            " starting and ending with a letter or digit (e.g. casefile.example.police.uk)"
        )
    if type(case_id) is not uuid.UUID:
        raise NoteError("a case id is a uuid.UUID")
    return f"{namespace}/{case_id}"


def case_of_checkpoint(checkpoint: Checkpoint) -> uuid.UUID:
    """The case a casefile checkpoint names; raise NoteError if it is not one.

    A casefile checkpoint has no extension lines, and its origin is exactly
    ``<namespace>/<case-uuid>`` (FORMAT.md §6), nothing before or after.
    """
    if checkpoint.extensions:
        raise NoteError(
            f"a casefile checkpoint has no extension lines, this one has "
            f"{len(checkpoint.extensions)}"
        )
    match = _CASE_ORIGIN.fullmatch(checkpoint.origin)
    if match is None:
        raise NoteError(
            f"checkpoint origin {checkpoint.origin[:120]!r} is not <namespace>/<case-uuid>"
            " (a namespace of [a-z0-9.-], one '/', a lowercase hyphenated UUID)"
        )
    return uuid.UUID(match["case"])


def sign_checkpoint(checkpoint: Checkpoint, name: str, signer: Signer) -> str:
    """The checkpoint as a signed note, signed by ``signer`` under key ``name``."""
    return sign_note(checkpoint.body(), name, signer)


def checkpoint_verifiers(
    trust: TrustStore, *, last: int | None = None, at: int | None = None
) -> list[NoteVerifier]:
    """The note verifiers of the keys of ``trust`` holding a checkpoint role.

    With ``last`` and ``at``, only the keys that may sign a checkpoint made after
    ``last`` (the latest time of the records it covers, or a lower bound of it)
    and known by ``at`` (V12): valid by ``at``, neither expired nor revoked by
    ``last``. Without them, every checkpoint key (a signer checking its own note).
    """
    if (last is None) != (at is None):
        raise ValueError("give both last and at, or neither")
    roles = trust.policy.checkpoint_roles
    return [
        NoteVerifier(e.name, e.public_key)
        for e in trust.entries
        if e.has_role(roles) and (last is None or at is None or e.may_sign_after(last, at))
    ]


def open_checkpoint(
    note: str | bytes, verifiers: Iterable[NoteVerifier]
) -> tuple[Checkpoint, tuple[str, ...]]:
    """Verify a signed checkpoint note, then parse it.

    Returns the checkpoint and the names of the trusted keys that signed it.
    The signature is checked before the text is parsed, so unsigned text is
    never interpreted.
    """
    verified = open_note(note, verifiers)
    return parse_checkpoint_body(verified.text), verified.signers


@dataclass(frozen=True, slots=True)
class TlogProof:
    """A parsed ``c2sp.org/tlog-proof@v1`` file; nothing in it is verified yet.

    ``extra`` is unauthenticated application data (None when absent).
    """

    index: int
    proof: tuple[bytes, ...]
    checkpoint_note: str
    extra: bytes | None = None


def format_tlog_proof(
    index: int,
    proof: Sequence[bytes],
    checkpoint_note: str,
    extra: bytes | None = None,
) -> str:
    """Write a tlog proof: header, optional extra, index, proof hashes, blank line, checkpoint."""
    if type(index) is not int or not 0 <= index <= MAX_TREE_SIZE:
        raise ValueError(f"index must be an int between 0 and {MAX_TREE_SIZE}")
    if len(proof) > MAX_PROOF_HASHES or any(len(h) != HASH_SIZE for h in proof):
        raise ValueError(f"proof must be at most {MAX_PROOF_HASHES} hashes of {HASH_SIZE} bytes")
    if not checkpoint_note.endswith("\n") or checkpoint_note.startswith("\n"):
        raise ValueError("checkpoint_note must be a signed note text")
    lines = [TLOG_PROOF_HEADER]
    if extra is not None:
        lines.append("extra " + base64.b64encode(extra).decode("ascii"))
    lines.append(f"index {index}")
    lines.extend(base64.b64encode(h).decode("ascii") for h in proof)
    return "\n".join(lines) + "\n\n" + checkpoint_note


def parse_tlog_proof(text: str | bytes) -> TlogProof:
    """Parse a tlog proof strictly; the checkpoint inside is returned unverified.

    Use :func:`verify_tlog_proof` (or :func:`open_checkpoint` and
    :func:`~casefile.signing._merkle.verify_inclusion`) before trusting it.
    """
    if isinstance(text, bytes | bytearray | memoryview):
        raw = bytes(text)
        if len(raw) > MAX_NOTE_SIZE:
            raise NoteError(f"tlog proof exceeds {MAX_NOTE_SIZE} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError(f"tlog proof is not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(text, str):
        raise NoteError("a tlog proof is str or bytes")
    if len(text) > MAX_NOTE_SIZE:
        raise NoteError(f"tlog proof exceeds {MAX_NOTE_SIZE} characters")
    header, sep, rest = text.partition("\n")
    if not sep or header != TLOG_PROOF_HEADER:
        raise NoteError(f"tlog proof must start with the line {TLOG_PROOF_HEADER}")
    line, sep, rest = rest.partition("\n")
    extra: bytes | None = None
    if line.startswith("extra "):
        extra = strict_b64decode(line[len("extra ") :], "tlog proof extra data")
        line, sep, rest = rest.partition("\n")
    if not sep or not line.startswith("index "):
        raise NoteError("tlog proof has no 'index' line after its header")
    index = parse_decimal(line[len("index ") :], "tlog proof index")
    hashes: list[bytes] = []
    while True:
        line, sep, rest = rest.partition("\n")
        if not sep:
            raise NoteError("tlog proof has no blank line before its checkpoint")
        if not line:
            break
        if len(hashes) == MAX_PROOF_HASHES:
            raise NoteError(f"tlog proof has more than {MAX_PROOF_HASHES} proof hashes")
        digest = strict_b64decode(line, f"tlog proof hash {len(hashes) + 1}")
        if len(digest) != HASH_SIZE:
            raise NoteError(f"tlog proof hash {len(hashes) + 1} is not {HASH_SIZE} bytes")
        hashes.append(digest)
    if not rest:
        raise NoteError("tlog proof has no checkpoint")
    return TlogProof(index=index, proof=tuple(hashes), checkpoint_note=rest, extra=extra)


def verify_tlog_proof(
    tlog_proof: TlogProof, leaf_hash: bytes, verifiers: Iterable[NoteVerifier]
) -> tuple[Checkpoint, tuple[str, ...]]:
    """Check a tlog proof for ``leaf_hash``; return its checkpoint and signer names.

    Steps of c2sp.org/tlog-proof: (1) the caller computes ``leaf_hash``;
    (2) a trusted key must sign the checkpoint (the caller then checks that the
    origin is the expected one); (4) the inclusion proof must bind the leaf to
    the checkpoint's root. Witness policy (3) is the caller's, through
    ``verifiers`` and the returned signer names.
    """
    checkpoint, signers = open_checkpoint(tlog_proof.checkpoint_note, verifiers)
    verify_inclusion(
        leaf_hash, tlog_proof.index, checkpoint.size, tlog_proof.proof, checkpoint.root
    )
    return checkpoint, signers
