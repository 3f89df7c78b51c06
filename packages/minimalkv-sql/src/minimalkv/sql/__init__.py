"""SQL stores (SQLAlchemy 2): :class:`SQLAlchemyStore` on SQLite, PostgreSQL, MySQL and MariaDB.

Each key is a row of one table (``key`` String(250) primary key, ``value`` LargeBinary). A put
is one atomic upsert; batch calls are one transaction. Factory URLs: ``sqlite:///path.db``,
``sql+postgresql://user:password@host/db?table=...``, ``sql+mysql://...``, ``sql+mariadb://...``
(``h`` in front for the extended key space).
"""

from ._driver_options import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_PSYCOPG_READ_TIMEOUT,
    DEFAULT_PYMYSQL_IO_TIMEOUT,
)
from ._factory import DEFAULT_TABLE
from ._store import HSQLAlchemyStore, SQLAlchemyStore
from ._table import KEY_LENGTH, define_table

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_PSYCOPG_READ_TIMEOUT",
    "DEFAULT_PYMYSQL_IO_TIMEOUT",
    "DEFAULT_TABLE",
    "KEY_LENGTH",
    "HSQLAlchemyStore",
    "SQLAlchemyStore",
    "define_table",
]
