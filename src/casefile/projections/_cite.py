"""Citations: how a view names a record of the case's story (docs/FORMAT.md §12.5).

A case record is cited by its ``seq`` (an int), a captured record by
``"<stream-uuid>#<seq>"``. The projections count records by their position
in the story (1 for the first), which for a case without captures is the
record's ``seq``; :func:`cited` turns every position a finished view holds
into the citation of the record at that position, once, at the end. Which
values are record numbers is said by their type: a field annotated
:data:`Cite`, ``Cite | None``, :data:`Cites` or ``Records`` holds them.

Sentences (a finding's message, a continuity statement's paragraph) are
written with their citations as they are built: the builder reads the story
inside :func:`citing`, and each generated mention of a record goes through
:func:`cite_of`. A sentence is never rewritten afterwards, so the words an
officer recorded inside it (a place, a seal's number) are shown as written
even when they look like "record 3".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, Final, TypeVar

from casefile.errors import InputError
from casefile.findings import Finding

__all__ = [
    "CITE_PATTERN",
    "Cite",
    "Cites",
    "cite_of",
    "cited",
    "citing",
    "holds_citations",
    "parse_cite",
    "position",
]

#: A record's citation: its ``seq`` in the case, or ``"<stream-uuid>#<seq>"`` in a capture.
Cite = int | str
#: Citations of records, in story order.
Cites = tuple[Cite, ...]

#: The form of a captured record's citation: a lowercase hyphenated UUID, ``#``, its seq.
CITE_PATTERN: Final = (
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}#[1-9][0-9]{0,18}$"
)
_CITE: Final = re.compile(CITE_PATTERN)
_MAX_SEQ: Final = 2**63 - 1

# Annotations (as written, under postponed evaluation) of the fields that hold record numbers.
_ONE: Final = frozenset({"Cite", "Cite | None"})
_MANY: Final = frozenset({"Cites", "Records"})
# The citations of the story being read, while a builder writes its sentences (None: none).
_READING: Final[ContextVar[Sequence[Cite] | None]] = ContextVar("casefile_citing", default=None)

T = TypeVar("T")


def parse_cite(text: str) -> Cite:
    """The citation ``text`` reads as: a ``seq`` (decimal) or ``<stream-uuid>#<seq>``.

    Raises :class:`~casefile.errors.InputError` naming the text when it is neither.
    """
    if text.isascii() and text.isdigit() and not text.startswith("0") and len(text) <= 19:
        seq = int(text)
        if seq <= _MAX_SEQ:
            return seq
    elif _CITE.fullmatch(text) is not None and int(text.rpartition("#")[2]) <= _MAX_SEQ:
        return text
    raise InputError(
        f"citation {text!r}: not a record number (1 to 2^63-1, no leading zero) "
        "nor <stream-uuid>#<seq> with a lowercase hyphenated UUID"
    )


@contextmanager
def citing(cites: Sequence[Cite]) -> Iterator[None]:
    """Within the block, :func:`cite_of` names a story position by its citation in ``cites``."""
    token = _READING.set(cites)
    try:
        yield
    finally:
        _READING.reset(token)


def cite_of(position: Cite | None) -> str:
    """How a sentence being built names the record at story ``position``.

    Its citation in the story being read (:func:`citing`); outside one, or for
    a number that is no position, the number itself (a case read alone cites
    its records by their ``seq``, which is their position); a citation as it is.
    """
    cites = _READING.get()
    if cites is not None and type(position) is int and 1 <= position <= len(cites):
        return str(cites[position - 1])
    return str(position)


def cited(value: T, cites: Sequence[Cite]) -> T:
    """``value`` (a view, or any part of one) with each story position replaced by its citation.

    ``cites[p - 1]`` is the citation of position ``p``. A number that is no
    position (0, or past the story's end: a reference to no record) is left
    as it is.
    """
    return _Citer(cites).value(value)  # type: ignore[no-any-return]


class _Citer:
    __slots__ = ("_cites",)

    def __init__(self, cites: Sequence[Cite]) -> None:
        self._cites = cites

    def one(self, value: Any) -> Any:
        if type(value) is int and 1 <= value <= len(self._cites):
            return self._cites[value - 1]
        return value

    def value(self, value: Any) -> Any:
        if isinstance(value, Finding):
            return dataclasses.replace(value, seq=self.one(value.seq))
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes: dict[str, Any] = {}
            for name, how in _plan(type(value)):
                old = getattr(value, name)
                new = how(self, old)
                if new is not old:
                    changes[name] = new
            return dataclasses.replace(value, **changes) if changes else value
        if isinstance(value, tuple):
            return tuple(self.value(v) for v in value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value


_How = Callable[[_Citer, Any], Any]


def _many(citer: _Citer, values: Any) -> Any:
    return tuple(citer.one(v) for v in values)


def _nested(citer: _Citer, value: Any) -> Any:
    return citer.value(value)


@cache
def _plan(kind: type) -> tuple[tuple[str, _How], ...]:
    """What to do with each field of dataclass ``kind``: cite it, or look inside."""
    plan: list[tuple[str, _How]] = []
    for field in dataclasses.fields(kind):
        written = _written(field)
        if written in _ONE:
            plan.append((field.name, _Citer.one))
        elif written in _MANY:
            plan.append((field.name, _many))
        elif not _plain(written):
            plan.append((field.name, _nested))
    return tuple(plan)


def holds_citations(kind: type, name: str) -> bool:
    """True when field ``name`` of dataclass ``kind`` holds record citations (one or many)."""
    return any(
        field.name == name and _written(field) in _ONE | _MANY for field in dataclasses.fields(kind)
    )


def _written(field: dataclasses.Field[Any]) -> str:
    return field.type if isinstance(field.type, str) else getattr(field.type, "__name__", "")


def _plain(written: str) -> bool:
    """True for a field type that cannot hold a record number or a part of a view."""
    return written in {"int", "int | None", "str", "str | None", "bool", "bytes", "bytes | None"}


def position(cite: Cite) -> int:
    """The story position a part of a view being built holds (before :func:`cited`).

    Raises :class:`~casefile.errors.InputError` for a citation: a finished
    view is not read back as one being built.
    """
    if type(cite) is not int:
        raise InputError(f"record {cite}: a cited view is not one being built")
    return cite
