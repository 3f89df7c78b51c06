"""The original documentation's example, run on a FilesystemStore under ./data.

This is the example of the minimalkv 1.x documentation in its Python 3 form (keys are str,
values are bytes, print is a function): put a value, read it back, and store a file's content
under a second key.
Usage: ``hatch run demo [directory]`` (default ``./data``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from minimalkv.fs import FilesystemStore


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path("data")
    root.mkdir(parents=True, exist_ok=True)
    print(f"store: FilesystemStore({str(root)!r}) at {root.resolve()}")

    # --- the minimalkv 1.x documentation's example (Python 3 form) -----------------------
    store = FilesystemStore(str(root))
    store.put("key1", b"hello")
    print(f"put('key1', b'hello')          -> {root / 'key1'}")

    # will print "hello"
    print(f"get('key1')                    -> {store.get('key1')!r}")

    # move the contents of a file to "key2" as efficiently as possible
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "data"
        source.write_bytes(b"contents of /path/to/data\n" * 1000)
        store.put_file("key2", str(source))
        print(
            f"put_file('key2', {str(source)!r}) -> {store.metadata('key2').size} bytes stored; "
            f"the source file is left as it was ({source.stat().st_size} bytes)"
        )
    # --------------------------------------------------------------------------------------

    print(f"keys()                         -> {sorted(store.keys())}")
    print(f"'key1' in store                -> {'key1' in store}")
    print(f"url_for('key1')                -> {store.url_for('key1')}")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
