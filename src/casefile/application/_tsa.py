"""Asking a time-stamping authority (RFC 3161 over HTTP, RFC 3161 §3.4) to stamp a checkpoint.

:func:`request_timestamp` POSTs the query for the checkpoint's body and returns
the DER reply only once it is granted and echoes the query's nonce and imprint:
a bundle never carries a token over something else. Who signed it is the
verifier's question (B16), asked with the recipient's own anchors.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from casefile.errors import TimestampAuthorityError
from casefile.signing import MAX_TIMESTAMP_SIZE, check_timestamp_reply, timestamp_query

__all__ = ["TimestampAuthority", "Transport", "request_timestamp"]

#: ``transport(url, query, timeout)`` returns the reply's body; raise OSError on failure.
Transport = Callable[[str, bytes, float], bytes]

_QUERY_TYPE: Final = "application/timestamp-query"


def _post(url: str, query: bytes, timeout: float) -> bytes:
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked by the caller
        url, data=query, method="POST", headers={"Content-Type": _QUERY_TYPE}
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
        # One byte over the limit is enough to know the reply is too large.
        body: bytes = answer.read(MAX_TIMESTAMP_SIZE + 1)
    return body


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TimestampAuthorityError(f"{url!r}: not an http or https URL")


def request_timestamp(
    checkpoint_note: str,
    url: str,
    *,
    timeout: float,
    transport: Transport | None = None,
    nonce: int | None = None,
) -> bytes:
    """The DER TimeStampResp of the TSA at ``url`` over ``checkpoint_note``'s body.

    ``transport`` replaces the HTTP POST (an application behind a proxy, or a
    test); it gets the URL, the DER query and ``timeout`` in seconds. Raises
    :class:`~casefile.errors.TimestampAuthorityError` naming ``url`` when the
    TSA cannot be reached, times out, answers an HTTP error, too much, or a
    reply that is not granted or not over this query (nonce, imprint).
    ``nonce`` is the query's (by default 64 random bits).
    """
    _check_url(url)
    if not timeout > 0:
        raise ValueError("timeout must be a positive number of seconds")
    query = timestamp_query(checkpoint_note, nonce)
    send = _post if transport is None else transport
    try:
        reply = send(url, query.der, timeout)
    except urllib.error.HTTPError as exc:
        raise TimestampAuthorityError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except TimeoutError:
        raise TimestampAuthorityError(f"{url}: no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        raise TimestampAuthorityError(f"{url}: cannot reach it ({exc.reason})") from None
    except OSError as exc:
        raise TimestampAuthorityError(f"{url}: {exc.strerror or exc}") from None
    if type(reply) is not bytes:
        raise TimestampAuthorityError(f"{url}: the transport returned no bytes")
    if len(reply) > MAX_TIMESTAMP_SIZE:
        raise TimestampAuthorityError(f"{url}: the reply is larger than {MAX_TIMESTAMP_SIZE} bytes")
    try:
        check_timestamp_reply(reply, query)
    except TimestampAuthorityError as exc:
        raise TimestampAuthorityError(f"{url}: {exc}") from None
    return reply


@dataclass(frozen=True, slots=True)
class TimestampAuthority:
    """A TSA to stamp an export's checkpoint with (``export_bundle(..., tsa=...)``)."""

    url: str
    timeout: float = 10.0
    transport: Transport | None = None
    #: Draws each query's nonce (from 1 to 2^64-1); by default the operating system's
    #: random source. Given, a run can be reproduced.
    nonces: Callable[[], int] | None = None

    def stamp(self, checkpoint_note: str) -> bytes:
        """The TSA's DER TimeStampResp over the note's body (see :func:`request_timestamp`)."""
        return request_timestamp(
            checkpoint_note,
            self.url,
            timeout=self.timeout,
            transport=self.transport,
            nonce=None if self.nonces is None else self.nonces(),
        )
