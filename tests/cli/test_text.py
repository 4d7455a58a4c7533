"""Hostile text shown on a terminal: one line, no escape sequences, no unprintable surrogates."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casefile.cli._text import one_line


@given(st.text(st.characters(), max_size=300))
def test_shown_text_is_one_printable_line(text: str) -> None:
    shown = one_line(text)
    assert "\n" not in shown
    assert "\r" not in shown
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in shown)
    assert not any(0xD800 <= ord(ch) < 0xE000 for ch in shown)
    assert not any(unicodedata.category(ch) == "Cf" for ch in shown)
    shown.encode("utf-8")  # a strict stream can write it


def test_escape_sequences_are_shown_not_obeyed() -> None:
    assert one_line("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert one_line("left\u202eright") == "left\\u202eright"


def test_long_text_is_capped() -> None:
    assert one_line("x" * 5000, limit=10) == "x" * 10 + "…"


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c", "\u200b", "\ufeff", "\u00ad"])
def test_invisible_and_bidirectional_marks_are_shown_so_lookalikes_differ(mark: str) -> None:
    # "42NS1" and "42NS<mark>1" must not look the same in a listing or a report.
    shown = one_line(f"42NS{mark}1")
    assert shown != "42NS1"
    assert mark not in shown
    assert f"{ord(mark):02x}1" in shown
