"""``casefile clean``: remove what killed exports left in a folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from casefile.bundle import clean_staging
from casefile.cli._text import one_line
from casefile.errors import InputError

__all__ = ["add_clean_parser"]


def add_clean_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Register ``clean``."""
    clean = commands.add_parser(
        "clean",
        parents=parents,
        help="remove the staging folders that killed exports left in a folder",
        description="Remove the .casefile-staging-* folders and files in DIR that no live "
        "export is writing (each live export holds a lock on its own; those are left "
        "alone). Every export also does this in its destination's folder when it starts.",
    )
    clean.add_argument("dir", type=Path, metavar="DIR", help="the folder exports were written to")
    clean.set_defaults(handler=run_clean)


def run_clean(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Remove stale export staging in DIR; say how much, and how many live ones were left."""
    folder: Path = args.dir
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    removed = clean_staging(folder)
    out.write(f"folder     {one_line(str(folder))}\n")
    out.write(f"removed    {removed.count} stale staging entry(ies), {removed.size} bytes\n")
    if removed.live:
        out.write(f"left       {removed.live} a live export is writing\n")
    return 0
