"""`python -m bot biblio importer FICHIER`: references from a reference manager into the reading list.

The seed file `data/bibliography/references.yml` stays the one source of truth: an import writes
its new records there (appended, in the file's own layout, comments kept), completes the records
it duplicates, then loads the file into the database as `python -m bot base` does. File and
database therefore never drift apart, and a librarian can still correct an imported record by
hand. `--sans-base` writes the file only; `--essai` writes nothing and shows what would change.

A duplicate (same DOI, same ISBN, or same title and year once accents, case and punctuation are
ignored) is merged: the existing record keeps its values and gains the fields it lacked, its
keywords and themes are completed. Records are never doubled.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

from bot.bibliography.models import normalize_doi, normalize_isbn
from bot.bibliography.records import OPTIONAL, RecordError, parse_reference
from bot.bibliography.seed import REFERENCES_FILE, THEMES_FILE, SeedReport
from bot.bibliography.terms import fold, stem
from bot.librarian.formats import FORMATS, ImportedRecord, detect_format, read_records
from bot.librarian.problems import Problem
from bot.librarian.training_data import write_atomically

FIELD_ORDER = ("key", "title", "subtitle", "authors", "year", "type") + tuple(
    name for name in OPTIONAL if name not in ("subtitle", "authors", "year")
)
LIST_FIELDS = ("keywords", "themes")
_KEY_STOP_WORDS = {
    "le",
    "la",
    "les",
    "l",
    "de",
    "des",
    "du",
    "d",
    "un",
    "une",
    "en",
    "et",
    "a",
    "au",
    "aux",
    "the",
    "of",
    "and",
}


@dataclass
class SeedEntry:
    """A record of the seed file: its fields, and the lines it spans (to rewrite it in place)."""

    raw: dict[str, Any]
    first_line: Optional[int] = None  # 0-based, inclusive; None for a record not yet written
    last_line: Optional[int] = None  # 0-based, exclusive
    changed: bool = False
    new: bool = False


@dataclass
class ImportReport:
    source: Path
    format: str
    read: int = 0
    created: list[dict[str, Any]] = field(default_factory=list)
    merged: list[tuple[str, int, list[str]]] = field(default_factory=list)
    known: list[tuple[str, int]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: Optional[Path] = None
    database: Optional[SeedReport] = None

    def summary_fr(self) -> str:
        lines = [f"{self.source.name} ({FORMATS[self.format]}) : {self.read} référence(s) lue(s)."]
        if self.dry_run:
            lines.append("Aperçu (--essai) : rien n'a été écrit.")
        lines.append(
            f"  {len(self.created)} nouvelle(s) {'à ajouter' if self.dry_run else 'ajoutée(s)'} :"
        )
        lines += [f"    + {r['key']} : {r['title']}" for r in self.created]
        if self.merged:
            lines.append(
                f"  {len(self.merged)} doublon(s) {'à fusionner' if self.dry_run else 'fusionné(s)'} avec une fiche existante :"
            )
            lines += [
                f"    = fiche n° {pos} → {key} (complété : {', '.join(fields)})"
                for key, pos, fields in self.merged
            ]
        if self.known:
            lines.append(
                f"  {len(self.known)} déjà présente(s), rien de nouveau"
                + (" :" if len(self.known) <= 10 else ".")
            )
            lines += [
                f"    = fiche n° {pos} → {key}" for key, pos in self.known if len(self.known) <= 10
            ]
        lines += [f"  Remarque : {note}" for note in self.notes]
        if self.problems:
            lines.append(
                f"  {len(self.problems)} fiche(s) non importée(s), à corriger dans le logiciel puis à réexporter :"
            )
            lines += [
                f"    - {p.where()} : {p.message}" + (f"\n      → {p.fix}" if p.fix else "")
                for p in self.problems
            ]
        if self.written:
            lines.append(f"Fichier mis à jour : {self.written}")
        if self.database is not None:
            lines.append("Base : " + self.database.summary_fr().replace("\n", "\n  "))
        elif self.written:
            lines.append(
                "Base non modifiée (--sans-base) : lancez « python -m bot base » pour la mettre à jour."
            )
        return "\n".join(lines)


def import_references(
    source: Path,
    fmt: Optional[str] = None,
    *,
    references_path: Path = REFERENCES_FILE,
    themes_path: Path = THEMES_FILE,
    dry_run: bool = False,
    to_database: bool = True,
    database_url: Optional[str] = None,
    extra_themes: Iterable[str] = (),
    today: Optional[dt.date] = None,
    progress=None,
) -> ImportReport:
    """Read `source`, merge it into the seed file, and load the file into the database.

    Raises `FormatError` when the file as a whole cannot be read; a bad record is a problem in
    the report, and the others are imported.
    """

    def step(label: str):
        return progress.step(label) if progress else contextlib.nullcontext()

    source = Path(source)
    fmt = detect_format(source, fmt)
    report = ImportReport(source, fmt, dry_run=dry_run)
    with step(f"Lecture de {source.name}"):
        records = read_records(source, fmt)
    report.read = len(records)
    themes = read_themes(themes_path)
    unknown = [t for t in extra_themes if t not in themes]
    if unknown:
        raise RecordError(
            "themes",
            f"thème(s) inconnu(s) : {', '.join(unknown)} ; thèmes possibles : {', '.join(sorted(themes))}",
        )
    with step("Recherche des doublons"):
        text, entries = read_seed_file(references_path)
        catalogue = Catalogue(entries)
        for record in records:
            _import_one(
                record,
                report,
                catalogue,
                themes,
                list(extra_themes),
                source,
                today or dt.date.today(),
            )
    if dry_run or not (report.created or any(e.changed for e in entries)):
        return report
    with step(f"Écriture de {references_path.name}"):
        write_atomically(references_path, render_seed_file(text, catalogue.entries))
        report.written = references_path
    if to_database:
        with step("Chargement dans la base"):
            report.database = load_into_database(references_path, themes_path, database_url)
    return report


def _import_one(
    record: ImportedRecord,
    report: ImportReport,
    catalogue: "Catalogue",
    themes: dict[str, set[str]],
    extra_themes: list[str],
    source: Path,
    today: dt.date,
) -> None:
    label = f"fiche n° {record.position}" + (f" (« {record.label[:60]} »)" if record.label else "")
    report.notes += [f"{label} : {note}" for note in record.notes]
    if record.raw is None:
        report.problems.append(
            Problem(
                source,
                record.line,
                f"{label} : {record.error}",
                "corrigez la référence dans le logiciel puis exportez de nouveau.",
                "import",
            )
        )
        return
    raw = dict(record.raw, doi=_doi(record.raw))
    raw["themes"] = _unique((raw.get("themes") or []) + extra_themes)
    raw.setdefault("source_page", f"import de {source.name}")
    raw.setdefault("added_on", today)
    existing = catalogue.find(raw)
    if existing is None:
        # Only a new record gets themes guessed from its keywords: a librarian chose the others'.
        raw["themes"] = _unique(
            raw["themes"] + themes_from_keywords(raw.get("keywords") or [], themes)
        )
    else:
        merged = dict(existing.raw)
        added = merge_into(merged, raw)
        if not added:
            report.known.append((existing.raw["key"], record.position))
            return
        try:
            parse_reference(merged, set(themes))
        except RecordError as error:
            report.problems.append(_record_problem(source, record, label, error))
            return
        existing.raw, existing.changed = merged, True
        report.merged.append((existing.raw["key"], record.position, added))
        return
    raw["key"] = raw.get("key") or catalogue.new_key(raw)
    raw = {name: raw[name] for name in FIELD_ORDER if raw.get(name) not in (None, "", [])}
    try:
        parse_reference(raw, set(themes))
    except RecordError as error:
        report.problems.append(_record_problem(source, record, label, error))
        return
    catalogue.add(SeedEntry(raw, changed=True, new=True))
    report.created.append(raw)


def _record_problem(
    source: Path, record: ImportedRecord, label: str, error: RecordError
) -> Problem:
    where = f", champ « {error.field} »" if error.field else ""
    return Problem(
        source,
        record.line,
        f"{label}{where} : {error.message}",
        "corrigez la référence dans le logiciel puis exportez de nouveau.",
        "import",
    )


def merge_into(existing: dict[str, Any], imported: dict[str, Any]) -> list[str]:
    """Complete `existing` with what `imported` adds; the names of the fields completed."""
    added = []
    for name in FIELD_ORDER:
        new = imported.get(name)
        if name in ("key", "source_page", "added_on", "type") or new in (None, "", []):
            continue
        old = existing.get(name)
        if name in LIST_FIELDS:
            union = _unique(list(old or []) + list(new))
            if union != list(old or []):
                existing[name] = union
                added.append(name)
        elif old in (None, "", []):
            existing[name] = new
            added.append(name)
    return added


class Catalogue:
    """The seed file's records (and those being imported), found by DOI, ISBN, or title and year."""

    def __init__(self, entries: list[SeedEntry]) -> None:
        self.entries: list[SeedEntry] = []
        self._index: dict[tuple[str, str], SeedEntry] = {}
        self._keys: set[str] = set()
        for entry in entries:
            self.add(entry)

    def add(self, entry: SeedEntry) -> None:
        self.entries.append(entry)
        self._keys.add(str(entry.raw.get("key")))
        for identity in identities(entry.raw):
            self._index.setdefault(identity, entry)

    def find(self, raw: dict[str, Any]) -> Optional[SeedEntry]:
        doi, isbn = _doi(raw), normalize_isbn(raw.get("isbn"))
        for identity in identities(raw):
            entry = self._index.get(identity)
            if entry is None:
                continue
            if identity[0] == "title":  # same title and year, but two identifiers that differ
                other_doi, other_isbn = _doi(entry.raw), normalize_isbn(entry.raw.get("isbn"))
                if (doi and other_doi and doi != other_doi) or (
                    isbn and other_isbn and isbn != other_isbn
                ):
                    continue
            return entry
        return None

    def new_key(self, raw: dict[str, Any]) -> str:
        """ "nom-annee-trois-mots-du-titre", as the seed file's keys are made; unique."""
        authors = raw.get("authors") or []
        family = _slug_words(authors[0].get("family") if authors else "sans auteur")[:2]
        title = [w for w in _slug_words(raw.get("title") or "") if w not in _KEY_STOP_WORDS][:3]
        base = "-".join(family + [str(raw.get("year") or "sd")] + title)[:110].strip("-")
        key, number = base, 2
        while key in self._keys:
            key, number = f"{base}-{number}", number + 1
        return key


def identities(raw: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    if _doi(raw):
        found.append(("doi", _doi(raw)))
    if normalize_isbn(raw.get("isbn")):
        found.append(("isbn", normalize_isbn(raw.get("isbn"))))
    title = normalized_title(raw.get("title"))
    if title:
        year = str(raw.get("year") or "")
        found.append(("title", f"{title}|{year}"))
        if raw.get("subtitle"):
            found.append(
                (
                    "title",
                    f"{normalized_title(str(raw['title']) + ' ' + str(raw['subtitle']))}|{year}",
                )
            )
    return found


def normalized_title(title: Any) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(str(title or ""))))


def _doi(raw: dict[str, Any]) -> Optional[str]:
    return normalize_doi(None if raw.get("doi") is None else str(raw["doi"]))


def _slug_words(text: str) -> list[str]:
    text = text.translate(
        str.maketrans({"ø": "o", "Ø": "o", "ß": "ss", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d"})
    )
    return re.findall(r"[a-z0-9]+", fold(text))


def _unique(items: list) -> list:
    seen, kept = set(), []
    for item in items:
        marker = fold(str(item)).strip()
        if marker not in seen:
            seen.add(marker)
            kept.append(item)
    return kept


# --- themes --------------------------------------------------------------------------------


def read_themes(path: Path = THEMES_FILE) -> dict[str, set[str]]:
    """Each theme id with the words that name it (id, label, synonyms), stemmed and folded."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    themes = {}
    for theme in data:
        if isinstance(theme, dict) and theme.get("id"):
            names = [
                theme["id"].replace("_", " "),
                theme.get("label") or "",
                *(theme.get("synonyms") or []),
            ]
            themes[str(theme["id"])] = {_comparable(name) for name in names if name}
    return themes


def themes_from_keywords(keywords: Iterable[str], themes: dict[str, set[str]]) -> list[str]:
    """Themes whose name a keyword is ("santé mentale" → sante_mentale): how the assistant finds it."""
    wanted = {_comparable(keyword) for keyword in keywords}
    return [theme for theme, names in themes.items() if names & wanted]


def _comparable(text: str) -> str:
    return " ".join(stem(word) for word in _slug_words(text))


# --- the seed file -------------------------------------------------------------------------


def read_seed_file(path: Path) -> tuple[str, list[SeedEntry]]:
    """The file's text, and its records with the lines they span."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    node = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    entries = []
    if isinstance(node, yaml.SequenceNode):
        lines = text.splitlines()
        for item in node.value:
            end = item.end_mark.line if item.end_mark.column == 0 else item.end_mark.line + 1
            while end > item.start_mark.line + 1 and (
                not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
            ):
                end -= 1
            raw = yaml.safe_load(yaml.serialize(item))
            if isinstance(raw, dict):
                entries.append(SeedEntry(raw, item.start_mark.line, end))
    return text, entries


def render_seed_file(text: str, entries: list[SeedEntry]) -> str:
    """The file with changed records rewritten in place and new ones appended, the rest as is."""
    lines = text.splitlines(keepends=True)
    for entry in sorted(
        (e for e in entries if e.changed and not e.new), key=lambda e: -e.first_line
    ):
        lines[entry.first_line : entry.last_line] = [render_record(entry.raw)]
    result = "".join(lines)
    new = [render_record(e.raw) for e in entries if e.new]
    if new:
        result = result.rstrip("\n") + "\n\n" + "\n".join(new)
    return result


def render_record(raw: dict[str, Any]) -> str:
    """One record in the seed file's layout: authors one per line, lists on one line."""
    out = []
    for name in FIELD_ORDER:
        value = raw.get(name)
        if value in (None, "", []):
            continue
        prefix = "- " if not out else "  "
        if name == "authors":
            out.append(f"{prefix}authors:")
            for author in value:
                person = {k: author[k] for k in ("family", "given", "role") if author.get(k)}
                out.append(f"  - {_flow(person)}")
        elif name in LIST_FIELDS:
            out.append(f"{prefix}{name}: {_flow(list(value))}")
        else:
            out.append(f"{prefix}{name}: {_scalar(value)}")
    return "\n".join(out) + "\n"


def _scalar(value: Any) -> str:
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10**6)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _flow(value: Any) -> str:
    dumped = yaml.safe_dump(
        value, allow_unicode=True, default_flow_style=True, sort_keys=False, width=10**6
    )
    return dumped.strip()


def load_into_database(
    references_path: Path, themes_path: Path, url: Optional[str] = None
) -> SeedReport:
    from bot.bibliography.database import make_engine, upgrade_database
    from bot.bibliography.seed import load_seed_files

    upgrade_database(url)
    engine = make_engine(url)
    try:
        return load_seed_files(engine, references_path, themes_path)
    finally:
        engine.dispose()
