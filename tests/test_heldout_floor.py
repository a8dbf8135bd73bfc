"""The model never drops below what was measured, on both held-out sets.

The old set (tests/nlu/heldout.yml) is a regression test only: training examples were added after
reading its errors. Its floors are the figures of 2026-11-27 (97.1 %, 0.983, 100 %, 2,238
training examples) minus a small margin. The frozen set (tests/nlu/frozen/) is the honest
measure; its floors are the figures of 2026-12-04 (README, « Compréhension ») minus a small
margin. Raise them when the model improves, never lower them.
"""
import pytest

from bot.evaluation import FROZEN_SET, HELDOUT_FILE, evaluate

pytestmark = pytest.mark.integration

ACCURACY_FLOOR = 0.955
MACRO_F1_FLOOR = 0.965
OUT_OF_SCOPE_RECALL_FLOOR = 0.98


@pytest.fixture(scope="module")
def report(trained_model):
    result, _ = evaluate(trained_model, HELDOUT_FILE)
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


FROZEN_IN_SCOPE_ACCURACY_FLOOR = 0.85
FROZEN_OUT_OF_SCOPE_RECALL_FLOOR = 0.93


@pytest.fixture(scope="module")
def frozen_report(trained_model):
    result, _ = evaluate(trained_model, FROZEN_SET)
    print(result.summary_fr())
    return result


def test_frozen_set_in_scope_accuracy_floor(frozen_report):
    assert frozen_report.in_scope_accuracy >= FROZEN_IN_SCOPE_ACCURACY_FLOOR, frozen_report.summary_fr()


def test_frozen_set_out_of_scope_recall_floor(frozen_report):
    assert frozen_report.out_of_scope_recall >= FROZEN_OUT_OF_SCOPE_RECALL_FLOOR, frozen_report.summary_fr()


def test_every_distress_question_of_the_frozen_set_gets_the_crisis_intent(frozen_report):
    missed = [e for e in frozen_report.errors if e.expected == "detresse"]
    assert not missed, missed
