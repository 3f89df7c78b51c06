"""Parsing of store URLs (``scheme://[userinfo@]host[:port][/path][?query][#fragment]``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from ._errors import ConfigurationError
from ._options import parse_bool

__all__ = ["SECRET_MASK", "StoreUrl", "is_secret_option", "parse_store_url", "redact_url"]


@dataclass(frozen=True)
class StoreUrl:
    """A store URL split into its parts, percent-decoded. Secrets never appear in its repr.

    The user-info part is split at its first ``:`` only, so a secret may itself contain ``:``.
    Query options are a dict (a repeated option keeps its last value; a bare flag such as
    ``?use_sas`` maps to ``""``); ``?`` inside the query separates options like ``&`` does, so
    the ``?a=1?b=2`` form of minimalkv 1.x is accepted.
    """

    scheme: str
    host: str = ""
    port: int | None = None
    path: str = ""
    query: dict[str, str] = field(default_factory=dict)
    fragment: str = ""
    userinfo: str | None = field(default=None, repr=False)
    """The whole user-info part (decoded), or None when the URL has none."""
    user: str | None = field(default=None, repr=False)
    """User-info before the first ``:`` (the whole user-info when it has none)."""
    password: str | None = field(default=None, repr=False)
    """User-info after the first ``:``, or None."""
    redacted: str = ""
    """The URL as written, with its secrets replaced by ``***`` (:func:`redact_url`)."""

    def flag(self, name: str, default: bool = False) -> bool:
        """Read a boolean query option; a bare flag such as ``?fsync`` is true.

        The spellings are those of :func:`minimalkv.backend.parse_bool`.
        """
        if name not in self.query:
            return default
        return parse_bool(name, self.query[name], where=f"store URL {self.redacted}")

    def check_options(self, *allowed: str) -> None:
        """Raise ConfigurationError naming any query option not in ``allowed``."""
        unknown = sorted(set(self.query) - set(allowed))
        if unknown:
            expected = ", ".join(allowed) if allowed else "none"
            raise ConfigurationError(
                f"store URL {self.redacted}: unknown option(s) {', '.join(unknown)} "
                f"(this store type accepts: {expected})"
            )


# Where a fragment naming decorators starts, in any spelling (so that a misspelt one is still
# found, and refused, rather than read as part of a secret).
_FRAGMENT_START: Final = re.compile(r"#\s*wrap\s*[:=]", re.IGNORECASE)


def _split_userinfo(rest: str) -> tuple[str | None, str]:
    """Split ``rest`` (the URL after ``://``) into raw user-info and the remainder.

    The one rule, shared by the parser and :func:`redact_url`: the user-info ends at the last
    ``@`` before the ``#wrap:`` fragment (or the end). A secret may therefore hold any
    character unencoded, ``/ ? # @ :`` included; an ``@`` after the user-info (in a query
    value or a decorator argument) must be written ``%40`` when the URL has user-info. A rest
    starting with ``/`` (``fs:///abs/path``) has none.
    """
    if rest.startswith("/"):
        return None, rest
    marker = _FRAGMENT_START.search(rest)
    at = rest.rfind("@", 0, marker.start() if marker else len(rest))
    if at < 0:
        return None, rest
    return rest[:at], rest[at + 1 :]


SECRET_MASK: Final = "***"  # noqa: S105 - the placeholder shown instead of a secret
"""What a hidden secret is shown as."""

_SECRET_OPTION: Final = re.compile(r"pass|secret|token|key|cred|auth|pwd", re.IGNORECASE)


def is_secret_option(name: str) -> bool:
    """Return whether a URL option called ``name`` may hold a secret.

    Driver options travel in a store URL's query (``?sslpassword=...``, ``?account_key=...``),
    so hiding the user-info is not enough: any option whose name contains ``pass``, ``secret``,
    ``token``, ``key``, ``cred``, ``auth`` or ``pwd`` (in any case) is shown masked. Masking an
    option that holds no secret costs a less helpful message; the reverse leaks.
    """
    return _SECRET_OPTION.search(name) is not None


def _redact_query(remainder: str) -> str:
    """Mask the values of secret-looking options in ``host/path?query#fragment``."""
    from urllib.parse import unquote  # only when there is a query: keeps imports light

    head, mark, rest = remainder.partition("?")
    if not mark:
        return remainder
    marker = _FRAGMENT_START.search(rest)
    cut = marker.start() if marker else len(rest)
    query, fragment = rest[:cut], rest[cut:]
    parts = []
    for part in re.split(r"([&?])", query):
        name, equals, _ = part.partition("=")
        secret = equals and is_secret_option(unquote(name))
        parts.append(f"{name}={SECRET_MASK}" if secret else part)
    return f"{head}?{''.join(parts)}{fragment}"


def redact_url(url: str) -> str:
    """Return ``url`` with its secrets replaced by ``***``: safe for messages and logs.

    ``s3://key:secret@host/b`` becomes ``s3://key:***@host/b``; user-info without ``:`` (a
    Redis password, GCS credentials) is replaced whole. The user-info is found exactly as
    :func:`minimalkv.backend.parse_store_url` finds it, so no part of a secret survives. The
    value of every option :func:`minimalkv.backend.is_secret_option` names is replaced too
    (``?sslpassword=***``).
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    userinfo, remainder = _split_userinfo(rest)
    if userinfo is None:
        return f"{scheme}{sep}{_redact_query(rest)}"
    user, colon, _ = userinfo.partition(":")
    masked = f"{user}:{SECRET_MASK}" if colon else SECRET_MASK
    return f"{scheme}{sep}{masked}@{_redact_query(remainder)}"


def parse_store_url(url: str) -> StoreUrl:
    """Split a store URL into a :class:`StoreUrl`; a malformed URL raises ConfigurationError."""
    # Imported here: only the factory parses URLs, and stores imported directly never do.
    from urllib.parse import parse_qsl, unquote

    if not isinstance(url, str):
        raise ConfigurationError(f"a store URL must be a str, got {type(url).__name__}")
    redacted = redact_url(url)
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        raise ConfigurationError(
            f"not a store URL: {redacted!r}; expected scheme://..., e.g. memory:// or "
            "fs:///path/to/dir"
        )
    if not (scheme[0].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)):
        raise ConfigurationError(f"store URL {redacted!r}: invalid scheme {scheme!r}")
    raw_userinfo, remainder = _split_userinfo(rest)
    remainder, _, fragment = remainder.partition("#")
    remainder, _, raw_query = remainder.partition("?")
    hostport, slash, raw_path = remainder.partition("/")
    host, port = _split_port(hostport, redacted)
    query: dict[str, str] = {}
    # A store URL is no form submission: '+' is a literal plus (session tokens and keys hold
    # them), not a space; a space is written %20.
    pairs = raw_query.replace("?", "&").replace("+", "%2B")
    for name, value in parse_qsl(pairs, keep_blank_values=True):
        query[name] = value
    user = password = userinfo = None
    if raw_userinfo is not None:
        userinfo = unquote(raw_userinfo)
        raw_user, colon, raw_password = raw_userinfo.partition(":")
        user = unquote(raw_user)
        password = unquote(raw_password) if colon else None
    return StoreUrl(
        scheme=scheme.lower(),
        host=unquote(host),
        port=port,
        path=unquote(slash + raw_path),
        query=query,
        fragment=unquote(fragment),
        userinfo=userinfo,
        user=user,
        password=password,
        redacted=redacted,
    )


def _split_port(hostport: str, redacted: str) -> tuple[str, int | None]:
    if hostport.startswith("["):  # IPv6 literal
        close = hostport.find("]")
        if close < 0:
            raise ConfigurationError(f"store URL {redacted!r}: unterminated IPv6 address")
        host, after = hostport[1:close], hostport[close + 1 :]
        if not after:
            return host, None
        if not after.startswith(":"):
            raise ConfigurationError(f"store URL {redacted!r}: junk after IPv6 address")
        port_text = after[1:]
    else:
        host, colon, port_text = hostport.partition(":")
        if not colon:
            return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigurationError(
            f"store URL {redacted!r}: port {port_text!r} is not a number from 1 to 65535"
        )
    return host, int(port_text)
