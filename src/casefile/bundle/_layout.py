"""The file layout of a bundle, its size limits, and the member-name rules.

A bundle is a small, fixed tree (docs/FORMAT.md §9.1). Every name that arrives
from a directory listing or a zip's central directory passes
:func:`check_member_name` before anything else is done with it: names that
could escape a destination or smuggle a second meaning (absolute paths,
``..``, backslashes, drive letters, control characters) are refused by name,
and anything outside the layout is refused as unexpected.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Final

from casefile.errors import BundleError
from casefile.signing._note import MAX_NOTE_SIZE
from casefile.signing._timestamp import MAX_TIMESTAMP_SIZE
from casefile.signing._trust_json import MAX_TRUST_STORE_SIZE

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_VERSION",
    "CAPTURES_DIR",
    "CHECKPOINT",
    "DISCLOSURES",
    "EVIDENCE_DIR",
    "HANDOVERS",
    "MANIFEST",
    "MANIFEST_PAYLOAD_TYPE",
    "MAX_HANDOVERS_SIZE",
    "MAX_MANIFEST_SIZE",
    "MAX_ROOT_FILE_SIZE",
    "MAX_TRUST_LIST_FILE_SIZE",
    "RECORDS",
    "REQUIRED_FILES",
    "TIMESTAMP",
    "TRUST",
    "TRUST_LIST",
    "TRUST_ROOT_DIR",
    "VIEWS_DIR",
    "BundleLimits",
    "capture_path",
    "capture_stream_of",
    "check_member_name",
    "desktop_debris",
    "evidence_path",
    "member_cap",
    "root_path",
    "root_version_of",
    "shown",
    "view_path",
]

BUNDLE_FORMAT: Final = "casefile-bundle"
BUNDLE_VERSION: Final = 2
MANIFEST_PAYLOAD_TYPE: Final = "application/vnd.casefile.manifest.v1+json"

MANIFEST: Final = "manifest.dsse.json"
RECORDS: Final = "records.bin"
DISCLOSURES: Final = "disclosures.bin"
TRUST: Final = "trust.json"
CHECKPOINT: Final = "checkpoint.txt"
#: The RFC 3161 timestamp over the checkpoint (optional, B16).
TIMESTAMP: Final = "checkpoint.tsr"
#: The earlier handovers of the case to the bundle's recipient (B14), when there are any.
HANDOVERS: Final = "handovers.json"
#: Enough for thousands of earlier handovers, each a checkpoint note and a short proof.
MAX_HANDOVERS_SIZE: Final = 8 * 1024 * 1024
EVIDENCE_DIR: Final = "evidence"
#: The capture streams the case attached (FORMAT.md §12), one package each (B18-B21).
CAPTURES_DIR: Final = "captures"
_CAPTURE_NAME: Final = re.compile(
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.pkg", re.ASCII
)
VIEWS_DIR: Final = "views"
#: The signed trust root's files (§7.5): root versions after the first, and the trust list.
TRUST_ROOT_DIR: Final = "trust-root"
TRUST_LIST: Final = f"{TRUST_ROOT_DIR}/trust-list.json"
#: A root document envelope: a few keys and signatures, far below this.
MAX_ROOT_FILE_SIZE: Final = 2 * 1024 * 1024
#: A signed trust list: a trust store (8 MiB) in base64 with its wrapper and signatures.
MAX_TRUST_LIST_FILE_SIZE: Final = 12 * 1024 * 1024
#: The files every bundle has besides the manifest.
REQUIRED_FILES: Final = frozenset({RECORDS, DISCLOSURES, TRUST, CHECKPOINT})

#: A manifest listing the maximum number of files fits well inside this.
MAX_MANIFEST_SIZE: Final = 64 * 1024 * 1024

_EVIDENCE_NAME: Final = re.compile(r"[0-9a-f]{64}")
_VIEW_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_ROOT_NAME: Final = re.compile(r"root\.([1-9][0-9]{0,9})\.json")
_DRIVE: Final = re.compile(r"[A-Za-z]:")
_SHOWN: Final = 120


@dataclass(frozen=True, slots=True)
class BundleLimits:
    """Caps applied to a bundle before any of it is read or trusted.

    ``max_members`` counts files; sizes are uncompressed bytes. A deflated zip
    member whose declared uncompressed size exceeds both ``ratio_floor`` and
    ``max_ratio`` times its compressed data's length is refused as a zip bomb.
    """

    max_members: int = 100_000
    max_total_size: int = 1 << 40
    max_file_size: int = 1 << 36
    max_view_size: int = 1 << 28
    max_ratio: int = 100
    ratio_floor: int = 1 << 20

    def __post_init__(self) -> None:
        for name in (
            "max_members",
            "max_total_size",
            "max_file_size",
            "max_view_size",
            "max_ratio",
            "ratio_floor",
        ):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise ValueError(f"BundleLimits.{name} must be a positive int")


def shown(name: str) -> str:
    """A bounded, printable rendering of a hostile name for an error message."""
    text = name if len(name) <= _SHOWN else name[:_SHOWN] + "..."
    return repr(text)


def check_member_name(name: str) -> str:
    """Return ``name`` if it is a path of the bundle layout; raise :class:`BundleError` otherwise.

    The dangerous shapes are named in the error so that an operator sees the
    attack, not just "unexpected file".
    """
    where = f"member {shown(name)}"
    if not name:
        raise BundleError("member with an empty name")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        raise BundleError(f"{where}: control character in the name")
    if "\\" in name:
        raise BundleError(f"{where}: backslash in the name (a Windows path separator)")
    if name.startswith("/"):
        raise BundleError(f"{where}: absolute path")
    if _DRIVE.match(name):
        raise BundleError(f"{where}: drive letter")
    parts = name.split("/")
    if ".." in parts:
        raise BundleError(f"{where}: '..' component (path traversal)")
    if name.endswith("/"):
        raise BundleError(f"{where}: directory entry (a bundle lists files only)")
    if "" in parts or "." in parts:
        raise BundleError(f"{where}: empty or '.' path component")
    if not name.isascii():
        raise BundleError(f"{where}: non-ASCII name")
    if name in (MANIFEST, TIMESTAMP, HANDOVERS) or name in REQUIRED_FILES:
        return name
    if len(parts) == 2:
        folder, leaf = parts
        if folder == EVIDENCE_DIR and _EVIDENCE_NAME.fullmatch(leaf):
            return name
        if folder == VIEWS_DIR and _VIEW_NAME.fullmatch(leaf):
            return name
        if folder == CAPTURES_DIR and _CAPTURE_NAME.fullmatch(leaf):
            return name
        if name == TRUST_LIST or (folder == TRUST_ROOT_DIR and _ROOT_NAME.fullmatch(leaf)):
            return name
    debris = desktop_debris(name)
    if debris is not None:
        raise BundleError(f"{where}: {debris}")
    raise BundleError(f"{where}: not a file of the bundle layout (unexpected file)")


# Files and folders that desktop file managers and archive tools add to folders they copy.
_DEBRIS_NAMES: Final = frozenset({".DS_Store", "__MACOSX", "Thumbs.db", "desktop.ini"})


def desktop_debris(name: str) -> str | None:
    """What to do about ``name`` if a desktop added it to a copied bundle, else None."""
    leaf = name.rstrip("/").rsplit("/", 1)[-1]
    if leaf not in _DEBRIS_NAMES and not leaf.startswith("._"):
        return None
    return (
        "added by a desktop file manager when the bundle was copied; it is no part of the "
        "signed bundle: delete it (or copy the bundle again without it) and verify again"
    )


def evidence_path(sha256: bytes) -> str:
    """The bundle path of the evidence file with this SHA-256."""
    return f"{EVIDENCE_DIR}/{sha256.hex()}"


def capture_path(stream: uuid.UUID) -> str:
    """The bundle path of the package of capture stream ``stream``."""
    return f"{CAPTURES_DIR}/{stream}.pkg"


def capture_stream_of(name: str) -> uuid.UUID | None:
    """The stream a ``captures/<uuid>.pkg`` path names, or None for any other path."""
    folder, _, leaf = name.partition("/")
    match = _CAPTURE_NAME.fullmatch(leaf) if folder == CAPTURES_DIR else None
    return None if match is None else uuid.UUID(match.group(1))


def view_path(name: str) -> str:
    """The bundle path of view ``name``; raise ValueError if the name is not allowed."""
    if type(name) is not str or not _VIEW_NAME.fullmatch(name):
        raise ValueError(
            f"view name {name!r}: 1-128 characters of [A-Za-z0-9._-], "
            "starting with a letter or digit"
        )
    return f"{VIEWS_DIR}/{name}"


def root_path(version: int) -> str:
    """The bundle path of the root document of ``version``."""
    if type(version) is not int or not 1 <= version < 10**10:
        raise ValueError("a root version is an integer from 1 to 9999999999")
    return f"{TRUST_ROOT_DIR}/root.{version}.json"


def root_version_of(name: str) -> int | None:
    """The version a ``trust-root/root.<N>.json`` path names, or None for any other path."""
    folder, _, leaf = name.partition("/")
    match = _ROOT_NAME.fullmatch(leaf) if folder == TRUST_ROOT_DIR else None
    return None if match is None else int(match.group(1))


def member_cap(name: str, limits: BundleLimits) -> int:
    """The largest size a member of this (already checked) name may have."""
    if name == MANIFEST:
        return MAX_MANIFEST_SIZE
    if name == TRUST:
        return MAX_TRUST_STORE_SIZE
    if name == CHECKPOINT:
        return MAX_NOTE_SIZE
    if name == TIMESTAMP:
        return MAX_TIMESTAMP_SIZE
    if name == HANDOVERS:
        return MAX_HANDOVERS_SIZE
    if name.startswith(VIEWS_DIR + "/"):
        return limits.max_view_size
    if name == TRUST_LIST:
        return MAX_TRUST_LIST_FILE_SIZE
    if name.startswith(TRUST_ROOT_DIR + "/"):
        return MAX_ROOT_FILE_SIZE
    return limits.max_file_size
