"""In-memory stores: :class:`DictStore` (``memory://``) and :class:`HDictStore` (``hmemory://``)."""

from ._dict_store import DictStore, HDictStore

__all__ = ["DictStore", "HDictStore"]
