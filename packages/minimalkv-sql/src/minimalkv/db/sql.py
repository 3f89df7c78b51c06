"""The original's module path of the SQL store: ``from minimalkv.db.sql import SQLAlchemyStore``.

``minimalkv.db`` is a namespace package (no ``__init__.py``) so that other distributions (a
future minimalkv-mongo's ``minimalkv.db.mongo``) can add their own module to it.
"""

from minimalkv.sql import HSQLAlchemyStore, SQLAlchemyStore

__all__ = ["HSQLAlchemyStore", "SQLAlchemyStore"]
