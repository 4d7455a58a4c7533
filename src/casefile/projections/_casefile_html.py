"""The case file as one self-contained HTML page a prosecutor reads and prints.

:func:`case_file_html` lays out a :class:`CaseFile` as the reader expects it:
MG1 front sheet, MG5 summary, MG3 with the charging decisions, MG9 witness list,
each MG11 statement with its declaration and signatures (its text as the
audience reads it, markers and all, or ``[not disclosed]``), the MG12 exhibit
list with hashes and the continuity statements, the MG6C/MG6D/MG6E schedules,
the findings, completeness and, when given, the verification page
(:class:`~casefile.projections.VerificationPage`).

The page is inert: its style sheet is inline, it has no script and loads
nothing; every value is escaped by the template engine and its controls shown
as code points (:mod:`._html_values`). The bytes are a function of the case
file alone (no clock, locale or random id), so a verifier that rebuilds the
case file from the signed records rebuilds the same page.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Final

import jinja2
from markupsafe import Markup

from casefile.projections._casefile_forms import CaseFile
from casefile.projections._html_values import (
    breakable,
    capture_names,
    cite,
    code,
    name,
    party,
    person,
    runs,
    spans,
    table,
    text,
    when,
)
from casefile.projections._verification_page import VerificationPage

__all__ = ["case_file_html"]

_TEMPLATES: Final = "casefile.projections"
_MARKING: Final = "Official sensitive: prosecution case file"

_CONTENTS: Final = (
    ("mg1", "MG1 File front sheet"),
    ("mg5", "MG5 Case summary"),
    ("mg3", "MG3 Report to the CPS and charging decision"),
    ("mg9", "MG9 Witness list"),
    ("mg11", "MG11 Witness statements"),
    ("mg12", "MG12 Exhibit list and continuity"),
    ("mg6c", "MG6C Schedule of non-sensitive unused material"),
    ("mg6d", "MG6D Schedule of sensitive unused material"),
    ("mg6e", "MG6E Disclosure officer's report"),
    ("findings", "Findings"),
    ("completeness", "Completeness"),
    ("verification", "Verification"),
)


def _load(name: str) -> str:
    return (resources.files(_TEMPLATES) / "templates" / name).read_text(encoding="utf-8")


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals.update(
        table=table,
        breakable=breakable,
        runs=runs,
        text=text,
        when=when,
        party=party,
        spans=spans,
        cite=cite,
        code=code,
        person=person,
        name=name,
    )
    return env


def _css_string(value: str) -> Markup:
    """``value`` as the body of a CSS string: every character but [A-Za-z0-9 ] escaped.

    Escaped as CSS hex escapes it holds no ``<``, quote or backslash of its own,
    so it cannot close the string nor the style element.
    """
    escaped = re.sub(r"[^A-Za-z0-9 ]", lambda m: f"\\{ord(m.group()):06x}", value)
    return Markup(escaped)  # noqa: S704 - only letters, digits, spaces and hex escapes


def case_file_html(case_file: CaseFile, *, verification: VerificationPage | None = None) -> bytes:
    """The case file as UTF-8 HTML bytes; the same case file gives the same bytes."""
    urn = case_file.case.urn or case_file.mg1.urn or "no URN"
    contents = list(_CONTENTS)
    if case_file.missing_person is not None:
        contents.insert(-3, ("missing", "Missing person"))
    streams = [] if verification is None else [c.stream for c in verification.captures]
    with capture_names(streams):
        page = _render(case_file, verification, urn, contents)
    return page.encode("utf-8")


def _render(
    case_file: CaseFile,
    verification: VerificationPage | None,
    urn: str,
    contents: list[tuple[str, str]],
) -> str:
    return (
        _environment()
        .get_template("casefile.html.j2")
        .render(
            cf=case_file,
            page=verification,
            urn=urn,
            css=Markup(_load("casefile.css")),  # noqa: S704 - the package's own style sheet
            css_urn=_css_string(urn),
            marking=_MARKING,
            contents=contents,
            schedules=(
                ("mg6c", _CONTENTS[6][1], case_file.mg6c),
                ("mg6d", _CONTENTS[7][1], case_file.mg6d),
                ("mg6e", _CONTENTS[8][1], case_file.mg6e),
            ),
        )
    )
