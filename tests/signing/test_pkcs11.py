"""The PKCS#11 signer against a real SoftHSM2 token: keys made in it, each signature checked."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _softhsm import SoftHsmToken
from casefile.errors import SignerError, TokenKeyError
from casefile.signing import Pkcs11Signer, Signer, verify_signature
from casefile.signing._pkcs11_session import _logins


def unique_label(kind: str = "officer") -> str:
    return f"{kind}-{secrets.token_hex(6)}"


def _session(token: SoftHsmToken) -> Any:
    import pkcs11

    lib = pkcs11.lib(token.module)
    return lib.get_token(token_label=token.label).open(rw=True, user_pin=token.pin)


def test_generated_key_signs_and_reopens_with_the_same_public_key(
    softhsm_token: SoftHsmToken,
) -> None:
    uri = softhsm_token.uri(unique_label())
    with Pkcs11Signer.generate(uri) as made:
        public = made.public_key
        assert isinstance(made, Signer)
    with Pkcs11Signer.open(uri) as opened:
        assert opened.public_key == public
        signature = opened.sign(b"a record")
    assert verify_signature(public.raw, b"a record", signature)
    assert _logins == {}


def test_generated_private_key_never_leaves_the_token(softhsm_token: SoftHsmToken) -> None:
    import pkcs11
    from pkcs11 import Attribute, ObjectClass

    label = unique_label()
    Pkcs11Signer.generate(softhsm_token.uri(label)).close()
    with _session(softhsm_token) as session:
        key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=label)
        assert key[Attribute.TOKEN]
        assert key[Attribute.SENSITIVE]
        assert not key[Attribute.EXTRACTABLE]
        with pytest.raises(pkcs11.PKCS11Error):
            key[Attribute.VALUE]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(message=st.binary(max_size=4096))
def test_token_signatures_verify_with_the_software_verifier(
    softhsm_token: SoftHsmToken, message: bytes
) -> None:
    signer = _shared_signer(softhsm_token)
    signature = signer.sign(message)
    assert verify_signature(signer.public_key.raw, message, signature)
    assert not verify_signature(signer.public_key.raw, message + b"\x00", signature)


_SHARED: dict[str, Pkcs11Signer] = {}


def _shared_signer(token: SoftHsmToken) -> Pkcs11Signer:
    if token.label not in _SHARED:
        _SHARED[token.label] = Pkcs11Signer.generate(token.uri(unique_label("property")))
    return _SHARED[token.label]


@pytest.fixture(autouse=True)
def _close_shared() -> Any:
    yield
    while _SHARED:
        _SHARED.popitem()[1].close()


class _LyingKey:
    """A token key object whose signatures are made by another key."""

    def __init__(self, other: Any) -> None:
        self._other = other

    def sign(self, message: bytes, mechanism: Any = None) -> bytes:
        return bytes(self._other.sign(message, mechanism=mechanism))


def test_token_returning_a_wrong_signature_is_refused(softhsm_token: SoftHsmToken) -> None:
    with (
        Pkcs11Signer.generate(softhsm_token.uri(unique_label())) as signer,
        Pkcs11Signer.generate(softhsm_token.uri(unique_label("other"))) as other,
    ):
        signer._key = _LyingKey(other._key)
        with pytest.raises(SignerError, match="does not verify; it was discarded"):
            signer.sign(b"a record")


def test_token_returning_a_short_signature_is_refused(softhsm_token: SoftHsmToken) -> None:
    class Short:
        def sign(self, message: bytes, mechanism: Any = None) -> bytes:
            return b"\x00" * 63

    with Pkcs11Signer.generate(softhsm_token.uri(unique_label())) as signer:
        signer._key = Short()
        with pytest.raises(SignerError, match="no 64-byte"):
            signer.sign(b"a record")


def test_public_key_object_of_another_key_is_refused(softhsm_token: SoftHsmToken) -> None:
    from pkcs11 import Attribute, ObjectClass

    label, other = unique_label(), unique_label("other")
    Pkcs11Signer.generate(softhsm_token.uri(label)).close()
    Pkcs11Signer.generate(softhsm_token.uri(other)).close()
    with _session(softhsm_token) as session:
        # Swap the public halves' points: each label's public object now holds the other key.
        mine = session.get_key(object_class=ObjectClass.PUBLIC_KEY, label=label)
        theirs = session.get_key(object_class=ObjectClass.PUBLIC_KEY, label=other)
        theirs_point = theirs[Attribute.EC_POINT]
        mine.destroy()
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.PUBLIC_KEY,
                Attribute.KEY_TYPE: theirs.key_type,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: _private_id(session, label),
                Attribute.EC_PARAMS: theirs[Attribute.EC_PARAMS],
                Attribute.EC_POINT: theirs_point,
                Attribute.VERIFY: True,
            }
        )
    with pytest.raises(SignerError, match="does not verify"):
        Pkcs11Signer.open(softhsm_token.uri(label))
    assert _logins == {}


def _private_id(session: Any, label: str) -> bytes:
    from pkcs11 import Attribute, ObjectClass

    key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=label)
    return bytes(key[Attribute.ID])


def test_wrong_pin_is_refused_naming_the_uri(
    softhsm_pin_token: SoftHsmToken, tmp_path: Any
) -> None:
    wrong = tmp_path / "wrong-pin"
    wrong.write_text("0000\n")
    uri = softhsm_pin_token.uri("any", pin=False, pin_source=f"file:{wrong}")
    with pytest.raises(TokenKeyError, match=r"token=casefile-pin;object=any\?.*: wrong PIN"):
        Pkcs11Signer.open(uri, pin=lambda: "0000")
    assert _logins == {}


def test_pin_value_is_masked_in_every_message(softhsm_pin_token: SoftHsmToken) -> None:
    uri = softhsm_pin_token.uri("any", pin=False, pin_value="0000-secret")
    with pytest.raises(TokenKeyError) as raised:
        Pkcs11Signer.open(uri)
    assert "0000-secret" not in str(raised.value)
    assert "pin-value=***" in str(raised.value)


def test_missing_token_key_is_refused(softhsm_token: SoftHsmToken) -> None:
    uri = softhsm_token.uri(unique_label("absent"))
    with pytest.raises(TokenKeyError, match="no such private key in the token"):
        Pkcs11Signer.open(uri, pin=lambda: softhsm_token.pin)
    assert _logins == {}


def test_missing_token_is_refused(softhsm_token: SoftHsmToken) -> None:
    uri = softhsm_token.uri("k").replace(f"token={softhsm_token.label}", "token=no-such-token")
    with pytest.raises(TokenKeyError, match=r"token=no-such-token.*no such token"):
        Pkcs11Signer.open(uri)


def test_module_that_is_not_pkcs11_is_refused(softhsm_token: SoftHsmToken, tmp_path: Any) -> None:
    fake = tmp_path / "libfake.so"
    fake.write_bytes(b"\x7fELF not really a shared object")
    uri = softhsm_token.uri("k").replace(softhsm_token.module, str(fake))
    with pytest.raises(TokenKeyError, match="is not a loadable PKCS#11 module"):
        Pkcs11Signer.open(uri)


def test_uri_without_a_module_is_refused(softhsm_token: SoftHsmToken) -> None:
    uri = f"pkcs11:token={softhsm_token.label};object=k"
    with pytest.raises(TokenKeyError, match="no PKCS#11 module"):
        Pkcs11Signer.open(uri, pin=lambda: softhsm_token.pin)


def test_key_that_is_not_ed25519_is_refused(softhsm_token: SoftHsmToken) -> None:
    from pkcs11 import Attribute, KeyType
    from pkcs11.util.ec import encode_named_curve_parameters

    label = unique_label("p256")
    with _session(softhsm_token) as session:
        params = session.create_domain_parameters(
            KeyType.EC,
            {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
            local=True,
        )
        params.generate_keypair(store=True, label=label)
    with pytest.raises(TokenKeyError, match="not an Ed25519 key"):
        Pkcs11Signer.open(softhsm_token.uri(label))
    assert _logins == {}


def test_extractable_key_is_refused(softhsm_token: SoftHsmToken) -> None:
    from pkcs11 import Attribute, KeyType, Mechanism

    label = unique_label("extractable")
    with _session(softhsm_token) as session:
        session.generate_keypair(
            KeyType.EC_EDWARDS,
            mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
            store=True,
            label=label,
            public_template={Attribute.EC_PARAMS: bytes.fromhex("06032b6570")},
            private_template={Attribute.SENSITIVE: False, Attribute.EXTRACTABLE: True},
        )
    with pytest.raises(TokenKeyError, match=r"CKA_SENSITIVE|CKA_EXTRACTABLE"):
        Pkcs11Signer.open(softhsm_token.uri(label))


def test_generating_over_an_existing_label_is_refused(softhsm_token: SoftHsmToken) -> None:
    uri = softhsm_token.uri(unique_label())
    Pkcs11Signer.generate(uri).close()
    with pytest.raises(TokenKeyError, match="already holds an object"):
        Pkcs11Signer.generate(uri)
    assert _logins == {}


def test_two_signers_on_one_token_keep_signing_when_one_closes(
    softhsm_token: SoftHsmToken,
) -> None:
    first = Pkcs11Signer.generate(softhsm_token.uri(unique_label()))
    second = Pkcs11Signer.generate(softhsm_token.uri(unique_label("checkpoint")))
    first.close()
    signature = second.sign(b"after the first closed")
    assert second.public_key.verify(b"after the first closed", signature)
    second.close()
    assert _logins == {}


def _generate_raw(token: SoftHsmToken, label: str, params: bytes) -> None:
    from pkcs11 import Attribute, KeyType, Mechanism

    with _session(token) as session:
        session.generate_keypair(
            KeyType.EC_EDWARDS,
            mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
            store=True,
            label=label,
            public_template={Attribute.EC_PARAMS: params},
            private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False},
        )


def test_edwards_key_on_another_curve_is_refused(softhsm_token: SoftHsmToken) -> None:
    label = unique_label("ed448")
    _generate_raw(softhsm_token, label, bytes.fromhex("06032b6571"))  # id-Ed448
    with pytest.raises(TokenKeyError, match="an Edwards curve with CKA_EC_PARAMS"):
        Pkcs11Signer.open(softhsm_token.uri(label))
    assert _logins == {}


def test_ed25519_named_by_its_printable_curve_name_is_used(softhsm_token: SoftHsmToken) -> None:
    label = unique_label("named")
    _generate_raw(softhsm_token, label, b"\x13\x0cedwards25519")
    with Pkcs11Signer.open(softhsm_token.uri(label)) as signer:
        assert signer.public_key.verify(b"m", signer.sign(b"m"))


def test_closed_signer_refuses_to_sign(softhsm_token: SoftHsmToken) -> None:
    signer = Pkcs11Signer.generate(softhsm_token.uri(unique_label()))
    signer.close()
    with pytest.raises(TokenKeyError, match="the signer is closed"):
        signer.sign(b"after close")


def test_discarded_key_is_gone_from_the_token(softhsm_token: SoftHsmToken) -> None:
    uri = softhsm_token.uri(unique_label())
    Pkcs11Signer.generate(uri).discard()
    with pytest.raises(TokenKeyError, match="no such private key"):
        Pkcs11Signer.open(uri)
    Pkcs11Signer.generate(uri).close()  # the label is free again


def test_signers_used_from_many_threads_give_valid_signatures(
    softhsm_token: SoftHsmToken,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with (
        Pkcs11Signer.generate(softhsm_token.uri(unique_label())) as officer,
        Pkcs11Signer.generate(softhsm_token.uri(unique_label("checkpoint"))) as checkpoint,
    ):
        jobs = [((officer, checkpoint)[i % 2], b"record %d" % i) for i in range(200)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            signatures = list(pool.map(lambda job: job[0].sign(job[1]), jobs))
    for (signer, message), signature in zip(jobs, signatures, strict=True):
        assert verify_signature(signer.public_key.raw, message, signature)


def test_missing_python_pkcs11_is_a_clear_dependency_error(
    softhsm_token: SoftHsmToken, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from casefile.errors import DependencyMissingError

    monkeypatch.setitem(sys.modules, "pkcs11", None)
    with pytest.raises(DependencyMissingError, match=r"python-pkcs11.*casefile\[hsm\]"):
        Pkcs11Signer.open(softhsm_token.uri("any"))


def test_the_verifier_and_the_bundle_reader_never_import_python_pkcs11() -> None:
    import subprocess
    import sys

    code = (
        "import sys, casefile.verifier, casefile.bundle, casefile.signing\n"
        "assert 'pkcs11' not in sys.modules, 'pkcs11 imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()


def test_key_named_by_id_alone_is_the_key_made_with_that_id(softhsm_token: SoftHsmToken) -> None:
    key_id = secrets.token_bytes(8)
    quoted = "".join(f"%{b:02x}" for b in key_id)
    made = Pkcs11Signer.generate(softhsm_token.uri(f"{unique_label()};id={quoted}"))
    made.close()
    by_id = softhsm_token.uri("x").replace(";object=x", f";id={quoted}")
    with Pkcs11Signer.open(by_id) as opened:
        assert opened.public_key == made.public_key
