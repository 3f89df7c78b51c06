"""The SQL statements of a store, built once per table and dialect."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minimalkv import ConfigurationError
from sqlalchemy import Delete, Insert, Select, Table, bindparam, delete, func, select
from sqlalchemy.dialects import mysql, postgresql, sqlite

__all__ = ["UPSERT_DIALECTS", "Statements", "build_statements"]

UPSERT_DIALECTS = ("sqlite", "postgresql", "mysql", "mariadb")
"""Dialects with a one-statement upsert that this package uses."""


@dataclass(frozen=True)
class Statements:
    """Prepared statement objects (SQLAlchemy caches their compiled form)."""

    upsert: Insert
    """INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE; parameters ``key`` and ``value``."""
    copy: Insert
    """INSERT ... SELECT upsert of ``source``'s value under ``dest``."""
    get: Select[bytes]
    """The value of ``key``."""
    get_many: Select[str, bytes]
    """Keys and values of the expanding parameter ``keys``."""
    has_key: Select[int]
    """A row when ``key`` exists."""
    length: Select[int]
    """The length of ``key``'s value in bytes."""
    delete: Delete
    """Delete ``key``."""
    delete_many: Delete
    """Delete the expanding parameter ``keys``."""
    lock_rows: Select[str] | None
    """``SELECT ... FOR UPDATE`` of the expanding parameter ``keys`` in key order (not SQLite)."""


def _upsert(table: Table, dialect_name: str, source: Select[Any] | None = None) -> Insert:
    if dialect_name in ("mysql", "mariadb"):
        my = mysql.insert(table)
        if source is not None:
            my = my.from_select(["key", "value"], source)
        return my.on_duplicate_key_update(value=my.inserted.value)
    if dialect_name == "postgresql":
        pg = postgresql.insert(table)
        if source is not None:
            pg = pg.from_select(["key", "value"], source)
        return pg.on_conflict_do_update(
            index_elements=[table.c.key], set_={"value": pg.excluded.value}
        )
    if dialect_name == "sqlite":
        lite = sqlite.insert(table)
        if source is not None:
            lite = lite.from_select(["key", "value"], source)
        return lite.on_conflict_do_update(
            index_elements=[table.c.key], set_={"value": lite.excluded.value}
        )
    raise ConfigurationError(
        f"the SQL store supports the dialects {', '.join(UPSERT_DIALECTS)}, not {dialect_name!r} "
        "(a put must be one atomic upsert)"
    )


def build_statements(table: Table, dialect_name: str) -> Statements:
    """Build the statements of ``table`` for the dialect named ``dialect_name``."""
    key = table.c.key
    value = table.c.value
    by_key = key == bindparam("key")
    copy_source = select(bindparam("dest", type_=key.type), value).where(key == bindparam("source"))
    in_keys = key.in_(bindparam("keys", expanding=True))
    return Statements(
        upsert=_upsert(table, dialect_name),
        copy=_upsert(table, dialect_name, copy_source),
        get=select(value).where(by_key),
        get_many=select(key, value).where(in_keys),
        has_key=select(1).select_from(table).where(by_key),
        length=select(func.length(value)).where(by_key),
        delete=delete(table).where(by_key),
        delete_many=delete(table).where(in_keys),
        lock_rows=(
            None
            if dialect_name == "sqlite"
            else select(key).where(in_keys).order_by(key).with_for_update()
        ),
    )
