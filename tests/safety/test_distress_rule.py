"""The word rule that backs the `detresse` intent, on phrasings written apart from it."""
from pathlib import Path

import pytest
import yaml

from bot.safety import is_distress, normalize

CASES = yaml.safe_load((Path(__file__).parent / "distress_cases.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("message", CASES["distress"])
def test_distress_is_recognised(message):
    assert is_distress(message), normalize(message)


@pytest.mark.parametrize("message", CASES["not_distress"])
def test_ordinary_question_on_the_same_words_is_not_distress(message):
    assert not is_distress(message), normalize(message)


def test_the_rule_ignores_case_accents_and_stretched_letters():
    assert is_distress("JE VEUX MOURRRRIR")
    assert is_distress("jai envi d'en finir")
