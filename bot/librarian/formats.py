"""Reading reference-manager exports into records of the seed file (data/bibliography/).

Zotero (and most reference managers) export CSL-JSON, RIS and BibTeX; a spreadsheet gives CSV
with the columns of `CSV_COLUMNS`. RIS and BibTeX are parsed by `rispy` and `bibtexparser`;
each record is parsed on its own, so that one broken record is reported with its position and
line while the others are read. Records come out as dictionaries with the field names of
`references.yml` (see bot/bibliography/records.py), without `key`: importing.py gives one.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from bot.bibliography.models import DOC_TYPES
from bot.bibliography.terms import fold

FORMATS = {"csl-json": "CSL-JSON", "ris": "RIS", "bibtex": "BibTeX", "csv": "CSV"}
_EXTENSIONS = {
    ".json": "csl-json",
    ".ris": "ris",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".csv": "csv",
}

# The CSV columns, in the order `biblio exporter` writes them. Only `titre` is required.
CSV_COLUMNS = {
    "cle": "key",
    "type": "type",
    "titre": "title",
    "sous_titre": "subtitle",
    "auteurs": "authors",
    "annee": "year",
    "publie_dans": "venue",
    "volume": "volume",
    "numero": "issue",
    "pages": "pages",
    "doi": "doi",
    "isbn": "isbn",
    "url": "url",
    "langue": "language",
    "disponibilite": "availability",
    "resume": "summary",
    "mots_cles": "keywords",
    "themes": "themes",
}
LIST_SEPARATOR = ";"

_CSL_TYPES = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "article": "article",
    "paper-conference": "article",
    "review": "article",
    "book": "livre",
    "chapter": "chapitre",
    "entry-encyclopedia": "chapitre",
    "report": "rapport",
    "document": "rapport",
    "manuscript": "rapport",
    "legislation": "rapport",
    "thesis": "these",
    "webpage": "site",
    "post-weblog": "site",
    "post": "site",
    "course": "formation",
}
_RIS_TYPES = {
    "JOUR": "article",
    "EJOUR": "article",
    "MGZN": "article",
    "NEWS": "article",
    "CONF": "article",
    "CPAPER": "article",
    "INPR": "article",
    "BOOK": "livre",
    "EBOOK": "livre",
    "EDBOOK": "livre",
    "CHAP": "chapitre",
    "ECHAP": "chapitre",
    "RPRT": "rapport",
    "GOVDOC": "rapport",
    "GEN": "rapport",
    "STAND": "rapport",
    "THES": "these",
    "ELEC": "site",
    "WEB": "site",
    "BLOG": "site",
}
_BIBTEX_TYPES = {
    "article": "article",
    "inproceedings": "article",
    "conference": "article",
    "book": "livre",
    "mvbook": "livre",
    "collection": "livre",
    "incollection": "chapitre",
    "inbook": "chapitre",
    "techreport": "rapport",
    "report": "rapport",
    "booklet": "rapport",
    "manual": "rapport",
    "phdthesis": "these",
    "mastersthesis": "memoire",
    "thesis": "these",
    "online": "site",
    "electronic": "site",
    "www": "site",
}
_LANGUAGES = {
    "fr": "fr",
    "fre": "fr",
    "fra": "fr",
    "french": "fr",
    "francais": "fr",
    "français": "fr",
    "en": "en",
    "eng": "en",
    "english": "en",
    "anglais": "en",
    "es": "es",
    "spa": "es",
    "spanish": "es",
    "espagnol": "es",
    "de": "de",
    "ger": "de",
    "deu": "de",
    "german": "de",
    "allemand": "de",
    "it": "it",
    "ita": "it",
    "italian": "it",
    "italien": "it",
}


class FormatError(ValueError):
    """The file as a whole cannot be read (unknown format, not JSON…): a French sentence."""


@dataclass
class ImportedRecord:
    """One record of the file: its place, and either its fields or what is wrong with it."""

    position: int
    line: Optional[int]
    raw: Optional[dict[str, Any]] = None
    error: Optional[str] = None
    notes: list[str] = field(default_factory=list)
    label: str = ""  # how the file names it (its id or title), for messages


def detect_format(path: Path, requested: Optional[str] = None) -> str:
    if requested:
        if requested not in FORMATS:
            raise FormatError(
                f"format « {requested} » inconnu ; formats possibles : {', '.join(FORMATS)}"
            )
        return requested
    found = _EXTENSIONS.get(Path(path).suffix.lower())
    if found is None:
        raise FormatError(
            f"je ne reconnais pas le format de « {Path(path).name} » par son extension ; "
            "précisez-le avec --format (csl-json, ris, bibtex ou csv)"
        )
    return found


def read_records(path: Path, fmt: str) -> list[ImportedRecord]:
    """Every record of the file, read or rejected; FormatError if the file itself is unusable."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FormatError(f"fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise FormatError(f"« {path} » est un dossier, pas un fichier") from None
    text = _decode(raw)
    readers: dict[str, Callable[[str], list[ImportedRecord]]] = {
        "csl-json": read_csl_json,
        "ris": read_ris,
        "bibtex": read_bibtex,
        "csv": read_csv,
    }
    return readers[fmt](text)


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without Excel's BOM); else Windows' Western encoding, as Excel saves."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


# --- CSL-JSON ------------------------------------------------------------------------------


def read_csl_json(text: str) -> list[ImportedRecord]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(
            f"le fichier n'est pas du JSON valide (ligne {error.lineno}, colonne {error.colno})"
        ) from None
    if isinstance(data, dict):
        data = data.get("items", [data])
    if not isinstance(data, list):
        raise FormatError("un fichier CSL-JSON contient une liste de références « [ {…}, {…} ] »")
    lines = _json_item_lines(text)
    records = []
    for position, item in enumerate(data, start=1):
        record = ImportedRecord(position, lines[position - 1] if position <= len(lines) else None)
        if not isinstance(item, dict):
            record.error = "ce n'est pas une référence (un objet « { … } » est attendu)"
        else:
            record.label = str(item.get("title") or str(item.get("id") or "").rsplit("/", 1)[-1])
            _fill(record, lambda: _from_csl(item, record.notes))
        records.append(record)
    return records


def _json_item_lines(text: str) -> list[int]:
    """Lines where the top-level objects of a JSON array start (for the messages)."""
    lines, depth, line, in_string, escaped = [], 0, 1, False, False
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            if depth == 1 and char == "{":
                lines.append(line)
            depth += 1
        elif char in "]}":
            depth -= 1
    return lines


def _from_csl(item: dict, notes: list[str]) -> dict[str, Any]:
    csl_type = str(item.get("type") or "")
    if csl_type == "document" and str(item.get("genre") or "").lower() == "formation":
        csl_type = "course"  # how `biblio exporter` writes a training, CSL having no such type
    authors = [_csl_name(n) for n in item.get("author") or [] if isinstance(n, dict)]
    if not authors:
        authors = [
            dict(_csl_name(n), role="dir.") for n in item.get("editor") or [] if isinstance(n, dict)
        ]
    return {
        "type": _map_type(csl_type, _CSL_TYPES, notes, has_venue=bool(item.get("container-title"))),
        "title": item.get("title"),
        "authors": [a for a in authors if a.get("family")],
        "year": _year(_csl_date(item.get("issued"))),
        "venue": item.get("container-title") or item.get("publisher"),
        "volume": item.get("volume"),
        "issue": item.get("issue"),
        "pages": item.get("page"),
        "doi": item.get("DOI"),
        "isbn": item.get("ISBN"),
        "url": item.get("URL"),
        "language": item.get("language"),
        "summary": item.get("abstract"),
        "keywords": _split_keywords(item.get("keyword"), ","),
    }


def _csl_name(name: dict) -> dict[str, Optional[str]]:
    if name.get("literal"):
        return {"family": name["literal"], "given": None}
    family = " ".join(filter(None, [name.get("non-dropping-particle"), name.get("family")]))
    return {"family": family or None, "given": name.get("given")}


def _csl_date(issued: Any) -> Optional[str]:
    if not isinstance(issued, dict):
        return None if issued is None else str(issued)
    parts = issued.get("date-parts")
    if parts and parts[0] and parts[0][0]:
        return str(parts[0][0])
    return issued.get("raw") or issued.get("literal")


# --- RIS -----------------------------------------------------------------------------------


def read_ris(text: str) -> list[ImportedRecord]:
    """One chunk per "TY  -" line, parsed by rispy alone, so that a broken one stays alone."""
    import rispy

    chunks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("TY  -"):
            chunks.append((number, [line]))
        elif chunks:
            chunks[-1][1].append(line)
        elif line.strip():
            chunks.append((number, [line]))
    if not chunks:
        raise FormatError("aucune référence RIS trouvée (chaque référence commence par « TY  - »)")
    records = []
    for position, (line, lines) in enumerate(chunks, start=1):
        record = ImportedRecord(position, line)
        if not lines[0].startswith("TY  -"):
            record.error = (
                "des lignes hors de toute référence (une référence commence par « TY  - »)"
            )
        elif not any(text.startswith("ER  -") for text in lines):
            record.error = "référence sans fin : la ligne « ER  - » manque"
        else:
            parsed = rispy.loads("\n".join(lines))
            if not parsed:
                record.error = "référence illisible"
            else:
                item = parsed[0]
                record.label = str(
                    item.get("id") or item.get("title") or item.get("primary_title") or ""
                )
                _fill(record, lambda: _from_ris(item, record.notes))
        records.append(record)
    return records


def _from_ris(item: dict, notes: list[str]) -> dict[str, Any]:
    ris_type = str(item.get("type_of_reference") or "")
    names = item.get("authors") or item.get("first_authors") or []
    authors = [_comma_name(n) for n in names]
    if not authors:
        authors = [dict(_comma_name(n), role="dir.") for n in item.get("secondary_authors") or []]
    venue = (
        item.get("secondary_title")
        or item.get("journal_name")
        or item.get("alternate_title3")
        or item.get("publisher")
    )
    if ris_type in ("BOOK", "EBOOK", "EDBOOK", "RPRT", "THES"):
        venue = item.get("publisher") or venue
    start, end = item.get("start_page"), item.get("end_page")
    urls = item.get("urls") or []
    isbn = item.get("issn") if ris_type in ("BOOK", "EBOOK", "EDBOOK", "CHAP", "ECHAP") else None
    return {
        "type": _map_type(ris_type, _RIS_TYPES, notes, has_venue=bool(venue)),
        "title": item.get("title") or item.get("primary_title"),
        "authors": authors,
        "year": _year(item.get("year") or item.get("publication_year") or item.get("date")),
        "venue": venue,
        "volume": item.get("volume"),
        "issue": item.get("number"),
        "pages": f"{start}-{end}" if start and end else start,
        "doi": item.get("doi"),
        "isbn": isbn,
        "url": urls[0] if urls else None,
        "language": item.get("language"),
        "summary": item.get("abstract") or item.get("notes_abstract"),
        "keywords": [k for k in item.get("keywords") or [] if str(k).strip()],
    }


# --- BibTeX --------------------------------------------------------------------------------

_BIBTEX_ENTRY = re.compile(r"^\s*@\s*(\w+)\s*[{(]", re.M)


def read_bibtex(text: str) -> list[ImportedRecord]:
    """One chunk per "@type{", parsed by bibtexparser with the file's @string macros."""
    starts = [(m.start(), m.group(1).lower()) for m in _BIBTEX_ENTRY.finditer(text)]
    if not starts:
        raise FormatError(
            "aucune référence BibTeX trouvée (chaque référence commence par « @type{ »)"
        )
    chunks = [
        (text[s:e], kind, text.count("\n", 0, s) + 1)
        for (s, kind), (e, _) in zip(starts, starts[1:] + [(len(text), "")])
    ]
    macros = "".join(chunk for chunk, kind, _ in chunks if kind == "string")
    records, position = [], 0
    for chunk, kind, line in chunks:
        if kind in ("string", "comment", "preamble"):
            continue
        position += 1
        record = ImportedRecord(position, line)
        entries = _parse_bibtex(macros + chunk)
        if len(entries) != 1 or not entries[0].get("ID"):
            record.error = "référence BibTeX illisible (accolades ou virgules mal placées ?)"
        else:
            entry = entries[0]
            record.label = entry.get("ID", "")
            _fill(record, lambda: _from_bibtex(entry, record.notes))
        records.append(record)
    return records


def _parse_bibtex(text: str) -> list[dict]:
    import bibtexparser
    from bibtexparser.bparser import BibTexParser
    from bibtexparser.customization import convert_to_unicode

    parser = BibTexParser(common_strings=True)
    parser.ignore_nonstandard_types = False
    try:
        entries = bibtexparser.loads(text, parser=parser).entries
    except Exception:  # the parser's errors have no common base class
        return []
    # Accents ({\'e}) to Unicode, except in names, whose braces mark organisations.
    return [
        {
            k: v if k in ("author", "editor") else convert_to_unicode({k: v})[k]
            for k, v in entry.items()
        }
        for entry in entries
    ]


def _from_bibtex(entry: dict, notes: list[str]) -> dict[str, Any]:
    bib_type = entry.get("ENTRYTYPE", "")
    authors = [_bibtex_name(n) for n in _split_bibtex_names(entry.get("author"))]
    if not authors:
        authors = [
            dict(_bibtex_name(n), role="dir.") for n in _split_bibtex_names(entry.get("editor"))
        ]
    venue = (
        entry.get("journal")
        or entry.get("journaltitle")
        or entry.get("booktitle")
        or entry.get("publisher")
        or entry.get("institution")
        or entry.get("school")
    )
    return {
        "type": _map_type(bib_type, _BIBTEX_TYPES, notes, has_venue=bool(venue)),
        "title": entry.get("title"),
        "authors": authors,
        "year": _year(entry.get("year") or entry.get("date")),
        "venue": venue,
        "volume": entry.get("volume"),
        "issue": entry.get("number") or entry.get("issue"),
        "pages": entry.get("pages"),
        "doi": entry.get("doi"),
        "isbn": entry.get("isbn"),
        "url": entry.get("url"),
        "language": entry.get("langid") or entry.get("language"),
        "summary": entry.get("abstract"),
        "keywords": _split_keywords(entry.get("keywords"), ",;"),
    }


def _split_bibtex_names(value: Optional[str]) -> list[str]:
    return [n.strip() for n in re.split(r"\s+and\s+", value or "") if n.strip()]


def _bibtex_name(name: str) -> dict[str, Optional[str]]:
    """ "Dupr{\\'e}, Am{\\'e}lie" → Dupré, Amélie; "{Collectif Pair'Aidance}" is an organisation."""
    from bibtexparser.customization import splitname
    from bibtexparser.latexenc import latex_to_unicode

    if re.fullmatch(r"\{[^{}]*\}", name):
        return {"family": latex_to_unicode(name[1:-1]).strip(), "given": None}
    name = latex_to_unicode(name)
    try:
        parts = splitname(name, strict_mode=False)
    except Exception:  # an odd name is kept whole rather than lost
        return {"family": name, "given": None}
    family = " ".join(parts.get("von", []) + parts.get("last", []))
    given = " ".join(parts.get("first", [])) or None
    return {"family": family.strip("{}") or name, "given": given}


# --- CSV -----------------------------------------------------------------------------------


def read_csv(text: str) -> list[ImportedRecord]:
    """A spreadsheet export: one reference per row, columns named as in `CSV_COLUMNS`."""
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    if "titre" not in header:
        raise FormatError(
            "la première ligne du CSV doit nommer les colonnes, dont « titre » ; colonnes "
            "possibles : " + ", ".join(CSV_COLUMNS)
        )
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    records = []
    line = reader.line_num
    for position, row in enumerate(reader, start=1):
        record = ImportedRecord(position, line + 1)
        line = reader.line_num
        values = {
            (k or "").strip().lower(): (v or "").strip()
            for k, v in row.items()
            if not isinstance(v, list)
        }
        record.label = values.get("cle") or values.get("titre") or ""
        if unknown and position == 1:
            record.notes.append(f"colonne(s) ignorée(s) : {', '.join(unknown)}")
        _fill(record, lambda: _from_csv(values, record.notes))
        records.append(record)
    return records


def _from_csv(values: dict[str, str], notes: list[str]) -> dict[str, Any]:
    raw: dict[str, Any] = {CSV_COLUMNS[c]: values.get(c) or None for c in CSV_COLUMNS if c != "cle"}
    raw["authors"] = [
        _comma_name(n) for n in (values.get("auteurs") or "").split(LIST_SEPARATOR) if n.strip()
    ]
    raw["keywords"] = _split_keywords(values.get("mots_cles"), LIST_SEPARATOR)
    raw["themes"] = _split_keywords(values.get("themes"), LIST_SEPARATOR)
    raw["year"] = _year(values.get("annee"))
    if values.get("cle"):
        raw["key"] = values["cle"]
    wanted = fold(values.get("type") or "")
    if wanted not in DOC_TYPES:
        raw["type"] = _map_type(wanted, {}, notes, has_venue=bool(raw.get("venue")))
    else:
        raw["type"] = wanted
    return raw


# --- shared clean-up -----------------------------------------------------------------------


def _fill(record: ImportedRecord, build: Callable[[], dict[str, Any]]) -> None:
    raw = clean(build())
    if not raw.get("title"):
        record.error = "titre manquant : une référence sans titre ne peut pas être citée"
    else:
        record.raw = raw


def clean(raw: dict[str, Any]) -> dict[str, Any]:
    """Plain text everywhere (no HTML of rich-text titles), normal pages, two-letter language."""
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "year":
            out[name] = value
            continue
        if isinstance(value, list):
            value = [clean(v) if isinstance(v, dict) else _text(v) for v in value]
            value = [v for v in value if v]
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = _text(value)
        out[name] = value if value not in ("", []) else None
    if out.get("pages"):
        out["pages"] = re.sub(r"\s*[-–—]+\s*", "-", out["pages"])
    if out.get("isbn"):
        out["isbn"] = re.split(r"[\s,;]+(?=\d{9})", out["isbn"])[0]
    if out.get("language"):
        language = out["language"].lower().split("-")[0].split("_")[0]
        out["language"] = _LANGUAGES.get(language, language[:10])
    if out.get("title"):
        out["title"] = out["title"].rstrip(".")
    return out


def _text(value: Any) -> Optional[str]:
    if value is None:
        return None
    text = html.unescape(re.sub(r"<[^>]+>", "", str(value)))
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip() or None


def _year(value: Any) -> Optional[int]:
    found = re.search(r"(1[5-9]|20)\d\d", str(value or ""))
    return int(found.group(0)) if found else None


def _comma_name(name: str) -> dict[str, Optional[str]]:
    """ "Nom, Prénom" (RIS, CSV); an organisation has no comma."""
    family, _, given = str(name).partition(",")
    return {"family": family.strip() or None, "given": given.strip() or None}


def _split_keywords(value: Any, separators: str) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [
        k.strip() for k in re.split(f"[{re.escape(separators)}]", str(value or "")) if k.strip()
    ]


def _map_type(source: str, table: dict[str, str], notes: list[str], has_venue: bool) -> str:
    found = table.get(source) or table.get(source.lower()) or table.get(source.upper())
    if found:
        return found
    guess = "article" if has_venue else "rapport"
    notes.append(f"type « {source or 'absent'} » inconnu : classé « {guess} », à vérifier")
    return guess
