"""The bibliography's tables: references, their ordered authors, themes and free keywords.

A DOI or an ISBN identifies a publication, so each may be stored once only; they are normalised
on the way in (lower-case DOI without its "https://doi.org/" prefix, ISBN without hyphens) so
that two spellings of the same identifier cannot slip past the unique keys. `seed_key` is the
librarians' stable name for a record in `data/bibliography/references.yml`, which makes loading
the seed file again an update rather than a copy.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    inspect,
)
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import declarative_base, relationship, validates

from bot.bibliography.terms import fold, terms_column

DOC_TYPES = ("article", "livre", "chapitre", "rapport", "these", "memoire", "formation", "site")
# The languages a visitor may ask readings in (the `language` entity), with their French names.
LANGUAGES = {"fr": "français", "en": "anglais"}

# Named constraints, so that migrations can refer to them identically on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

reference_theme = Table(
    "reference_theme",
    Base.metadata,
    Column("reference_id", ForeignKey("reference.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True, index=True),
)

reference_keyword = Table(
    "reference_keyword",
    Base.metadata,
    Column("reference_id", ForeignKey("reference.id", ondelete="CASCADE"), primary_key=True),
    Column("keyword_id", ForeignKey("keyword.id", ondelete="CASCADE"), primary_key=True),
)


def normalize_doi(value: Optional[str]) -> Optional[str]:
    """ "https://doi.org/10.1684/IPE…" and "doi:10.1684/ipe…" are the same DOI."""
    if value is None or not str(value).strip():
        return None
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", str(value).strip(), flags=re.I)
    return doi.lower()


def normalize_isbn(value: Optional[str]) -> Optional[str]:
    """ "978-2-7101-3008-9" and "9782710130089" are the same ISBN."""
    if value is None or not str(value).strip():
        return None
    return re.sub(r"[\s-]", "", str(value)).upper()


class Theme(Base):
    """A theme of the assistant's contract (`sante_mentale`…), with the words that name it."""

    __tablename__ = "theme"

    id = Column(String(40), primary_key=True)
    label = Column(String(120), nullable=False)
    synonyms = Column(JSON, nullable=False, default=list)

    def __repr__(self) -> str:
        return f"Theme({self.id!r})"


class Keyword(Base):
    """A free keyword, as written in the record ("IRTS", "Québec")."""

    __tablename__ = "keyword"

    id = Column(Integer, primary_key=True)
    label = Column(String(255), nullable=False, unique=True)


class Author(Base):
    """A person or an organisation; organisations have no given name."""

    __tablename__ = "author"

    id = Column(Integer, primary_key=True)
    family = Column(String(255), nullable=False)
    given = Column(String(255))
    # Folded copies: one author per spelling of a name, and accent-free matching in searches.
    family_folded = Column(String(255), nullable=False, index=True)
    name_key = Column(String(511), nullable=False, unique=True)

    authorships = relationship("Authorship", back_populates="author")

    @staticmethod
    def key_for(family: str, given: Optional[str]) -> str:
        return f"{fold(family).strip()}|{fold(given or '').strip()}"

    @validates("family", "given")
    def _keep_folded_names(self, name: str, value: Optional[str]) -> Optional[str]:
        family = value if name == "family" else self.family
        given = value if name == "given" else self.given
        if family is not None:
            self.family_folded = fold(family).strip()
            self.name_key = self.key_for(family, given)
        return value

    def __repr__(self) -> str:
        return f"Author({self.family!r}, {self.given!r})"


class Authorship(Base):
    """An author's place in a reference's author list, and their role ("dir." for editors)."""

    __tablename__ = "reference_author"

    id = Column(Integer, primary_key=True)
    reference_id = Column(
        ForeignKey("reference.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id = Column(ForeignKey("author.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    role = Column(String(40))

    reference = relationship("Reference", back_populates="authorships")
    author = relationship("Author", back_populates="authorships")


class Reference(Base):
    """One reading: article, book, chapter, report, thesis, training or website."""

    __tablename__ = "reference"
    __table_args__ = (CheckConstraint(f"type IN ({', '.join(map(repr, DOC_TYPES))})", name="type"),)

    id = Column(Integer, primary_key=True)
    seed_key = Column(String(120), unique=True)
    type = Column(String(20), nullable=False, index=True)
    title = Column(Text, nullable=False)
    subtitle = Column(Text)
    year = Column(Integer, index=True)
    venue = Column(Text)
    volume = Column(String(40))
    issue = Column(String(40))
    pages = Column(String(40))
    doi = Column(String(255), unique=True)
    isbn = Column(String(17), unique=True)
    url = Column(Text)
    language = Column(String(10))
    summary = Column(Text)
    availability = Column(String(200))
    source_page = Column(Text)
    added_on = Column(Date, nullable=False, default=dt.date.today)
    # Search terms (lemmas), kept with the row so that no query has to lemmatize the catalogue.
    title_terms = Column(Text, nullable=False, default=" ")
    keyword_terms = Column(Text, nullable=False, default=" ")
    summary_terms = Column(Text, nullable=False, default=" ")

    authorships = relationship(
        "Authorship",
        back_populates="reference",
        order_by="Authorship.position",
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
    )
    themes = relationship("Theme", secondary=reference_theme, order_by="Theme.id")
    keywords = relationship("Keyword", secondary=reference_keyword, order_by="Keyword.label")

    @property
    def authors(self) -> list[Author]:
        return [authorship.author for authorship in self.authorships]

    @validates("doi")
    def _normalize_doi(self, _name: str, value: Optional[str]) -> Optional[str]:
        return normalize_doi(value)

    @validates("isbn")
    def _normalize_isbn(self, _name: str, value: Optional[str]) -> Optional[str]:
        return normalize_isbn(value)

    def refresh_terms(self) -> None:
        """Recompute the stored search terms from the title, keywords and summary."""
        self.title_terms = terms_column(self.title, self.subtitle)
        self.keyword_terms = terms_column(*(keyword.label for keyword in self.keywords))
        self.summary_terms = terms_column(self.summary)

    def __repr__(self) -> str:
        return f"Reference({self.id!r}, {self.seed_key!r}, {self.title[:40]!r})"


_TERM_SOURCES = ("title", "subtitle", "summary", "keywords")


@event.listens_for(Reference, "before_insert")
def _index_new_reference(_mapper, _connection, target: Reference) -> None:
    target.refresh_terms()


@event.listens_for(Reference, "before_update")
def _index_edited_reference(_mapper, _connection, target: Reference) -> None:
    """Whoever edits a reference (seed file, a future import), its search terms follow."""
    state = inspect(target)
    if any(state.attrs[name].history.has_changes() for name in _TERM_SOURCES):
        target.refresh_terms()
