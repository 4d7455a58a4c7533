"""B12: a bundle's views are proven by rebuilding them; --render hands out only proven views."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _bundlecase import AT, World, carried_views, make_bundle, replace_and_resign
from casefile.bundle import VIEW_NAMES, _views, open_bundle, render_views, verify_bundle
from casefile.bundle._dsse import seal_envelope
from casefile.bundle._manifest import FileEntry, manifest_bytes
from casefile.bundle._views import first_difference
from casefile.errors import BundleError, ManifestError
from casefile.projections import _casefile
from casefile.signing import TrustStore, dump_trust_store
from cli._support import run_cli

WORLD = World()


def _add_resigned(bundle_dir: Path, path: str, data: bytes) -> None:
    """Add a file and re-sign the manifest over it: what a holder of the manifest key can do."""
    (bundle_dir / path).write_bytes(data)
    with open_bundle(bundle_dir) as bundle:
        m = bundle.manifest
    entry = FileEntry(path, len(data), hashlib.sha256(data).digest())
    files = tuple(sorted((*m.files, entry), key=lambda f: f.path))
    manifest = dataclasses.replace(m, files=files)
    (bundle_dir / "manifest.dsse.json").write_bytes(
        seal_envelope(manifest_bytes(manifest), WORLD.log)
    )


@pytest.mark.parametrize("audience", [None, "cps", "defence"])
def test_the_views_of_a_bundle_are_rebuilt_byte_for_byte(
    tmp_path: Path, audience: str | None
) -> None:
    make_bundle(tmp_path / "b", WORLD, audience=audience)
    assert sorted(p.name for p in (tmp_path / "b" / "views").iterdir()) == sorted(VIEW_NAMES)
    result = verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust)
    assert result.verified, result.errors
    document = json.loads((tmp_path / "b" / "views" / "casefile.json").read_bytes())
    assert document["audience"] == audience
    # Verified again much later: nothing in a view depends on when it is read.
    assert verify_bundle(tmp_path / "b", at=AT + 10**18, trust=WORLD.trust).verified


def test_b12_reads_the_records_into_one_exhibit_register_for_both_views(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_bundle(tmp_path / "b", WORLD, audience="cps")
    built: list[int] = []
    real = _casefile.build_exhibit_register

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_casefile, "build_exhibit_register", counted)
    monkeypatch.setattr(_views, "build_exhibit_register", counted, raising=False)
    assert verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust).verified
    assert len(built) == 1
    views = tmp_path / "b" / "views"
    register = json.loads((views / "exhibits.json").read_bytes())
    case_file = json.loads((views / "casefile.json").read_bytes())
    # MG12 and the register name the same exhibits: they are one reading of the records.
    assert [row["reference"] for row in case_file["mg12"]] == [
        ex["reference"] for ex in register["exhibits"]
    ]


@pytest.mark.parametrize("view", ["casefile.json", "exhibits.json"])
def test_a_view_altered_and_the_manifest_resigned_is_refused(tmp_path: Path, view: str) -> None:
    make_bundle(tmp_path / "b", WORLD, audience="cps")
    path = f"views/{view}"
    document: dict[str, Any] = json.loads((tmp_path / "b" / path).read_bytes())
    document["audience" if view == "casefile.json" else "format"] = "defence"
    altered = json.dumps(document, indent=2, sort_keys=True).encode() + b"\n"
    replace_and_resign(tmp_path / "b", path, altered, WORLD)
    with pytest.raises(ManifestError, match=rf"{path} differs from the view rebuilt") as caught:
        verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust)
    assert caught.value.step == "B12"
    where = "/audience" if view == "casefile.json" else "/format"
    assert f"JSON pointer {where}" in caught.value.message
    report = verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust, report=True)
    assert [(e.step, e.kind) for e in report.errors] == [("B12", "manifest")]


def test_the_case_file_page_altered_and_the_manifest_resigned_is_refused(tmp_path: Path) -> None:
    make_bundle(tmp_path / "b", WORLD, audience="defence")
    page = (tmp_path / "b" / "views" / "casefile.html").read_bytes()
    assert page.startswith(b"<!DOCTYPE html>")
    at = page.index(b"</body>")
    altered = page[:at] + b"The defendant admitted the offence.\n" + page[at:]
    replace_and_resign(tmp_path / "b", "views/casefile.html", altered, WORLD)
    with pytest.raises(ManifestError, match=rf"views/casefile.html differs .* at byte {at}$"):
        verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust)


def test_the_case_file_page_shows_the_checkpoint_the_bundle_is_proven_against(
    tmp_path: Path,
) -> None:
    make_bundle(tmp_path / "b", WORLD)
    result = verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust)
    assert result.checkpoint is not None
    page = (tmp_path / "b" / "views" / "casefile.html").read_text("utf-8")
    assert result.checkpoint.root.hex() in page
    # Its findings depend on how it is verified: the page points to the report, never "none".
    assert "The verification made no finding" not in page
    assert "casefile verify" in page


def test_an_auditor_naming_a_holder_otherwise_still_gets_the_bundles_views_proven(
    tmp_path: Path,
) -> None:
    # Key ids decide who signed; the views show the holders as the bundle's trust.json
    # names them, so they do not change with the wording of the auditor's own store.
    make_bundle(tmp_path / "b", WORLD)
    renamed = TrustStore(
        [
            dataclasses.replace(e, holder=dataclasses.replace(e.holder, name=e.holder.name + " Jr"))
            for e in WORLD.trust
        ],
        WORLD.trust.policy,
    )
    result = verify_bundle(tmp_path / "b", at=AT, trust=renamed, report=True)
    assert result.verified, result.errors


def test_a_view_that_is_not_json_names_its_first_differing_byte(tmp_path: Path) -> None:
    make_bundle(tmp_path / "b", WORLD)
    carried = (tmp_path / "b" / "views" / "casefile.json").read_bytes()
    replace_and_resign(tmp_path / "b", "views/casefile.json", carried[:40] + b"\x00", WORLD)
    with pytest.raises(ManifestError, match=r"at byte 40$"):
        verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust)


@pytest.mark.parametrize("name", ["casefile.pdf", "summary.html", "exhibits.JSON"])
def test_a_view_the_verifier_cannot_build_is_refused(tmp_path: Path, name: str) -> None:
    make_bundle(tmp_path / "b", WORLD)
    _add_resigned(tmp_path / "b", f"views/{name}", b"<p>the defendant confessed</p>\n")
    report = verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust, report=True)
    assert not report.verified
    ((error),) = report.errors
    assert error.step == "B12"
    assert f"views/{name} is not a view this verifier can rebuild" in error.message


def test_a_view_of_a_failing_bundle_is_not_reported_as_well(tmp_path: Path) -> None:
    # B12 proves nothing of a bundle that failed: its report names the real fault alone.
    make_bundle(tmp_path / "b", WORLD)
    (tmp_path / "b" / "views" / "casefile.json").write_bytes(b"{}\n")
    report = verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust, report=True)
    assert [e.step for e in report.errors] == ["B4"]


def test_render_writes_the_proven_views(tmp_path: Path) -> None:
    make_bundle(tmp_path / "b", WORLD, audience="cps")
    done = render_views(tmp_path / "b", tmp_path / "out", at=AT, trust=WORLD.trust)
    assert done.verification.verified
    assert done.path == tmp_path / "out"
    assert done.views == tuple(sorted(VIEW_NAMES))
    for name in VIEW_NAMES:
        written = (tmp_path / "out" / name).read_bytes()
        assert written == (tmp_path / "b" / "views" / name).read_bytes()
    assert carried_views(tmp_path / "b", WORLD.trust, "cps") == {
        n: (tmp_path / "out" / n).read_bytes() for n in VIEW_NAMES
    }
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_render_writes_nothing_for_a_bundle_that_fails(tmp_path: Path) -> None:
    make_bundle(tmp_path / "b", WORLD)
    raw = bytearray((tmp_path / "b" / "records.bin").read_bytes())
    raw[-5] ^= 1
    replace_and_resign(tmp_path / "b", "records.bin", bytes(raw), WORLD)
    done = render_views(tmp_path / "b", tmp_path / "out", at=AT, trust=WORLD.trust)
    assert not done.verification.verified
    assert (done.path, done.views) == (None, ())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "b.evidence"]


def test_render_refuses_to_overwrite(tmp_path: Path) -> None:
    make_bundle(tmp_path / "b", WORLD)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "casefile.json").write_bytes(b"a reader's own notes\n")
    with pytest.raises(BundleError, match="exists and is not empty; refusing to overwrite"):
        render_views(tmp_path / "b", tmp_path / "out", at=AT, trust=WORLD.trust)
    assert (tmp_path / "out" / "casefile.json").read_bytes() == b"a reader's own notes\n"


def test_render_into_the_bundle_itself_is_refused(tmp_path: Path) -> None:
    # Written there, the views would be files the manifest does not list: the bundle broken.
    make_bundle(tmp_path / "b", WORLD)
    with pytest.raises(BundleError, match="inside the bundle itself"):
        render_views(tmp_path / "b", tmp_path / "b" / "read", at=AT, trust=WORLD.trust)
    assert verify_bundle(tmp_path / "b", at=AT, trust=WORLD.trust).verified


def test_verify_render_writes_nothing_for_a_bundle_that_fails(tmp_path: Path) -> None:
    make_bundle(tmp_path / "b", WORLD)
    (tmp_path / "trust.json").write_text(dump_trust_store(WORLD.trust), encoding="utf-8")
    argv = ["verify", tmp_path / "b", "--trust", tmp_path / "trust.json", "--at"]
    argv += ["2030-01-01T00:00:00Z", "--render", tmp_path / "out"]
    done = run_cli(argv)
    assert done.code == 0, done.err
    assert "views written to" in done.err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(VIEW_NAMES)
    replace_and_resign(tmp_path / "b", "views/exhibits.json", b"{}\n", WORLD)
    argv[-1] = tmp_path / "again"
    failed = run_cli(argv)
    assert failed.code == 1
    assert "nothing written to" in failed.err
    assert "B12" in failed.out
    assert not (tmp_path / "again").exists()
    refused = run_cli([*argv[:-1], tmp_path / "out"])
    assert refused.code == 2
    assert "refusing to overwrite" in refused.err
    assert "Traceback" not in refused.err


@given(st.binary(max_size=64), st.binary(max_size=64))
def test_the_first_differing_byte_is_where_two_views_part(a: bytes, b: bytes) -> None:
    where = first_difference(a, b)
    offset = int(where.split()[1].rstrip(","))
    assert a[:offset] == b[:offset]
    assert offset == min(len(a), len(b)) or a[offset] != b[offset]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)


def _at(document: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:] if pointer != "/" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


@given(_JSON, _JSON)
def test_the_json_pointer_names_a_value_the_two_views_disagree_on(a: Any, b: Any) -> None:
    where = first_difference(json.dumps(a).encode(), json.dumps(b).encode())
    # Compared as JSON: Python holds False == 0, JSON does not.
    if json.dumps(a) == json.dumps(b):
        assert "JSON pointer" not in where
        return
    pointer = where.split("JSON pointer ", 1)[1]
    try:
        left = _at(a, pointer)
    except (KeyError, IndexError):
        return  # one side lacks it: that is the difference
    try:
        right = _at(b, pointer)
    except (KeyError, IndexError):
        return
    assert left != right or type(left) is not type(right)
