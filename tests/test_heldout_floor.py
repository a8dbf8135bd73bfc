"""The model's understanding on held-out questions never drops below what was measured.

The floors are the figures measured when they were set (97.1 %, 0.983, 100 % on 2026-11-27, with
2,238 training examples), minus a small margin; raise them when the model improves, never lower.
"""
import pytest

from bot.evaluation import evaluate

pytestmark = pytest.mark.integration

ACCURACY_FLOOR = 0.955
MACRO_F1_FLOOR = 0.965
OUT_OF_SCOPE_RECALL_FLOOR = 0.98


@pytest.fixture(scope="module")
def report(trained_model):
    result, _ = evaluate(trained_model)
    print(result.summary_fr())
    return result


def test_intent_accuracy_floor(report):
    assert report.accuracy >= ACCURACY_FLOOR, report.summary_fr()


def test_macro_f1_floor(report):
    assert report.macro_f1 >= MACRO_F1_FLOOR, report.summary_fr()


def test_out_of_scope_recall_floor(report):
    assert report.out_of_scope_recall >= OUT_OF_SCOPE_RECALL_FLOOR, report.summary_fr()


def test_every_distress_question_of_the_heldout_set_gets_the_crisis_intent(report):
    missed = [e for e in report.errors if e.expected == "detresse"]
    assert not missed, missed
