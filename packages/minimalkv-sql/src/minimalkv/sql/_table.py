"""The table of a SQL store: one row per key, ``key`` String(250) primary key, ``value`` blob."""

from __future__ import annotations

import re
from typing import Any, Final

from minimalkv import ConfigurationError
from sqlalchemy import Column, LargeBinary, MetaData, String, Table
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["KEY_LENGTH", "define_table"]

KEY_LENGTH: Final = 250
"""The longest key a SQL store holds (the width of the ``key`` column)."""

_TABLE_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}\Z")


class _BinaryKey(TypeDecorator[str]):
    """A key stored as VARBINARY on MySQL/MariaDB.

    Their VARCHAR columns compare case-insensitively and ignore trailing spaces under the
    default collations (``a`` would equal ``A``, and ``a `` would equal ``a``); binary strings
    compare byte by byte. Keys are ASCII, so the encoding is lossless.
    """

    impl = mysql.VARBINARY(KEY_LENGTH)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else value.encode("ascii")

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else bytes(value).decode("ascii")


def _key_type() -> TypeEngine[str]:
    # PostgreSQL: the "C" collation orders by byte like Python's str comparison (and SQLite's
    # default BINARY collation), so the prefix range queries are right and use the index.
    return (
        String(KEY_LENGTH)
        .with_variant(postgresql.VARCHAR(KEY_LENGTH, collation="C"), "postgresql")
        .with_variant(_BinaryKey(), "mysql", "mariadb")
    )


def _value_type() -> TypeEngine[bytes]:
    # A plain LargeBinary is a 64 KiB BLOB on MySQL/MariaDB; LONGBLOB holds up to 4 GiB.
    return LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")


def define_table(metadata: MetaData, tablename: str) -> Table:
    """Return the table ``tablename`` of ``metadata``, defining it if it is not there yet.

    The table has the original's shape: ``key`` (String(250), primary key) and ``value``
    (LargeBinary, not null; LONGBLOB on MySQL/MariaDB). Creating it in the database is the
    caller's job (``metadata.create_all(engine)``), as in the original.
    """
    if not _TABLE_NAME.match(str(tablename)):
        raise ConfigurationError(
            f"table name {tablename!r} must be 1 to 63 ASCII letters, digits or '_', "
            "not starting with a digit"
        )
    existing = metadata.tables.get(tablename)
    if existing is not None:
        if set(existing.columns.keys()) != {"key", "value"}:
            raise ConfigurationError(
                f"table {tablename!r} is already defined on this MetaData with columns "
                f"{', '.join(existing.columns.keys())}; a store needs exactly key and value"
            )
        return existing
    return Table(
        tablename,
        metadata,
        Column("key", _key_type(), primary_key=True),
        Column("value", _value_type(), nullable=False),
    )
