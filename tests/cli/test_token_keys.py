"""Token keys on the command line: ``pkcs11:`` URIs wherever a key file is taken.

A key made in the token with ``keys new --pkcs11`` records evidence and signs
the export's checkpoint; the bundle verifies like any other. Faults name the
URI (with any PIN masked) in one line, never a traceback.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from _softhsm import SoftHsmToken
from casefile.application import CasefileApp, StoreConfig
from casefile.errors import TokenKeyError
from casefile.signing import Pkcs11Signer, TrustStore, dump_trust_store, load_trust_store
from casefile.signing import parse_trust_store as load_trust_store_text
from casefile.signing._pkcs11_session import _logins
from cli._support import Demo, run_cli

PEOPLE = ["--holder-name", "A Officer", "--rank", "PC", "--number", "4721", "--force", "Test"]


def _keys_new(uri: str, trust: Path, name: str, role: str, first: bool) -> None:
    where = ["--trust-entry", trust] if first else ["--add-to-trust", trust]
    made = run_cli(
        ["keys", "new", "--name", name, *PEOPLE, "--role", role, "--pkcs11", uri, *where]
    )
    assert made.code == 0, made.err
    assert "token key pkcs11:" in made.out


def test_case_with_token_keys_records_exports_and_verifies(
    softhsm_token: SoftHsmToken, tmp_path: Path
) -> None:
    suffix = secrets.token_hex(4)
    officer_uri = softhsm_token.uri(f"pc-4721-{suffix}")
    checkpoint_uri = softhsm_token.uri(f"checkpoint-{suffix}")
    trust = tmp_path / "trust.json"
    _keys_new(officer_uri, trust, "test.police.uk/pc/4721", "recorder", first=True)
    _keys_new(checkpoint_uri, trust, "test.police.uk/checkpoint", "checkpoint", first=False)
    assert _logins == {}
    db = tmp_path / "cases.sqlite"
    store = load_trust_store(trust)
    with Pkcs11Signer.open(officer_uri) as officer:
        app = CasefileApp(store=StoreConfig.sqlite(db), trust=store)
        try:
            app.open_case(officer, offence="Burglary", channel="online", reference="01YE0000126")
        finally:
            app.close()
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 the point of entry")
    added = run_cli(
        [
            "evidence", "add", "--db", db, "--case", "01YE0000126", "--file", photo,
            "--exhibit", "AO/1", "--kind", "photo", "--media-type", "image/jpeg",
            "--key", officer_uri, "--trust", trust,
        ]
    )  # fmt: skip
    assert added.code == 0, added.err
    out = tmp_path / "bundle"
    exported = run_cli(
        [
            "export", "--db", db, "--case", "01YE0000126", "--out", out, "--trust", trust,
            "--checkpoint-key", checkpoint_uri, "--checkpoint-name", "test.police.uk/checkpoint",
        ]
    )  # fmt: skip
    assert exported.code == 0, exported.err
    assert "verified   yes" in exported.out
    report = run_cli(["verify", out, "--trust", trust, "--json"])
    assert report.code == 0, report.out
    assert json.loads(report.out)["verified"] is True
    assert _logins == {}


def test_wrong_pin_is_one_line_naming_the_uri(
    softhsm_pin_token: SoftHsmToken, tmp_path: Path
) -> None:
    uri = softhsm_pin_token.uri("any", pin=False, pin_value="0000")
    trust = tmp_path / "trust.json"
    made = run_cli(["keys", "new", "--name", "n", *PEOPLE, "--pkcs11", uri, "--trust-entry", trust])
    assert made.code == 2
    assert made.err.count("\n") == 1
    assert "pin-value=***: wrong PIN" in made.err
    assert "0000" not in made.err
    assert not trust.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda u, t: u + "&colour=red", "unknown attribute 'colour'"),
        (lambda u, t: u.replace("token=casefile-test", "token=nowhere"), "no such token"),
        (lambda u, t: u.replace(t.module, "/etc/hostname"), "not a loadable PKCS#11 module"),
    ],
    ids=["unknown-attribute", "no-such-token", "not-a-module"],
)
def test_unusable_token_uri_is_one_line_naming_it(
    softhsm_token: SoftHsmToken, tmp_path: Path, change: object, message: str
) -> None:
    uri = change(softhsm_token.uri("absent"), softhsm_token)  # type: ignore[operator]
    trust = tmp_path / "trust.json"
    made = run_cli(["keys", "new", "--name", "n", *PEOPLE, "--pkcs11", uri, "--trust-entry", trust])
    assert made.code == 2, made.err
    assert message in made.err
    assert "Traceback" not in made.err
    assert not trust.exists()


def test_missing_token_key_is_one_line_naming_the_uri(
    softhsm_token: SoftHsmToken, tmp_path: Path
) -> None:
    uri = softhsm_token.uri(f"absent-{secrets.token_hex(4)}")
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"x")
    db = tmp_path / "cases.sqlite"
    CasefileApp(store=StoreConfig.sqlite(db), trust=TrustStore([])).close()
    trust = tmp_path / "trust.json"
    trust.write_text(dump_trust_store(TrustStore([])))
    ran = run_cli(
        [
            "evidence", "add", "--db", db, "--case", "01YE0000126", "--file", photo,
            "--exhibit", "AO/1", "--kind", "photo", "--media-type", "image/jpeg",
            "--key", uri, "--trust", trust,
        ]
    )  # fmt: skip
    assert ran.code == 2
    assert "no such private key in the token" in ran.err
    assert f"object={uri.split('object=')[1].split('?')[0]}" in ran.err
    assert _logins == {}


def test_module_from_the_environment_when_the_uri_names_none(
    softhsm_token: SoftHsmToken, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEFILE_PKCS11_MODULE", softhsm_token.module)
    label = f"env-{secrets.token_hex(4)}"
    pin = f"pin-source=file:{softhsm_token.pin_file}"
    uri = f"pkcs11:token={softhsm_token.label};object={label}?{pin}"
    made = run_cli(["keys", "new", "--name", "n", *PEOPLE, "--pkcs11", uri])
    assert made.code == 0, made.err
    with Pkcs11Signer.open(softhsm_token.uri(label)) as signer:
        assert load_trust_store_text(made.out).entries[0].public_key == signer.public_key


def test_token_key_is_discarded_when_its_trust_entry_cannot_be_written(
    softhsm_token: SoftHsmToken, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import casefile.cli._keys_cmd as keys_cmd

    def full_disk(path: Path, data: bytes, mode: int = 0o644) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(keys_cmd, "write_new_file", full_disk)
    uri = softhsm_token.uri(f"pc-{secrets.token_hex(4)}")
    trust = tmp_path / "trust.json"
    made = run_cli(["keys", "new", "--name", "n", *PEOPLE, "--pkcs11", uri, "--trust-entry", trust])
    assert made.code == 2
    assert "No space left on device" in made.err
    with pytest.raises(TokenKeyError, match="no such private key"):
        Pkcs11Signer.open(uri)
    assert _logins == {}


def test_token_key_without_a_pin_source_off_a_terminal_is_refused(
    softhsm_pin_token: SoftHsmToken, tmp_path: Path
) -> None:
    uri = softhsm_pin_token.uri("any", pin=False)
    made = run_cli(["keys", "new", "--name", "n", *PEOPLE, "--pkcs11", uri])
    assert made.code == 2
    assert "the token's PIN is needed: give pin-source=file:PATH" in made.err


def test_token_key_with_a_passphrase_option_is_refused(
    softhsm_token: SoftHsmToken, tmp_path: Path
) -> None:
    uri = softhsm_token.uri("any")
    made = run_cli(["keys", "new", "--name", "n", *PEOPLE, "--pkcs11", uri, "--no-passphrase"])
    assert made.code == 2
    assert "guarded by the token's PIN, not a passphrase" in made.err


def test_malformed_uri_is_a_usage_error_that_never_shows_its_pin(tmp_path: Path) -> None:
    uri = "pkcs11:token=t;object=k;colour=red?pin-value=hunter2"
    ran = run_cli(
        [
            "evidence", "add", "--db", tmp_path / "c.sqlite", "--case", "X", "--file",
            tmp_path / "f", "--exhibit", "A/1", "--kind", "photo", "--media-type", "image/jpeg",
            "--key", uri, "--trust", tmp_path / "t.json",
        ]
    )  # fmt: skip
    assert ran.code == 2
    assert "argument --key" in ran.err
    assert "unknown attribute 'colour'" in ran.err
    assert "hunter2" not in ran.err
    assert "pin-value=***" in ran.err


def test_keys_new_pkcs11_with_a_path_is_refused(tmp_path: Path) -> None:
    made = run_cli(["keys", "new", "--name", "n", *PEOPLE, "--pkcs11", tmp_path / "k.key"])
    assert made.code == 2
    assert "--pkcs11: give a pkcs11: URI" in made.err


def test_receipt_commands_take_a_token_key_as_every_key_option_does(
    softhsm_token: SoftHsmToken, demo: Demo, tmp_path: Path
) -> None:
    # The recipient's key in a token cosigns the bundle it received; before, the URI was
    # taken for a key file's path and refused as a missing file.
    uri = softhsm_token.uri(f"cps-{secrets.token_hex(4)}")
    trust = tmp_path / "cps.json"
    _keys_new(uri, trust, "cps.example/receipts", "recorder", first=True)
    bundle = demo.root / "bundle"
    ran = run_cli(
        ["receipt", bundle, "--key", uri, "--name", "cps.example/receipts", "--trust", demo.trust]
    )
    assert ran.code == 0, ran.err
    assert ran.out.startswith("\u2014 cps.example/receipts ")
    assert _logins == {}
    # receipt-record takes one for the recording officer's key as well.
    absent = softhsm_token.uri(f"absent-{secrets.token_hex(4)}")
    kept = tmp_path / "receipted.txt"
    kept.write_text("x\n", "utf-8")
    recorded = run_cli(
        [
            "receipt-record", "--receipted", kept, "--db", demo.db, "--case", "42NS1234526",
            "--key", absent, "--trust", demo.trust,
        ]
    )  # fmt: skip
    assert recorded.code == 2
    assert "no such private key in the token" in recorded.err
