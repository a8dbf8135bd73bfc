"""Loading the librarian-editable seed files into the database, as often as one likes.

Loading is idempotent: a record is found again by its `key`, else by its DOI, else by its ISBN,
and updated in place, so a second load changes nothing and an edited record is never
duplicated. Each record is written inside its own savepoint: a malformed or conflicting record
is reported (file, position, line, field, in French) and the others still load.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

import yaml
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.bibliography import terms
from bot.bibliography.models import (
    Author,
    Authorship,
    Keyword,
    Reference,
    Theme,
    reference_keyword,
)
from bot.bibliography.records import (
    RecordError,
    ReferenceRecord,
    parse_reference,
    parse_theme,
)
from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

SEED_DIR = PROJECT_ROOT / "data" / "bibliography"
REFERENCES_FILE = SEED_DIR / "references.yml"
THEMES_FILE = SEED_DIR / "themes.yml"


@dataclass
class SeedProblem:
    """A record that was not loaded, located so that a librarian can find and fix it."""

    file: Path
    message: str
    position: Optional[int] = None
    line: Optional[int] = None
    field: Optional[str] = None
    key: Optional[str] = None

    def __str__(self) -> str:
        where = [self.file.name]
        if self.position is not None:
            where.append(f"fiche n° {self.position}")
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.key:
            where.append(f"clé « {self.key} »")
        text = ", ".join(where)
        if self.field:
            text += f", champ « {self.field} »"
        return f"{text} : {self.message}"


@dataclass
class SeedReport:
    """What a load did; `summary_fr()` is what the command line prints."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    themes_created: int = 0
    themes_updated: int = 0
    unchanged_themes: int = 0
    problems: list[SeedProblem] = field(default_factory=list)

    def summary_fr(self) -> str:
        lines = [
            f"Références : {self.created} ajoutée(s), {self.updated} mise(s) à jour, "
            f"{self.unchanged} inchangée(s).",
            f"Thèmes : {self.themes_created} ajouté(s), {self.themes_updated} mis à jour.",
        ]
        if self.problems:
            lines.append(f"{len(self.problems)} fiche(s) non chargée(s), à corriger :")
            lines.extend(f"  - {problem}" for problem in self.problems)
        return "\n".join(lines)


def load_seed_files(
    engine: Engine, references_path: Path = REFERENCES_FILE, themes_path: Path = THEMES_FILE
) -> SeedReport:
    """Load the seed files in one transaction of their own (for the command line)."""
    with Session(engine) as session, session.begin():
        return load_seed(session, references_path, themes_path)


def migrate_and_seed(url: Optional[str] = None) -> SeedReport:
    """Bring the database at `url` (default: the configured one) to the latest schema, then load
    the seed files: what `python -m bot base`, the cluster, the tests and the benchmarks need."""
    from bot.bibliography.database import make_engine, upgrade_database

    upgrade_database(url)
    engine = make_engine(url)
    try:
        return load_seed_files(engine)
    finally:
        engine.dispose()


def load_seed(session: Session, references_path: Path, themes_path: Path) -> SeedReport:
    """Load themes, then references, into the caller's transaction; report, never raise."""
    report = SeedReport()
    themes_path, references_path = Path(themes_path), Path(references_path)
    for position, line, raw in _records(themes_path, report):
        _load_one(session, themes_path, position, line, raw, report, _apply_theme)
    known_themes = set(session.scalars(select(Theme.id)))
    records = list(_records(references_path, report))
    file_keys = {str(raw.get("key")) for _, _, raw in records if isinstance(raw, dict)}
    terms.warm_up(_texts_to_index(raw for _, _, raw in records))
    seen: dict[str, set[str]] = {"key": set(), "doi": set(), "isbn": set()}

    def apply_reference(session: Session, raw: Any) -> str:
        record = parse_reference(raw, known_themes)
        identifiers = {"key": record.key, "doi": record.doi, "isbn": record.isbn}
        for name, value in identifiers.items():
            if value and value in seen[name]:
                raise RecordError(name, f"« {value} » figure déjà plus haut dans le fichier")
        outcome = _apply_reference(session, record, file_keys)
        for name, value in identifiers.items():
            if value:
                seen[name].add(value)
        return outcome

    for position, line, raw in records:
        _load_one(session, references_path, position, line, raw, report, apply_reference)
    _delete_orphans(session)
    for problem in report.problems:
        logger.warning("Fiche non chargée : %s", problem)
    return report


def _records(path: Path, report: SeedReport) -> Iterator[tuple[int, Optional[int], Any]]:
    """Each record of a YAML list with its position and line; file-level problems reported."""
    try:
        loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else []
        finally:
            loader.dispose()
    except FileNotFoundError:
        report.problems.append(SeedProblem(path, "fichier introuvable"))
        return
    except UnicodeDecodeError:
        report.problems.append(SeedProblem(path, "le fichier doit être enregistré en UTF-8"))
        return
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        report.problems.append(
            SeedProblem(path, f"le fichier n'est pas du YAML valide ({error.problem})", line=line)
        )
        return
    if not isinstance(data, list):
        report.problems.append(SeedProblem(path, "le fichier doit être une liste de fiches « - »"))
        return
    for position, (item, raw) in enumerate(zip(node.value, data), start=1):
        yield position, item.start_mark.line + 1, raw


def _load_one(
    session: Session,
    path: Path,
    position: int,
    line: Optional[int],
    raw: Any,
    report: SeedReport,
    apply: Callable[[Session, Any], str],
) -> None:
    """Apply one record in a savepoint; on failure only this record is undone and reported."""
    key = str(raw.get("key") or raw.get("id") or "") if isinstance(raw, dict) else None
    try:
        with session.begin_nested():
            outcome = apply(session, raw)
    except RecordError as error:
        report.problems.append(SeedProblem(path, error.message, position, line, error.field, key))
    except IntegrityError as error:
        detail = str(error.orig).splitlines()[0]
        message = f"conflit avec une fiche déjà en base ({detail})"
        report.problems.append(SeedProblem(path, message, position, line, None, key))
    else:
        setattr(report, outcome, getattr(report, outcome) + 1)


def _apply_theme(session: Session, raw: Any) -> str:
    record = parse_theme(raw)
    theme = session.get(Theme, record.id)
    if theme is None:
        session.add(Theme(id=record.id, label=record.label, synonyms=record.synonyms))
        return "themes_created"
    if (theme.label, list(theme.synonyms or [])) == (record.label, record.synonyms):
        return "unchanged_themes"
    theme.label, theme.synonyms = record.label, record.synonyms
    return "themes_updated"


def _apply_reference(session: Session, record: ReferenceRecord, file_keys: set[str]) -> str:
    reference, matched_on = _existing(session, record)
    renamed_from = reference.seed_key if reference is not None else None
    if renamed_from not in (None, record.key) and renamed_from in file_keys:
        # Same DOI or ISBN as another record of the file: a copy, not a renamed record.
        value = getattr(record, matched_on)
        raise RecordError(matched_on, f"« {value} » est déjà celui de la fiche « {renamed_from} »")
    for name in ("doi", "isbn"):
        value = getattr(record, name)
        column = getattr(Reference, name)
        owner = session.scalars(select(Reference).where(column == value)).first() if value else None
        if owner is not None and owner is not reference:
            other = owner.seed_key or owner.id
            raise RecordError(name, f"« {value} » est déjà celui de la fiche « {other} »")
    if reference is not None and not _differs(reference, record):
        return "unchanged"
    outcome = "created" if reference is None else "updated"
    reference = _fill(session, reference or Reference(), record)
    session.add(reference)
    session.flush()
    return outcome


def _existing(session: Session, record: ReferenceRecord) -> tuple[Optional[Reference], str]:
    """The stored reference this record describes: same key, else same DOI, else same ISBN."""
    for name, column in (
        ("key", Reference.seed_key),
        ("doi", Reference.doi),
        ("isbn", Reference.isbn),
    ):
        value = getattr(record, name)
        if value:
            found = session.scalars(select(Reference).where(column == value)).first()
            if found is not None:
                return found, name
    return None, "key"


def _differs(reference: Reference, record: ReferenceRecord) -> bool:
    """Whether loading the record would change anything (authors compared by folded name)."""
    current = {name: getattr(reference, name) for name in record.values}
    current.update(
        key=reference.seed_key,
        type=reference.type,
        authors=[(a.author.name_key, a.role) for a in reference.authorships],
        keywords=sorted(k.label for k in reference.keywords),
        themes=sorted(t.id for t in reference.themes),
    )
    authors = [(Author.key_for(family, given), role) for family, given, role in record.authors]
    wanted = dict(record.values, key=record.key, type=record.type, authors=authors)
    wanted.update(keywords=sorted(record.keywords), themes=sorted(record.themes))
    if record.added_on:
        current["added_on"], wanted["added_on"] = reference.added_on, record.added_on
    return current != wanted


def _fill(session: Session, reference: Reference, record: ReferenceRecord) -> Reference:
    """Copy a record onto a reference; lookups first, so that no autoflush sees it half-filled."""
    authors = [_author(session, family, given) for family, given, _role in record.authors]
    keywords = [_keyword(session, label) for label in record.keywords]
    themes = [session.get(Theme, theme_id) for theme_id in record.themes]
    for name, value in record.values.items():
        setattr(reference, name, value)
    reference.seed_key, reference.type = record.key, record.type
    if record.added_on:
        reference.added_on = record.added_on
    roles = [role for _family, _given, role in record.authors]
    if [(a.author, a.role) for a in reference.authorships] != list(zip(authors, roles)):
        reference.authorships.clear()
        for author, role in zip(authors, roles):
            reference.authorships.append(Authorship(author=author, role=role))
    if sorted(k.label for k in reference.keywords) != sorted(record.keywords):
        reference.keywords = keywords
    if sorted(t.id for t in reference.themes) != sorted(record.themes):
        reference.themes = themes
    return reference


def _author(session: Session, family: str, given: Optional[str]) -> Author:
    key = Author.key_for(family, given)
    author = session.scalars(select(Author).where(Author.name_key == key)).first()
    if author is None:
        author = Author(family=family, given=given)
        session.add(author)
    return author


def _keyword(session: Session, label: str) -> Keyword:
    keyword = session.scalars(select(Keyword).where(Keyword.label == label)).first()
    if keyword is None:
        keyword = Keyword(label=label)
        session.add(keyword)
    return keyword


def _delete_orphans(session: Session) -> None:
    """Authors and keywords no record uses any more (after an edit) are not search results."""
    session.execute(
        delete(Author).where(~Author.authorships.any()).execution_options(synchronize_session=False)
    )
    session.execute(
        delete(Keyword)
        .where(~Keyword.id.in_(select(reference_keyword.c.keyword_id)))
        .execution_options(synchronize_session=False)
    )


def _texts_to_index(raws: Iterable[Any]) -> list[str]:
    """The texts a load will lemmatize, so that spaCy sees them in one batch."""
    texts: list[str] = []
    for raw in raws:
        if isinstance(raw, dict):
            texts += [str(raw.get(name) or "") for name in ("title", "subtitle", "summary")]
            keywords = raw.get("keywords")
            texts += [str(k) for k in keywords] if isinstance(keywords, list) else []
    return texts
