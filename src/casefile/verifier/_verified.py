"""What verification yields for each record that passed every check."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from casefile.signing._trust import TrustEntry

__all__ = ["VerifiedRecord"]


@dataclass(frozen=True, slots=True)
class VerifiedRecord:
    """A record that passed every check, with the trust entry of its signer."""

    case_id: uuid.UUID
    seq: int
    event_type: str
    schema: int
    time_ns: int
    signer: TrustEntry
    data: Mapping[str, Any]
    commitments: Mapping[str, bytes]
    disclosed: Mapping[str, Any]
    hash: bytes
    raw: bytes
