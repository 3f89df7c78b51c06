"""minimalkv 1.x's module path of the MongoDB store; it lives in ``minimalkv.mongo``.

``minimalkv.db`` is a namespace package (no ``__init__.py``) so that other distributions can
add their own module to it.
"""

from minimalkv._moved import backend_missing

try:
    from minimalkv.mongo import HMongoStore, MongoStore
except ModuleNotFoundError as error:  # pragma: no cover - depends on what is installed
    if error.name not in ("minimalkv.mongo", "minimalkv"):
        raise
    raise backend_missing(__name__, "minimalkv.mongo", "mongo") from error

__all__ = ["HMongoStore", "MongoStore"]
