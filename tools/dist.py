"""Build the wheelhouse: ``python tools/dist.py [--out DIR]`` (``hatch run dist``).

Builds a wheel and an sdist of every distribution into dist/ (emptied first), checks them (see
tools/_dist.py) and prints the commands that install from it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the tools namespace importable
    sys.path.insert(0, str(ROOT))

from tools._dist import build_wheelhouse, check_wheelhouse, install_commands  # noqa: E402
from tools._versions import read_version  # noqa: E402


def main(argv: list[str]) -> int:
    """Build and check the wheelhouse; return the exit status."""
    parser = argparse.ArgumentParser(prog="python tools/dist.py", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="default: dist/")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        built = build_wheelhouse(args.root, args.out)
    except RuntimeError as error:
        print(f"dist: {error}", file=sys.stderr)
        return 1
    problems = check_wheelhouse(args.out)
    for problem in problems:
        print(f"dist: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"built {len(built)} files into {args.out} in {time.monotonic() - started:.0f} s")
    print("install from it with, e.g.:")
    for command in install_commands(read_version(args.root), str(args.out)):
        print(f"    {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
