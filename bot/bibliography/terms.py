"""Words reduced to comparable search terms: accents folded, French lemmas, gender folded.

A visitor writes "médiatrices", a title says "médiateurs": both must become the same term.
spaCy's French lemmatizer does most of the work (plural, conjugation), but it keeps feminine
nouns feminine and depends on the part of speech it guesses, so each word gives its lemma and
its surface form, both folded (accents, case, gender endings). Reference texts are indexed once
(the terms are stored with the reference, see `models.py`) and each distinct text is
lemmatized once per process thanks to the cache below; a query costs one spaCy call.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable, Optional

SPACY_MODEL = "fr_core_news_md"
# Only what the rule lemmatizer needs: the morphologizer's part-of-speech tags.
_UNUSED_PIPES = ("parser", "ner")

# Words that describe the request rather than its subject ("je cherche des articles récents",
# "des livres de Bonnami publiés en 2019"): document types, authorship and dates are filters of
# their own, and as search words they would only exclude everything.
_NOISE_WORDS = (
    "chercher cherche rechercher recherche trouver trouve article livre ouvrage bouquin lecture "
    "lire document texte reference conseiller conseil recommander proposer recent sujet theme "
    "quelque chose vouloir voudrai aimer aimerai pouvoir avoir bonjour merci svp plait parler "
    "propos these memoire rapport chapitre site web internet revue publier publie paraitre paru "
    "parution sortir sorti ecrire ecrit auteur autrice traiter aborder concerner dernier annee "
    "interessant"
)
_GENDER_ENDINGS = (
    ("trice", "teur"),
    ("euse", "eur"),
    ("ienne", "ien"),
    ("ive", "if"),
    ("elle", "el"),
    ("ere", "er"),
    ("ee", "e"),
)
_PIECES = re.compile(r"[a-z0-9]+")
# One position of a text: the interchangeable forms of one word (lemma, surface form).
Token = frozenset[str]


def fold(text: str) -> str:
    """Lower case without accents or ligatures, so "Ève", "eve" and "ÈVE" compare equal."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def stem(piece: str) -> str:
    """Fold plural and feminine endings the lemmatizer leaves ("médiatrices", "paires")."""
    if len(piece) > 4 and piece.endswith("aux"):
        piece = piece[:-3] + "al"
    elif len(piece) > 3 and piece.endswith(("s", "x")) and not piece.endswith("ss"):
        piece = piece[:-1]
    for ending, replacement in _GENDER_ENDINGS:
        if len(piece) > len(ending) + 2 and piece.endswith(ending):
            piece = piece[: -len(ending)] + replacement
            break
    if len(piece) > 3 and piece.endswith("e"):
        piece = piece[:-1]
    return piece


QUERY_NOISE = frozenset(stem(word) for word in _NOISE_WORDS.split())


@lru_cache(maxsize=1)
def _nlp():
    """Loaded on first use only: the action server pays for it once, the CLI maybe never."""
    import spacy

    return spacy.load(SPACY_MODEL, exclude=list(_UNUSED_PIPES))


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    return frozenset(fold(word) for word in _nlp().Defaults.stop_words)


def _tokens_of(doc) -> list[Token]:
    stop = _stop_words()
    tokens: list[Token] = []
    for word in doc:
        if word.is_punct or word.is_space:
            continue
        lemmas = _PIECES.findall(fold(word.lemma_))
        forms = _PIECES.findall(fold(word.text))
        pairs = zip(lemmas, forms) if len(lemmas) == len(forms) else ((p, p) for p in lemmas)
        for lemma, form in pairs:
            if len(form) < 2 or form in stop or lemma in stop:
                continue
            tokens.append(frozenset({stem(lemma), stem(form)}))
    return tokens


_CACHE_SIZE = 50_000
_cache: dict[str, tuple[Token, ...]] = {}


def text_tokens(text: Optional[str]) -> tuple[Token, ...]:
    """The content words of a text, in order, each as its set of interchangeable terms."""
    if not text or not text.strip():
        return ()
    tokens = _cache.get(text)
    if tokens is None:
        tokens = _remember(text, _tokens_of(_nlp()(text)))
    return tokens


def warm_up(texts: Iterable[Optional[str]]) -> None:
    """Lemmatize many texts in one spaCy batch, for bulk loading (much faster than one by one)."""
    todo = sorted({t for t in texts if t and t.strip() and t not in _cache})
    for text, doc in zip(todo, _nlp().pipe(todo, batch_size=256)):
        _remember(text, _tokens_of(doc))


def _remember(text: str, tokens: list[Token]) -> tuple[Token, ...]:
    if len(_cache) >= _CACHE_SIZE:
        _cache.clear()
    _cache[text] = tuple(tokens)
    return _cache[text]


def terms_column(*texts: Optional[str]) -> str:
    """The stored form of a text's terms: " a b c ", so that LIKE '% b %' finds a whole term."""
    terms = sorted(
        {term for text in texts if text for token in text_tokens(text) for term in token}
    )
    return f" {' '.join(terms)} " if terms else " "


def find_phrase(tokens: tuple[Token, ...] | list[Token], phrase: tuple[Token, ...]) -> int:
    """Where a phrase's words occur in a row among a text's words, or -1."""
    size = len(phrase)
    if not size:
        return -1
    for start in range(len(tokens) - size + 1):
        if all(tokens[start + i] & phrase[i] for i in range(size)):
            return start
    return -1


@lru_cache(maxsize=1)
def _dictionary() -> tuple[object, frozenset[str]]:
    lookups = _nlp().get_pipe("lemmatizer").lookups
    index = lookups.get_table("lemma_index")
    words = frozenset(fold(word) for pos in index.keys() for word in index[pos])
    return lookups.get_table("lemma_lookup"), words


def is_french_word(word: str) -> bool:
    """Whether the dictionary knows a word, accents optional: "gardien" yes, "bonami" no.

    Used to allow typo tolerance only on words that are not plain French, so that "franc" in a
    message is not taken for the author "Franck".
    """
    lookup, words = _dictionary()
    return word in lookup or word in words
