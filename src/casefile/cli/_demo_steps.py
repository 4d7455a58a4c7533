"""A demo scenario as data: steps naming who signs, when, which command, with which arguments.

A scenario is a tuple of :class:`Step`. Consecutive steps signed by the same
key are recorded in one session (one transaction, as one device would save
them). Arguments known only as the case is recorded are placeholders
resolved just before the command runs: :class:`Kept` (the result of an
earlier step, or a value the scenario was given), :class:`SeqOf` (the record
that introduced a kept statement, or an exhibit by reference), :class:`EvidenceOf`
(those of several such records that are evidence of the case itself), :class:`HashOf`
(an exhibit's SHA-256), :class:`At` (a time, in minutes after the scenario's
start) and :class:`Build` (a value object made of them). The commands are the
:class:`~casefile.events.Investigation` methods of that name; a step may also
name one of the runner's ``helpers`` (small functions for what is more than
one command, such as storing a file).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from casefile.application import CasefileApp
    from casefile.events import Investigation
    from casefile.signing import Signer

__all__ = [
    "At",
    "Build",
    "EvidenceOf",
    "HashOf",
    "Helper",
    "Kept",
    "Recorded",
    "SeqOf",
    "Step",
    "run_steps",
]

_MINUTE: Final = 60 * 10**9

#: A helper step: called with the case, the scenario's time of the step and its arguments.
Helper = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Kept:
    """The value kept under ``name`` (an earlier step's result, or given to the runner)."""

    name: str


@dataclass(frozen=True, slots=True)
class SeqOf:
    """The sequence number of the record that introduced a kept statement or an exhibit."""

    name: str


@dataclass(frozen=True, slots=True)
class EvidenceOf:
    """The records named (as :class:`SeqOf` names them) that are evidence records of the case
    itself, in order: a point to prove cites only those (FORMAT.md §10.4). A name neither kept
    nor an exhibit (a statement taken on a device), or whose record in the case is not evidence
    (an exhibit a capture brought in, known by its binding), is left out."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HashOf:
    """The SHA-256 of the exhibit with this reference, as its capture recorded it."""

    exhibit: str


@dataclass(frozen=True, slots=True)
class At:
    """A time: ``minutes`` after the scenario's start (negative: before it)."""

    minutes: int


@dataclass(frozen=True, slots=True)
class Build:
    """A value object of the domain (a point to prove), made once its arguments are known."""

    factory: Callable[..., object]
    args: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Step:
    """One command: who signs it, when (minutes after the start), what, and what to keep."""

    signer: str
    minutes: int
    command: str
    args: Mapping[str, object]
    keep: str = ""


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a scenario recorded: how many records each signer signed, in how many saves."""

    signed: Mapping[str, int]
    saves: int


def _resolve(value: object, case: Investigation, kept: Mapping[str, object], start: int) -> Any:
    if isinstance(value, Kept):
        return kept[value.name]
    if isinstance(value, At):
        return start + value.minutes * _MINUTE
    if isinstance(value, HashOf):
        return case.exhibits[value.exhibit].sha256
    if isinstance(value, SeqOf):
        target = kept.get(value.name, value.name)
        if isinstance(target, uuid.UUID):
            return case.statements[target].seq
        if isinstance(target, int):
            return target
        return case.exhibits[str(target)].seq
    if isinstance(value, EvidenceOf):
        return tuple(seq for seq in _named_seqs(value.names, case, kept) if _is_evidence(case, seq))
    if isinstance(value, tuple | list):
        return tuple(_resolve(v, case, kept, start) for v in value)
    if isinstance(value, Build):
        return value.factory(**{k: _resolve(v, case, kept, start) for k, v in value.args.items()})
    return value


def _named_seqs(
    names: Sequence[str], case: Investigation, kept: Mapping[str, object]
) -> Iterator[int]:
    for name in names:
        if name in kept:
            yield _resolve(SeqOf(name), case, kept, 0)
        elif name in case.exhibits:
            yield case.exhibits[name].seq


def _is_evidence(case: Investigation, seq: int) -> bool:
    from casefile.events import EVIDENCE_TYPES

    return case.record_type(seq).TYPE in EVIDENCE_TYPES


def run_steps(
    app: CasefileApp,
    case_id: uuid.UUID,
    steps: Sequence[Step],
    *,
    signers: Mapping[str, Signer],
    start: int,
    kept: MutableMapping[str, object],
    helpers: Mapping[str, Helper] | None = None,
) -> Recorded:
    """Record ``steps`` in order, one save per run of steps by the same signer.

    ``kept`` holds the values the steps refer to, and receives each kept result.
    """
    helpers = helpers or {}
    counts: dict[str, int] = {}
    saves = 0
    for signer, group in itertools.groupby(steps, key=lambda step: step.signer):
        with app.session(case_id, signers[signer]) as case:
            for step in group:
                args = {k: _resolve(v, case, kept, start) for k, v in step.args.items()}
                when = start + step.minutes * _MINUTE
                helper = helpers.get(step.command)
                if helper is not None:
                    result = helper(case, when, **args)
                else:
                    result = getattr(case, step.command)(**args, at=when)
                if step.keep:
                    kept[step.keep] = result
            counts[signer] = counts.get(signer, 0) + len(case.pending_events)
        saves += 1
    return Recorded(counts, saves)
