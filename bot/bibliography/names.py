"""Finding authors by the name a visitor types: any case or accent, partial, with a small typo.

"bonami" must find "Bonnami", "gardien" must find "Gardien", "pires" must find "Pires de
Oliveira Padilha". Typo tolerance needs the names in Python, not in SQL, so the author names
are read once into an index that is rebuilt only when the author table changes (its row count,
highest id and total name length are checked on each use, which costs one small query).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.bibliography.models import Author
from bot.bibliography.terms import fold, is_french_word

_WORDS = re.compile(r"[a-z0-9]+")
_PARTICLES = frozenset("de du des d la le les l van von der den di da del dos y et".split())


@dataclass
class AuthorIndex:
    """Distinct folded family names, their author ids, and lookups for typo tolerance."""

    signature: tuple
    ids: dict[str, list[int]] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)
    persons: set[str] = field(default_factory=set)
    # Each word of a name (and the whole name) -> the names it belongs to.
    names_of_word: dict[str, set[str]] = field(default_factory=dict)
    # Typos are looked for among words of the same first letter: a short list to compare.
    words_by_initial: dict[str, list[str]] = field(default_factory=dict)
    matches: dict[str, list[int]] = field(default_factory=dict)

    def add(self, author_id: int, folded: str, family: str, given: Optional[str]) -> None:
        name = " ".join(_WORDS.findall(folded))
        self.ids.setdefault(name, []).append(author_id)
        self.written.setdefault(name, family)
        if given:
            self.persons.add(name)
        for word in {name, *self.words(name)}:
            if word not in self.names_of_word:
                self.names_of_word[word] = set()
                self.words_by_initial.setdefault(word[:1], []).append(word)
            self.names_of_word[word].add(name)

    @staticmethod
    def words(name: str) -> list[str]:
        return [w for w in name.split() if w not in _PARTICLES]


_indexes: dict[str, AuthorIndex] = {}


def author_index(session: Session) -> AuthorIndex:
    """The index for this session's database, rebuilt when the author table has changed."""
    signature = tuple(
        session.execute(
            select(
                func.count(Author.id), func.max(Author.id), func.sum(func.length(Author.name_key))
            )
        ).one()
    )
    cache_key = str(session.get_bind().url)
    index = _indexes.get(cache_key)
    if index is None or index.signature != signature:
        index = AuthorIndex(signature)
        rows = session.execute(select(Author.id, Author.family_folded, Author.family, Author.given))
        for row in rows:
            index.add(*row)
        _indexes[cache_key] = index
    return index


def matching_author_ids(session: Session, typed: str) -> list[int]:
    """Authors whose family name is, begins with, or is one small typo away from `typed`."""
    index = author_index(session)
    query = " ".join(_WORDS.findall(fold(typed)))
    if query not in index.matches:
        if len(index.matches) > 10_000:
            index.matches.clear()
        names = _names_matching(index, query)
        if not names and " " in query:
            # "Alain Bonnami", "Ève Gardien": the given name is not in the index, the family is.
            names = set().union(*(_names_matching(index, w) for w in query.split() if len(w) >= 4))
        index.matches[query] = sorted(i for n in names for i in index.ids[n])
    return index.matches[query]


def _names_matching(index: AuthorIndex, query: str) -> set[str]:
    """Names equal to the query, or with a word that starts with it or is a typo away from it."""
    if len(query) < 2:
        return set()
    words = {query} & index.names_of_word.keys()
    if len(query) >= 3:
        words |= {w for w in index.names_of_word if w.startswith(query)}
    if len(query) >= 4:
        words |= {w for w in index.words_by_initial.get(query[0], ()) if _close(query, w)}
    return {name for word in words for name in index.names_of_word[word]}


def authors_in_message(session: Session, message: str) -> list[str]:
    """Family names (as written in the database) that a free-text message mentions, in order.

    An organisation matches by its whole name ("haute autorite de sante"); a person also by one
    word of the name ("callonnec"), and, when the word is not plain French, with a letter
    missing, added or swapped ("bonami", "gardin").
    """
    index = author_index(session)
    words = _WORDS.findall(fold(message))
    found: dict[str, int] = {}
    for position, word in enumerate(words):
        matched = set(index.names_of_word.get(word, ()))
        if len(word) >= 5 and not matched and not is_french_word(word):
            for other in index.words_by_initial.get(word[0], ()):
                if _one_edit_without_substitution(word, other):
                    matched |= index.names_of_word[other]
        for name in matched:
            if name in index.persons:
                if len(word) < 4 and word != name:
                    continue
            elif _phrase_position(words, name.split()) < 0:
                continue
            found.setdefault(name, position)
    return list(dict.fromkeys(index.written[n] for n in sorted(found, key=found.__getitem__)))


def _phrase_position(words: list[str], phrase: list[str]) -> int:
    size = len(phrase)
    for start in range(len(words) - size + 1):
        if words[start : start + size] == phrase:
            return start
    return -1


def _squeeze(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


def _close(typed: str, name: str) -> bool:
    """A typo or two: one edit for short names, two for long ones; doubled letters are free."""
    limit = 1 if len(name) < 8 else 2
    if abs(len(typed) - len(name)) > limit:
        return abs(len(typed) - len(name)) <= 3 and _squeeze(typed) == _squeeze(name)
    return _edit_distance(typed, name, limit) <= limit or _squeeze(typed) == _squeeze(name)


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau (adjacent swap) edit distance, abandoned as soon as it exceeds `limit`."""
    previous2: Optional[list[int]] = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _one_edit_without_substitution(word: str, name: str) -> bool:
    """A letter missing, added or swapped with its neighbour: the typos of a name typed fast.

    Substitutions are left out in free text: "franc" or "france" must not become "Franck".
    """
    if _squeeze(word) == _squeeze(name):
        return True
    if abs(len(word) - len(name)) == 1:
        short, long_ = sorted((word, name), key=len)
        return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
    if len(word) == len(name):
        diffs = [i for i, (x, y) in enumerate(zip(word, name)) if x != y]
        if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
            i, j = diffs
            return word[i] == name[j] and word[j] == name[i]
    return False
