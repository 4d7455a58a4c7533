"""The writer refuses to seal records whose commitments would repeat (FORMAT.md §4, V14)."""

from __future__ import annotations

import pytest

from casefile.errors import RepeatedSaltError
from casefile.events import Investigation, load_investigation, seal_events
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import TrustStore
from events.conftest import T0


def test_a_stuck_salt_source_is_refused_before_anything_is_sealed(
    officer: InMemorySigner, trust: TrustStore
) -> None:
    case = Investigation.open(reference="R1", offence="Theft", channel="online", at=T0)
    # The same person twice: with the same salt both records would carry the
    # same commitment, telling any reader that the two withheld names are equal.
    case.add_person(role="victim", name="Ann Example", at=T0 + 1)
    case.add_person(role="witness", name="Ann Example", at=T0 + 2)
    with pytest.raises(RepeatedSaltError, match="repeated a salt"):
        seal_events(
            case, list(case.pending_events), officer, trust=trust, random_bytes=lambda n: b"s" * n
        )


def _stuck(n: int) -> bytes:
    return b"s" * n


def test_a_stuck_salt_source_is_refused_across_saves_of_a_loaded_case(
    officer: InMemorySigner, trust: TrustStore
) -> None:
    # Two saves, each alone free of repeats: the second must still not repeat a
    # commitment the first stored, however the case was reloaded in between.
    case = Investigation.open(reference="R1", offence="Theft", channel="online", at=T0)
    case.add_person(role="victim", name="Ann Example", at=T0 + 1)
    first = seal_events(case, list(case.pending_events), officer, trust=trust, random_bytes=_stuck)
    loaded = load_investigation(case.id, first.stored_events, trust)
    loaded.add_person(role="witness", name="Ann Example", at=T0 + 2)
    with pytest.raises(RepeatedSaltError, match="repeated a salt"):
        seal_events(loaded, list(loaded.pending_events), officer, trust=trust, random_bytes=_stuck)


def test_a_stuck_salt_source_is_refused_across_saves_of_one_session(
    officer: InMemorySigner, trust: TrustStore
) -> None:
    case = Investigation.open(reference="R1", offence="Theft", channel="online", at=T0)
    case.add_person(role="victim", name="Ann Example", at=T0 + 1)
    first = seal_events(case, list(case.pending_events), officer, trust=trust, random_bytes=_stuck)
    case.collect_events()
    case.mark_sealed(first.last_seq, first.head, first.commitments)
    case.add_person(role="witness", name="Ann Example", at=T0 + 2)
    with pytest.raises(RepeatedSaltError, match="repeated a salt"):
        seal_events(case, list(case.pending_events), officer, trust=trust, random_bytes=_stuck)
