"""Over random clashing captures, the views' exhibits of the case are the loaded state's.

Random captures seize random references, copy one and may record it lost, and are attached
in random order. Whatever the order, the exhibit register built from the story (FORMAT §12.5)
treats as the case's exactly the references the case's loaded state holds (§12.7), each with
the state's status, and shows every reference held apart under its capture, never on the case's.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _captureworld import DETECTIVE, INTAKE, SCENE, T0, centre, device, open_case
from casefile.events import Investigation
from casefile.projections._held_apart import qualified

AT = T0 + 86_400 * 10**9
POOL = ("AB/1", "AB/2", "AB/3")


def _seize(case: Investigation, ref: str) -> None:
    case.seize_exhibit(
        exhibit=ref, place="Hallway", description="An item", power="s19", sha256=b"\x01" * 32
    )


def _work(capture: Investigation, refs: list[str], copy: bool, lose: bool) -> None:
    for ref in refs:
        _seize(capture, ref)
    if copy:
        capture.derive_exhibit(
            exhibit=refs[0],
            derived=refs[0] + "/A",
            place="Hallway",
            input_sha256=b"\x01" * 32,
            output_sha256=b"\x02" * 32,
            method="crop",
            purpose="disclosure",
            description="A copy",
        )
    if lose:
        capture.report_exhibit_lost(exhibit=refs[0], place="Hallway", circumstances="Dropped")


_stream = st.tuples(
    st.lists(st.sampled_from(POOL), min_size=1, max_size=2, unique=True),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    case_refs=st.lists(st.sampled_from(POOL), max_size=2, unique=True),
    streams=st.lists(_stream, min_size=1, max_size=3),
    data=st.data(),
)
def test_captures_attached_in_any_order_never_act_on_an_exhibit_the_case_holds(
    case_refs: list[str], streams: list[tuple[list[str], bool, bool, bool]], data: st.DataObject
) -> None:
    app = centre()
    case_id = open_case(app)
    if case_refs:
        with app.session(case_id, DETECTIVE) as case:
            for ref in case_refs:
                _seize(case, ref)
    packages: list[bytes] = []
    with tempfile.TemporaryDirectory() as folder:
        for i, (refs, copy, lose, split) in enumerate(streams):
            dev = device(Path(folder), f"tablet-{i}")
            stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
            if split:  # a second package extends the first: a later binding of the stream
                with dev.session(stream, SCENE) as capture:
                    _seize(capture, refs[0])
                packages.append(dev.capture_package(stream, signer=SCENE, name="pc-1001"))
                refs = refs[1:] or [refs[0] + "/B"]
            with dev.session(stream, SCENE) as capture:
                _work(capture, refs, copy, lose)
            packages.append(dev.capture_package(stream, signer=SCENE, name="pc-1001"))
            dev.close()
    for package in data.draw(st.permutations(packages)):
        app.attach_capture(package, signer=INTAKE, name="intake-0001")
    case = app.get_case(case_id)
    register = app.exhibit_register(case_id, at=AT)
    shown = {ex.reference: ex.status for ex in register.exhibits}
    apart = {qualified(r, s) for s, refs in case.captured_apart.items() for r in refs}
    assert {r: s for r, s in shown.items() if r not in apart} == {
        r: str(state.status) for r, state in case.custody.items()
    }
    assert apart <= set(shown)
    assert not [f for f in register.findings if f.kind == "duplicate_exhibit"]
