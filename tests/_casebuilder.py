"""Builds small signed cases from fixed keys, salts and times, for tests."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from casefile.bundle._earlier import earlier_handovers
from casefile.bundle._history import HistoryCollector
from casefile.signing._checkpoint import Checkpoint, sign_checkpoint
from casefile.signing._commitments import AnyDisclosure, commit_fields
from casefile.signing._keys import InMemorySigner
from casefile.signing._merkle import merkle_root
from casefile.signing._records import ZERO_HASH, SealedRecord, seal_record
from casefile.signing._trust import Holder, TrustEntry, TrustStore
from casefile.verifier import payload_schemas

T0 = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z
NAMESPACE = "casefile.test.police.uk"


def signer_from(label: str) -> InMemorySigner:
    return InMemorySigner(hashlib.sha256(b"casefile-test-key:" + label.encode()).digest())


def entry_for(
    signer: InMemorySigner,
    name: str,
    roles: frozenset[str] = frozenset({"recorder"}),
    valid_from: int = T0,
    valid_until: int | None = None,
    revoked_at: int | None = None,
) -> TrustEntry:
    return TrustEntry(
        public_key=signer.public_key,
        name=name,
        holder=Holder(name=name.rsplit("/", 1)[-1], rank="PC", number="1234", force="Test Force"),
        roles=roles,
        valid_from=valid_from,
        valid_until=valid_until,
        revoked_at=revoked_at,
    )


def person_of(entry: TrustEntry, role: str = "") -> dict[str, str]:
    """The person map that names the holder of ``entry`` (as ``by`` of its records)."""
    holder = entry.holder
    return {
        "name": holder.name,
        "number": holder.number,
        "organisation": holder.force,
        "rank": holder.rank,
        "role": role,
    }


class CountingSalts:
    """Deterministic 'randomness': SHA-256 of a counter, cut to size."""

    def __init__(self, label: str = "salt") -> None:
        self.label = label
        self.n = 0

    def __call__(self, size: int) -> bytes:
        self.n += 1
        return hashlib.sha256(f"{self.label}:{self.n}".encode()).digest()[:size]


def split_texts(
    event_type: str, data: Mapping[str, Any], target_type: str | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """``data`` written as a v1 reader would, split into (data, texts) as records hold them.

    The text fields of ``event_type`` (and, for a correction, the corrected
    text fields of its ``target_type`` and its ``reason``) leave ``data`` to
    be committed as redactable text (FORMAT.md §4.1); a text that is empty
    and optional is not committed at all.
    """
    schemas = payload_schemas()
    out, texts = dict(data), {}
    if event_type == "record.corrected":
        if type(out.get("reason")) is str:
            texts["correction_reason"] = out.pop("reason")
        fields = out.get("fields")
        if target_type is not None and isinstance(fields, dict):
            target_texts = schemas.text_fields(target_type, 1)
            moved = {k: v for k, v in fields.items() if k in target_texts and type(v) is str}
            out["fields"] = {k: v for k, v in fields.items() if k not in moved}
            texts.update(moved)
        return out, texts
    for name in schemas.text_fields(event_type, 1):
        # Only text is committed as text: anything else stays, for V10 to refuse.
        if type(out.get(name)) is str:
            value = out.pop(name)
            if value:
                texts[name] = value
    return out, texts


@dataclass
class CaseBuilder:
    """Appends records to one case, keeping the chain head and disclosures.

    Free text given in ``data`` is committed as redactable text, as sealing
    does, with any ``texts`` given apart (``texts_in_clear`` leaves the text in
    ``data``: a payload its schema refuses).
    """

    case_id: uuid.UUID
    time_ns: int = T0 + 3600 * 10**9
    records: list[bytes] = field(default_factory=list)
    sealed: list[SealedRecord] = field(default_factory=list)
    disclosures: list[AnyDisclosure] = field(default_factory=list)
    salts: CountingSalts = field(default_factory=CountingSalts)
    types: list[str] = field(default_factory=list)

    @property
    def head(self) -> bytes:
        return self.sealed[-1].hash if self.sealed else ZERO_HASH

    def add(
        self,
        signer: InMemorySigner,
        event_type: str = "note.added",
        data: Mapping[str, Any] | None = None,
        personal: Mapping[str, Any] | None = None,
        time_ns: int | None = None,
        texts: Mapping[str, str] | None = None,
        texts_in_clear: bool = False,
        schema: int = 1,
    ) -> SealedRecord:
        seq = len(self.records) + 1
        payload = dict(data) if data is not None else {"text": f"note {seq}"}
        committed: dict[str, str] = dict(texts or {})
        if not texts_in_clear:
            corrects = payload.get("corrects")
            target = (
                self.types[corrects - 1]
                if type(corrects) is int and 1 <= corrects <= len(self.types)
                else None
            )
            payload, split = split_texts(event_type, payload, target)
            committed.update(split)
        commitments, disclosures = commit_fields(
            self.case_id, seq, personal or {}, texts=committed, random_bytes=self.salts
        )
        self.time_ns = time_ns if time_ns is not None else self.time_ns + 60 * 10**9
        rec = seal_record(
            case_id=self.case_id,
            seq=seq,
            prev=self.head,
            event_type=event_type,
            schema=schema,
            time_ns=self.time_ns,
            data=payload,
            signer=signer,
            commitments=commitments,
        )
        self.types.append(event_type)
        self.records.append(rec.raw)
        self.sealed.append(rec)
        self.disclosures.extend(disclosures)
        return rec

    def hand_over(
        self,
        log: InMemorySigner,
        entry: TrustEntry,
        *,
        audience: str | None,
        recipient: str | None = None,
        checkpoint: str | None = None,
    ) -> SealedRecord:
        """A handover (schema 2) by the checkpoint key ``log`` (whose trust entry is
        ``entry``), naming the checkpoint of every record so far, as an export appends one."""
        note = self.checkpoint(log, entry.name) if checkpoint is None else checkpoint
        data = {
            "audience": audience,
            "by": person_of(entry),
            "checkpoint": note,
            "recipient": recipient or audience or "auditor",
            "recorded_by": None,
        }
        return self.add(log, "case.handed_over", data, schema=2)

    def earlier_handovers(self, signer: InMemorySigner, name: str) -> bytes | None:
        """handovers.json for a bundle of this case as it stands (B14), as an export writes it."""
        collected = HistoryCollector(keep=True)
        for rec in self.sealed:
            h = rec.header
            collected.take(h.seq, h.event_type, h.schema, h.time_ns, h.data, rec.hash)
        history = collected.history(len(self.sealed))
        assert history is not None
        return earlier_handovers(history, lambda n: self.checkpoint(signer, name, n))

    def checkpoint(self, signer: InMemorySigner, name: str, size: int | None = None) -> str:
        n = len(self.sealed) if size is None else size
        root = merkle_root([r.hash for r in self.sealed[:n]])
        return sign_checkpoint(Checkpoint(f"{NAMESPACE}/{self.case_id}", n, root), name, signer)


@dataclass
class World:
    """Two officers, a log key and a trust store over them."""

    alice: InMemorySigner = field(default_factory=lambda: signer_from("alice"))
    bob: InMemorySigner = field(default_factory=lambda: signer_from("bob"))
    log: InMemorySigner = field(default_factory=lambda: signer_from("log"))

    @property
    def trust(self) -> TrustStore:
        return TrustStore(
            [
                entry_for(self.alice, "test.police.uk/officer/alice"),
                entry_for(self.bob, "test.police.uk/officer/bob"),
                entry_for(self.log, "test.police.uk/log", roles=frozenset({"checkpoint"})),
            ]
        )

    def case(self, n: int, case_id: uuid.UUID | None = None, personal: bool = True) -> CaseBuilder:
        builder = CaseBuilder(case_id or uuid.UUID(int=n + 1))
        for i in range(n):
            who = self.alice if i % 2 == 0 else self.bob
            if personal and i % 3 == 0:
                # A person joins the case: their details are committed, never in clear.
                builder.add(
                    who,
                    "person.added",
                    {"person_id": uuid.UUID(int=i + 1).bytes, "role": "witness"},
                    personal={"name": f"Person {i}", "date_of_birth": "1990-01-01"},
                )
            else:
                builder.add(who)
        return builder

    def checkpoint(self, builder: CaseBuilder, size: int | None = None) -> str:
        return builder.checkpoint(self.log, "test.police.uk/log", size)

    def hand_over(
        self, builder: CaseBuilder, audience: str | None, recipient: str | None = None
    ) -> SealedRecord:
        """Append the handover an export for ``audience`` makes (B13), by the log key."""
        entry = self.trust.get(self.log.public_key.key_id)
        assert entry is not None
        return builder.hand_over(self.log, entry, audience=audience, recipient=recipient)


@dataclass
class CustodyWorld(World):
    """A world in which each person a custody record names holds a key of their own.

    Records are signed by the key of the person they name in ``by`` (V15);
    a record naming nobody readable is signed by alice.
    """

    people: dict[tuple[str, str, str], InMemorySigner] = field(default_factory=dict)
    _entries: list[TrustEntry] = field(default_factory=list)

    def signer_of(self, data: Mapping[str, Any] | None) -> InMemorySigner:
        by = None if data is None else data.get("by")
        if not isinstance(by, dict) or not all(
            type(by.get(k)) is str and by.get(k) for k in ("name", "number", "organisation")
        ):
            return self.alice
        identity = (by["name"], by["number"], by["organisation"])
        signer = self.people.get(identity)
        if signer is None:
            signer = self.people[identity] = signer_from("person:" + "/".join(identity))
            holder = Holder(name=identity[0], rank="", number=identity[1], force=identity[2])
            self._entries.append(
                TrustEntry(
                    public_key=signer.public_key,
                    name=f"test.police.uk/person/{len(self._entries)}",
                    holder=holder,
                    roles=frozenset({"recorder"}),
                    valid_from=T0,
                )
            )
        return signer

    @property
    def trust(self) -> TrustStore:
        return TrustStore([*World.trust.fget(self).entries, *self._entries])  # type: ignore[attr-defined]

    def add(
        self, case: CaseBuilder, event_type: str, data: Mapping[str, Any], **kw: Any
    ) -> SealedRecord:
        """Seal a record signed by the person it names as acting."""
        return case.add(self.signer_of(data), event_type, data, **kw)


AT = T0 + 400 * 24 * 3600 * 10**9  # a verification time after every record


def commitment_flipped(raw: bytes, name: str | None = None) -> bytes:
    """``raw`` with one bit of its ``pd`` commitment ``name`` (the first, if None) flipped.

    What changing a committed text or value does to a stored record: its bytes
    change, its signature is not made again.
    """
    from casefile.signing._records import parse_record

    commitments = parse_record(raw).header.commitments
    commitment = commitments[name] if name is not None else next(iter(commitments.values()))
    return raw.replace(commitment, bytes([commitment[0] ^ 1]) + commitment[1:])
