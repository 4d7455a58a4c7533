"""Shared fixtures: the persistence backends.

One fixture is autouse: every record any test seals is checked against its type's shipped
payload schema (docs/FORMAT.md §10) with jsonschema's own Draft 2020-12 validator, reading a
pattern's final ``$`` as §10 does, so the schemas and the records the library writes cannot
drift apart. A test that seals a payload that does not fit on purpose (to see a verifier refuse
it) says so with ``@pytest.mark.payload_not_checked``. A second autouse fixture holds every case
file a test turns into JSON to the published case-file schema. The other fixtures are seen only
by tests that ask.

PostgreSQL comes from ``CASEFILE_TEST_POSTGRES_DSN`` or the ``POSTGRES_*`` variables when set,
otherwise from a throwaway cluster started once per session. When no server can be had, tests
that need one fail under ``CI=true`` and are skipped elsewhere, with the reason.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

import casefile.projections._casefile_json as case_file_module
import casefile.signing._records as records_module

# Top-level imports work because tests/ is not a package: pytest puts this directory on sys.path.
from _pg_cluster import ThrowawayCluster
from _postgres import (
    BINDIR_VARIABLE,
    PostgresUnavailableError,
    ServerSettings,
    create_schema,
    drop_schema,
    find_binaries,
    settings_from_environment,
)
from _softhsm import SoftHsmToken, SoftHsmUnavailableError, make_tokens
from casefile.projections import case_file_schema
from casefile.verifier._payloads import _Strict, json_form, payload_schemas


@functools.cache
def _validator(event_type: str, schema: int) -> Any:
    schemas = payload_schemas()
    if (event_type, schema) not in schemas:
        return None
    # §10.1: a pattern's final '$' is the end of the text; plain Draft 2020-12 in
    # Python would let a value ending in a line feed pass that V10 refuses.
    return _Strict(schemas.document(event_type, schema))


def _payload_faults(kwargs: dict[str, Any]) -> list[str]:
    event_type, schema = kwargs["event_type"], kwargs["schema"]
    validator = _validator(event_type, schema)
    if validator is None:
        return [f"{event_type} schema {schema}: no shipped payload schema"]
    try:
        pd = kwargs.get("commitments") or {}
        instance = {"data": json_form(kwargs["data"]), "pd": json_form(pd)}
    except ValueError as exc:
        return [f"{event_type} schema {schema}: {exc}"]
    return [
        f"{event_type} schema {schema} seq {kwargs['seq']}: "
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in validator.iter_errors(instance)
    ]


@contextlib.contextmanager
def _rebound(name: str, original: Any, replacement: Any) -> Iterator[None]:
    """Bind ``replacement`` in place of ``original`` under ``name`` in every loaded module."""
    # Modules bind the function by name when they import it: rebind it in each.
    holders = [
        module for module in list(sys.modules.values()) if getattr(module, name, None) is original
    ]
    for module in holders:
        setattr(module, name, replacement)
    try:
        yield
    finally:
        for module in holders:
            setattr(module, name, original)


@pytest.fixture(autouse=True)
def _every_sealed_payload_fits_its_schema(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if any record it seals has a payload its shipped schema refuses."""
    if request.node.get_closest_marker("payload_not_checked") is not None:
        yield
        return
    original: Callable[..., Any] = records_module.seal_record
    faults: list[str] = []

    @functools.wraps(original)
    def checked(**kwargs: Any) -> Any:
        sealed = original(**kwargs)  # refuses a record outside the format first
        faults.extend(_payload_faults(kwargs))
        return sealed

    with _rebound("seal_record", original, checked):
        yield
    if faults:
        pytest.fail(
            "records sealed with payloads their schema refuses:\n" + "\n".join(faults[:20]),
            pytrace=False,
        )


@functools.cache
def _case_file_validator() -> Any:
    return _Strict(case_file_schema())


@pytest.fixture(autouse=True)
def _every_case_file_fits_its_schema() -> Iterator[None]:
    """Fail the test if any case-file document it builds does not fit the published schema."""
    original: Callable[..., Any] = case_file_module.case_file_json
    faults: list[str] = []

    @functools.wraps(original)
    def checked(case_file: Any) -> Any:
        document = original(case_file)
        faults.extend(
            f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in _case_file_validator().iter_errors(document)
        )
        return document

    with _rebound("case_file_json", original, checked):
        yield
    if faults:
        pytest.fail(
            "case files that do not fit casefile.v1.json:\n" + "\n".join(faults[:20]),
            pytrace=False,
        )


def _in_ci() -> bool:
    return os.environ.get("CI") == "true"


def _unavailable(what: str, reason: str) -> NoReturn:
    if _in_ci():
        pytest.fail(f"{what} is required when CI=true: {reason}", pytrace=False)
    pytest.skip(f"{what} not available: {reason}")


@pytest.fixture(scope="session")
def _softhsm_tokens(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[SoftHsmToken]]:
    before = os.environ.get("SOFTHSM2_CONF")
    try:
        made = make_tokens(tmp_path_factory.mktemp("softhsm"), ("casefile-test", "casefile-pin"))
    except SoftHsmUnavailableError as exc:
        _unavailable("SoftHSM2", str(exc))
    yield made
    if before is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = before


@pytest.fixture
def softhsm_token(_softhsm_tokens: list[SoftHsmToken]) -> SoftHsmToken:
    """A SoftHSM2 token private to this test run (failing under CI=true without SoftHSM2).

    Tests share it: each names its keys uniquely (``unique_label``).
    """
    return _softhsm_tokens[0]


@pytest.fixture
def softhsm_pin_token(_softhsm_tokens: list[SoftHsmToken]) -> SoftHsmToken:
    """A second token that no signer logs in to, so a wrong PIN meets the token itself."""
    return _softhsm_tokens[1]


def _external_or_throwaway() -> tuple[ServerSettings, ThrowawayCluster | None]:
    external = settings_from_environment(os.environ)
    if external is not None:
        return external, None
    binaries = find_binaries(
        override=os.environ.get(BINDIR_VARIABLE) or None,
        search_path=os.environ.get("PATH", ""),
    )
    # PostgreSQL refuses to run as root; Debian's package creates this user for it.
    cluster = ThrowawayCluster(binaries, run_as="postgres" if os.geteuid() == 0 else None)
    return cluster.start(), cluster


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ServerSettings]:
    """Connection settings for a PostgreSQL server that lives for the whole session."""
    try:
        settings, cluster = _external_or_throwaway()
    except PostgresUnavailableError as exc:
        reason = str(exc)
    else:
        try:
            yield settings
        finally:
            if cluster is not None:
                cluster.stop()
        return
    # Outside the handler, so the report shows the reason rather than a chained traceback.
    _unavailable("PostgreSQL", reason)


@pytest.fixture(scope="session")
def postgres_env(postgres_server: ServerSettings) -> dict[str, str]:
    """eventsourcing settings (``PERSISTENCE_MODULE``, ``POSTGRES_*``) for the session's server.

    Every test using these shares one database; use ``fresh_postgres_env`` for isolation.
    """
    return postgres_server.as_env()


@pytest.fixture
def fresh_postgres_env(postgres_server: ServerSettings) -> Iterator[dict[str, str]]:
    """eventsourcing settings pointing at a new, empty schema that is dropped afterwards."""
    schema = f"test_{secrets.token_hex(6)}"
    create_schema(postgres_server, schema)
    try:
        yield postgres_server.as_env(schema=schema)
    finally:
        drop_schema(postgres_server, schema)


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    """eventsourcing settings for a new SQLite file in the test's temporary directory."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(tmp_path / "events.sqlite"),
    }


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def persistence_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Run the requesting test once per durable backend, each time on empty storage."""
    name = "fresh_postgres_env" if request.param == "postgres" else "sqlite_env"
    env: dict[str, str] = request.getfixturevalue(name)
    return env


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium that prints PDFs (Debian's package chromium)."""
    from casefile.application._pdf import find_chromium
    from casefile.errors import DependencyMissingError

    try:
        return find_chromium()
    except DependencyMissingError as exc:
        reason = str(exc)
    _unavailable("Chromium", reason)


@pytest.fixture(scope="session")
def poppler() -> None:
    """pdftotext and pdfinfo (Debian's package poppler-utils), to read the PDFs printed."""
    import shutil

    missing = [name for name in ("pdftotext", "pdfinfo") if shutil.which(name) is None]
    if missing:
        _unavailable("poppler-utils", f"{' and '.join(missing)} not on PATH")


def _start_tsa(folder: Path, name: str) -> Any:
    from casefile.application._local_tsa import start_local_tsa
    from casefile.errors import DependencyMissingError

    try:
        return start_local_tsa(folder, name=name)
    except DependencyMissingError as exc:
        reason = str(exc)
    _unavailable("openssl", reason)


@pytest.fixture(scope="session")
def local_tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A time-stamping authority of ``openssl ts`` on 127.0.0.1, with a CA of its own."""
    tsa = _start_tsa(tmp_path_factory.mktemp("tsa"), "Test")
    try:
        yield tsa
    finally:
        tsa.close()


@pytest.fixture(scope="session")
def other_tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A second local TSA under another CA, which no test trust store names."""
    tsa = _start_tsa(tmp_path_factory.mktemp("tsa-other"), "Other")
    try:
        yield tsa
    finally:
        tsa.close()
