"""The failure and finding kinds named by the spec are exactly the ones the library reports.

An outside verifier names its failures and findings from docs/FORMAT.md §9.7.4 and §9.7.5
(and the continuity kinds of docs/CUSTODY.md §4); a kind the library reports but the spec
does not list, or one the spec lists that nothing reports, makes two reports of one bundle
disagree.
"""

from __future__ import annotations

import re
from pathlib import Path

import casefile
import casefile.errors as errors
from casefile.bundle._continuity import EVIDENCE_NOT_IN_BUNDLE
from casefile.bundle._policy_check import POLICY_FIELDS_NOT_DISCLOSED
from casefile.bundle._redactions import REDACTION_NOT_APPLIED, REDACTION_WITHOUT_DECISION
from casefile.projections import ContinuityFindingKind
from casefile.verifier._actor import UNCONFIRMED_KIND

DOCS = Path(__file__).resolve().parents[2] / "docs"
SOURCE = Path(casefile.__file__).resolve().parent


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = re.search(r"^#{2,4} ", text[start + len(heading) :], re.MULTILINE)
    end = len(text) if following is None else start + len(heading) + following.start()
    return text[start:end]


def _first_column_kinds(section: str) -> set[str]:
    kinds: set[str] = set()
    for line in section.splitlines():
        cells = line.split("|")
        if line.startswith("| `") and len(cells) > 2:
            kinds.update(re.findall(r"`([a-z_]+)`", cells[1]))
    return kinds


def _leaves(cls: type) -> set[type]:
    subclasses = set(cls.__subclasses__())
    if not subclasses:
        return {cls}
    return set().union(*(_leaves(sub) for sub in subclasses))


def test_the_spec_lists_exactly_the_failure_kinds_the_verifier_reports() -> None:
    table = _section((DOCS / "FORMAT.md").read_text(encoding="utf-8"), "#### 9.7.4 Failures")
    # ProofError is raised by the inclusion and consistency proof checks (§5), a
    # library call outside the V and B steps, never by a verifier's report.
    reported = {
        leaf.kind.fget(leaf("x"))  # type: ignore[attr-defined]
        for leaf in _leaves(errors.VerificationError)
        if leaf is not errors.ProofError
    }
    assert _first_column_kinds(table) == reported


def test_the_spec_lists_exactly_the_finding_kinds_the_library_reports() -> None:
    format_md = (DOCS / "FORMAT.md").read_text(encoding="utf-8")
    custody_md = (DOCS / "CUSTODY.md").read_text(encoding="utf-8")
    continuity = _first_column_kinds(_section(custody_md, "## 4. Continuity checks"))
    assert continuity == {k.value for k in ContinuityFindingKind}
    listed = _first_column_kinds(_section(format_md, "#### 9.7.5 Findings")) | continuity
    # Every finding made with its kind written out in the code, wherever it is made.
    literal = {
        kind
        for path in SOURCE.rglob("*.py")
        for kind in re.findall(r'Finding\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8"))
    }
    b11 = {REDACTION_WITHOUT_DECISION, REDACTION_NOT_APPLIED}
    b7 = {POLICY_FIELDS_NOT_DISCLOSED}
    reported = literal | {EVIDENCE_NOT_IN_BUNDLE, UNCONFIRMED_KIND} | b7 | b11 | continuity
    assert literal >= {"time_after_verification", "withheld_fields", "trust_from_bundle"}
    assert listed == reported
