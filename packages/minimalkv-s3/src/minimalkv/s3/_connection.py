"""How a store reaches S3: endpoint, region, credentials, timeouts and retries, picklable."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from minimalkv import ConfigurationError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_READ_TIMEOUT",
    "S3Connection",
]

DEFAULT_CONNECT_TIMEOUT: Final = 5.0
"""Seconds to wait for a TCP connection to the endpoint."""
DEFAULT_READ_TIMEOUT: Final = 30.0
"""Seconds to wait for the next bytes of an answer (a paused server fails after this)."""
DEFAULT_MAX_ATTEMPTS: Final = 3
"""Attempts per request, the first included (botocore's standard retry mode)."""
DEFAULT_MAX_POOL_CONNECTIONS: Final = 32
"""HTTP connections the client keeps open: at least the store's parallel requests."""

AddressingStyle = Literal["auto", "path", "virtual"]
RetryMode = Literal["standard", "adaptive", "legacy"]


def _seconds(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"{name} must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} must be a finite number of seconds above 0, got {value}")
    return float(value)


@dataclass(frozen=True)
class S3Connection:
    """The settings a store builds its boto3 client from; the client is made on demand.

    A value of ``None`` leaves the choice to boto3: credentials then come from its default
    chain (the environment's ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and
    ``AWS_SESSION_TOKEN``, the shared files under ``~/.aws``, an instance role), and the region
    from ``AWS_DEFAULT_REGION`` or the profile. Secrets never appear in the repr.

    Signatures are always SigV4. Timeouts are finite; failed requests are retried in botocore's
    ``standard`` mode (throttling, 5xx answers, dropped connections and timeouts), at most
    ``max_attempts`` attempts in all.
    """

    endpoint_url: str | None = None
    """``http(s)://host[:port]`` of an S3-compatible service; ``None`` for AWS itself."""
    region_name: str | None = None
    """The region requests are signed for (``us-east-1`` when nothing else says)."""
    access_key_id: str | None = field(default=None, repr=False)
    """The access key; with ``secret_access_key`` it replaces boto3's credential chain."""
    secret_access_key: str | None = field(default=None, repr=False)
    """The secret key (never shown)."""
    session_token: str | None = field(default=None, repr=False)
    """A temporary session token (never shown)."""
    profile_name: str | None = None
    """A profile of the shared AWS files, used when no keys are given."""
    verify: bool | str | None = None
    """TLS certificate checks: ``False`` switches them off, a path names a CA bundle."""
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    """Seconds to wait for a connection."""
    read_timeout: float = DEFAULT_READ_TIMEOUT
    """Seconds to wait for the next bytes of an answer."""
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    """Attempts per request, the first included (1: never retry)."""
    retry_mode: RetryMode = "standard"
    """botocore's retry mode."""
    addressing_style: AddressingStyle | None = None
    """``path`` (``endpoint/bucket/key``) or ``virtual`` (``bucket.endpoint/key``); by default
    ``path`` for a custom endpoint (most S3-compatible servers need it), else boto3's choice."""
    max_pool_connections: int = DEFAULT_MAX_POOL_CONNECTIONS
    """HTTP connections kept open for parallel requests."""

    def __post_init__(self) -> None:
        _seconds("connect_timeout", self.connect_timeout)
        _seconds("read_timeout", self.read_timeout)
        for name in ("max_attempts", "max_pool_connections"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(
                    f"{name} must be a whole number, at least 1, got {value!r}"
                )
        if self.retry_mode not in ("standard", "adaptive", "legacy"):
            raise ConfigurationError(
                f"retry_mode must be standard, adaptive or legacy, got {self.retry_mode!r}"
            )
        if self.addressing_style not in (None, "auto", "path", "virtual"):
            raise ConfigurationError(
                f"addressing_style must be auto, path or virtual, got {self.addressing_style!r}"
            )
        if (self.access_key_id is None) != (self.secret_access_key is None):
            raise ConfigurationError(
                "give both access_key_id and secret_access_key, or neither (then boto3's "
                "credential chain applies)"
            )
        if self.endpoint_url is not None and not self.endpoint_url.startswith(
            ("http://", "https://")
        ):
            raise ConfigurationError(
                f"endpoint_url must start with http:// or https://, got {self.endpoint_url!r}"
            )

    def replace(self, **changes: Any) -> S3Connection:
        """Return a copy with ``changes`` applied (and checked)."""
        return dataclasses.replace(self, **changes)

    @property
    def where(self) -> str:
        """The endpoint as shown in messages: the URL, or ``AWS`` with the region."""
        if self.endpoint_url:
            return self.endpoint_url
        return f"AWS ({self.region_name})" if self.region_name else "AWS"

    def client(self) -> S3Client:
        """Build a new boto3 S3 client (thread-safe; share it between threads)."""
        import boto3
        from botocore.config import Config

        from ._log_redaction import protect_secrets

        protect_secrets(self.secret_access_key, self.session_token)
        style = self.addressing_style or ("path" if self.endpoint_url else None)
        config = Config(
            signature_version="s3v4",
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            retries={"mode": self.retry_mode, "total_max_attempts": self.max_attempts},
            max_pool_connections=self.max_pool_connections,
            tcp_keepalive=True,
            s3={"addressing_style": style} if style else None,
        )
        session = boto3.session.Session(
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            aws_session_token=self.session_token,
            region_name=self.region_name,
            profile_name=None if self.access_key_id else self.profile_name,
        )
        client: S3Client = session.client(
            "s3", endpoint_url=self.endpoint_url, verify=self.verify, config=config
        )
        return client
