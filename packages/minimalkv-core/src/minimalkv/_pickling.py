"""The error of a store that cannot be pickled, with the way out."""

from __future__ import annotations

__all__ = ["pickling_refused"]


def pickling_refused(store: object, holder: str) -> TypeError:
    """Return the error for pickling ``store``, whose ``holder`` (its client) cannot be pickled.

    Raise it from the store's ``__reduce__``, so that ``pickle.dumps`` (and a process pool that
    is handed the store) fails with what to do instead of a driver's inner error about a lock
    or a socket. The message shows ``repr(store)``, which must hold no secret.
    """
    return TypeError(
        f"{store!r} cannot be pickled: {holder} holds open connections and does not pickle; "
        "pass the store's URL to the other process and make the store there with "
        "get_store_from_url"
    )
