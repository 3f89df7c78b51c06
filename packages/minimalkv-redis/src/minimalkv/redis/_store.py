"""RedisStore and HRedisStore: each value is one Redis string under its key."""

from __future__ import annotations

import contextlib
import io
import secrets
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, Final

from minimalkv import (
    NOT_SET,
    ConfigurationError,
    CopyMixin,
    ExtendedKeyspaceMixin,
    InvalidArgumentError,
    KeyMetadata,
    KeyNotFoundError,
    KeyValueStore,
    StoreError,
    TimeToLiveMixin,
    TtlArgument,
    is_valid_key,
)
from minimalkv.backend import (
    CHUNK_SIZE,
    BytesReader,
    ReadableBinary,
    check_prefix,
    normalize_ttl,
    pickling_refused,
    read_chunk,
)

from redis import exceptions as redis_errors

from ._errors import DEFAULT_MAX_VALUE_SIZE, ValueTooLargeError, describe_client, translate_error
from ._reader import SNAPSHOT_TTL_MS, RedisRangeReader

if TYPE_CHECKING:
    import redis

__all__ = ["MAX_TTL_SECS", "TEMP_KEY_PREFIX", "HRedisStore", "RedisStore", "escape_match_pattern"]

TEMP_KEY_PREFIX: Final = "minimalkv:tmp:"
"""Prefix of the store's temporary keys (streamed uploads, snapshots of opened values).

``:`` is outside every minimalkv key space, so a temporary key never collides with a key of
the store and is never listed.
"""

MAX_TTL_SECS: Final = 10**11
"""The longest ``ttl_secs`` accepted (about 3,170 years); longer ones raise ValueError."""

BATCH_KEYS: Final = 1000
"""Keys per MGET, MSET, UNLINK or pipeline of a batch call."""

BATCH_BYTES: Final = 32 * 1024 * 1024
"""Value bytes per MSET or pipeline of a batch call (a batch is cut at whichever comes first)."""

_UPLOAD_TTL_SECS: Final = 3600
_MATCH_SPECIALS: Final = frozenset("*?[]\\")


def escape_match_pattern(prefix: str) -> str:
    r"""Return a SCAN ``MATCH`` pattern for the keys starting with ``prefix``.

    The glob characters ``* ? [ ] \`` in ``prefix`` are escaped with a backslash, so they
    match only themselves.
    """
    return "".join("\\" + c if c in _MATCH_SPECIALS else c for c in prefix) + "*"


def _expiry(ttl_secs: float | None) -> tuple[Any, ...]:
    """Return the SET arguments for ``ttl_secs`` (already normalized): EX, PX or nothing."""
    if ttl_secs is None:
        return ()
    if ttl_secs > MAX_TTL_SECS:
        raise InvalidArgumentError(
            f"ttl_secs must be at most {MAX_TTL_SECS} seconds, got {ttl_secs!r} "
            "(use FOREVER for no expiry)"
        )
    if ttl_secs.is_integer():
        return ("EX", int(ttl_secs))
    return ("PX", max(1, round(ttl_secs * 1000)))


class RedisStore(TimeToLiveMixin, CopyMixin, KeyValueStore):
    """A store whose values are Redis strings, one per key, through a redis-py client.

    ``redis`` is a ``redis.Redis`` client made with ``decode_responses=False`` (the default).
    ``put`` and ``put_file`` take ``ttl_secs`` (see :class:`minimalkv.TimeToLiveMixin`);
    ``default_ttl_secs`` applies when it is ``None``. ``copy`` and ``move`` run on the server
    (``COPY``, ``RENAME``) and keep the source's remaining time-to-live.

    Values up to ``max_value_size`` bytes are accepted (the server's ``proto-max-bulk-len``,
    512 MiB unless configured otherwise); a larger one raises :class:`ValueTooLargeError`.
    ``put_file`` streams a large file in 1 MiB pieces into a temporary key that replaces the
    key atomically at the end; ``open`` and ``get_file`` read a large value in ranges from a
    server-side snapshot, so a concurrent write never tears what they return.

    With ``owns_client=True`` (stores made by :func:`minimalkv.get_store`), :meth:`close`
    closes the client; otherwise the client stays the caller's.
    """

    def __init__(
        self,
        redis: redis.Redis,
        *,
        default_ttl_secs: TtlArgument = NOT_SET,
        max_value_size: int = DEFAULT_MAX_VALUE_SIZE,
        owns_client: bool = False,
    ) -> None:
        client: Any = redis
        execute = getattr(client, "execute_command", None)
        if not callable(execute):
            raise ConfigurationError(
                f"RedisStore needs a redis.Redis client, got {type(redis).__name__}"
            )
        kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {})
        if isinstance(kwargs, dict) and kwargs.get("decode_responses"):
            raise ConfigurationError(
                "RedisStore needs a client with decode_responses=False: values are bytes"
            )
        normalize_ttl(default_ttl_secs)
        if isinstance(max_value_size, bool) or not isinstance(max_value_size, int):
            raise ConfigurationError(f"max_value_size must be an int, got {max_value_size!r}")
        self.redis: Any = client
        """The redis-py client (attribute name as in the original)."""
        self.default_ttl_secs = default_ttl_secs
        self.max_value_size = max_value_size
        """The largest value accepted, in bytes."""
        self._owns_client = owns_client
        self._execute = execute
        self._where = describe_client(client)
        self._copy_command = True  # False once the server turned out to lack COPY
        self._unlink_command = True  # False once the server turned out to lack UNLINK

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._where})"

    def __reduce__(self) -> Any:
        raise pickling_refused(self, "its redis-py client")

    def close(self) -> None:
        """Close the client if this store owns it (see the class docstring). Idempotent."""
        if self._owns_client:
            with contextlib.suppress(redis_errors.RedisError):
                self.redis.close()

    def _error(self, exc: BaseException, key: str | None = None) -> Exception:
        return translate_error(exc, self._where, key)

    def _missing(self, key: str) -> KeyNotFoundError:
        return KeyNotFoundError.for_key(key, self._where)

    # ---------------------------------------------------------------- hooks
    def _get(self, key: str) -> bytes:
        try:
            value: bytes | None = self._execute("GET", key)
        except redis_errors.RedisError as exc:
            raise self._error(exc, key) from exc
        if value is None:
            raise self._missing(key)
        return value

    def _check_size(self, key: str, size: int) -> None:
        if size > self.max_value_size:
            raise ValueTooLargeError(
                f"the value of key {key!r} ({size} bytes) is larger than max_value_size "
                f"({self.max_value_size} bytes; Redis's proto-max-bulk-len, 512 MiB by "
                "default): nothing was stored",
                key=key,
            )

    def _put(self, key: str, data: bytes, ttl_secs: float | None = None) -> str:
        self._check_size(key, len(data))
        expiry = _expiry(ttl_secs)
        try:
            self._execute("SET", key, data, *expiry)
        except redis_errors.RedisError as exc:
            raise self._error(exc, key) from exc
        return key

    def _put_file(self, key: str, file: ReadableBinary, ttl_secs: float | None = None) -> str:
        expiry = _expiry(ttl_secs)
        first = read_chunk(file)
        second = read_chunk(file) if first else b""
        if not second:
            return self._put(key, first, ttl_secs)
        return self._put_streamed(key, file, first, second, expiry)

    def _put_streamed(
        self,
        key: str,
        file: ReadableBinary,
        first: bytes,
        second: bytes,
        expiry: tuple[Any, ...],
    ) -> str:
        """Append the file to a temporary key in pieces, then rename it over ``key``."""
        temp = TEMP_KEY_PREFIX + secrets.token_hex(16)
        total = len(first)
        execute = self._execute
        try:
            # The temporary key expires by itself should this process die mid-way.
            execute("SET", temp, first, "EX", _UPLOAD_TTL_SECS)
            chunk = second
            while chunk:
                total += len(chunk)
                self._check_size(key, total)
                length = execute("APPEND", temp, chunk)
                if length != total:
                    raise StoreError(
                        f"the upload of key {key!r} to Redis at {self._where} lost its "
                        "temporary key (expired or deleted by someone else): nothing was stored",
                        key=key,
                    )
                chunk = read_chunk(file)
            pipe = self.redis.pipeline(transaction=True)
            pipe.execute_command("RENAME", temp, key)
            if expiry:
                unit, amount = expiry
                pipe.execute_command("PEXPIRE" if unit == "PX" else "EXPIRE", key, amount)
            else:
                pipe.execute_command("PERSIST", key)
            pipe.execute()
        except BaseException as exc:
            with contextlib.suppress(redis_errors.RedisError):
                execute("UNLINK" if self._unlink_command else "DEL", temp)
            if isinstance(exc, redis_errors.RedisError):
                raise self._error(exc, key) from exc
            raise
        return key

    def _open(self, key: str) -> IO[bytes]:
        try:
            pipe = self.redis.pipeline(transaction=True)
            pipe.execute_command("EXISTS", key)
            pipe.execute_command("STRLEN", key)
            pipe.execute_command("GETRANGE", key, 0, CHUNK_SIZE - 1)
            exists, size, head = pipe.execute()
        except redis_errors.RedisError as exc:
            raise self._error(exc, key) from exc
        if not exists:
            raise self._missing(key)
        if size <= CHUNK_SIZE:
            return BytesReader(head)
        return self._open_snapshot(key)

    def _open_snapshot(self, key: str) -> IO[bytes]:
        """Open a large value through a server-side copy, read in ranges."""
        if not self._copy_command:
            return BytesReader(self._get(key))
        snapshot = TEMP_KEY_PREFIX + secrets.token_hex(16)
        try:
            pipe = self.redis.pipeline(transaction=True)
            pipe.execute_command("COPY", key, snapshot)
            pipe.execute_command("PEXPIRE", snapshot, SNAPSHOT_TTL_MS)
            pipe.execute_command("STRLEN", snapshot)
            copied, _, size = pipe.execute()
        except redis_errors.ResponseError as exc:
            if "unknown command" not in str(exc).lower():
                raise self._error(exc, key) from exc
            self._copy_command = False  # Redis before 6.2: read the value whole
            return BytesReader(self._get(key))
        except redis_errors.RedisError as exc:
            raise self._error(exc, key) from exc
        if not copied:
            raise self._missing(key)
        raw = RedisRangeReader(self.redis, snapshot, size, key, lambda: self._where)
        # BufferedReader gives read(n) its full-length promise; big reads bypass its buffer.
        return io.BufferedReader(raw, buffer_size=64 * 1024)

    def _has_key(self, key: str) -> bool:
        try:
            return bool(self._execute("EXISTS", key))
        except redis_errors.RedisError as exc:
            raise self._error(exc, key) from exc

    def _delete(self, key: str) -> None:
        self._delete_many([key])

    def _metadata(self, key: str) -> KeyMetadata:
        try:
            pipe = self.redis.pipeline(transaction=True)
            pipe.execute_command("EXISTS", key)
            pipe.execute_command("STRLEN", key)
            exists, size = pipe.execute()
        except redis_errors.RedisError as exc:
            raise self._error(exc, key) from exc
        if not exists:
            raise self._missing(key)
        return KeyMetadata(key=key, size=size)

    def _copy(self, source: str, dest: str) -> str:
        if source == dest:
            if not self._has_key(source):
                raise self._missing(source)
            return dest
        if not self._copy_command:
            return super()._copy(source, dest)
        try:
            copied = self._execute("COPY", source, dest, "REPLACE")
        except redis_errors.ResponseError as exc:
            if "unknown command" not in str(exc).lower():
                raise self._error(exc, source) from exc
            self._copy_command = False  # Redis before 6.2: stream it through the client
            return super()._copy(source, dest)
        except redis_errors.RedisError as exc:
            raise self._error(exc, source) from exc
        if not copied:
            raise self._missing(source)
        return dest

    def _move(self, source: str, dest: str) -> str:
        if source == dest:
            if not self._has_key(source):
                raise self._missing(source)
            return dest
        try:
            self._execute("RENAME", source, dest)
        except redis_errors.ResponseError as exc:
            if "no such key" in str(exc).lower():
                raise self._missing(source) from None
            raise self._error(exc, source) from exc
        except redis_errors.RedisError as exc:
            raise self._error(exc, source) from exc
        return dest

    # ---------------------------------------------------------------- batches
    def _get_many(self, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        execute = self._execute
        try:
            for start in range(0, len(keys), BATCH_KEYS):
                batch = keys[start : start + BATCH_KEYS]
                for key, value in zip(batch, execute("MGET", *batch), strict=True):
                    if value is not None:
                        found[key] = value
        except redis_errors.RedisError as exc:
            raise self._error(exc) from exc
        return found

    def _put_many(self, pairs: list[tuple[str, bytes]]) -> list[str]:
        for key, data in pairs:
            self._check_size(key, len(data))
        ttl = normalize_ttl(None, self.default_ttl_secs)
        expiry = _expiry(ttl)
        try:
            for batch in _batches(pairs):
                if expiry:
                    pipe = self.redis.pipeline(transaction=False)
                    for key, data in batch:
                        pipe.execute_command("SET", key, data, *expiry)
                    pipe.execute()
                else:
                    arguments: list[Any] = []
                    for pair in batch:
                        arguments.extend(pair)
                    self._execute("MSET", *arguments)
        except redis_errors.RedisError as exc:
            raise self._error(exc) from exc
        return [key for key, _ in pairs]

    def _delete_many(self, keys: list[str]) -> None:
        try:
            for start in range(0, len(keys), BATCH_KEYS):
                batch = keys[start : start + BATCH_KEYS]
                if self._unlink_command:
                    try:
                        self._execute("UNLINK", *batch)
                        continue
                    except redis_errors.ResponseError as exc:
                        if "unknown command" not in str(exc).lower():
                            raise
                        self._unlink_command = False  # Redis before 4.0
                self._execute("DEL", *batch)
        except redis_errors.RedisError as exc:
            raise self._error(exc, keys[0] if len(keys) == 1 else None) from exc

    # ---------------------------------------------------------------- listing
    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Iterate over the keys starting with ``prefix`` (``SCAN`` with an escaped pattern).

        Keys outside the store's key space (written by other programs, or the store's own
        temporary keys) and values that are not strings are left out. A key present during
        the whole iteration is yielded exactly once.
        """
        check_prefix(prefix)
        return self._scan(prefix)

    def _scan(self, prefix: str) -> Iterator[str]:
        extended = self.extended_keys
        arguments: list[Any] = ["COUNT", 1000, "TYPE", "string"]
        if prefix:
            arguments[:0] = ["MATCH", escape_match_pattern(prefix)]
        seen: set[str] = set()
        cursor: Any = 0
        while True:
            try:
                cursor, batch = self._execute("SCAN", cursor, *arguments)
            except redis_errors.RedisError as exc:
                raise self._error(exc) from exc
            for raw in batch:
                try:
                    key = raw.decode("ascii") if isinstance(raw, bytes) else str(raw)
                except UnicodeDecodeError:
                    continue
                if key not in seen and is_valid_key(key, extended):
                    seen.add(key)
                    yield key
            if not cursor:
                return


def _batches(pairs: list[tuple[str, bytes]]) -> Iterator[list[tuple[str, bytes]]]:
    batch: list[tuple[str, bytes]] = []
    size = 0
    for pair in pairs:
        if batch and (len(batch) >= BATCH_KEYS or size + len(pair[1]) > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(pair)
        size += len(pair[1])
    if batch:
        yield batch


class HRedisStore(ExtendedKeyspaceMixin, RedisStore):
    """A :class:`RedisStore` whose keys may also contain ``/`` and space (``hredis://``)."""
