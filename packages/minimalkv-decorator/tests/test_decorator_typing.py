"""Typing tests that mypy must reject: capabilities the wrapped store lacks are type errors.

The accepted cases are in ``typing_decorator_ok.py`` (checked by ``hatch run mypy``). Here a
snippet is type-checked with mypy --strict, and every line marked ``# E: <code>`` must get that
error, and no other line any error.
"""

from __future__ import annotations

from pathlib import Path

from minimalkv.contract import assert_mypy_diagnostics

SNIPPET = """
from collections.abc import Iterator

from minimalkv import KeyValueStore, SupportsCopy, SupportsTtl, SupportsUrl
from minimalkv.decorator import PrefixDecorator, ReadOnlyDecorator
from minimalkv.decorator import URLEncodeKeysDecorator
from minimalkv.fs import FilesystemStore
from minimalkv.memory import DictStore


class PlainStore(KeyValueStore):
    def _delete(self, key: str) -> None:
        pass

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        return iter(())


def wants_ttl(store: SupportsTtl) -> None:
    pass


def wants_copy(store: SupportsCopy) -> None:
    pass


def wants_url(store: SupportsUrl) -> None:
    pass


prefixed = PrefixDecorator("p_", DictStore())
prefixed.put("k", b"v", ttl_secs=10)  # E: call-arg
prefixed.put_file("k", "path", 10)  # E: call-arg
prefixed.url_for("k")  # E: arg-type
wants_ttl(prefixed)  # E: arg-type
URLEncodeKeysDecorator(prefixed).put("k", b"v", 5)  # E: call-arg
ReadOnlyDecorator(prefixed).put("k", b"v", ttl_secs=5)  # E: call-arg
plain = URLEncodeKeysDecorator(PlainStore())
plain.copy("a", "b")  # E: arg-type
plain.move("a", "b")  # E: arg-type
plain.no_such_attribute  # E: attr-defined
wants_copy(plain)  # E: arg-type
wants_copy(ReadOnlyDecorator(PrefixDecorator("p", PlainStore())))  # E: arg-type
wants_url(prefixed)  # E: arg-type
prefixed.put("k", "text")  # E: arg-type
PrefixDecorator(b"p", DictStore())  # E: arg-type
PrefixDecorator("p", object())  # E: type-var
reveal_type(URLEncodeKeysDecorator(PrefixDecorator("p", plain)))  # N: URLEncodeKeysDecorator[
read_only = ReadOnlyDecorator(FilesystemStore("/srv/data"))
read_only.copy("a", "b")  # E: arg-type
read_only.move("a", "b")  # E: arg-type
ReadOnlyDecorator(PrefixDecorator("p_", DictStore())).copy("a", "b")  # E: arg-type
wants_copy(read_only)  # E: arg-type
"""


def test_mypy_rejects_capabilities_the_wrapped_store_lacks(tmp_path: Path) -> None:
    assert_mypy_diagnostics(SNIPPET, tmp_path, "typing_decorator_rejected.py")
