"""``casefile keys new``: key files open only with their passphrase; trust entries parse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _tsa import with_tsa
from casefile._time import rfc3339_to_ns
from casefile.cli._secrets import encode_unencrypted_key, load_signer
from casefile.errors import KeyFileError
from casefile.signing import (
    InMemorySigner,
    dump_trust_store,
    load_private_key,
    load_trust_store,
    parse_trust_store,
)
from cli._support import run_cli


def _new(tmp_path: Path, *extra: object, name: str = "test.police.uk/officer/1234") -> list[object]:
    return [
        "keys", "new", "--name", name, "--holder-name", "Jane Smith", "--rank", "PC",
        "--number", "1234", "--force", "Test Police",
        "--out", tmp_path / f"{name.rsplit('/')[-1]}.key", *extra,
    ]  # fmt: skip


def _never(*args: object) -> bytes:
    raise AssertionError("no passphrase should be needed")


def test_key_file_opens_with_its_passphrase_and_matches_its_trust_entry(tmp_path: Path) -> None:
    secret = tmp_path / "passphrase"
    secret.write_bytes(b"correct horse battery staple\n")
    result = run_cli(
        _new(
            tmp_path,
            "--passphrase-file", secret, "--trust-entry", tmp_path / "trust.json",
            "--role", "recorder", "--role", "supervisor",
            "--valid-from", "2026-01-01T00:00:00Z", "--valid-until", "2027-01-01T00:00:00Z",
        )
    )  # fmt: skip
    assert result.code == 0, result.err
    signer = load_private_key(tmp_path / "1234.key", b"correct horse battery staple")
    trust = load_trust_store(tmp_path / "trust.json")
    (entry,) = trust.entries
    assert entry.public_key == signer.public_key
    assert entry.name == "test.police.uk/officer/1234"
    assert (entry.holder.name, entry.holder.rank, entry.holder.number) == (
        "Jane Smith",
        "PC",
        "1234",
    )
    assert entry.roles == {"recorder", "supervisor"}
    assert entry.valid_from == rfc3339_to_ns("2026-01-01T00:00:00Z")
    assert entry.valid_until == rfc3339_to_ns("2027-01-01T00:00:00Z")
    assert (tmp_path / "1234.key").stat().st_mode & 0o777 == 0o600
    assert entry.key_id.hex() in result.out
    with pytest.raises(KeyFileError):
        load_private_key(tmp_path / "1234.key", b"wrong horse")


def test_add_to_trust_appends_and_a_duplicate_changes_nothing(tmp_path: Path) -> None:
    trust = tmp_path / "trust.json"
    assert run_cli(_new(tmp_path, "--no-passphrase", "--trust-entry", trust)).code == 0
    second = run_cli(
        _new(tmp_path, "--no-passphrase", "--add-to-trust", trust, name="test.police.uk/dc/77")
    )
    assert second.code == 0, second.err
    assert len(load_trust_store(trust).entries) == 2
    before = trust.read_bytes()
    again = run_cli(
        _new(tmp_path, "--no-passphrase", "--add-to-trust", trust, name="test.police.uk/dc/77")
    )
    assert again.code == 2  # the key file of that name exists already
    clash = _new(tmp_path, "--no-passphrase", "--add-to-trust", trust, name="test.police.uk/dc/77")
    clash[clash.index("--out") + 1] = tmp_path / "other.key"
    result = run_cli(clash)
    assert result.code == 2
    assert "same name" in result.err
    assert trust.read_bytes() == before
    assert not (tmp_path / "other.key").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1234.key", "77.key", "trust.json"]


def test_without_a_trust_file_the_entry_alone_goes_to_stdout(tmp_path: Path) -> None:
    result = run_cli(_new(tmp_path, "--no-passphrase"))
    assert result.code == 0, result.err
    store = parse_trust_store(result.out)
    signer = load_signer(tmp_path / "1234.key", _never)
    assert store.entries[0].public_key == signer.public_key
    assert "UNENCRYPTED" in result.err


def test_existing_key_file_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "1234.key").write_bytes(b"precious")
    result = run_cli(_new(tmp_path, "--no-passphrase"))
    assert result.code == 2
    assert "refusing to overwrite" in result.err
    assert (tmp_path / "1234.key").read_bytes() == b"precious"


def test_no_passphrase_and_no_terminal_is_refused(tmp_path: Path) -> None:
    result = run_cli(_new(tmp_path))
    assert result.code == 2
    assert "--passphrase-file" in result.err
    assert not (tmp_path / "1234.key").exists()


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (["--valid-from", "2026-01-01"], "RFC 3339"),
        (
            ["--valid-from", "2027-01-01T00:00:00Z", "--valid-until", "2026-01-01T00:00:00Z"],
            "later",
        ),
        (["--role", "Not A Role"], "role"),
    ],
)
def test_bad_key_settings_are_refused_before_anything_is_written(
    tmp_path: Path, extra: list[str], problem: str
) -> None:
    result = run_cli(_new(tmp_path, "--no-passphrase", *extra))
    assert result.code == 2
    assert problem in result.err
    assert list(tmp_path.iterdir()) == []


def test_unencrypted_key_file_round_trips(tmp_path: Path) -> None:
    signer = InMemorySigner.generate()
    path = tmp_path / "k"
    path.write_bytes(encode_unencrypted_key(signer))
    assert load_signer(path, _never).public_key == signer.public_key


@settings(max_examples=200, deadline=None)
@given(position=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7))
def test_flipped_bit_in_an_unencrypted_key_file_is_refused(
    position: int, bit: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = bytearray(encode_unencrypted_key(InMemorySigner(bytes(range(32)))))
    data[position % len(data)] ^= 1 << bit
    path = tmp_path_factory.mktemp("key") / "k"
    path.write_bytes(bytes(data))
    with pytest.raises(KeyFileError):
        load_signer(path, lambda: b"not a sealed file")


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_are_not_a_key(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("key") / "k"
    path.write_bytes(data)
    with pytest.raises(KeyFileError):
        load_signer(path, lambda: b"x")


def test_adding_a_key_keeps_the_trust_stores_tsa_anchors(tmp_path: Path, local_tsa: Any) -> None:
    trust = tmp_path / "trust.json"
    assert run_cli(_new(tmp_path, "--no-passphrase", "--trust-entry", trust)).code == 0
    named = with_tsa(load_trust_store(trust), local_tsa, skew=60, required=True)
    trust.write_text(dump_trust_store(named), "utf-8")
    added = run_cli(
        _new(tmp_path, "--no-passphrase", "--add-to-trust", trust, name="test.police.uk/dc/77")
    )
    assert added.code == 0, added.err
    assert load_trust_store(trust).timestamping == named.timestamping


def test_an_armored_key_file_opens_as_the_binary_one_does(tmp_path: Path) -> None:
    # The command line reads key files pasted as text (armored) as well as binary ones;
    # both are told apart by the armor line of casefile.signing, kept in one place.
    from casefile.cli._secrets import key_file_bytes, load_signer
    from casefile.signing import InMemorySigner
    from casefile.signing._keyfile import armor_private_key

    signer = InMemorySigner.generate()
    sealed = key_file_bytes(signer, b"a passphrase")
    armored = tmp_path / "armored.key"
    armored.write_text(armor_private_key(sealed), encoding="ascii")
    opened = load_signer(armored, lambda: b"a passphrase")
    assert opened.public_key == signer.public_key
