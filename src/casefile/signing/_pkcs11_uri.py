"""RFC 7512 ``pkcs11:`` URIs naming a key held in a token.

Only the attributes that casefile uses are accepted; any other attribute,
including a vendor's ``x-`` attribute, is refused rather than ignored, so that
a URI never matches more widely than its writer meant. Parsing is pure: no
module is loaded and no file is read here.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from casefile.errors import TokenKeyError

__all__ = ["MAX_PKCS11_URI_SIZE", "PKCS11_URI_SCHEME", "Pkcs11Uri", "is_pkcs11_uri"]

PKCS11_URI_SCHEME: Final = "pkcs11:"
MAX_PKCS11_URI_SIZE: Final = 4096

# RFC 7512 section 2.3: the characters a path or a query value may hold unencoded.
_PATH_VALUE: Final = re.compile(r"[A-Za-z0-9\-._~:\[\]@!$'()*+,=%]*")
_QUERY_VALUE: Final = re.compile(r"[A-Za-z0-9\-._~:\[\]@!$'()*+,=/?|%]*")
_PCT: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")

_PATH_ATTRIBUTES: Final = frozenset(
    {"token", "manufacturer", "serial", "model", "object", "id", "type"}
)
_QUERY_ATTRIBUTES: Final = frozenset({"module-path", "pin-source", "pin-value"})
# Standard attributes that casefile does not act on: named, so the refusal can say why.
_UNSUPPORTED: Final = {
    "module-name": "give the module's file with module-path",
    "slot-id": "name the token by its label or serial",
    "slot-description": "name the token by its label or serial",
    "slot-manufacturer": "name the token by its label or serial",
    "library-manufacturer": "name the module with module-path",
    "library-description": "name the module with module-path",
    "library-version": "name the module with module-path",
}


def is_pkcs11_uri(text: str) -> bool:
    """True if ``text`` is meant as a ``pkcs11:`` URI (the scheme is case-insensitive)."""
    return text[: len(PKCS11_URI_SCHEME)].lower() == PKCS11_URI_SCHEME


@dataclass(frozen=True, slots=True)
class Pkcs11Uri:
    """The parts of a ``pkcs11:`` URI that select a token, a key, a module and a PIN.

    ``str()`` gives the URI with any ``pin-value`` masked, so it is safe in a
    message or a log; :attr:`text` is never shown.
    """

    token: str | None = None
    manufacturer: str | None = None
    serial: str | None = None
    model: str | None = None
    object: str | None = None
    id: bytes | None = None
    module_path: str | None = None
    pin_source: str | None = None
    pin_value: str | None = None
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> Pkcs11Uri:
        """Parse ``text``; a :class:`~casefile.errors.TokenKeyError` names what is wrong."""
        if len(text) > MAX_PKCS11_URI_SIZE:
            raise TokenKeyError(f"a pkcs11: URI of over {MAX_PKCS11_URI_SIZE} characters")
        if not is_pkcs11_uri(text):
            raise TokenKeyError("a PKCS#11 key is named by a URI beginning with 'pkcs11:'")
        path, _, query = text[len(PKCS11_URI_SCHEME) :].partition("?")
        shown = _masked(text)
        fields: dict[str, str | bytes] = {}
        for part, separator, allowed, pattern in (
            (path, ";", _PATH_ATTRIBUTES, _PATH_VALUE),
            (query, "&", _QUERY_ATTRIBUTES, _QUERY_VALUE),
        ):
            if not part:
                continue
            for item in part.split(separator):
                name, equals, raw = item.partition("=")
                _check_attribute(shown, name, equals, raw, allowed, pattern, fields)
                fields[name] = _decode(shown, name, raw)
        kind = fields.pop("type", None)
        if kind is not None and kind != "private":
            raise TokenKeyError(f"{shown}: type={kind!s}: a signing key is type=private")
        if "pin-source" in fields and "pin-value" in fields:
            raise TokenKeyError(f"{shown}: give pin-source or pin-value, not both")

        def value(name: str) -> str | None:
            found = fields.get(name)
            return found if type(found) is str else None

        key_id = fields.get("id")
        return cls(
            token=value("token"),
            manufacturer=value("manufacturer"),
            serial=value("serial"),
            model=value("model"),
            object=value("object"),
            id=key_id if type(key_id) is bytes else None,
            module_path=value("module-path"),
            pin_source=value("pin-source"),
            pin_value=value("pin-value"),
            text=text,
        )

    def pin_file(self) -> Path | None:
        """The file ``pin-source`` names (a ``file:`` URI or a plain path), or None."""
        source = self.pin_source
        if source is None:
            return None
        if source.startswith("file:"):
            parsed = urllib.parse.urlsplit(source)
            if parsed.netloc not in ("", "localhost") or parsed.query or parsed.fragment:
                raise TokenKeyError(f"{self}: pin-source: only a local file: URI names a PIN file")
            source = urllib.parse.unquote(parsed.path)
        elif re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", source) or source.startswith("|"):
            raise TokenKeyError(
                f"{self}: pin-source: {source.split(':', 1)[0]!r} is not supported; "
                "name a file (file:/path/to/pin)"
            )
        if not source:
            raise TokenKeyError(f"{self}: pin-source: names no file")
        return Path(source)

    def __str__(self) -> str:
        return _masked(self.text) if self.text else "pkcs11:"

    def __repr__(self) -> str:
        return f"Pkcs11Uri({str(self)!r})"


def _check_attribute(
    shown: str,
    name: str,
    equals: str,
    raw: str,
    allowed: frozenset[str],
    pattern: re.Pattern[str],
    seen: dict[str, str | bytes],
) -> None:
    if not equals:
        raise TokenKeyError(f"{shown}: {name!r} is not of the form name=value")
    if name in _UNSUPPORTED:
        raise TokenKeyError(f"{shown}: {name} is not supported: {_UNSUPPORTED[name]}")
    if name not in allowed:
        other = _QUERY_ATTRIBUTES if allowed is _PATH_ATTRIBUTES else _PATH_ATTRIBUTES
        where = "after '?'" if name in other and allowed is _PATH_ATTRIBUTES else "before '?'"
        if name in other:
            raise TokenKeyError(f"{shown}: {name} belongs {where}")
        raise TokenKeyError(
            f"{shown}: unknown attribute {name[:40]!r} (known: "
            f"{', '.join(sorted(_PATH_ATTRIBUTES | _QUERY_ATTRIBUTES))})"
        )
    if name in seen:
        raise TokenKeyError(f"{shown}: {name} is given twice")
    if pattern.fullmatch(raw) is None or _PCT.search(raw):
        raise TokenKeyError(f"{shown}: {name}: characters that must be percent-encoded")


def _decode(shown: str, name: str, raw: str) -> str | bytes:
    data = urllib.parse.unquote_to_bytes(raw)
    if name == "id":
        if not data:
            raise TokenKeyError(f"{shown}: id is empty")
        return data
    try:
        value = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TokenKeyError(f"{shown}: {name}: not UTF-8 once percent-decoded") from None
    if not value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise TokenKeyError(f"{shown}: {name}: empty, or holds control characters")
    return value


def _masked(text: str) -> str:
    # A PIN given in the URI must not reach a message, a log or a terminal's scrollback,
    # wherever it stands and however its attribute's name is spelt.
    path, question, query = text[:MAX_PKCS11_URI_SIZE].partition("?")

    def mask(part: str, separator: str) -> str:
        items = part.split(separator)
        for i, item in enumerate(items):
            name, equals, _ = item.partition("=")
            if equals and urllib.parse.unquote(name).strip().lower() == "pin-value":
                items[i] = f"{name}=***"
        return separator.join(items)

    return mask(path, ";") + question + mask(query, "&")
