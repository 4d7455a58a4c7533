"""A centre and officers' devices sharing one trust store, with a stepping clock.

The officers' keys hold ``recorder`` (they record and, by the default policy,
may open and checkpoint a capture); the intake service's key holds
``recorder`` and ``checkpoint`` (it records ``capture.attached`` and signs
receipts); the sergeant's holds ``redactor`` and ``supervisor`` too. Nothing here
reaches a network: devices and centre exchange bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Callable
from pathlib import Path

from casefile.application import CasefileApp, DeviceApp, StoreConfig
from casefile.bundle import write_bundle
from casefile.signing._keys import InMemorySigner
from casefile.signing._trust import Holder, TrustEntry, TrustStore

T0 = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z
SECOND = 10**9
NAMESPACE = "casefile.test.police.uk"


def signer_for(label: str) -> InMemorySigner:
    return InMemorySigner(hashlib.sha256(b"casefile-capture-test:" + label.encode()).digest())


SCENE = signer_for("scene-officer")
OTHER = signer_for("other-officer")
DETECTIVE = signer_for("detective")
INTAKE = signer_for("intake")
REVOKED = signer_for("revoked-officer")
LAPSED = signer_for("lapsed-officer")
#: The scene officer's sergeant, who decides what the audiences of a capture may not see
#: (``redactor``) and what is erased from it (``supervisor``).
SERGEANT = signer_for("scene-sergeant")


def _entry(
    signer: InMemorySigner,
    name: str,
    roles: set[str],
    *,
    valid_until: int | None = None,
    revoked_at: int | None = None,
) -> TrustEntry:
    return TrustEntry(
        public_key=signer.public_key,
        name=name,
        holder=Holder(name=name, rank="PC", number=name[-4:], force="Test Force"),
        roles=frozenset(roles),
        valid_from=T0 - 86_400 * SECOND,
        valid_until=valid_until,
        revoked_at=revoked_at,
    )


TRUST = TrustStore(
    [
        _entry(SCENE, "pc-1001", {"recorder"}),
        _entry(OTHER, "pc-2002", {"recorder"}),
        _entry(DETECTIVE, "dc-3003", {"recorder"}),
        _entry(INTAKE, "intake-0001", {"recorder", "checkpoint"}),
        # Revoked from the start of 2026-01-01T01:00Z: a compromise found later.
        _entry(REVOKED, "pc-4004", {"recorder"}, revoked_at=T0 + 3600 * SECOND),
        # Its window closed at 2026-01-01T01:00Z.
        _entry(LAPSED, "pc-5005", {"recorder"}, valid_until=T0 + 3600 * SECOND),
        _entry(SERGEANT, "ps-6006", {"recorder", "redactor", "supervisor"}),
    ]
)


def stepping_clock(start: int = T0) -> Callable[[], int]:
    """A clock that moves on one second each time it is read."""
    ticks = itertools.count()
    return lambda: start + SECOND * next(ticks)


def counting_random(label: str) -> Callable[[int], bytes]:
    """Deterministic randomness, different per label (salts must not repeat across apps)."""
    counter = itertools.count()

    def draw(n: int) -> bytes:
        out = b""
        while len(out) < n:
            out += hashlib.sha256(f"{label}:{next(counter)}".encode()).digest()
        return out[:n]

    return draw


def centre(clock: Callable[[], int] | None = None) -> CasefileApp:
    return CasefileApp(
        store=StoreConfig.memory(),
        trust=TRUST,
        clock=clock or stepping_clock(),
        random_bytes=counting_random("centre"),
    )


def device(
    folder: Path, name: str = "tablet-1", clock: Callable[[], int] | None = None
) -> DeviceApp:
    return DeviceApp(
        folder / f"{name}.sqlite",
        trust=TRUST,
        device=name,
        origin_namespace=NAMESPACE,
        clock=clock or stepping_clock(),
        random_bytes=counting_random(name),
    )


def open_case(app: CasefileApp) -> uuid.UUID:
    return app.open_case(DETECTIVE, offence="burglary", channel="phone", reference="01YE0000126")


def attached_case(folder: Path) -> tuple[CasefileApp, uuid.UUID, DeviceApp, uuid.UUID]:
    """A centre whose case (record 2) bound a tablet's capture of two records."""
    app = centre()
    case_id = open_case(app)
    dev = device(folder)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        capture.add_note(text="At the scene.")
    app.attach_capture(
        dev.capture_package(stream, signer=SCENE, name="pc-1001"),
        signer=INTAKE,
        name="intake-0001",
    )
    return app, case_id, dev, stream


def capture_bundle(
    app: CasefileApp, case_id: uuid.UUID, dest: Path, captures: dict[uuid.UUID, bytes]
) -> Path:
    """A bundle of the case at ``dest`` that carries ``captures`` (stream to package bytes)."""
    write_bundle(
        dest,
        case_id=case_id,
        records=app.records(case_id),
        disclosures=app.disclosures(case_id),
        trust=TRUST,
        checkpoint_note=app.checkpoint(case_id, INTAKE, "intake-0001", NAMESPACE),
        signer=INTAKE,
        captures=captures,
    )
    return dest


#: What the scene officer's witness says; "12 Acacia Avenue " is three units (words with the
#: whitespace after them), units 5 to 7 of the text.
STATEMENT = "I saw a man leave 12 Acacia Avenue over the back fence."
ADDRESS_RUN = (5, 8)


def statement_capture(
    folder: Path, *, audiences: tuple[str, ...] = ("cps", "defence")
) -> tuple[CasefileApp, uuid.UUID, DeviceApp, uuid.UUID]:
    """A case that bound a tablet's capture holding a witness (record 2), her statement
    (record 3) and the sergeant's decision (record 4) to withhold the address in it from
    ``audiences``."""
    app = centre()
    case_id = open_case(app)
    dev = device(folder)
    stream = dev.open_capture(SCENE, reference="01YE0000126", case_id=case_id)
    with dev.session(stream, SCENE) as capture:
        witness = capture.add_person(
            role="witness", name="Ann Example", address="1 High Street", phone="07700 900123"
        )
        capture.record_statement(
            witness_id=witness,
            declaration="This statement is true.",
            body=STATEMENT,
            place="Her kitchen",
            started_at=T0,
            ended_at=T0 + 600 * SECOND,
        )
    dev.redact(
        stream, SERGEANT, 3, "body", runs=[ADDRESS_RUN], audiences=audiences,
        reason="victim_or_witness_contact_details",
    )  # fmt: skip
    app.attach_capture(
        dev.capture_package(stream, signer=SCENE, name="pc-1001"),
        signer=INTAKE,
        name="intake-0001",
    )
    return app, case_id, dev, stream
