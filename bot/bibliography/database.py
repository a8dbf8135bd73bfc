"""Where the bibliography lives, and how its schema is brought up to date.

The URL comes from `bot.settings` (environment variable `DATABASE_URL`, default a SQLite file
under `var/`), so the action server, the command line and the tests agree on it. The schema is
only ever created by Alembic migrations, on SQLite as on PostgreSQL, so a deployed database and
a test database are built the same way.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from bot.settings import load_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Our own version table, so that the bibliography can share a database with Rasa's tracker store.
VERSION_TABLE = "bibliography_alembic_version"


def database_url() -> str:
    """The configured URL: `DATABASE_URL`, or the project's SQLite file."""
    return load_settings().database_url


def make_engine(url: Optional[str] = None) -> Engine:
    """An engine for the bibliography; on SQLite, foreign keys on and real savepoints.

    SQLite ignores foreign keys unless asked on each connection, and Python's sqlite3 driver
    opens transactions on its own, which breaks SAVEPOINT (the seed loader keeps one per record
    so that a bad record does not undo the good ones): SQLAlchemy's documented recipe hands
    transaction control back to SQLAlchemy.
    """
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def alembic_config(url: Optional[str] = None) -> Config:
    """Alembic's configuration built in code: no alembic.ini to keep in step with the settings."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats "%" as interpolation; URL-encoded passwords contain it.
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade_database(url: Optional[str] = None) -> None:
    """Create the tables or bring them to the latest version (`alembic upgrade head`)."""
    command.upgrade(alembic_config(url), "head")


@contextmanager
def temporary_postgres_database(admin_url: str, prefix: str) -> Iterator[Optional[str]]:
    """A new, empty PostgreSQL database for tests and benchmarks, dropped afterwards.

    Yields its URL, or None when no server answers at `admin_url` (the caller decides whether
    that is a skip or a failure).
    """
    admin = create_engine(admin_url, future=True, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        yield None
        return
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
