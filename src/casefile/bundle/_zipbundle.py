"""Packing a bundle folder into its canonical zip (docs/FORMAT.md §9.5), in one atomic step."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from casefile.bundle._files import (
    FILE_MODE,
    check_destination,
    clean_staging,
    new_sibling_file,
    publish_file,
    remove,
    set_mode,
)
from casefile.bundle._layout import MANIFEST, BundleLimits
from casefile.bundle._source import DirectorySource
from casefile.bundle._zipfmt import STORED, ZipWriter
from casefile.errors import BundleError

__all__ = ["zip_bundle"]


def zip_bundle(
    src_dir: str | os.PathLike[str],
    dest_zip: str | os.PathLike[str],
    *,
    compression: int = STORED,
    limits: BundleLimits | None = None,
) -> Path:
    """Pack a bundle directory into its canonical zip at ``dest_zip``, atomically.

    ``compression`` is ``zipfile.ZIP_STORED`` (the default: every byte of the
    archive is then covered by a check) or ``zipfile.ZIP_DEFLATED``. The source
    is read with the same defences as any bundle; ``dest_zip`` must not exist.
    The zip gets mode 0644 less the umask's bits.
    """
    source = DirectorySource(Path(src_dir), BundleLimits() if limits is None else limits)
    if MANIFEST not in source.files:
        raise BundleError(f"{src_dir}: not a bundle (no {MANIFEST})")
    where = Path(dest_zip)
    check_destination(where, directory=False)
    clean_staging(where.parent)
    fd, tmp = new_sibling_file(where)
    try:
        with os.fdopen(fd, "w+b") as out:
            # Created with 0666, so its mode is what the umask allows a file.
            allowed = stat.S_IMODE(os.fstat(out.fileno()).st_mode)
            writer = ZipWriter(out, compression)
            for path, size in sorted(source.files.items()):
                writer.add(path, source.chunks(path), size)
            writer.finish()
            out.flush()
            set_mode(out.fileno(), tmp, FILE_MODE & allowed)
            os.fsync(out.fileno())
            # Before the descriptor (and its lock) goes: a clean-up must not take the file.
            publish_file(tmp, where)
    except BaseException:
        remove(tmp)
        raise
    return where
