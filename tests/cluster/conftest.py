"""A cluster of its own for these tests: fresh PostgreSQL databases, Redis, nginx, free ports."""
from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Iterator

import pytest

from bot.settings import PROJECT_ROOT


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "cluster: starts two Rasa replicas, an action server and nginx (PostgreSQL, Redis)"
    )


def _cluster_load() -> ModuleType:
    """benchmarks/cluster_load.py: the load, the faults and the checks, shared with `make bench`."""
    path = PROJECT_ROOT / "benchmarks" / "cluster_load.py"
    spec = importlib.util.spec_from_file_location("cluster_load", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def cluster_load() -> ModuleType:
    return _cluster_load()


@pytest.fixture(scope="module")
def cluster(trained_model, cluster_load, tmp_path_factory) -> Iterator:
    """Two replicas and nginx, as `make run-cluster` starts them; logs in the test's folder."""
    try:
        with cluster_load.throwaway_cluster(trained_model, tmp_path_factory.mktemp("grappe")) as running:
            yield running
    except RuntimeError as error:  # a service or nginx missing: say which, in French
        pytest.fail(str(error))
