"""Writing out the proven views of a bundle for a reader (``casefile verify --render``).

A view is worth handing to a reader only once B12 has rebuilt it from the
verified records. So the views are written only when the whole bundle verified,
from bytes re-hashed against the manifest as they are read (a file changed
after verification fails rather than being written), into a private staging
folder beside the destination that takes the destination's name in one rename:
a reader finds every proven view, or nothing.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from casefile._scratch import new_locked_dir
from casefile.bundle._files import (
    DIR_MODE,
    FILE_MODE,
    STAGING_PREFIX,
    HashingSink,
    allowed_bits,
    check_destination,
    clean_staging,
    fsync_dir,
    publish_dir,
    remove,
)
from casefile.bundle._layout import VIEWS_DIR, BundleLimits, shown
from casefile.bundle._reader import Bundle, open_bundle
from casefile.bundle._result import BundleVerification
from casefile.bundle._verify import verify_bundle
from casefile.errors import BundleError
from casefile.signing._trust import TrustStore

__all__ = ["RenderedViews", "render_views"]


@dataclass(frozen=True, slots=True)
class RenderedViews:
    """What :func:`render_views` did: the verification, and the views it wrote (if any)."""

    verification: BundleVerification
    #: The folder written, or None when nothing was (the bundle failed, or carries no view).
    path: Path | None
    #: The names of the views written, sorted (``casefile.json``, ...).
    views: tuple[str, ...]


def render_views(
    source: str | os.PathLike[str] | Bundle,
    dest: str | os.PathLike[str],
    *,
    at: int | datetime.datetime,
    trust: TrustStore | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    limits: BundleLimits | None = None,
    keep_history: bool = False,
) -> RenderedViews:
    """Verify a bundle (as :func:`verify_bundle` with ``report=True``); if it verified,
    write its views, each proven by B12, into the new folder ``dest``.

    ``dest`` must not exist (or be an empty folder), nor lie inside a directory
    bundle. Nothing is written when the bundle fails verification or carries
    no view; a :class:`~casefile.errors.BundleError` is raised, leaving nothing
    at ``dest``, when it cannot be written. ``keep_history`` is passed to the
    verification, as to :func:`verify_bundle`.
    """
    where = Path(dest)
    check_destination(where, directory=True)  # before the walk, which may take minutes
    if isinstance(source, Bundle):
        return _render(source, where, at, trust, workers, progress, keep_history)
    with open_bundle(source, limits=limits) as bundle:
        return _render(bundle, where, at, trust, workers, progress, keep_history)


def _render(
    bundle: Bundle,
    where: Path,
    at: int | datetime.datetime,
    trust: TrustStore | None,
    workers: int | None,
    progress: Callable[[int], None] | None,
    keep_history: bool = False,
) -> RenderedViews:
    if bundle.kind == "directory" and where.resolve().is_relative_to(bundle.path.resolve()):
        # A file added to a bundle's folder makes it fail B4 from then on.
        raise BundleError(f"{shown(str(where))}: inside the bundle itself; choose another folder")
    result = verify_bundle(
        bundle,
        at=at,
        trust=trust,
        workers=workers,
        report=True,
        progress=progress,
        keep_history=keep_history,
    )
    prefix = VIEWS_DIR + "/"
    listed = (
        []
        if not result.verified
        else [f for f in bundle.manifest.files if f.path.startswith(prefix)]
    )
    if not listed:
        return RenderedViews(result, None, ())
    check_destination(where, directory=True)
    clean_staging(where.parent)
    try:
        lock, tmp = new_locked_dir(where.parent, STAGING_PREFIX)
    except OSError as exc:
        raise BundleError(
            f"{shown(str(where.parent))}: cannot write here ({exc.strerror})"
        ) from None
    try:
        try:
            allowed = allowed_bits(tmp)
            for entry in listed:
                name = entry.path[len(prefix) :]
                with HashingSink(tmp, name, mode=FILE_MODE & allowed) as sink:
                    # Re-hashed against the manifest at its end: changed since B4, it fails here.
                    for chunk in bundle.chunks(entry.path, entry):
                        sink.write(chunk)
                    sink.finish()
            os.chmod(tmp, DIR_MODE & allowed)
            fsync_dir(tmp)
            publish_dir(tmp, where)
        except BaseException:
            remove(tmp)
            raise
    finally:
        os.close(lock)
    return RenderedViews(result, where, tuple(sorted(e.path[len(prefix) :] for e in listed)))
