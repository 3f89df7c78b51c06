"""How a store reaches Azure Blob Storage: account, credential, endpoint, timeouts, retries."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from minimalkv import ConfigurationError

from ._errors import protect_secrets

if TYPE_CHECKING:
    from azure.storage.blob import ContainerClient

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_READ_TIMEOUT",
    "AzureConnection",
    "normalize_sas",
    "parse_connection_string",
]

DEFAULT_CONNECT_TIMEOUT: Final = 5.0
"""Seconds to wait for a TCP connection to the blob endpoint."""
DEFAULT_READ_TIMEOUT: Final = 30.0
"""Seconds to wait for the next bytes of an answer (a paused server fails after this)."""
DEFAULT_MAX_ATTEMPTS: Final = 3
"""Attempts per request, the first included."""
DEFAULT_RETRY_BACKOFF: Final = 0.5
"""Seconds between attempts (plus up to a quarter second of jitter); the SDK's own default
waits 15 s and more, so an unreachable endpoint would take minutes to report."""
DEFAULT_POOL_CONNECTIONS: Final = 32
"""HTTP connections kept open per store: at least the store's parallel requests."""


def _seconds(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"{name} must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} must be a finite number of seconds above 0, got {value}")
    return float(value)


def _is_base64(text: str) -> bool:
    import binascii
    from base64 import b64decode

    try:
        b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def parse_connection_string(text: str) -> dict[str, str]:
    """Split an Azure connection string (``Name=value;...``) into a dict; names as written.

    Raises ConfigurationError naming the malformed part's name only (values may be secret).
    """
    parts: dict[str, str] = {}
    for item in text.split(";"):
        if not item.strip():
            continue
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise ConfigurationError(
                "the connection string must be Name=value pairs separated by ';' "
                "(e.g. AccountName=...;AccountKey=...;BlobEndpoint=...)"
            )
        parts[name.strip()] = value.strip()
    return parts


def normalize_sas(token: str) -> str:
    """Return a SAS token with each value percent-encoded exactly once, without a leading ``?``.

    A SAS given inside a store URL arrives percent-decoded once (``sig=ab+c=``), a SAS copied
    from the portal is encoded (``sig=ab%2Bc%3D``): both give the same token here.
    """
    from urllib.parse import quote, unquote

    pairs = []
    for item in token.lstrip("?").split("&"):
        if not item:
            continue
        name, _, value = item.partition("=")
        pairs.append(f"{name}={quote(unquote(value), safe='')}")
    return "&".join(pairs)


@dataclass(frozen=True)
class AzureConnection:
    """The settings a store builds its Azure ``ContainerClient`` from; picklable.

    Credentials come from exactly one of: ``connection_string``; ``account_name`` with
    ``account_key``; ``account_name`` with ``sas_token``; ``account_name`` alone (anonymous,
    for a public container). ``blob_endpoint`` replaces the account's default endpoint
    ``https://<account_name>.blob.core.windows.net`` (Azurite:
    ``http://127.0.0.1:10000/devstoreaccount1``; a sovereign cloud: its blob endpoint).
    Secrets never appear in the repr.

    Timeouts are finite and failed requests are retried at most ``max_attempts`` attempts in
    all, ``retry_backoff`` seconds apart: an unreachable endpoint is reported within about
    ``max_attempts * (connect_timeout + retry_backoff)`` seconds.
    """

    account_name: str | None = None
    """The storage account's name."""
    account_key: str | None = field(default=None, repr=False)
    """The account's shared key (base64; never shown)."""
    sas_token: str | None = field(default=None, repr=False)
    """A shared access signature (the query string, with or without ``?``; never shown)."""
    connection_string: str | None = field(default=None, repr=False)
    """A whole Azure connection string (never shown)."""
    blob_endpoint: str | None = None
    """``http(s)://host[:port][/account]`` of the blob service, when not Azure's default."""
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    """Seconds to wait for a connection."""
    read_timeout: float = DEFAULT_READ_TIMEOUT
    """Seconds to wait for the next bytes of an answer."""
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    """Attempts per request, the first included (1: never retry)."""
    retry_backoff: float = DEFAULT_RETRY_BACKOFF
    """Seconds between attempts."""
    pool_connections: int = DEFAULT_POOL_CONNECTIONS
    """HTTP connections kept open for parallel requests."""

    def __post_init__(self) -> None:
        _seconds("connect_timeout", self.connect_timeout)
        _seconds("read_timeout", self.read_timeout)
        if isinstance(self.retry_backoff, bool) or not isinstance(self.retry_backoff, (int, float)):
            raise ConfigurationError(f"retry_backoff must be seconds, got {self.retry_backoff!r}")
        if not math.isfinite(self.retry_backoff) or self.retry_backoff < 0:
            raise ConfigurationError(
                f"retry_backoff must be a finite number, at least 0, got {self.retry_backoff}"
            )
        for name in ("max_attempts", "pool_connections"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(
                    f"{name} must be a whole number, at least 1, got {value!r}"
                )
        if self.connection_string is not None:
            if self.account_key or self.sas_token:
                raise ConfigurationError(
                    "give a connection string, or an account key or SAS token, not both"
                )
            parts = parse_connection_string(self.connection_string)
            if not (parts.get("AccountName") or parts.get("BlobEndpoint")):
                raise ConfigurationError(
                    "the connection string names no account: it needs AccountName (or BlobEndpoint)"
                )
        elif not self.account_name:
            raise ConfigurationError(
                "give account_name (with account_key or sas_token) or a connection_string"
            )
        if self.account_key and self.sas_token:
            raise ConfigurationError("give an account key or a SAS token, not both")
        if self.blob_endpoint is not None and not self.blob_endpoint.startswith(
            ("http://", "https://")
        ):
            raise ConfigurationError(
                f"blob_endpoint must start with http:// or https://, got {self.blob_endpoint!r}"
            )
        protect_secrets(self.account_key, self.sas_token, *self._string_secrets())

    def _string_secrets(self) -> tuple[str | None, ...]:
        if self.connection_string is None:
            return ()
        parts = parse_connection_string(self.connection_string)
        return (parts.get("AccountKey"), parts.get("SharedAccessSignature"))

    def replace(self, **changes: Any) -> AzureConnection:
        """Return a copy with ``changes`` applied (and checked)."""
        return dataclasses.replace(self, **changes)

    # ----------------------------------------------------------------- derived settings
    def _parts(self) -> dict[str, str]:
        return parse_connection_string(self.connection_string or "")

    @property
    def name(self) -> str:
        """The account's name (from the connection string when one is given)."""
        return self.account_name or self._parts().get("AccountName", "")

    @property
    def key(self) -> str | None:
        """The account key, when the store has one (needed to sign requests and URLs).

        Checked when it is first needed, not when the settings are made (a store is built
        without a request, as in minimalkv 1.x): a key that is not base64 raises
        :class:`minimalkv.ConfigurationError`, where the SDK would fail while signing, with the
        key in its error.
        """
        key = self.account_key or self._parts().get("AccountKey") or None
        if key is not None and not _is_base64(key):
            raise ConfigurationError(
                "the account key must be base64, as the Azure portal shows it (88 characters "
                "ending in '=='); percent-encode '/', '+' and '=' if a URL mangled them"
            )
        return key

    @property
    def sas(self) -> str | None:
        """The SAS token, normalized, when the store authenticates with one."""
        token = self.sas_token or self._parts().get("SharedAccessSignature")
        return normalize_sas(token) if token else None

    @property
    def account_url(self) -> str:
        """The blob service's URL for this account."""
        endpoint = self.blob_endpoint or self._parts().get("BlobEndpoint")
        if endpoint:
            return endpoint.rstrip("/")
        parts = self._parts()
        protocol = parts.get("DefaultEndpointsProtocol", "https")
        suffix = parts.get("EndpointSuffix", "core.windows.net")
        return f"{protocol}://{self.name}.blob.{suffix}"

    @property
    def where(self) -> str:
        """The endpoint as shown in messages."""
        return self.account_url

    def container_client(
        self, container: str, *, max_block_size: int, max_single_put_size: int
    ) -> ContainerClient:
        """Build a new client for ``container`` (thread-safe; share it between threads)."""
        import requests

        from azure.core.pipeline.transport import RequestsTransport
        from azure.storage.blob import ContainerClient, LinearRetry

        protect_secrets()  # the log filter reaches loggers made since the settings were checked

        # A shared key, else the SAS token, else None: anonymous access (a public container).
        credential: Any = (
            {"account_name": self.name, "account_key": self.key} if self.key else self.sas
        )
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=self.pool_connections, pool_maxsize=self.pool_connections
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        transport = RequestsTransport(
            session=session,
            session_owner=True,
            connection_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )
        retry = LinearRetry(
            backoff=self.retry_backoff,  # type: ignore[arg-type]  # seconds; a float works
            retry_total=self.max_attempts - 1,
            random_jitter_range=min(self.retry_backoff, 0.25),  # type: ignore[arg-type]
        )
        return ContainerClient(
            self.account_url,
            container,
            credential=credential,
            transport=transport,
            retry_policy=retry,
            max_block_size=max_block_size,
            max_single_put_size=max_single_put_size,
            # Reads in ranges of one block: the SDK's first range is 32 MiB otherwise, held in
            # memory whole by every get_file.
            max_single_get_size=max_block_size,
            max_chunk_get_size=max_block_size,
            connection_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )
