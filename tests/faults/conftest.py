from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.server import FaultServer


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer().start()
    yield server
    server.stop()
