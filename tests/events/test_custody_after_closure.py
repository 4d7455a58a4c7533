"""Exhibits outlive their case: what custody may still be recorded once a case is closed.

A closed case keeps its exhibits in the property store until they are returned
or destroyed, reviewed for retention meanwhile, their files checked for fixity,
and a loss or damage found in the store is a fact to record. None of that
reopens the investigation; any other work on an exhibit does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from _custody_sequences import sha
from casefile.errors import CaseClosedError, ExhibitDisposedError, NotCustodianError
from casefile.events import EVENT_TYPES, Investigation, load_investigation, seal_events
from casefile.events._custody_values import Custodian, ExhibitStatus
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import TrustStore
from events.conftest import counted_bytes

PC = Custodian(name="Jane Smith", number="1234", organisation="Test Police", rank="PC")
DC = Custodian(name="Raj Patel", number="5678", organisation="Test Police", rank="DC")
STORE = Custodian(name="Central Store", number="PS-1", organisation="Test Police")


def _in_store(case: Investigation, ref: str, seal: str) -> None:
    case.seize_exhibit(
        exhibit=ref,
        by=PC,
        place="12 High Street",
        description="Phone",
        power="PACE s.19",
        sha256=sha(ref),
    )
    case.package_exhibit(exhibit=ref, by=PC, place="Scene", bag="B-" + seal, seal=seal)
    case.book_exhibit(exhibit=ref, by=PC, to=STORE, place="Store", property_ref="P-" + ref)


@pytest.fixture
def closed(case: Investigation) -> Investigation:
    """A closed case with three exhibits in the property store (JS/3's seal opened)."""
    _in_store(case, "JS/1", "S1")
    _in_store(case, "JS/2", "S2")
    _in_store(case, "JS/3", "S3")
    case.open_seal(exhibit="JS/3", by=STORE, place="Store", seal="S3", reason="Inspection")
    case.change_status(status="closed", reason="Convicted; appeal period over")
    return case


# Work that ends an exhibit's life, or keeps watch over it while it waits.
_AFTER_CLOSURE: dict[str, Callable[[Investigation], int]] = {
    "review_retention": lambda c: c.review_retention(
        exhibit="JS/1", by=STORE, place="Store", decision="destroy", reason="Case closed"
    ),
    "check_fixity": lambda c: c.check_fixity(
        exhibit="JS/1", by=STORE, place="Store", actual_sha256=sha("JS/1")
    ),
    "return_exhibit": lambda c: c.return_exhibit(exhibit="JS/1", by=STORE, place="Front counter"),
    "destroy_exhibit": lambda c: c.destroy_exhibit(
        exhibit="JS/1",
        by=STORE,
        place="Incinerator",
        method="Incineration",
        authority="Retention policy",
        witness=DC,
    ),
    "report_exhibit_lost": lambda c: c.report_exhibit_lost(
        exhibit="JS/1", by=STORE, place="Store", circumstances="Not on its shelf at audit"
    ),
    "report_exhibit_damaged": lambda c: c.report_exhibit_damaged(
        exhibit="JS/1", by=STORE, place="Store", damage="Water damage from a leak"
    ),
}

# Investigative work: it needs the case reopened.
_NEEDS_REOPENING: dict[str, Callable[[Investigation], Any]] = {
    "locate_exhibit": lambda c: c.locate_exhibit(
        exhibit="JS/9", by=PC, place="x", description="Knife"
    ),
    "seize_exhibit": lambda c: c.seize_exhibit(
        exhibit="JS/9", by=PC, place="x", description="Knife", power="PACE s.19"
    ),
    "receive_exhibit": lambda c: c.receive_exhibit(
        exhibit="JS/9", by=PC, place="x", description="USB stick"
    ),
    "package_exhibit": lambda c: c.package_exhibit(
        exhibit="JS/3", by=STORE, place="x", bag="B9", seal="S9"
    ),
    "book_exhibit": lambda c: c.book_exhibit(
        exhibit="JS/1", by=STORE, to=PC, place="x", property_ref="P9"
    ),
    "transfer_exhibit": lambda c: c.transfer_exhibit(
        exhibit="JS/1", by=STORE, to=PC, place="x", purpose="Re-examination"
    ),
    "open_seal": lambda c: c.open_seal(exhibit="JS/1", by=STORE, place="x", seal="S1", reason="r"),
    "reseal_exhibit": lambda c: c.reseal_exhibit(
        exhibit="JS/3", by=STORE, place="x", old_seal="S3", new_seal="S9", bag="B9"
    ),
    "examine_exhibit": lambda c: c.examine_exhibit(
        exhibit="JS/3", by=STORE, place="x", lab="L", method="m"
    ),
    "image_exhibit": lambda c: c.image_exhibit(
        exhibit="JS/3",
        by=STORE,
        place="x",
        derived="JS/3/A",
        source_sha256=sha("JS/3"),
        output_sha256=sha("copy"),
        tool="dd",
        description="image",
    ),
    "derive_exhibit": lambda c: c.derive_exhibit(
        exhibit="JS/1",
        by=STORE,
        place="x",
        derived="JS/1/R",
        input_sha256=sha("JS/1"),
        output_sha256=sha("redacted"),
        method="blur",
        purpose="disclosure",
        description="redacted",
    ),
    "access_exhibit": lambda c: c.access_exhibit(exhibit="JS/1", by=DC, place="x", purpose="p"),
    "disclose_exhibit": lambda c: c.disclose_exhibit(
        exhibit="JS/1", by=DC, place="x", recipient="Defence"
    ),
    "produce_in_court": lambda c: c.produce_in_court(
        exhibit="JS/1", by=STORE, place="x", court="Crown Court"
    ),
}


@pytest.mark.parametrize("command", sorted(_AFTER_CLOSURE))
def test_a_closed_case_still_records_the_end_of_its_exhibits(
    closed: Investigation, command: str
) -> None:
    version = closed.version
    assert _AFTER_CLOSURE[command](closed) == version + 1
    assert closed.is_closed


@pytest.mark.parametrize("command", sorted(_NEEDS_REOPENING))
def test_investigative_custody_work_on_a_closed_case_needs_a_reopening(
    closed: Investigation, command: str
) -> None:
    version = closed.version
    with pytest.raises(CaseClosedError, match="reopen"):
        _NEEDS_REOPENING[command](closed)
    assert closed.version == version
    closed.change_status(status="reopened", reason="Review")
    _NEEDS_REOPENING[command](closed)
    assert closed.version == version + 2


def test_custody_rules_still_hold_after_closure(closed: Investigation) -> None:
    # Closure relaxes which records may be written, never who may write them.
    with pytest.raises(NotCustodianError):
        closed.return_exhibit(exhibit="JS/1", by=PC, place="Front counter")
    closed.destroy_exhibit(
        exhibit="JS/1",
        by=STORE,
        place="Incinerator",
        method="Incineration",
        authority="Retention policy",
        witness=DC,
    )
    with pytest.raises(ExhibitDisposedError):
        closed.review_retention(exhibit="JS/1", by=STORE, place="x", decision="retain", reason="r")


def test_a_correction_on_a_closed_case_still_needs_a_reopening(closed: Investigation) -> None:
    seq = closed.review_retention(
        exhibit="JS/1", by=STORE, place="Store", decision="retain", reason="Appeal pending"
    )
    with pytest.raises(CaseClosedError):
        closed.correct(seq=seq, reason="Typo", fields={"place": "Store 2"})


def test_exhibits_disposed_of_after_closure_load_back_from_the_records(
    closed: Investigation, officer: InMemorySigner, trust: TrustStore
) -> None:
    closed.return_exhibit(exhibit="JS/1", by=STORE, place="Front counter")
    closed.review_retention(exhibit="JS/2", by=STORE, place="Store", decision="destroy", reason="r")
    closed.destroy_exhibit(
        exhibit="JS/2", by=STORE, place="Incinerator", method="m", authority="a", witness=DC
    )
    batch = seal_events(
        closed,
        list(closed.pending_events),  # type: ignore[arg-type]
        officer,
        trust=trust,
        random_bytes=counted_bytes(),
    )
    loaded = load_investigation(closed.id, batch.stored_events, trust, registry=EVENT_TYPES)
    assert loaded.is_closed
    assert loaded.custody == closed.custody
    assert loaded.custody_of("JS/1").status == ExhibitStatus.RETURNED
    assert loaded.custody_of("JS/2").status == ExhibitStatus.DESTROYED
