"""Searching the bibliography: filters from the conversation, ranking by the visitor's words.

Filters (type, theme, author, year, language) narrow the list in SQL. The visitor's words rank what is
left: each word, reduced to its lemma (see `terms.py`), scores where it appears in a reference
(title 3, keywords 2, summary 1) and when it names one of the reference's themes (2). The
references' terms are stored with them, so the whole ranking is one parameterized SQL query and
a search costs one spaCy call, whatever the size of the catalogue. Ties are broken by year (most
recent first) then id, so the same question always gets the same list and pages never overlap.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import add
from typing import Optional, Sequence, Union

from sqlalchemy import case, func, nulls_last, or_, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from bot.bibliography import terms
from bot.bibliography.models import DOC_TYPES, Authorship, Reference, Theme, reference_theme
from bot.bibliography.names import authors_in_message, matching_author_ids

logger = logging.getLogger(__name__)

RECENT_YEARS = 5
TITLE_WEIGHT, KEYWORD_WEIGHT, THEME_WEIGHT, SUMMARY_WEIGHT = 3, 2, 2, 1

YearFilter = Union[None, int, str, Sequence[Optional[int]]]
_YEAR = re.compile(r"(?:1[5-9]|20)\d\d")


@dataclass
class SearchResult:
    """One page of references, best first, and how many match in all (for "d'autres ?")."""

    references: list[Reference] = field(default_factory=list)
    total: int = 0


def search_references(
    session: Session,
    *,
    doc_type: Optional[str] = None,
    theme: Optional[str] = None,
    author: Optional[str] = None,
    year: YearFilter = None,
    language: Optional[str] = None,
    text: Optional[str] = None,
    limit: int = 3,
    offset: int = 0,
) -> SearchResult:
    """The references matching every filter given, ranked by `text` if any.

    `year` is a year, "recent" (the last five years, this one included), "2015-2020" or a
    (start, end) pair where either end may be None. `text` may be the visitor's whole message:
    request words, years and the filtered author's name are left out, and a reference must
    match at least one of the remaining words. A filter that names nothing known (an unknown
    type, theme or author, an unreadable year) matches nothing, so that callers can relax it.
    Call it, and read the references, inside the session's transaction.
    """
    conditions: list[ColumnElement] = []
    limit, offset = max(limit, 1), max(offset, 0)
    if doc_type:
        if doc_type not in DOC_TYPES:
            logger.warning("Unknown document type %r", doc_type)
            return SearchResult()
        conditions.append(Reference.type == doc_type)
    if theme:
        theme_ids = resolve_themes(session, theme)
        if not theme_ids:
            return SearchResult()
        conditions.append(Reference.id.in_(_with_themes(theme_ids)))
    author_ids: list[int] = []
    if author:
        author_ids = matching_author_ids(session, author)
        if not author_ids:
            return SearchResult()
        ids = select(Authorship.reference_id).where(Authorship.author_id.in_(author_ids))
        conditions.append(Reference.id.in_(ids))
    if year is not None:
        try:
            start, end = year_bounds(year)
        except ValueError:
            logger.warning("Unreadable year filter %r", year)
            return SearchResult()
        conditions += [Reference.year >= start] if start is not None else []
        conditions += [Reference.year <= end] if end is not None else []
    if language:
        # A reference whose language nobody recorded is not assumed to be in any.
        conditions.append(Reference.language == language)
    columns, order = [Reference.id, func.count().over()], []
    relevance = _relevance(session, _subject_tokens(text, session, author_ids))
    if relevance is not None:
        score, matches = relevance
        conditions.append(matches)
        columns.append(score.label("score"))
        order.append(columns[-1].desc())  # by its name: computed once per row
    order += [nulls_last(Reference.year.desc()), Reference.id]
    page = session.execute(
        select(*columns).where(*conditions).order_by(*order).limit(limit).offset(offset)
    ).all()
    if not page:  # past the last page: the total is still wanted
        total = session.scalar(select(func.count(Reference.id)).where(*conditions))
        return SearchResult([], total or 0)
    return SearchResult(_load(session, [row[0] for row in page]), page[0][1])


def year_bounds(
    year: YearFilter, today: Optional[dt.date] = None
) -> tuple[Optional[int], Optional[int]]:
    """(first, last) year of a year filter; "recent" counts back from `today`."""
    if isinstance(year, bool):
        raise ValueError(year)
    if isinstance(year, int):
        return year, year
    if isinstance(year, str):
        text = terms.fold(year).strip()
        if text.startswith("recent"):
            this_year = (today or dt.date.today()).year
            return this_year - RECENT_YEARS + 1, this_year
        found = re.fullmatch(r"(\d{4})(?:\s*[-–/]\s*(\d{4}))?", text)
        if not found:
            raise ValueError(year)
        return year_bounds((int(found[1]), int(found[2] or found[1])))
    if isinstance(year, (tuple, list)) and len(year) == 2:
        start, end = (None if y is None else int(y) for y in year)
        if start is not None and end is not None and start > end:
            start, end = end, start
        return start, end
    raise ValueError(year)


def resolve_themes(session: Session, theme: str) -> list[str]:
    """Theme ids named by an id ("sante_mentale"), a label or a synonym ("psychiatrie")."""
    candidate = re.sub(r"[\s-]+", "_", terms.fold(theme).strip())
    if session.get(Theme, candidate) is not None:
        return [candidate]
    return themes_in_text(session, theme)


def themes_in_text(session: Session, text: str) -> list[str]:
    """Themes whose label or a synonym appears in a text, in order of appearance.

    The longest phrase wins where two overlap: "médiateurs de santé-pairs" is the theme
    `mediateur_sante_pair`, not also `mediation_sante` through "médiateur de santé".
    """
    return _themes_in_tokens(session, _subject_tokens(text))


def find_known_entities(session: Session, message_text: str) -> dict[str, list[str]]:
    """Authors (family names as written) and theme ids a message mentions, from the database.

    This complements the NLU model: authors and synonyms added to the bibliography after the
    model was trained are still recognised.
    """
    return {
        "authors": authors_in_message(session, message_text or ""),
        "themes": themes_in_text(session, message_text or ""),
    }


def _subject_tokens(
    text: Optional[str], session: Optional[Session] = None, author_ids: Sequence[int] = ()
) -> list[terms.Token]:
    """The words of a message that say what it is about.

    Left out: request words ("je cherche des articles"), years, and the words that name the
    author being filtered on ("des livres de bonami"): those are filters, and as search words
    they would only exclude everything.
    """
    tokens = []
    for token in terms.text_tokens(text):
        if token & terms.QUERY_NOISE or any(_YEAR.fullmatch(term) for term in token):
            continue
        if author_ids and any(
            set(matching_author_ids(session, t)) & set(author_ids) for t in token
        ):
            continue
        tokens.append(token)
    return tokens


def _themes_in_tokens(session: Session, tokens: Sequence[terms.Token]) -> list[str]:
    rows = session.execute(select(Theme.id, Theme.label, Theme.synonyms)).all()
    phrases = [
        (theme_id, phrase)
        for theme_id, label, synonyms in rows
        for phrase in [label, *(synonyms or [])]
    ]
    terms.warm_up(phrase for _theme_id, phrase in phrases)
    found = []
    for theme_id, phrase in phrases:
        phrase_tokens = terms.text_tokens(phrase)
        start = terms.find_phrase(tokens, phrase_tokens)
        if start >= 0:
            found.append((-len(phrase_tokens), start, theme_id))
    taken: set[int] = set()
    kept: dict[str, int] = {}
    for minus_length, start, theme_id in sorted(found):
        span = set(range(start, start - minus_length))
        if span & taken and theme_id not in kept:
            continue
        taken |= span
        kept[theme_id] = min(start, kept.get(theme_id, start))
    return sorted(kept, key=lambda theme_id: (kept[theme_id], theme_id))


def _relevance(
    session: Session, tokens: Sequence[terms.Token]
) -> Optional[tuple[ColumnElement, ColumnElement]]:
    """The SQL score of the visitor's words and the condition that one of them matches.

    None when the text has no subject words: then it neither filters nor ranks.
    """
    if not tokens:
        return None
    scores, matches = [], []
    for token in dict.fromkeys(tokens):
        patterns = [f"% {term} %" for term in sorted(token)]
        for column, weight in (
            (Reference.title_terms, TITLE_WEIGHT),
            (Reference.keyword_terms, KEYWORD_WEIGHT),
            (Reference.summary_terms, SUMMARY_WEIGHT),
        ):
            matches.append(or_(*(column.like(pattern) for pattern in patterns)))
            scores.append(case((matches[-1], weight), else_=0))
    for theme_id in _themes_in_tokens(session, tokens):
        matches.append(Reference.id.in_(_with_themes([theme_id])))
        scores.append(case((matches[-1], THEME_WEIGHT), else_=0))
    return reduce(add, scores), or_(*matches)


def _with_themes(theme_ids: Sequence[str]):
    return select(reference_theme.c.reference_id).where(reference_theme.c.theme_id.in_(theme_ids))


def _load(session: Session, ids: Sequence[int]) -> list[Reference]:
    """The page's references with their authors (what a citation needs), in the page's order."""
    references = session.scalars(
        select(Reference)
        .where(Reference.id.in_(ids))
        .options(joinedload(Reference.authorships).joinedload(Authorship.author))
    ).unique()
    by_id = {reference.id: reference for reference in references}
    return [by_id[i] for i in ids]
