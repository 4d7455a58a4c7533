"""Random valid chains of custody, driven through the Investigation's own commands.

Used by the domain tests (every generated history loads back to the same
state) and the continuity tests (no generated history yields a finding). The
driver only picks actions the rules allow, with no adverse facts (losses,
damage, broken seals, failed fixity) and short pauses, so a correct
projection has nothing to report.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from casefile.events import Investigation
from casefile.events._custody_values import Custodian

HOUR = 3600 * 10**9

OFFICERS = (
    Custodian(name="Jane Smith", number="1234", organisation="Test Police", rank="PC"),
    Custodian(name="Raj Patel", number="5678", organisation="Test Police", rank="DC"),
    Custodian(name="Ann Lee", number="L-77", organisation="Forensic Lab Ltd", role="examiner"),
)
STORES = (
    Custodian(name="Central Store", number="PS-1", organisation="Test Police", role="property"),
    Custodian(name="Lab Store", number="LS-9", organisation="Forensic Lab Ltd", role="property"),
)
EVERYONE = OFFICERS + STORES
# Generation leans towards the first choices: the seal work that needs set-up comes first.
_PRIORITY = (
    "reseal",
    "open",
    "package",
    "transfer",
    "seize",
    "receive",
    "image",
    "derive",
    "book",
    "examine",
    "fixity",
    "court",
    "seize_new",
    "receive_new",
    "locate_new",
    "capture",
    "access",
    "disclose",
    "retention",
    "return",
    "destroy",
)


def sha(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


@dataclass
class CustodyDriver:
    """Issues random commands that the custody rules accept."""

    case: Investigation
    data: st.DataObject
    time: int
    max_exhibits: int = 4
    made: int = 0
    seals: int = 0
    refs: list[str] = field(default_factory=list)
    member: uuid.UUID | None = None

    def _public(self) -> uuid.UUID:
        # A member of the public in custody records is a person of the case, added once.
        if self.member is None:
            self.member = self.case.add_person(role="witness", name="A Person", at=self.time)
        return self.member

    def run(self, steps: int) -> None:
        for _ in range(steps):
            options = self.options()
            if not options:
                return
            # Pick the kind of action first, so that rare ones (reseal) still come up.
            kinds = sorted({a for a, _ in options}, key=_PRIORITY.index)
            action = self.data.draw(st.sampled_from(kinds))
            ref = self.data.draw(st.sampled_from([r for a, r in options if a == action]))
            self.time += self.data.draw(st.integers(0, HOUR), label="pause")
            getattr(self, f"_{action}")(ref)

    def options(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.made < self.max_exhibits:
            out += [(kind, "") for kind in ("seize_new", "receive_new", "locate_new", "capture")]
        for ref in self.refs:
            state = self.case.custody_of(ref)
            if state.is_disposed:
                continue
            out += [("access", ref), ("disclose", ref), ("retention", ref)]
            if state.sha256 is not None:
                out += [("fixity", ref)]
                if ref.count("/") < 5:
                    out += [("derive", ref)]
            if state.custodian is None:
                out += [("seize", ref), ("receive", ref)]
                continue
            out += [("transfer", ref), ("book", ref), ("court", ref), ("return", ref)]
            out += [("destroy", ref)]
            if state.sealed:
                out += [("open", ref)]
            else:
                out += [("package", ref), ("examine", ref)]
                if state.seal is not None:
                    out += [("reseal", ref)]
                if ref.count("/") < 5:
                    out += [("image", ref)]
        return out

    # --- helpers ---------------------------------------------------------------

    def _common(self, ref: str, by: Custodian) -> dict[str, Any]:
        last = self.case.custody_of(ref).last_ns if ref in self.case.custody else self.time
        back = self.data.draw(st.sampled_from([None, 0, 1, HOUR]), label="occurred")
        occurred = None if back is None else max(last, self.time - back)
        return {
            "exhibit": ref,
            "by": by,
            "place": "Station",
            "occurred_at": occurred,
            "at": self.time,
        }

    def _anyone(self) -> Custodian:
        return self.data.draw(st.sampled_from(OFFICERS), label="actor")

    def _holder(self, ref: str) -> Custodian:
        held = self.case.custody_of(ref).custodian
        if held is None:
            raise AssertionError(f"{ref} is not held")
        return held

    def _other(self, ref: str) -> Custodian:
        held = self._holder(ref)
        return self.data.draw(st.sampled_from([c for c in EVERYONE if not c.same_person(held)]))

    def _new_ref(self) -> str:
        self.made += 1
        ref = f"{'ABCDEFGH'[self.made]}X/{self.made}"
        self.refs.append(ref)
        return ref

    def _new_seal(self) -> str:
        self.seals += 1
        return f"SEAL-{self.seals:05d}"

    def _derived_ref(self, ref: str) -> str:
        self.made += 1
        derived = f"{ref}/{self.made}"
        self.refs.append(derived)
        return derived

    # --- actions ---------------------------------------------------------------

    def _seize_new(self, _: str) -> None:
        ref = self._new_ref()
        self.case.seize_exhibit(
            **self._common(ref, self._anyone()),
            description="Phone",
            power="PACE s.19",
            seized_from=self._public(),
        )

    def _receive_new(self, _: str) -> None:
        ref = self._new_ref()
        digital = self.data.draw(st.booleans(), label="digital")
        self.case.receive_exhibit(
            **self._common(ref, self._anyone()),
            description="CCTV export",
            produced_by=self._public(),
            sha256=sha(ref) if digital else None,
            media_type="video/mp4" if digital else None,
        )

    def _locate_new(self, _: str) -> None:
        ref = self._new_ref()
        self.case.locate_exhibit(**self._common(ref, self._anyone()), description="Knife")

    def _capture(self, _: str) -> None:
        ref = self._new_ref()
        self.case.capture_evidence(
            exhibit=ref,
            kind="photo",
            sha256=sha(ref),
            size=10,
            media_type="image/jpeg",
            device="tablet-1",
            location="Scene",
            captured_at=self.time,
            by=self._anyone(),
            at=self.time,
        )

    def _seize(self, ref: str) -> None:
        self.case.seize_exhibit(
            **self._common(ref, self._anyone()), description="Item", power="PACE s.19"
        )

    def _receive(self, ref: str) -> None:
        self.case.receive_exhibit(**self._common(ref, self._anyone()), description="Item")

    def _access(self, ref: str) -> None:
        self.case.access_exhibit(**self._common(ref, self._anyone()), purpose="Review")

    def _disclose(self, ref: str) -> None:
        self.case.disclose_exhibit(**self._common(ref, self._anyone()), recipient="CPS")

    def _retention(self, ref: str) -> None:
        self.case.review_retention(
            **self._common(ref, self._anyone()),
            decision="retain",
            reason="Trial pending",
        )

    def _fixity(self, ref: str) -> None:
        expected = self.case.custody_of(ref).sha256
        if expected is None:
            raise AssertionError(f"{ref} has no hash")
        self.case.check_fixity(**self._common(ref, self._anyone()), actual_sha256=expected)

    def _derive(self, ref: str) -> None:
        source = self.case.custody_of(ref).sha256
        if source is None:
            raise AssertionError(f"{ref} has no hash")
        derived = self._derived_ref(ref)
        self.case.derive_exhibit(
            **self._common(ref, self._anyone()),
            derived=derived,
            input_sha256=source,
            output_sha256=sha(derived),
            method="Faces blurred",
            purpose="Disclosure",
            description="Redacted copy",
        )

    def _transfer(self, ref: str) -> None:
        state = self.case.custody_of(ref)
        checked = state.sealed and self.data.draw(st.booleans(), label="seal checked")
        self.case.transfer_exhibit(
            **self._common(ref, self._holder(ref)),
            to=self._other(ref),
            purpose="Examination",
            seal_checked=checked,
            seal=state.seal if checked else None,
            seal_intact=True if checked else None,
        )

    def _book(self, ref: str) -> None:
        self.case.book_exhibit(
            **self._common(ref, self._holder(ref)),
            to=self.data.draw(st.sampled_from(STORES)),
            property_ref=f"PROP-{ref}",
        )

    def _court(self, ref: str) -> None:
        self.case.produce_in_court(**self._common(ref, self._holder(ref)), court="Crown Court")

    def _return(self, ref: str) -> None:
        self.case.return_exhibit(**self._common(ref, self._holder(ref)), returned_to=self._public())

    def _destroy(self, ref: str) -> None:
        self.case.destroy_exhibit(
            **self._common(ref, self._holder(ref)),
            method="Incineration",
            authority="Court order",
            witness=self._other(ref),
        )

    def _open(self, ref: str) -> None:
        seal = str(self.case.custody_of(ref).seal)
        self.case.open_seal(**self._common(ref, self._holder(ref)), seal=seal, reason="Examination")

    def _package(self, ref: str) -> None:
        self.case.package_exhibit(
            **self._common(ref, self._holder(ref)),
            bag=f"BAG-{self.seals}",
            seal=self._new_seal(),
        )

    def _reseal(self, ref: str) -> None:
        old = str(self.case.custody_of(ref).seal)
        self.case.reseal_exhibit(
            **self._common(ref, self._holder(ref)),
            old_seal=old,
            new_seal=self._new_seal(),
            bag=f"BAG-{self.seals}",
        )

    def _examine(self, ref: str) -> None:
        self.case.examine_exhibit(
            **self._common(ref, self._holder(ref)),
            lab="Lab 1",
            method="Visual",
            destructive=self.data.draw(st.booleans()),
        )

    def _image(self, ref: str) -> None:
        state = self.case.custody_of(ref)
        derived = self._derived_ref(ref)
        self.case.image_exhibit(
            **self._common(ref, self._holder(ref)),
            derived=derived,
            source_sha256=state.sha256 if state.sha256 is not None else sha(f"read {ref}"),
            output_sha256=sha(derived),
            tool="FTK Imager",
            tool_version="4.7",
            write_blocker="Tableau T8u",
            description=f"Image of {ref}",
        )
