from __future__ import annotations

from minimalkv.s3 import HS3Store, S3Store


def test_smoke(s3_target, s3_bucket) -> None:  # type: ignore[no-untyped-def]
    store = S3Store(s3_bucket, connection=s3_target.connection)
    store.put("a", b"1")
    assert store.get("a") == b"1"
    assert store.keys() == ["a"]
    h = HS3Store(s3_bucket, connection=s3_target.connection, prefix="p/")
    h.put("x/y z", b"2")
    assert h.keys() == ["x/y z"]
    assert list(h.iter_prefixes("/")) == ["x/"]
    print(h.url_for("x/y z"), h.metadata("x/y z"))
