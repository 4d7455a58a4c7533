"""A :class:`~casefile.signing.Signer` whose Ed25519 key lives in a PKCS#11 token.

The key is generated in the token (``CKM_EC_EDWARDS_KEY_PAIR_GEN``), marked
sensitive and not extractable, and signs with ``CKM_EDDSA``; its private half
never reaches this process. Only keys the token itself attests were always
sensitive and never extractable are used (docs/DECISIONS.md): a key that was
once outside a token is a key file with extra steps.

Every signature the token returns is verified against the key's public half,
under the library's one verification rule, before it is handed out, so a
faulty token cannot put a record with a bad signature into a case.

``python-pkcs11`` is imported only when a token is used, so nothing else in
casefile (least of all the verifier) needs it installed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Final

from casefile.errors import (
    InvalidPublicKeyError,
    SignerError,
    TokenKeyError,
)
from casefile.signing._keys import SIGNATURE_SIZE, PublicKey, verify_signature
from casefile.signing._pkcs11_session import (
    TokenSession,
    open_session,
    pkcs11_module,
    token_errors,
)
from casefile.signing._pkcs11_uri import Pkcs11Uri

__all__ = ["ED25519_EC_PARAMS", "Pkcs11Signer"]

# CKA_EC_PARAMS naming Ed25519: the DER of OID 1.3.101.112 (RFC 8410), or the
# DER PrintableString "edwards25519" that PKCS#11 3.0 also allows.
_ED25519_OID: Final = bytes.fromhex("06032b6570")
ED25519_EC_PARAMS: Final = frozenset({_ED25519_OID, b"\x13\x0c" + b"edwards25519"})

_GENERATED_ID_SIZE: Final = 16
_SELF_TEST_TAG: Final = b"casefile:pkcs11-self-test:v1\x00"


class Pkcs11Signer:
    """Signs with an Ed25519 key held in a PKCS#11 token, checking each signature.

    Open an existing key with :meth:`open`, or make one in the token with
    :meth:`generate`. The session stays logged in until :meth:`close` (or the
    end of a ``with`` block). Signing is serialised per module: a PKCS#11
    session runs one operation at a time, and the module was not told that
    threads may call it at once.
    """

    __slots__ = ("_key", "_public_key", "_session", "_uri")

    def __init__(self, uri: Pkcs11Uri, session: TokenSession, key: Any, public: PublicKey) -> None:
        # Private: use open() or generate(), which check the key before building this.
        self._uri = uri
        self._session = session
        self._key = key
        self._public_key = public

    @classmethod
    def open(
        cls,
        uri: Pkcs11Uri | str,
        *,
        pin: Callable[[], str] | None = None,
        module_path: str | None = None,
    ) -> Pkcs11Signer:
        """The key ``uri`` names, after checking it is a non-extractable Ed25519 key.

        ``pin`` is called for the user PIN unless the URI carries ``pin-value``;
        ``module_path`` is used when the URI has no ``module-path``.
        """
        uri = Pkcs11Uri.parse(uri) if isinstance(uri, str) else uri
        if uri.object is None and uri.id is None:
            raise TokenKeyError(f"{uri}: name the key with object= (its label) or id=")
        with token_errors(uri):
            session = open_session(uri, pin, module_path, rw=False)
            try:
                with session.lock:
                    key = _one_private_key(uri, session.session)
                    return cls._checked(uri, session, key)
            except BaseException:
                session.close()
                raise

    @classmethod
    def generate(
        cls,
        uri: Pkcs11Uri | str,
        *,
        pin: Callable[[], str] | None = None,
        module_path: str | None = None,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> Pkcs11Signer:
        """A new Ed25519 key pair made in the token, labelled with the URI's ``object``.

        Refused if the token already holds an object with that label (or id),
        so a key is never shadowed by a second one of the same name.
        """
        uri = Pkcs11Uri.parse(uri) if isinstance(uri, str) else uri
        if uri.object is None:
            raise TokenKeyError(f"{uri}: a new key needs a label: give object=")
        lib = pkcs11_module()
        attr = lib.Attribute
        key_id = uri.id if uri.id is not None else random_bytes(_GENERATED_ID_SIZE)
        with token_errors(uri):
            session = open_session(uri, pin, module_path, rw=True)
            try:
                with session.lock:
                    for match in ({attr.LABEL: uri.object}, {attr.ID: key_id}):
                        if any(True for _ in session.session.get_objects(match)):
                            raise TokenKeyError(
                                f"{uri}: the token already holds an object {_what(match)}"
                            )
                    key = _generate_pair(session.session, uri.object, key_id)
                    try:
                        return cls._checked(uri, session, key)
                    except BaseException:
                        # A key this token cannot vouch for must not stay behind under the label.
                        _destroy_pair(session.session, uri.object, key_id)
                        raise
            except BaseException:
                session.close()
                raise

    @classmethod
    def _checked(cls, uri: Pkcs11Uri, session: TokenSession, key: Any) -> Pkcs11Signer:
        lib = pkcs11_module()
        attr = lib.Attribute
        if key.key_type != lib.KeyType.EC_EDWARDS:
            raise TokenKeyError(f"{uri}: not an Ed25519 key (CKA_KEY_TYPE {key.key_type.name})")
        params = bytes(key[attr.EC_PARAMS])
        if params not in ED25519_EC_PARAMS:
            raise TokenKeyError(
                f"{uri}: not an Ed25519 key (an Edwards curve with CKA_EC_PARAMS {params.hex()})"
            )
        if not key[attr.SIGN]:
            raise TokenKeyError(f"{uri}: the token does not allow this key to sign")
        # The token sets ALWAYS_SENSITIVE and NEVER_EXTRACTABLE itself: they attest the key
        # was made inside a token and has never been readable outside one.
        for name, wanted in (
            ("SENSITIVE", True),
            ("EXTRACTABLE", False),
            ("ALWAYS_SENSITIVE", True),
            ("NEVER_EXTRACTABLE", True),
        ):
            if bool(key[getattr(attr, name)]) is not wanted:
                raise TokenKeyError(
                    f"{uri}: the key is {'not ' if wanted else ''}CKA_{name}: casefile uses "
                    "only keys that were made in a token and can never leave it"
                )
        try:
            public = PublicKey(_public_point(uri, session.session, key))
        except InvalidPublicKeyError as exc:
            raise TokenKeyError(f"{uri}: CKA_EC_POINT: {exc}") from None
        signer = cls(uri, session, key, public)
        # A key whose public object belongs to another key would sign records nobody can verify.
        signer.sign(_SELF_TEST_TAG + os.urandom(16))
        return signer

    @property
    def public_key(self) -> PublicKey:
        return self._public_key

    @property
    def uri(self) -> Pkcs11Uri:
        """The URI the key was opened by (``str()`` masks any PIN in it)."""
        return self._uri

    def sign(self, message: bytes) -> bytes:
        """The token's Ed25519 signature of ``message``, verified before it is returned."""
        lib = pkcs11_module()
        with self._session.lock, token_errors(self._uri):
            if self._session.closed:
                raise TokenKeyError(f"{self._uri}: the signer is closed")
            signature = self._key.sign(message, mechanism=lib.Mechanism.EDDSA)
        if type(signature) is not bytes or len(signature) != SIGNATURE_SIZE:
            raise SignerError(f"{self._uri}: the token returned no 64-byte Ed25519 signature")
        if not verify_signature(self._public_key.raw, message, signature):
            raise SignerError(
                f"{self._uri}: the token returned a signature that its public key does not "
                "verify; it was discarded (a faulty token, or a public key object that is "
                "not this key's)"
            )
        return signature

    def close(self) -> None:
        """End the token session (logging out); the signer cannot sign afterwards."""
        with self._session.lock, token_errors(self._uri):
            self._session.close()

    def discard(self) -> None:
        """Delete this key pair from the token and close the signer.

        For a key just made whose trust entry could not be written: a key that
        is trusted nowhere is of no use, and leaving it would shadow its label.
        """
        with self._session.lock, token_errors(self._uri):
            if self._session.closed:
                raise TokenKeyError(f"{self._uri}: the signer is closed")
            lib = pkcs11_module()
            _destroy_pair(self._session.session, self._uri.object, self._key[lib.Attribute.ID])
            self._session.close()

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Pkcs11Signer({self._uri}, {self._public_key.key_id.hex()[:16]}…)"


def _generate_pair(session: Any, label: str, key_id: bytes) -> Any:
    lib = pkcs11_module()
    attr = lib.Attribute
    common = {attr.TOKEN: True, attr.LABEL: label, attr.ID: key_id}
    _, key = session.generate_keypair(
        lib.KeyType.EC_EDWARDS,
        mechanism=lib.Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
        store=True,
        public_template={**common, attr.EC_PARAMS: _ED25519_OID, attr.VERIFY: True},
        private_template={
            **common,
            attr.PRIVATE: True,
            attr.SENSITIVE: True,
            attr.EXTRACTABLE: False,
            attr.SIGN: True,
        },
    )
    return key


def _destroy_pair(session: Any, label: str | None, key_id: bytes) -> None:
    lib = pkcs11_module()
    attr = lib.Attribute
    match: dict[Any, Any] = {attr.ID: key_id}
    if label is not None:
        match[attr.LABEL] = label
    for kind in (lib.ObjectClass.PRIVATE_KEY, lib.ObjectClass.PUBLIC_KEY):
        for found in list(session.get_objects({**match, attr.CLASS: kind})):
            found.destroy()


def _what(match: dict[Any, Any]) -> str:
    ((attribute, value),) = match.items()
    return f"with CKA_{attribute.name} {value.hex() if type(value) is bytes else repr(value)}"


def _one_private_key(uri: Pkcs11Uri, session: Any) -> Any:
    lib = pkcs11_module()
    attr = lib.Attribute
    match: dict[Any, Any] = {attr.CLASS: lib.ObjectClass.PRIVATE_KEY}
    if uri.object is not None:
        match[attr.LABEL] = uri.object
    if uri.id is not None:
        match[attr.ID] = uri.id
    keys = list(session.get_objects(match))
    if not keys:
        raise TokenKeyError(f"{uri}: no such private key in the token")
    if len(keys) > 1:
        raise TokenKeyError(f"{uri}: {len(keys)} private keys match: add id= to name one")
    return keys[0]


def _public_point(uri: Pkcs11Uri, session: Any, key: Any) -> bytes:
    from asn1crypto.core import OctetString

    lib = pkcs11_module()
    attr = lib.Attribute
    match: dict[Any, Any] = {attr.CLASS: lib.ObjectClass.PUBLIC_KEY, attr.ID: key[attr.ID]}
    if uri.object is not None:
        match[attr.LABEL] = uri.object
    publics = list(session.get_objects(match))
    if len(publics) != 1:
        raise TokenKeyError(
            f"{uri}: {'no' if not publics else len(publics)} public key object(s) with the "
            "private key's label and id: the key's public half cannot be read"
        )
    point = publics[0][attr.EC_POINT]
    # PKCS#11 3.0: CKA_EC_POINT of an Edwards key is the DER OCTET STRING of the RFC 8032 key.
    try:
        raw = OctetString.load(bytes(point), strict=True).native
    except ValueError:
        raise TokenKeyError(f"{uri}: CKA_EC_POINT is not a DER OCTET STRING") from None
    if type(raw) is not bytes:
        raise TokenKeyError(f"{uri}: CKA_EC_POINT is not a DER OCTET STRING")
    return raw
