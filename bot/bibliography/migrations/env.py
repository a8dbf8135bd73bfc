"""Alembic environment of the bibliography, run by `bot.bibliography.database.upgrade_database`.

There is no alembic.ini: the URL and this folder are set in code from the project's settings.
Batch mode lets later migrations alter tables on SQLite, which cannot ALTER most columns.
"""

from __future__ import annotations

from alembic import context

from bot.bibliography.database import VERSION_TABLE, make_engine
from bot.bibliography.models import Base

config = context.config
options = dict(target_metadata=Base.metadata, version_table=VERSION_TABLE, render_as_batch=True)


def run_migrations_offline() -> None:
    """Write the SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **options)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
