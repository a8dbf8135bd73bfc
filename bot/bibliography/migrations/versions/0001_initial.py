"""Initial schema: references, ordered authors, themes, keywords.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DOC_TYPES = ("article", "livre", "chapitre", "rapport", "these", "formation", "site")


def upgrade() -> None:
    op.create_table(
        "author",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family", sa.String(length=255), nullable=False),
        sa.Column("given", sa.String(length=255), nullable=True),
        sa.Column("family_folded", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=511), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author")),
        sa.UniqueConstraint("name_key", name=op.f("uq_author_name_key")),
    )
    op.create_index(op.f("ix_author_family_folded"), "author", ["family_folded"])

    op.create_table(
        "keyword",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_keyword")),
        sa.UniqueConstraint("label", name=op.f("uq_keyword_label")),
    )

    op.create_table(
        "theme",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("synonyms", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
    )

    op.create_table(
        "reference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seed_key", sa.String(length=120), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("subtitle", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("venue", sa.Text(), nullable=True),
        sa.Column("volume", sa.String(length=40), nullable=True),
        sa.Column("issue", sa.String(length=40), nullable=True),
        sa.Column("pages", sa.String(length=40), nullable=True),
        sa.Column("doi", sa.String(length=255), nullable=True),
        sa.Column("isbn", sa.String(length=17), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("availability", sa.String(length=200), nullable=True),
        sa.Column("source_page", sa.Text(), nullable=True),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("title_terms", sa.Text(), nullable=False),
        sa.Column("keyword_terms", sa.Text(), nullable=False),
        sa.Column("summary_terms", sa.Text(), nullable=False),
        sa.CheckConstraint(
            f"type IN ({', '.join(map(repr, DOC_TYPES))})", name=op.f("ck_reference_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference")),
        sa.UniqueConstraint("doi", name=op.f("uq_reference_doi")),
        sa.UniqueConstraint("isbn", name=op.f("uq_reference_isbn")),
        sa.UniqueConstraint("seed_key", name=op.f("uq_reference_seed_key")),
    )
    op.create_index(op.f("ix_reference_type"), "reference", ["type"])
    op.create_index(op.f("ix_reference_year"), "reference", ["year"])

    op.create_table(
        "reference_author",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["author.id"], name=op.f("fk_reference_author_author_id_author")
        ),
        sa.ForeignKeyConstraint(
            ["reference_id"],
            ["reference.id"],
            name=op.f("fk_reference_author_reference_id_reference"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_author")),
    )
    op.create_index(op.f("ix_reference_author_author_id"), "reference_author", ["author_id"])
    op.create_index(op.f("ix_reference_author_reference_id"), "reference_author", ["reference_id"])

    for table, column, target, key_type in (
        ("reference_keyword", "keyword_id", "keyword", sa.Integer()),
        ("reference_theme", "theme_id", "theme", sa.String(length=40)),
    ):
        op.create_table(
            table,
            sa.Column("reference_id", sa.Integer(), nullable=False),
            sa.Column(column, key_type, nullable=False),
            sa.ForeignKeyConstraint(
                [column],
                [f"{target}.id"],
                name=op.f(f"fk_{table}_{column}_{target}"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["reference_id"],
                ["reference.id"],
                name=op.f(f"fk_{table}_reference_id_reference"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("reference_id", column, name=op.f(f"pk_{table}")),
        )
    op.create_index(op.f("ix_reference_theme_theme_id"), "reference_theme", ["theme_id"])


def downgrade() -> None:
    for table in ("reference_theme", "reference_keyword", "reference_author", "reference"):
        op.drop_table(table)
    for table in ("theme", "keyword", "author"):
        op.drop_table(table)
