"""The class names of minimalkv 1.x's S3 stores, all on boto3.

minimalkv 1.x had ``BotoStore`` (boto 2), ``Boto3Store`` (boto3) and ``S3FSStore`` (s3fs, what
its factory built for ``s3://``). Each name here is :class:`~minimalkv.s3.S3Store` under the
constructor that name had: a bucket (name or boto3 ``Bucket`` resource) first, then
``prefix`` (``object_prefix`` for ``S3FSStore``), ``url_valid_time``, ``reduced_redundancy``,
``public`` and ``metadata``; the ``H`` variants take the extended key space.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minimalkv import ExtendedKeyspaceMixin

from ._store import DEFAULT_URL_VALID_TIME, S3Store

__all__ = [
    "Boto3Store",
    "BotoStore",
    "HBoto3Store",
    "HBotoStore",
    "HS3FSStore",
    "S3FSStore",
]


class BotoStore(S3Store):
    """:class:`~minimalkv.s3.S3Store` under minimalkv 1.x's name (boto 2 is gone: boto3)."""


class HBotoStore(ExtendedKeyspaceMixin, BotoStore):
    """:class:`BotoStore` with the extended key space."""


class Boto3Store(S3Store):
    """:class:`~minimalkv.s3.S3Store` under minimalkv 1.x's ``Boto3Store`` name."""


class HBoto3Store(ExtendedKeyspaceMixin, Boto3Store):
    """:class:`Boto3Store` with the extended key space."""


class S3FSStore(S3Store):
    """:class:`~minimalkv.s3.S3Store` with minimalkv 1.x's ``S3FSStore`` signature.

    The object prefix is called ``object_prefix`` here; the store runs on boto3, not s3fs.
    """

    def __init__(
        self,
        bucket: str | Any,
        object_prefix: str = "",
        url_valid_time: int = DEFAULT_URL_VALID_TIME,
        reduced_redundancy: bool = False,
        public: bool = False,
        metadata: Mapping[str, str] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            bucket,
            object_prefix,
            url_valid_time,
            reduced_redundancy,
            public,
            metadata,
            **options,
        )

    @property
    def object_prefix(self) -> str:
        """The object prefix (``prefix`` of :class:`~minimalkv.s3.S3Store`)."""
        return self.prefix


class HS3FSStore(ExtendedKeyspaceMixin, S3FSStore):
    """:class:`S3FSStore` with the extended key space."""
