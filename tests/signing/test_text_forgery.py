"""A hostile sender reshapes an honest redacted disclosure: it opens only what was signed.

Whatever a sender does to the parts of a text disclosure (units, runs, seeds,
hashes, the unit count), either the disclosure no longer opens the record's
commitment, or every unit it reveals is the signed unit at the same position
and the unit count is the signed one: the text a reader is shown can never
differ from what the signer signed.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from casefile.errors import CasefileError
from casefile.signing._text import TextDisclosure, commit_text

CASE = uuid.UUID("0192f1a2-0000-7000-8000-0000000000f0")

texts = st.lists(
    st.sampled_from(["the ", "van ", "7 ", "Wren ", "Terrace, ", "was ", "blue. ", "", " "]),
    min_size=1,
    max_size=60,
).map("".join)


def _revealed(d: TextDisclosure) -> list[tuple[int, str]]:
    """The positions and texts of the units ``d`` reveals, as its runs place them."""
    hidden = {u for a, b in d.withheld for u in range(a, b)}
    return list(zip([i for i in range(d.n) if i not in hidden], d.units, strict=False))


def _swap(items: tuple[Any, ...], i: int, j: int) -> tuple[Any, ...]:
    out = list(items)
    if out:
        i, j = i % len(out), j % len(out)
        out[i], out[j] = out[j], out[i]
    return tuple(out)


def _mutate(d: TextDisclosure, kind: str, i: int, j: int) -> TextDisclosure:
    runs = d.withheld
    change: dict[str, Any]
    if kind == "n":
        change = {"n": d.n + (1 if i % 2 else -1)}
    elif kind == "units":
        change = {"units": _swap(d.units, i, j)}
    elif kind == "alter":
        units = list(d.units)
        if units:
            units[i % len(units)] += "x"
        change = {"units": tuple(units)}
    elif kind == "seeds":
        change = {"seeds": _swap(d.seeds, i, j)}
    elif kind == "hashes":
        change = {"hashes": _swap(d.hashes, i, j)}
    elif kind == "reuse_seed":
        change = {"seeds": tuple(d.seeds[:1] * len(d.seeds))}
    elif kind == "shift":
        step = 1 if i % 2 else -1
        change = {"withheld": tuple((a + step, b + step) for a, b in runs)}
    elif kind == "grow":
        change = {"withheld": tuple((a, b + 1) for a, b in runs)}
    else:  # drop a withheld run and its hashes
        change = {"withheld": runs[1:], "hashes": d.hashes[1:]}
    return dataclasses.replace(d, **change)


@settings(max_examples=300, deadline=None)
@given(
    text=texts,
    data=st.data(),
    kind=st.sampled_from(
        ["n", "units", "alter", "seeds", "hashes", "reuse_seed", "shift", "grow", "drop"]
    ),
    i=st.integers(0, 63),
    j=st.integers(0, 63),
)
def test_reshaped_redacted_disclosure_never_shows_words_that_were_not_signed(
    text: str, data: Any, kind: str, i: int, j: int
) -> None:
    commitment, full = commit_text(CASE, 3, "body", text, random_bytes=lambda k: bytes([i]) * k)
    signed = full.units
    n = full.n
    pairs = st.tuples(st.integers(0, n - 1), st.integers(1, n))
    runs = data.draw(st.lists(pairs.filter(lambda p: p[0] < p[1]), max_size=4))
    honest = full.redact(runs)
    assert honest.opens(commitment) is None  # an untouched redacted disclosure verifies
    try:
        forged = _mutate(honest, kind, i, j)
        refused = forged.opens(commitment)
    except (CasefileError, ValueError):
        return  # refused while taken apart
    if refused is not None:
        return
    assert forged.n == n
    assert all(signed[pos] == unit for pos, unit in _revealed(forged))
