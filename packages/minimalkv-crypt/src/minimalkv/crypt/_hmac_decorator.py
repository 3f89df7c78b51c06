"""HMACDecorator: every value is signed on the way in and verified on the way out."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any, Final, NewType, cast, overload

from minimalkv import (
    FileSource,
    FileTarget,
    InvalidArgumentError,
    InvalidValueError,
    KeyMetadata,
    StoreCapabilities,
    SupportsTtl,
    TtlArgument,
)
from minimalkv.backend import (
    CHUNK_SIZE,
    WritableBinary,
    copy_stream,
    file_source,
    file_target,
    write_atomically,
)
from minimalkv.decorator import StoreDecorator, WrappedStore

from ._signer import HashFunction, Signer, too_short
from ._streams import SigningReader, VerifyingReader, open_verified

__all__ = ["HMACDecorator", "SignedValuesHaveNoUrls"]

SignedValuesHaveNoUrls = NewType("SignedValuesHaveNoUrls", str)
"""Marker type of ``HMACDecorator.url_for``'s key: no ``str`` is one, so mypy rejects a call."""

SPOOL_IN_MEMORY: Final = 8 * CHUNK_SIZE
"""``get_file`` to a file object holds values up to this size in memory while verifying them;
larger ones are spooled to an anonymous temporary file."""


class HMACDecorator(StoreDecorator[WrappedStore]):
    """A store whose values carry an HMAC, checked on every read.

    ``put`` stores ``data + HMAC(key + secret_key, data)`` in the wrapped store (the format of
    minimalkv 1.x, so values it wrote verify here). The key name is part of the MAC:
    a value copied under another key in the wrapped store fails verification. Every reading
    call raises :class:`VerificationException` when a value was modified, cut short, or moved:

    - ``get``, ``get_many``: the whole value is checked before it is returned;
    - ``open``: the returned file checks the MAC before a read reaches the end of the data,
      so the last bytes are never handed out unverified (bytes read before that are not
      verified yet);
    - ``get_file`` to a path: the value is streamed into a temporary file next to the target
      and renamed over it only once verified; a failure leaves the target as it was;
    - ``get_file`` to a file object: the value is verified before the first byte is written
      (held in memory up to 8 MiB, beyond that spooled to an anonymous temporary file);
    - ``copy`` and ``move``: the source is verified while it is re-signed under the new key;
    - ``metadata``: ``size`` is the data's size; a value shorter than a MAC raises.

    Comparisons are constant-time (:func:`hmac.compare_digest`). Memory stays bounded for
    large values on every streaming path (``put_file``, ``open``, ``get_file``, ``copy``).

    ``copy`` and ``move`` work over any wrapped store (a plain copy in the wrapped store would
    keep the old key's MAC), ``ttl_secs`` is forwarded to a TTL store, and ``url_for`` is not
    offered: a URL would serve the signed bytes, unverified.

    ``secret_key`` (bytes) never appears in a repr or an error message. The decorator pickles
    when the wrapped store and ``hashfunc`` do (``hashlib`` functions and names do).
    """

    def __init__(
        self, secret_key: bytes, store: WrappedStore, hashfunc: HashFunction = hashlib.sha256
    ) -> None:
        super().__init__(store)
        self._signer = Signer(_secret_bytes(secret_key), hashfunc)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<secret>, {self._dstore!r}, {self._signer.hash_name})"

    @property
    def hmac_digestsize(self) -> int:
        """Length in bytes of the MAC stored after every value (32 for SHA-256)."""
        return self._signer.digest_size

    def _capabilities_over(self, wrapped: StoreCapabilities) -> StoreCapabilities:
        """Return the wrapped store's capabilities, with ``copy`` always and ``url`` never."""
        return dataclasses.replace(wrapped, copy=True, url=False)

    # ----------------------------------------------------------------- reading
    def get(self, key: str) -> bytes:
        """Return the verified value of ``key``; raise VerificationException on tampering."""
        return self._signer.unsign(key, self._dstore.get(key))

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Return the verified values of ``keys`` that exist; missing keys are left out.

        Any value that fails verification raises :class:`VerificationException`.
        """
        unsign = self._signer.unsign
        return {key: unsign(key, value) for key, value in self._dstore.get_many(keys).items()}

    def open(self, key: str) -> IO[bytes]:
        """Open the value of ``key``: a seekable file that verifies before the last bytes.

        The MAC is read when the file is opened (a value shorter than a MAC raises at once).
        Reading in order feeds a running HMAC; the read that reaches (or reports) the end of
        the data raises :class:`VerificationException` instead of returning, if the value
        does not verify. After seeks, the bytes skipped are read once more at that point.
        """
        return cast(IO[bytes], self._open_verified(key))

    def get_file(self, key: str, file: FileTarget) -> str:
        """Write the verified value of ``key`` to a path or writable binary file; return it.

        A path is written through a temporary file in its directory, renamed over it once the
        value is verified: on failure the target is untouched (or not created). A file object
        receives nothing unless the whole value verifies.
        """
        self._check_valid_key(key)
        target = file_target(key, file)
        with self._open_verified(key) as reader:
            if isinstance(target, str):
                write_atomically(target, lambda out: copy_stream(reader, out.write))
            else:
                _verified_copy(reader, target)
        return key

    def metadata(self, key: str) -> KeyMetadata:
        """Return the metadata of ``key``; ``size`` is that of the data, without the MAC.

        The value is not read: only a value too short to hold a MAC is detected here.
        """
        found = super().metadata(key)
        digest_size = self._signer.digest_size
        if found.size < digest_size:
            raise too_short(key, found.size, digest_size)
        return dataclasses.replace(found, size=found.size - digest_size)

    # ----------------------------------------------------------------- writing
    @overload
    def put(self, key: str, data: bytes) -> str: ...
    @overload
    def put(
        self: HMACDecorator[SupportsTtl],
        key: str,
        data: bytes,
        ttl_secs: TtlArgument = None,
    ) -> str: ...
    def put(self, key: str, data: bytes, ttl_secs: TtlArgument = None) -> str:
        """Sign ``data`` and store it under ``key``; return ``key``.

        ``ttl_secs`` is accepted when the wrapped store takes it (``None`` means its default).
        """
        self._guard_write("put", key)
        self._check_valid_key(key)
        _check_value(key, data)
        self._put_inner(key, self._signer.sign(key, data), ttl_secs, key)
        return key

    @overload
    def put_file(self, key: str, file: FileSource) -> str: ...
    @overload
    def put_file(
        self: HMACDecorator[SupportsTtl],
        key: str,
        file: FileSource,
        ttl_secs: TtlArgument = None,
    ) -> str: ...
    def put_file(self, key: str, file: FileSource, ttl_secs: TtlArgument = None) -> str:
        """Sign the content of a path or readable binary file and store it; return ``key``.

        The file is streamed (read in chunks from its current position, the MAC computed on
        the way); the caller's file is never modified, moved or kept open.
        """
        self._guard_write("put_file", key)
        self._check_valid_key(key)
        source = file_source(key, file)
        if isinstance(source, str):
            with open(source, "rb") as opened:
                signed = SigningReader(opened, self._signer.new(key))
                self._put_file_inner(key, signed, ttl_secs, key)
        else:
            self._put_file_inner(key, SigningReader(source, self._signer.new(key)), ttl_secs, key)
        return key

    def put_many(self, items: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[str]:
        """Sign and store several values (every key and value is checked first)."""
        self._guard_write("put_many")
        pairs: list[Any] = list(items.items()) if isinstance(items, Mapping) else list(items)
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise InvalidArgumentError(
                    f"put_many expects a mapping or (key, value) pairs, got {pair!r:.60}"
                )
            self._check_valid_key(pair[0])
            _check_value(pair[0], pair[1])
        sign = self._signer.sign
        self._dstore.put_many([(key, sign(key, data)) for key, data in pairs])
        return [key for key, _ in pairs]

    # ----------------------------------------------------------------- copy and move
    def _copy(self, source: str, dest: str) -> str:
        """Copy ``source`` to ``dest`` (overwriting it); return ``dest``.

        The MAC depends on the key, so the value is streamed out of the wrapped store,
        verified, and stored again signed for ``dest`` (never a copy inside the wrapped
        store). A source that fails verification raises :class:`VerificationException`;
        ``dest`` then holds no value that verifies.
        """
        self._check_valid_key(source)
        self._check_valid_key(dest)
        with self._open_verified(source) as reader:
            if source == dest:
                reader.seek(0, os.SEEK_END)
                reader.read()  # verifies the whole value
            else:
                self._dstore.put_file(dest, SigningReader(reader, self._signer.new(dest)))
        return dest

    def _move(self, source: str, dest: str) -> str:
        """Move ``source`` to ``dest``: a verified copy, then delete ``source``.

        Not atomic: for a moment both keys exist. A source that fails verification is kept.
        """
        self._copy(source, dest)
        if source != dest:
            self._dstore.delete(source)
        return dest

    if TYPE_CHECKING:
        # Declared for type checkers; at run time they come with the copy capability, which
        # this decorator always has, and call _copy and _move above.
        def copy(self, source: str, dest: str) -> str:
            """Copy ``source`` to ``dest``, verified and signed again; return ``dest``."""

        def move(self, source: str, dest: str) -> str:
            """Move ``source`` to ``dest``, verified and signed again; return ``dest``."""

        # Deliberately narrower than StoreDecorator.url_for: this decorator removes the
        # capability whatever the wrapped store offers, which the override check objects to.
        # At run time the method does not exist (UnsupportedCapabilityError, an AttributeError
        # too), as for any decorator without the url capability.
        def url_for(self, key: SignedValuesHaveNoUrls) -> str:  # type: ignore[override]
            """Not offered: a URL would serve the signed value without verification."""

    # ----------------------------------------------------------------- internals
    def _open_verified(self, key: str) -> VerifyingReader:
        return open_verified(self._signer, key, self._dstore.open(key))


def _secret_bytes(secret_key: object) -> bytes:
    # Messages name the type only, never the value.
    if isinstance(secret_key, str):
        raise TypeError(
            "secret_key must be bytes, not str: encode it first, e.g. secret.encode('utf-8')"
        )
    if not isinstance(secret_key, (bytes, bytearray, memoryview)):
        raise TypeError(f"secret_key must be bytes, not {type(secret_key).__name__}")
    secret = bytes(secret_key)
    if not secret:
        raise InvalidArgumentError(
            "secret_key must not be empty: anyone could compute the MACs of an empty secret"
        )
    return secret


def _check_value(key: str, data: object) -> None:
    if not isinstance(data, bytes):
        raise InvalidValueError(
            f"value for key {key!r} must be bytes, not {type(data).__name__}"
            + ("; encode text first, e.g. value.encode('utf-8')" if isinstance(data, str) else ""),
            key=key,
        )


def _verified_copy(reader: VerifyingReader, file: WritableBinary) -> None:
    """Write the whole value of ``reader`` to ``file``, only once it verified."""
    if reader.data_size <= SPOOL_IN_MEMORY:
        data = reader.read()  # verified before it returns
        copy_stream(io.BytesIO(data), file.write)
        return
    with tempfile.TemporaryFile() as spool:
        copy_stream(reader, spool.write)  # the last read verifies
        spool.seek(0)
        copy_stream(spool, file.write)
