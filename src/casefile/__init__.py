"""casefile: signed, hash-chained investigation records and verifiable case files.

The names below are the everyday entry points; each subpackage documents the
rest. They load on first use, so that an auditor's ``casefile.verifier`` never
pulls in the application layer, eventsourcing or a database driver.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "CasefileApp": "casefile.application",
    "StoreConfig": "casefile.application",
    "CasefileError": "casefile.errors",
    "DomainError": "casefile.errors",
    "InputError": "casefile.errors",
    "VerificationError": "casefile.errors",
    "FileSystemBlobStore": "casefile.evidence",
    "Finding": "casefile.findings",
    "InMemorySigner": "casefile.signing",
    "Signer": "casefile.signing",
    "TrustStore": "casefile.signing",
    "load_private_key": "casefile.signing",
    "load_trust_store": "casefile.signing",
    "report_case": "casefile.verifier",
    "verify_case": "casefile.verifier",
    "open_bundle": "casefile.bundle",
    "verify_bundle": "casefile.bundle",
    "write_bundle": "casefile.bundle",
    "zip_bundle": "casefile.bundle",
}

__all__ = [
    "CasefileApp",
    "CasefileError",
    "DomainError",
    "FileSystemBlobStore",
    "Finding",
    "InMemorySigner",
    "InputError",
    "Signer",
    "StoreConfig",
    "TrustStore",
    "VerificationError",
    "__version__",
    "load_private_key",
    "load_trust_store",
    "open_bundle",
    "report_case",
    "verify_bundle",
    "verify_case",
    "write_bundle",
    "zip_bundle",
]

if TYPE_CHECKING:
    from casefile.application import CasefileApp, StoreConfig
    from casefile.bundle import open_bundle, verify_bundle, write_bundle, zip_bundle
    from casefile.errors import CasefileError, DomainError, InputError, VerificationError
    from casefile.evidence import FileSystemBlobStore
    from casefile.findings import Finding
    from casefile.signing import (
        InMemorySigner,
        Signer,
        TrustStore,
        load_private_key,
        load_trust_store,
    )
    from casefile.verifier import report_case, verify_case


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'casefile' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
