"""Set the one version of every distribution: ``python tools/set_version.py X.Y.Z``.

Writes minimalkv-core's ``_version.py`` (the source), the ``version`` of every other
distribution's pyproject.toml and the ``==X.Y.Z`` pins of their dependencies on each other,
then runs the same check as tools/check_layout.py. See tools/_versions.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the tools namespace importable
    sys.path.insert(0, str(ROOT))

from tools._versions import check, read_version, set_version  # noqa: E402


def main(argv: list[str]) -> int:
    """Set the version given on the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python tools/set_version.py", description=__doc__)
    parser.add_argument("version", help="a normalized PEP 440 version, e.g. 2.1.0 or 2.1.0.dev0")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root: Path = args.root
    before = read_version(root)
    try:
        changed = set_version(root, args.version)
    except ValueError as error:
        print(f"set_version: {error}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"wrote {path.relative_to(root)}")
    problems = check(root)
    for problem in problems:
        print(f"set_version: still drifting: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"version {before} -> {args.version} in {len(changed)} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
