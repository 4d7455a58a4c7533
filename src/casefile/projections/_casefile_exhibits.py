"""MG12 and the continuity evidence of a case file, from the exhibit register.

The rows are :func:`~casefile.projections.exhibit_list`'s and the statements
:func:`~casefile.projections.continuity_statements`'s, each with the records
it was built from; the register's continuity findings come with them.
"""

from __future__ import annotations

import dataclasses

from casefile.projections._casefile_forms import (
    ContinuityPart,
    ContinuityText,
    ExhibitRow,
    FindingItem,
)
from casefile.projections._cite import position
from casefile.projections._continuity_model import ExhibitRegister
from casefile.projections._exhibit_list import exhibit_list
from casefile.projections._statements import continuity_statements

__all__ = ["build_continuity", "build_mg12"]


def build_mg12(register: ExhibitRegister) -> tuple[ExhibitRow, ...]:
    """One MG12 row per exhibit, citing every custody record of it."""
    rows = exhibit_list(register)
    return tuple(
        ExhibitRow(
            **{f.name: getattr(row, f.name) for f in dataclasses.fields(row)},
            records=tuple(sorted({position(e.seq) for e in ex.entries})),
        )
        for row, ex in zip(rows, register.exhibits, strict=True)
    )


def build_continuity(register: ExhibitRegister) -> ContinuityPart:
    """The custodians' draft statements and the continuity findings."""
    by_reference = {ex.reference: ex for ex in register.exhibits}
    texts = []
    for statement in continuity_statements(register):
        me = statement.custodian.identity
        seqs: set[int] = set()
        for reference in statement.exhibits:
            ex = by_reference[reference]
            seqs.update(
                position(e.seq) for e in ex.entries if e.by is not None and e.by.identity == me
            )
            seqs.update(
                position(s.start_seq)
                for s in ex.spans
                if s.custodian is not None and s.custodian.identity == me
            )
        texts.append(
            ContinuityText(
                statement.custodian, statement.exhibits, statement.text, tuple(sorted(seqs))
            )
        )
    findings = tuple(
        FindingItem(f.kind, f.message, f.seq, f.exhibit, () if f.seq is None else (f.seq,))
        for f in register.findings
    )
    return ContinuityPart(tuple(texts), findings)
