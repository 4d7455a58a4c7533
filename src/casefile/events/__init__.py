"""The investigation domain: the Investigation aggregate, its event types and their records.

Every event type is registered by name and schema version in
:data:`EVENT_TYPES`; records name their type that way, never by an import
path. Adding a type is local: a :class:`CaseEvent` subclass decorated with
:func:`register`, and a command on :class:`Investigation` that records it.
"""

from casefile.events._base import WITHHELD, CaseEvent, datetime_of_ns
from casefile.events._case_events import (
    CaseOpened,
    CrimeReportRecorded,
    HandedOver,
    MissingPersonReportRecorded,
    NoteAdded,
    RecordConfirmed,
    RecordCorrected,
    StatusChanged,
)
from casefile.events._custody_commands import CustodyCommands
from casefile.events._custody_event_base import CustodyEvent
from casefile.events._custody_events import (
    ExhibitBooked,
    ExhibitDamaged,
    ExhibitDestroyed,
    ExhibitLocated,
    ExhibitLost,
    ExhibitPackaged,
    ExhibitProduced,
    ExhibitProducedInCourt,
    ExhibitResealed,
    ExhibitReturned,
    ExhibitSeized,
    ExhibitTransferred,
    SealOpened,
)
from casefile.events._custody_values import (
    CUSTODY_REFERENCE,
    Custodian,
    ExhibitStatus,
    FixityResult,
    RetentionDecision,
)
from casefile.events._evidence_events import EvidenceCaptured
from casefile.events._exhibit_work_commands import ExhibitWorkCommands
from casefile.events._exhibit_work_events import (
    ExhibitAccessed,
    ExhibitDerived,
    ExhibitDisclosed,
    ExhibitExamined,
    ExhibitImaged,
    FixityChecked,
    RetentionReviewed,
)
from casefile.events._investigation import Investigation
from casefile.events._loading import (
    ChainEntry,
    RecordMapper,
    authenticate_chain,
    load_investigation,
)
from casefile.events._people_events import (
    PERSON_DETAILS,
    YES_NO_DETAILS,
    PersonAdded,
    StatementRecorded,
    StatementSigned,
)
from casefile.events._recording import DEFAULT_CONTEXT, CommandContext
from casefile.events._redaction import (
    DisclosureErased,
    Erasure,
    RedactionCommands,
    RedactionDecided,
    RedactionDecision,
    RedactionWithdrawn,
)
from casefile.events._reference import DcfUrn, DcfUrnScheme, ReferenceScheme, parse_dcf_urn
from casefile.events._registry import EVENT_TYPES, EventRegistry, register
from casefile.events._sealing import SealedBatch, check_actors, check_signer, seal_events
from casefile.events._state import EVIDENCE_STORE, Exhibit, ExhibitCustody, Person, Statement
from casefile.events._values import (
    MIN_COMMAND_TIME_NS,
    CaseStatus,
    EvidenceKind,
    Instant,
    PersonRole,
    ReportingChannel,
    RiskGrading,
    Signatory,
    check_time,
)
from casefile.verifier._redaction_codes import (
    RESTRICTED_FIELDS,
    Audience,
    ErasureBasis,
    RedactionReason,
)

__all__ = [
    "CUSTODY_REFERENCE",
    "DEFAULT_CONTEXT",
    "EVENT_TYPES",
    "EVIDENCE_STORE",
    "MIN_COMMAND_TIME_NS",
    "PERSON_DETAILS",
    "RESTRICTED_FIELDS",
    "WITHHELD",
    "YES_NO_DETAILS",
    "Audience",
    "CaseEvent",
    "CaseOpened",
    "CaseStatus",
    "ChainEntry",
    "CommandContext",
    "CrimeReportRecorded",
    "Custodian",
    "CustodyCommands",
    "CustodyEvent",
    "DcfUrn",
    "DcfUrnScheme",
    "DisclosureErased",
    "Erasure",
    "ErasureBasis",
    "EventRegistry",
    "EvidenceCaptured",
    "EvidenceKind",
    "Exhibit",
    "ExhibitAccessed",
    "ExhibitBooked",
    "ExhibitCustody",
    "ExhibitDamaged",
    "ExhibitDerived",
    "ExhibitDestroyed",
    "ExhibitDisclosed",
    "ExhibitExamined",
    "ExhibitImaged",
    "ExhibitLocated",
    "ExhibitLost",
    "ExhibitPackaged",
    "ExhibitProduced",
    "ExhibitProducedInCourt",
    "ExhibitResealed",
    "ExhibitReturned",
    "ExhibitSeized",
    "ExhibitStatus",
    "ExhibitTransferred",
    "ExhibitWorkCommands",
    "FixityChecked",
    "FixityResult",
    "HandedOver",
    "Instant",
    "Investigation",
    "MissingPersonReportRecorded",
    "NoteAdded",
    "Person",
    "PersonAdded",
    "PersonRole",
    "RecordConfirmed",
    "RecordCorrected",
    "RecordMapper",
    "RedactionCommands",
    "RedactionDecided",
    "RedactionDecision",
    "RedactionReason",
    "RedactionWithdrawn",
    "ReferenceScheme",
    "ReportingChannel",
    "RetentionDecision",
    "RetentionReviewed",
    "RiskGrading",
    "SealOpened",
    "SealedBatch",
    "Signatory",
    "Statement",
    "StatementRecorded",
    "StatementSigned",
    "StatusChanged",
    "authenticate_chain",
    "check_actors",
    "check_signer",
    "check_time",
    "datetime_of_ns",
    "load_investigation",
    "parse_dcf_urn",
    "register",
    "seal_events",
]
