"""Asking a time-stamping authority for a token: what the client refuses before a bundle has it."""

from __future__ import annotations

import socket
import urllib.error
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from _casebuilder import CaseBuilder, World
from _tsa import stamp
from casefile.application import TimestampAuthority, request_timestamp
from casefile.errors import TimestampAuthorityError
from casefile.signing import MAX_TIMESTAMP_SIZE, TimestampAuthorities, verify_timestamp


def _note(n: int = 1) -> str:
    world = World()
    case = CaseBuilder(uuid.UUID(int=n))
    for _ in range(n):
        case.add(world.alice)
    return world.checkpoint(case)


def test_token_from_the_tsa_is_over_the_checkpoint(local_tsa: Any) -> None:
    note = _note()
    token = request_timestamp(note, local_tsa.url, timeout=10)
    anchors = TimestampAuthorities.from_pem([local_tsa.anchor_pem], max_skew_seconds=0)
    assert verify_timestamp(token, note, anchors).tsa.endswith("CN=Test TSA")


def test_replayed_reply_to_another_query_is_refused(local_tsa: Any) -> None:
    note = _note()
    old = stamp(local_tsa, note)  # a genuine reply, but to an earlier query: another nonce
    with pytest.raises(TimestampAuthorityError, match=r"http://tsa\.test/: .*nonce"):
        request_timestamp(note, "http://tsa.test/", timeout=1, transport=lambda *_: old)


def test_reply_over_another_checkpoint_is_refused(local_tsa: Any) -> None:
    def answer_for_other(url: str, query: bytes, timeout: float) -> bytes:
        return stamp(local_tsa, _note(2))

    # The nonce differs too; either refusal keeps the token out of the bundle.
    with pytest.raises(TimestampAuthorityError, match=r"tsa\.test"):
        request_timestamp(_note(), "http://tsa.test/", timeout=1, transport=answer_for_other)


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        (b"", "not a DER RFC 3161 TimeStampResp"),
        (b"<html>busy</html>", "not a DER RFC 3161 TimeStampResp"),
        (b"\x30\x05\x30\x03\x02\x01\x02", "did not grant it"),
        (b"\x30" * (MAX_TIMESTAMP_SIZE + 1), "larger than"),
    ],
    ids=["empty", "html", "rejected", "oversized"],
)
def test_bad_reply_is_refused_naming_the_url(reply: bytes, problem: str) -> None:
    with pytest.raises(TimestampAuthorityError, match=rf"http://tsa\.test/x: .*{problem}"):
        request_timestamp(_note(), "http://tsa.test/x", timeout=1, transport=lambda *_: reply)


def test_http_error_names_the_url() -> None:
    def refuse(url: str, query: bytes, timeout: float) -> bytes:
        raise urllib.error.HTTPError(url, 503, "Service Unavailable", {}, None)  # type: ignore[arg-type]

    with pytest.raises(TimestampAuthorityError, match=r"http://tsa\.test/: HTTP 503"):
        request_timestamp(_note(), "http://tsa.test/", timeout=1, transport=refuse)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A socket that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"


def test_silent_tsa_times_out_with_a_clear_error(silent_server: str) -> None:
    with pytest.raises(TimestampAuthorityError, match=rf"{silent_server}: .*(within|timed out)"):
        request_timestamp(_note(), silent_server, timeout=0.5)


def test_unreachable_tsa_names_the_url() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    with pytest.raises(TimestampAuthorityError, match=f"{url}: cannot reach it"):
        request_timestamp(_note(), url, timeout=2)


@pytest.mark.parametrize("url", ["ftp://tsa.test/", "file:///etc/passwd", "tsa.test"])
def test_url_other_than_http_is_refused(url: str) -> None:
    with pytest.raises(TimestampAuthorityError, match="not an http or https URL"):
        TimestampAuthority(url).stamp(_note())


def test_tsa_nonce_is_drawn_by_the_injected_source_and_sent_in_the_query() -> None:
    # Randomness is injected where it shapes what is sent: a test or an audit replays
    # a run's query byte for byte; the reply must still echo that nonce.
    from casefile.signing import timestamp_query

    sent: list[bytes] = []

    def capture(url: str, query: bytes, timeout: float) -> bytes:
        sent.append(query)
        raise OSError("offline")

    note = _note()
    tsa = TimestampAuthority("http://tsa.test/", transport=capture, nonces=lambda: 42)
    for _ in range(2):
        with pytest.raises(TimestampAuthorityError, match="offline"):
            tsa.stamp(note)
    assert sent == [timestamp_query(note, 42).der] * 2
