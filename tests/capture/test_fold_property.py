"""Random captures naming random exhibits, attached in random order, never fork the case's state.

A model keeps each reference's first holder (the case, or the capture whose
attached records named it first); after every attach the case loads, every
reference the model gives a capture is in the case's state once, held by that
capture, and every later naming of it by another capture is held apart.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _captureworld import DETECTIVE, INTAKE, SCENE, T0, centre, device, open_case
from casefile.events import Investigation

POOL = ("AB/1", "AB/2", "AB/3", "AB/4")


def _record(case: Investigation, ref: str, seize: bool) -> None:
    if seize:
        case.seize_exhibit(exhibit=ref, place="Hallway", description="An item", power="s19")
        return
    case.capture_evidence(
        exhibit=ref,
        kind="photo",
        sha256=hashlib.sha256(ref.encode()).digest(),
        size=1,
        media_type="image/jpeg",
        device="camera",
        location="Hallway",
        captured_at=T0,
    )


_refs = st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True)
_streams = st.lists(st.tuples(_refs, st.integers(1, 3), st.booleans()), min_size=1, max_size=3)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    case_refs=st.lists(st.sampled_from(POOL), max_size=2, unique=True),
    streams=_streams,
    data=st.data(),
)
def test_random_captures_never_fork_an_exhibit_of_the_case(
    case_refs: list[str], streams: list[tuple[list[str], int, bool]], data: st.DataObject
) -> None:
    app = centre()
    case_id = open_case(app)
    if case_refs:
        with app.session(case_id, DETECTIVE) as case:
            for ref in case_refs:
                _record(case, ref, seize=True)
    holder: dict[str, object] = dict.fromkeys(case_refs, "case")
    # The record of the case where each reference joined: its own, or the binding.
    joined = {ref: seq for seq, ref in enumerate(case_refs, 2)}
    apart: dict[uuid.UUID, set[str]] = {}
    sent: dict[uuid.UUID, int] = {}
    packages: list[tuple[uuid.UUID, list[str], bytes]] = []
    with tempfile.TemporaryDirectory() as folder:
        for i, (refs, split, seize) in enumerate(streams):
            dev = device(Path(folder), f"tablet-{i}")
            stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
            recorded: list[str] = []
            for part in (refs[:split], refs[split:]):
                with dev.session(stream, SCENE) as capture:
                    for ref in part:
                        _record(capture, ref, seize)
                recorded += part
                package = dev.capture_package(stream, signer=SCENE, name="pc-1001")
                packages.append((stream, list(recorded), package))
            dev.close()
    order = data.draw(st.permutations(packages))
    for stream, refs, package in order:
        receipt = app.attach_capture(package, signer=INTAKE, name="intake-0001")
        new = refs[sent.get(stream, 0) :]
        sent[stream] = max(sent.get(stream, 0), len(refs))
        for ref in new:
            if ref in holder:
                apart.setdefault(stream, set()).add(ref)
            else:
                holder[ref] = stream
                joined[ref] = receipt.seq
        flagged = [seq for kind, seq in receipt.findings if kind == "exhibit_reference_in_use"]
        # One finding per reference held apart, in the attach that first sent it.
        assert len(flagged) == len(apart.get(stream, ()))
        case = app.get_case(case_id)
        assert sorted(case.custody) == sorted(holder)
        assert dict(case.captured_exhibits) == {
            ref: who for ref, who in holder.items() if who != "case"
        }
        assert dict(case.captured_apart) == {s: frozenset(r) for s, r in apart.items()}
        # Nothing after its first holder touched it: no capture wrote over it.
        assert {ref: (s.seq, s.last_seq) for ref, s in case.custody.items()} == {
            ref: (seq, seq) for ref, seq in joined.items()
        }
    app.verify(case_id)
