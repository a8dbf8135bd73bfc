"""Entities without a neural model: closed lists of words, matched word by word, typos forgiven.

The entities of this assistant are closed lists (`doc_type`, `theme`, `rank`, `year`'s « récent »)
and family names from the bibliography (`author`); every surface form a librarian wrote (the
`synonym:` lists, the annotated examples, the `lookup: author` table) is a phrase to find. DIET
learned the same lists with a TensorFlow model that cost a quarter of every turn and half of the
start-up (README, « Service »); this matcher finds them in about a tenth of a millisecond (114 µs
per message of tests/nlu/entities.yml, 2026-12-04), and `make bench` (benchmarks/entities.py)
compares the two on that set.

Two words are the same when they are equal once accents, case, plural and feminine endings are
folded (« Médiatrices » = « mediateur »). A word spaCy does not know (« bouqins », « adictions »)
may also differ by one letter (two for long words): a typo. A known word never does, so
« accès libre » is not a book and « l'apport des pairs » not a report. Years are found by the
`regex: year` patterns; a digit alone is a rank only after an article (« le 2 »).
"""
from __future__ import annotations

import pickle
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from spacy.lang.fr.stop_words import STOP_WORDS

from bot.bibliography.terms import fold, stem

MODEL_FILE = "entity_matcher.pkl"
SPACY_DOC = SPACY_DOCS[TEXT]
_WORD = re.compile(r"\w+")
# Before a digit that names a reading of the list: « le 2 », « du 3 », « au 1 », « n° 2 ».
_RANK_ARTICLES = frozenset({"le", "la", "du", "au", "l", "n", "no", "numero"})
FUZZY_CONFIDENCE = 0.8
FRENCH_STOP_WORDS = frozenset(fold(word) for word in STOP_WORDS)


@dataclass(frozen=True)
class Word:
    """One word of a message: where it is, its folded key, and whether spaCy knows it."""

    start: int
    end: int
    key: str
    known: bool
    upper: bool


@dataclass(frozen=True)
class Phrase:
    """A surface form to find: its folded words, and the entity it names.

    `value` None keeps the words as typed (an author); `exact_case` is for acronyms that are
    also French words (« DU », the diploma, is not « du »)."""

    keys: Tuple[str, ...]
    entity: str
    value: Optional[str]
    exact_case: bool = False
    digits: bool = False


def word_key(word: str) -> str:
    return stem(fold(word))


def within_one_typo(a: str, b: str) -> bool:
    """One letter added, dropped, changed or two swapped (Damerau-Levenshtein distance 1)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def within_typos(a: str, b: str) -> bool:
    """One typo for words of five letters or more, two for words of nine or more."""
    if min(len(a), len(b)) < 5:
        return False
    if within_one_typo(a, b):
        return True
    if min(len(a), len(b)) < 9 or abs(len(a) - len(b)) > 2:
        return False
    return any(within_one_typo(a[:i] + a[i + 1:], b) or within_one_typo(a, b[:i] + b[i + 1:])
               or within_one_typo(a[:i] + b[i] + a[i + 1:], b) for i in range(min(len(a), len(b))))


def words_of(text: str, doc: Any = None) -> List[Word]:
    vocab = getattr(doc, "vocab", None)
    words = []
    for match in _WORD.finditer(text):
        surface = match.group()
        known = vocab is None or surface.isdigit() or vocab.has_vector(surface.lower())
        words.append(Word(match.start(), match.end(), word_key(surface), known, surface.isupper()))
    return words


class EntityLexicon:
    """Every phrase to find, indexed by its first word; longest match first, left to right."""

    def __init__(self, phrases: Iterable[Phrase], patterns: Dict[str, List[str]]) -> None:
        self.phrases = list(phrases)
        self.by_first: Dict[str, List[Phrase]] = defaultdict(list)
        for phrase in self.phrases:
            self.by_first[phrase.keys[0]].append(phrase)
        for entries in self.by_first.values():
            entries.sort(key=lambda p: -len(p.keys))
        self.patterns = {name: [re.compile(p) for p in regexes] for name, regexes in patterns.items()}

    def _candidates(self, word: Word) -> List[Tuple[Phrase, bool]]:
        found = [(p, False) for p in self.by_first.get(word.key, ())]
        if not word.known:
            found += [(p, True) for key, phrases in self.by_first.items()
                      if key != word.key and within_typos(word.key, key) for p in phrases]
        return found

    @staticmethod
    def _matches(phrase: Phrase, words: Sequence[Word], at: int) -> Optional[bool]:
        """None if the phrase is not at `at`; else whether a typo was forgiven."""
        if at + len(phrase.keys) > len(words):
            return None
        fuzzy = False
        for key, word in zip(phrase.keys, words[at:at + len(phrase.keys)]):
            if phrase.exact_case and not word.upper:
                return None
            if word.key == key:
                continue
            if word.known or not within_typos(word.key, key):
                return None
            fuzzy = True
        if phrase.digits and (at == 0 or words[at - 1].key not in _RANK_ARTICLES):
            return None
        return fuzzy

    def find(self, text: str, doc: Any = None) -> List[Dict[str, Any]]:
        words = words_of(text, doc)
        entities: List[Dict[str, Any]] = []
        at = 0
        while at < len(words):
            best: Optional[Tuple[Phrase, bool]] = None
            for phrase, _ in self._candidates(words[at]):
                fuzzy = self._matches(phrase, words, at)
                if fuzzy is None:
                    continue
                if best is None or (len(phrase.keys), not fuzzy) > (len(best[0].keys), not best[1]):
                    best = (phrase, fuzzy)
            if best is None:
                at += 1
                continue
            phrase, fuzzy = best
            start, end = words[at].start, words[at + len(phrase.keys) - 1].end
            entities.append(_entity(phrase.entity, phrase.value or text[start:end], start, end,
                                    FUZZY_CONFIDENCE if fuzzy else 1.0))
            at += len(phrase.keys)
        taken = [(e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END]) for e in entities]
        for name, regexes in self.patterns.items():
            for regex in regexes:
                for match in regex.finditer(text):
                    if not any(s < match.end() and match.start() < e for s, e in taken):
                        entities.append(_entity(name, match.group(), match.start(), match.end(), 1.0))
        return sorted(entities, key=lambda e: e[ENTITY_ATTRIBUTE_START])


def _entity(name: str, value: str, start: int, end: int, confidence: float) -> Dict[str, Any]:
    return {ENTITY_ATTRIBUTE_TYPE: name, ENTITY_ATTRIBUTE_VALUE: value, ENTITY_ATTRIBUTE_START: start,
            ENTITY_ATTRIBUTE_END: end, ENTITY_ATTRIBUTE_CONFIDENCE: confidence}


def lexicon_from(training_data: TrainingData, open_entities: Sequence[str],
                 common_words: frozenset[str] = frozenset()) -> EntityLexicon:
    """The phrases of the training data.

    - annotated examples: the span names its entity; its value is kept for closed lists,
      the span itself for open ones (`author`) and for years written as digits (the regex);
    - `synonym:` lists: each form names the entity its value is annotated with;
    - lookup tables named after an entity (`author`): each element, kept as typed.
    A form annotated with two meanings takes the more frequent one.
    """
    meanings: Dict[Tuple[str, ...], Counter] = defaultdict(Counter)
    surfaces: Dict[Tuple[str, ...], str] = {}
    entity_of_value: Dict[str, Counter] = defaultdict(Counter)

    def add(surface: str, entity: str, value: Optional[str]) -> None:
        keys = tuple(word_key(w) for w in _WORD.findall(surface))
        if keys:
            meanings[keys][(entity, value)] += 1
            surfaces.setdefault(keys, surface)

    for message in training_data.training_examples:
        text = message.get(TEXT) or ""
        for entity in message.get(ENTITIES) or []:
            if ENTITY_ATTRIBUTE_START not in entity:  # a story's entity: a value, no span
                continue
            name, value = entity[ENTITY_ATTRIBUTE_TYPE], str(entity[ENTITY_ATTRIBUTE_VALUE])
            span = text[entity[ENTITY_ATTRIBUTE_START]:entity[ENTITY_ATTRIBUTE_END]]
            if name == "year" and span.isdigit() and len(span) == 4:
                continue
            add(span, name, None if name in open_entities else value)
            entity_of_value[value][name] += 1
    for surface, value in training_data.entity_synonyms.items():
        if value in entity_of_value:
            add(surface, entity_of_value[value].most_common(1)[0][0], value)
    for table in training_data.lookup_tables:
        if table.get("name") in open_entities:
            for element in table.get("elements") or []:
                add(str(element), table["name"], None)

    phrases = []
    for keys, counts in meanings.items():
        entity, value = counts.most_common(1)[0][0]
        surface = surfaces[keys]
        phrases.append(Phrase(keys, entity, value,
                              exact_case=surface.isupper() and fold(surface) in common_words,
                              digits=all(k.isdigit() for k in keys)))
    patterns: Dict[str, List[str]] = defaultdict(list)
    for regex in training_data.regex_features:
        patterns[regex["name"]].append(regex["pattern"])
    return EntityLexicon(phrases, dict(patterns))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class EntityMatcher(GraphComponent, EntityExtractorMixin):
    """Rasa component around EntityLexicon."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"open_entities": ["author"]}

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 lexicon: Optional[EntityLexicon] = None) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.lexicon = lexicon

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "EntityMatcher":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self.lexicon = lexicon_from(training_data, self.config["open_entities"], FRENCH_STOP_WORDS)
        with self._model_storage.write_to(self._resource) as directory:
            with open(directory / MODEL_FILE, "wb") as handle:
                pickle.dump(self.lexicon, handle)
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "EntityMatcher":
        try:
            with model_storage.read_from(resource) as directory:
                with open(directory / MODEL_FILE, "rb") as handle:
                    return cls(config, model_storage, resource, pickle.load(handle))
        except (ValueError, OSError):
            return cls(config, model_storage, resource)  # not trained: no entities

    def process(self, messages: List[Message]) -> List[Message]:
        if self.lexicon is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = self.add_extractor_name(self.lexicon.find(text, message.get(SPACY_DOC)))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

