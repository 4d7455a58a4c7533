"""RFC 7512 URIs: only the attributes casefile acts on, percent-decoded, PINs never shown."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casefile.errors import TokenKeyError
from casefile.signing import Pkcs11Uri

BASE = "pkcs11:token=Force%20HSM;object=pc-1234?module-path=/usr/lib/softhsm/libsofthsm2.so"


def test_attributes_are_percent_decoded() -> None:
    uri = Pkcs11Uri.parse(BASE + "&pin-source=file:/run/secrets/pin")
    assert uri.token == "Force HSM"
    assert uri.object == "pc-1234"
    assert uri.module_path == "/usr/lib/softhsm/libsofthsm2.so"
    assert uri.pin_file() == Path("/run/secrets/pin")
    assert Pkcs11Uri.parse("pkcs11:id=%01%ff").id == b"\x01\xff"


@pytest.mark.parametrize(
    "text",
    [
        BASE + ";colour=red",
        BASE + "&colour=red",
        BASE + "&x-vendor=1",
        "pkcs11:token=a;slot-id=1",
        "pkcs11:token=a?module-name=softhsm2",
    ],
)
def test_uri_with_unknown_attributes_is_refused(text: str) -> None:
    with pytest.raises(TokenKeyError):
        Pkcs11Uri.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "pkcs11:token=a;token=b",
        "pkcs11:token=a/b",
        "pkcs11:token=%zz",
        "pkcs11:token=%ff",
        "pkcs11:token",
        "pkcs11:object=a;type=public",
        "pkcs11:object=a?pin-value=1&pin-source=file:/p",
        "pkcs11:object=a?module-path=/m;token=b",
        "pkcs11:token=%00",
        "pkcs11:id=",
        "pkcs11:" + "a" * 5000,
        "pkcs12:token=a",
    ],
)
def test_malformed_uri_is_refused(text: str) -> None:
    with pytest.raises(TokenKeyError):
        Pkcs11Uri.parse(text)


@pytest.mark.parametrize(
    "source", ["|cat /etc/pin", "env:PIN", "http://pin.example/", "file://host/p"]
)
def test_pin_source_that_is_not_a_local_file_is_refused(source: str) -> None:
    uri = Pkcs11Uri.parse(BASE + "&pin-source=" + urllib.parse.quote(source, safe=":/"))
    with pytest.raises(TokenKeyError, match="pin-source"):
        uri.pin_file()


_SHOWABLE = st.text(min_size=1, max_size=30).filter(
    lambda s: all(ord(c) >= 0x20 and c != "\x7f" for c in s)
)


@given(pin=_SHOWABLE)
def test_pin_value_never_appears_in_the_uri_shown(pin: str) -> None:
    uri = Pkcs11Uri.parse(BASE + "&pin-value=" + urllib.parse.quote(pin, safe=""))
    assert uri.pin_value == pin
    assert str(uri) == repr(uri)[len("Pkcs11Uri('") : -2] == BASE + "&pin-value=***"


@given(
    label=st.text(min_size=1, max_size=30).filter(
        lambda s: all(ord(c) >= 0x20 and c != "\x7f" for c in s)
    ),
    key_id=st.binary(min_size=1, max_size=20),
)
def test_any_label_and_id_round_trip_through_percent_encoding(label: str, key_id: bytes) -> None:
    quoted_id = urllib.parse.quote_from_bytes(key_id, safe="")
    text = f"pkcs11:object={urllib.parse.quote(label, safe='')};id={quoted_id}"
    uri = Pkcs11Uri.parse(text)
    assert uri.object == label
    assert uri.id == key_id


@given(text=st.text(max_size=200))
def test_parser_either_parses_or_names_the_fault(text: str) -> None:
    message = ""
    try:
        Pkcs11Uri.parse("pkcs11:" + text)
    except TokenKeyError as exc:
        message = str(exc)
        assert message.startswith("pkcs11:") or "pkcs11:" in message


@pytest.mark.parametrize(
    "text",
    [
        "pkcs11:object=k?pin%2Dvalue=hunter2",
        "pkcs11:object=k;pin-value=hunter2",
        "pkcs11:object=k?PIN-VALUE=hunter2",
        "pkcs11:object=k?pin-value=hunter2&pin-value=hunter2",
        "pkcs11:object=k?pin-value=hunter2&colour=red",
    ],
)
def test_refused_uri_never_shows_its_pin(text: str) -> None:
    with pytest.raises(TokenKeyError) as refused:
        Pkcs11Uri.parse(text)
    assert "hunter2" not in str(refused.value)
