"""How the readable case file writes one value: inert text, times, people and their parts.

Every value that reaches the HTML goes through :func:`text`, which escapes it and
shows each bidirectional control, control character or lone surrogate as its
visible code point (``U+202E``), so no value can open an element, close the
style sheet or reorder the words around it. :func:`table` lays out a part of the case
file (a frozen dataclass) field by field without knowing its fields, so a field
added to a form is shown without a template change; it writes plain strings,
not one template call per field, which keeps a 10,000-record file quick.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

from markupsafe import Markup

from casefile._time import date_to_reading, ns_to_reading
from casefile.projections._casefile_model import PersonRef, SignedBy, Undisclosed
from casefile.projections._cite import Cite, holds_citations
from casefile.projections._custody_records import Party
from casefile.projections._labels import CODE_FIELDS, label
from casefile.projections._redactions import NO_DECISION
from casefile.projections._texts import marker_label
from casefile.projections._verification_page import cite_runs

__all__ = [
    "breakable",
    "capture_names",
    "cite",
    "code",
    "name",
    "party",
    "person",
    "runs",
    "spans",
    "table",
    "text",
    "when",
]

# Bidirectional embeddings, overrides, isolates and marks; C0 and C1 controls but
# tab and newline; lone surrogates (which only unchecked records can hold).
_UNSAFE: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff]"
)

#: What a code of the records looks like; anything else in a code field is words.
_CODE: Final = re.compile(r"[a-z0-9_.,-]+")
#: A person the records name without a name.
_NO_NAME: Final = "(no name given)"
#: Words of field names written as a reader knows them.
_WORDS: Final = {"urn": "URN", "id": "ID", "sha256": "SHA-256", "vps": "VPS", "mg": "MG"}


def _label(name: str) -> str:
    words = [_WORDS.get(word, word) for word in name.split("_")]
    words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def _code_point(match: re.Match[str]) -> str:
    return f'<span class="cp">U+{ord(match.group()):04X}</span>'


def _t(value: object) -> str:
    # Escaped first (html.escape: & < > " '); the substitution only adds spans of hex digits.
    return _UNSAFE.sub(_code_point, html.escape(str(value)))


def _withheld(value: Undisclosed) -> str:
    # In the report's words (B11): why, or "no decision" when nothing answers for it.
    shown = marker_label(None, value.withheld or (NO_DECISION,))
    return f'<span class="withheld">[{_t(shown)}]</span>'


def text(value: object) -> Markup:
    """``value`` as inert HTML: escaped, its controls shown as code points.

    A value withheld from the reader (:class:`Undisclosed`) is its marker.
    """
    if isinstance(value, Undisclosed):
        return Markup(_withheld(value))  # noqa: S704 - escaped by _t
    return Markup(_t(value))  # noqa: S704 - escaped by _t


def breakable(value: str) -> Markup:
    """A name without spaces (a key's ``force.example/officer/1234``) as :func:`text`, with a
    line-break opportunity after each ``/`` so that a narrow column breaks it between parts,
    not inside a word. Each part is escaped on its own: no ``<wbr>`` lands inside markup."""
    return Markup("/<wbr>".join(_t(part) for part in str(value).split("/")))  # noqa: S704


def _when(ns: int) -> str:
    return _t(ns_to_reading(ns))


def when(ns: int) -> Markup:
    """A time in nanoseconds as a printed document gives it: ``Wed 4 Mar 2026, 14:05 UTC``."""
    return Markup(_when(ns))  # noqa: S704 - escaped by _t


def _code(value: str) -> str:
    # A key's roles come joined by commas (docs/CASEFILE.md §2): each is a code.
    words = [label(part) for part in value.split(",")]
    if value and all(words):
        return _t(", ".join(word for word in words if word))
    if not _CODE.fullmatch(value):
        return _t(value)  # words, not a code: "copy of DR/2"
    return f"<code>{_t(value)}</code>"


def code(value: str) -> Markup:
    """A code of the records in the reader's words, or the raw code shown as code.

    A value that is not a code (words, such as ``copy of DR/2``) is shown as text.
    """
    return Markup(_code(value))  # noqa: S704 - escaped by _t


def _party(who: Party) -> str:
    name = " ".join(part for part in (who.rank, who.name) if part)
    if who.number:
        name += f" ({who.number})"
    tail = ", ".join(part for part in (who.organisation, who.role) if part)
    return _t(f"{name}, {tail}" if tail else name)


def party(who: Party) -> Markup:
    """A person acting: rank, name, number, organisation and role."""
    return Markup(_party(who))  # noqa: S704 - escaped by _t


#: The short name of each capture the page being written cites (its stream id -> ``C1``),
#: set by :func:`capture_names`; None: captured records are cited whole.
_SHORT: Final[ContextVar[Mapping[str, str] | None]] = ContextVar("casefile_short", default=None)


@contextmanager
def capture_names(streams: Sequence[str]) -> Iterator[None]:
    """Within the block, a record of ``streams[i]`` is shown as ``C<i+1>#<seq>``.

    A page in print has narrow columns, where a whole citation (a 36-character
    stream id) wraps over many lines; the page's list of captures names each
    one's stream in full, and each short citation carries the whole one as its title.
    """
    token = _SHORT.set({stream: f"C{i}" for i, stream in enumerate(streams, start=1)})
    try:
        yield
    finally:
        _SHORT.reset(token)


def _cite(value: Cite) -> str:
    if isinstance(value, str):
        stream, _, seq = value.rpartition("#")
        short = (_SHORT.get() or {}).get(stream)
        if short is not None:
            return f'<span class="cite" title="{_t(value)}">{short}#{_t(seq)}</span>'
    return _t(str(value))


def cite(value: Cite | None) -> Markup:
    """A record's citation as the page shows it (a capture's short name, when it has one)."""
    return Markup("" if value is None else _cite(value))  # noqa: S704 - escaped by _t


def _spans(pairs: tuple[tuple[Cite, Cite], ...]) -> str:
    # A run of one stream's records names the stream once: ``<stream>#2-4``.
    return ", ".join(
        _cite(a) if a == b else f"{_cite(a)}\u2013{_t(str(b).rpartition('#')[2])}" for a, b in pairs
    )


def _runs(seqs: Sequence[Cite]) -> str:
    return _spans(cite_runs(seqs))


def runs(seqs: Sequence[Cite]) -> Markup:
    """Record citations as runs: ``3, 5-7``, ``<stream-uuid>#2-4``."""
    return Markup(_runs(seqs))  # noqa: S704 - digits, commas, dashes and escaped citations


def spans(pairs: tuple[tuple[Cite, Cite], ...]) -> Markup:
    """Runs already made (:func:`~._verification_page.cite_runs`) as text: ``3, 5-7``."""
    return Markup(_spans(pairs))  # noqa: S704 - digits, commas, dashes and escaped citations


@functools.cache
def _layout(kind: type) -> tuple[tuple[str, str, bool], ...]:
    """Each field of ``kind``: its name, its label, and whether it holds record citations."""
    return tuple(
        (field.name, _label(field.name), holds_citations(kind, field.name))
        for field in dataclasses.fields(kind)
    )


def _is_part(value: object) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(
        value, Party | PersonRef | SignedBy | Undisclosed | type
    )


def _name(who: PersonRef) -> str:
    if isinstance(who.name, Undisclosed):
        return _withheld(who.name)
    return _t(_NO_NAME if who.name is None else who.name)


def name(who: PersonRef) -> Markup:
    """A person's name as the reader may see it."""
    return Markup(_name(who))  # noqa: S704 - escaped by _t


def _person(who: PersonRef) -> str:
    return _name(who) + (f" ({_code(who.role)})" if who.role else "")


def person(who: PersonRef) -> Markup:
    """A person of the case: their name as the reader may see it, and their role."""
    return Markup(_person(who))  # noqa: S704 - escaped by _t and _code


def _value(name: str, value: object) -> str | None:
    """A field's cell, or None when the field holds nothing to show (its row is left out)."""
    if value is None:
        return None
    if isinstance(value, Undisclosed):
        return _withheld(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return _when(value) if name.endswith("_at") else str(value)
    if isinstance(value, str):
        if not value:
            return None
        if name in CODE_FIELDS:
            return _code(value)
        if name.endswith("_date"):
            return _t(date_to_reading(value) or value)
        return _t(value)
    if isinstance(value, bytes):
        return f'<code class="hash">{value.hex()}</code>'
    if isinstance(value, Party):
        return _party(value)
    if isinstance(value, PersonRef):
        return _person(value)
    if isinstance(value, SignedBy):
        # The holder's role here is the key's roles (docs/CASEFILE.md §2): shown as roles.
        holder = _party(dataclasses.replace(value.holder, role=""))
        roles = f" ({_code(value.holder.role)})" if value.holder.role else ""
        return f"{holder}<br>key <code>{_t(value.key)}</code>{roles}"
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, tuple):
        if not value:
            return None
        if _is_part(value[0]):
            return "".join(_table(item, ()) for item in value)
        if all(isinstance(item, Party) for item in value):
            return "; ".join(_party(item) for item in value)
        if all(type(item) is int for item in value):
            return _runs(value)
        if name in CODE_FIELDS:
            return "; ".join(_code(str(item)) for item in value)
        return "; ".join(_t(item) for item in value)
    if _is_part(value):
        return _table(value, ())
    return _t(value)


def _cites(value: object) -> str | None:
    """A field of record citations: one (``C1#4``, ``12``) or runs of them."""
    if value is None or value == ():
        return None
    if isinstance(value, tuple):
        return _runs(value)
    return _cite(value)  # type: ignore[arg-type]


def _row(name: str, heading: str, value: object, cites: bool = False) -> str:
    cell = _cites(value) if cites else _value(name, value)
    if cell is None:
        return ""
    if _is_part(value) or (isinstance(value, tuple) and value and _is_part(value[0])):
        # A part within a part takes the page's width under its own heading row,
        # rather than a narrow column beside its label.
        return (
            f'<tr><th colspan="2" scope="colgroup" class="part">{heading}</th></tr>'
            f'<tr><td colspan="2" class="part">{cell}</td></tr>'
        )
    return f'<tr><th scope="row">{heading}</th><td>{cell}</td></tr>'


def _table(part: object, skip: tuple[str, ...]) -> str:
    kind: type = type(part)
    cells = "".join(
        _row(name, heading, getattr(part, name), cites)
        for name, heading, cites in _layout(kind)
        if name not in skip
    )
    return (
        f'<table class="fields">{cells}</table>'
        if cells
        else '<p class="none">Nothing recorded.</p>'
    )


def table(part: object, skip: tuple[str, ...] = ()) -> Markup:
    """The fields of ``part`` (a frozen dataclass), in declaration order, as a table.

    A field that is itself a part, or a tuple of parts, is a table under a
    heading row of its own; a field with nothing to show (absent, empty) has
    no row; a code is shown in the reader's words (:mod:`._labels`).
    """
    return Markup(_table(part, skip))  # noqa: S704 - every value escaped by _t
