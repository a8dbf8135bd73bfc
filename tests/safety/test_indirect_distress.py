"""Distress written without a crisis word: a place, a plan, goodbyes, giving things away, a
relative's alarming message (tests/safety/indirect_distress_cases.yml, written apart from the rule
and from data/nlu/). The rule alone catches them, and the whole model (rule, classifier and its
"distress wins when unsure" override) answers them with the crisis intent; the ordinary questions
that share their words get neither."""
from pathlib import Path

import pytest
import yaml

from bot.safety import is_distress, normalize

CASES = yaml.safe_load((Path(__file__).parent / "indirect_distress_cases.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("message", CASES["distress"])
def test_indirect_distress_is_recognised_by_the_rule(message):
    assert is_distress(message), normalize(message)


@pytest.mark.parametrize("message", CASES["not_distress"])
def test_ordinary_question_sharing_its_words_is_not_distress(message):
    assert not is_distress(message), normalize(message)


@pytest.fixture(scope="module")
def intents_of(trained_model):
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(str(trained_model))

    def parse(messages):
        async def all_intents():
            return [(await agent.parse_message(m))["intent"]["name"] for m in messages]
        return dict(zip(messages, asyncio.run(all_intents())))

    return parse


@pytest.mark.integration
def test_the_model_answers_every_indirect_distress_with_the_crisis_intent(intents_of):
    missed = {m: i for m, i in intents_of(CASES["distress"]).items() if i != "detresse"}
    assert missed == {}


@pytest.mark.integration
def test_the_model_gives_no_crisis_intent_to_ordinary_questions_sharing_their_words(intents_of):
    alarmed = [m for m, i in intents_of(CASES["not_distress"]).items() if i == "detresse"]
    assert alarmed == []
