"""Secrets: no part of a password in a store URL may show in any text the library produces."""

from __future__ import annotations

import logging
import string
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final
from urllib.parse import quote

from hypothesis import strategies as st
from minimalkv import BlobStore, get_store_from_url, redact_url

__all__ = [
    "ENCODED_SECRETS",
    "PRINTABLE_SECRETS",
    "SECRET_WINDOW",
    "assert_no_secret_leaks",
    "secret_texts",
    "url_form",
]

SECRET_WINDOW: Final = 4
"""Length of the pieces of a secret that must not appear: any 4 consecutive characters."""

PRINTABLE_SECRETS: Final = st.text(
    st.sampled_from([*sorted(set(string.printable) - set(string.whitespace) - {"%"}), " "]),
    min_size=SECRET_WINDOW,
    max_size=24,
).filter(lambda secret: "#wrap:" not in secret)
"""Secrets written into a URL as they are: printable ASCII (space included) except ``%``."""

ENCODED_SECRETS: Final = st.text(st.characters(codec="utf-8"), min_size=SECRET_WINDOW, max_size=16)
"""Secrets of any Unicode text, written into a URL percent-encoded (see :func:`url_form`)."""


def url_form(secret: str, *, encode: bool) -> str:
    """Return ``secret`` as written into a URL: unchanged, or percent-encoded (UTF-8)."""
    return quote(secret, safe="") if encode else secret


def _windows(text: str) -> set[str]:
    if len(text) <= SECRET_WINDOW:
        return {text}
    return {text[i : i + SECRET_WINDOW] for i in range(len(text) - SECRET_WINDOW + 1)}


def _exception_texts(error: BaseException) -> Iterator[str]:
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield f"{type(current).__qualname__}: {current}"
        yield repr(current)
        yield from (repr(arg) for arg in current.args)
        yield from (str(note) for note in getattr(current, "__notes__", ()))
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
        grouped = getattr(current, "exceptions", None)  # an exception group's members
        if isinstance(grouped, (list, tuple)):
            pending += [e for e in grouped if isinstance(e, BaseException)]


class _Collector(logging.Handler):
    """Collects the log records of the store under test.

    Those are the records of the calling thread and of threads started while it runs (a
    store's workers). Threads that were running before (the background threads of other
    clients of the test session, such as a driver's heartbeat monitor) are not the store's,
    and their records are left out.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        caller = threading.get_ident()
        self._others = {t.ident for t in threading.enumerate() if t.ident != caller}

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread in self._others:
            return
        self.texts.append(self.format(record))
        self.texts.append(repr(record.args))


@contextmanager
def _captured_logs() -> Iterator[list[str]]:
    root = logging.getLogger()
    collector = _Collector()
    old_level = root.level
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    try:
        yield collector.texts
    finally:
        root.removeHandler(collector)
        root.setLevel(old_level)


def _fail_with(store: BlobStore) -> None:
    store.get("reliability-secret-probe")


def secret_texts(url: str, operate: Callable[[BlobStore], object] = _fail_with) -> list[str]:
    """Return every text made from ``url``: reprs, strs, messages, warnings, log records.

    The store is built with :func:`minimalkv.get_store_from_url` (or fails to be); ``operate``
    is then called on it (default: ``get`` of a key, which fails when the server is
    unreachable). Exceptions are walked through ``__cause__`` and ``__context__``;
    :func:`minimalkv.redact_url` of the URL is included.
    """
    texts: list[str] = []
    with _captured_logs() as logs, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            texts.append(redact_url(url))
        except Exception as error:  # an unparsable URL: its message is checked too
            texts += _exception_texts(error)
        store: BlobStore | None = None
        try:
            store = get_store_from_url(url)
        except Exception as error:  # a refused URL: its message is checked
            texts += _exception_texts(error)
        if store is not None:
            try:
                texts += [repr(store), str(store)]
                try:
                    operate(store)
                except Exception as error:  # the failing operation: its message is checked
                    texts += _exception_texts(error)
                texts += [repr(store), str(store)]
            finally:
                try:
                    store.close()
                except Exception as error:  # a failing close: its message is checked
                    texts += _exception_texts(error)
    texts += logs
    texts += [f"{w.category.__name__}: {w.message}" for w in caught]
    return texts


def assert_no_secret_leaks(
    make_url: Callable[[str], str],
    secret: str,
    *,
    operate: Callable[[BlobStore], object] = _fail_with,
    neutral: str | None = None,
) -> None:
    """Assert that no 4-character piece of ``secret`` shows in any text made from its URL.

    ``make_url(secret)`` gives the store URL (write the secret into it as it is, or
    percent-encoded with :func:`url_form`). The texts are those of :func:`secret_texts`. A
    piece that also appears in the texts made from ``make_url(neutral)`` (a secret of only
    ``"Z"``, the same length, by default) belongs to the library's own wording (a host name, an
    error text) and is not counted. The secret's percent-encoded form is checked too.
    """
    texts = secret_texts(make_url(secret), operate)
    baseline = "\n".join(secret_texts(make_url(neutral or "Z" * len(secret)), operate))
    forms = (secret, url_form(secret, encode=True))
    pieces = _windows(forms[0]) | _windows(forms[1])
    pieces = {piece for piece in pieces if piece not in baseline}
    for text in texts:
        for piece in pieces:
            assert not _shows(piece, text, forms), (
                f"part of the secret ({piece!r} of {secret!r}) shows in a text made from its "
                f"store URL: {text!r}"
            )


def _shows(piece: str, text: str, forms: tuple[str, ...]) -> bool:
    """Whether ``piece`` of the secret shows in ``text``.

    A piece of digits only that stands inside a longer number which is no part of the secret
    (a duration such as ``0.298712660000092s`` holds ``0000``) is a coincidence of the
    driver's figures, not the secret; a number that is part of the secret always counts.
    """
    start = text.find(piece)
    while start != -1:
        if not piece.isdigit():
            return True
        low, high = start, start + len(piece)
        while low > 0 and text[low - 1].isdigit():
            low -= 1
        while high < len(text) and text[high].isdigit():
            high += 1
        if any(text[low:high] in form for form in forms):
            return True
        start = text.find(piece, start + 1)
    return False
