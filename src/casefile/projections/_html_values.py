"""How the readable case file writes one value: inert text, times, people and their parts.

Every value that reaches the HTML goes through :func:`text`, which escapes it and
shows each bidirectional control, control character or lone surrogate as its
visible code point (``U+202E``), so no value can open an element, close the
style sheet or reorder the words around it. :func:`rows` turns a part of the case
file (a frozen dataclass) into rows the templates lay out without knowing its
fields, so a field added to a form is shown without a template change.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import uuid
from dataclasses import dataclass
from typing import Any, Final, get_type_hints

from markupsafe import Markup, escape

from casefile._time import ns_to_rfc3339
from casefile.projections._custody_records import Party
from casefile.projections._texts import NOT_DISCLOSED

__all__ = ["Row", "party", "rows", "runs", "text", "when"]

# Bidirectional embeddings, overrides, isolates and marks; C0 and C1 controls but
# tab and newline; lone surrogates (which only unchecked records can hold).
_UNSAFE: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff]"
)

#: Fields typed ``str | None`` whose None means "none given", not "not disclosed".
_NOT_TEXTS: Final = frozenset({"urn", "offence", "recording", "key", "role", "reclassified_by"})


def _code_point(match: re.Match[str]) -> str:
    return f'<span class="cp">U+{ord(match.group()):04X}</span>'


def text(value: object) -> Markup:
    """``value`` as inert HTML: escaped, its controls shown as code points."""
    # Escaped first; the substitution only adds spans of hex digits.
    return Markup(_UNSAFE.sub(_code_point, str(escape(str(value)))))  # noqa: S704


def when(ns: int) -> Markup:
    """A time in nanoseconds as UTC text a reader takes in at a glance."""
    return text(ns_to_rfc3339(ns).replace("T", " ").replace("Z", " UTC"))


def party(who: Party) -> Markup:
    """A person acting: rank, name, number, organisation and role."""
    name = " ".join(part for part in (who.rank, who.name) if part)
    if who.number:
        name += f" ({who.number})"
    tail = ", ".join(part for part in (who.organisation, who.role) if part)
    return text(f"{name}, {tail}" if tail else name)


def runs(seqs: tuple[int, ...] | list[int]) -> Markup:
    """Record numbers as runs: ``3, 5-7``."""
    out: list[list[int]] = []
    for seq in sorted(seqs):
        if out and seq == out[-1][1] + 1:
            out[-1][1] = seq
        else:
            out.append([seq, seq])
    return text(", ".join(str(a) if a == b else f"{a}\u2013{b}" for a, b in out))


@dataclass(frozen=True, slots=True)
class Row:
    """One field of a part: its label, how to lay it out, its value."""

    label: str
    kind: str  # "value" (Markup), "part" (a dataclass), "parts" (a tuple of them)
    value: Any


@functools.cache
def _layout(kind: type) -> tuple[tuple[str, str, bool], ...]:
    """Each field of ``kind``: name, label, and whether None means "not disclosed"."""
    hints = get_type_hints(kind)
    out = []
    for field in dataclasses.fields(kind):
        hint = hints.get(field.name)
        is_text = hint == (str | None) and field.name not in _NOT_TEXTS
        out.append((field.name, field.name.replace("_", " ").capitalize(), is_text))
    return tuple(out)


def _value(name: str, value: object, is_text: bool) -> Markup:
    if value is None:
        return text(NOT_DISCLOSED if is_text else "none")
    if isinstance(value, bool):
        return text("yes" if value else "no")
    if isinstance(value, int):
        return when(value) if name.endswith("_at") else text(value)
    if isinstance(value, bytes):
        return Markup('<code class="hash">') + text(value.hex()) + Markup("</code>")
    if isinstance(value, Party):
        return party(value)
    if isinstance(value, uuid.UUID):
        return text(value)
    if isinstance(value, tuple):
        if value and all(isinstance(item, Party) for item in value):
            return Markup("; ").join(party(item) for item in value)
        if name == "records" or all(isinstance(item, int) for item in value):
            return runs(value) if value else text("none")
        return text("; ".join(str(item) for item in value)) if value else text("none")
    return text(value)


def rows(part: object, skip: tuple[str, ...] = ()) -> list[Row]:
    """The fields of ``part`` (a frozen dataclass) as rows, in declaration order."""
    out = []
    kind: type = type(part)
    for name, label, is_text in _layout(kind):
        if name in skip:
            continue
        value = getattr(part, name)
        if isinstance(value, Party) or not dataclasses.is_dataclass(value):
            if (
                isinstance(value, tuple)
                and value
                and dataclasses.is_dataclass(value[0])
                and not isinstance(value[0], Party)
            ):
                out.append(Row(label, "parts", value))
            else:
                out.append(Row(label, "value", _value(name, value, is_text)))
        else:
            out.append(Row(label, "part", value))
    return out
