"""Attaching maps the records A1 verified to the chain a load would authenticate: the same one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _captureworld import SCENE, TRUST, device
from casefile.errors import UnknownSchemaError
from casefile.events import EVENT_TYPES, EventRegistry, authenticate_chain
from casefile.events._chain import chain_of_verified
from casefile.verifier import payload_schemas, verify_case

_STEP = st.one_of(
    st.tuples(st.just("note"), st.text(min_size=1, max_size=40)),
    st.tuples(st.just("person"), st.sampled_from(["witness", "victim"])),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(_STEP, min_size=0, max_size=8))
def test_the_chain_from_verified_records_is_the_chain_a_load_authenticates(
    tmp_path_factory: object, steps: list[tuple[str, str]]
) -> None:
    folder = Path(tmp_path_factory.mktemp("dev"))  # type: ignore[attr-defined]
    dev = device(folder)
    stream = dev.open_capture(SCENE, reference="01YE0000126")
    with dev.session(stream, SCENE) as capture:
        for kind, value in steps:
            if kind == "note":
                capture.add_note(text=value if value.strip() else "a note")
            else:
                capture.add_person(role=value, name="Ann Example", phone="07700 900123")
    stored = dev._store._cases.select_events(stream)
    verified = verify_case(
        [s.state for s in stored],
        trust=TRUST,
        at=dev._clock(),
        case_id=stream,
        known_types=EVENT_TYPES.known_types(),
        payloads=payload_schemas(),
    )
    assert chain_of_verified(verified.records) == authenticate_chain(stream, stored, TRUST)
    dev.close()


def test_a_verified_type_the_registry_does_not_map_is_refused(tmp_path: Path) -> None:
    dev = device(tmp_path)
    stream = dev.open_capture(SCENE, reference="01YE0000126")
    stored = dev._store._cases.select_events(stream)
    verified = verify_case([s.state for s in stored], trust=TRUST, at=dev._clock(), case_id=stream)
    with pytest.raises(UnknownSchemaError) as caught:
        chain_of_verified(verified.records, registry=EventRegistry())
    assert (caught.value.step, caught.value.seq) == ("V10", 1)
    dev.close()
