"""``casefile redact`` and ``casefile export --audience``: shown, confirmed, recorded, applied."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from cli._support import Demo, export_argv, run_cli

STATEMENT = 7  # the victim's statement in the demo case


def _store(demo: Demo, tmp_path: Path) -> Path:
    db = tmp_path / "casefile.sqlite"
    shutil.copy(demo.db, db)
    return db


def _redact(demo: Demo, db: Path, *extra: object) -> list[object]:
    return [
        "redact", "--db", db, "--case", "42NS1234526", "--trust", demo.trust,
        "--record", STATEMENT, "--field", "body", *extra,
    ]  # fmt: skip


def _decide(demo: Demo, db: Path, *extra: object) -> list[object]:
    return _redact(
        demo, db, "--match", "Larch Close, Northam", "--audience", "court",
        "--reason", "irrelevant_personal_data", "--key", demo.root / "keys" / "pc-4721.key",
        "--passphrase-file", demo.passphrase, *extra,
    )  # fmt: skip


def test_show_numbers_each_unit_and_marks_what_the_audience_does_not_see(
    demo: Demo, tmp_path: Path
) -> None:
    db = _store(demo, tmp_path)
    whole = run_cli(_redact(demo, db, "--show"))
    assert whole.code == 0, whole.err
    assert "[0]I [1]live [2]alone [3]at [4]7 [5]Wren" in whole.out
    cps = run_cli(_redact(demo, db, "--show", "--audience", "cps"))
    assert cps.code == 0, cps.err
    marker = "[4-9][withheld 6 words: victim_or_witness_contact_details]"
    assert f"[3]at {marker}\n  [10]Since" in cps.out
    assert "Wren" not in cps.out


def test_decision_prints_the_runs_chosen_and_is_recorded_with_yes(
    demo: Demo, tmp_path: Path
) -> None:
    db = _store(demo, tmp_path)
    done = run_cli(_decide(demo, db, "--yes"))
    assert done.code == 0, done.err
    assert "withhold   units 24-26 (3 words): 'Larch Close, Northam, '" in done.out
    assert "recorded   decision 79: withheld from court (irrelevant_personal_data)" in done.out
    out = tmp_path / "for-court"
    exported = run_cli([*export_argv(demo, out, "--audience", "court")[:2], db,
                        *export_argv(demo, out, "--audience", "court")[3:]])  # fmt: skip
    assert exported.code == 0, exported.err
    assert "audience   court" in exported.out
    report = json.loads(run_cli(["verify", out, "--trust", demo.trust, "--json"]).out)
    assert report["verified"] is True
    assert report["manifest"]["audience"] == "court"
    assert not [f for f in report["findings"] if f["kind"].startswith("redaction_")]
    text = run_cli(["verify", out, "--trust", demo.trust]).out
    assert "[withheld 3 words: irrelevant_personal_data]" in text
    assert "Wren Terrace" in text  # the court's decisions are not the CPS's


def test_decision_is_not_recorded_without_confirmation(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _store(demo, tmp_path)
    before = db.read_bytes()
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    refused = run_cli(_decide(demo, db))
    assert refused.code == 2
    assert "give --yes" in refused.err
    assert "withhold   units 24-26" in refused.out  # shown before anything is asked
    assert db.read_bytes() == before


def test_decision_needs_a_key_holding_the_redactor_role(demo: Demo, tmp_path: Path) -> None:
    db = _store(demo, tmp_path)
    argv = _decide(demo, db, "--yes")
    argv[argv.index("--key") + 1] = demo.root / "keys" / "ps-2291.key"
    refused = run_cli(argv)
    assert refused.code == 2
    assert "redactor" in refused.err
    assert "Traceback" not in refused.err


def test_decision_without_a_choice_of_units_is_a_usage_error(demo: Demo, tmp_path: Path) -> None:
    db = _store(demo, tmp_path)
    refused = run_cli(_redact(demo, db, "--audience", "cps", "--reason", "other"))
    assert refused.code == 2
    assert "--match, --units, --offsets or --whole-field" in refused.err


def test_units_copied_from_show_withhold_the_last_unit_shown(demo: Demo, tmp_path: Path) -> None:
    # --show prints "[4-9][withheld ...]" and a plan "units 4-9": both include unit 9. Read
    # as 4 to 8, --units 4-9 left the postcode's last word ("2LB.") revealed.
    db = _store(demo, tmp_path)
    key = ["--key", demo.root / "keys" / "pc-4721.key", "--passphrase-file", demo.passphrase]
    argv = _redact(demo, db, "--units", "4-9", "--audience", "court",
                   "--reason", "victim_or_witness_contact_details", *key, "--yes")  # fmt: skip
    done = run_cli(argv)
    assert done.code == 0, done.err
    assert "withhold   units 4-9 (6 words): '7 Wren Terrace, Southby NS9 2LB. '" in done.out
    shown = run_cli(_redact(demo, db, "--show", "--audience", "court"))
    assert "[3]at [4-9][withheld 6 words: victim_or_witness_contact_details]" in shown.out
    assert "2LB" not in shown.out
    one = run_cli(_redact(demo, db, "--units", "12", "--audience", "court",
                          "--reason", "other", "--explanation", "test", *key))  # fmt: skip
    assert "withhold   unit 12 (1 word): 'mother '" in one.out


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (["--units", "9-4"], "--units: 9-4 ends before it starts"),
        (["--units", "125-140"], "--units: the run of units 125 to 140 ends past the text"),
        (["--units", "4-"], "--units: '4-' is not a unit A or a range A-B"),
        (["--offsets", "5-5"], "--offsets: 5-5 is empty"),
        (["--match", ""], "--match: give the text to withhold, not an empty string"),
        (["--match", "zebra"], "--match: 'zebra' is not in the revealed text"),
        (["--match", "Larch", "--occurrence", "3"], "--occurrence: the text occurs 2 time(s)"),
    ],
)
def test_a_bad_choice_of_units_is_named_by_its_option(
    demo: Demo, tmp_path: Path, choice: list[str], message: str
) -> None:
    db = _store(demo, tmp_path)
    before = db.read_bytes()
    argv = _redact(demo, db, *choice, "--audience", "cps", "--reason", "witness_identity",
                   "--key", demo.root / "keys" / "pc-4721.key",
                   "--passphrase-file", demo.passphrase, "--yes")  # fmt: skip
    refused = run_cli(argv)
    assert refused.code == 2
    assert f"casefile: error: {message}" in refused.err
    assert "recorded" not in refused.out
    assert db.read_bytes() == before


def test_a_field_the_record_lacks_is_refused_not_shown_as_withheld(
    demo: Demo, tmp_path: Path
) -> None:
    db = _store(demo, tmp_path)
    argv = _redact(demo, db, "--show")
    argv[argv.index("--field") + 1] = "bdy"
    refused = run_cli(argv)
    assert refused.code == 2
    assert "--field: record 7 commits no field 'bdy' (it commits: body, place)" in refused.err
    assert "not held" not in refused.out


def test_units_of_a_value_are_refused_with_the_option_that_withholds_it(
    demo: Demo, tmp_path: Path
) -> None:
    db = _store(demo, tmp_path)
    argv = _redact(demo, db, "--match", "Wren", "--audience", "cps",
                   "--reason", "witness_identity", "--key", demo.root / "keys" / "pc-4721.key",
                   "--passphrase-file", demo.passphrase, "--yes")  # fmt: skip
    argv[argv.index("--record") + 1] = 2
    argv[argv.index("--field") + 1] = "address"
    refused = run_cli(argv)
    assert refused.code == 2
    assert "--field: address of record 2 is a value, not a text" in refused.err
    assert "give --whole-field" in refused.err


def test_reason_other_without_explanation_is_refused_before_the_key_is_asked_for(
    demo: Demo, tmp_path: Path
) -> None:
    db = _store(demo, tmp_path)
    # No passphrase file: had the key been unlocked first, the error would be about that.
    argv = _redact(demo, db, "--match", "Larch", "--audience", "cps", "--reason", "other",
                   "--key", demo.root / "keys" / "pc-4721.key", "--yes")  # fmt: skip
    refused = run_cli(argv)
    assert refused.code == 2
    assert "--explanation is needed with --reason other" in refused.err
    assert refused.out == ""


def test_key_without_the_redactor_role_is_refused_before_a_plan_is_shown(
    demo: Demo, tmp_path: Path
) -> None:
    db = _store(demo, tmp_path)
    argv = _decide(demo, db)
    key = demo.root / "keys" / "ps-2291.key"
    argv[argv.index("--key") + 1] = key
    refused = run_cli(argv)
    assert refused.code == 2
    assert f"{key}: the key of northshire.police.example/staff/PS-2291" in refused.err
    assert "needs one of: redactor" in refused.err
    assert refused.out == ""  # nothing to confirm: it could never be recorded


def test_an_audience_bundle_without_personal_values_still_carries_its_texts(
    demo: Demo, tmp_path: Path
) -> None:
    # --no-disclosures once withheld every text as well: 46 redaction_without_decision findings.
    out = tmp_path / "for-cps"
    db = _store(demo, tmp_path)
    done = run_cli(export_argv(demo, out, "--audience", "cps", "--no-disclosures", db=db))
    assert done.code == 0, done.err
    assert "(policy: none for personal values; every text as the audience's" in done.out
    report = json.loads(run_cli(["verify", out, "--trust", demo.trust, "--json"]).out)
    assert report["verified"] is True
    assert not [f for f in report["findings"] if f["kind"].startswith("redaction_")]
    shown = run_cli(["verify", out, "--trust", demo.trust]).out
    assert "[withheld 6 words: victim_or_witness_contact_details]" in shown
    assert b"Wren" not in (out / "disclosures.bin").read_bytes()
    assert b"Margaret Hale" not in (out / "disclosures.bin").read_bytes()  # a value: none


def test_disclosing_a_restricted_detail_to_the_defence_is_refused_not_dropped(
    demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "for-defence"
    refused = run_cli(export_argv(demo, out, "--audience", "defence", "--disclose", "name",
                                  "--disclose", "address"))  # fmt: skip
    assert refused.code == 2
    assert "--disclose: address is a witness's restricted detail" in refused.err
    assert not out.exists()
    done = run_cli(
        export_argv(
            demo, out, "--audience", "cps", "--disclose", "address", db=_store(demo, tmp_path)
        )
    )
    assert done.code == 0, done.err


def test_show_says_a_field_withheld_whole_is_withheld_not_that_it_is_a_value(
    demo: Demo, tmp_path: Path
) -> None:
    db = _store(demo, tmp_path)
    argv = _redact(demo, db, "--show", "--audience", "cps")
    argv[argv.index("--record") + 1] = 2
    argv[argv.index("--field") + 1] = "address"
    shown = run_cli(argv)
    assert shown.code == 0, shown.err
    assert "withheld   whole: victim_or_witness_contact_details" in shown.out
    assert "value" not in shown.out
    defence = run_cli([*argv[:-1], "defence"])
    assert "withheld   whole: restricted" in defence.out
    court = run_cli([*argv[:-1], "court"])
    assert "value      7 Wren Terrace" in court.out


def test_a_key_the_trust_store_lacks_is_refused_before_a_plan_is_shown(
    demo: Demo, tmp_path: Path
) -> None:
    db = _store(demo, tmp_path)
    stranger = tmp_path / "stranger.key"
    made = run_cli(["keys", "new", "--name", "force.example/officer/9", "--holder-name", "S",
                    "--rank", "PC", "--number", "9", "--force", "Other Police", "--out", stranger,
                    "--passphrase-file", demo.passphrase])  # fmt: skip
    assert made.code == 0, made.err
    argv = _decide(demo, db)
    argv[argv.index("--key") + 1] = stranger
    refused = run_cli(argv)
    assert refused.code == 2
    assert f"{stranger}: holds a key that {demo.trust} does not hold" in refused.err
    assert refused.out == ""


def test_a_text_can_be_disclosed_by_name_without_an_audience(demo: Demo, tmp_path: Path) -> None:
    # --disclose once knew only personal values, so no text could travel without all of them.
    out = tmp_path / "notes-only"
    done = run_cli(export_argv(demo, out, "--disclose", "text"))
    assert done.code == 0, done.err
    shown = run_cli(["verify", out, "--trust", demo.trust]).out
    assert "disclosures  list: text" in shown
    carried = (out / "disclosures.bin").read_bytes()
    assert b"Scene " in carried  # units are stored one by one: "Scene ", "examined; "
    assert b"Margaret Hale" not in carried
    assert b"Wren" not in carried


class _Terminal(io.StringIO):
    """A keyboard: a terminal whose person types ``answer``."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "recorded"), [("y\n", True), ("n\n", False), ("", False)])
def test_a_decision_at_a_terminal_is_recorded_only_when_confirmed(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, recorded: bool
) -> None:
    db = _store(demo, tmp_path)
    monkeypatch.setattr(sys, "stdin", _Terminal(answer))
    done = run_cli(_decide(demo, db))
    assert done.code == 0, done.err
    assert "record this decision? [y/N]" in done.err
    assert "withhold   units 24-26" in done.out
    assert ("recorded   decision 79" in done.out) is recorded
    assert ("recorded   nothing" in done.out) is not recorded
    view = run_cli(_redact(demo, db, "--show", "--audience", "court"))
    assert ("[24-26][withheld 3 words: irrelevant_personal_data]" in view.out) is recorded


def test_unknown_reference_names_the_argument_that_named_it() -> None:
    # The command line maps the library's argument to its own option by this attribute,
    # not by reading the message.
    from casefile.errors import UnknownReferenceError

    exc = UnknownReferenceError("record 9 does not exist", field="seq")
    assert (exc.field, exc.problem, str(exc)) == ("seq", "record 9 does not exist",
                                                  "seq: record 9 does not exist")  # fmt: skip
    assert UnknownReferenceError("no case").field == ""
