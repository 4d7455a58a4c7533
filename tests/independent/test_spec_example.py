"""FORMAT.md §4.1.10 can be followed as written: an outside writer reproduces its bytes.

Only the section's own text is read (the case, the text, the root seed, the runs), and the
outside writer of ``_spec_text`` must arrive at the commitment and the redacted disclosure's
bytes printed there. A worked example that needs anything the page does not say fails here.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import msgpack

from independent._spec_rules import canon
from independent._spec_text import write_text

FORMAT = Path(__file__).resolve().parents[2] / "docs" / "FORMAT.md"


def _section() -> str:
    text = FORMAT.read_text(encoding="utf-8")
    return text.split("#### 4.1.10 Worked example")[1].split("## 5. Merkle tree")[0]


def _hex_after(section: str, label: str) -> bytes:
    tail = section.split(label, 1)[1]
    block = re.match(r"\s*\n((?:    [0-9a-f]+\n)+)", tail)
    assert block is not None, label
    return bytes.fromhex("".join(block.group(1).split()))


def test_the_worked_example_is_reproduced_from_its_own_text() -> None:
    section = _section()
    found = re.search(r"Case `([0-9a-f-]{36})`, record `seq` (\d+), field `([a-z_]+)`", section)
    assert found is not None
    case, seq, name = uuid.UUID(found.group(1)).bytes, int(found.group(2)), found.group(3)
    line = re.search(r"no final line feed\):\n\n    (.*)\n", section)
    assert line is not None
    units = re.findall(r"\S+\s*", line.group(1))  # §4.1.1: casefile's split
    root = re.search(r"\| \((\d+), 0\) \| \[0, (\d+)\) \| `([0-9a-f]{64})` \|", section)
    assert root is not None
    assert int(root.group(2)) == len(units)
    runs = re.search(r"`withheld` is `(\[\[.*?\]\])`", section)
    assert runs is not None
    withheld = [[int(a), int(b)] for a, b in re.findall(r"\[(\d+), (\d+)\]", runs.group(1))]

    commitment, full = write_text(case, seq, name, units, bytes.fromhex(root.group(3)), [])
    assert commitment == _hex_after(section, 'and the commitment, `pd["body"]` of the record:')
    assert msgpack.packb(canon(full), use_bin_type=True) == _hex_after(section, "bytes):")
    _, redacted = write_text(case, seq, name, units, bytes.fromhex(root.group(3)), withheld)
    assert msgpack.packb(canon(redacted), use_bin_type=True) == _hex_after(section, "(730):")
