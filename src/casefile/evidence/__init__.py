"""Content-addressed evidence storage: files named by their SHA-256, streamed, re-checked on read.

Evidence files (photographs, audio, video, forensic images) are stored once
under the SHA-256 of their bytes and referenced from the signed record by that
hash. :class:`BlobStore` is the extension point; :class:`FileSystemBlobStore`
keeps blobs in a local directory. Every read re-checks fixity, and
:meth:`FileSystemBlobStore.fixity_report` re-checks a whole store.
"""

from ._blob import CHUNK_SIZE, SHA256_SIZE, BlobInfo, BlobStore, check_sha256, sha256_from_hex
from ._fixity_reader import FixityReader
from ._fixity_report import FixityReport, FixityResult, FixityStatus
from ._fs_store import FileSystemBlobStore, ImportResult

__all__ = [
    "CHUNK_SIZE",
    "SHA256_SIZE",
    "BlobInfo",
    "BlobStore",
    "FileSystemBlobStore",
    "FixityReader",
    "FixityReport",
    "FixityResult",
    "FixityStatus",
    "ImportResult",
    "check_sha256",
    "sha256_from_hex",
]
