"""The demo's time-stamping authority: a local ``openssl ts`` when openssl is installed.

The demo stamps the CPS bundle's checkpoint and names the TSA's CA in its trust
store, so that ``casefile verify`` shows the time the TSA proves (B16). Without
openssl the demo runs as before and says it left the timestamp out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

from casefile.errors import DependencyMissingError
from casefile.signing import TimestampAuthorities

if TYPE_CHECKING:
    from casefile.application._local_tsa import LocalTSA

__all__ = ["STAMPED_AUDIENCE", "demo_tsa", "tsa_anchors"]

#: The audience whose bundle the demo has stamped.
STAMPED_AUDIENCE: Final = "cps"
#: Tablets' clocks drift; five minutes is what the demo's trust store allows.
_SKEW_SECONDS: Final = 300


@contextlib.contextmanager
def demo_tsa() -> Iterator[LocalTSA | None]:
    """A local TSA for the demo's run, or None when openssl is not installed."""
    from casefile.application._local_tsa import start_local_tsa

    try:
        tsa = start_local_tsa(name="Northshire demo")
    except DependencyMissingError:
        yield None
        return
    try:
        yield tsa
    finally:
        tsa.close()


def tsa_anchors(tsa: LocalTSA | None) -> TimestampAuthorities | None:
    """What the demo's trust store says about time-stamping authorities."""
    if tsa is None:
        return None
    return TimestampAuthorities.from_pem([tsa.anchor_pem], max_skew_seconds=_SKEW_SECONDS)
