"""The schema comes from the migrations alone, and they agree with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.bibliography.database import VERSION_TABLE, make_engine, upgrade_database
from bot.bibliography.models import Base, Reference


def test_migrations_build_exactly_the_models(empty_url):
    upgrade_database(empty_url)  # a second upgrade is a no-op
    engine = make_engine(empty_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": VERSION_TABLE}
        )
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


@pytest.mark.parametrize(
    "first, second",
    [
        ({"doi": "10.3917/vsoc.191.0225"}, {"doi": "https://doi.org/10.3917/VSOC.191.0225"}),
        ({"isbn": "978-2-7101-3008-9"}, {"isbn": "9782710130089"}),
    ],
)
def test_the_same_doi_or_isbn_cannot_be_stored_twice(empty_engine, first, second):
    with Session(empty_engine) as session, session.begin():
        session.add(Reference(type="article", title="Premier", **first))
    with pytest.raises(IntegrityError):
        with Session(empty_engine) as session, session.begin():
            session.add(Reference(type="article", title="Second", **second))


def test_unknown_document_type_is_refused(empty_engine):
    with pytest.raises(IntegrityError):
        with Session(empty_engine) as session, session.begin():
            session.add(Reference(type="podcast", title="Un podcast"))


def test_sqlite_enforces_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'fk.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "var").is_dir()
    engine.dispose()
