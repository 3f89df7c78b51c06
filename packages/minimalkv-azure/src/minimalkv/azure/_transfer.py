"""Streaming uploads of staged blocks: atomic, in parallel, in bounded memory."""

from __future__ import annotations

import hashlib
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any, Final

from minimalkv import ConfigurationError
from minimalkv.backend import ReadableBinary, read_chunk

if TYPE_CHECKING:
    from azure.storage.blob import BlobClient, ContentSettings

__all__ = ["MAX_BLOCKS", "read_block", "upload_blocks"]

MAX_BLOCKS: Final = 50_000
"""The most blocks one blob may have."""


def read_block(file: ReadableBinary, size: int) -> bytes:
    """Read up to ``size`` bytes from ``file``: fewer only at its end."""
    parts: list[bytes] = []
    missing = size
    while missing > 0:
        chunk = read_chunk(file, missing)
        if not chunk:
            break
        parts.append(chunk)
        missing -= len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def upload_blocks(
    blob: BlobClient,
    file: ReadableBinary,
    first: bytes,
    *,
    block_size: int,
    concurrency: int,
    executor: Executor,
    checksum: bool,
    content_settings: Callable[[bytes | None], ContentSettings | None],
) -> None:
    """Stage ``first`` and the rest of ``file`` as blocks, then commit them as the blob.

    Blocks are read in order (the MD5 of the value is that of the bytes read, from the file's
    position on) and sent by up to ``concurrency`` threads; at most ``concurrency`` blocks wait
    in memory. Nothing is visible until the block list is committed, so a failure leaves the
    previous value; its staged blocks are discarded by the service (after a week at most).
    ``content_settings(md5)`` gives the blob's content settings for the commit.
    """
    digest = hashlib.md5(usedforsecurity=False) if checksum else None
    upload = uuid.uuid4().hex
    names: list[str] = []
    pending: deque[Future[Any]] = deque()
    try:
        block = first
        while block:
            if len(names) >= MAX_BLOCKS:
                raise ConfigurationError(
                    f"the value needs more than {MAX_BLOCKS} blocks of {block_size} bytes: "
                    "raise max_block_size"
                )
            if digest is not None:
                digest.update(block)
            name = f"{upload}-{len(names):08d}"  # all of one length, as the service requires
            names.append(name)
            while len(pending) >= concurrency:
                pending.popleft().result()
            pending.append(
                executor.submit(blob.stage_block, name, block, validate_content=checksum)
            )
            block = read_block(file, block_size)
        while pending:
            pending.popleft().result()
    finally:
        for future in pending:  # a failure: let the other threads finish before returning
            future.cancel()
        for future in pending:
            if not future.cancelled():
                future.exception()
    from azure.storage.blob import BlobBlock

    blob.commit_block_list(
        [BlobBlock(block_id=name) for name in names],
        content_settings=content_settings(digest.digest() if digest is not None else None),
    )
