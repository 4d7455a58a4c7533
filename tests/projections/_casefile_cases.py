"""Cases for the case-file tests: verified through the application, or as records read.

``verified_case`` stores a case through :class:`CasefileApp` and verifies it, so the
case file reads real :class:`~casefile.verifier.VerifiedRecord` values with their
disclosed names and texts. ``Views`` writes records of any type directly as a
verifier hands them over (texts already read), with the personal values of each
record apart, for the case file's own reading of each form.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from casefile.application import CasefileApp, StoreConfig
from casefile.events import Investigation
from casefile.projections import RecordView
from casefile.signing import Holder, InMemorySigner, TrustEntry, TrustStore
from casefile.verifier import VerifiedCase, verify_case

T0 = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z
SECOND = 10**9
DAY = 86_400 * SECOND


def signer(label: str) -> InMemorySigner:
    return InMemorySigner(hashlib.sha256(b"casefile-case-file-test:" + label.encode()).digest())


OFFICER = signer("officer")
PROSECUTOR = signer("prosecutor")


def _entry(key: InMemorySigner, name: str, holder: Holder, roles: set[str]) -> TrustEntry:
    return TrustEntry(
        public_key=key.public_key,
        name=name,
        holder=holder,
        roles=frozenset(roles),
        valid_from=T0 - DAY,
    )


OFFICER_HOLDER = Holder("Jane Smith", "PC", "1234", "Test Police")
PROSECUTOR_HOLDER = Holder("Paul Reed", "Crown Prosecutor", "CPS-9", "Crown Prosecution Service")
OFFICER_ENTRY = _entry(OFFICER, "test.police.uk/pc-1234", OFFICER_HOLDER, {"recorder"})
PROSECUTOR_ENTRY = _entry(
    PROSECUTOR, "cps.example/paul-reed", PROSECUTOR_HOLDER, {"prosecutor", "recorder"}
)
TRUST = TrustStore([OFFICER_ENTRY, PROSECUTOR_ENTRY])


def new_app() -> CasefileApp:
    ticks = itertools.count()
    return CasefileApp(
        store=StoreConfig.memory(), trust=TRUST, clock=lambda: T0 + SECOND * next(ticks)
    )


def verified_case(
    build: Callable[[Investigation], Any], *, reference: str = "01YE1234526"
) -> VerifiedCase:
    """A case opened and built by ``build`` in one session, stored and verified."""
    app = new_app()
    with app.open_session(
        OFFICER, offence="Burglary", channel="phone", reference=reference
    ) as case:
        build(case)
        case_id = case.id
    return verify_case(
        app.records(case_id), trust=TRUST, at=app.now(), disclosures=app.disclosures(case_id)
    )


def party(name: str = "Jane Smith", number: str = "1234", rank: str = "PC") -> dict[str, str]:
    return {"name": name, "number": number, "organisation": "Test Police", "rank": rank, "role": ""}


def pid(n: int) -> bytes:
    return uuid.UUID(int=n).bytes


@dataclass
class Views:
    """Records of a case as read (texts in ``data``), written one after another."""

    views: list[RecordView] = field(default_factory=list)
    personal: dict[int, dict[str, Any]] = field(default_factory=dict)
    time_ns: int = T0

    def add(
        self,
        event_type: str,
        data: dict[str, Any],
        *,
        personal: dict[str, Any] | None = None,
        signer: TrustEntry | None = None,
        schema: int = 1,
    ) -> int:
        seq = len(self.views) + 1
        self.time_ns += 60 * SECOND
        self.views.append(RecordView(event_type, seq, self.time_ns, data, signer, schema))
        if personal is not None:
            self.personal[seq] = personal
        return seq

    def acted(self, event_type: str, data: dict[str, Any], **kwargs: Any) -> int:
        """A record that names who acted: ``by`` the officer, ``recorded_by`` none."""
        return self.add(event_type, {"by": party(), "recorded_by": None, **data}, **kwargs)

    def __iter__(self) -> Iterator[RecordView]:
        return iter(self.views)


def opened(views: Views, kind: str = "crime") -> int:
    if kind == "crime":
        data: dict[str, Any] = {
            "reference": "01YE1234526",
            "offence": "Burglary",
            "channel": "phone",
        }
        return views.add("case.opened", data, signer=OFFICER_ENTRY)
    data = {"reference": "01YE1234526", "kind": kind, "offence": None, "channel": "phone"}
    return views.add("case.opened", data, signer=OFFICER_ENTRY, schema=2)
