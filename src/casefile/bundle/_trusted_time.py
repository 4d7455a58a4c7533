"""B16 Trusted time: the bundle's RFC 3161 token over its checkpoint (docs/FORMAT.md §9.6).

A record's time is what the recording device claims; a token from a
time-stamping authority the auditor trusts proves that the checkpoint, and so
every record it covers, existed by the token's time. A record claiming a later
time than that (plus the allowed skew) claims what cannot be: the bundle fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from casefile._time import ns_to_rfc3339
from casefile.bundle._layout import TIMESTAMP
from casefile.bundle._manifest import Manifest
from casefile.bundle._reader import Bundle
from casefile.errors import ManifestError, TrustedTimeError
from casefile.findings import Finding
from casefile.signing._timestamp import TrustedTime, verify_timestamp
from casefile.signing._trust import TrustStore

__all__ = ["TrustedTimeCheck", "check_trusted_time"]


@dataclass(frozen=True, slots=True)
class TrustedTimeCheck:
    """What B16 found: the time proven (or None), a failure, a finding."""

    time: TrustedTime | None = None
    error: TrustedTimeError | ManifestError | None = None
    finding: Finding | None = None


def check_trusted_time(
    bundle: Bundle,
    manifest: Manifest,
    trust: TrustStore,
    latest: tuple[int, int] | None,
    *,
    at: int,
    unread: bool,
    label: str | None,
) -> TrustedTimeCheck:
    """B16 over an authenticated ``manifest``; ``latest`` is (seq, time) of the latest
    verified record; ``at`` the verification time (ns); ``unread`` says checkpoint.tsr
    already failed B4 (nothing to add)."""
    authorities = trust.timestamping
    listed = manifest.entry(TIMESTAMP) is not None
    if not listed:
        if authorities is not None and authorities.required:
            return TrustedTimeCheck(
                error=TrustedTimeError(
                    f"the trust store requires a timestamp and the bundle has no {TIMESTAMP}",
                    case_id=label,
                )
            )
        return TrustedTimeCheck()
    if unread:
        return TrustedTimeCheck()
    if authorities is None:
        return TrustedTimeCheck(
            finding=Finding(
                "timestamp_not_checked",
                f"the bundle carries {TIMESTAMP}, but the trust store names no time-stamping "
                "authority: record times are the devices' claims only",
            )
        )
    try:
        # B16 steps 1-4: parses, stamps this checkpoint's body, signed by a trusted TSA, with
        # a bounded accuracy and a time not after the verification time.
        proven = verify_timestamp(
            bundle.read_small(TIMESTAMP), manifest.checkpoint, authorities, at=at
        )
    except TrustedTimeError as exc:
        return TrustedTimeCheck(error=TrustedTimeError(f"{TIMESTAMP}: {exc}", case_id=label))
    except ManifestError as exc:  # its zip member's data was changed: a B4 failure
        return TrustedTimeCheck(error=exc)
    # B16 step 5: no record claims a time after the token's, beyond accuracy and skew.
    bound = proven.time + proven.accuracy_ns + authorities.max_skew_ns
    if latest is not None and latest[1] > bound:
        seq, claimed = latest
        return TrustedTimeCheck(
            time=proven,
            error=TrustedTimeError(
                f"the record claims {ns_to_rfc3339(claimed)}, later than the timestamp of its "
                f"checkpoint ({ns_to_rfc3339(proven.time)}, by {proven.tsa}) plus its accuracy "
                f"and the {authorities.max_skew_seconds} s the trust store allows",
                case_id=label,
                seq=seq,
            ),
        )
    return TrustedTimeCheck(time=proven)
