"""A verifier written from docs/FORMAT.md alone agrees with the library on hostile bundles.

Each variant is the demo's bundle re-signed by the demo's own keys with one rule broken, so
only that rule can refuse it. Both verifiers must give the same verdict, the same failures
(step, kind, record) and the same findings (kind, record); continuity findings (B9, but for
evidence_not_in_bundle) are the library's alone and are left out of the comparison, and so is
B12's byte comparison of each view with the one rebuilt from the records (the outside verifier
checks the views' names only).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casefile.bundle import open_root, verify_bundle
from casefile.errors import InputError, ManifestError
from casefile.projections import ContinuityFindingKind
from casefile.signing import load_trust_store
from casefile.verifier._actor import ACTOR_TYPES
from cli._support import run_cli
from independent._forge import Forge, load_signers
from independent._spec_rules import (
    CUSTODY_ACTOR_TYPES,
    DEFAULT_POLICY,
    PROSECUTION_ACTOR_TYPES,
    REDACTION_ACTOR_TYPES,
    Report,
    SpecError,
    jcs,
    text_fields,
)
from independent._spec_verifier import verify_dir
from independent._variants import RECORD_VARIANTS
from independent._variants_bundle import BUNDLE_VARIANTS, VIEW_VARIANTS
from independent._variants_redaction import CPS_VARIANTS, DEFENCE_VARIANTS, acts_changed
from independent._variants_text import TEXT_VARIANTS

# After the demo's handovers, which it records at the time it runs (the module's fixture runs
# it later than this line): no record may be later than the verification time.
AT = time.time_ns() + 600 * 10**9
VARIANTS = {**RECORD_VARIANTS, **BUNDLE_VARIANTS, **TEXT_VARIANTS}
# B9's continuity findings are the library's alone; V15's finding is the spec's too, and so
# is B9's evidence_not_in_bundle (§9.7.5).
CONTINUITY_ONLY = {k.value for k in ContinuityFindingKind} - {"acted_on_behalf_unconfirmed"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("independent") / "demo"
    done = run_cli(["demo", "--no-tablet", "--out", root])
    assert done.code == 0, done.err
    # The hostile variants below are written against a bundle made for no audience that
    # discloses names only; the demo's own bundles, made for the CPS and the defence,
    # are checked as they are (test_the_demo_bundles_for_an_audience_verify_in_both).
    (root / "bundle").rename(root / "bundle-cps")
    keys = root / "keys"
    exported = run_cli(
        [
            "export", "--db", root / "casefile.sqlite", "--case", "42NS1234526",
            "--out", root / "bundle", "--trust", keys / "trust.json",
            "--checkpoint-key", keys / "checkpoint.key",
            "--checkpoint-name", "northshire.police.example/casefile-checkpoint",
            "--passphrase-file", keys / "demo-passphrase.txt",
            "--store", root / "evidence", "--disclose", "name",
        ]
    )  # fmt: skip
    assert exported.code == 0, exported.err
    return root


@pytest.fixture(scope="module")
def signers(demo: Path) -> dict[bytes, Any]:
    passphrase = (demo / "keys" / "demo-passphrase.txt").read_bytes().splitlines()[0]
    return load_signers(demo / "keys", passphrase)


def _library(
    bundle: Path, trust: Path | None, pinned: bytes | None = None, oldest: int = 1
) -> Report:
    store = None if trust is None else load_trust_store(trust)
    root = None if pinned is None else open_root(pinned)
    result = verify_bundle(
        bundle, at=AT, trust=store, root=root, min_trust_version=oldest, report=True
    )
    out = Report()
    rebuilt = [e for e in result.errors if e.step == "B12" and _REBUILT.search(e.message)]
    out.views_differ = sorted(_REBUILT.search(e.message)[1] for e in rebuilt)  # type: ignore[index]
    out.failures = [(e.step, e.kind, e.seq) for e in result.errors if e not in rebuilt]
    out.noted = {(f.kind, f.seq) for f in result.findings if f.kind not in CONTINUITY_ONLY}
    out.counts = {
        f.kind: int(f.message.split()[0])
        for f in result.findings
        if f.kind in ("withheld_fields", "policy_fields_not_disclosed")
    }
    b11 = ("redaction_without_decision", "redaction_not_applied")
    out.b11 = [(f.kind, f.seq) for f in result.findings if f.kind in b11 and f.seq is not None]
    out.redacted = [(r["seq"], r["field"], _shown(r["segments"])) for r in _redacted(result)]
    assert result.verified == (out.verified and not rebuilt)
    return out


#: B12's byte comparison, which the outside verifier leaves to the library.
_REBUILT = re.compile(r"^views/(\S+) differs from the view rebuilt from the verified records")


def _redacted(result: Any) -> list[dict[str, Any]]:
    return [r.to_json() for r in result.redacted]


def _shown(segments: list[Any]) -> str:
    """A redacted text as §9.6 shows it: a marker in brackets, then a space unless it ends."""
    parts = []
    for k, s in enumerate(segments):
        last = k == len(segments) - 1
        parts.append(s if isinstance(s, str) else f"[{s['why']}]" + ("" if last else " "))
    return "".join(parts)


def _agree(
    bundle: Path, trust: Path | None, pinned: bytes | None = None, oldest: int = 1
) -> Report:
    mine = verify_dir(bundle, None if trust is None else trust.read_bytes(), AT, pinned, oldest)
    theirs = _library(bundle, trust, pinned, oldest)
    assert sorted(mine.failures, key=str) == sorted(theirs.failures, key=str)
    assert mine.noted == theirs.noted
    assert mine.counts == theirs.counts
    assert sorted(mine.b11) == sorted(theirs.b11)
    assert sorted(mine.redacted) == sorted(theirs.redacted)
    mine.views_differ = theirs.views_differ  # the library's alone: kept for the caller
    return mine


def test_the_untouched_demo_bundle_verifies_in_both(demo: Path) -> None:
    report = _agree(demo / "bundle", demo / "keys" / "trust.json")
    assert report.verified
    assert report.views_differ == []
    assert report.findings == {"withheld_fields"}


@pytest.mark.parametrize("name", ["bundle-cps", "bundle-defence"])
def test_the_demo_bundles_for_an_audience_verify_in_both(demo: Path, name: str) -> None:
    # Redacted texts, whole-field decisions and (for the defence) the restricted details
    # left out: an outside verifier reading the spec gives the library's report.
    report = _agree(demo / name, demo / "keys" / "trust.json")
    assert report.verified
    assert report.views_differ == []
    # Under policy all, the fields withheld by a signed decision (the victim's address;
    # for the defence, the back page too) are withheld, but on purpose: not reported as
    # fields the policy covers that were left out (B7).
    assert report.findings == {"withheld_fields"}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_hostile_variant_gets_the_same_report_from_both(
    name: str, demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    change, failures, findings = VARIANTS[name]
    forge = Forge.read(demo / "bundle", signers)
    options = change(forge)
    bundle = forge.write(tmp_path / "bundle", **options)
    report = _agree(bundle, demo / "keys" / "trust.json")
    assert report.failures == failures
    unread = failures and failures[0][0] in ("B1", "B2", "B3")
    assert report.findings == (set() if unread else {"withheld_fields"}) | findings
    if report.views_differ:
        # A forged record (or checkpoint) that still verifies changes what the views must
        # show: the sender kept the old views, and the library's rebuild (B12) refuses them.
        assert not failures
        assert _content(bundle) != _content(demo / "bundle")


def _content(bundle: Path) -> tuple[bytes, ...]:
    """What the views are built from (§9.6.2): records, disclosures, the checkpoint's body."""
    checkpoint = (bundle / "checkpoint.txt").read_bytes().split(b"\n\n", 1)[0]
    records, disclosures = ((bundle / n).read_bytes() for n in ("records.bin", "disclosures.bin"))
    return records, disclosures, checkpoint


@pytest.mark.parametrize("name", sorted(VIEW_VARIANTS))
def test_a_view_altered_and_the_manifest_resigned_is_refused(
    name: str, demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    # Every byte is covered by a manifest signed by the sender's own key: only the
    # rebuild of each view from the verified records (B12) can tell that one lies.
    change, failures, differ = VIEW_VARIANTS[name]
    bundle = Forge.read(demo / "bundle", signers).write(tmp_path / "bundle", views=change)
    report = _agree(bundle, demo / "keys" / "trust.json")
    assert report.failures == failures
    assert report.views_differ == differ
    with pytest.raises(ManifestError, match=r"views/\S+ (differs from the view rebuilt|is not)"):
        verify_bundle(bundle, at=AT, trust=load_trust_store(demo / "keys" / "trust.json"))


def test_an_audience_export_under_a_narrower_policy_still_carries_every_text(
    demo: Path, tmp_path: Path
) -> None:
    # FORMAT.md 9.6.1: the policy chooses personal values; casefile's writer names every text
    # field beside them, so each text travels as the audience's decisions leave it.
    keys = demo / "keys"
    exported = run_cli(
        [
            "export", "--db", demo / "casefile.sqlite", "--case", "42NS1234526",
            "--out", tmp_path / "bundle", "--trust", keys / "trust.json",
            "--checkpoint-key", keys / "checkpoint.key",
            "--checkpoint-name", "northshire.police.example/casefile-checkpoint",
            "--passphrase-file", keys / "demo-passphrase.txt",
            "--store", demo / "evidence", "--disclose", "name", "--audience", "cps",
        ]
    )  # fmt: skip
    assert exported.code == 0, exported.err
    report = _agree(tmp_path / "bundle", keys / "trust.json")
    assert report.verified
    assert report.b11 == []


def test_a_bundle_for_an_audience_whose_policy_leaves_texts_out_reports_each_one(
    demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    # FORMAT.md 9.6.1: a sender whose policy leaves texts out kept them from the audience
    # with no signed decision, so B11 names each one rather than the bundle passing for redacted.
    forge = Forge.read(demo / "bundle-cps", signers)
    forge.disclosures = [d for d in forge.disclosures if "units" not in d]
    texts = [(h["seq"], n) for h in forge.headers for n in h["pd"] if n in text_fields(h)]
    names = sorted({d["name"] for d in forge.disclosures})

    def narrower(manifest: dict[str, Any]) -> None:
        manifest["disclosure_policy"] = {"mode": "list", "fields": names}

    bundle = forge.write(tmp_path / "bundle", manifest_edit=narrower)
    report = _agree(bundle, demo / "keys" / "trust.json")
    assert report.verified
    assert sorted(report.b11) == sorted(("redaction_without_decision", s) for s, _ in texts)
    assert len(report.redacted) == len(texts)


AUDIENCE_VARIANTS = {
    **{("bundle-cps", k): v for k, v in CPS_VARIANTS.items()},
    **{("bundle-defence", k): v for k, v in DEFENCE_VARIANTS.items()},
}


@pytest.mark.parametrize(("source", "name"), sorted(AUDIENCE_VARIANTS))
def test_redaction_variant_gets_the_same_report_from_both(
    source: str, name: str, demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    # Decisions forged, absent, by a key without the role, withdrawn, for another audience,
    # field or record; erasures; a restricted field for the defence; the audience changed.
    change, failures, b11 = AUDIENCE_VARIANTS[(source, name)]
    forge = Forge.read(demo / source, signers)
    bundle = forge.write(tmp_path / "bundle", **change(forge))
    report = _agree(bundle, demo / "keys" / "trust.json")
    assert sorted(report.failures, key=str) == sorted(failures, key=str)
    assert sorted(report.b11) == sorted(b11)


# Runs around the statement's withheld [4, 10) and its end (131 units), well formed or not.
_RUN = st.tuples(st.integers(0, 133), st.integers(1, 6)).map(lambda p: [p[0], p[0] + p[1]])
_RUNS = st.none() | st.lists(_RUN, max_size=3)
_AUDIENCES = st.sets(st.sampled_from(["cps", "court", "defence", "victim"]), min_size=1)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    runs=_RUNS,
    audiences=_AUDIENCES,
    withdrawn=st.booleans(),
    erased=st.just(False) | _RUNS,
)
def test_any_decision_withdrawal_and_erasure_gets_the_same_report_from_both(
    runs: list[list[int]] | None,
    audiences: set[str],
    withdrawn: bool,
    erased: list[list[int]] | bool | None,
    demo: Path,
    signers: dict[bytes, Any],
) -> None:
    # Covers, findings and markers for runs overlapping, adjacent, unsorted, past the end.
    forge = Forge.read(demo / "bundle-cps", signers)
    change = acts_changed(runs, sorted(audiences), withdrawn, erased)
    with tempfile.TemporaryDirectory() as tmp:
        bundle = forge.write(Path(tmp) / "bundle", **change(forge))
        _agree(bundle, demo / "keys" / "trust.json")


def test_a_listed_evidence_file_that_is_absent_fails_b4_alone_in_both(
    demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    forge = Forge.read(demo / "bundle", signers)
    bundle = forge.write(tmp_path / "bundle")
    next((bundle / "evidence").iterdir()).unlink()
    report = _agree(bundle, demo / "keys" / "trust.json")
    assert report.failures == [("B4", "manifest", None)]


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("checkpoint.txt", b"not the checkpoint\n"),  # §9.7.2: B5 only after B4 passed
        ("trust.json", b"{}"),  # B10 does not check a trust.json that failed B4
    ],
)
def test_a_file_changed_after_signing_fails_b4_and_no_later_step_that_reads_it(
    path: str, content: bytes, demo: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(demo / "bundle", bundle)
    (bundle / path).write_bytes(content)
    report = _agree(bundle, demo / "keys" / "trust.json")
    assert report.failures == [("B4", "manifest", None)]


def _envelope_with_a_space(bundle: Path) -> None:
    path = bundle / "manifest.dsse.json"
    path.write_bytes(path.read_bytes().replace(b'"payloadType":', b'"payloadType": '))


@pytest.mark.parametrize(
    ("variant", "envelope_spaced", "failures", "findings"),
    [
        ("resigned_unchanged", False, [], {"trust_from_bundle", "withheld_fields"}),
        ("manifest_with_a_final_newline", False, [("B3", "manifest", None)], {"trust_from_bundle"}),
        ("resigned_unchanged", True, [("B1", "manifest", None)], set()),
    ],
)
def test_trust_from_bundle_is_reported_once_the_bundle_keys_were_read(
    variant: str,
    envelope_spaced: bool,
    failures: list[tuple[str, str, int | None]],
    findings: set[str],
    demo: Path,
    signers: dict[bytes, Any],
    tmp_path: Path,
) -> None:
    change = VARIANTS[variant][0]
    forge = Forge.read(demo / "bundle", signers)
    bundle = forge.write(tmp_path / "bundle", **change(forge))
    if envelope_spaced:
        _envelope_with_a_space(bundle)
    report = _agree(bundle, None)
    assert report.failures == failures
    assert report.findings == findings


def test_a_verifier_trust_store_with_a_bidi_mark_in_a_key_name_is_unusable_in_both(
    demo: Path, tmp_path: Path
) -> None:
    doc = json.loads((demo / "keys" / "trust.json").read_bytes())
    doc["keys"][1]["name"] = "northshire.police.example/lab/\u202eFS-0417"
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SpecError):
        verify_dir(demo / "bundle", trust.read_bytes(), AT)
    with pytest.raises(InputError):
        load_trust_store(trust)


def _rfc3339(ns: int) -> str:
    whole = datetime.fromtimestamp(ns // 10**9, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{whole}.{ns % 10**9:09d}Z"


def test_a_checkpoint_key_valid_only_after_the_last_record_still_signs_at_v12(
    demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    # V12 judges valid_from against the verification time, expiry and revocation against the
    # last record: a checkpoint key issued after the last record may sign the checkpoint.
    forge = Forge.read(demo / "bundle", signers)
    last = max(h["time"] for h in forge.headers)
    assert last + 10**9 < AT
    doc = json.loads((demo / "keys" / "trust.json").read_bytes())
    for entry in doc["keys"]:
        if "checkpoint" in entry["name"]:
            entry["valid_from"] = _rfc3339(last + 10**9)
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(doc), encoding="utf-8")
    report = _agree(demo / "bundle", trust)
    assert report.verified


def test_a_manifest_key_revoked_at_the_last_record_fails_b2_after_the_records(
    demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    forge = Forge.read(demo / "bundle", signers)
    last = max(h["time"] for h in forge.headers)
    doc = json.loads((demo / "keys" / "trust.json").read_bytes())
    for entry in doc["keys"]:
        if "checkpoint" in entry["name"]:
            entry["revoked_at"] = _rfc3339(last)
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(doc), encoding="utf-8")
    report = _agree(demo / "bundle", trust)
    assert sorted(report.failures) == [
        ("B2", "manifest", None),
        ("V12", "checkpoint_signature", None),
    ]


def test_a_checkpoint_key_revoked_before_an_earlier_record_fails_when_the_last_lags(
    demo: Path, signers: dict[bytes, Any], tmp_path: Path
) -> None:
    # The last record's clock lags the one before it: the checkpoint still cannot predate
    # the record before it, so a key revoked between the two cannot have signed it (V12, B2).
    forge = Forge.read(demo / "bundle", signers)
    t36 = forge.headers[-2]["time"]
    forge.headers[-1]["time"] = t36 - 10 * 10**9
    bundle = forge.write(tmp_path / "bundle")
    doc = json.loads((demo / "keys" / "trust.json").read_bytes())
    for entry in doc["keys"]:
        if "checkpoint" in entry["name"]:
            entry["revoked_at"] = _rfc3339(t36 - 5 * 10**9)
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(doc), encoding="utf-8")
    report = _agree(bundle, trust)
    # B13: so cannot it have signed a handover's checkpoint over records made after it.
    revoked = t36 - 5 * 10**9
    handovers = [
        ("B13", "handover", h["seq"])
        for h in forge.headers
        if h["type"] == "case.handed_over"
        and max(p["time"] for p in forge.headers[: h["seq"] - 1]) >= revoked
    ]
    assert sorted(report.failures) == sorted(
        [("B2", "manifest", None), ("V12", "checkpoint_signature", None), *handovers]
    )


@pytest.mark.parametrize(
    ("field", "text", "accepted"),
    [
        ("name", "northshire.police.example/lab/FS\u00a0-0417", False),  # White_Space
        ("name", "northshire.police.example/lab/FS\u200a-0417", False),
        ("name", "northshire.police.example/lab/FS\u00ad-0417", False),  # soft hyphen, Cf
        ("name", "northshire.police.example/lab/FS\U000e0041-0417", False),  # a tag
        ("name", "northshire.police.example/lab/FS-0417e\u0301", False),  # not NFC
        ("name", "northshire.police.example/lab/FS-0417\u00e9", True),
        ("holder.name", "Dr Priya\u00a0Nair", True),  # holder fields may hold spaces
        ("holder.name", "Dr Priya\u200aNair", True),
        ("holder.name", "Dr Priya Nair\u2028", False),
        ("holder.name", "Dr Priya Nair\u0085", False),  # a C1 control
        ("holder.name", "Dr Priya \u2066Nair\u2069", False),  # an isolate
        ("holder.name", "Dr Priya Nair\U0001d173", False),  # a musical format character
        ("holder.force", "Northshire\u061c Scientific", False),  # Arabic letter mark
        ("holder.rank", "", True),
        ("holder.number", "", False),
    ],
)
def test_display_text_of_a_trust_store_is_judged_alike_by_both(
    field: str, text: str, accepted: bool, demo: Path, tmp_path: Path
) -> None:
    doc = json.loads((demo / "keys" / "trust.json").read_bytes())
    (entry,) = [e for e in doc["keys"] if "FS-0417" in e["name"]]
    if field == "name":
        entry["name"] = text
    else:
        entry["holder"][field.split(".")[1]] = text
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    if accepted:
        verify_dir(demo / "bundle", trust.read_bytes(), AT)
        load_trust_store(trust)
        return
    with pytest.raises(SpecError):
        verify_dir(demo / "bundle", trust.read_bytes(), AT)
    with pytest.raises(InputError):
        load_trust_store(trust)


def test_the_outside_verifier_reads_the_default_policy_of_the_spec() -> None:
    text = (Path(__file__).parents[2] / "docs" / "FORMAT.md").read_text(encoding="utf-8")
    section = text.split("#### 7.1.3 Policy")[1].split("### 7.2")[0]
    block = section.split("```json")[1].split("```")[0]
    assert json.loads(block) == DEFAULT_POLICY


def test_the_spec_table_of_who_acted_names_exactly_the_types_v15_checks() -> None:
    text = (Path(__file__).parents[2] / "docs" / "FORMAT.md").read_text(encoding="utf-8")
    table = text.split("### 8.1 Who acted")[1].split("## 9.")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    named: set[str] = set()
    for row in rows:
        first = row.split(" | ")[0]
        if first.startswith("| `exhibit.<kind>`"):
            named |= {f"exhibit.{k}" for k in re.findall(r"`([a-z_]+)`", first.split(":", 1)[1])}
        else:
            named |= set(re.findall(r"`([a-z_.]+)`", first))
    assert named == set(ACTOR_TYPES)
    expected = {
        *CUSTODY_ACTOR_TYPES,
        *REDACTION_ACTOR_TYPES,
        *PROSECUTION_ACTOR_TYPES,
        "record.corrected",
    }
    assert named == expected | {"record.confirmed", "receipt.recorded"}


def test_canonical_json_sorts_names_by_utf16_code_units() -> None:
    assert (
        jcs({"\ue000": 1, "\U00010000": 2, "a": 3}) == '{"a":3,"\U00010000":2,"\ue000":1}'.encode()
    )
    assert jcs({"s": "\u001f/\u007f\u2028é"}) == '{"s":"\\u001f/\u007f\u2028é"}'.encode()
