"""minimalkv 1.x's module path of the store base classes; they live in minimalkv-core.

The ``minimalkv`` distribution owns every file at a path minimalkv 1.x installed, so that
replacing 1.x in place never deletes a file of another distribution (see ``_minimalkv1``).
"""

from minimalkv._store import KeyValueStore
from minimalkv._store_mixins import UrlKeyValueStore

__all__ = ["KeyValueStore", "UrlKeyValueStore"]
