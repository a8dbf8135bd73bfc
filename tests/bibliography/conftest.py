"""Real databases for the bibliography tests: a SQLite file, and a PostgreSQL database on
127.0.0.1 created for the run and dropped after it. The same tests run on both."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.orm import Session

from bot.bibliography.database import make_engine, temporary_postgres_database, upgrade_database
from bot.bibliography.seed import REFERENCES_FILE, THEMES_FILE, load_seed_files

# A database of the server to connect to while creating and dropping the test databases.
POSTGRES_ADMIN_URL = os.environ.get(
    "BIBLIO_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: needs the PostgreSQL server on 127.0.0.1 (creates a database)"
    )


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database of that backend, deleted afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bibliotheque.sqlite3'}"
        return
    with temporary_postgres_database(POSTGRES_ADMIN_URL, "biblio_test") as url:
        if url is None:
            pytest.skip(f"no PostgreSQL server answers at {POSTGRES_ADMIN_URL}")
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_engine(request, tmp_path_factory):
    """A database built by the migrations and loaded with the real seed files, once per run."""
    with fresh_database(request.param, tmp_path_factory.mktemp("seeded")) as url:
        upgrade_database(url)
        engine = make_engine(url)
        report = load_seed_files(engine)
        assert not report.problems, report.summary_fr()
        yield engine
        engine.dispose()


@pytest.fixture
def session(seeded_engine) -> Iterator[Session]:
    """A session on the seeded database whose changes are rolled back after the test."""
    with Session(seeded_engine) as session:
        session.begin()
        yield session
        session.rollback()


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path) -> Iterator[str]:
    """A migrated database with no rows, for tests that load and reload the seed."""
    with fresh_database(request.param, tmp_path) as url:
        upgrade_database(url)
        yield url


@pytest.fixture
def empty_engine(empty_url):
    engine = make_engine(empty_url)
    yield engine
    engine.dispose()


@pytest.fixture
def seed_copy(tmp_path) -> tuple[Path, Path]:
    """Copies of the seed files that a test may edit."""
    folder = tmp_path / "seed"
    folder.mkdir()
    return (
        Path(shutil.copy(REFERENCES_FILE, folder / "references.yml")),
        Path(shutil.copy(THEMES_FILE, folder / "themes.yml")),
    )
