"""B15 over a case of many handovers and many receipts: each receipt finds the handover it
acknowledges without a walk over all of them (an insider's case of tens of thousands of each
would otherwise take hours to verify)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from _receiptcase import CPS, CPS_NAME, CPS_PERSON, T0, TRUST
from application.conftest import NAMESPACE
from casefile.bundle._history import CaseHistory, Handover
from casefile.bundle._receipts import ReceiptCheck
from casefile.signing._checkpoint import Checkpoint
from casefile.signing._cosignature import cosign_checkpoint
from casefile.verifier._verified import VerifiedRecord

SECOND = 10**9


class _Counted(tuple[Handover, ...]):
    """The handovers, counting how many are visited."""

    visits = 0

    def __iter__(self) -> Iterator[Handover]:
        for handover in super().__iter__():
            _Counted.visits += 1
            yield handover


def test_many_receipts_of_many_handovers_visit_each_handover_a_bounded_number_of_times() -> None:
    case_id = uuid.uuid4()
    origin = f"{NAMESPACE}/{case_id}"
    n = 200  # handovers at records 2, 4, ..., each receipted by the record after the last
    roots = {2 * i: bytes([i % 256]) * 32 for i in range(1, n + 1)}
    times = {size: T0 for size in roots}
    handovers = _Counted(Handover(size, "CPS", "cps", "") for size in roots)
    history = CaseHistory(2 * n + n, roots, times, handovers)
    check = ReceiptCheck(TRUST, case_id, 300 * SECOND)
    person = {"name": CPS_PERSON.name, "number": CPS_PERSON.number,
              "organisation": CPS_PERSON.organisation, "rank": CPS_PERSON.rank,
              "role": CPS_PERSON.role}  # fmt: skip
    for i, size in enumerate(roots, start=1):
        body = Checkpoint(origin, size, roots[size]).body()
        line = cosign_checkpoint(body, CPS_NAME, CPS, T0 // SECOND + 60).line
        record = VerifiedRecord(
            case_id, 2 * n + i, "receipt.recorded", 1, T0 + 120 * SECOND, TRUST.entries[0],
            {"by": person, "checkpoint": body, "cosignature": line}, {}, {}, b"", b"",
        )  # fmt: skip
        check.take(record)
    _Counted.visits = 0
    problems = list(check.failures(body, T0 + 10**15, None, history))
    assert problems == []
    assert _Counted.visits <= 2 * n, _Counted.visits
