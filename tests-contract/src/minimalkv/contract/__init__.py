"""minimalkv-contract: the test suite every minimalkv store must pass, as a pytest plugin.

Subclass :class:`ContractSuite` in a test module and provide the ``store_factory`` fixture; see
the package README for capabilities, tuning attributes and the Hypothesis profiles.
"""

from ._base import ContractBase, StoreFactory
from ._capability_tests import CopyContract, TtlContract, UrlContract
from ._concurrency import ConcurrencyContract
from ._crash import CrashSafetyContract
from ._faults import ControllableServer, FaultOutcome, ServerFaultContract, call_with_deadline
from ._hostile import (
    HOSTILE_KEYS,
    HOSTILE_OBJECTS,
    HOSTILE_TEXT,
    HOSTILE_VALUES,
    HostileInputContract,
    is_documented_error,
)
from ._key_table import INVALID_KEYS, NON_STR_KEYS, WEIRD_KEYS, KeyCase
from ._large_values import LargeValueContract, MemoryBoundContract
from ._load import LOAD_SECONDS_VARIABLE, LoadContract, LoadFigures
from ._marks import CAPABILITY_MARK, RELIABILITY, RELIABILITY_MARK, requires_capability
from ._mypy_check import assert_mypy_diagnostics
from ._network import closed_port, silent_server
from ._plain_store import PlainStore
from ._profiles import CI_PROFILE, DEV_PROFILE
from ._recipe import JsonValue, StoreRecipe
from ._rss import PeakRss, measure_peak_rss
from ._secrets import (
    ENCODED_SECRETS,
    PRINTABLE_SECRETS,
    SECRET_WINDOW,
    assert_no_secret_leaks,
    secret_texts,
    url_form,
)
from ._semantics import SemanticsContract
from ._services import service_unavailable, session_service
from ._state_machine import (
    StateMachineContract,
    StoreStateMachine,
    build_state_machine,
    key_strategy,
)
from ._suite import ContractSuite
from ._weird_keys import WeirdKeyContract

__all__ = [
    "CAPABILITY_MARK",
    "CI_PROFILE",
    "DEV_PROFILE",
    "ENCODED_SECRETS",
    "HOSTILE_KEYS",
    "HOSTILE_OBJECTS",
    "HOSTILE_TEXT",
    "HOSTILE_VALUES",
    "INVALID_KEYS",
    "LOAD_SECONDS_VARIABLE",
    "NON_STR_KEYS",
    "PRINTABLE_SECRETS",
    "RELIABILITY",
    "RELIABILITY_MARK",
    "SECRET_WINDOW",
    "WEIRD_KEYS",
    "ConcurrencyContract",
    "ContractBase",
    "ContractSuite",
    "ControllableServer",
    "CopyContract",
    "CrashSafetyContract",
    "FaultOutcome",
    "HostileInputContract",
    "JsonValue",
    "KeyCase",
    "LargeValueContract",
    "LoadContract",
    "LoadFigures",
    "MemoryBoundContract",
    "PeakRss",
    "PlainStore",
    "SemanticsContract",
    "ServerFaultContract",
    "StateMachineContract",
    "StoreFactory",
    "StoreRecipe",
    "StoreStateMachine",
    "TtlContract",
    "UrlContract",
    "WeirdKeyContract",
    "assert_mypy_diagnostics",
    "assert_no_secret_leaks",
    "build_state_machine",
    "call_with_deadline",
    "closed_port",
    "is_documented_error",
    "key_strategy",
    "measure_peak_rss",
    "requires_capability",
    "secret_texts",
    "service_unavailable",
    "session_service",
    "silent_server",
    "url_form",
]
