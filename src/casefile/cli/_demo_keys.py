"""The demo's people and keys: who records, who prosecutes, who receipts, who checkpoints.

Each person is a row of data (:data:`PEOPLE`); :func:`make_keys` seals a key
file for each, opens it again as a device would, and writes the trust store
and the force's signed root and trust list beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from casefile.cli._files import write_new_file
from casefile.cli._secrets import key_file_bytes, load_signer
from casefile.signing import (
    CHECKPOINT_ROLE,
    PROSECUTOR_ROLE,
    RECIPIENT_ROLE,
    RECORDER_ROLE,
    REDACTOR_ROLE,
    SUPERVISOR_ROLE,
    Holder,
    InMemorySigner,
    Signer,
    TimestampAuthorities,
    TrustEntry,
    TrustStore,
    dump_trust_store,
)

if TYPE_CHECKING:
    from casefile.bundle import Root
    from casefile.cli._demo_custody import DemoPeople

__all__ = [
    "CHECKPOINT_NAME",
    "CPS_RECEIPTS",
    "DEMO_PASSPHRASE",
    "DOMAIN",
    "FORCE",
    "INTAKE_LABEL",
    "INTAKE_NAME",
    "PEOPLE",
    "PROSECUTOR_LABEL",
    "DemoKeys",
    "demo_people",
    "make_keys",
]

#: The passphrase of the demo's key files (a demo: real keys need a real secret).
DEMO_PASSPHRASE: Final = "casefile demo passphrase"  # noqa: S105 - published on purpose
FORCE: Final = "Northshire Police (fictional)"
LAB_ORGANISATION: Final = "Northshire Scientific Services (fictional)"
DOMAIN: Final = "northshire.police.example"
CHECKPOINT_NAME: Final = f"{DOMAIN}/casefile-checkpoint"
#: The station's capture intake: it attaches what officers' devices sync, and receipts it.
INTAKE_NAME: Final = f"{DOMAIN}/casefile-intake"
INTAKE_LABEL: Final = "SVC-02 capture intake"
_DAY: Final = 86_400 * 10**9


@dataclass(frozen=True, slots=True)
class DemoKeys:
    """The demo's opened keys, its trust store, and the force's root and signed trust list."""

    recorders: tuple[Signer, ...]
    prosecutor: Signer
    #: The capture intake's key: it records each ``capture.attached`` and signs receipts.
    intake: Signer
    receipts: Signer
    checkpoint: Signer
    trust: TrustStore
    #: The force's root (keys/root.json) and the trust store signed under it.
    root: Root
    trust_list: bytes


# (key file, key name, holder, role, surname, initials, custody role)
PEOPLE: Final = (
    ("pc-4721", "officer/4721", Holder("Sarah Okafor", "PC", "4721", FORCE), "Okafor", "SO",
     "officer in the case"),
    ("dc-3308", "officer/3308", Holder("Daniel Reyes", "DC", "3308", FORCE), "Reyes", "DR",
     "investigating officer"),
    ("ps-2291", "staff/PS-2291", Holder("Janet Moss", "", "PS-2291", FORCE), "Moss", "JM",
     "property officer"),
    ("fs-0417", "lab/FS-0417", Holder("Dr Priya Nair", "", "FS-0417", LAB_ORGANISATION), "Nair",
     "PN", "forensic examiner"),
)  # fmt: skip


# The CPS prosecutor who decides to charge and marks the unused material, with her own key.
_PROSECUTOR: Final = (
    "cps-1187",
    "cps.gov.example/prosecutor/CPS-1187",
    Holder("Aisha Bello", "", "CPS-1187", "Crown Prosecution Service"),
)

PROSECUTOR_LABEL: Final = "CPS-1187 Bello"

# The key with which CPS Direct gives receipts (cosignatures) for the bundles it receives.
CPS_RECEIPTS: Final = (
    "cps-receipts",
    "cps.gov.example/receipts",
    Holder("CPS Direct, Northshire", "", "CPS-DIRECT", "Crown Prosecution Service"),
)

# Beyond recording: the officer in the case decides redactions, and the
# investigating officer supervises the case, so may record an erasure.
_EXTRA_ROLES: Final = {"pc-4721": (REDACTOR_ROLE,), "dc-3308": (SUPERVISOR_ROLE,)}


def make_keys(folder: Path, now: int, tsa: TimestampAuthorities | None) -> DemoKeys:
    """Eight keys, sealed in key files, opened again as a device would, and a trust store
    (naming the demo's time-stamping authority, if it has one)."""
    folder.mkdir()
    passphrase = DEMO_PASSPHRASE.encode("utf-8")
    write_new_file(folder / "demo-passphrase.txt", passphrase + b"\n", mode=0o600)
    people = [
        (file, f"{DOMAIN}/{name}", holder, frozenset({RECORDER_ROLE, *_EXTRA_ROLES.get(file, ())}))
        for file, name, holder, *_ in PEOPLE
    ]
    people.append((*_PROSECUTOR, frozenset({PROSECUTOR_ROLE})))
    people.append((*CPS_RECEIPTS, frozenset({RECIPIENT_ROLE})))
    # Attaching records ``capture.attached`` (recorder) and receipts it (checkpoint).
    intake_service = Holder("Northshire capture intake service", "", "SVC-02", FORCE)
    people.append(
        ("intake", INTAKE_NAME, intake_service, frozenset({RECORDER_ROLE, CHECKPOINT_ROLE}))
    )
    service = Holder("Northshire case file service", "", "SVC-01", FORCE)
    people.append(("checkpoint", CHECKPOINT_NAME, service, frozenset({CHECKPOINT_ROLE})))
    entries = []
    signers = []
    for file_name, key_name, holder, role in people:
        path = folder / f"{file_name}.key"
        write_new_file(path, key_file_bytes(InMemorySigner.generate(), passphrase), mode=0o600)
        signer = load_signer(path, lambda: passphrase)
        signers.append(signer)
        entries.append(
            TrustEntry(
                public_key=signer.public_key,
                name=key_name,
                holder=holder,
                roles=role,
                valid_from=now - 30 * _DAY,
                valid_until=now + 365 * _DAY,
            )
        )
    trust = TrustStore(entries, timestamping=tsa)
    write_new_file(folder / "trust.json", dump_trust_store(trust).encode("utf-8"))
    root, trust_list = _sign_trust(folder, trust, now, passphrase)
    *recorders, prosecutor, receipts, intake, checkpoint = signers
    return DemoKeys(
        tuple(recorders), prosecutor, intake, receipts, checkpoint, trust, root, trust_list
    )


def _sign_trust(folder: Path, trust: TrustStore, now: int, passphrase: bytes) -> tuple[Root, bytes]:
    """The force's root key (kept offline in practice), its root, and the trust list it signs."""
    from casefile.bundle import Root, RootKey, open_root, sign_root, sign_trust_list

    path = folder / "root.key"
    write_new_file(path, key_file_bytes(InMemorySigner.generate(), passphrase), mode=0o600)
    key = load_signer(path, lambda: passphrase)
    root = Root(1, now + 5 * 365 * _DAY, (RootKey(key.public_key, f"{DOMAIN}/root"),), 1)
    root_bytes = sign_root(root, [key])
    write_new_file(folder / "root.json", root_bytes)
    listed = sign_trust_list(
        trust, version=1, expires=now + 365 * _DAY, root_version=1, signers=[key]
    )
    write_new_file(folder / "trust-list.json", listed)
    return open_root(root_bytes), listed


def demo_people(signers: tuple[Signer, ...]) -> DemoPeople:
    """The demo's recorders, each with the key opened from their key file."""
    from casefile.cli._demo_custody import DemoPeople, Officer

    officers = [
        Officer(holder.rank, holder.number, surname, initials, signer, holder.name, holder.force,
                role)
        for (_, _, holder, surname, initials, role), signer in zip(PEOPLE, signers, strict=True)
    ]  # fmt: skip
    return DemoPeople(*officers)
