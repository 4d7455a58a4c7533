"""What each kind of custody record does to an exhibit, and the breaks it can reveal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casefile.projections._cite import cite_of
from casefile.projections._continuity_exhibit import WalkState, WorkingExhibit
from casefile.projections._continuity_model import ContinuityFindingKind as K
from casefile.projections._custody_records import Party

__all__ = ["KindRules"]


class KindRules(WalkState):
    """One handler per custody record type, named after it (``_seal_opened``)."""

    __slots__ = ()

    def _check_quoted_seal(self, ex: WorkingExhibit, quoted: str, seq: int) -> None:
        if not ex.sealed:
            self.find(
                K.SEAL_INCONSISTENT,
                seq,
                ex.reference,
                f"seal {quoted} quoted for exhibit {ex.reference}, which is not sealed on record",
            )
        elif quoted != ex.seal:
            self.find(
                K.SEAL_MISMATCH,
                seq,
                ex.reference,
                f"seal {quoted} quoted for exhibit {ex.reference}, but the seal on record "
                f"is {ex.seal}",
            )

    def _new_seal(self, ex: WorkingExhibit, seal: str, seq: int) -> None:
        if seal in self.seals:
            self.find(
                K.SEAL_REUSED,
                seq,
                ex.reference,
                f"seal {seal} was already used in record {cite_of(self.seals[seal])}",
            )
        else:
            self.seals[seal] = seq
        ex.seal, ex.sealed = seal, True

    def _check_source(self, ex: WorkingExhibit, quoted: bytes, seq: int, what: str) -> None:
        if ex.sha256 is None:
            self.find(
                K.SOURCE_HASH_UNKNOWN,
                seq,
                ex.reference,
                f"exhibit {ex.reference} has no SHA-256 on record for its {what}",
            )
        elif quoted != ex.sha256:
            self.find(
                K.HASH_MISMATCH,
                seq,
                ex.reference,
                f"the {what} hash {quoted.hex()} is not exhibit {ex.reference}'s SHA-256 on "
                f"record {ex.sha256.hex()}",
            )

    # --- the kinds ----------------------------------------------------------------

    def _arrive(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party | None, seq: int
    ) -> None:
        if data["sha256"] is not None and ex.sha256 not in (None, data["sha256"]):
            self.find(
                K.HASH_MISMATCH,
                seq,
                ex.reference,
                f"record {cite_of(seq)} gives exhibit {ex.reference} another SHA-256 than record "
                f"{cite_of(ex.first_seq)}",
            )
        ex.custodian, ex.status, ex.in_store = by, "active", False
        ex.description = ex.description or data["description"]
        ex.sha256 = ex.sha256 if ex.sha256 is not None else data["sha256"]
        ex.media_type = ex.media_type or data["media_type"]
        ex.produced_by = ex.produced_by or by

    def _located(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        self._arrive(ex, data, None, seq)

    def _seized(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        self._arrive(ex, data, by, seq)

    _produced = _seized

    def _packaged(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        if ex.sealed:
            self.find(
                K.SEAL_INCONSISTENT,
                seq,
                ex.reference,
                f"exhibit {ex.reference} packaged while still sealed with {ex.seal}",
            )
        self._new_seal(ex, data["seal"], seq)
        ex.bag = data["bag"]

    def _booked(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        ex.custodian, ex.in_store, ex.property_ref = (
            Party.of(data["to"]),
            True,
            data["property_ref"],
        )

    def _transferred(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        to = Party.of(data["to"])
        if to.identity == by.identity:
            self.find(
                K.INVALID_TRANSFER,
                seq,
                ex.reference,
                f"exhibit {ex.reference} transferred by {by.describe()} to themself",
            )
        if data["seal_checked"]:
            self._check_quoted_seal(ex, data["seal"], seq)
            if data["seal_intact"] is False:
                self.find(
                    K.SEAL_NOT_INTACT,
                    seq,
                    ex.reference,
                    f"seal {data['seal']} of exhibit {ex.reference} was found not intact",
                )
                ex.sealed = False
        ex.custodian, ex.in_store = to, False

    def _seal_opened(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        self._check_quoted_seal(ex, data["seal"], seq)
        ex.sealed = False

    def _resealed(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        if ex.sealed or ex.seal is None:
            why = f"still sealed with {ex.seal}" if ex.sealed else "never sealed"
            self.find(
                K.SEAL_INCONSISTENT,
                seq,
                ex.reference,
                f"exhibit {ex.reference} resealed while {why}",
            )
        elif data["old_seal"] != ex.seal:
            self.find(
                K.SEAL_MISMATCH,
                seq,
                ex.reference,
                f"old seal {data['old_seal']} quoted for exhibit {ex.reference}, but the "
                f"seal on record is {ex.seal}",
            )
        self._new_seal(ex, data["new_seal"], seq)
        ex.bag = data["bag"]

    def _examined(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        if ex.sealed:
            self.find(
                K.SEAL_INCONSISTENT,
                seq,
                ex.reference,
                f"exhibit {ex.reference} examined while sealed with {ex.seal}",
            )

    def _imaged(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        self._examined(ex, data, by, seq, when)
        if ex.sha256 is not None:
            self._check_source(ex, data["source_sha256"], seq, "source")
        self._copy(ex, data, by, seq, when)

    def _derived(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        self._check_source(ex, data["input_sha256"], seq, "input")
        self._copy(ex, data, by, seq, when)

    def _copy(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        ref = data["derived"]
        if data["root"] != ex.root:
            self.find(
                K.ROOT_MISMATCH,
                seq,
                ref,
                f"copy {ref} names root {data['root']}, but its source {ex.reference} "
                f"descends from {ex.root}",
            )
        if ref in self.exhibits:
            self.find(
                K.DUPLICATE_EXHIBIT,
                seq,
                ref,
                f"copy {ref} reuses the reference of an exhibit of record "
                f"{self.exhibits[ref].first_seq}",
            )
            return
        copy = WorkingExhibit(
            ref, ex.root, ex.reference, False, data["description"], data["output_sha256"],
            data["media_type"], by, seq, seq, when, custodian=by, location=data["place"],
        )  # fmt: skip
        if self.current is not None:
            self.record(copy, self.current, when)

    def _fixity_checked(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        self._check_source(ex, data["expected_sha256"], seq, "expected")
        if data["result"] != "match" or (
            ex.sha256 is not None and data["actual_sha256"] != ex.sha256
        ):
            self.find(
                K.FIXITY_FAILED,
                seq,
                ex.reference,
                f"exhibit {ex.reference} hashed to {data['actual_sha256'].hex()}, not its "
                f"SHA-256 on record",
            )

    def _accessed(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        pass

    _disclosed = _retention_reviewed = _produced_in_court = _accessed

    def _returned(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        ex.status, ex.custodian, ex.in_store = "returned", None, False

    def _destroyed(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        if Party.of(data["witness"]).identity == by.identity:
            self.find(
                K.UNWITNESSED_DESTRUCTION,
                seq,
                ex.reference,
                f"exhibit {ex.reference} destroyed with no witness but {by.describe()}",
            )
        ex.status, ex.custodian, ex.in_store = "destroyed", None, False

    def _lost(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        self.find(
            K.EXHIBIT_LOST,
            seq,
            ex.reference,
            f"exhibit {ex.reference} reported lost by {by.describe()}",
        )
        ex.status, ex.custodian, ex.in_store = "lost", None, False

    def _damaged(
        self, ex: WorkingExhibit, data: Mapping[str, Any], by: Party, seq: int, when: int
    ) -> None:
        self.find(
            K.EXHIBIT_DAMAGED,
            seq,
            ex.reference,
            f"exhibit {ex.reference} reported damaged by {by.describe()}",
        )
        ex.damaged = True
