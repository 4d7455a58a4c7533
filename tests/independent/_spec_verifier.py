"""A second verifier of a directory bundle, written from docs/FORMAT.md alone.

It imports nothing from casefile (the payload schemas are read as data, §10.2). It covers the
rules an outside implementer is most likely to read differently: canonical JSON (§9.2), V10
payloads (§10), V11 for value and text disclosures (§4, §4.1, in _spec_text) and what a failed
record still counts for (§8), V14, V15 (§8.1), B7 (with the defence's restricted fields), B10,
B11 and the redacted texts of a report (§9.6, in _spec_redactions), B13 and B14 (in
_spec_handovers), B15 (in _spec_receipts), B16 (in _spec_time), B18-B21 over the capture
streams a bundle carries (§12, in _spec_captures), B17 under a pinned root
(§7.5, in _spec_trust_root), the checkpoint grammar (§6) and what a report lists (§9.7).
B8 and B9's evidence_not_in_bundle over the case's story (in _spec_evidence); the rest of
continuity (B9) and the zip form are out of its scope, and so is the half of B12 that rebuilds
each view: building an MG case file, its HTML page or an exhibit register from the records
needs docs/CASEFILE.md, the library's template and docs/CUSTODY.md, not this format alone. It
checks that every view is one B12 names and leaves the byte comparison to the library (the
agreement test knows that it does).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgpack
from nacl.exceptions import BadSignatureError

from independent._spec_captures import check_captures
from independent._spec_evidence import check_evidence
from independent._spec_handovers import check_handovers
from independent._spec_receipts import b15, witness_policy
from independent._spec_redactions import Redactions
from independent._spec_rules import (
    CONFIRMATION,
    CORRECTION,
    CUSTODY_ACTOR_TYPES,
    ORIGIN,
    PROSECUTION_ACTOR_TYPES,
    RECEIPT_RECORDED,
    RECEIPT_TYPES,
    REDACTION_ACTOR_TYPES,
    RESTRICTED,
    ZERO,
    Key,
    Report,
    SpecError,
    canon,
    canonical_json,
    frames,
    header_ok,
    mp,
    parse_trust,
    v10,
)
from independent._spec_text import text_commitment_of, text_parses
from independent._spec_time import check_trusted_time
from independent._spec_trust_root import TrustRootFaultError, pinned_root, trust_from_root

__all__ = ["merkle_root", "verify_dir"]


# -- §8.1 who acted ------------------------------------------------------------------------


def _names_actor(h: dict[str, Any]) -> bool:
    t = h["type"]
    actor = t in (
        *CUSTODY_ACTOR_TYPES,
        *REDACTION_ACTOR_TYPES,
        *PROSECUTION_ACTOR_TYPES,
        CORRECTION,
        CONFIRMATION,
        RECEIPT_RECORDED,
    )
    return actor and h["schema"] == 1


def _identity(person: Any) -> tuple[str, str, str] | None:
    fields = ("name", "number", "organisation", "rank", "role")
    if not isinstance(person, dict) or sorted(person) != sorted(fields):
        return None
    if not all(isinstance(person[f], str) for f in fields):
        return None
    ident = (person["name"], person["number"], person["organisation"])
    return ident if all(ident) else None


@dataclass
class _Acts:
    """V15 as FORMAT.md §8 states it: acts and receipts, confirmed once per (record, identity)."""

    on_behalf: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    receivers: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    confirmed: set[tuple[int, tuple[str, str, str]]] = field(default_factory=set)
    verified: set[int] = field(default_factory=set)

    def check(self, h: dict[str, Any], holder: tuple[str, str, str]) -> bool:
        """V15 for ``h``; what it adds is kept by :meth:`keep` once ``h`` passed every step."""
        data = h["data"]
        by = _identity(data.get("by"))
        rb = data.get("recorded_by")
        if by is None or "recorded_by" not in data or (rb is not None and _identity(rb) is None):
            return False
        if rb is None and by != holder:
            return False
        if rb is not None and (_identity(rb) != holder or by == holder):
            return False
        if h["type"] == RECEIPT_RECORDED and rb is None:
            return False  # always keyed for the recipient by the sender
        if h["type"] == CONFIRMATION:
            c = data.get("confirms")
            ok = (
                rb is None and isinstance(c, int) and not isinstance(c, bool)
                and 1 <= c < h["seq"] and c in self.verified
                and by in (self.on_behalf.get(c), self.receivers.get(c))
                and (c, by) not in self.confirmed
            )  # fmt: skip
            return ok
        return True

    def keep(self, h: dict[str, Any]) -> None:
        data = h["data"]
        by = _identity(data["by"])
        assert by is not None
        if h["type"] == CONFIRMATION:
            self.confirmed.add((data["confirms"], by))
            return
        if data["recorded_by"] is not None and h["type"] != RECEIPT_RECORDED:
            self.on_behalf[h["seq"]] = by  # a receipt is confirmed by its cosignature
        receiver = _identity(data.get("to")) if h["type"] in RECEIPT_TYPES else None
        if receiver is not None and h["schema"] == 1:
            self.receivers[h["seq"]] = receiver

    def unconfirmed(self) -> list[int]:
        """On-behalf records their actor has not confirmed (receipts raise no finding)."""
        return sorted(s for s, by in self.on_behalf.items() if (s, by) not in self.confirmed)


# -- §6 checkpoints ------------------------------------------------------------------------


def _checkpoint(text: str, case: str, hashes: list[bytes], report: Report) -> None:
    """V13 over the manifest's checkpoint text (signature lines removed)."""
    body = text.split("\n\n", 1)[0] + "\n"
    lines = body.split("\n")
    if (
        len(lines) != 4
        or not ORIGIN.fullmatch(lines[0])
        or not re.fullmatch(r"0|[1-9]\d*", lines[1])
    ):
        report.fail("V13", "checkpoint_mismatch")
        return
    if lines[0].split("/")[1] != case:
        report.fail("V13", "checkpoint_mismatch")
    size = int(lines[1])
    if size != len(hashes):  # §9.7.4: the first position one side lacks
        report.fail("V13", "checkpoint_mismatch", min(size, len(hashes)) + 1)
    elif base64.b64decode(lines[2]) != merkle_root(hashes):
        report.fail("V13", "checkpoint_mismatch")


def merkle_root(leaves: list[bytes]) -> bytes:
    if not leaves:  # RFC 9162 §2.1.1: the hash of the empty string
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + merkle_root(leaves[:k]) + merkle_root(leaves[k:])).digest()


def _note_signers(text: str, keys: dict[bytes, Key], roles: list[str], at: int, last: int) -> bool:
    """V12: some trusted checkpoint key signed, and every such signature verifies."""
    body, _, sigs = text.partition("\n\n")
    signed = (body + "\n").encode()
    counted = False
    for line in sigs.splitlines():
        name, _, b64 = line.removeprefix("\u2014 ").partition(" ")
        raw = base64.b64decode(b64)
        for k in keys.values():
            pub = bytes(k.verify)
            note_id = hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4]
            if (
                k.name != name
                or raw[:4] != note_id
                or not roles_ok(k, roles)
                or not _cp_valid(k, at, last)
            ):
                continue
            try:
                k.verify.verify(signed, raw[4:])
            except BadSignatureError:
                return False
            counted = True
    return counted


def _cp_valid(k: Key, at: int, last: int) -> bool:
    """V12: valid from no later than ``at``; neither expired nor revoked by the last record."""
    ends = [e for e in (k.valid_until, k.revoked_at) if e is not None]
    return k.valid_from <= at and all(last < e for e in ends)


def roles_ok(k: Key, roles: list[str]) -> bool:
    return bool(k.roles & set(roles))


# -- §9 the bundle -------------------------------------------------------------------------

#: §9.6 B12: the views a verifier rebuilds, and so the only ones a bundle may carry.
VIEW_NAMES = frozenset({"casefile.html", "casefile.json", "exhibits.json"})


def verify_dir(
    root: Path, trust_doc: bytes | None, at: int, pinned: bytes | None = None, oldest: int = 1
) -> Report:
    """Verify a directory bundle; raise SpecError for unusable input.

    With ``pinned`` (a root document, §7.5) instead of a trust store, B17 runs first and
    the trust list's store is the verifier's own; ``oldest`` is the lowest list version taken.
    """
    report = Report()
    if pinned is not None:
        try:
            pinned_at = pinned_root(pinned)
        except ValueError as exc:
            raise SpecError(str(exc)) from exc  # §9.7.1: unusable input, before any step
        try:
            trust_doc = trust_from_root(root, pinned_at, at, oldest)  # B17
        except TrustRootFaultError:
            report.fail("B17", "trust_root")  # §9.7.2: the only failure reported
            return report
    own = trust_doc is not None
    try:
        trust = parse_trust(trust_doc) if trust_doc is not None else None
    except (ValueError, KeyError, TypeError) as exc:
        raise SpecError(f"trust store: {exc}") from exc  # unusable input, before any step
    env = canonical_json((root / "manifest.dsse.json").read_bytes())
    if not (isinstance(env, dict) and sorted(env) == ["payload", "payloadType", "signatures"]):
        report.fail("B1", "manifest")
        return report
    if trust is None:
        try:
            trust = parse_trust((root / "trust.json").read_bytes())
        except (ValueError, KeyError, TypeError, OSError):
            report.fail("B2", "manifest")
            return report
        report.note("trust_from_bundle")  # §9.7.2: read for B2, so reported from here
    keys, record_roles, cp_roles = trust
    payload = base64.b64decode(env["payload"])
    (sig,) = env["signatures"]
    signer = keys.get(bytes.fromhex(sig["keyid"]))
    pae = b"DSSEv1 %d %s %d " % (len(env["payloadType"]), env["payloadType"].encode(), len(payload))
    if not _manifest_signed(signer, cp_roles, at, pae + payload, base64.b64decode(sig["sig"])):
        report.fail("B2", "manifest")
        return report
    manifest = canonical_json(payload)
    if not _manifest_ok(manifest):
        report.fail("B3", "manifest")
        return report
    listed = {f["path"]: f for f in manifest["files"]}
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    changed = set()
    for path in sorted(set(listed) | present - {"manifest.dsse.json"}):
        f = listed.get(path)
        data = (root / path).read_bytes() if path in present else None
        if f is None or data is None or hashlib.sha256(data).hexdigest() != f["sha256"]:
            report.fail("B4", "manifest")
            changed.add(path)
    checkpoint = root / "checkpoint.txt"  # §9.7.2: B5 reads it only once it passed B4
    if (
        "checkpoint.txt" not in changed
        and checkpoint.read_bytes() != manifest["checkpoint"].encode()
    ):
        report.fail("B5", "manifest")
    shown: dict[tuple[int, str], dict[str, Any]] = {}
    verified: dict[int, dict[str, Any]] = {}
    files = ((root / "records.bin").read_bytes(), (root / "disclosures.bin").read_bytes())
    used, _, last, hashes = _records(
        files, manifest, (keys, record_roles, cp_roles), at, report, (verified, shown)
    )
    redactions = Redactions(manifest["audience"], verified, shown)
    redactions.check(report)  # B11, with B9 over the same verified records
    redactions.render(report)
    if signer is not None and last is not None and not _cp_valid(signer, at, last):
        report.fail("B2", "manifest")  # deferred: expired or revoked by the last record
    used |= check_handovers(root, manifest, verified, (keys, cp_roles), at, report)  # B13, B14
    doc = trust_doc if trust_doc is not None else (root / "trust.json").read_bytes()
    used |= b15(
        manifest["checkpoint"], keys, witness_policy(doc), verified, hashes,
        (at, at if last is None else last), report, _identity, manifest["records"],
        set(cp_roles),
    )  # fmt: skip
    keys_used, captures = check_captures(  # B18-B21, after B15 and before B10 (§9.7.2)
        root, set(listed), changed, verified, (manifest, trust, at), report, _records
    )
    used |= keys_used
    check_evidence(listed, verified, captures, report)  # B9's evidence, then B8, over the story
    if own and "trust.json" not in changed:  # B10: a changed trust.json already failed B4
        try:
            bundle_keys = parse_trust((root / "trust.json").read_bytes())[0]
            used.add(bytes.fromhex(sig["keyid"]))
            if used - set(bundle_keys):
                report.fail("B10", "manifest")
        except (ValueError, KeyError, TypeError):
            report.fail("B10", "manifest")
    bundle_trust = None if own or "trust.json" in changed else (root / "trust.json").read_bytes()
    check_trusted_time(  # B16, after B10 (§9.7.2), with the store B2 used
        root, manifest, trust_doc or bundle_trust or b"{}", changed, verified, report, at
    )
    if not report.failures:  # B12 runs only when every other step passed (§9.7.2)
        for path in listed:
            if path.startswith("views/") and path[len("views/") :] not in VIEW_NAMES:
                report.fail("B12", "manifest")
    return report


def _manifest_signed(
    signer: Key | None, roles: list[str], at: int, signed: bytes, sig: bytes
) -> bool:
    if signer is None or not roles_ok(signer, roles) or signer.valid_from > at:
        return False
    try:
        signer.verify.verify(signed, sig)
    except BadSignatureError:
        return False
    return True


#: §9.1: the paths a bundle may hold besides the manifest (B3 refuses any other).
_LAYOUT = re.compile(
    r"records\.bin|disclosures\.bin|trust\.json|checkpoint\.txt|checkpoint\.tsr|handovers\.json"
    r"|evidence/[0-9a-f]{64}"
    r"|captures/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.pkg"
    r"|views/[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
    r"|trust-root/root\.[1-9][0-9]{0,9}\.json|trust-root/trust-list\.json"
)


def _manifest_ok(m: Any) -> bool:
    """B3: exactly the fields of §9.2, with their types."""
    names = [
        "audience",
        "case_id",
        "checkpoint",
        "disclosure_policy",
        "files",
        "format",
        "records",
        "version",
    ]
    if not isinstance(m, dict) or sorted(m) != names or not _policy_ok(m["disclosure_policy"]):
        return False
    paths = [f.get("path") for f in m["files"] if isinstance(f, dict)]
    required = {"records.bin", "disclosures.bin", "trust.json", "checkpoint.txt"}
    return (
        (m["format"], m["version"]) == ("casefile-bundle", 2)
        and m["audience"] in (None, "cps", "defence", "court", "victim")
        and re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", m["case_id"]) is not None
        and type(m["records"]) is int
        and m["records"] >= 1
        and isinstance(m["checkpoint"], str)
        and paths == sorted(set(paths))
        and required <= set(paths)
        and all(isinstance(p, str) and _LAYOUT.fullmatch(p) for p in paths)
    )


def _policy_ok(policy: Any) -> bool:
    fields = policy.get("fields") if isinstance(policy, dict) else None
    if not isinstance(fields, list) or policy.get("mode") not in ("all", "none", "list"):
        return False
    shaped = all(isinstance(f, str) and re.fullmatch(r"[a-z][a-z0-9_]{0,63}", f) for f in fields)
    ordered = [f.encode() for f in fields] == sorted({f.encode() for f in fields})
    return shaped and ordered and (bool(fields) == (policy["mode"] == "list"))


def _records(
    files: tuple[bytes, bytes],
    manifest: dict[str, Any],
    trust: tuple[dict[bytes, Key], dict[str, list[str]], list[str]],
    at: int,
    report: Report,
    out: tuple[dict[int, dict[str, Any]], dict[tuple[int, str], dict[str, Any]]],
) -> tuple[set[bytes], dict[int, dict[str, Any]], int | None, list[bytes]]:
    """B6, V1-V15, B7; the key ids of the records that verified, those records, the latest
    time among them, and every record's hash.

    ``files`` are records.bin and disclosures.bin (or a capture's, framed the same);
    ``out`` receives the verified records and the disclosures of each that passed V11.
    """
    keys, record_roles, cp_roles = trust
    verified, shown = out
    case = manifest["case_id"]
    elements, fault = frames(files[0])
    hashes: list[bytes] = []
    stored: dict[int, dict[str, Any] | None] = {}  # §10.4 reads the type of any earlier record
    pending = _disclosures(files[1], manifest, report)
    disclosed: set[tuple[int, str]] = set()
    commitments: set[bytes] = set()
    acts = _Acts()
    used: set[bytes] = set()
    prev, last_time = ZERO, None
    for position, raw in enumerate(elements, start=1):
        hashes.append(hashlib.sha256(b"\x00" + raw).digest())
        rec = mp(raw)
        framed = isinstance(rec, dict) and sorted(rec) == ["rec", "sig"]
        framed = framed and isinstance(rec["rec"], bytes) and isinstance(rec["sig"], bytes)
        framed = framed and len(rec["sig"]) == 64
        header = mp(rec["rec"]) if framed else None
        link, prev = prev, hashes[-1]
        if not framed or not header_ok(header):
            report.fail("V2" if framed else "V1", "malformed_record", position)
            stored[position] = None
            pending.pop(position, None)  # nothing to compare its disclosures with
            continue
        h, seq = header, header["seq"]
        k = keys.get(h["key"])
        steps = [
            ("V3", "wrong_case", h["case"].hex() == case.replace("-", "")),
            ("V4", "sequence", seq == position),
            ("V5", "broken_link", h["prev"] == link),
            ("V6", "unknown_key", k is not None),
        ]
        if k is not None:
            roles = record_roles.get(h["type"], record_roles.get("*", []))
            steps.append(("V7", "key_not_valid", k.valid(h["time"])))
            steps.append(("V8", "key_role", roles_ok(k, roles)))
            steps.append(("V9", "bad_signature", _sig_ok(k, rec)))
        steps.append(("V10", "unknown_schema", v10(h, stored)))
        stored.setdefault(seq, h)
        failed = [(s, kind) for s, kind, ok in steps if not ok]
        for s, kind in failed:
            report.fail(s, kind, seq)
        theirs = pending.pop(seq, [])
        mine = _v11(h, theirs, report)
        if failed or mine is None:
            continue
        actor = k is not None and _names_actor(h)
        if actor and not acts.check(h, k.holder):  # type: ignore[union-attr]
            report.fail("V15", "actor", seq)
            continue
        values = list(h["pd"].values())
        if len(set(values)) != len(values) or commitments & set(values):
            report.fail("V14", "repeated_commitment", seq)
            continue
        commitments |= set(values)
        disclosed |= {(seq, name) for name in mine}
        verified[seq] = h
        shown.update({(seq, d["name"]): d for d in theirs})
        acts.verified.add(seq)
        if actor:
            acts.keep(h)
        used.add(h["key"])
        if h["time"] > at + 300 * 10**9:
            report.note("time_after_verification", seq)
        if last_time is not None and h["time"] < last_time:
            report.note("time_went_backwards", seq)
        last_time = h["time"]
    if fault is not None:  # §9.7.3: what follows cannot be delimited, nor counted
        report.fail("V1", "malformed_record", fault)
    for seq in sorted(pending) if fault is None else []:
        for _ in pending[seq]:
            report.fail("V11", "disclosure", seq)  # names no record of the case
    _withheld(manifest, verified, disclosed, report)
    if fault is None and len(elements) != manifest["records"]:
        report.fail("B6", "manifest")
    for seq in acts.unconfirmed():
        report.note("acted_on_behalf_unconfirmed", seq)
    last = max((h["time"] for h in verified.values()), default=at)
    if not _note_signers(manifest["checkpoint"], keys, cp_roles, at, last):
        report.fail("V12", "checkpoint_signature")
    else:
        used |= {
            kid for kid, key in keys.items() if key.name in manifest["checkpoint"].split("\n\n")[1]
        }
    if fault is None:
        _checkpoint(manifest["checkpoint"], case, hashes, report)
    return used, verified, max((h["time"] for h in verified.values()), default=None), hashes


def _sig_ok(k: Key, rec: dict[str, Any]) -> bool:
    t = b"application/vnd.casefile.record.v2+msgpack"
    pae = b"DSSEv1 %d %s %d " % (len(t), t, len(rec["rec"])) + rec["rec"]
    try:
        k.verify.verify(pae, rec["sig"])
    except BadSignatureError:
        return False
    return True


def _disclosures(
    data: bytes, manifest: dict[str, Any], report: Report
) -> dict[int, list[dict[str, Any]]]:
    """disclosures.bin by record, after B7 has set aside those the policy does not allow."""
    policy = manifest["disclosure_policy"]
    elements, fault = frames(data)
    out: dict[int, list[dict[str, Any]]] = {}
    last: tuple[int, str] = (0, "")
    for raw in elements:
        d = mp(raw)
        if not _is_disclosure(d):  # §9.7.3: once, and nothing after it is read
            report.fail("V11", "disclosure", d.get("seq") if isinstance(d, dict) else None)
            return out
        restricted = manifest["audience"] == "defence" and d["name"] in RESTRICTED
        if (
            policy["mode"] == "none"
            or (policy["mode"] == "list" and d["name"] not in policy["fields"])
            or restricted
        ):
            report.fail("B7", "manifest", d["seq"])
        elif (d["seq"], d["name"]) <= last:  # V11: out of order, compared with nothing
            report.fail("V11", "disclosure", d["seq"])
        else:
            last = (d["seq"], d["name"])
            out.setdefault(d["seq"], []).append(d)
    if fault is not None:
        report.fail("V11", "disclosure")
    return out


def _is_disclosure(d: Any) -> bool:
    """§4 and §4.1: a value or a text disclosure, told apart by the exact key set."""
    if not isinstance(d, dict):
        return False
    if sorted(d) == ["case", "name", "salt", "seq", "value"]:
        typed = isinstance(d["case"], bytes) and isinstance(d["name"], str)
        return typed and isinstance(d["salt"], bytes) and type(d["seq"]) is int
    return text_parses(d)


def _v11(h: dict[str, Any], mine: list[dict[str, Any]], report: Report) -> set[str] | None:
    """The names a record's disclosures reveal; None (its record fails) if one does not match."""
    names, ok = set(), True
    for d in mine:
        if "salt" in d:
            body = {"name": d["name"], "salt": d["salt"], "value": d["value"]}
            commitment = hashlib.sha256(
                b"casefile:commitment:v1\x00" + msgpack.packb(canon(body))
            ).digest()
            sized = 16 <= len(d["salt"]) <= 64
        else:
            commitment, sized = text_commitment_of(d), True
        if h["pd"].get(d["name"]) == commitment and sized and d["case"] == h["case"]:
            names.add(d["name"])
        else:
            report.fail("V11", "disclosure", d["seq"])
            ok = False
    return names if ok else None


def _withheld_whole(audience: str | None, verified: dict[int, Any]) -> set[tuple[int, str]]:
    """B7 with B11 step 1: the fields a verified act withholds whole from the audience.

    A decision in force for the audience (no verified withdrawal names it) or
    an erasure, whose ``runs`` is null.
    """
    decided: dict[int, tuple[int, str]] = {}
    erased: set[tuple[int, str]] = set()
    for seq in sorted(verified):
        h = verified[seq]
        data = h["data"]
        if h["type"] == "redaction.decided":
            if data["runs"] is None and audience in data["audiences"]:
                decided[seq] = (data["record"], data["field"])
        elif h["type"] == "redaction.withdrawn":
            decided.pop(data["decision"], None)
        elif h["type"] == "disclosure.erased" and data["runs"] is None:
            erased.add((data["record"], data["field"]))
    return set(decided.values()) | erased


def _withheld(
    manifest: dict[str, Any],
    verified: dict[int, Any],
    disclosed: set[tuple[int, str]],
    report: Report,
) -> None:
    policy = manifest["disclosure_policy"]
    committed = {(seq, name) for seq, h in verified.items() for name in h["pd"]}
    if committed - disclosed:
        report.note("withheld_fields")
        report.counts["withheld_fields"] = len(committed - disclosed)
    covered = {(s, n) for s, n in committed if policy["mode"] == "all" or n in policy["fields"]}
    # B7: not the fields withheld on purpose, whole by a signed act or restricted for the defence.
    covered -= _withheld_whole(manifest["audience"], verified)
    if manifest["audience"] == "defence":
        covered = {(s, n) for s, n in covered if n not in RESTRICTED}
    if policy["mode"] != "none" and covered - disclosed:
        report.note("policy_fields_not_disclosed")
        report.counts["policy_fields_not_disclosed"] = len(covered - disclosed)
