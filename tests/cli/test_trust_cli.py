"""``casefile trust`` and ``keys revoke|rotate``, and ``verify --root``: a force's signed trust."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from casefile.bundle import open_root, read_trust_list, sign_trust_list
from casefile.signing import InMemorySigner, load_trust_store
from cli._support import Demo, export_argv, run_cli

EXPIRES = "2099-01-01T00:00:00Z"


def _root_key(tmp_path: Path, n: int) -> Path:
    path = tmp_path / f"root{n}.key"
    result = run_cli(
        [
            "keys", "new", "--name", f"test.police.uk/root/{n}", "--holder-name", "Root",
            "--rank", "", "--number", f"R{n}", "--force", "Test Police", "--role", "checkpoint",
            "--out", path, "--no-passphrase",
        ]
    )  # fmt: skip
    assert result.code == 0, result.err
    return path


def _root(tmp_path: Path) -> Path:
    out = tmp_path / "root.1.json"
    key = _root_key(tmp_path, 1)
    result = run_cli(
        ["trust", "root", "--key", key, "--name", "test.police.uk/root/1",
         "--expires", EXPIRES, "--out", out]
    )  # fmt: skip
    assert result.code == 0, result.err
    return out


def _sign(tmp_path: Path, demo: Demo, root: Path, version: int = 1, key: int = 1) -> Path:
    out = tmp_path / f"trust-list.{version}.json"
    result = run_cli(
        ["trust", "sign", "--root", root, "--root-key", tmp_path / f"root{key}.key",
         "--in", demo.trust, "--version", version, "--expires", EXPIRES, "--out", out]
    )  # fmt: skip
    assert result.code == 0, result.err
    return out


def test_exported_bundle_verifies_against_the_pinned_root(tmp_path: Path, demo: Demo) -> None:
    root = _root(tmp_path)
    listed = _sign(tmp_path, demo, root)
    bundle = tmp_path / "bundle"
    assert run_cli(export_argv(demo, bundle, "--trust-list", listed)).code == 0
    result = run_cli(["verify", bundle, "--root", root])
    assert result.code == 0, result.out
    assert "pinned root (--root), followed to root version 1; trust list version 1" in result.out
    report = json.loads(run_cli(["verify", bundle, "--root", root, "--json"]).out)
    assert report["trust"]["source"] == "root"
    assert report["trust_root"]["signers"] == ["test.police.uk/root/1"]


def test_old_trust_list_version_replayed_is_refused_by_the_cli(tmp_path: Path, demo: Demo) -> None:
    root = _root(tmp_path)
    bundle = tmp_path / "bundle"
    assert run_cli(export_argv(demo, bundle, "--trust-list", _sign(tmp_path, demo, root))).code == 0
    result = run_cli(["verify", bundle, "--root", root, "--min-trust-version", "2"])
    assert result.code == 1
    assert "step B17 (trust_root)" in result.out
    assert "version 1 is older than version 2" in result.out


def test_revoke_writes_the_next_version_with_the_key_revoked(tmp_path: Path, demo: Demo) -> None:
    root = _root(tmp_path)
    listed = _sign(tmp_path, demo, root)
    first = read_trust_list(listed.read_bytes())[0].store.entries[0]
    out = tmp_path / "trust-list.2.json"
    result = run_cli(
        ["keys", "revoke", first.name, "--at", "2026-06-01T00:00:00Z", "--trust-list", listed,
         "--root", root, "--root-key", tmp_path / "root1.key", "--expires", EXPIRES, "--out", out]
    )  # fmt: skip
    assert result.code == 0, result.err
    revised, _ = read_trust_list(out.read_bytes())
    assert revised.version == 2
    assert revised.store.get(first.key_id) is not None
    assert revised.store.get(first.key_id).revoked_at is not None  # type: ignore[union-attr]
    assert "REVOKED at 2026-06-01 00:00:00 UTC" in result.out


def test_rotate_then_trust_list_signed_by_revoked_root_is_refused(
    tmp_path: Path, demo: Demo
) -> None:
    root = _root(tmp_path)
    _root_key(tmp_path, 2)
    two = tmp_path / "root.2.json"
    result = run_cli(
        ["keys", "rotate", "--root", root, "--root-key", tmp_path / "root1.key",
         "--key", tmp_path / "root2.key", "--name", "test.police.uk/root/2",
         "--expires", EXPIRES, "--out", two]
    )  # fmt: skip
    assert result.code == 0, result.err
    assert open_root(two.read_bytes()).version == 2
    current = _sign(tmp_path, demo, two, key=2)
    bundle = tmp_path / "good"
    argv = export_argv(demo, bundle, "--trust-list", current, "--root-file", two)
    assert run_cli(argv).code == 0
    assert run_cli(["verify", bundle, "--root", root]).code == 0
    # Root 2 dropped root 1's key: a list that key signs later counts for nothing.
    old = _sign(tmp_path, demo, root, version=3)
    bad = tmp_path / "bad"
    assert run_cli(export_argv(demo, bad, "--trust-list", old, "--root-file", two)).code == 0
    result = run_cli(["verify", bad, "--root", root])
    assert result.code == 1
    assert "signed by 0 of the keys of root version 2" in result.out


def test_rotate_without_the_old_root_keys_is_refused(tmp_path: Path) -> None:
    root = _root(tmp_path)
    _root_key(tmp_path, 2)
    result = run_cli(
        ["keys", "rotate", "--root", root, "--key", tmp_path / "root2.key",
         "--name", "test.police.uk/root/2", "--expires", EXPIRES, "--out", tmp_path / "r2.json"]
    )  # fmt: skip
    assert result.code == 2
    assert "Traceback" not in result.err
    assert not (tmp_path / "r2.json").exists()


def test_trust_show_names_version_keys_and_signers(tmp_path: Path, demo: Demo) -> None:
    root = _root(tmp_path)
    listed = _sign(tmp_path, demo, root)
    shown = run_cli(["trust", "show", listed, "--root", root])
    assert shown.code == 0, shown.err
    assert "trust list version 1 (signed under root version 1)" in shown.out
    assert "signed by    test.police.uk/root/1 (enough" in shown.out
    assert "roles      checkpoint" in shown.out
    unchecked = run_cli(["trust", "show", listed])
    assert "not checked: give --root" in unchecked.out
    assert "threshold    1 of 1 key(s)" in run_cli(["trust", "show", root]).out


@pytest.mark.parametrize("garbage", [b"", b"{}", b"not json", b'{"payloadType": 1}'])
def test_garbage_root_is_unusable_input_not_a_traceback(
    tmp_path: Path, demo: Demo, garbage: bytes
) -> None:
    root = tmp_path / "root.json"
    root.write_bytes(garbage)
    result = run_cli(["verify", demo.root / "bundle", "--root", root])
    assert result.code == 2
    assert "Traceback" not in result.err
    assert str(root) in result.err


def test_trust_show_of_deeply_nested_json_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 100_000)
    result = run_cli(["trust", "show", path])
    assert result.code == 2
    assert "Traceback" not in result.err
    assert str(path) in result.err


def test_trust_list_older_than_the_previous_bundles_is_refused_as_a_rollback(
    tmp_path: Path, demo: Demo
) -> None:
    # The recipient holds a bundle judged by trust list version 2 (say, the one that revoked a
    # key); the sender's next bundle comes with version 1, from before the revocation.
    root = _root(tmp_path)
    old, new = tmp_path / "old", tmp_path / "new"
    assert run_cli(export_argv(demo, old, "--trust-list", _sign(tmp_path, demo, root, 2))).code == 0
    assert run_cli(export_argv(demo, new, "--trust-list", _sign(tmp_path, demo, root, 1))).code == 0
    assert run_cli(["verify", new, "--root", root]).code == 0  # on its own, it verifies
    result = run_cli(["verify", new, "--root", root, "--previous", old])
    assert result.code == 1, result.out
    assert "version 1 is older than version 2" in result.out
    # The same bundle against a previous bundle judged by the same list version is accepted.
    assert run_cli(["verify", new, "--root", root, "--previous", new]).code == 0


@pytest.mark.parametrize("action", ["trust sign", "trust root", "keys revoke", "keys rotate"])
def test_an_expiry_already_past_signs_nothing(tmp_path: Path, demo: Demo, action: str) -> None:
    # A verifier refuses an expired root or trust list (B17): signing one hands the force a
    # file that cannot be used, and says nothing until a bundle carrying it is refused.
    root = _root(tmp_path)
    listed = _sign(tmp_path, demo, root)
    out = tmp_path / "new.json"
    past = ["--expires", "2020-01-01T00:00:00Z", "--out", out]
    argv = {
        "trust sign": ["trust", "sign", "--root", root, "--root-key", tmp_path / "root1.key",
                       "--in", demo.trust, "--version", 2, *past],
        "trust root": ["trust", "root", "--key", tmp_path / "root1.key",
                       "--name", "test.police.uk/root/1", *past],
        "keys revoke": ["keys", "revoke", "northshire.police.example/officer/4721",
                        "--at", "2026-06-01T00:00:00Z", "--trust-list", listed, "--root", root,
                        "--root-key", tmp_path / "root1.key", *past],
        "keys rotate": ["keys", "rotate", "--root", root, "--root-key", tmp_path / "root1.key",
                        "--key", _root_key(tmp_path, 2), "--name", "test.police.uk/root/2",
                        *past],
    }[action]  # fmt: skip
    result = run_cli(argv)
    assert result.code == 2, result.out
    assert result.err == (
        "casefile: error: --expires: 2020-01-01 00:00:00 UTC has passed; a verifier refuses "
        "what has expired (B17), so nothing was signed\n"
    )
    assert not out.exists()


def test_export_carrying_an_expired_trust_list_records_and_writes_nothing(
    tmp_path: Path, demo: Demo
) -> None:
    # The bundle would pass the export's own check (by --trust) and then be refused by every
    # recipient who pins the root (B17), after a handover naming it had been recorded.
    signer = InMemorySigner.generate()
    expired = tmp_path / "trust-list.json"
    expired.write_bytes(
        sign_trust_list(load_trust_store(demo.trust), version=1, expires=10**18,
                        root_version=1, signers=[signer])
    )  # fmt: skip
    db = tmp_path / "cases.sqlite"
    shutil.copyfile(demo.db, db)
    before = db.read_bytes()
    bundle = tmp_path / "bundle"
    result = run_cli(export_argv(demo, bundle, "--audience", "cps", "--trust-list", expired, db=db))
    assert result.code == 2, result.out
    assert result.err.startswith(f"casefile: error: {expired}: trust list version 1 expired at ")
    assert "2001-09-09" in result.err
    assert not bundle.exists()
    assert db.read_bytes() == before  # no handover recorded


@pytest.mark.parametrize(
    ("argv", "given", "said"),
    [
        (["verify", "BUNDLE", "--root"], "bundle.zip", "(this is a zip file: a bundle?)"),
        (["verify", "BUNDLE", "--root"], "keys/trust.json", "(this is a trust store, unsigned"),
        (["verify", "BUNDLE", "--root"], "keys/trust-list.json",
         "(this is a signed trust list, not a trust root)"),
        (["trust", "show"], "keys/trust.json", "'casefile trust sign' makes a signed trust list"),
        (["trust", "show"], "bundle.zip", "(this is a zip file: a bundle?)"),
    ],
)  # fmt: skip
def test_a_file_of_another_kind_where_a_root_or_trust_list_is_wanted_is_named_as_such(
    demo: Demo, argv: list[str], given: str, said: str
) -> None:
    # "root: not in canonical form (RFC 8785 ...)" for the trust store a reader gave by mistake
    # left them reading about JSON canonicalisation instead of taking the right file.
    filled = [demo.root / "bundle.zip" if a == "BUNDLE" else a for a in argv]
    result = run_cli([*filled, demo.root / given])
    assert result.code == 2, result.out
    assert result.err.startswith(f"casefile: error: {demo.root / given}: ")
    assert said in result.err
    assert len(result.err.splitlines()) == 1
