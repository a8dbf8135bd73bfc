"""`biblio exporter` and `biblio lister`: the reading list out of the database, as files or lines.

CSL-JSON is what Zotero imports ("Fichier → Importer"); CSV opens in a spreadsheet (semicolons
and a BOM, as French Excel expects) and has the very columns `biblio importer` reads, so that a
list corrected in a spreadsheet can be imported again: known references are then merged, not
doubled.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.bibliography.citation import format_citation
from bot.bibliography.models import Authorship, Reference
from bot.bibliography.search import search_references
from bot.librarian.formats import CSV_COLUMNS, LIST_SEPARATOR, FormatError
from bot.librarian.training_data import write_atomically

EXPORT_FORMATS = {".json": "csl-json", ".csv": "csv"}
_CSL_TYPES = {
    "article": "article-journal",
    "livre": "book",
    "chapitre": "chapter",
    "rapport": "report",
    "these": "thesis",
    "memoire": "thesis",
    "site": "webpage",
    "formation": "document",
}
_EDITOR_ROLES = ("dir.", "dir", "ed.", "éd.", "editor")


def all_references(session: Session) -> list[Reference]:
    statement = (
        select(Reference)
        .options(
            selectinload(Reference.authorships).selectinload(Authorship.author),
            selectinload(Reference.keywords),
            selectinload(Reference.themes),
        )
        .order_by(Reference.seed_key, Reference.id)
    )
    return list(session.scalars(statement))


def export_format(path: Path, requested: Optional[str] = None) -> str:
    if requested:
        if requested not in EXPORT_FORMATS.values():
            raise FormatError(
                f"format d'export « {requested} » inconnu ; formats possibles : csl-json, csv"
            )
        return requested
    found = EXPORT_FORMATS.get(Path(path).suffix.lower())
    if found is None:
        raise FormatError(
            "nommez le fichier en .json (CSL-JSON, pour Zotero) ou en .csv (tableur), ou précisez --format"
        )
    return found


def export_references(session: Session, path: Path, fmt: str) -> int:
    """Write every reference of the database to `path`; how many were written."""
    references = all_references(session)
    text = to_csl_json(references) if fmt == "csl-json" else to_csv(references)
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise FormatError(f"le dossier « {path.parent} » n'existe pas")
    write_atomically(path, text)
    return len(references)


def to_csl_json(references: list[Reference]) -> str:
    return json.dumps([csl_item(r) for r in references], ensure_ascii=False, indent=2) + "\n"


def csl_item(reference: Reference) -> dict[str, Any]:
    people: dict[str, list[dict[str, str]]] = {"author": [], "editor": []}
    for authorship in reference.authorships:
        author = authorship.author
        name = (
            {"family": author.family, "given": author.given}
            if author.given
            else {"literal": author.family}
        )
        role = "editor" if (authorship.role or "").strip().lower() in _EDITOR_ROLES else "author"
        people[role].append(name)
    in_container = reference.type in ("article", "chapitre")
    item = {
        "id": reference.seed_key or str(reference.id),
        "type": _CSL_TYPES[reference.type],
        "genre": "formation" if reference.type == "formation" else None,
        "title": reference.title
        if not reference.subtitle
        else f"{reference.title} : {reference.subtitle}",
        **{role: names for role, names in people.items() if names},
        "issued": {"date-parts": [[reference.year]]} if reference.year else None,
        "container-title": reference.venue if in_container else None,
        "publisher": None if in_container else reference.venue,
        "volume": reference.volume,
        "issue": reference.issue,
        "page": reference.pages,
        "DOI": reference.doi,
        "ISBN": reference.isbn,
        "URL": reference.url,
        "language": reference.language,
        "abstract": reference.summary,
        "archive": reference.availability,
        "keyword": ", ".join(k.label for k in reference.keywords) or None,
    }
    return {name: value for name, value in item.items() if value not in (None, "", [])}


def to_csv(references: list[Reference]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads the accents right only with it
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(list(CSV_COLUMNS))
    for reference in references:
        values = {
            "key": reference.seed_key,
            "type": reference.type,
            "authors": f" {LIST_SEPARATOR} ".join(
                f"{a.author.family}, {a.author.given}" if a.author.given else a.author.family
                for a in reference.authorships
            ),
            "keywords": f" {LIST_SEPARATOR} ".join(k.label for k in reference.keywords),
            "themes": f" {LIST_SEPARATOR} ".join(t.id for t in reference.themes),
        }
        row = [
            values[field] if field in values else getattr(reference, field)
            for field in CSV_COLUMNS.values()
        ]
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue()


def list_references(
    session: Session,
    words: Optional[str] = None,
    doc_type: Optional[str] = None,
    theme: Optional[str] = None,
    author: Optional[str] = None,
    year: Optional[str] = None,
    limit: int = 20,
) -> tuple[list[str], int]:
    """Citations of the references found (best first), each with its key; and how many match."""
    result = search_references(
        session,
        doc_type=doc_type,
        theme=theme,
        author=author,
        year=int(year) if year and year.isdigit() else year,
        text=words,
        limit=limit,
    )
    lines = [f"[{r.seed_key or r.id}] {format_citation(r)}" for r in result.references]
    return lines, result.total
