"""The casefile application: officers' commands over signed case records, in a chosen store.

Typical use::

    app = CasefileApp(store=StoreConfig.sqlite("cases.sqlite"), trust=trust)
    case_id = app.open_case(officer, offence="theft", channel="online", reference="01YE1234526")
    with app.session(case_id, officer) as case:
        victim = case.add_person(role="victim", name="...")
        case.add_note(text="Victim visited at home.")
    verified = app.verify(case_id)           # every record, verified: feed the projections
    register = build_exhibit_register(verified.records, as_of=now)
    handed = app.export_bundle(case_id, "handover.zip", zip=True,
                               checkpoint_signer=service, checkpoint_name=service_name)
"""

from casefile.application._app import CasefileApp
from casefile.application._config import Backend, StoreConfig
from casefile.application._export import EvidenceFinder, ExportResult, exhibit_hashes
from casefile.application._recorders import CaseRecorder, DisclosureRow

__all__ = [
    "Backend",
    "CaseRecorder",
    "CasefileApp",
    "DisclosureRow",
    "EvidenceFinder",
    "ExportResult",
    "StoreConfig",
    "exhibit_hashes",
]
