"""Read models of a case, built from its authenticated records.

The exhibit register (:func:`build_exhibit_register`) follows every exhibit
through its chain of custody: who held it, when, where and under which seal,
and whether the file in court is, bit for bit, the one seized. It reports
each break in continuity as a :class:`~casefile.findings.Finding` (kinds in
:class:`ContinuityFindingKind`), and renders as an MG12-style exhibit list
(:func:`exhibit_list`), draft MG11 continuity statements
(:func:`continuity_statements`) and JSON for a bundle's ``views/exhibits.json``
(:func:`exhibit_register_json`).

The prosecution case file (:func:`build_case_file`) gathers the MG forms of a
case from its verified records: MG1 with the defendants, MG3, MG5, MG6C,
MG6D, MG6E, MG9, MG11, MG12, the continuity evidence and the missing-person
section, every part naming the records it was built from, and what a file of
its type still lacks (:func:`completeness`). :func:`case_file_document`
writes it as JSON that fits the published schema :func:`case_file_schema`
(docs/CASEFILE.md).

:func:`case_story` orders a case's records and the capture records its
bindings bound as one story (docs/FORMAT.md §12.5), each cited by
:attr:`StoryEntry.cite`. Given a case's ``captures`` (each bound stream's
records), the register and the case file read that story, and every value
that names a record holds its :data:`Cite`: the ``seq`` of a case record, or
``"<stream-uuid>#<seq>"`` (:data:`CITE_PATTERN`, :func:`parse_cite`) for a
captured one.

Projections import no domain classes, database or network: they read the
:class:`~casefile.verifier.VerifiedRecord` values of a verified case (or any
:class:`CaseRecord`), so an offline verifier can run them. Free text is not in
a record's data: :func:`records_as_read` puts each record's texts back as its
reader may see them (whole, with a marker such as ``[withheld 3 words]`` for
each withheld run, or None when not disclosed), and is the one way the
projections get text. Typical use, on the
records of a case (here one stored by a :class:`~casefile.application.CasefileApp`)
and the trust store that names its keys:

>>> from casefile.application import CasefileApp, StoreConfig
>>> from casefile.projections import EXHIBITS_VIEW, build_exhibit_register, records_as_read
>>> from casefile.projections import exhibit_register_json
>>> from casefile.signing import Holder, InMemorySigner, TrustEntry, TrustStore
>>> from casefile.verifier import verify_case
>>> officer = InMemorySigner.generate()
>>> trust = TrustStore([TrustEntry(
...     public_key=officer.public_key, name="force.example/pc-1",
...     holder=Holder("A Officer", "PC", "1", "Example Police"),
...     roles=frozenset({"recorder"}), valid_from=1_767_225_600 * 10**9)])
>>> app = CasefileApp(store=StoreConfig.memory(), trust=trust)
>>> case_id = app.open_case(officer, offence="theft", channel="online", reference="01YE1234526")
>>> now = app.now()
>>> verified = verify_case(
...     app.records(case_id), trust=trust, at=now, disclosures=app.disclosures(case_id))
>>> register = build_exhibit_register(records_as_read(verified.records), as_of=now)
>>> for finding in register.findings:
...     print(finding.kind, finding.exhibit, finding.seq, finding.message)
>>> views = {EXHIBITS_VIEW: exhibit_register_json(register)}
>>> sorted(views)
['exhibits.json']
"""

from casefile.projections._casefile import build_case_file, case_file_from_views
from casefile.projections._casefile_complete import FILE_TYPES, completeness
from casefile.projections._casefile_forms import (
    CareNeeds,
    CaseFile,
    CaseSummary,
    ChargingDecision,
    ChargingRequest,
    Completeness,
    ContinuityPart,
    ContinuityText,
    EnquiryLine,
    ExhibitRow,
    FindingItem,
    Found,
    Lack,
    MissingPerson,
    MissingPersonPart,
    MissingReport,
    RiskReview,
    Schedule,
    Sighting,
    Signature,
    Statement,
    SummaryPoint,
    UndermineReport,
    UnusedDecision,
    UnusedItem,
    VictimStatement,
    Witness,
    WitnessList,
)
from casefile.projections._casefile_html import case_file_html
from casefile.projections._casefile_json import (
    CASEFILE_FORMAT,
    CASEFILE_VERSION,
    case_file_document,
    case_file_json,
)
from casefile.projections._casefile_model import (
    Arrest,
    Attendance,
    Bail,
    CaseHeader,
    Charge,
    Defendant,
    FrontSheet,
    Hearing,
    Identification,
    Interview,
    Offence,
    PersonRef,
    PointToProve,
    SignedBy,
    Undisclosed,
)
from casefile.projections._casefile_schema import CASEFILE_SCHEMA_ID, case_file_schema
from casefile.projections._cite import CITE_PATTERN, Cite, Cites, parse_cite
from casefile.projections._continuity import build_exhibit_register
from casefile.projections._continuity_model import (
    DEFAULT_MAX_GAP_NS,
    ContinuityFindingKind,
    ContinuityPolicy,
    CustodyEntry,
    CustodySpan,
    ExhibitHistory,
    ExhibitRegister,
)
from casefile.projections._custody_records import (
    CUSTODY_TYPES,
    CaseRecord,
    Party,
    RecordView,
)
from casefile.projections._dcf import dcf_export
from casefile.projections._dcf_report import (
    DCF_LABEL,
    DCF_REPORT_FORMAT,
    DCF_REPORT_VERSION,
    DCF_SCHEMA_RELEASE,
    DCF_SCHEMA_VERSION,
    DcfMappingReport,
    DcfRefused,
    DcfUnfilled,
)
from casefile.projections._dcf_source import DcfDropped
from casefile.projections._exhibit_list import ExhibitListRow, exhibit_list
from casefile.projections._labels import label as code_label
from casefile.projections._redactions import FieldRedactions, RedactionCover, redactions_for
from casefile.projections._register_json import (
    EXHIBITS_VIEW,
    REGISTER_FORMAT,
    exhibit_register_document,
    exhibit_register_json,
)
from casefile.projections._statements import ContinuityStatement, continuity_statements
from casefile.projections._story import StoryEntry, capture_reference, case_story
from casefile.projections._texts import (
    NOT_DISCLOSED,
    CommittedRecord,
    TextMarker,
    TextReader,
    marker_label,
    records_as_read,
    render_segments,
    render_text,
    shown_text,
    withheld_marker,
)
from casefile.projections._verification_page import (
    KeyUse,
    PageCapture,
    PageCheckpoint,
    VerificationPage,
    verification_page,
)

__all__ = [
    "CASEFILE_FORMAT",
    "CASEFILE_SCHEMA_ID",
    "CASEFILE_VERSION",
    "CITE_PATTERN",
    "CUSTODY_TYPES",
    "DCF_LABEL",
    "DCF_REPORT_FORMAT",
    "DCF_REPORT_VERSION",
    "DCF_SCHEMA_RELEASE",
    "DCF_SCHEMA_VERSION",
    "DEFAULT_MAX_GAP_NS",
    "EXHIBITS_VIEW",
    "FILE_TYPES",
    "NOT_DISCLOSED",
    "REGISTER_FORMAT",
    "Arrest",
    "Attendance",
    "Bail",
    "CareNeeds",
    "CaseFile",
    "CaseHeader",
    "CaseRecord",
    "CaseSummary",
    "Charge",
    "ChargingDecision",
    "ChargingRequest",
    "Cite",
    "Cites",
    "CommittedRecord",
    "Completeness",
    "ContinuityFindingKind",
    "ContinuityPart",
    "ContinuityPolicy",
    "ContinuityStatement",
    "ContinuityText",
    "CustodyEntry",
    "CustodySpan",
    "DcfDropped",
    "DcfMappingReport",
    "DcfRefused",
    "DcfUnfilled",
    "Defendant",
    "EnquiryLine",
    "ExhibitHistory",
    "ExhibitListRow",
    "ExhibitRegister",
    "ExhibitRow",
    "FieldRedactions",
    "FindingItem",
    "Found",
    "FrontSheet",
    "Hearing",
    "Identification",
    "Interview",
    "KeyUse",
    "Lack",
    "MissingPerson",
    "MissingPersonPart",
    "MissingReport",
    "Offence",
    "PageCapture",
    "PageCheckpoint",
    "Party",
    "PersonRef",
    "PointToProve",
    "RecordView",
    "RedactionCover",
    "RiskReview",
    "Schedule",
    "Sighting",
    "Signature",
    "SignedBy",
    "Statement",
    "StoryEntry",
    "SummaryPoint",
    "TextMarker",
    "TextReader",
    "UndermineReport",
    "Undisclosed",
    "UnusedDecision",
    "UnusedItem",
    "VerificationPage",
    "VictimStatement",
    "Witness",
    "WitnessList",
    "build_case_file",
    "build_exhibit_register",
    "capture_reference",
    "case_file_document",
    "case_file_from_views",
    "case_file_html",
    "case_file_json",
    "case_file_schema",
    "case_story",
    "code_label",
    "completeness",
    "continuity_statements",
    "dcf_export",
    "exhibit_list",
    "exhibit_register_document",
    "exhibit_register_json",
    "marker_label",
    "parse_cite",
    "records_as_read",
    "redactions_for",
    "render_segments",
    "render_text",
    "shown_text",
    "verification_page",
    "withheld_marker",
]
