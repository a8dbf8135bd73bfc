"""Real files for the librarians' commands: a copy of the project's data to break or extend,
the Zotero-style samples, and a SQLite bibliography built by the migrations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

SAMPLES = Path(__file__).resolve().parent / "samples"


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of what the commands read and write (data, domain, config), to be edited freely."""
    root = tmp_path / "projet"
    root.mkdir()
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT_ROOT / name, root / name)
    shutil.copytree(PROJECT_ROOT / "data", root / "data")
    return root


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'bibliotheque.sqlite3'}"
