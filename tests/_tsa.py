"""Helpers for timestamp tests: trust stores naming a local TSA, and forged tokens."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from casefile.signing import TimestampAuthorities, TrustStore, timestamp_query


def with_tsa(trust: TrustStore, *tsas: Any, skew: int = 300, required: bool = False) -> TrustStore:
    """``trust`` with the anchors of ``tsas`` (LocalTSA values) as its TSA anchors."""
    authorities = TimestampAuthorities.from_pem(
        [tsa.anchor_pem for tsa in tsas], max_skew_seconds=skew, required=required
    )
    return TrustStore(trust.entries, trust.policy, authorities)


def stamp(tsa: Any, note: str) -> bytes:
    """The reply of ``tsa`` over ``note``'s body, asked for directly."""
    reply: bytes = tsa.reply(timestamp_query(note).der)
    return reply


def _openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


def resign_token(reply: bytes, signer_folder: Path, work: Path) -> bytes:
    """The same TSTInfo as ``reply``'s, signed as a token by the certificate in
    ``signer_folder`` (which need not be fit to stamp time), as a TimeStampResp."""
    (work / "reply.tsr").write_bytes(reply)
    _openssl(work, "ts", "-reply", "-in", "reply.tsr", "-token_out", "-out", "token.der")
    _openssl(work, "cms", "-verify", "-noverify", "-binary", "-inform", "DER",
             "-in", "token.der", "-out", "tstinfo.der")  # fmt: skip
    _openssl(work, "cms", "-sign", "-binary", "-nodetach", "-md", "sha256",
             "-econtent_type", "1.2.840.113549.1.9.16.1.4", "-in", "tstinfo.der",
             "-signer", str(signer_folder / "tsa.crt"), "-inkey", str(signer_folder / "tsa.key"),
             "-outform", "DER", "-out", "forged.der")  # fmt: skip
    _openssl(work, "ts", "-reply", "-in", "forged.der", "-token_in", "-out", "forged.tsr")
    return (work / "forged.tsr").read_bytes()


def stamp_with_accuracy(tsa: Any, note: str, work: Path, accuracy: str) -> bytes:
    """The reply of ``tsa`` over ``note``'s body with ``accuracy`` (openssl's form, e.g.
    ``secs:1000000000``) in place of the one its configuration states."""
    config = (tsa.folder / "openssl.cnf").read_text(encoding="utf-8")
    (work / "accuracy.cnf").write_text(
        config.replace("accuracy = secs:1", f"accuracy = {accuracy}"), encoding="utf-8"
    )
    (work / "query.tsq").write_bytes(timestamp_query(note).der)
    _openssl(work, "ts", "-reply", "-config", "accuracy.cnf",
             "-queryfile", "query.tsq", "-out", "accuracy.tsr")  # fmt: skip
    return (work / "accuracy.tsr").read_bytes()


def retime_token(reply: bytes, tsa: Any, work: Path, year: int) -> bytes:
    """``reply`` with the year of its genTime set to ``year``, signed again by ``tsa``'s own
    certificate and key: a trusted TSA whose clock is wrong."""
    (work / "reply.tsr").write_bytes(reply)
    _openssl(work, "ts", "-reply", "-in", "reply.tsr", "-token_out", "-out", "token.der")
    _openssl(work, "cms", "-verify", "-noverify", "-binary", "-inform", "DER",
             "-in", "token.der", "-out", "tstinfo.der")  # fmt: skip
    tstinfo = (work / "tstinfo.der").read_bytes()
    at = tstinfo.index(b"\x18\x0f")  # GeneralizedTime of 15 bytes: YYYYMMDDhhmmssZ
    changed = tstinfo[: at + 2] + str(year).encode("ascii") + tstinfo[at + 6 :]
    (work / "tstinfo.der").write_bytes(changed)
    _openssl(work, "cms", "-sign", "-binary", "-nodetach", "-md", "sha256",
             "-econtent_type", "1.2.840.113549.1.9.16.1.4", "-in", "tstinfo.der",
             "-signer", str(tsa.folder / "tsa.crt"), "-inkey", str(tsa.folder / "tsa.key"),
             "-outform", "DER", "-out", "retimed.der")  # fmt: skip
    _openssl(work, "ts", "-reply", "-in", "retimed.der", "-token_in", "-out", "retimed.tsr")
    return (work / "retimed.tsr").read_bytes()
