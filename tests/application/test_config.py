"""Store configuration: explicit settings only, nothing that names code to import."""

from __future__ import annotations

from pathlib import Path

import pytest

from casefile.application import StoreConfig


def test_constructors_give_eventsourcing_settings(tmp_path: Path) -> None:
    assert StoreConfig.memory().backend == "memory"
    sqlite = StoreConfig.sqlite(tmp_path / "c.sqlite", lock_timeout_s=3)
    assert sqlite.backend == "sqlite"
    assert sqlite.settings == {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(tmp_path / "c.sqlite"),
        "SQLITE_LOCK_TIMEOUT": "3",
    }
    pg = StoreConfig.postgres(
        dbname="cases", host="db", user="casefile", password="s3cret", schema="force1"
    )
    assert pg.backend == "postgres"
    assert pg.settings["POSTGRES_PORT"] == "5432"
    assert pg.settings["POSTGRES_SCHEMA"] == "force1"
    assert "s3cret" not in repr(pg)


def test_settings_are_copied_and_frozen() -> None:
    given = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    config = StoreConfig.from_settings(given)
    given["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
    assert config.backend == "memory"
    with pytest.raises(TypeError):
        config.settings["X"] = "y"  # type: ignore[index]


@pytest.mark.parametrize(
    "key",
    [
        "MAPPER_TOPIC",
        "TRANSCODER_TOPIC",
        "CIPHER_TOPIC",
        "APPLICATION_RECORDER_TOPIC",
        "POSTGRES_GET_PASSWORD_TOPIC",
        "ORIGINATOR_ID_TYPE",
        "IS_SNAPSHOTTING_ENABLED",
    ],
)
def test_settings_that_would_import_code_or_change_the_format_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match=key):
        StoreConfig.from_settings({key: "os:system"})


def test_only_the_three_backends_are_accepted() -> None:
    with pytest.raises(ValueError, match="PERSISTENCE_MODULE"):
        StoreConfig.from_settings({"PERSISTENCE_MODULE": "os"})


def test_settings_must_be_strings() -> None:
    with pytest.raises(TypeError):
        StoreConfig.from_settings({"SQLITE_DBNAME": 1})  # type: ignore[dict-item]


def test_a_setting_that_would_store_records_without_their_disclosures_is_refused() -> None:
    # eventsourcing's PostgreSQL insert function writes the records alone, bypassing the
    # recorder that stores the disclosures in the same transaction: personal data would
    # be lost without a word while the records verify.
    settings = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": "cases",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
    }
    with pytest.raises(ValueError, match="POSTGRES_ENABLE_DB_FUNCTIONS"):
        StoreConfig.from_settings(settings)


@pytest.mark.parametrize("port", [0, -1, 65536, 99999])
def test_a_postgres_port_that_cannot_exist_is_refused_at_once(port: int) -> None:
    # Otherwise the connection pool waits out its timeout before saying anything.
    with pytest.raises(ValueError, match="port"):
        StoreConfig.postgres(dbname="cases", host="db", user="casefile", password="", port=port)
