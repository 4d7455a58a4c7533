"""The attach receipt: any bytes are a receipt or a named refusal; signed ones read back."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _captureworld import INTAKE, NAMESPACE, SCENE, T0, TRUST
from casefile.bundle import AttachReceipt, open_receipt
from casefile.bundle._capture_receipt import sign_receipt
from casefile.errors import CaptureError
from casefile.events import CAPTURE_FINDING_KINDS

_KINDS = st.sampled_from(sorted(CAPTURE_FINDING_KINDS))


@st.composite
def _receipts(draw: st.DrawFn) -> AttachReceipt:
    stream = draw(st.uuids())
    findings = draw(st.lists(st.tuples(_KINDS, st.integers(1, 2**63 - 1)), max_size=4))
    return AttachReceipt(
        origin=f"{NAMESPACE}/{stream}",
        size=draw(st.integers(1, 2**63 - 1)),
        root=draw(st.binary(min_size=32, max_size=32)),
        case_id=draw(st.uuids()),
        seq=draw(st.integers(1, 2**63 - 1)),
        received=draw(st.integers(T0, T0 + 10**18)),
        findings=tuple(sorted(findings, key=lambda f: (f[1], f[0]))),
    )


@settings(max_examples=100, deadline=None)
@given(_receipts())
def test_a_signed_receipt_reads_back_whole(receipt: AttachReceipt) -> None:
    signed = sign_receipt(receipt, "intake-0001", INTAKE)
    opened = open_receipt(signed.to_bytes(), TRUST, at=T0 + 10**18)
    assert opened == signed
    assert opened.stream == uuid.UUID(receipt.origin.rsplit("/", 1)[1])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_are_refused_as_a_receipt_with_a_named_step(data: bytes) -> None:
    with pytest.raises(CaptureError) as caught:
        open_receipt(data, TRUST, at=T0)
    assert caught.value.step in {"R1", "R2", "R3"}


@settings(max_examples=100, deadline=None)
@given(_receipts(), st.data())
def test_one_byte_changed_in_a_signed_receipt_is_refused(
    receipt: AttachReceipt, data: st.DataObject
) -> None:
    raw = bytearray(sign_receipt(receipt, "intake-0001", INTAKE).to_bytes())
    i = data.draw(st.integers(0, len(raw) - 1))
    raw[i] ^= data.draw(st.integers(1, 255))
    with pytest.raises(CaptureError):
        open_receipt(bytes(raw), TRUST, at=T0 + 10**18)


def test_a_receipt_signed_by_an_officers_key_is_refused() -> None:
    receipt = AttachReceipt(
        f"{NAMESPACE}/{uuid.UUID(int=1)}", 2, bytes(32), uuid.UUID(int=2), 3, T0, ()
    )
    with pytest.raises(CaptureError, match="no trusted key") as caught:
        open_receipt(sign_receipt(receipt, "pc-1001", SCENE).to_bytes(), TRUST, at=T0)
    assert caught.value.step == "R1"
