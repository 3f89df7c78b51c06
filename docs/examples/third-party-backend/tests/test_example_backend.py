"""The minimalkv contract suite over the example backend: one class, one fixture."""

from __future__ import annotations

import pytest
from kv_dirstore import DirStore
from minimalkv import capabilities_of
from minimalkv.contract import ContractSuite, StoreFactory


class TestExampleStore(ContractSuite):
    capabilities = capabilities_of(DirStore)

    @pytest.fixture
    def store_factory(self, tmp_path_factory: pytest.TempPathFactory) -> StoreFactory:
        return lambda: DirStore(tmp_path_factory.mktemp("dirstore"))
