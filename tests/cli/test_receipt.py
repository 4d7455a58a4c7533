"""``casefile receipt``: the recipient verifies, then cosigns; ``receipt-record`` records it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from casefile.bundle import open_bundle
from casefile.cli._secrets import key_file_bytes
from casefile.signing import (
    TrustEntry,
    TrustStore,
    load_trust_store,
    open_checkpoint,
    parse_cosignature,
    split_note,
    verify_cosignature,
)
from casefile.signing._keys import InMemorySigner
from casefile.signing._note import NoteVerifier
from casefile.signing._records import parse_record
from casefile.signing._trust_json import dump_trust_store
from cli._support import Demo, run_cli

CPS_NAME = "cps.test.example/receipts"


def _recipient(demo: Demo, folder: Path) -> tuple[Path, Path, InMemorySigner]:
    """A CPS receipt key file and the demo's trust store with its entry (role recipient)."""
    folder.mkdir(exist_ok=True)
    signer = InMemorySigner.generate()
    passphrase = demo.passphrase.read_bytes().strip()
    key = folder / "cps-receipts.key"
    key.write_bytes(key_file_bytes(signer, passphrase))
    trust = load_trust_store(demo.trust)
    bello = next(e for e in trust if e.name.endswith("CPS-1187"))
    entry = TrustEntry(
        public_key=signer.public_key,
        name=CPS_NAME,
        holder=bello.holder,
        roles=frozenset({"recipient"}),
        valid_from=bello.valid_from,
        valid_until=bello.valid_until,
    )
    path = folder / "trust.json"
    path.write_text(dump_trust_store(TrustStore([*trust, entry], trust.policy)), "utf-8")
    return key, path, signer


def _checkpoint_body(bundle: Path) -> str:
    return split_note((bundle / "checkpoint.txt").read_text("utf-8"))[0]


def test_receipt_prints_the_recipients_cosignature_of_the_verified_checkpoint(
    demo: Demo, tmp_path: Path
) -> None:
    key, trust, signer = _recipient(demo, tmp_path / "cps")
    receipted = tmp_path / "receipted.txt"
    result = run_cli(
        ["receipt", demo.root / "bundle", "--key", key, "--trust", trust,
         "--passphrase-file", demo.passphrase, "--time", "2030-01-01T00:00:00Z", "--out", receipted]
    )  # fmt: skip
    assert result.code == 0, result.err
    cosignature = parse_cosignature(result.out)
    assert cosignature.name == CPS_NAME  # looked up in the trust store by key
    assert cosignature.timestamp == 1_893_456_000
    verify_cosignature(cosignature, _checkpoint_body(demo.root / "bundle"), signer.public_key)
    # The receipted checkpoint is the checkpoint with the line appended; its own signature holds.
    note = (demo.root / "bundle" / "checkpoint.txt").read_text("utf-8")
    assert receipted.read_text("utf-8") == note + result.out
    cp_entry = next(e for e in load_trust_store(trust) if "checkpoint" in e.roles)
    open_checkpoint(
        receipted.read_text("utf-8"), [NoteVerifier(cp_entry.name, cp_entry.public_key)]
    )


def test_receipt_of_a_tampered_bundle_cosigns_nothing(
    demo: Demo, bundle_copy: Path, tmp_path: Path
) -> None:
    key, trust, _ = _recipient(demo, tmp_path / "cps")
    records = bundle_copy / "records.bin"
    data = bytearray(records.read_bytes())
    data[-1] ^= 1
    records.write_bytes(bytes(data))
    receipted = tmp_path / "receipted.txt"
    result = run_cli(
        ["receipt", bundle_copy, "--key", key, "--trust", trust,
         "--passphrase-file", demo.passphrase, "--out", receipted]
    )  # fmt: skip
    assert result.code == 1
    assert result.out == ""
    assert "does not verify" in result.err
    assert "Traceback" not in result.err
    assert not receipted.exists()


def test_receipt_by_a_key_the_trust_store_does_not_name_asks_for_its_name(
    demo: Demo, tmp_path: Path
) -> None:
    key, _, _ = _recipient(demo, tmp_path / "cps")
    result = run_cli(
        ["receipt", demo.root / "bundle", "--key", key, "--trust", demo.trust,
         "--passphrase-file", demo.passphrase]
    )  # fmt: skip
    assert result.code == 2
    assert "--name" in result.err
    assert "Traceback" not in result.err
    named = run_cli(
        ["receipt", demo.root / "bundle", "--key", key, "--trust", demo.trust,
         "--passphrase-file", demo.passphrase, "--name", "cps.example/r"]
    )  # fmt: skip
    assert named.code == 0, named.err
    assert named.out.startswith("\u2014 cps.example/r ")


@pytest.mark.parametrize("bad", ["with space", "a+b"])
def test_receipt_with_a_name_no_note_may_carry_is_refused(
    demo: Demo, tmp_path: Path, bad: str
) -> None:
    key, trust, _ = _recipient(demo, tmp_path / "cps")
    result = run_cli(
        ["receipt", demo.root / "bundle", "--key", key, "--trust", trust,
         "--passphrase-file", demo.passphrase, "--name", bad]
    )  # fmt: skip
    assert result.code == 2
    assert "--name" in result.err


def test_receipt_record_records_the_receipt_of_the_bundles_handover(
    demo: Demo, tmp_path: Path
) -> None:
    key, trust, _ = _recipient(demo, tmp_path / "cps")
    receipted = tmp_path / "receipted.txt"
    made = run_cli(
        ["receipt", demo.root / "bundle", "--key", key, "--trust", trust,
         "--passphrase-file", demo.passphrase, "--out", receipted]
    )  # fmt: skip
    assert made.code == 0, made.err
    db = tmp_path / "copy.sqlite"
    shutil.copy(demo.db, db)
    argv = [
        "receipt-record", "--db", db, "--case", "42NS1234526", "--receipted", receipted,
        "--trust", trust, "--key", demo.root / "keys" / "pc-4721.key",
        "--passphrase-file", demo.passphrase,
    ]  # fmt: skip
    result = run_cli(argv)
    assert result.code == 0, result.err
    assert result.out.startswith("receipt recorded as record ")
    # A receipted checkpoint whose cosignature was altered records nothing.
    text = receipted.read_text("utf-8")
    forged = tmp_path / "forged.txt"
    forged.write_text(text[:-10] + ("A" if text[-10] != "A" else "B") + text[-9:], "utf-8")
    refused = run_cli([*argv[:6], forged, *argv[7:]])
    assert refused.code == 1, refused.err
    assert "does not verify" in refused.err
    assert "Traceback" not in refused.err


def test_receipt_after_an_integrity_only_check_says_so(demo: Demo, tmp_path: Path) -> None:
    key, _, _ = _recipient(demo, tmp_path / "cps")
    result = run_cli(
        ["receipt", demo.root / "bundle", "--key", key, "--trust-bundle",
         "--passphrase-file", demo.passphrase, "--name", "cps.example/r"]
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "integrity-only" in result.err
    assert result.out.startswith("\u2014 cps.example/r ")


def test_the_demos_second_bundle_carries_the_cps_receipt_of_the_first(demo: Demo) -> None:
    match = re.search(r"receipted it \(record (\d+),", demo.output)
    assert match is not None, demo.output
    seq = int(match[1])
    # The record is in the second bundle, whose verification (B15) checked it.
    raw = _records(demo.root / "bundle")[seq - 1]
    assert parse_record(raw).header.event_type == "receipt.recorded"
    assert seq > len(_records(demo.root / "bundle-first"))
    # The receipted checkpoint the CPS keeps is the first bundle's, cosigned by CPS Direct.
    receipted = (demo.root / "bundle-first.receipt.txt").read_text("utf-8")
    assert receipted.startswith((demo.root / "bundle-first" / "checkpoint.txt").read_text("utf-8"))
    assert parse_cosignature(receipted.splitlines()[-1]).name == "cps.gov.example/receipts"
    extends = run_cli(
        ["verify", demo.root / "bundle", "--trust", demo.trust,
         "--previous", demo.root / "bundle-first.receipt.txt"]
    )  # fmt: skip
    assert extends.code == 0, extends.out


def _records(bundle: Path) -> list[bytes]:
    with open_bundle(bundle) as opened:
        entry = next(f for f in opened.manifest.files if f.path == "records.bin")
        return list(opened.records(entry))


def test_receipt_by_a_key_without_the_recipient_or_witness_role_cosigns_nothing(
    demo: Demo, tmp_path: Path
) -> None:
    # An officer's key is in the trust store, but a cosignature by it would not count at B15
    # and receipt-record would refuse it: the command must not hand out such a receipt.
    officer = demo.root / "keys" / "pc-4721.key"
    receipted = tmp_path / "receipted.txt"
    result = run_cli(
        ["receipt", demo.root / "bundle", "--key", officer, "--trust", demo.trust,
         "--passphrase-file", demo.passphrase, "--out", receipted]
    )  # fmt: skip
    assert result.code == 2
    assert result.out == ""
    assert "without the role recipient or witness" in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not receipted.exists()


def test_receipt_by_a_key_that_also_signs_checkpoints_cosigns_nothing(
    demo: Demo, tmp_path: Path
) -> None:
    # B15 never counts a cosignature by a key that may sign the case's checkpoints (the
    # sender receipting itself), even when it also holds the recipient role.
    document = json.loads(demo.trust.read_text("utf-8"))
    for key in document["keys"]:
        if key["roles"] == ["checkpoint"]:
            key["roles"] = ["checkpoint", "recipient"]
    both = tmp_path / "trust.json"
    both.write_text(json.dumps(document), "utf-8")
    receipted = tmp_path / "receipted.txt"
    result = run_cli(
        ["receipt", demo.root / "bundle", "--key", demo.root / "keys" / "checkpoint.key",
         "--trust", both, "--passphrase-file", demo.passphrase, "--out", receipted]
    )  # fmt: skip
    assert result.code == 2, result.out
    assert result.out == ""
    assert "sign the case's checkpoints" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not receipted.exists()


def test_receipt_recorded_twice_is_refused_and_records_nothing(demo: Demo, tmp_path: Path) -> None:
    # The demo recorded CPS Direct's receipt of the first bundle; the same returned file given
    # again would add a second record of one fact, which a reader would count as two receipts.
    db = tmp_path / "copy.sqlite"
    shutil.copy(demo.db, db)
    before = db.read_bytes()
    result = run_cli(
        ["receipt-record", "--db", db, "--case", "42NS1234526",
         "--receipted", demo.root / "bundle-first.receipt.txt", "--trust", demo.trust,
         "--key", demo.root / "keys" / "pc-4721.key", "--passphrase-file", demo.passphrase]
    )  # fmt: skip
    assert result.code == 2, result.out
    assert result.err.startswith(f"casefile: error: {demo.root / 'bundle-first.receipt.txt'}: ")
    assert "receipt of the checkpoint of 74 records is already recorded, as record 75" in (
        result.err
    )
    assert "Traceback" not in result.err
    assert db.read_bytes() == before


def test_receipt_against_the_senders_pinned_root_cosigns_with_the_name_its_list_gives(
    demo: Demo, tmp_path: Path
) -> None:
    # A recipient who pinned the force's root (verify --root) had no way to receipt by it:
    # receipt took only a trust store or the bundle's own keys.
    key = demo.root / "keys" / "cps-receipts.key"
    receipted = tmp_path / "receipted.txt"
    result = run_cli(
        ["receipt", demo.root / "bundle.zip", "--key", key, "--root",
         demo.root / "keys" / "root.json", "--passphrase-file", demo.passphrase,
         "--out", receipted]
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.err == ""  # not an integrity-only check: no warning
    assert parse_cosignature(result.out).name == "cps.gov.example/receipts"
    assert receipted.exists()


def test_receipt_record_of_a_file_without_a_usable_cosignature_names_the_file(
    demo: Demo, tmp_path: Path
) -> None:
    # The bundle's own checkpoint, returned without a cosignature: the error named the
    # argument ("receipted:"), not the file the officer gave.
    bare = tmp_path / "returned.txt"
    shutil.copy(demo.root / "bundle" / "checkpoint.txt", bare)
    db = tmp_path / "copy.sqlite"
    shutil.copy(demo.db, db)
    result = run_cli(
        ["receipt-record", "--db", db, "--case", "42NS1234526", "--receipted", bare,
         "--trust", demo.trust, "--key", demo.root / "keys" / "pc-4721.key",
         "--passphrase-file", demo.passphrase]
    )  # fmt: skip
    assert result.code == 2, result.out
    assert result.err.startswith(f"casefile: error: {bare}: holds 0 cosignatures")
