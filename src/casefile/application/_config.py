"""Where a casefile application stores its records: explicit settings, never the environment.

eventsourcing merges ``os.environ`` into its settings; casefile does not:
:class:`StoreConfig` holds every setting the store gets, and the application
passes exactly these. Settings that would make eventsourcing import a class
named by a string (transcoders, mappers, ciphers, recorders), or write records
past the recorders that store their disclosures, are refused: the record
format and its recorders are fixed.
"""

from __future__ import annotations

import os
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["Backend", "StoreConfig"]

Backend = Literal["memory", "sqlite", "postgres"]

_MODULES: Final[Mapping[str, Backend]] = types.MappingProxyType(
    {
        "eventsourcing.popo": "memory",
        "eventsourcing.sqlite": "sqlite",
        "eventsourcing.postgres": "postgres",
    }
)
# POSTGRES_ENABLE_DB_FUNCTIONS makes eventsourcing insert records through a database
# function that bypasses the recorder, so their disclosures would never be stored.
_REFUSED: Final = frozenset(
    {"POSTGRES_GET_PASSWORD_TOPIC", "ORIGINATOR_ID_TYPE", "POSTGRES_ENABLE_DB_FUNCTIONS"}
)
_ALLOWED_PREFIXES: Final = ("SQLITE_", "POSTGRES_")
_ALLOWED: Final = frozenset({"PERSISTENCE_MODULE", "CREATE_TABLE"})


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """The eventsourcing persistence settings of one casefile store.

    Build one with :meth:`sqlite` (the embedded default: one file, WAL mode),
    :meth:`postgres` (a force's shared server) or :meth:`memory` (tests).
    """

    settings: Mapping[str, str]

    def __post_init__(self) -> None:
        if not isinstance(self.settings, Mapping):
            raise TypeError("settings must be a mapping of str to str")
        copied: dict[str, str] = {}
        for key, value in self.settings.items():
            if type(key) is not str or type(value) is not str:
                raise TypeError(f"setting {key!r}: keys and values must be str")
            allowed = key in _ALLOWED or key.startswith(_ALLOWED_PREFIXES)
            if key in _REFUSED or not allowed:
                raise ValueError(
                    f"setting {key!r} is not accepted: casefile fixes its record format and "
                    "recorders, and never imports a class named in its settings"
                )
            copied[key] = value
        module = copied.get("PERSISTENCE_MODULE", "eventsourcing.popo")
        if module not in _MODULES:
            raise ValueError(
                f"PERSISTENCE_MODULE {module!r} is not one of {', '.join(sorted(_MODULES))}"
            )
        copied["PERSISTENCE_MODULE"] = module
        object.__setattr__(self, "settings", types.MappingProxyType(copied))

    @property
    def backend(self) -> Backend:
        """``memory``, ``sqlite`` or ``postgres``."""
        return _MODULES[self.settings["PERSISTENCE_MODULE"]]

    @classmethod
    def memory(cls) -> StoreConfig:
        """An in-memory store: fast, and gone when the application is."""
        return cls({"PERSISTENCE_MODULE": "eventsourcing.popo"})

    @classmethod
    def sqlite(
        cls, path: str | os.PathLike[str], *, lock_timeout_s: int | None = None
    ) -> StoreConfig:
        """An SQLite database file (created if absent), in write-ahead-log mode."""
        settings = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": os.fspath(path)}
        if lock_timeout_s is not None:
            settings["SQLITE_LOCK_TIMEOUT"] = str(int(lock_timeout_s))
        return cls(settings)

    @classmethod
    def postgres(
        cls,
        *,
        dbname: str,
        host: str,
        user: str,
        password: str,
        port: int = 5432,
        schema: str = "",
        pool_size: int | None = None,
        connect_timeout_s: int | None = None,
        lock_timeout_s: int | None = None,
    ) -> StoreConfig:
        """A PostgreSQL database (needs the ``postgres`` extra: psycopg)."""
        if type(port) is not int or not 1 <= port <= 65535:
            raise ValueError(f"port {port!r} is not a TCP port (1-65535)")
        settings = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": host,
            "POSTGRES_PORT": str(int(port)),
            "POSTGRES_USER": user,
            "POSTGRES_PASSWORD": password,
        }
        optional = {
            "POSTGRES_SCHEMA": schema or None,
            "POSTGRES_POOL_SIZE": pool_size,
            "POSTGRES_CONNECT_TIMEOUT": connect_timeout_s,
            "POSTGRES_LOCK_TIMEOUT": lock_timeout_s,
        }
        settings.update({k: str(v) for k, v in optional.items() if v is not None})
        return cls(settings)

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> StoreConfig:
        """A store from eventsourcing-style settings (``PERSISTENCE_MODULE``, ``SQLITE_*``, ...)."""
        return cls(dict(settings))

    def __repr__(self) -> str:
        shown = {k: ("***" if "PASSWORD" in k else v) for k, v in self.settings.items()}
        return f"StoreConfig({shown!r})"
