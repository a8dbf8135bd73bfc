"""Checking the librarians' YAML records, field by field, before anything touches the database.

Librarians edit `data/bibliography/*.yml` by hand: a typo must come back as a French sentence
naming the field and saying what is expected, never as a traceback, and must not stop the
other records from loading. Field names are those of the verified `bibliography.json`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from bot.bibliography.models import DOC_TYPES, normalize_doi, normalize_isbn
from bot.bibliography.terms import fold

REQUIRED = ("key", "title", "type")
OPTIONAL = (
    "subtitle",
    "authors",
    "year",
    "venue",
    "volume",
    "issue",
    "pages",
    "doi",
    "isbn",
    "url",
    "language",
    "availability",
    "summary",
    "keywords",
    "themes",
    "source_page",
    "added_on",
)
# Plain text columns of `Reference`, copied as they are.
TEXT_FIELDS = (
    "title",
    "subtitle",
    "venue",
    "volume",
    "issue",
    "pages",
    "url",
    "language",
    "availability",
    "summary",
    "source_page",
)
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
_THEME_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class RecordError(ValueError):
    """A record that cannot be loaded: which field, and what is wrong with it, in French."""

    def __init__(self, field_name: Optional[str], message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class ReferenceRecord:
    """One checked record of references.yml, with values as the database stores them."""

    key: str
    type: str
    values: dict[str, Any]
    authors: list[tuple[str, Optional[str], Optional[str]]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    added_on: Optional[dt.date] = None

    @property
    def doi(self) -> Optional[str]:
        return self.values.get("doi")

    @property
    def isbn(self) -> Optional[str]:
        return self.values.get("isbn")


@dataclass
class ThemeRecord:
    id: str
    label: str
    synonyms: list[str]


def parse_reference(raw: Any, known_themes: set[str]) -> ReferenceRecord:
    """Check one record of references.yml; raise `RecordError` at the first wrong field."""
    if not isinstance(raw, dict):
        raise RecordError(None, "la fiche doit être une liste de champs « nom: valeur »")
    unknown = sorted(str(name) for name in raw if name not in REQUIRED + OPTIONAL)
    if unknown:
        raise RecordError(
            unknown[0], "champ inconnu ; champs possibles : " + ", ".join(REQUIRED + OPTIONAL)
        )
    for name in REQUIRED:
        if _text(raw, name) is None:
            raise RecordError(name, "champ obligatoire manquant")
    key = _text(raw, "key")
    if not _KEY.match(key):
        raise RecordError("key", f"« {key} » : minuscules, chiffres et tirets seulement")
    doc_type = fold(_text(raw, "type"))
    if doc_type not in DOC_TYPES:
        raise RecordError("type", f"« {raw['type']} » : choisir parmi {', '.join(DOC_TYPES)}")
    values: dict[str, Any] = {name: _text(raw, name) for name in TEXT_FIELDS}
    if values["url"] and not re.match(r"^https?://\S+$", values["url"]):
        raise RecordError("url", "le lien doit commencer par http:// ou https://")
    values.update(
        year=_year(raw.get("year")), doi=_doi(raw.get("doi")), isbn=_isbn(raw.get("isbn"))
    )
    return ReferenceRecord(
        key=key,
        type=doc_type,
        values=values,
        authors=_authors(raw.get("authors")),
        keywords=_strings(raw, "keywords"),
        themes=_themes(raw, known_themes),
        added_on=_date(raw.get("added_on")),
    )


def parse_theme(raw: Any) -> ThemeRecord:
    """Check one record of themes.yml."""
    if not isinstance(raw, dict):
        raise RecordError(None, "le thème doit être une liste de champs « nom: valeur »")
    unknown = sorted(str(name) for name in raw if name not in ("id", "label", "synonyms"))
    if unknown:
        raise RecordError(unknown[0], "champ inconnu ; champs possibles : id, label, synonyms")
    theme_id, label = _text(raw, "id"), _text(raw, "label")
    if not theme_id or not _THEME_ID.match(theme_id):
        raise RecordError("id", "identifiant obligatoire, en minuscules avec des « _ »")
    if not label:
        raise RecordError("label", "champ obligatoire manquant")
    return ThemeRecord(theme_id, label, _strings(raw, "synonyms"))


def _text(raw: dict, name: str) -> Optional[str]:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RecordError(name, "un texte est attendu")
    return str(value).strip() or None


def _year(value: Any) -> Optional[int]:
    if value is None:
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"\d{4}", text):
        raise RecordError("year", f"« {value} » : une année sur quatre chiffres est attendue")
    year = int(text)
    if not 1500 <= year <= dt.date.today().year + 1:
        raise RecordError("year", f"« {year} » : année improbable")
    return year


def _doi(value: Any) -> Optional[str]:
    doi = normalize_doi(None if value is None else str(value))
    if doi is not None and not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
        raise RecordError("doi", f"« {value} » : un DOI commence par « 10. » suivi d'un « / »")
    return doi


def _isbn(value: Any) -> Optional[str]:
    isbn = normalize_isbn(None if value is None else str(value))
    if isbn is None:
        return None
    if re.fullmatch(r"\d{13}", isbn):
        valid = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(isbn)) % 10 == 0
    elif re.fullmatch(r"\d{9}[\dX]", isbn):
        digits = [10 if d == "X" else int(d) for d in isbn]
        valid = sum((10 - i) * d for i, d in enumerate(digits)) % 11 == 0
    else:
        raise RecordError("isbn", f"« {value} » : un ISBN a 10 ou 13 chiffres")
    if not valid:
        raise RecordError("isbn", f"« {value} » : ISBN invalide (faute de frappe ?)")
    return isbn


def _date(value: Any) -> Optional[dt.date]:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise RecordError("added_on", f"« {value} » : une date AAAA-MM-JJ est attendue") from None


def _strings(raw: dict, name: str) -> list[str]:
    value = raw.get(name)
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list):
        raise RecordError(name, "une liste est attendue, par exemple [mot 1, mot 2]")
    texts = []
    for position, item in enumerate(value, start=1):
        if not isinstance(item, (str, int)) or isinstance(item, bool) or not str(item).strip():
            raise RecordError(f"{name}[{position}]", "un texte non vide est attendu")
        if str(item).strip() not in texts:
            texts.append(str(item).strip())
    return texts


def _themes(raw: dict, known_themes: set[str]) -> list[str]:
    themes = _strings(raw, "themes")
    for position, theme in enumerate(themes, start=1):
        if theme not in known_themes:
            raise RecordError(
                f"themes[{position}]",
                f"thème « {theme} » inconnu ; thèmes possibles : {', '.join(sorted(known_themes))}",
            )
    return themes


def _authors(value: Any) -> list[tuple[str, Optional[str], Optional[str]]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(
            "authors", "une liste est attendue, par exemple [{family: Nom, given: Prénom}]"
        )
    authors = []
    for position, author in enumerate(value, start=1):
        where = f"authors[{position}]"
        if not isinstance(author, dict) or set(author) - {"family", "given", "role"}:
            raise RecordError(
                where, "chaque auteur a family (nom), given (prénom) et role (facultatif)"
            )
        try:
            family, given, role = (_text(author, name) for name in ("family", "given", "role"))
        except RecordError as error:
            raise RecordError(f"{where}.{error.field}", error.message) from None
        if not family:
            raise RecordError(f"{where}.family", "le nom de l'auteur ou de l'organisme manque")
        authors.append((family, given, role))
    return authors
