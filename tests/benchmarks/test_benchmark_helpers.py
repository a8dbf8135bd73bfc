"""The pieces of `make bench` that can be checked without a long run."""
from __future__ import annotations

import os

import yaml

from benchmarks import serving, understanding
from benchmarks.reporting import markdown_table, percentile
from bot.evaluation import FALLBACK, Prediction, ranking_of
from bot.settings import PROJECT_ROOT


def test_percentiles_are_values_that_were_measured():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50, 99, 100)
    assert percentile([3.0], 99) == 3.0


def test_markdown_table_has_one_row_per_line():
    table = markdown_table(("a", "b"), [(1, 2), (3, 4)])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| 1 | 2 |", "| 3 | 4 |"]


def test_cross_validation_drops_only_what_finds_entities():
    derived = yaml.safe_load(understanding.intent_only_config(understanding.OUR_CONFIG).read_text())
    names = [c["name"] for c in derived["pipeline"]]
    assert "DIETClassifier" not in names and "EntitySynonymMapper" not in names
    assert "components.linear_intent_classifier.LinearIntentClassifier" in names
    assert names[-2:] == ["FallbackClassifier", "components.distress_override.DistressOverride"]
    assert derived["policies"] == []


def test_the_tfidf_baseline_learns_and_declines_when_unsure(tmp_path):
    data = tmp_path / "nlu.yml"
    data.write_text(
        'version: "3.1"\nnlu:\n'
        "- intent: greet\n  examples: |\n    - bonjour\n    - salut\n    - bonsoir\n    - coucou\n"
        "- intent: thank\n  examples: |\n    - merci\n    - merci beaucoup\n    - super merci\n    - je vous remercie\n"
        "- intent: goodbye\n  examples: |\n    - au revoir\n    - à bientôt\n    - bonne journée\n    - salut, à plus\n",
        encoding="utf-8",
    )
    predictions, seconds = understanding.tfidf_system(data, [("merci bien", "thank"), ("zzz", "greet")])
    assert predictions[0].predicted == "thank"
    assert predictions[1].predicted == FALLBACK
    assert seconds >= 0


def test_the_ranking_kept_for_replay_leaves_out_the_fallback_rasa_put_on_top():
    parse = {"intent": {"name": FALLBACK, "confidence": 0.3},
             "intent_ranking": [{"name": FALLBACK, "confidence": 0.3}, {"name": "faq/gem", "confidence": 0.28},
                                {"name": "greet", "confidence": 0.2}]}
    assert ranking_of(parse) == (("faq/gem", 0.28), ("greet", 0.2))


def test_a_fallback_rule_is_replayed_on_the_classifiers_guesses():
    sure = Prediction("le gem", "faq/gem", FALLBACK, 0.3, (("faq/gem", 0.55), ("faq/service", 0.4)))
    unsure = Prediction("zzz", "out_of_scope", "greet", 0.6, (("greet", 0.25), ("thank", 0.2)))
    replayed = understanding.under_fallback_rule([sure, unsure], threshold=0.3, margin=0.1)
    assert [p.predicted for p in replayed] == ["faq/gem", FALLBACK]
    # The same answers under a wider margin: the first hesitates between two families.
    replayed = understanding.under_fallback_rule([sure, unsure], threshold=0.3, margin=0.2)
    assert [p.predicted for p in replayed] == [FALLBACK, FALLBACK]


def test_operating_points_score_each_set_at_each_rule():
    predictions = [Prediction("le gem", "faq/gem", "faq/gem", 0.9, (("faq/gem", 0.45), ("greet", 0.4))),
                   Prediction("zzz", "out_of_scope", FALLBACK, 0.2, (("greet", 0.2), ("thank", 0.1)))]
    points = {(p["threshold"], p["margin"]): p["jeu"] for p in understanding.operating_points({"jeu": predictions})}
    assert points[(0.2, 0.0)]["confident_errors"] == 1 and points[(0.2, 0.0)]["accuracy"] == 0.5
    # A fallback is a wrong answer for accuracy, and an out-of-scope one for recall and precision.
    assert points[(0.3, 0.0)]["confident_errors"] == 0 and points[(0.3, 0.0)]["out_of_scope_precision"] == 1.0
    assert points[(0.3, 0.1)]["accuracy"] == 0.0 and points[(0.3, 0.1)]["out_of_scope_precision"] == 0.5
    table = understanding.operating_points_table(understanding.operating_points({"jeu": predictions}), ["jeu"])
    assert len(table.splitlines()) == 2 + len(understanding.OPERATING_POINTS)


def test_profile_shares_go_to_the_closest_module_of_rasa_or_of_the_project():
    site = "/x/.venv/lib/python3.10/site-packages"
    raw = "\n".join([
        f"rasa (1);run ({site}/rasa/core/agent.py:1);pipe ({site}/rasa/nlu/utils/spacy_utils.py:9);"
        f"__call__ ({site}/spacy/language.py:3) 30",
        f"rasa (1);run ({site}/rasa/core/agent.py:1);save ({PROJECT_ROOT}/bot/privacy/tracker_store.py:5) 10",
        f"rasa (1);select ({site}/asyncio/base_events.py:2) 10",
    ])
    shares = dict(serving.profile_shares(raw))
    assert shares == {"rasa/nlu/utils/spacy_utils.py": 0.6, "bot/privacy/tracker_store.py": 0.2,
                      "(hors Rasa et projet)": 0.2}


def test_peak_memory_is_read_for_a_live_process():
    assert serving.peak_memory_mib(os.getpid()) > 10
