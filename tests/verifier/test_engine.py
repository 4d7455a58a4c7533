"""The verification state machine under hostile input: every failure is a VerificationError.

A checkpoint that does not parse, or a header field of the wrong kind, must
end as a failure of its step (docs/FORMAT.md §8), never as another exception:
the report form promises to list failures, not to stop at them.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _casebuilder import AT, NAMESPACE, T0, World
from casefile.encoding import encode
from casefile.errors import (
    CheckpointMismatchError,
    CheckpointSignatureError,
    MalformedRecordError,
    VerificationError,
)
from casefile.signing._checkpoint import Checkpoint
from casefile.signing._commitments import Disclosure
from casefile.signing._merkle import merkle_root
from casefile.signing._note import sign_note
from casefile.signing._records import ZERO_HASH, signing_input
from casefile.verifier import report_case, verify_case

WORLD = World()
CASE = WORLD.case(3)
LOG_NAME = "test.police.uk/log"


def _signed_record(**header: Any) -> bytes:
    fields: dict[str, Any] = {
        "v": 2,
        "case": uuid.UUID(int=77).bytes,
        "seq": 1,
        "prev": ZERO_HASH,
        "type": "note.added",
        "schema": 1,
        "time": T0 + 10**9,
        "key": WORLD.alice.public_key.key_id,
        "data": {},
        "pd": {},
    }
    fields.update(header)
    header_bytes = encode(fields)
    return encode({"rec": header_bytes, "sig": WORLD.alice.sign(signing_input(header_bytes))})


@pytest.mark.parametrize("event_type", [[], ["note.added"], {}, {"note": "added"}])
def test_signed_record_whose_type_is_a_list_or_map_fails_v2_in_both_forms(
    event_type: object,
) -> None:
    raw = _signed_record(type=event_type)
    with pytest.raises(MalformedRecordError) as caught:
        verify_case([raw], trust=WORLD.trust, at=AT, workers=1)
    assert caught.value.step == "V2"
    report = report_case([raw], trust=WORLD.trust, at=AT, workers=1)
    assert [e.step for e in report.errors] == ["V2"]


# --- checkpoints that do not parse --------------------------------------------------

_UNPARSABLE_NOTES = [
    "not a note at all",
    b"\xff\xfe not UTF-8",
    "text\n\n\u2014 someone AAAA\n",  # a signature line too short for a key id
    "text\n\nno em dash\n",
    "text\n\n\u2014 bad+name AAAAAAAAAA==\n",
    "\x00control\n\n\u2014 x AAAAAAAAAA==\n",
]


@pytest.mark.parametrize("note", _UNPARSABLE_NOTES)
def test_checkpoint_that_is_not_a_signed_note_fails_v12_not_an_input_error(
    note: str | bytes,
) -> None:
    with pytest.raises(CheckpointSignatureError) as caught:
        verify_case(CASE.records, trust=WORLD.trust, at=AT, workers=1, checkpoint=note)
    assert caught.value.step == "V12"
    report = report_case(CASE.records, trust=WORLD.trust, at=AT, workers=1, checkpoint=note)
    assert not report.verified
    assert [e.step for e in report.errors] == ["V12"]


@pytest.mark.parametrize(
    "body",
    [
        "just one line\n",
        f"{NAMESPACE}/{CASE.case_id}\n03\nAAAA\n",  # leading zero, short root
        f"{NAMESPACE}/{CASE.case_id}\n3\nnot base64\n",
        f"{NAMESPACE}/{CASE.case_id}\n-3\n{'A' * 43}=\n",
    ],
)
def test_signed_checkpoint_whose_text_is_not_a_checkpoint_fails_v13(body: str) -> None:
    # A trusted log key signed the text, but it is no tlog checkpoint: it
    # cannot describe the records, so it is a content failure, not a crash.
    note = sign_note(body, LOG_NAME, WORLD.log)
    with pytest.raises(CheckpointMismatchError) as caught:
        verify_case(CASE.records, trust=WORLD.trust, at=AT, workers=1, checkpoint=note)
    assert caught.value.step == "V13"
    report = report_case(CASE.records, trust=WORLD.trust, at=AT, workers=1, checkpoint=note)
    assert [e.step for e in report.errors] == ["V13"]


@settings(max_examples=60)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_any_checkpoint_text_is_verified_or_a_checkpoint_failure(note: str | bytes) -> None:
    # Any exception escaping report_case fails this test.
    report = report_case(CASE.records, trust=WORLD.trust, at=AT, workers=1, checkpoint=note)
    assert not report.verified
    assert all(isinstance(e, VerificationError) for e in report.errors)
    assert {e.step for e in report.errors} <= {"V12", "V13"}


# --- messages quoting hostile names stay short -----------------------------------------


@pytest.mark.parametrize("seq", [1, 99])  # a record's commitment, or beyond the last record
def test_disclosure_with_a_huge_name_is_reported_in_a_short_message(seq: int) -> None:
    # A disclosure may be 1 MiB; a report keeps up to a thousand errors, so
    # quoting each name in full would let disclosures.bin take a gigabyte.
    name = "n" * (1 << 20)
    forged = Disclosure(CASE.case_id, seq, name, bytes(16), "value")
    report = report_case(CASE.records, trust=WORLD.trust, at=AT, workers=1, disclosures=[forged])
    assert [e.step for e in report.errors] == ["V11"]
    assert len(str(report.errors[0])) < 1000


def _signed_body(origin: str, extensions: str = "") -> str:
    # Right size and root: only the origin or the extension lines are wrong.
    root = merkle_root([r.hash for r in CASE.sealed])
    body = Checkpoint(f"{NAMESPACE}/{CASE.case_id}", len(CASE.sealed), root).body()
    body = body.replace(f"{NAMESPACE}/{CASE.case_id}", origin, 1) + extensions
    return sign_note(body, LOG_NAME, WORLD.log)


def _fails_v13(note: str, problem: str) -> None:
    with pytest.raises(CheckpointMismatchError, match=problem) as caught:
        verify_case(CASE.records, trust=WORLD.trust, at=AT, workers=1, checkpoint=note)
    assert caught.value.step == "V13"


def test_checkpoint_with_extension_line_is_rejected() -> None:
    # Signed text the spec gives no meaning must not ride along as if it were checked.
    note = _signed_body(f"{NAMESPACE}/{CASE.case_id}", "custody: all sealed\n")
    _fails_v13(note, "no extension lines")


@pytest.mark.parametrize(
    "origin",
    [
        f"{NAMESPACE}/{uuid.uuid4()}/{CASE.case_id}",  # the case at the end of a longer path
        f"{NAMESPACE}/cases/{CASE.case_id}",
        f"/{CASE.case_id}",  # no namespace
        f"{CASE.case_id}",
        f"{NAMESPACE}/{str(CASE.case_id)[:-1]}A",  # not the lowercase form
        f"{NAMESPACE}/{CASE.case_id.hex}",  # not hyphenated
        f"{NAMESPACE}/{{{CASE.case_id}}}",
        f"{NAMESPACE}/{CASE.case_id} ",
        f"Casefile.Test/{CASE.case_id}",  # upper case namespace
        f"casefile test/{CASE.case_id}",
        f"casefile.test./{CASE.case_id}",
        f"-casefile.test/{CASE.case_id}",
        f"casefile_test/{CASE.case_id}",
        f"caséfile.test/{CASE.case_id}",
        f"{'a' * 129}/{CASE.case_id}",
    ],
)
def test_origin_naming_the_case_inside_a_longer_path_is_rejected(origin: str) -> None:
    _fails_v13(_signed_body(origin), "is not <namespace>/<case-uuid>")


def test_longest_namespace_is_accepted() -> None:
    note = _signed_body(f"{'a' * 128}/{CASE.case_id}")
    verified = verify_case(CASE.records, trust=WORLD.trust, at=AT, workers=1, checkpoint=note)
    assert verified.checkpoint is not None
    assert verified.checkpoint.origin == f"{'a' * 128}/{CASE.case_id}"


def test_origin_naming_another_case_is_rejected() -> None:
    _fails_v13(_signed_body(f"{NAMESPACE}/{uuid.uuid4()}"), "does not name this case")


def test_a_misplaced_disclosure_fails_v11_alone_and_does_not_reorder_those_after_it() -> None:
    # (1, "zzz") arrives after record 4's first disclosure: it is out of order and reported
    # at its own seq. It fails no record, and the disclosure after it, in order with the last
    # one kept, is not taken for out of order because of the misplaced name.
    case = WORLD.case(4)
    first, name1, dob4, name4 = [d for d in case.disclosures if isinstance(d, Disclosure)]
    notes = [d for d in case.disclosures if not isinstance(d, Disclosure)]  # records 2 and 3
    misplaced = Disclosure(case.case_id, 1, "zzz", name1.salt, name1.value)
    report = report_case(
        case.records,
        trust=WORLD.trust,
        at=AT,
        workers=1,
        disclosures=[first, name1, *notes, dob4, misplaced, name4],
    )
    assert [(e.step, e.seq) for e in report.errors] == [("V11", 1)]
    assert "out of order" in str(report.errors[0])
    assert not any(f.kind == "withheld_fields" for f in report.findings)
