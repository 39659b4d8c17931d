from tests.faults.conftest import fault_server

__all__ = ["fault_server"]
