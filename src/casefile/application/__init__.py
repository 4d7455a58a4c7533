"""The casefile application: officers' commands over signed case records, in a chosen store.

Typical use, with an officer's key and a checkpoint key that the trust store names:

>>> import datetime, pathlib, tempfile
>>> from casefile.application import CasefileApp, StoreConfig
>>> from casefile.projections import build_exhibit_register, records_as_read
>>> from casefile.signing import Holder, InMemorySigner, TrustEntry, TrustStore
>>> officer, service = InMemorySigner.generate(), InMemorySigner.generate()
>>> def entry(key, name, role):
...     holder = Holder(name, "PC", "1", "Example Police")
...     return TrustEntry(public_key=key.public_key, name=name, holder=holder,
...                       roles=frozenset({role}), valid_from=1_767_225_600 * 10**9)
>>> trust = TrustStore([entry(officer, "force.example/pc-1", "recorder"),
...                     entry(service, "force.example/checkpoint", "checkpoint")])
>>> app = CasefileApp(store=StoreConfig.memory(), trust=trust)
>>> case_id = app.open_case(officer, offence="theft", channel="online", reference="01YE1234526")
>>> with app.session(case_id, officer) as case:
...     victim = case.add_person(role="victim", name="A Victim")
...     seq = case.add_note(text="Victim visited at home.",
...                         at=datetime.datetime.now(datetime.UTC))
>>> verified = app.verify(case_id)  # every record verified, ready for the projections
>>> (verified.size, len(verified.records))
(3, 3)
>>> build_exhibit_register(records_as_read(verified.records), as_of=app.now()).exhibits
()
>>> with tempfile.TemporaryDirectory() as folder:
...     handed = app.export_bundle(case_id, pathlib.Path(folder) / "case.zip", zip=True,
...                                checkpoint_signer=service,
...                                checkpoint_name="force.example/checkpoint")
>>> handed.verification.verified
True
"""

from casefile.application._app import CasefileApp
from casefile.application._casefile import VerifiedCaseFile
from casefile.application._config import Backend, StoreConfig
from casefile.application._device import DeviceApp
from casefile.application._export import ExportResult
from casefile.application._export_evidence import EvidenceFinder, exhibit_hashes
from casefile.application._index import CaseSummary
from casefile.application._pdf import CHECKPOINT_ROOT_KEY, print_pdf
from casefile.application._recorders import CaseRecorder, DisclosureRow
from casefile.application._redaction_plan import PlannedRun, RedactionPlan
from casefile.application._redactions import FieldView, RedactionResult, WithheldRun
from casefile.application._tsa import TimestampAuthority, Transport, request_timestamp
from casefile.bundle import AttachReceipt
from casefile.projections import CaseFile

__all__ = [
    "CHECKPOINT_ROOT_KEY",
    "AttachReceipt",
    "Backend",
    "CaseFile",
    "CaseRecorder",
    "CaseSummary",
    "CasefileApp",
    "DeviceApp",
    "DisclosureRow",
    "EvidenceFinder",
    "ExportResult",
    "FieldView",
    "PlannedRun",
    "RedactionPlan",
    "RedactionResult",
    "StoreConfig",
    "TimestampAuthority",
    "Transport",
    "VerifiedCaseFile",
    "WithheldRun",
    "exhibit_hashes",
    "print_pdf",
    "request_timestamp",
]
