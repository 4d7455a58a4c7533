"""The casefile application: officers' commands over signed case records, in a chosen store.

Typical use::

    app = CasefileApp(store=StoreConfig.sqlite("cases.sqlite"), trust=trust)
    case_id = app.open_case(officer, offence="theft", channel="online", reference="01YE1234526")
    with app.session(case_id, officer) as case:
        victim = case.add_person(role="victim", name="...")
        case.add_note(text="Victim visited at home.")
    verified = app.verify(case_id)
    same = app.find_case("01YE1234526")          # the case index: by reference,
    open_cases = app.case_summaries(status="under_investigation")  # or filtered
"""

from casefile.application._app import CasefileApp
from casefile.application._config import Backend, StoreConfig
from casefile.application._index import CaseSummary
from casefile.application._recorders import CaseRecorder, DisclosureRow

__all__ = ["Backend", "CaseRecorder", "CaseSummary", "CasefileApp", "DisclosureRow", "StoreConfig"]
