"""V6 to V9: the key that signed a record, its window, its role and its signature.

The signature's arithmetic runs per record in :mod:`casefile.verifier._parse`
(possibly in other processes); its verdict arrives here with the record,
and the key is judged against the trust store at the record's time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from casefile.errors import (
    BadSignatureError,
    KeyNotValidError,
    KeyRoleError,
    UnknownKeyError,
    VerificationError,
)
from casefile.signing._trust import TrustEntry, TrustStore

__all__ = ["SignerCheck"]

#: V8 verdicts are cached for at most this many (key, type) pairs, and only
#: for records whose signature verified: a forged stream naming a new type in
#: every record must not grow the cache.
_ROLE_CACHE_SIZE = 256


@dataclass(slots=True)
class SignerCheck:
    """Judges each record's signer against one trust store."""

    trust: TrustStore
    # V8's verdict for each (key, type) pair, worked out once, since a case
    # has few signers and few types.
    _role_ok: dict[tuple[bytes, str], bool] = field(default_factory=dict)

    def check(
        self,
        key_id: bytes,
        etype: str,
        time_ns: int,
        sig_ok: bool | None,
        fail: Callable[[VerificationError], None],
        label: str | None,
        seq: int,
    ) -> tuple[TrustEntry | None, bool]:
        """(the signer's trust entry if known, whether V6 to V9 all passed).

        Each fault goes to ``fail``, naming the record by ``label`` and ``seq``.
        """
        ok = True
        # V6: the signing key is trusted.
        entry = self.trust.get(key_id)
        if entry is None:
            fail(
                UnknownKeyError(
                    f"signed by key {key_id.hex()[:16]}…, which the trust store does not hold",
                    case_id=label,
                    seq=seq,
                    step="V6",
                )
            )
            return None, False
        # V7: within the key's validity window and before any revocation.
        if not entry.valid_at(time_ns):
            ok = False
            fail(
                KeyNotValidError(
                    f"key of {entry.name} is not valid at the record's time",
                    case_id=label,
                    seq=seq,
                    step="V7",
                )
            )
        # V8: the key's holder may record this type of event.
        role_ok = self._role_allows(entry, etype, sig_ok is True)
        if not role_ok:
            required = self.trust.policy.roles_for(etype)
            ok = False
            fail(
                KeyRoleError(
                    f"key of {entry.name} lacks a role for {etype!r} "
                    f"(needs one of {sorted(required)})",
                    case_id=label,
                    seq=seq,
                    step="V8",
                )
            )
        # V9: the signature (verdict computed in _parse, possibly in parallel).
        if sig_ok is not True:
            ok = False
            fail(
                BadSignatureError(
                    f"signature does not verify under the key of {entry.name}",
                    case_id=label,
                    seq=seq,
                    step="V9",
                )
            )
        return entry, ok

    def _role_allows(self, entry: TrustEntry, etype: str, authentic: bool) -> bool:
        cache_key = (entry.key_id, etype)
        verdict = self._role_ok.get(cache_key)
        if verdict is None:
            verdict = bool(entry.roles & self.trust.policy.roles_for(etype))
            if authentic and len(self._role_ok) < _ROLE_CACHE_SIZE:
                self._role_ok[cache_key] = verdict
        return verdict
