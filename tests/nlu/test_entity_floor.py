"""Entity extraction on tests/nlu/entities.yml (written apart from the training data) never drops
below what was measured.

The floors are the F1 measured on 2026-12-04 with components/entity_matcher.py (doc_type 0.99,
theme 1.00, author 0.97, year 1.00, rank 0.92; `python -m benchmarks.entities`), minus a
margin; raise them when extraction improves, never lower them.
"""
import pytest

from benchmarks.entities import ENTITY_TYPES, evaluate

pytestmark = pytest.mark.integration

F1_FLOORS = {"doc_type": 0.96, "theme": 0.97, "author": 0.93, "year": 0.97, "rank": 0.88}


@pytest.fixture(scope="module")
def scores(trained_model):
    return evaluate(trained_model)


@pytest.mark.parametrize("entity", ENTITY_TYPES)
def test_entity_f1_floor(scores, entity):
    assert scores.f1(entity) >= F1_FLOORS[entity], (scores.figures()[entity], scores.mistakes)
