"""The rules a trust store's texts, names, roles and times follow (FORMAT.md §7.1.2).

Shared by the trust entries and policy of :mod:`casefile.signing._trust`, the
JSON form of :mod:`casefile.signing._trust_json` and the root keys of a trust
root: a name a court reads is checked by one set of rules wherever it appears.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from casefile._time import MAX_TIME_NS, MIN_TIME_NS
from casefile.errors import TrustStoreError

__all__ = ["check_display_text", "check_note_name", "check_role", "check_roles", "check_time"]

_MAX_TEXT: Final = 256
_ROLE: Final = re.compile(r"[a-z][a-z0-9_.-]{0,63}")


# Characters that display as nothing or reorder what follows, so that two
# different names could look identical to a court: every format character
# (Unicode category Cf, listed here as of Unicode 15.0 so that the rule does
# not move with the Python version) and the line and paragraph separators.
_INVISIBLE: Final = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)
_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
# The Unicode White_Space property, which a note key name may not contain.
_WHITE_SPACE: Final = re.compile(
    "[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)


def check_display_text(value: object, what: str, *, allow_empty: bool = False) -> str:
    """The display text rules of FORMAT.md §7.1.2, shared by key names and holders."""
    if type(value) is not str:
        raise TrustStoreError(f"{what}: expected a string, not {type(value).__name__}")
    if not value and not allow_empty:
        raise TrustStoreError(f"{what}: must not be empty")
    if len(value) > _MAX_TEXT:
        raise TrustStoreError(f"{what}: longer than {_MAX_TEXT} characters")
    # Lone surrogates come from JSON "\ud800" escapes and have no UTF-8 form.
    for pattern, problem in (
        (_CONTROL, "the control character"),
        (_SURROGATE, "an unpaired surrogate"),
        (_INVISIBLE, "the invisible formatting character"),
    ):
        found = pattern.search(value)
        if found is not None:
            code = ord(found.group())
            raise TrustStoreError(f"{what}: contains {problem} U+{code:04X} at {found.start()}")
    # Refused rather than normalised: the text a key was registered under is
    # the text shown, and "é" must not have two spellings.
    if not unicodedata.is_normalized("NFC", value):
        raise TrustStoreError(f"{what}: is not in Unicode normalisation form NFC")
    return value


def check_note_name(name: object) -> str:
    """Return ``name`` if it is a valid C2SP signed-note key name, else raise.

    c2sp.org/signed-note: non-empty, well-formed UTF-8, no Unicode space and no
    ``+`` (which separates the name from the key id in a verifier key). The
    display text rules of holders apply as well (FORMAT.md §7.1.2).
    """
    text = check_display_text(name, "name")
    found = _WHITE_SPACE.search(text) or re.search("[+]", text)
    if found is not None:
        raise TrustStoreError(
            f"name: {text!r} contains {found.group()!r}, not allowed in a note key name"
        )
    return text


def check_role(role: object) -> str:
    """Return ``role`` if it is a role token (``[a-z][a-z0-9_.-]{0,63}``), else raise."""
    if type(role) is not str or _ROLE.fullmatch(role) is None:
        raise TrustStoreError(
            f"role: {role!r} is not a role name (a lower-case letter, then up to 63 of [a-z0-9_.-])"
        )
    return role


def check_roles(roles: object, what: str) -> frozenset[str]:
    """Return ``roles`` if it is a non-empty frozenset of role names, else raise."""
    if type(roles) is not frozenset:
        raise TrustStoreError(f"{what}: expected a frozenset of role names")
    if not roles:
        raise TrustStoreError(f"{what}: must name at least one role")
    for role in roles:
        check_role(role)
    return roles


def check_time(value: object, what: str, *, optional: bool) -> None:
    """Raise unless ``value`` is integer ns within the years 0001-9999 (or an allowed None)."""
    if value is None and optional:
        return
    if type(value) is not int:
        raise TrustStoreError(f"{what}: expected integer nanoseconds since the epoch")
    # Kept within the text form's range so that every store can be written out.
    if not MIN_TIME_NS <= value <= MAX_TIME_NS:
        raise TrustStoreError(f"{what}: {value} ns lies outside the years 0001-9999")
