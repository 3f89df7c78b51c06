"""What importing and using the filesystem stores loads: never the installed packages' metadata."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_PROGRAM = """
import sys
import minimalkv.fs

store = minimalkv.fs.HFilesystemStore(sys.argv[1])
store.put("a/b", b"v")
assert store.get("a/b") == b"v"
print(sorted(name for name in sys.modules if name.startswith("importlib.metadata")))
"""


def test_import_and_use_do_not_read_package_metadata(tmp_path: Path) -> None:
    # A fresh interpreter: this test process has long imported everything.
    result = subprocess.run(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", _PROGRAM, str(tmp_path / "store")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", "importlib.metadata was imported by minimalkv.fs"
    assert (tmp_path / "store" / "a" / "b").read_bytes() == b"v"
