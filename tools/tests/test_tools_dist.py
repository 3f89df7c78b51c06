"""The wheelhouse works as a user meets it: built, installed into fresh environments, upgraded.

A copy of the repository gets a release version (pip prefers a release over minimalkv 1.x on
the package index only then), its wheelhouse is built with tools/_dist.py, and fresh virtual
environments install from it exactly as the README says: the bare distribution, several
extras, an in-place upgrade of the real minimalkv 1.11.2 from the package index (with the pip
that Python bundles and with the newest pip), and an environment where 1.x files were left
beside ours. Each runs ``pip check`` and imports what it was promised. Needs the package index
(for the drivers and for 1.11.2).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tools import _dist, _versions
from tools.check_layout import META

ROOT = Path(__file__).resolve().parents[2]
RELEASE = "2.0.0"
MINIMALKV1 = "1.11.2"

# The minimalkv 1.x documentation's example, with bytes values (Python 3).
EXAMPLE = textwrap.dedent(
    """
    import os, tempfile
    from minimalkv.fs import FilesystemStore
    from minimalkv import get_store_from_url
    os.chdir(tempfile.mkdtemp())
    store = FilesystemStore("./data")
    store.put("key1", b"hello")
    assert store.get("key1") == b"hello"
    with open("source", "wb") as file:
        file.write(b"some data")
    store.put_file("key2", "source")
    assert store.get("key2") == b"some data"
    assert get_store_from_url("memory://").keys() == []
    """
)


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("release")
    for part in ("packages", "tests-contract"):
        shutil.copytree(
            ROOT / part,
            copy / part,
            ignore=shutil.ignore_patterns("__pycache__", "build", "dist", ".hypothesis"),
        )
    shutil.copy(ROOT / "LICENSE", copy / "LICENSE")
    _versions.set_version(copy, RELEASE)
    assert _versions.check(copy) == []
    out = copy / "dist"
    _dist.build_wheelhouse(copy, out)
    return out


def _environment() -> dict[str, str]:
    # The virtual environment's pip and python only: nothing of this checkout importable.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("PIP_FIND_LINKS", None)
    return env


def _run(*command: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=600,
        check=False,
    )
    if check and done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    _run(sys.executable, "-m", "venv", tmp_path / "venv")
    return tmp_path / "venv" / "bin" / "python"


def _pip(python: Path, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return _run(python, "-m", "pip", *arguments)


def _imports(python: Path, program: str) -> None:
    done = _run(python, "-c", program, check=False)
    assert done.returncode == 0, f"{program}\n{done.stdout}\n{done.stderr}"


def _site_minimalkv(python: Path) -> Path:
    done = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    return Path(done.stdout.strip()) / "minimalkv"


def test_every_distribution_is_built_and_sound(wheelhouse: Path) -> None:
    names = {path.name.split("-", 1)[0] for path in wheelhouse.iterdir()}
    expected = {
        str(_versions._project(path)["name"]).replace("-", "_")
        for path in _versions.distribution_pyprojects(ROOT)
    }
    assert names == expected
    assert _dist.check_wheelhouse(wheelhouse) == []


def test_the_wheelhouse_check_finds_a_file_written_twice(wheelhouse: Path, tmp_path: Path) -> None:
    for file in wheelhouse.iterdir():
        shutil.copy(file, tmp_path / file.name)
    core = next(tmp_path.glob("minimalkv_core-*.whl"))
    twin = tmp_path / core.name.replace("minimalkv_core", "minimalkv_twin")
    shutil.copy(core, twin)
    problems = _dist.check_wheelhouse(tmp_path)
    assert any("is in both" in problem and twin.name in problem for problem in problems)


EXTRAS = {
    "": (
        "import minimalkv.fs, minimalkv.memory, minimalkv.decorator, minimalkv.idgen, "
        "minimalkv.crypt, minimalkv.cache\n"
        "try:\n"
        "    import minimalkv.net.boto3store\n"
        "except ImportError as error:\n"
        "    assert 'pip install \"minimalkv[s3]\"' in str(error), error\n"
        "else:\n"
        "    raise AssertionError('minimalkv.s3 is not installed')\n" + EXAMPLE
    ),
    "[redis,sql,git,mongo]": (
        "from minimalkv.git import GitCommitStore\n"
        "from minimalkv.mongo import MongoStore\n"
        "from minimalkv.db.mongo import MongoStore as OldMongo\n"
        "assert OldMongo is MongoStore\n"
        "from minimalkv.redis import RedisStore\n"
        "from minimalkv.memory.redisstore import RedisStore as Old\n"
        "from minimalkv.db.sql import SQLAlchemyStore\n"
        "from minimalkv import get_store_from_url\n"
        "assert Old is RedisStore\n"
        "store = get_store_from_url('sqlite://')\n"
        "store.put('k', b'v'); assert store.get('k') == b'v'\n"
    ),
    "[s3,azure,gcs,contract]": (
        "from minimalkv.net.boto3store import Boto3Store\n"
        "from minimalkv.net.azurestore import AzureBlockBlobStore\n"
        "from minimalkv.net.gcstore import GoogleCloudStore\n"
        "import minimalkv.s3, minimalkv.azure, minimalkv.gcs, minimalkv.contract\n"
    ),
}


@pytest.mark.parametrize("extras", EXTRAS, ids=lambda extras: f"minimalkv{extras}")
def test_extras_install_from_the_wheelhouse(wheelhouse: Path, venv: Path, extras: str) -> None:
    _pip(venv, "install", "--find-links", wheelhouse, f"minimalkv{extras}")
    _pip(venv, "check")
    version = _run(venv, "-c", "import minimalkv; print(minimalkv.__version__)").stdout.strip()
    assert version == RELEASE
    _imports(venv, EXTRAS[extras])


@pytest.mark.parametrize("pip", ["bundled", "newest"])
def test_upgrade_from_minimalkv_1x_in_place(wheelhouse: Path, venv: Path, pip: str) -> None:
    if pip == "newest":
        _pip(venv, "install", "--upgrade", "pip")
    _pip(venv, "install", f"minimalkv=={MINIMALKV1}")
    _imports(venv, "from minimalkv.fs import FilesystemStore; import minimalkv._get_store")

    _pip(venv, "install", "--upgrade", "--find-links", wheelhouse, "minimalkv[fs]")

    _pip(venv, "check")
    shown = _pip(venv, "show", META).stdout
    assert f"Version: {RELEASE}" in shown
    left = sorted(path.name for path in _site_minimalkv(venv).glob("*.py"))
    assert "_get_store.py" not in left
    assert "fs.py" not in left
    _imports(venv, EXAMPLE)


def test_minimalkv_1x_files_left_beside_ours_are_refused_with_the_repair(
    wheelhouse: Path, venv: Path
) -> None:
    _pip(venv, "install", f"minimalkv=={MINIMALKV1}", "typing-extensions")
    wheels = [
        wheel
        for wheel in wheelhouse.glob("*.whl")
        if wheel.name.split("-", 1)[0]
        in {"minimalkv", "minimalkv_core", "minimalkv_memory", "minimalkv_fs"}
        or wheel.name.split("-", 1)[0]
        in {"minimalkv_decorator", "minimalkv_idgen", "minimalkv_crypt", "minimalkv_cache"}
    ]
    # An installer that does not remove 1.x first: its own files stay beside ours.
    _pip(venv, "install", "--no-deps", "--ignore-installed", *wheels)
    failed = _run(venv, "-c", "import minimalkv", check=False)
    assert failed.returncode != 0
    assert "files of minimalkv 1.x remain" in failed.stderr
    assert str(_site_minimalkv(venv) / "_get_store.py") in failed.stderr

    commands = re.findall(r"^    (\S+ -m pip .+)$", failed.stderr, re.MULTILINE)
    assert len(commands) == 2, failed.stderr
    assert commands[0].endswith("pip uninstall --yes minimalkv")
    _run(*commands[0].split())
    install = commands[1].replace('"', "").split()
    _run(*install, "--find-links", wheelhouse)
    _pip(venv, "check")
    _imports(venv, EXAMPLE)
