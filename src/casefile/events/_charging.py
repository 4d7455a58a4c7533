"""Charging: the police ask a prosecutor for a charging decision (MG3), the prosecutor decides.

A ``charging.requested`` record names the alleged offences (by seq) it asks
about and the test to apply; none may be charged already or await a decision
on another request. A ``charging.decided`` record answers one request once,
signed by a key with the role ``prosecutor`` under the default policy
(FORMAT.md §7.1.3): to charge some of its offences, to take no further
action, to gather further evidence (with an action plan), or an out-of-court
disposal. A decision is never corrected: the police ask again and the
prosecutor decides again.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from casefile.errors import InvalidCommandError, UnknownReferenceError
from casefile.events._base import CaseEvent
from casefile.events._correction_checks import (
    CorrectionCheck,
    check_long,
    check_long_maybe_empty,
    choice_of,
)
from casefile.events._custody_values import Custodian
from casefile.events._offences import OffenceCommands
from casefile.events._registry import register
from casefile.events._values import MAX_LONG_TEXT, Instant, check_choice, check_text

if TYPE_CHECKING:
    from casefile.events._investigation import Investigation

__all__ = [
    "ChargingCommands",
    "ChargingDecided",
    "ChargingDecision",
    "ChargingOutcome",
    "ChargingRequest",
    "ChargingRequested",
    "ChargingTest",
]


class ChargingTest(StrEnum):
    """The Code for Crown Prosecutors test a charging decision applies."""

    FULL_CODE = "full_code"
    THRESHOLD = "threshold"


class ChargingOutcome(StrEnum):
    """What a prosecutor decided on a request."""

    CHARGE = "charge"
    NO_FURTHER_ACTION = "no_further_action"
    FURTHER_EVIDENCE = "further_evidence"
    OUT_OF_COURT_DISPOSAL = "out_of_court_disposal"


@dataclass(frozen=True, slots=True)
class ChargingRequest:
    """A request of record ``seq`` about ``offences``; ``decided`` is its decision's seq or None."""

    seq: int
    offences: tuple[int, ...]
    test: str
    decided: int | None = None


@dataclass(frozen=True, slots=True)
class ChargingDecision:
    """The decision of record ``seq`` on request ``request``: ``offences`` are those to charge."""

    seq: int
    request: int
    outcome: str
    test: str
    offences: tuple[int, ...]


def _check_offence_list(value: object, field: str) -> list[int]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidCommandError(field, "expected a list of offences (seqs of offence.alleged)")
    offences = list(value)
    if len(set(offences)) != len(offences):
        raise InvalidCommandError(field, "an offence is named twice")
    return offences


@register
class ChargingRequested(CaseEvent):
    """A request for a charging decision on ``offences`` under ``test`` (MG3).

    ``summary`` (the officer's summary for the prosecutor) and ``questions`` are texts.
    """

    TYPE = "charging.requested"
    LIST_FIELDS = ("offences",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"summary", "questions"})
    KEY_FIELDS: ClassVar[frozenset[str]] = frozenset({"offences", "by", "recorded_by"})
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {
        "test": choice_of(ChargingTest),
        "summary": check_long,
        "questions": check_long_maybe_empty,
    }

    offences: tuple[int, ...]
    test: str
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    summary: str
    questions: str

    def apply(self, aggregate: Investigation) -> None:
        aggregate._check_requestable(self.offences)
        seq = self.originator_version
        aggregate._charging_requests[seq] = ChargingRequest(seq, self.offences, self.test)

    @classmethod
    def apply_correction(cls, aggregate: Any, seq: int, fields: Mapping[str, Any]) -> None:
        if "test" in fields:
            request = aggregate._charging_requests[seq]
            aggregate._charging_requests[seq] = ChargingRequest(
                seq, request.offences, fields["test"], request.decided
            )


@register
class ChargingDecided(CaseEvent):
    """A prosecutor's decision on request ``request``; ``reasons`` and ``action_plan`` are texts."""

    TYPE = "charging.decided"
    LIST_FIELDS = ("offences",)
    TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset({"reasons", "action_plan"})
    # A prosecutor's decision is theirs alone: a correction (a recorder's record) never
    # changes it; a further request gets a further decision.
    CORRECTION_CHECKS: ClassVar[Mapping[str, CorrectionCheck]] = {}

    request: int
    outcome: str
    test: str
    offences: tuple[int, ...]
    by: dict[str, str]
    recorded_by: dict[str, str] | None
    reasons: str
    action_plan: str

    def apply(self, aggregate: Investigation) -> None:
        # The command's rules, again, so that an authentic record breaking them is refused
        # on load: one decision per request, charging only offences the request named.
        request = aggregate._charging_requests[self.request]
        if request.decided is not None:
            raise ValueError(
                f"request {self.request} was decided already (record {request.decided})"
            )
        for offence in self.offences:
            if offence not in request.offences:
                raise ValueError(f"offence {offence} is not one of request {self.request}'s")
        seq = self.originator_version
        aggregate._charging_decisions[seq] = ChargingDecision(
            seq, self.request, self.outcome, self.test, self.offences
        )
        aggregate._charging_requests[self.request] = ChargingRequest(
            request.seq, request.offences, request.test, seq
        )

    @classmethod
    def check_correction(cls, fields: Mapping[str, Any]) -> None:
        for name in fields:
            raise InvalidCommandError(
                f"fields.{name}",
                "a charging decision is never corrected: request a decision again",
            )


class ChargingCommands(OffenceCommands):
    """Requesting charging decisions and recording the prosecutor's decisions."""

    _charging_requests: dict[int, ChargingRequest]

    def _init_state(self) -> None:
        super()._init_state()
        self._charging_requests = {}
        self._charging_decisions = {}

    @property
    def charging_requests(self) -> Mapping[int, ChargingRequest]:
        """The requests for a charging decision, by the seq of their record."""
        return types.MappingProxyType(self._charging_requests)

    @property
    def charging_decisions(self) -> Mapping[int, ChargingDecision]:
        """The prosecutors' charging decisions, by the seq of their record."""
        return types.MappingProxyType(self._charging_decisions)

    def request_charging_decision(
        self,
        *,
        offences: Iterable[int],
        test: ChargingTest | str,
        summary: str,
        questions: str = "",
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Ask a prosecutor to decide on ``offences`` (seqs of offence.alleged); returns the seq."""
        self._require_open()
        asked = _check_offence_list(offences, "offences")
        self._check_requestable(asked)
        fields = {
            "offences": tuple(asked),
            "test": check_choice(ChargingTest, test, "test"),
            "summary": check_text(summary, "summary", max_length=MAX_LONG_TEXT),
            "questions": check_text(
                questions, "questions", max_length=MAX_LONG_TEXT, allow_empty=True
            ),
            **self._acting(by)[1],
        }
        return self._record(ChargingRequested, at, fields)

    def _check_requestable(self, asked: Iterable[int]) -> None:
        """Refuse a request naming no offence, or one not alleged, charged or awaiting a decision.

        The command checks it, and loading again (an authentic record breaking it is refused).
        """
        asked = list(asked)
        if not asked:
            raise InvalidCommandError("offences", "name at least one offence")
        awaiting = {
            offence: request.seq
            for request in self._charging_requests.values()
            if request.decided is None
            for offence in request.offences
        }
        for offence in asked:
            alleged = self._require_offence(offence, "offences")
            if alleged.charged is not None:
                raise InvalidCommandError(
                    "offences", f"offence {offence} was charged already (record {alleged.charged})"
                )
            if offence in awaiting:
                raise InvalidCommandError(
                    "offences",
                    f"offence {offence} awaits a decision on request {awaiting[offence]}",
                )

    def record_charging_decision(
        self,
        *,
        request: int,
        outcome: ChargingOutcome | str,
        test: ChargingTest | str,
        reasons: str,
        offences: Iterable[int] = (),
        action_plan: str = "",
        by: Custodian | None = None,
        at: Instant | None = None,
    ) -> int:
        """Record a prosecutor's decision on ``request``; returns the seq.

        ``offences`` are those to charge: at least one, each of the request's,
        exactly when ``outcome`` is ``charge``. ``further_evidence`` needs an
        ``action_plan``. Sealing needs a key with the role ``prosecutor``
        under the default policy.
        """
        self._require_open()
        asked = self._charging_requests.get(request) if type(request) is int else None
        if asked is None:
            raise UnknownReferenceError(
                f"record {request!r} is not a charging.requested record of case {self._id}",
                field="request",
            )
        if asked.decided is not None:
            raise InvalidCommandError(
                "request", f"request {request} was decided already (record {asked.decided})"
            )
        result = check_choice(ChargingOutcome, outcome, "outcome")
        charged = _check_offence_list(offences, "offences")
        if result == ChargingOutcome.CHARGE and not charged:
            raise InvalidCommandError("offences", "a decision to charge names the offences")
        if result != ChargingOutcome.CHARGE and charged:
            raise InvalidCommandError("offences", f"a decision of {result!r} charges no offence")
        for offence in charged:
            if offence not in asked.offences:
                raise InvalidCommandError(
                    "offences", f"offence {offence!r} is not one of request {request}'s"
                )
        plan = check_text(action_plan, "action_plan", max_length=MAX_LONG_TEXT, allow_empty=True)
        if result == ChargingOutcome.FURTHER_EVIDENCE and not plan:
            raise InvalidCommandError("action_plan", "a decision for further evidence needs one")
        fields = {
            "request": request,
            "outcome": result,
            "test": check_choice(ChargingTest, test, "test"),
            "offences": tuple(charged),
            "reasons": check_text(reasons, "reasons", max_length=MAX_LONG_TEXT),
            "action_plan": plan,
            **self._acting(by)[1],
        }
        return self._record(ChargingDecided, at, fields)
