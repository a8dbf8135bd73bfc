"""The intent classifier component: FAQ families, the selector output `utter_faq` reads, storage."""
from __future__ import annotations

import pytest
import spacy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import numpy as np

from components.linear_intent_classifier import (
    NAME_PLACEHOLDER,
    SPACY_DOC,
    LinearIntentClassifier,
    content_vector,
    fold_accents,
    mask_names,
    unknown_names,
)

EXAMPLES = {
    "faq/gem": ["c'est quoi un GEM", "groupe d'entraide mutuelle", "comment aller dans un GEM",
                "les GEM accueillent qui", "adhérer à un groupe d'entraide mutuelle"],
    "faq/retablissement": ["c'est quoi le rétablissement", "le rétablissement en santé mentale",
                           "se rétablir après une maladie psychique", "définition du rétablissement",
                           "rétablissement et espoir"],
    "greet": ["bonjour", "salut", "bonsoir", "coucou", "hello"],
}
RESPONSES = {"utter_faq/gem": [{"text": "Un GEM est…"}], "utter_faq/retablissement": [{"text": "Le rétablissement…"}]}


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("fr_core_news_md", disable=["parser", "ner"])


def message(nlp, text: str, label: str | None = None) -> Message:
    data = {"text": text, SPACY_DOC: nlp(text)}
    if label:
        intent, _, key = label.partition("/")
        data["intent"] = intent
        if key:
            data["intent_response_key"] = label
    return Message(data=data)


def train_and_load(nlp, folder, extra_examples=(), lookup_tables=()) -> LinearIntentClassifier:
    """The component trained on EXAMPLES (and more), stored, and loaded back as Rasa does."""
    storage = LocalModelStorage(folder)
    resource = Resource("linear_intent_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    config = LinearIntentClassifier.get_default_config()
    component = LinearIntentClassifier.create(config, storage, resource, context)
    examples = [message(nlp, text, label) for label, texts in EXAMPLES.items() for text in texts]
    examples += [message(nlp, text, label) for text, label in extra_examples]
    component.train(TrainingData(training_examples=examples, responses=RESPONSES,
                                 lookup_tables=list(lookup_tables)))
    return LinearIntentClassifier.load(config, storage, resource, context)


@pytest.fixture
def trained(nlp, tmp_path):
    return train_and_load(nlp, tmp_path)


def test_an_faq_question_gets_the_faq_intent_and_the_family_utter_faq_reads(nlp, trained):
    [parsed] = trained.process([message(nlp, "qu'est-ce qu'un groupe d'entraide mutuelle ?")])
    assert parsed.get("intent")["name"] == "faq"
    selected = parsed.get("response_selector")["faq"]["response"]
    assert selected["intent_response_key"] == "faq/gem"
    assert selected["utter_action"] == "utter_faq/gem"
    assert selected["responses"] == RESPONSES["utter_faq/gem"]
    assert parsed.get("response_selector")["all_retrieval_intents"] == ["faq"]


def test_the_ranking_names_faq_families_so_that_two_close_families_look_ambiguous(nlp, trained):
    [parsed] = trained.process([message(nlp, "salut")])
    ranking = parsed.get("intent_ranking")
    assert parsed.get("intent")["name"] == ranking[0]["name"] == "greet"
    assert {r["name"] for r in ranking} == set(EXAMPLES)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)


def test_an_untrained_classifier_leaves_messages_alone(nlp, tmp_path):
    context = ExecutionContext(GraphSchema({}), "test")
    component = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(), LocalModelStorage(tmp_path), Resource("absent"), context
    )
    [parsed] = component.process([message(nlp, "bonjour")])
    assert parsed.get("intent") is None


def test_accents_and_case_are_folded():
    assert fold_accents("Médiatrice ÉQUIPE") == "mediatrice equipe"


def test_the_sentence_vector_reads_the_words_that_carry_meaning(nlp):
    with_filler = content_vector(nlp("c'est quoi un GEM ?"))
    alone = content_vector(nlp("GEM"))
    assert np.allclose(with_filler, alone, atol=1e-5)


def test_a_question_of_stop_words_only_still_gets_a_vector(nlp):
    assert np.linalg.norm(content_vector(nlp("et alors ?"))) > 0
    assert not content_vector(None).any()


def test_known_authors_become_one_placeholder():
    masked = mask_names("Un article de Cloutier ou de Haschar-Noé ?", frozenset({"cloutier", "haschar-noe"}))
    assert masked == f"un article de {NAME_PLACEHOLDER} ou de {NAME_PLACEHOLDER} ?"


def test_an_author_added_after_training_is_recognised_as_a_name(nlp):
    known = frozenset({"vous", "avez", "des", "lectures", "de", "gem", "lyon"})
    text = "vous avez des lectures de Lefèvre-Ducasse ?"
    assert unknown_names(text, nlp(text.lower()), known) == {"lefevre-ducasse", "lefevre", "ducasse"}
    # Not the first word, not a word of the training examples, not a word spaCy knows.
    for ordinary in ("Lectures de GEM ?", "un GEM à Lyon", "des lectures de Paris"):
        assert not unknown_names(ordinary, nlp(ordinary.lower()), known), ordinary


def test_every_author_weighs_the_same_known_or_added_after_training(nlp, tmp_path):
    readings = ["des livres de Gardien", "un article de Cloutier", "quelque chose de Roelandt"]
    lookup = [{"name": "author", "elements": ["Gardien", "Cloutier", "Roelandt"]}]
    model = train_and_load(nlp, tmp_path, [(text, "recommend_readings") for text in readings], lookup).model

    def ranking(text):
        return model.ranking(text, nlp(text.lower()))

    assert ranking("un article de Gardien") == ranking("un article de Cloutier")
    assert ranking("des lectures de Lefèvre-Ducasse") == ranking("des lectures de Roelandt")
