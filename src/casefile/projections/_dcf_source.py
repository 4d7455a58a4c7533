"""What the DCF export read of a case file, and so what it left behind.

The export reads the case-file JSON through a :class:`SourceReader`, which
remembers every JSON pointer whose value it carried into the DCF document.
Whatever was not carried is *dropped*: :func:`dropped_items` walks the case
file and names each largest part of it the export did not read, by its JSON
pointer (RFC 6901). Deriving the list from what was read, rather than from a
hand-kept list of what the DCF lacks, means a field the case file gains later
is reported as dropped until the export learns to carry it: the report can
fall behind the mapping, but it cannot claim a value the document lacks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from casefile.projections._casefile_json import is_withheld

__all__ = ["DcfDropped", "SourceReader", "dropped_items", "pointer"]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """The JSON pointer (RFC 6901) of a path of keys and indexes."""
    return "".join("/" + _escape(str(token)) for token in tokens)


@dataclass(frozen=True, slots=True)
class DcfDropped:
    """A part of the case file the DCF document does not carry."""

    pointer: str
    reason: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"pointer": self.pointer, "reason": self.reason, "message": self.message}


class SourceReader:
    """Reads a case-file JSON document and remembers what it carried.

    :meth:`take` returns a value and marks it (and everything under it) as
    carried; :meth:`look` returns a value for navigation or a decision and
    marks nothing, so that reading a list to walk it does not hide the items
    of it that were left behind.
    """

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._document = document
        self._taken: set[str] = set()
        self._reasons: dict[str, tuple[str, str]] = {}

    @property
    def document(self) -> Mapping[str, Any]:
        return self._document

    def look(self, *path: str | int) -> Any:
        node: Any = self._document
        for token in path:
            node = node[token]
        return node

    def take(self, *path: str | int) -> Any:
        """The value at ``path``, marked carried; a value withheld from the reader is None."""
        value = self.look(*path)
        self._taken.add(pointer(*path))
        return None if is_withheld(value) else value

    def forget(self, *path: str | int) -> None:
        """Unmark what was carried at or under ``path``: it was not sent after all."""
        here = pointer(*path)

        def outside(p: str) -> bool:
            return p != here and not p.startswith(here + "/")

        self._taken = {p for p in self._taken if outside(p)}
        self._reasons = {p: r for p, r in self._reasons.items() if outside(p)}

    def leave(self, *path: str | int, reason: str, message: str) -> None:
        """Say why the export leaves the value at ``path`` behind."""
        self._reasons[pointer(*path)] = (reason, message)

    def taken(self) -> frozenset[str]:
        return frozenset(self._taken)

    def reasons(self) -> Mapping[str, tuple[str, str]]:
        return dict(self._reasons)


# Why a part of the case file has no place in the DCF, by the key that names
# it. The first key of the pointer that appears here gives the reason; a key
# not listed gets the general reason.
_REASONS: Final[Mapping[str, tuple[str, str]]] = {
    "records": ("provenance", "the DCF carries no record sequence numbers or provenance"),
    "sha256": ("hash", "the DCF carries no hashes"),
    "hash": ("hash", "the DCF carries no hashes"),
    "signature": ("signature", "the DCF carries no signatures"),
    "signed": ("signature", "the DCF carries no signatures"),
    "signed_at": ("signature", "the DCF carries no signatures"),
    "signed_by": ("signature", "the DCF carries no signatures"),
    "declaration": ("declaration", "the DCF carries no MG11 declaration"),
    "body": ("statement_text", "the DCF carries no statement text"),
    "signatures": ("signature", "the DCF carries no signatures"),
    "text": ("statement_text", "the DCF carries no statement text"),
    "mg6c": ("unused_material", "the DCF carries no MG6C schedule of unused material"),
    "mg6d": ("unused_material", "the DCF carries no MG6D schedule of sensitive material"),
    "mg6e": ("unused_material", "the DCF carries no MG6E disclosure certificate"),
    "mg11": (
        "statement_text",
        "the DCF carries no MG11 statement: no text, declaration or signature",
    ),
    "mg12": ("exhibit_list", "the DCF carries no MG12 exhibit list"),
    "continuity": ("continuity", "the DCF carries no chain of custody"),
    "missing_person": ("missing_person", "the DCF carries no missing-person investigation"),
    "completeness": ("completeness", "the DCF carries no completeness report"),
}
_GENERAL: Final = ("no_dcf_field", "the DCF 1.2 schema has no field for it")


def _reason(path: Sequence[str | int]) -> tuple[str, str]:
    # The most specific key decides: a statement's `records` is provenance
    # even inside MG11, and an MG12 row's `sha256` is a hash.
    for token in reversed(path):
        if isinstance(token, str) and token in _REASONS:
            return _REASONS[token]
        if isinstance(token, str) and token.endswith("_sha256"):
            return _REASONS["sha256"]
    return _GENERAL


def _empty(value: Any) -> bool:
    # Nothing is lost by leaving out an absent value, an empty container or a
    # value the case file's reader was never shown.
    return (
        value is None
        or value == ""
        or (isinstance(value, list | dict) and not value)
        or is_withheld(value)
    )


def _walk(
    node: Any,
    path: tuple[str | int, ...],
    taken: frozenset[str],
    prefixes: frozenset[str],
    reasons: Mapping[str, tuple[str, str]],
) -> Iterator[DcfDropped]:
    here = pointer(*path)
    if here in taken or _empty(node):
        return
    if here not in prefixes:
        reason, message = reasons.get(here) or _reason(path)
        yield DcfDropped(here, reason, message)
        return
    children: Iterator[tuple[str | int, Any]]
    if isinstance(node, Mapping):
        children = iter(sorted(node.items()))
    elif isinstance(node, list):
        children = enumerate(node)
    else:  # pragma: no cover - a scalar is either taken or not a prefix
        return
    for key, child in children:
        yield from _walk(child, (*path, key), taken, prefixes, reasons)


def _prefixes(taken: frozenset[str]) -> frozenset[str]:
    # Every proper ancestor of a pointer: the walk descends into these, and
    # reports any other untaken node whole.
    out: set[str] = set()
    for item in taken:
        parts = item.split("/")
        for end in range(1, len(parts)):
            out.add("/".join(parts[:end]))
    return frozenset(out)


def dropped_items(
    reader: SourceReader, *, ignore: frozenset[str] = frozenset()
) -> tuple[DcfDropped, ...]:
    """Each largest part of the case file the export did not carry.

    ``ignore`` names pointers that are not content (the document's own format
    and version). Items come in document order with object keys sorted, so one
    case file always gives one list.
    """
    taken = reader.taken() | ignore
    reasons = reader.reasons()
    # The walk descends to each part given a reason of its own, so the reason
    # names that part and not the larger one around it.
    prefixes = _prefixes(taken | frozenset(reasons))
    return tuple(_walk(reader.document, (), taken, prefixes, reasons))
