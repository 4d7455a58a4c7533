"""Random witness-like texts and chains of notes that commit them, for tests and benchmarks.

One source for the text-heavy cases that the text pool's tests and the text
benchmarks seal: a vocabulary of everyday words, texts drawn from it with a
full stop every dozen words, and a chain of signed ``note.added`` records each
committing one text.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable

from casefile.signing import TextDisclosure, commit_fields
from casefile.signing._keys import Signer
from casefile.signing._records import ZERO_HASH, seal_record

__all__ = ["WORDS", "note_chain", "random_text"]

WORDS = [
    "the",
    "a",
    "I",
    "he",
    "she",
    "was",
    "at",
    "on",
    "in",
    "and",
    "then",
    "saw",
    "heard",
    "walked",
    "ran",
    "towards",
    "from",
    "near",
    "car",
    "door",
    "window",
    "street",
    "man",
    "woman",
    "blue",
    "red",
    "jacket",
    "shouted",
    "outside",
    "house",
    "shop",
    "corner",
    "bus",
    "stop",
    "minutes",
    "later",
    "police",
    "arrived",
    "phone",
    "called",
    "told",
    "me",
    "about",
    "it",
    "quickly",
    "left",
    "behind",
    "bag",
]


def random_text(rng: random.Random, words: int) -> str:
    """``words`` words drawn from :data:`WORDS`, a full stop after every twelfth."""
    return " ".join(rng.choice(WORDS) + ("." if i % 12 == 11 else "") for i in range(words))


def note_chain(
    signer: Signer, case_id: uuid.UUID, texts: Iterable[str], *, time_ns: int
) -> tuple[list[bytes], list[TextDisclosure]]:
    """Signed ``note.added`` records 1, 2, ... each committing one of ``texts``, and their
    full text disclosures; record ``seq`` claims ``time_ns + seq``."""
    raws: list[bytes] = []
    opened: list[TextDisclosure] = []
    prev = ZERO_HASH
    for seq, text in enumerate(texts, 1):
        commitments, disclosures = commit_fields(case_id, seq, {}, texts={"text": text})
        record = seal_record(
            case_id=case_id,
            seq=seq,
            prev=prev,
            event_type="note.added",
            schema=1,
            time_ns=time_ns + seq,
            data={},
            signer=signer,
            commitments=commitments,
        )
        prev = record.hash
        raws.append(record.raw)
        opened += [d for d in disclosures if isinstance(d, TextDisclosure)]
    return raws, opened
