"""The ``minimalkv`` distribution: its refusal to run beside minimalkv 1.x files, its 1.x paths."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import minimalkv
import pytest
from minimalkv._minimalkv1 import (
    MINIMALKV1_ONLY_FILES,
    check_no_minimalkv1_files,
    minimalkv1_files,
)
from minimalkv._moved import backend_missing


def _plant(directory: Path, relative: str) -> Path:
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# a file of minimalkv 1.x\n")
    return path


def test_a_clean_install_has_no_minimalkv1_files() -> None:
    assert minimalkv1_files(minimalkv.__path__) == []


def test_every_listed_file_is_found(tmp_path: Path) -> None:
    planted = {str(_plant(tmp_path, relative)) for relative in MINIMALKV1_ONLY_FILES}
    assert set(minimalkv1_files([str(tmp_path)])) == planted


def test_files_the_parts_ship_are_not_mistaken_for_minimalkv1(tmp_path: Path) -> None:
    for relative in ("__init__.py", "_store.py", "fs/__init__.py", "net/boto3store.py"):
        _plant(tmp_path, relative)
    assert minimalkv1_files([str(tmp_path), str(tmp_path / "missing")]) == []


def test_the_error_names_the_files_and_the_repair(tmp_path: Path) -> None:
    fs_module = _plant(tmp_path, "fs.py")
    net_init = _plant(tmp_path, "net/__init__.py")
    with pytest.raises(ImportError) as caught:
        check_no_minimalkv1_files([str(tmp_path)], minimalkv.__version__)
    message = str(caught.value)
    assert str(fs_module) in message
    assert str(net_init) in message
    assert "-m pip uninstall --yes minimalkv" in message
    assert f'"minimalkv=={minimalkv.__version__}"' in message
    assert f'"minimalkv-core=={minimalkv.__version__}"' in message
    assert "--force-reinstall --no-deps" in message


def test_import_refuses_a_tree_with_minimalkv1_files(tmp_path: Path) -> None:
    # A copy of the package directory with one 1.x file beside it, imported in a new process.
    source = Path(minimalkv.__file__).parent
    package = tmp_path / "minimalkv"
    package.mkdir()
    for file in source.glob("*.py"):
        (package / file.name).write_bytes(file.read_bytes())
    _plant(package, "_get_store.py")
    program = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        try:
            import minimalkv
        except ImportError as error:
            print(error)
        else:
            print("imported", minimalkv.__file__)
        """
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    assert "files of minimalkv 1.x remain" in result.stdout
    assert str(package / "_get_store.py") in result.stdout


def test_a_1x_path_without_its_backend_names_the_extra() -> None:
    error = backend_missing("minimalkv.net.gcstore", "minimalkv.gcs", "gcs")
    assert isinstance(error, ImportError)
    assert error.name == "minimalkv.net.gcstore"
    assert 'pip install "minimalkv[gcs]"' in str(error)
    assert "minimalkv-gcs" in str(error)


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("minimalkv._key_value_store", ("KeyValueStore", "UrlKeyValueStore")),
        ("minimalkv._mixins", ("CopyMixin", "TimeToLiveMixin", "UrlMixin")),
        ("minimalkv._constants", ("FOREVER", "NOT_SET", "VALID_KEY_RE")),
        ("minimalkv.contrib", ("ExtendedKeyspaceMixin",)),
        ("minimalkv.memory", ("DictStore", "HDictStore")),
        ("minimalkv.memory.redisstore", ("RedisStore",)),
        ("minimalkv.db.sql", ("SQLAlchemyStore",)),
        ("minimalkv.db.mongo", ("MongoStore",)),
        ("minimalkv.net.boto3store", ("Boto3Store",)),
        ("minimalkv.net.botostore", ("BotoStore",)),
        ("minimalkv.net.s3fsstore", ("S3FSStore",)),
        ("minimalkv.net.azurestore", ("AzureBlockBlobStore",)),
        ("minimalkv.net.gcstore", ("GoogleCloudStore",)),
    ],
)
def test_each_1x_path_forwards_to_its_part(module: str, names: tuple[str, ...]) -> None:
    imported = importlib.import_module(module)
    for name in names:
        value = getattr(imported, name)
        if isinstance(value, type):  # the class itself lives in its part, not at the 1.x path
            assert value.__module__ != module
        assert name in imported.__all__
