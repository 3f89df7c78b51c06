"""In-memory stores: :class:`DictStore` (``memory://``) and :class:`HDictStore` (``hmemory://``).

This file is at a path minimalkv 1.x installed, so the ``minimalkv`` distribution ships it; the
stores are minimalkv-memory's.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)

from ._dict_store import DictStore, HDictStore

__all__ = ["DictStore", "HDictStore"]
