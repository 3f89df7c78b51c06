"""minimalkv 1.x's module path of the SQL store; it lives in ``minimalkv.sql``.

``minimalkv.db`` is a namespace package (no ``__init__.py``) so that other distributions can
add their own module to it.
"""

from minimalkv._moved import backend_missing

try:
    from minimalkv.sql import HSQLAlchemyStore, SQLAlchemyStore
except ModuleNotFoundError as error:  # pragma: no cover - depends on what is installed
    if error.name not in ("minimalkv.sql", "minimalkv"):
        raise
    raise backend_missing(__name__, "minimalkv.sql", "sql") from error

__all__ = ["HSQLAlchemyStore", "SQLAlchemyStore"]
