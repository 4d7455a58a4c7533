"""Several tablets record offline, go online at random and sync in any order (FORMAT §12).

A model of what each tablet recorded, sent and had receipted runs beside the
real centre and devices. Meanwhile an officer at the centre writes to the case,
replies are lost on the way back, old packages arrive again, and tablets prune.
After every step: the case verifies, no capture record is bound twice or
skipped, every record of every package that reached the centre is bound as the
tablet signed it, and no tablet forgot a record the centre had not receipted.
At the end the case's bundle, with the captures it carries, verifies offline.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from _captureworld import (
    DETECTIVE,
    INTAKE,
    NAMESPACE,
    OTHER,
    SCENE,
    T0,
    centre,
    device,
    open_case,
    stepping_clock,
)
from casefile.application import AttachReceipt, DeviceApp
from casefile.bundle._capture_package import read_capture_package
from casefile.errors import InvalidCommandError
from casefile.signing._keys import InMemorySigner

#: Tablets and the officer each one belongs to; two tablets share an officer.
TABLETS = {
    "tablet-1": (SCENE, "pc-1001"),
    "tablet-2": (OTHER, "pc-2002"),
    "tablet-3": (SCENE, "pc-1001"),
}
#: Exhibit references the tablets draw from: two tablets naming one is a finding, not a fork.
EXHIBITS = ("AB/1", "AB/2", "AB/3")


@dataclass
class Stream:
    """What the model knows of one capture stream."""

    id: uuid.UUID
    records: list[bytes] = field(default_factory=list)  # as the tablet signed them
    exhibits: set[str] = field(default_factory=set)
    packages: list[bytes] = field(default_factory=list)
    reached: int = 0  # the longest package the centre has been sent
    receipted: int = 0  # what the tablet holds a receipt for
    pruned: bool = False


@dataclass
class Tablet:
    app: DeviceApp
    signer: InMemorySigner
    name: str
    online: bool = True
    current: Stream | None = None


class Sync(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="casefile-sync-"))
        self.centre = centre(stepping_clock(T0 + 60 * 10**9))
        self.case_id = open_case(self.centre)
        self.tablets = {
            label: Tablet(device(self.folder, label), signer, name)
            for label, (signer, name) in TABLETS.items()
        }
        self.streams: list[Stream] = []
        self.central_notes = 0

    def teardown(self) -> None:
        try:
            if self.streams:
                handed = self.centre.export_bundle(
                    self.case_id,
                    self.folder / "bundle",
                    checkpoint_signer=INTAKE,
                    checkpoint_name="intake-0001",
                    origin_namespace=NAMESPACE,
                )
                assert handed.verification.verified
                folder = self.folder / "bundle" / "captures"
                carried = {p.stem for p in folder.iterdir()} if folder.exists() else set()
                assert carried == {str(s.id) for s in self.streams if s.reached}
        finally:
            for tablet in self.tablets.values():
                tablet.app.close()
            self.centre.close()
            shutil.rmtree(self.folder)

    # --- the network comes and goes --------------------------------------------------------

    @rule(label=st.sampled_from(sorted(TABLETS)), online=st.booleans())
    def connect(self, label: str, online: bool) -> None:
        self.tablets[label].online = online

    # --- recording offline -------------------------------------------------------------------

    @rule(
        label=st.sampled_from(sorted(TABLETS)),
        notes=st.integers(0, 2),
        exhibit=st.none() | st.sampled_from(EXHIBITS),
    )
    def record(self, label: str, notes: int, exhibit: str | None) -> None:
        tablet = self.tablets[label]
        if tablet.current is None:
            stream_id = tablet.app.open_capture(
                tablet.signer, reference="01YE0000126", case_id=self.case_id
            )
            tablet.current = Stream(stream_id)
            self.streams.append(tablet.current)
        stream = tablet.current
        with tablet.app.session(stream.id, tablet.signer) as capture:
            for i in range(notes):
                capture.add_note(text=f"{label}: note {len(stream.records) + i}.")
            if exhibit is not None and exhibit not in stream.exhibits:
                stream.exhibits.add(exhibit)
                capture.capture_evidence(
                    exhibit=exhibit,
                    kind="photo",
                    sha256=hashlib.sha256(f"{label}:{exhibit}".encode()).digest(),
                    size=1000,
                    media_type="image/jpeg",
                    device="tablet camera",
                    location="Hallway",
                    captured_at=T0,
                )
        stream.records = list(tablet.app._store.records(stream.id))

    @rule(text=st.sampled_from(["Called the victim.", "Checked CCTV."]))
    def centre_writes(self, text: str) -> None:
        self.centre.add_note(self.case_id, DETECTIVE, text=text)
        self.central_notes += 1

    # --- syncing -------------------------------------------------------------------------------

    def _attach(
        self, tablet: Tablet | None, stream: Stream, package: bytes, reply_lost: bool
    ) -> None:
        receipt = self.centre.attach_capture(package, signer=INTAKE, name="intake-0001")
        size = len(read_capture_package(package).records)
        stream.reached = max(stream.reached, size)
        # Whatever was sent, the receipt speaks for everything the centre has bound.
        assert receipt.size == stream.reached
        if reply_lost or tablet is None:
            return
        kept = tablet.app.accept_receipt(receipt.to_bytes())
        assert isinstance(kept, AttachReceipt)
        stream.receipted = kept.size

    @precondition(lambda self: any(t.online and t.current for t in self.tablets.values()))
    @rule(data=st.data(), reply_lost=st.booleans())
    def send(self, data: st.DataObject, reply_lost: bool) -> None:
        ready = sorted(k for k, t in self.tablets.items() if t.online and t.current)
        tablet = self.tablets[data.draw(st.sampled_from(ready))]
        stream = tablet.current
        assert stream is not None
        package = tablet.app.capture_package(stream.id, signer=tablet.signer, name=tablet.name)
        stream.packages.append(package)
        self._attach(tablet, stream, package, reply_lost)

    @precondition(lambda self: any(s.packages for s in self.streams))
    @rule(data=st.data(), reply_lost=st.booleans())
    def resend(self, data: st.DataObject, reply_lost: bool) -> None:
        # An old package arrives again: a retry, or a copy that took another road.
        stream = data.draw(st.sampled_from([s for s in self.streams if s.packages]))
        package = data.draw(st.sampled_from(stream.packages))
        owner = next((t for t in self.tablets.values() if t.current is stream), None)
        # Pruned meanwhile (owner None): the centre answers and nobody is listening.
        self._attach(owner, stream, package, reply_lost)

    @precondition(lambda self: any(t.current for t in self.tablets.values()))
    @rule(label=st.sampled_from(sorted(TABLETS)))
    def prune(self, label: str) -> None:
        tablet = self.tablets[label]
        stream = tablet.current
        if stream is None:
            return
        if stream.receipted < len(stream.records):
            with pytest.raises(InvalidCommandError, match="prune only what the centre holds"):
                tablet.app.prune(stream.id)
            assert list(tablet.app._store.records(stream.id)) == stream.records
            return
        tablet.app.prune(stream.id)
        stream.pruned = True
        tablet.current = None  # the next record opens a new capture

    # --- what must always hold -----------------------------------------------------------------

    @invariant()
    def the_case_verifies_and_binds_each_record_once(self) -> None:
        records = self.centre.verify(self.case_id).records
        spans: dict[uuid.UUID, list[tuple[int, int]]] = {}
        for r in records:
            if r.event_type == "capture.attached":
                spans.setdefault(uuid.UUID(bytes=r.data["stream"]), []).append(
                    (r.data["from_size"], r.data["size"])
                )
        assert sum(r.event_type == "note.added" for r in records) >= self.central_notes
        for stream in self.streams:
            bound = spans.get(stream.id, [])
            covered = [seq for start, end in bound for seq in range(start + 1, end + 1)]
            # Contiguous from record 1: none bound twice, none skipped, all that arrived.
            assert covered == list(range(1, stream.reached + 1))
            # Bound as the tablet signed them: the centre's copy is the tablet's bytes.
            assert list(self.centre.records(stream.id)) == stream.records[: stream.reached]

    @invariant()
    def no_tablet_forgets_what_is_not_receipted(self) -> None:
        for stream in self.streams:
            assert stream.receipted <= stream.reached
            if stream.pruned:
                assert stream.receipted == len(stream.records)
        for tablet in self.tablets.values():
            held = set(tablet.app.streams())
            for stream in self.streams:
                if stream is tablet.current:
                    assert stream.id in held
                    assert list(tablet.app._store.records(stream.id)) == stream.records


Sync.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
test_tablets_syncing_in_any_order_keep_one_linear_case = Sync.TestCase
