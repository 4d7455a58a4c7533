"""Functions that write DCF 1.2 values and account for every gap they leave.

A :class:`DcfWriter` collects, while the export builds the document, each
DCF field the case file has no value for: :meth:`DcfWriter.placeholder`
returns the value to write and records it, :meth:`DcfWriter.omit` records a
field left out. Names and officers become the DCF's ``PersonName`` and
``OfficerName`` here, so that every export splits a name the same way.
"""

from __future__ import annotations

from typing import Any

from casefile.projections._dcf_report import DcfRefused, DcfUnfilled
from casefile.projections._dcf_source import SourceReader

__all__ = ["DcfWriter", "day_of"]


def day_of(time: str) -> str:
    """The date (``YYYY-MM-DD``) of an RFC 3339 UTC time of the case file."""
    return time[:10]


class DcfWriter:
    """Collects the unfilled and refused fields of one export."""

    def __init__(self, reader: SourceReader) -> None:
        self.reader = reader
        self.unfilled: list[DcfUnfilled] = []
        self.refused: list[DcfRefused] = []

    def mark(self) -> tuple[int, int]:
        """Where the lists stand, for :meth:`rollback`."""
        return len(self.unfilled), len(self.refused)

    def rollback(self, mark: tuple[int, int]) -> None:
        """Forget the gaps recorded since ``mark``: the value they belonged to is not sent."""
        del self.unfilled[mark[0] :]
        del self.refused[mark[1] :]

    def placeholder(self, path: str, value: Any, reason: str, *, required: bool = True) -> Any:
        """Record that ``value`` at ``path`` stands for a value the case file lacks."""
        self.unfilled.append(DcfUnfilled(path, required, "placeholder", reason, value))
        return value

    def omit(self, path: str, reason: str, *, required: bool) -> None:
        """Record that the field at ``path`` is left out."""
        self.unfilled.append(DcfUnfilled(path, required, "omitted", reason))

    def refuse(self, pointer: str, path: str, reason: str) -> None:
        """Record that the case-file value at ``pointer`` is not exported at ``path``."""
        self.refused.append(DcfRefused(pointer, path, reason))

    def text(self, path: str, value: str | None, what: str, *, required: bool = True) -> str | None:
        """A DCF string from a case-file text: the text, or a stated gap.

        A text the reader may not see (None) or an empty one is a gap: an empty
        placeholder when the DCF requires the field, else the field is left out.
        """
        if value:
            return value
        reason = f"the case file holds no {what}" if value is None else f"the {what} is empty"
        if required:
            return str(self.placeholder(path, "", reason))
        self.omit(path, reason, required=False)
        return None

    def person_name(
        self, path: str, name: str | None, *, officer: tuple[str, str] | None = None
    ) -> dict[str, Any] | None:
        """A ``PersonName`` (or ``OfficerName`` given ``officer``), or None if unnamed.

        The last word is the surname and the words before it the given names.
        A name the reader may not see is never made up: the field is left out.
        """
        if not name or not name.split():
            self.omit(path, "the case file gives no name the reader may see", required=True)
            return None
        words = name.split()
        given = words[:-1]
        out: dict[str, Any] = {
            "type": "PersonName" if officer is None else "OfficerName",
            "surname": words[-1],
        }
        if not given:
            out["given_name"] = self.placeholder(
                path + "/given_name", [""], "the name has one word; the DCF wants a given name"
            )
        else:
            # The DCF wants unique given names: a repeated one stays in one item.
            out["given_name"] = given if len(set(given)) == len(given) else [" ".join(given)]
        if officer is not None:
            rank, number = officer
            out["rank"] = rank or self.placeholder(
                path + "/rank", "", "the case file gives no rank for this officer"
            )
            out["collar_number"] = number or self.placeholder(
                path + "/collar_number", "", "the case file gives no number for this officer"
            )
        return out

    def party(self, path: str, *source: str | int) -> dict[str, Any] | None:
        """An ``OfficerName`` from a case-file person object at ``source``."""
        person = self.reader.look(*source)
        if person is None:
            self.omit(path, "the case file names no such officer", required=True)
            return None
        for key in ("name", "rank", "number"):
            self.reader.take(*source, key)
        return self.person_name(path, person["name"], officer=(person["rank"], person["number"]))
