"""The reading conversation: which search a message asks for, and the French text of the answer.

Kept apart from Rasa so it can be tested on a real database alone. The actions in `actions/`
read the tracker, call these functions with a session, and send what they return.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Iterable, Mapping, Optional, Sequence

from sqlalchemy.orm import Session

from bot.bibliography.citation import format_citation, format_details
from bot.bibliography.models import DOC_TYPES, LANGUAGES, Reference
from bot.bibliography.search import find_known_entities, resolve_themes, search_references
from bot.safety import normalize
from bot.settings import LIBRARIAN_SERVICE_URL

PAGE_SIZE = 3
FILTERS = ("doc_type", "theme", "author", "year", "language")
# The order in which filters are dropped when a search finds nothing: the most specific first.
RELAX_ORDER = ("language", "year", "doc_type", "author", "theme")
FILTER_LABELS = {
    "language": "la langue",
    "year": "l'année",
    "doc_type": "le type de document",
    "author": "l'auteur",
    "theme": "le thème",
}
DOC_TYPE_PLURALS = {
    "article": "articles",
    "livre": "livres",
    "chapitre": "chapitres d'ouvrages",
    "rapport": "rapports",
    "these": "thèses",
    "memoire": "mémoires",
    "formation": "formations",
    "site": "sites web",
}
_FOLLOW_UP_MAX_WORDS = 7
_OTHER_AUTHORS = re.compile(r"\bautres? (auteur|autrice)s?\b|quelqu.un d.autre")
# Words naming a type of document, for when the model misses them ("des livres sur…").
DOC_TYPE_WORDS = {
    "livre": "livre", "livres": "livre", "ouvrage": "livre", "ouvrages": "livre",
    "bouquin": "livre", "bouquins": "livre",
    "article": "article", "articles": "article",
    "chapitre": "chapitre", "chapitres": "chapitre",
    "rapport": "rapport", "rapports": "rapport",
    "these": "these", "theses": "these", "memoire": "memoire", "memoires": "memoire",
    "site": "site", "sites": "site",
}
# "Des lectures là-dessus ?" after an FAQ answer: the theme of that answer.
FAQ_THEMES = {
    "faq/definition_pair_aidance": "pair_aidance",
    "faq/definition_travailleur_pair": "travail_pair",
    "faq/mediateur_sante_pair": "mediateur_sante_pair",
    "faq/missions_mediateur": "mediation_sante",
    "faq/difference_pair_mediateur": "mediation_sante",
    "faq/formation": "formation_pairs",
    "faq/savoirs_experientiels": "savoirs_experientiels",
    "faq/sante_mentale": "sante_mentale",
    "faq/gem": "gem",
    "faq/patient_expert": "patient_expert",
    "faq/proche_aidant": "proche_aidant",
    "faq/pairemulation": "handicap",
    "faq/retablissement": "retablissement",
    "faq/statut_remuneration": "travail_pair",
    "faq/employeurs": "travail_pair",
    "faq/trouver_pair_aidant": "pair_aidance",
}


@dataclass
class ReadingQuery:
    """One reading search as the conversation keeps it between turns (a Rasa slot)."""

    doc_type: Optional[str] = None
    theme: Optional[str] = None
    author: Optional[str] = None
    year: Optional[str] = None
    language: Optional[str] = None
    text: Optional[str] = None
    offset: int = 0
    shown: list[int] = field(default_factory=list)

    @classmethod
    def from_slot(cls, value: Any) -> Optional["ReadingQuery"]:
        if not isinstance(value, Mapping):
            return None
        known = {k: value.get(k) for k in cls.__dataclass_fields__ if k in value}
        known["shown"] = [int(i) for i in known.get("shown") or []]
        known["offset"] = int(known.get("offset") or 0)
        return cls(**known)

    def to_slot(self) -> dict[str, Any]:
        return asdict(self)

    def filters(self) -> dict[str, Optional[str]]:
        return {name: getattr(self, name) for name in FILTERS}


@dataclass
class ReadingAnswer:
    """What an action sends: a text, its buttons, and the search to remember."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    query: Optional[ReadingQuery] = None


def entities_by_name(entities: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The first value of each entity the NLU found in the message."""
    found: dict[str, str] = {}
    for entity in entities:
        name, value = entity.get("entity"), entity.get("value")
        if name and value is not None and name not in found:
            found[name] = str(value)
    return found


def build_query(
    session: Session,
    message: str,
    entities: Mapping[str, str],
    previous: Optional[ReadingQuery],
    last_faq: Optional[str] = None,
) -> ReadingQuery:
    """Turn a request for readings into a search, continuing the previous one when it refines it.

    "et des articles ?" after "des livres sur la santé mentale" keeps the theme and changes the
    type; a message naming a new theme or author starts a new search. Authors and themes the
    model was not trained on are found by matching the message against the database. With no
    subject at all, the subject of the last FAQ answer (`last_faq`) is taken.
    """
    wanted = {k: entities[k] for k in FILTERS if entities.get(k)}
    _drop_unknown_values(session, wanted)
    if "doc_type" not in wanted:
        named = [DOC_TYPE_WORDS[w] for w in normalize(message).split() if w in DOC_TYPE_WORDS]
        if named:
            wanted["doc_type"] = named[0]
    known = find_known_entities(session, message)
    if "author" not in wanted and known.get("authors"):
        wanted["author"] = known["authors"][0]
    if "theme" not in wanted and known.get("themes"):
        wanted["theme"] = known["themes"][0]
    refines = (
        previous is not None
        and not ({"theme", "author"} & wanted.keys())
        and len(message.split()) <= _FOLLOW_UP_MAX_WORDS
    )
    if refines:
        return replace(previous, **wanted, offset=0, shown=[])
    if not ({"theme", "author"} & wanted.keys()) and last_faq in FAQ_THEMES:
        wanted["theme"] = FAQ_THEMES[last_faq]
    return ReadingQuery(**wanted, text=message)


def _drop_unknown_values(session: Session, wanted: dict[str, str]) -> None:
    """Forget entity values the bibliography does not know (a theme "aidance" cut out of
    "pair-aidance") and authors cut at a hyphen ("pair-", "-", "Lefèvre-"): the message's words
    are matched against the database instead, which finds the whole name."""
    if wanted.get("doc_type") not in DOC_TYPES:
        wanted.pop("doc_type", None)
    if wanted.get("language") not in LANGUAGES:
        wanted.pop("language", None)
    author = wanted.get("author", "")
    if author.startswith("-") or author.endswith("-"):
        del wanted["author"]
    if "theme" in wanted:
        themes = resolve_themes(session, wanted["theme"])
        if themes:
            wanted["theme"] = themes[0]
        else:
            del wanted["theme"]


def _search(session: Session, query: ReadingQuery):
    """Search with the filters, ranked by the message's words.

    The words also narrow the list; when they match nothing but the filters do ("un article
    de Cloutier": the name is a filter, not a word of the title), the filters alone answer.
    """
    year: Any = query.year
    if isinstance(year, str) and year.isdigit():
        year = int(year)
    filters = dict(doc_type=query.doc_type, theme=query.theme, author=query.author, year=year,
                   language=query.language)
    page = dict(limit=PAGE_SIZE, offset=query.offset)
    result = search_references(session, **filters, text=query.text, **page)
    if not result.total and query.text and any(v is not None for v in filters.values()):
        result = search_references(session, **filters, **page)
    return result


def recommend(session: Session, query: ReadingQuery) -> ReadingAnswer:
    """First page of a search; when nothing matches, drop filters one by one and say which."""
    result = _search(session, query)
    relaxed: list[str] = []
    for name in RELAX_ORDER:
        if result.total or not any(query.filters().values()):
            break
        if getattr(query, name):
            query = replace(query, **{name: None})
            relaxed.append(name)
            result = _search(session, query)
    if not result.total:
        return ReadingAnswer(no_result_text(), query=None)
    intro = intro_text(query, relaxed)
    return page_answer(intro, result.references, result.total, query)


def more(session: Session, query: ReadingQuery, message: str = "") -> ReadingAnswer:
    """The next page of the remembered search; after a search by author, « un autre auteur ? »
    is the same search without the author."""
    if query.author and _OTHER_AUTHORS.search(normalize(message)):
        return recommend(session, replace(query, author=None, text=None, offset=0, shown=[]))
    query = replace(query, offset=query.offset + PAGE_SIZE)
    result = _search(session, query)
    if not result.references:
        return ReadingAnswer(
            "Je n'ai pas d'autres lectures pour cette recherche. Vous pouvez changer de sujet, "
            f"ou demander une bibliographie plus complète à un ou une bibliothécaire : {LIBRARIAN_SERVICE_URL}",
            query=replace(query, offset=query.offset - PAGE_SIZE),
        )
    return page_answer("Voici la suite :", result.references, result.total, query)


def details(
    session: Session,
    query: Optional[ReadingQuery],
    entities: Mapping[str, str],
    message: str,
) -> ReadingAnswer:
    """Details of one reading: by button id, by rank in the last list, or by its author's name."""
    reference = _chosen_reference(session, query, entities, message)
    if reference is None and query and query.shown:
        return ReadingAnswer(
            "De quelle lecture voulez-vous les détails ?",
            buttons=_detail_buttons(query.shown),
            query=query,
        )
    if reference is None:
        return ReadingAnswer(
            "Je n'ai pas de lecture en cours. Demandez-moi par exemple « des articles sur les "
            "médiateurs de santé-pairs », puis les détails de l'une d'elles.",
            query=query,
        )
    return ReadingAnswer(format_details(reference), query=query)


def _chosen_reference(
    session: Session,
    query: Optional[ReadingQuery],
    entities: Mapping[str, str],
    message: str,
) -> Optional[Reference]:
    shown = query.shown if query else []
    if str(entities.get("reference_id", "")).isdigit():
        return session.get(Reference, int(entities["reference_id"]))
    rank = entities.get("rank") or _rank_in(message)
    if rank and shown:
        index = len(shown) - 1 if rank == "dernier" else int(rank) - 1
        if 0 <= index < len(shown):
            return session.get(Reference, shown[index])
    if shown:
        authors = find_known_entities(session, message).get("authors") or []
        wanted = entities.get("author") or (authors[0] if authors else None)
        for reference_id in shown:
            reference = session.get(Reference, reference_id)
            if wanted and reference is not None and _has_author(reference, wanted):
                return reference
        if len(shown) == 1:
            return session.get(Reference, shown[0])
    return None


_RANK_WORDS = {
    "premier": "1", "premiere": "1", "1er": "1", "1ere": "1", "un": "1",
    "deuxieme": "2", "second": "2", "seconde": "2", "2e": "2", "2eme": "2", "deux": "2",
    "troisieme": "3", "3e": "3", "3eme": "3", "trois": "3", "dernier": "dernier",
    "derniere": "dernier",
}


def _rank_in(message: str) -> Optional[str]:
    for word in normalize(message).replace(",", " ").split():
        if word in _RANK_WORDS:
            return _RANK_WORDS[word]
        if word.isdigit() and 1 <= int(word) <= PAGE_SIZE:
            return word
    return None


def _has_author(reference: Reference, family_name: str) -> bool:
    wanted = normalize(family_name)
    return any(wanted in normalize(a.family or "") for a in reference.authors)


def page_answer(
    intro: str, references: Sequence[Reference], total: int, query: ReadingQuery
) -> ReadingAnswer:
    lines = [intro]
    start = query.offset
    for number, reference in enumerate(references, start=1):
        lines.append(f"{start + number}. {format_citation(reference)}")
    shown = [reference.id for reference in references]
    buttons = _detail_buttons(shown, first_number=start + 1)
    if start + len(references) < total:
        buttons.append({"title": "D'autres lectures", "payload": "/more_readings"})
    return ReadingAnswer("\n".join(lines), buttons, replace(query, shown=shown))


def _detail_buttons(shown: Sequence[int], first_number: int = 1) -> list[dict[str, str]]:
    return [
        {
            "title": f"Détails n° {first_number + i}",
            "payload": f'/reading_details{{"reference_id":"{reference_id}"}}',
        }
        for i, reference_id in enumerate(shown)
    ]


def intro_text(query: ReadingQuery, relaxed: Sequence[str]) -> str:
    kind = DOC_TYPE_PLURALS.get(query.doc_type or "", "lectures")
    parts = [f"Voici des {kind}"]
    if query.author:
        parts.append(f"de {query.author.strip().title()}")
    if query.year == "recent":
        parts.append("récents" if kind != "lectures" else "récentes")
    elif query.year:
        parts.append(f"de {query.year}")
    if query.language in LANGUAGES:
        parts.append(f"en {LANGUAGES[query.language]}")
    text = " ".join(parts) + " :"
    if relaxed:
        dropped = ", ".join(FILTER_LABELS[name] for name in relaxed)
        text = (
            f"Je n'ai rien trouvé avec tous vos critères ; j'ai élargi la recherche en ignorant "
            f"{dropped}. {text}"
        )
    return text


def no_result_text() -> str:
    return (
        "Je n'ai trouvé aucune lecture correspondant à votre demande dans notre bibliographie. "
        f"Les bibliothécaires d'Eurêkoi peuvent chercher pour vous : {LIBRARIAN_SERVICE_URL}"
    )


def unavailable_text() -> str:
    return (
        "Désolé, la bibliographie est momentanément indisponible. Réessayez dans quelques "
        f"minutes, ou posez votre question aux bibliothécaires d'Eurêkoi : {LIBRARIAN_SERVICE_URL}"
    )

