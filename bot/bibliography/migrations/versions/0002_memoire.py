"""A document type for master's dissertations (`memoire`), apart from doctoral theses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from typing import Sequence, Union

from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BEFORE = ("article", "livre", "chapitre", "rapport", "these", "formation", "site")
AFTER = ("article", "livre", "chapitre", "rapport", "these", "memoire", "formation", "site")


def _replace_type_check(allowed: Sequence[str]) -> None:
    # Batch mode: SQLite cannot alter a constraint in place, so there the table is copied.
    with op.batch_alter_table("reference", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_reference_type"), type_="check")
        batch.create_check_constraint("type", f"type IN ({', '.join(map(repr, allowed))})")


def upgrade() -> None:
    _replace_type_check(AFTER)


def downgrade() -> None:
    op.execute("UPDATE reference SET type = 'these' WHERE type = 'memoire'")
    _replace_type_check(BEFORE)
