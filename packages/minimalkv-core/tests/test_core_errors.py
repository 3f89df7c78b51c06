"""The error hierarchy (minimalkv._errors): built-in bases, messages, pickling."""

from __future__ import annotations

import copy
import pickle

import pytest
from minimalkv import (
    BackendNotInstalledError,
    BatchError,
    ConfigurationError,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidValueError,
    KeyNotFoundError,
    MinimalKVError,
    ReadOnlyError,
    StoreBusyError,
    StoreConnectionError,
    StoreError,
    StoreNotFoundError,
    StorePermissionError,
    StoreTimeoutError,
    UnknownStoreError,
)

BUILTIN_BASES: list[tuple[type[MinimalKVError], tuple[type[BaseException], ...]]] = [
    (KeyNotFoundError, (KeyError, LookupError)),
    (InvalidKeyError, (ValueError,)),
    (InvalidValueError, (TypeError, OSError)),
    (InvalidArgumentError, (ValueError,)),
    (ReadOnlyError, (PermissionError, OSError)),
    (ConfigurationError, (ValueError,)),
    (UnknownStoreError, (ConfigurationError, ValueError)),
    (BackendNotInstalledError, (ImportError, ValueError, UnknownStoreError)),
    (StoreError, (OSError,)),
    (StoreConnectionError, (ConnectionError, StoreError, OSError)),
    (StoreTimeoutError, (TimeoutError, StoreError, OSError)),
    (StorePermissionError, (PermissionError, StoreError, OSError)),
    (StoreNotFoundError, (FileNotFoundError, StoreError, OSError)),
    (StoreBusyError, (StoreError, OSError)),
    (BatchError, (StoreError, OSError)),
]
ALL_ERRORS = [cls for cls, _ in BUILTIN_BASES]


@pytest.mark.parametrize(("cls", "bases"), BUILTIN_BASES)
def test_error_is_an_instance_of_its_builtins(
    cls: type[MinimalKVError], bases: tuple[type[BaseException], ...]
) -> None:
    error = cls("something went wrong", key="k")
    assert isinstance(error, MinimalKVError)
    for base in bases:
        assert isinstance(error, base), base
    with pytest.raises(bases[0]):
        raise error


@pytest.mark.parametrize("cls", ALL_ERRORS)
def test_str_is_the_message(cls: type[MinimalKVError]) -> None:
    error = cls("the message", key="some-key")
    assert str(error) == "the message"
    assert error.message == "the message"
    assert error.key == "some-key"
    assert error.args == ("the message",)


def test_key_not_found_str_is_not_repr_quoted() -> None:
    assert str(KeyError("x")) == "'x'"  # what a plain KeyError does
    assert str(KeyNotFoundError("key 'x' not found")) == "key 'x' not found"


def test_key_not_found_for_key() -> None:
    error = KeyNotFoundError.for_key("abc", "DictStore")
    assert error.key == "abc"
    assert "'abc'" in str(error)
    assert "DictStore" in str(error)
    assert KeyNotFoundError.for_key("abc").key == "abc"


def test_key_defaults_to_none() -> None:
    assert StoreError("boom").key is None


@pytest.mark.parametrize("cls", ALL_ERRORS)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(cls: type[MinimalKVError], protocol: int) -> None:
    error = cls("pickled message", key="the-key")
    clone = pickle.loads(pickle.dumps(error, protocol=protocol))  # noqa: S301 - our own data
    assert type(clone) is cls
    assert str(clone) == "pickled message"
    assert clone.message == "pickled message"
    assert clone.key == "the-key"
    assert clone.args == error.args


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_keeps_os_fields_notes_and_failures(protocol: int) -> None:
    import errno

    error = StoreError("could not write", key="k")
    error.errno, error.strerror, error.filename = errno.ENOSPC, "No space left", "/data/k"
    vars(error)["__notes__"] = ["a note"]  # as add_note (Python 3.11+) keeps them
    clone = pickle.loads(pickle.dumps(error, protocol=protocol))  # noqa: S301 - our own data
    assert (clone.errno, clone.strerror, clone.filename, clone.filename2) == (
        errno.ENOSPC,
        "No space left",
        "/data/k",
        None,
    )
    assert vars(clone)["__notes__"] == ["a note"]
    assert (str(clone), clone.key) == ("could not write", "k")


@pytest.mark.parametrize("cls", ALL_ERRORS)
def test_copy_round_trip(cls: type[MinimalKVError]) -> None:
    error = cls("copied", key=None)
    for clone in (copy.copy(error), copy.deepcopy(error)):
        assert type(clone) is cls
        assert str(clone) == "copied"
        assert clone.key is None


def test_catching_the_root_catches_everything() -> None:
    for cls in ALL_ERRORS:
        with pytest.raises(MinimalKVError):
            raise cls("x")


def test_hierarchy_is_drawn_in_the_module_docstring() -> None:
    import minimalkv._errors as errors_module

    doc = errors_module.__doc__ or ""
    everything: list[type[MinimalKVError]] = [MinimalKVError, *ALL_ERRORS]
    for cls in everything:
        assert cls.__name__ in doc


def test_batch_error_keeps_its_failures_through_pickle_and_copy() -> None:
    error = BatchError("2 keys failed", failures={"a": "AccessDenied: no", "b": "InternalError"})
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error)):  # noqa: S301 - own data
        assert type(clone) is BatchError
        assert clone.failures == {"a": "AccessDenied: no", "b": "InternalError"}
        assert str(clone) == "2 keys failed"
    assert BatchError("none").failures == {}
