"""How a store reaches GCS: credentials, project, endpoint, timeouts and retries, picklable."""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from minimalkv import ConfigurationError

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_POOL_CONNECTIONS",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_RETRY_DEADLINE",
    "EMULATOR_VARIABLE",
    "Credentials",
    "GcsConnection",
]

DEFAULT_CONNECT_TIMEOUT: Final = 5.0
"""Seconds to wait for a TCP connection to the endpoint."""
DEFAULT_READ_TIMEOUT: Final = 30.0
"""Seconds to wait for the next bytes of an answer (a paused server fails after this)."""
DEFAULT_RETRY_DEADLINE: Final = 20.0
"""Seconds a request is retried for (throttling, 5xx, dropped connections, timeouts).

The SDK's own default is 120 s; a shorter one makes an unreachable endpoint an error soon.
"""
DEFAULT_MAX_POOL_CONNECTIONS: Final = 32
"""HTTP connections the client keeps open: at least the store's parallel requests."""
EMULATOR_VARIABLE: Final = "STORAGE_EMULATOR_HOST"
"""The environment variable naming an emulator (``http://host:port``), as the SDK reads it."""

_SCOPES: Final = ("https://www.googleapis.com/auth/devstorage.full_control",)

Credentials = Any
"""``google.auth.credentials.Credentials`` (google-auth's classes are not typed here)."""


def _seconds(name: str, value: float, *, zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"{name} must be a number of seconds, got {value!r}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        low = "0 or more" if zero else "above 0"
        raise ConfigurationError(f"{name} must be a finite number of seconds {low}, got {value}")
    return float(value)


_PUBLIC_FIELDS: Final = frozenset(
    {
        "type",
        "project_id",
        "quota_project_id",
        "client_email",
        "token_uri",
        "auth_uri",
        "auth_provider_x509_cert_url",
        "client_x509_cert_url",
        "universe_domain",
    }
)


def _secret_values(info: Mapping[str, Any]) -> list[str]:
    """Return the texts of a credentials JSON that must never show (all but public fields)."""
    return [
        value
        for name, value in info.items()
        if name not in _PUBLIC_FIELDS and isinstance(value, str) and len(value) >= 4
    ]


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
        for line in secret.splitlines():  # a PEM key is quoted line by line at times
            if len(line) >= 4:
                text = text.replace(line, "***")
    return text


@dataclass(frozen=True)
class GcsConnection:
    """The settings a store builds its ``google.cloud.storage.Client`` from, on demand.

    ``credentials`` is a service-account JSON as a dict, the path of a credentials file
    (service account or authorized user), a ``google.auth.credentials.Credentials`` object,
    or ``None``: then application default credentials (``GOOGLE_APPLICATION_CREDENTIALS``,
    gcloud's, the metadata server), except with an emulator, where requests go unsigned.
    ``project`` defaults to the credentials' project. Secrets never appear in the repr.

    ``endpoint`` (``http(s)://host:port``) sends every request to an emulator or another
    endpoint; without it ``STORAGE_EMULATOR_HOST`` is honoured as the SDK does. With an
    emulator data requests are sent with anonymous credentials unless ``anonymous=False``
    (a service account would otherwise fetch an OAuth token from Google first); service
    account credentials are still used to sign URLs.

    Every request has a connect and a read timeout and is retried, on throttling, 5xx
    answers, dropped connections and timeouts, for at most ``retry_deadline`` seconds
    (``0``: never retried).
    """

    credentials: Mapping[str, Any] | str | Credentials | None = field(default=None, repr=False)
    """Service-account info (dict), a credentials file path, a Credentials object, or None."""
    project: str | None = None
    """The project buckets are created in; by default the credentials' project."""
    endpoint: str | None = None
    """``http(s)://host:port`` of an emulator or another endpoint; None: Google's (or the
    ``STORAGE_EMULATOR_HOST`` variable's)."""
    anonymous: bool | None = None
    """Send requests unsigned: by default only to an emulator."""
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    """Seconds to wait for a connection."""
    read_timeout: float = DEFAULT_READ_TIMEOUT
    """Seconds to wait for the next bytes of an answer."""
    retry_deadline: float = DEFAULT_RETRY_DEADLINE
    """Seconds a failed request is retried for (0: not retried)."""
    max_pool_connections: int = DEFAULT_MAX_POOL_CONNECTIONS
    """HTTP connections kept open for parallel requests."""

    def __post_init__(self) -> None:
        _seconds("connect_timeout", self.connect_timeout)
        _seconds("read_timeout", self.read_timeout)
        _seconds("retry_deadline", self.retry_deadline, zero=True)
        value: object = self.max_pool_connections
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(
                f"max_pool_connections must be a whole number, at least 1, got {value!r}"
            )
        if self.endpoint is not None and not self.endpoint.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"endpoint must start with http:// or https://, got {self.endpoint!r}"
            )
        credentials: object = self.credentials
        if isinstance(credentials, str) and not credentials:
            raise ConfigurationError("credentials must be a non-empty path, or None")
        if isinstance(credentials, os.PathLike):
            object.__setattr__(self, "credentials", os.fspath(credentials))
        elif isinstance(credentials, Mapping):
            object.__setattr__(self, "credentials", dict(credentials))
        elif credentials is not None and not isinstance(credentials, str):
            from google.auth.credentials import Credentials as AuthCredentials

            if not isinstance(credentials, AuthCredentials):
                raise ConfigurationError(
                    "credentials must be a service-account dict, a file path, a "
                    f"google.auth Credentials object or None, got {type(credentials).__name__}"
                )

    def replace(self, **changes: Any) -> GcsConnection:
        """Return a copy with ``changes`` applied (and checked)."""
        return dataclasses.replace(self, **changes)

    @property
    def emulator(self) -> str | None:
        """The endpoint requests go to when it is not Google's: ``endpoint`` or the variable."""
        if self.endpoint:
            return self.endpoint.rstrip("/")
        host = os.environ.get(EMULATOR_VARIABLE)
        if not host:
            return None
        return (host if "://" in host else f"http://{host}").rstrip("/")

    @property
    def is_anonymous(self) -> bool:
        """Whether data requests go unsigned (by default: to an emulator)."""
        if self.anonymous is not None:
            return self.anonymous
        return self.emulator is not None

    @property
    def where(self) -> str:
        """The endpoint as shown in messages."""
        return self.emulator or "GCS"

    @property
    def timeout(self) -> tuple[float, float]:
        """``(connect, read)`` seconds, as requests takes them."""
        return (self.connect_timeout, self.read_timeout)

    def retry(self) -> Any:
        """Return the ``google.api_core`` Retry of every request (None: retries are off)."""
        if self.retry_deadline == 0:
            return None
        from google.cloud.storage.retry import DEFAULT_RETRY

        return DEFAULT_RETRY.with_timeout(self.retry_deadline).with_delay(
            initial=0.25, maximum=min(4.0, self.retry_deadline), multiplier=2.0
        )

    def load_credentials(self) -> tuple[Credentials, str | None]:
        """Return the credentials the settings name and the project they belong to.

        Raises :class:`~minimalkv.ConfigurationError` when they cannot be loaded, without
        quoting any of their content.
        """
        import google.auth
        from google.auth import exceptions as auth_errors

        auth: Any = google.auth  # its loaders are untyped
        source = self.credentials
        failure: str | None = None
        secrets = _secret_values(source) if isinstance(source, dict) else []
        credentials: Credentials = None
        project: str | None = None
        try:
            if isinstance(source, dict):
                credentials, project = _from_info(source)
            elif isinstance(source, str):
                with open(source, "rb") as file:
                    info = service_account_info(file.read())
                secrets = _secret_values(info)
                credentials, project = _from_info(info)
            elif source is not None:
                credentials, project = source, getattr(source, "project_id", None)
            else:
                credentials, project = auth.default(scopes=_SCOPES)
        except (auth_errors.GoogleAuthError, ValueError, TypeError, KeyError, OSError) as exc:
            failure = f"{type(exc).__name__}: {_scrub(str(exc), secrets)}"
        if failure is not None:  # raised outside the handler: the SDK's error is not chained
            if isinstance(source, dict):
                what = "the service-account info"
            elif isinstance(source, str):
                what = f"the credentials file {source!r}"
            else:
                what = "the environment"
            raise ConfigurationError(
                f"cannot load GCS credentials from {what}"
                f" ({failure}); give a service-account JSON (dict or file), a google.auth "
                "Credentials object, or set GOOGLE_APPLICATION_CREDENTIALS"
            )
        return credentials, project

    def client(self) -> tuple[Any, Credentials | None]:
        """Build a new ``google.cloud.storage.Client``; return it and the signing credentials.

        The second item signs URLs: the loaded credentials, or None when there are none.
        """
        import google.auth.credentials
        import google.auth.transport.requests
        import requests.adapters
        from google.cloud import storage

        auth: Any = google.auth  # untyped constructors

        signer: Credentials | None = None
        project = self.project
        if self.credentials is not None or not self.is_anonymous:
            signer, found = self.load_credentials()
            project = project or found
        data_credentials = auth.credentials.AnonymousCredentials() if self.is_anonymous else signer
        session = auth.transport.requests.AuthorizedSession(data_credentials)
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=4, pool_maxsize=self.max_pool_connections, max_retries=0
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        emulator = self.emulator
        _settle_environment(session, emulator or "https://storage.googleapis.com")
        options: dict[str, Any] = {}
        if emulator:
            options["api_endpoint"] = emulator
        client_class: Any = storage.Client  # untyped constructor
        client = client_class(
            project=project or ("minimalkv-local" if self.is_anonymous else None),
            credentials=data_credentials,
            _http=session,
            client_options=options or None,
        )
        return client, signer

    def __reduce__(self) -> Any:
        credentials: object = self.credentials
        if credentials is not None and not isinstance(credentials, (str, dict)):
            import pickle

            try:
                pickle.dumps(credentials)
            except Exception:
                failure = True
            else:
                failure = False
            if failure:
                raise TypeError(
                    f"these credentials ({type(credentials).__name__}) cannot be pickled: give "
                    "the service-account JSON (dict) or its file path, and the store is "
                    "rebuilt after unpickling"
                )
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return (_rebuild, (fields,))

    def describe_credentials(self) -> str:
        """Where the credentials come from, for messages (never their content)."""
        source = self.credentials
        if source is None:
            return "anonymous" if self.is_anonymous else "application default credentials"
        if isinstance(source, dict):
            email = source.get("client_email")
            return f"service account {email}" if isinstance(email, str) else "service account"
        if isinstance(source, str):
            return f"credentials file {source!r}"
        return type(source).__name__


def _from_info(info: dict[str, Any]) -> tuple[Credentials, str | None]:
    """Load the credentials of a service-account or authorized-user JSON (no other kind).

    Other kinds (external accounts run programs or fetch URLs named in the JSON) are refused:
    a configuration from a URL or a file must not make the store do that.
    """
    kind = info.get("type")
    project = info.get("project_id") or info.get("quota_project_id")
    if kind == "service_account":
        from google.oauth2 import service_account

        loader: Any = service_account.Credentials.from_service_account_info
    elif kind == "authorized_user":
        from google.oauth2 import credentials

        loader = credentials.Credentials.from_authorized_user_info
    else:
        raise ValueError(
            f"credentials of type {kind!r} are not accepted: give a service_account or "
            "authorized_user JSON, or a google.auth Credentials object"
        )
    return loader(info, scopes=list(_SCOPES)), project if isinstance(project, str) else None


def _settle_environment(session: Any, endpoint: str) -> None:
    """Read the proxy and CA-bundle variables once, for the session's one endpoint.

    requests otherwise reads them from ``os.environ`` at every request, which costs about
    half a millisecond each: a large share of a small request on a fast network.
    """
    import requests.utils

    utils: Any = requests.utils
    proxies: dict[str, str] = {}
    if not utils.should_bypass_proxies(endpoint, no_proxy=None):
        proxies = dict(utils.get_environ_proxies(endpoint))
        proxies.pop("no", None)
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    session.trust_env = False
    session.proxies.update(proxies)
    if bundle:
        session.verify = bundle


def _rebuild(fields: dict[str, Any]) -> GcsConnection:
    return GcsConnection(**fields)


def service_account_info(text: str | bytes) -> dict[str, Any]:
    """Parse a service-account JSON (text or bytes) into a dict; quote nothing of it on error."""
    failure: str | None = None
    info: object = None
    try:
        info = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        failure = type(exc).__name__
    if failure is not None or not isinstance(info, dict):
        raise ConfigurationError(
            f"the GCS credentials are not a JSON object ({failure or type(info).__name__}): "
            "give a service-account key file's content"
        )
    return info
