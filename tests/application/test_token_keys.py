"""A case recorded with an officer key and a checkpoint key held in a PKCS#11 token.

The token is SoftHSM2's: its keys sign records and checkpoints like any other
Signer, and the bundle verifies with the ordinary verifier and trust store.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from _softhsm import SoftHsmToken
from application.conftest import NAMESPACE, SECOND, T0, stepping_clock
from casefile.application import CasefileApp, StoreConfig
from casefile.bundle import verify_bundle
from casefile.errors import VerificationError
from casefile.signing import Holder, Pkcs11Signer, PublicKey, TrustEntry, TrustStore


def _entry(public_key: PublicKey, name: str, role: str) -> TrustEntry:
    return TrustEntry(
        public_key=public_key,
        name=name,
        holder=Holder(name=name, rank="PC", number="4721", force="Test Force"),
        roles=frozenset({role}),
        valid_from=T0 - 86_400 * SECOND,
    )


def test_case_signed_by_token_keys_exports_and_verifies(
    softhsm_token: SoftHsmToken, tmp_path: Path
) -> None:
    suffix = secrets.token_hex(4)
    with (
        Pkcs11Signer.generate(softhsm_token.uri(f"pc-4721-{suffix}")) as officer,
        Pkcs11Signer.generate(softhsm_token.uri(f"custody-suite-{suffix}")) as checkpointer,
    ):
        trust = TrustStore(
            [
                _entry(officer.public_key, "pc-4721", "recorder"),
                _entry(checkpointer.public_key, "custody-suite", "checkpoint"),
            ]
        )
        app = CasefileApp(store=StoreConfig.sqlite(tmp_path / "cases.sqlite"), trust=trust,
                          clock=stepping_clock())  # fmt: skip
        try:
            case_id = app.open_case(officer, offence="Burglary", channel="online",
                                    reference="01YE0000126")  # fmt: skip
            app.add_person(case_id, officer, role="victim", name="A Victim")
            result = app.export_bundle(
                case_id,
                tmp_path / "bundle",
                checkpoint_signer=checkpointer,
                checkpoint_name="custody-suite",
                origin_namespace=NAMESPACE,
            )
        finally:
            app.close()
    assert result.verification.verified
    again = verify_bundle(tmp_path / "bundle", at=T0 + 10**12, trust=trust)
    assert again.verified
    # The same bundle under a trust store naming other keys does not verify.
    stranger = TrustStore(
        [
            _entry(checkpointer.public_key, "pc-4721", "recorder"),
            _entry(officer.public_key, "custody-suite", "checkpoint"),
        ]
    )
    with pytest.raises(VerificationError):
        verify_bundle(tmp_path / "bundle", at=T0 + 10**12, trust=stranger)
