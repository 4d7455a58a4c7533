"""Fixtures for the investigation domain: fixed keys, a stepping clock, counted ids."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable

import pytest

from casefile.events import CommandContext, Custodian, Investigation
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import Holder, TrustEntry, TrustStore

T0 = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z
SECOND = 10**9


def signer_for(label: str) -> InMemorySigner:
    return InMemorySigner(hashlib.sha256(b"casefile-events-test:" + label.encode()).digest())


def entry(
    signer: InMemorySigner,
    name: str,
    roles: frozenset[str] = frozenset({"recorder"}),
    **window: int | None,
) -> TrustEntry:
    return TrustEntry(
        public_key=signer.public_key,
        name=name,
        holder=Holder(name=name, rank="PC", number="1234", force="Test Force"),
        roles=roles,
        valid_from=window.get("valid_from") or T0 - 86_400 * SECOND,
        valid_until=window.get("valid_until"),
        revoked_at=window.get("revoked_at"),
    )


def stepping_clock(start: int = T0, step: int = SECOND) -> Callable[[], int]:
    counter = itertools.count()
    return lambda: start + step * next(counter)


def counted_bytes() -> Callable[[int], bytes]:
    counter = itertools.count()

    def random_bytes(n: int) -> bytes:
        return hashlib.sha256(b"%d" % next(counter)).digest()[:n]

    return random_bytes


@pytest.fixture
def officer() -> InMemorySigner:
    return signer_for("officer")


@pytest.fixture
def trust(officer: InMemorySigner) -> TrustStore:
    return TrustStore([entry(officer, "officer")])


@pytest.fixture
def context() -> CommandContext:
    return CommandContext(clock=stepping_clock(), random_bytes=counted_bytes())


#: The holder of the ``officer`` key, as the person its records name.
OFFICER = Custodian(name="officer", number="1234", organisation="Test Force", rank="PC")


@pytest.fixture
def case(context: CommandContext) -> Investigation:
    opened = Investigation.open(
        reference="01YE1234526",
        offence="Theft from a person",
        channel="officer_mobile",
        context=context,
    )
    # As a session of the officer's key binds it: acts of others are on their behalf.
    opened.bind_actor(OFFICER)
    return opened
