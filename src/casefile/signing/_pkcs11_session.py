"""Sessions on a PKCS#11 token, and the one login a process holds on it.

PKCS#11 logs in an *application*, not a session: the first session to log in
makes every session of the process on that token logged in, and closing it
logs them all out. So the login is held here, once per token, by a session of
its own, and kept while any signer uses the token; each signer signs in a
session of its own. python-pkcs11 initialises a module without telling it that
threads may call it at once, so every call into one module is serialised here
(one lock per module). ``python-pkcs11`` is imported only when a token is used.
"""

from __future__ import annotations

import contextlib
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

from casefile._readfile import read_regular_file
from casefile.errors import DependencyMissingError, TokenKeyError
from casefile.signing._pkcs11_uri import Pkcs11Uri

__all__ = ["TokenSession", "open_session", "pkcs11_module", "token_errors"]

_INSTALL_HINT: Final = "pip install 'casefile[hsm]'"
_MAX_PIN_FILE: Final = 4096

_logins_lock = threading.Lock()
# (module path, slot id) -> [the session holding the login, how many signers use it]
_logins: dict[tuple[str, int], list[Any]] = {}
_module_locks: dict[str, threading.RLock] = {}


def _module_lock(path: str) -> threading.RLock:
    with _logins_lock:
        return _module_locks.setdefault(path, threading.RLock())


def pkcs11_module() -> types.ModuleType:
    """The ``pkcs11`` package, or a DependencyMissingError naming what to install."""
    try:
        import pkcs11
    except ImportError:
        raise DependencyMissingError(
            f"a pkcs11: key needs the package python-pkcs11, which is not installed "
            f"({_INSTALL_HINT})"
        ) from None
    return pkcs11


@contextlib.contextmanager
def token_errors(uri: Pkcs11Uri) -> Iterator[None]:
    """Turn python-pkcs11's errors in the block into one-line errors naming the URI."""
    try:
        yield
    except RuntimeError as exc:
        # Every python-pkcs11 error derives from PKCS11Error, a RuntimeError.
        if not isinstance(exc, pkcs11_module().PKCS11Error):
            raise
        reason = str(exc) or type(exc).__name__
        raise TokenKeyError(f"{uri}: the token refused: {reason}") from None


class TokenSession:
    """A session on a token, holding a share of the process's login until closed."""

    __slots__ = ("_closed", "_key", "lock", "session")

    def __init__(self, session: Any, key: tuple[str, int], lock: threading.RLock) -> None:
        self.session = session
        #: Held around every call into the token's module.
        self.lock = lock
        self._key = key
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has run."""
        return self._closed

    def close(self) -> None:
        """Close the session; the last user of the token's login logs the process out."""
        with self.lock:
            if self._closed:
                return
            self._closed = True
            try:
                self.session.close()
            finally:
                _release(self._key)


def _release(key: tuple[str, int]) -> None:
    with _logins_lock:
        entry = _logins[key]
        entry[1] -= 1
        if entry[1] == 0:
            del _logins[key]
            entry[0].close()


def open_session(
    uri: Pkcs11Uri, pin: Callable[[], str] | None, module_path: str | None, *, rw: bool
) -> TokenSession:
    """A session, logged in as the user, on the one token ``uri`` names.

    The PIN is the URI's ``pin-value``, else the first line of its ``pin-source``
    file, else what ``pin`` returns; none is asked for if the process is logged in
    to the token already.
    """
    lib = pkcs11_module()
    path = uri.module_path or module_path
    if path is None:
        raise TokenKeyError(
            f"{uri}: no PKCS#11 module: give module-path= in the URI "
            "(or set CASEFILE_PKCS11_MODULE for the command line)"
        )
    lock = _module_lock(path)
    with lock, token_errors(uri):
        try:
            module = lib.lib(path)
        except lib.PKCS11Error as exc:
            raise TokenKeyError(f"{uri}: {path} is not a loadable PKCS#11 module ({exc})") from None
        tokens = [
            token
            for token in module.get_tokens(token_label=uri.token)
            if _matches(uri.serial, token.serial.decode("ascii", "replace").strip())
            and _matches(uri.manufacturer, token.manufacturer_id.strip())
            and _matches(uri.model, token.model.strip())
        ]
        if not tokens:
            raise TokenKeyError(f"{uri}: no such token in {path}")
        if len(tokens) > 1:
            raise TokenKeyError(f"{uri}: {len(tokens)} tokens match: name one (token=, serial=)")
        token = tokens[0]
        key = (path, int(token.slot.slot_id))
        with _logins_lock:
            entry = _logins.get(key)
            if entry is None:
                entry = _logins[key] = [_log_in(uri, token, pin), 0]
            entry[1] += 1
        try:
            return TokenSession(token.open(rw=rw), key, lock)
        except BaseException:
            _release(key)
            raise


def _log_in(uri: Pkcs11Uri, token: Any, pin: Callable[[], str] | None) -> Any:
    lib = pkcs11_module()
    pin_file = uri.pin_file()
    if uri.pin_value is not None:
        secret = uri.pin_value
    elif pin_file is not None:
        secret = _read_pin(uri, pin_file)
    elif pin is not None:
        secret = pin()
    else:
        raise TokenKeyError(f"{uri}: the token's PIN is needed: give pin-source=")
    try:
        return token.open(user_pin=secret)
    except lib.UserAlreadyLoggedIn:
        # Logged in by other code of this process: share its login, and leave it to log out.
        return token.open()
    except (lib.PinIncorrect, lib.PinInvalid, lib.PinLenRange):
        raise TokenKeyError(f"{uri}: wrong PIN") from None
    except lib.PinLocked:
        raise TokenKeyError(f"{uri}: the PIN is locked (too many wrong attempts)") from None


def _matches(wanted: str | None, actual: str) -> bool:
    return wanted is None or wanted == actual


def _read_pin(uri: Pkcs11Uri, path: Path) -> str:
    try:
        data = read_regular_file(path, limit=_MAX_PIN_FILE, what="PIN file", error=TokenKeyError)
    except OSError as exc:
        raise TokenKeyError(f"{uri}: cannot read the PIN file {path} ({exc.strerror})") from None
    line = data.split(b"\n", 1)[0].removesuffix(b"\r")
    if len(data) > _MAX_PIN_FILE or not line:
        raise TokenKeyError(f"{uri}: {path}: a PIN file holds the PIN on its first line")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise TokenKeyError(f"{uri}: {path}: the PIN is not UTF-8") from None
