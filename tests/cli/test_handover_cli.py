"""``verify --previous`` and ``prove`` on the demo's two successive handovers to the CPS."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from cli._support import Demo, export_argv, run_cli


def test_demo_output_says_the_second_handover_extends_the_first(demo: Demo) -> None:
    assert "bundle/ to CPS Direct again: extends bundle-first/ (74 of its 77 records" in (
        demo.output
    )
    assert "--previous" in demo.output


@pytest.mark.parametrize("old", ["bundle-first", "bundle-first.zip", "bundle-first/checkpoint.txt"])
def test_second_handover_verifies_against_the_first(demo: Demo, old: str) -> None:
    result = run_cli(
        ["verify", demo.root / "bundle.zip", "--trust", demo.trust, "--previous", demo.root / old]
    )
    assert result.code == 0, result.out + result.err
    assert f"previous     {demo.root / old}: extended (its 74 records" in result.out


def test_rollback_to_a_shorter_bundle_is_refused_with_previous(demo: Demo) -> None:
    argv = ["verify", demo.root / "bundle-first", "--trust", demo.trust, "--json"]
    result = run_cli([*argv, "--previous", demo.root / "bundle.zip"])
    assert result.code == 1
    report = json.loads(result.out)
    assert report["previous"] is None
    (error,) = report["errors"]
    assert (error["kind"], error["step"]) == ("rollback", "B14")
    assert "size 77 root" in error["message"]
    assert "size 74 root" in error["message"]


def test_previous_checkpoint_cosigned_by_an_unknown_witness_is_accepted(
    demo: Demo, tmp_path: Path
) -> None:
    note = (demo.root / "bundle-first" / "checkpoint.txt").read_text(encoding="utf-8")
    cosigned = tmp_path / "received.txt"
    line = base64.b64encode(b"\x01\x02\x03\x04" + bytes(72)).decode()
    cosigned.write_text(note + f"\u2014 witness.example {line}\n", encoding="utf-8")
    argv = ["verify", demo.root / "bundle", "--trust", demo.trust, "--previous", cosigned]
    assert run_cli(argv).code == 0


def test_previous_checkpoint_no_trusted_key_signed_is_a_b14_signature_failure(
    demo: Demo, tmp_path: Path
) -> None:
    # FORMAT §9.6 B14: a checkpoint that parses but that no trusted key signs is a failure
    # of the comparison, not unusable input, and the bundle is then not shown to extend it.
    from nacl.signing import SigningKey

    body = (demo.root / "bundle-first" / "checkpoint.txt").read_text("utf-8").split("\n\n")[0]
    name, stranger = "northshire.police.example/casefile-checkpoint", SigningKey(bytes(32))
    kid = hashlib.sha256(name.encode() + b"\n\x01" + bytes(stranger.verify_key)).digest()[:4]
    sig = stranger.sign((body + "\n").encode()).signature
    forged = tmp_path / "forged.txt"
    line = base64.b64encode(kid + sig).decode()
    forged.write_text(f"{body}\n\n\u2014 {name} {line}\n", encoding="utf-8")
    argv = ["verify", demo.root / "bundle", "--trust", demo.trust, "--json"]
    result = run_cli([*argv, "--previous", forged])
    assert result.code == 1, result.err
    (error,) = json.loads(result.out)["errors"]
    assert (error["kind"], error["step"]) == ("checkpoint_signature", "B14")


def test_previous_that_is_no_checkpoint_is_unusable_input(demo: Demo, tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\xff\xfe not text")
    argv = ["verify", demo.root / "bundle", "--trust", demo.trust, "--previous", junk]
    result = run_cli(argv)
    assert result.code == 2
    assert "junk.txt" in result.err
    assert "Traceback" not in result.err


def _tlog(text: str) -> tuple[int, list[bytes], str]:
    """An independent reading of c2sp.org/tlog-proof@v1: index, proof hashes, checkpoint."""
    head, rest = text.split("\n", 1)
    assert head == "c2sp.org/tlog-proof@v1"
    index_line, rest = rest.split("\n", 1)
    assert index_line.startswith("index ")
    hashes, note = rest.split("\n\n", 1)
    proof = [base64.b64decode(h, validate=True) for h in hashes.split("\n") if h]
    return int(index_line[6:]), proof, note


def _root_from(leaf: bytes, index: int, size: int, proof: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2, written again from the RFC."""
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        assert sn != 0
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn, sn = fn >> 1, sn >> 1
    assert sn == 0
    return r


def _records(bundle: Path) -> list[bytes]:
    import msgpack

    unpacker = msgpack.Unpacker(raw=False)
    unpacker.feed((bundle / "records.bin").read_bytes())
    return list(unpacker)


def test_prove_writes_a_tlog_proof_an_outside_reader_checks(demo: Demo, tmp_path: Path) -> None:
    out = tmp_path / "record-7.tlog-proof"
    argv = ["prove", demo.root / "bundle", "--record", "7", "--trust", demo.trust, "--out", out]
    result = run_cli(argv)
    assert result.code == 0, result.err
    text = out.read_text(encoding="utf-8")
    index, proof, note = _tlog(text)
    assert note == (demo.root / "bundle" / "checkpoint.txt").read_text(encoding="utf-8")
    _, size, root = note.split("\n")[:3]
    record = _records(demo.root / "bundle")[6]
    leaf = hashlib.sha256(b"\x00" + record).digest()
    assert index == 6
    assert _root_from(leaf, index, int(size), proof) == base64.b64decode(root)
    # An altered record, or another record, leads to another root.
    other = hashlib.sha256(b"\x00" + _records(demo.root / "bundle")[7]).digest()
    assert _root_from(other, index, int(size), proof) != base64.b64decode(root)


def test_prove_of_a_record_the_bundle_lacks_is_refused(demo: Demo, tmp_path: Path) -> None:
    argv = ["prove", demo.root / "bundle", "--record", "78", "--trust", demo.trust]
    result = run_cli(argv)
    assert result.code == 2
    assert "records 1 to 77" in result.err


def test_export_to_a_named_recipient_records_the_handover_the_bundle_ends_with(
    demo: Demo, tmp_path: Path
) -> None:
    db = tmp_path / "casefile.sqlite"
    shutil.copy(demo.db, db)  # the export records its handover in the copy
    out = tmp_path / "for-audit"
    argv = export_argv(demo, out, "--recipient", "Internal audit", "--disclose", "name", db=db)
    done = run_cli(argv)
    assert done.code == 0, done.err
    assert "handed to  Internal audit: record 79 says so" in done.out
    report = json.loads(run_cli(["verify", out, "--trust", demo.trust, "--json"]).out)
    assert report["verified"] is True
    assert report["records"] == 79
    # Handed to no one: nothing recorded, the bundle is the case as it stands.
    plain = run_cli(export_argv(demo, tmp_path / "plain", db=db))
    assert plain.code == 0, plain.err
    assert "handed to" not in plain.out


def test_an_empty_recipient_is_refused_before_anything_is_recorded(
    demo: Demo, tmp_path: Path
) -> None:
    result = run_cli(export_argv(demo, tmp_path / "b", "--recipient", "  "))
    assert result.code == 2
    assert "--recipient" in result.err
    assert not (tmp_path / "b").exists()


def test_previous_that_is_a_tlog_proof_is_unusable_input_not_a_failed_bundle(
    demo: Demo, tmp_path: Path
) -> None:
    # A tlog-proof ends with a signed checkpoint, so it splits as a note; its text is the
    # proof, not a checkpoint. Blaming the bundle (exit 1, B14) would mislead its reader.
    proof = tmp_path / "r7.tlog-proof"
    made = run_cli(["prove", demo.root / "bundle", "--record", "7", "--trust", demo.trust,
                    "--out", proof])  # fmt: skip
    assert made.code == 0, made.err
    argv = ["verify", demo.root / "bundle.zip", "--trust", demo.trust, "--previous", proof]
    result = run_cli(argv)
    assert result.code == 2, result.out
    assert result.err.startswith(f"casefile: error: {proof}: not a checkpoint")
    assert "Traceback" not in result.err


def test_verify_report_names_the_handovers_the_bundle_holds(demo: Demo) -> None:
    # The recipient reading the report learns whom the case was handed to, and that this
    # bundle is the handover at its end (B13, B14 passed), not only that it verified.
    result = run_cli(["verify", demo.root / "bundle.zip", "--trust", demo.trust])
    assert result.code == 0, result.out
    assert (
        "  handovers    record 74 to CPS Direct, Northshire (cps); record 77 to CPS Direct, "
        "Northshire (cps) (this bundle's last record)\n"
    ) in result.out


def test_prove_against_a_pinned_root(demo: Demo, tmp_path: Path) -> None:
    # Whoever verifies by the force's pinned root (verify --root) proves a record by it too.
    out = tmp_path / "r7.tlog-proof"
    result = run_cli(
        ["prove", demo.root / "bundle.zip", "--record", "7",
         "--root", demo.root / "keys" / "root.json", "--out", out]
    )  # fmt: skip
    assert result.code == 0, result.err
    assert out.read_text(encoding="utf-8").startswith("c2sp.org/tlog-proof@v1\nindex 6\n")


def test_prove_of_a_captured_record_says_it_is_in_its_captures_checkpoint(tmp_path: Path) -> None:
    # The case file cites a captured statement as <stream>#<seq>; a reader who copies it
    # into prove --record was told only "invalid int value".
    stream = "670701eb-4d71-4246-ac9d-7a87eb6641b9"
    done = run_cli(["prove", tmp_path / "b.zip", "--record", f"{stream}#7", "--trust-bundle"])
    assert done.code == 2
    assert f"{stream}#7 is a record of a capture, in its capture's checkpoint" in done.err
    assert "capture.attached" in done.err
    assert "Traceback" not in done.err
    wrong = run_cli(["prove", tmp_path / "b.zip", "--record", "seven", "--trust-bundle"])
    assert (wrong.code, "'seven' is not a record number" in wrong.err) == (2, True)
