"""B16 as docs/FORMAT.md §6.2, §7.1.4 and §9.6 state it, checked with OpenSSL's own ``ts``.

No casefile code and not rfc3161-client: steps 1-3 are ``openssl ts -verify`` over the
digest of the checkpoint's body with the anchors as CA file, as §9.6 says an outside
verifier may do; steps 4 and 5 read ``genTime`` and the accuracy from ``openssl ts -text``.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from independent._spec_rules import Report

_TIME = re.compile(r"^Time stamp: (\w+ +\d+ \d\d:\d\d:\d\d)(\.\d+)? (\d{4}) GMT$", re.M)
_ACCURACY = re.compile(
    r"^Accuracy: (?:0x([0-9A-Fa-f]+)|unspecified) seconds, "
    r"(?:0x([0-9A-Fa-f]+)|unspecified) millis, (?:0x([0-9A-Fa-f]+)|unspecified) micros",
    re.M,
)


def _gen_time(text: str) -> int:
    found = _TIME.search(text)
    if found is None:
        raise ValueError("no genTime")
    stamp = time.strptime(f"{found[1]} {found[3]}", "%b %d %H:%M:%S %Y")
    fraction = int(((found[2] or ".")[1:] + "000000000")[:9])
    return calendar.timegm(stamp) * 10**9 + fraction


def _accuracy(text: str) -> int:
    """§9.6 B16 step 4: seconds, millis and micros of the accuracy (each 0 when absent)."""
    found = _ACCURACY.search(text)
    if found is None:
        return 0
    units = (10**9, 10**6, 10**3)  # seconds, millis, micros, in nanoseconds
    return sum(
        int(part, 16) * unit for part, unit in zip(found.groups(), units, strict=True) if part
    )


def check_trusted_time(
    root: Path,
    manifest: dict[str, Any],
    trust_doc: bytes,
    changed: set[str],
    verified: dict[int, dict[str, Any]],
    report: Report,
    at: int,
) -> None:
    """B16 over a bundle directory whose manifest B2 authenticated, verified at ``at``."""
    tsa = json.loads(trust_doc).get("timestamping")
    listed = {f["path"] for f in manifest["files"]}
    if "checkpoint.tsr" not in listed:
        if tsa is not None and tsa.get("required") is True:
            report.fail("B16", "trusted_time")
        return
    if "checkpoint.tsr" in changed:
        return  # failed B4: not read again
    if tsa is None:
        report.note("timestamp_not_checked")
        return
    body = manifest["checkpoint"].split("\n\n", 1)[0] + "\n"  # §6.2: the three lines
    token = root / "checkpoint.tsr"
    with tempfile.TemporaryDirectory() as work:
        anchors = Path(work) / "anchors.pem"
        anchors.write_text("".join(tsa["anchors"]), "ascii")
        checked = subprocess.run(
            ["openssl", "ts", "-verify", "-in", token, "-CAfile", anchors,
             "-digest", hashlib.sha256(body.encode()).hexdigest()],
            capture_output=True, check=False,
        )  # fmt: skip
    shown = subprocess.run(
        ["openssl", "ts", "-reply", "-in", token, "-text"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if checked.returncode != 0 or token.stat().st_size > 256 * 1024 or shown.returncode != 0:
        report.fail("B16", "trusted_time")
        return
    gen_time, accuracy = _gen_time(shown.stdout), _accuracy(shown.stdout)
    skew = tsa["max_skew_seconds"] * 10**9
    # Step 4: an accuracy of at most a day, and a genTime not after the verification time.
    if accuracy > 86_400 * 10**9 or gen_time - accuracy > at + skew:
        report.fail("B16", "trusted_time")
        return
    bound = gen_time + accuracy + skew
    late = [seq for seq, h in sorted(verified.items()) if h["time"] > bound]
    if late:
        latest = max(verified[seq]["time"] for seq in late)
        report.fail("B16", "trusted_time", min(s for s in late if verified[s]["time"] == latest))
