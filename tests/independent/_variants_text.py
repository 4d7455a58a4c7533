"""Hostile variants of redactable text (FORMAT.md §4.1): each breaks one rule of a text disclosure.

The demo's first person record (2) and the second (16) get a text commitment under ``address``,
written by the outside writer of ``_spec_text`` and re-signed; the manifest's policy lists
``address`` so that its disclosures travel. (``address`` is a name person.added may commit, so V10
passes and only V11 can judge the text.) The untouched variant verifies; each attack fails V11 at
the record whose disclosure it changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from independent._forge import Forge
from independent._spec_text import write_text
from independent._variants import Change, Expected

__all__ = ["TEXT_VARIANTS"]

ADDRESS = ["14 ", "Larch ", "Close, ", "Northshire ", "NS4 ", "7QT"]
OTHER = ["Flat ", "2, ", "9 ", "Mill ", "Lane, ", "Northshire ", "NS1 ", "4AB"]
RUN = [[3, 6]]  # "Northshire NS4 7QT": the town and postcode withheld


def _seed(label: str) -> bytes:
    return hashlib.sha256(b"independent text seed: " + label.encode()).digest()


def _texts(
    f: Forge,
    edit: Callable[[dict[str, Any], dict[str, Any]], None] = lambda mine, other: None,
    salts: dict[int, bytes] | None = None,
) -> dict[str, Any]:
    """Records 2 and 16 commit an address as text; their disclosures withhold ``RUN``."""
    case = f.headers[1]["case"]
    made = {}
    for seq, units in ((2, ADDRESS), (16, OTHER)):
        commitment, disclosure = write_text(
            case, seq, "address", units, _seed(str(seq)), RUN, salts if seq == 2 else None
        )
        h = f.headers[seq - 1]
        h["pd"] = dict(h["pd"], address=commitment)
        made[seq] = disclosure
    edit(made[2], made[16])
    kept = [d for d in f.disclosures if d["name"] != "address"]
    f.disclosures = sorted([*kept, *made.values()], key=lambda d: (d["seq"], d["name"]))

    def policy(manifest: dict[str, Any]) -> None:
        fields = set(manifest["disclosure_policy"]["fields"]) | {"address"}
        manifest["disclosure_policy"] = {"fields": sorted(fields), "mode": "list"}

    return {"manifest_edit": policy}


def _alter_word(mine: dict[str, Any], _: dict[str, Any]) -> None:
    mine["units"][1] = "Birch "


def _swap_words(mine: dict[str, Any], _: dict[str, Any]) -> None:
    mine["units"][0], mine["units"][2] = mine["units"][2], mine["units"][0]


def _drop_run(mine: dict[str, Any], _: dict[str, Any]) -> None:
    # The withheld run cut out without its marker: as if the text had ended there.
    mine["withheld"], mine["hashes"], mine["n"] = [], [], 3


def _move_marker(mine: dict[str, Any], _: dict[str, Any]) -> None:
    mine["withheld"] = [[2, 5]]
    mine["units"] = ["14 ", "Larch ", "7QT"]


def _reveal_with_a_guessed_seed(mine: dict[str, Any], _: dict[str, Any]) -> None:
    # The withheld words guessed right and revealed, each with a seed of the guesser's.
    mine["withheld"], mine["hashes"] = [], []
    mine["units"] = list(ADDRESS)
    mine["seeds"] = [*mine["seeds"], *(_seed(f"guess {k}") for k in range(3))]


def _splice_other(mine: dict[str, Any], other: dict[str, Any]) -> None:
    # Record 16's disclosure of its address, presented as record 2's.
    mine.clear()
    mine.update(dict(other, seq=2))


TEXT_VARIANTS: dict[str, tuple[Change, Expected, set[str]]] = {
    "text_disclosure_withholding_a_run_verifies": (lambda f: _texts(f), [], set()),
    "text_revealed_word_altered": (
        lambda f: _texts(f, _alter_word),
        [("V11", "disclosure", 2)],
        set(),
    ),
    "text_two_revealed_words_swapped": (
        lambda f: _texts(f, _swap_words),
        [("V11", "disclosure", 2)],
        set(),
    ),
    "text_withheld_run_dropped_without_its_marker": (
        lambda f: _texts(f, _drop_run),
        [("V11", "disclosure", 2)],
        set(),
    ),
    "text_marker_moved": (lambda f: _texts(f, _move_marker), [("V11", "disclosure", 2)], set()),
    "text_withheld_run_revealed_with_a_wrong_seed": (
        lambda f: _texts(f, _reveal_with_a_guessed_seed),
        [("V11", "disclosure", 2)],
        set(),
    ),
    "text_salt_reused_across_units": (
        lambda f: _texts(f, salts={2: _seed("reused"), 0: _seed("reused")}),
        [("V11", "disclosure", 2)],
        set(),
    ),
    "text_disclosure_of_another_record_spliced_in": (
        lambda f: _texts(f, _splice_other),
        [("V11", "disclosure", 2)],
        set(),
    ),
}
