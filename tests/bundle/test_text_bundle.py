"""A bundle carries text disclosures beside value disclosures (FORMAT.md §9.1.1).

A text with a run withheld travels in disclosures.bin, verifies in
the folder and the zip, and no byte sequence of the withheld words is in any
file of either; a text disclosure out of (seq, name) order is refused when
written, as a value disclosure is.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from _bundlecase import AT, World
from _casebuilder import CaseBuilder
from casefile.bundle import DISCLOSE_ALL, open_bundle, verify_bundle, write_bundle, zip_bundle
from casefile.errors import DisclosureError
from casefile.signing import TextDisclosure

WORLD = World()
# The address as redactable text: a name person.added may commit, so the
# payload schemas of the verifier accept the record whatever kind it is.
ADDRESS = "14 Larch Close, Northshire NS4 7QT"
WITHHELD = (3, 6)  # "Northshire NS4 7QT"


def _case() -> tuple[CaseBuilder, list[TextDisclosure | object]]:
    case = CaseBuilder(uuid.UUID("0192f1a2-0000-7000-8000-0000000b0d1e"))
    case.add(
        WORLD.alice,
        "person.added",
        {"person_id": uuid.UUID(int=1).bytes, "role": "victim"},
        personal={"name": "Ann Example"},
        texts={"address": ADDRESS},
    )
    disclosures: list[TextDisclosure | object] = []
    for d in case.disclosures:
        if isinstance(d, TextDisclosure):
            assert "".join(d.units[slice(*WITHHELD)]) == "Northshire NS4 7QT"
            disclosures.append(d.redact([WITHHELD]))
        else:
            disclosures.append(d)
    return case, disclosures


def _write(dest: Path, case: CaseBuilder, disclosures: list[object]) -> None:
    write_bundle(
        dest,
        case_id=case.case_id,
        records=iter(case.records),
        disclosures=iter(disclosures),  # type: ignore[arg-type]
        trust=WORLD.trust,
        checkpoint_note=WORLD.checkpoint(case),
        signer=WORLD.log,
        disclosure_policy=DISCLOSE_ALL,
    )


def test_redacted_text_travels_and_verifies_and_its_words_are_in_no_file(tmp_path: Path) -> None:
    case, disclosures = _case()
    folder = tmp_path / "bundle"
    _write(folder, case, disclosures)
    zipped = tmp_path / "bundle.zip"
    zip_bundle(folder, zipped)
    for source in (folder, zipped):
        result = verify_bundle(source, at=AT, trust=WORLD.trust, report=True)
        assert result.verified, result.errors
    with open_bundle(folder) as bundle:
        read = list(bundle.disclosures())
    assert read == disclosures
    files = [p for p in folder.rglob("*") if p.is_file()] + [zipped]
    for word in ("Northshire", "NS4", "7QT"):
        for path in files:
            assert word.encode() not in path.read_bytes(), (word, path.name)
    # The revealed words are there: the search would find a word that was left in.
    assert b"Larch" in (folder / "disclosures.bin").read_bytes()


def test_text_disclosure_out_of_order_is_refused_when_written(tmp_path: Path) -> None:
    case, disclosures = _case()
    with pytest.raises(DisclosureError, match="order"):
        _write(tmp_path / "bundle", case, list(reversed(disclosures)))
    assert not (tmp_path / "bundle").exists()
