"""B11 Redactions and the report's redacted texts (docs/FORMAT.md §9.6, §9.6.1, §10.4).

Read from the spec alone: which decisions are in force for the bundle's audience, what each
field's cover is, which withheld or revealed units answer to no signed act, and how a redacted
text is shown with its markers. It works on plain sets of unit positions, where the library
merges intervals; it imports nothing from casefile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from independent._spec_rules import Report, text_fields

__all__ = ["Redactions"]

MAX_UNITS = 2**20
WHOLE = None  # a cover, or a decision's runs, that is the whole field


def _runs_ok(runs: Any) -> bool:
    """§10.4: sorted maximal runs [a, b], 0 <= a < b <= 2^20, each ending before a gap."""
    if not isinstance(runs, list):
        return False
    end = -1
    for run in runs:
        if not (isinstance(run, list) and len(run) == 2 and all(type(x) is int for x in run)):
            return False
        a, b = run
        if not (0 <= a < b <= MAX_UNITS) or a <= end:
            return False
        end = b
    return True


def _units(runs: list[list[int]], n: int) -> set[int]:
    """The units a list of runs holds, leaving out a run past ``n`` (it covers nothing)."""
    return {u for a, b in runs if b <= n for u in range(a, b)}


def _maximal(units: set[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for u in sorted(units):
        if out and out[-1][1] == u:
            out[-1] = (out[-1][0], u + 1)
        else:
            out.append((u, u + 1))
    return out


def _revealed(d: dict[str, Any]) -> set[int]:
    return set(range(d["n"])) - _units(d["withheld"], d["n"])


@dataclass
class _Act:
    seq: int
    runs: list[list[int]] | None  # None: the whole field
    reason: str | None  # None: an erasure


@dataclass
class Redactions:
    """B11 over the verified records of a bundle made for ``audience`` (or for none)."""

    audience: str | None
    verified: dict[int, dict[str, Any]]
    #: Disclosures that passed V11, of verified records, by (record, field).
    shown: dict[tuple[int, str], dict[str, Any]]
    acts: dict[tuple[int, str], list[_Act]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # B11.1: decisions for the audience that no later withdrawal names, and every
        # erasure; either counts only with runs null or well formed.
        withdrawn = {
            h["data"]["decision"]
            for seq, h in self.verified.items()
            if h["type"] == "redaction.withdrawn" and h["data"]["decision"] < seq
        }
        for seq, h in sorted(self.verified.items()):
            data = h["data"]
            if h["type"] == "redaction.decided":
                if self.audience not in data["audiences"] or seq in withdrawn:
                    continue
                act = _Act(seq, data["runs"], data["reason"])
            elif h["type"] == "disclosure.erased":
                act = _Act(seq, data["runs"], None)
            else:
                continue
            # A decision or erasure signed before the record it names, or naming itself,
            # covers nothing.
            if data["record"] < seq and (act.runs is None or _runs_ok(act.runs)):
                self.acts.setdefault((data["record"], data["field"]), []).append(act)
        self._follow_corrections()

    def _follow_corrections(self) -> None:
        """B11.2: a decision on (r0, f) withholds f of each correction of r0 whole.

        Only while no decision names the correction's field itself; never its own reason.
        """
        decided = {
            key: [a for a in acts if a.reason is not None] for key, acts in self.acts.items()
        }
        for seq, h in sorted(self.verified.items()):
            if h["type"] != "record.corrected":
                continue
            r0 = h["data"]["corrects"]
            for name in h["pd"]:
                if name == "correction_reason" or decided.get((seq, name)):
                    continue
                for act in decided.get((r0, name), []):
                    self.acts.setdefault((seq, name), []).append(_Act(act.seq, WHOLE, act.reason))

    def _texts(self) -> list[tuple[int, str]]:
        """B11.3: the text fields of verified records, by schema or by their disclosure."""
        out = []
        for seq, h in sorted(self.verified.items()):
            for name in sorted(h["pd"]):
                d = self.shown.get((seq, name))
                if name in text_fields(h) or (d is not None and "units" in d):
                    out.append((seq, name))
        return out

    def _cover(self, key: tuple[int, str], n: int | None) -> set[int] | None:
        """B11.2: None for the whole field, else the units covered (runs past ``n`` left out)."""
        acts = self.acts.get(key, [])
        if any(a.runs is WHOLE for a in acts):
            return None
        if n is None:
            return set()
        return {u for a in acts for u in _units(a.runs or [], n)}

    def check(self, report: Report) -> None:
        """B11 steps 3 and 4 (findings only), once the bundle names an audience."""
        if self.audience is None:
            return
        for key in self._texts():
            d = self.shown.get(key)
            cover = self._cover(key, None if d is None else d["n"])
            if d is None:
                if cover is not None:
                    report.b11.append(("redaction_without_decision", key[0]))
                continue
            if cover is None:
                cover = set(range(d["n"]))
            loose = _units(d["withheld"], d["n"]) - cover
            for _ in _maximal(loose):
                report.b11.append(("redaction_without_decision", key[0]))
        for key, acts in sorted(self.acts.items()):
            d = self.shown.get(key)
            for act in acts:
                if d is None or act.reason is None:
                    continue
                if "salt" in d:  # a value field disclosed despite a decision in force
                    report.b11.append(("redaction_not_applied", key[0]))
                    continue
                held = set(range(d["n"])) if act.runs is None else _units(act.runs, d["n"])
                for _ in _maximal(held & _revealed(d)):
                    report.b11.append(("redaction_not_applied", key[0]))
        for kind, seq in report.b11:
            report.note(kind, seq)

    def render(self, report: Report) -> None:
        """§9.6: each redacted text, its revealed units with a marker for each withheld run."""
        for key in self._texts():
            d = self.shown.get(key)
            if d is None:
                if self.audience is not None:
                    report.redacted.append((*key, f"[{self._whole(key)}]"))
                continue
            if not d["withheld"]:
                continue
            units, parts, at = iter(d["units"]), [], 0
            for a, b in [*d["withheld"], [d["n"], d["n"]]]:
                parts += [next(units) for _ in range(at, a)]
                if a < b:
                    marker = f"[{self._marker(key, a, b, d['n'])}]"
                    parts.append(marker + (" " if b < d["n"] else ""))
                at = b
            report.redacted.append((*key, "".join(parts)))

    def _touching(self, key: tuple[int, str], a: int, b: int, n: int) -> list[_Act]:
        run = set(range(a, b))
        return [
            act for act in self.acts.get(key, []) if act.runs is None or run & _units(act.runs, n)
        ]

    def _marker(self, key: tuple[int, str], a: int, b: int, n: int) -> str:
        acts = self._touching(key, a, b, n)
        codes = sorted({act.reason for act in acts if act.reason is not None})
        erased = any(act.reason is None for act in acts)
        words = "1 word" if b - a == 1 else f"{b - a} words"
        if not codes:
            return f"erased {words}" if erased else f"withheld {words}: no decision"
        return f"withheld {words}: " + ", ".join(codes + (["erased"] if erased else []))

    def _whole(self, key: tuple[int, str]) -> str:
        """The marker of a field without a disclosure: its acts that name the whole field."""
        acts = [act for act in self.acts.get(key, []) if act.runs is None]
        codes = sorted({act.reason for act in acts if act.reason is not None})
        erased = any(act.reason is None for act in acts)
        if not codes:
            return "erased whole field" if erased else "withheld whole field: no decision"
        return "withheld whole field: " + ", ".join(codes + (["erased"] if erased else []))
