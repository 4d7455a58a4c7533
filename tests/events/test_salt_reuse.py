"""The writer refuses to seal records whose commitments would repeat (FORMAT.md §4, V14)."""

from __future__ import annotations

import pytest

from casefile.events import Investigation, seal_events
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
    with pytest.raises(ValueError, match="repeated a salt"):
        seal_events(
            case, list(case.pending_events), officer, trust=trust, random_bytes=lambda n: b"s" * n
        )
