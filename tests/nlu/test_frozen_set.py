"""The frozen held-out set stays apart from the training data, and big enough to measure.

If this fails after a change of data/nlu/, a training example repeats (or nearly repeats) a
frozen question: rewrite or remove the training example, never the frozen question."""
from collections import Counter

from bot.evaluation import FROZEN_SET, load_heldout
from bot.overlap import folded, overlaps, sentences
from bot.settings import PROJECT_ROOT

FROZEN = load_heldout(FROZEN_SET)


def test_no_frozen_question_is_a_training_example_again():
    found = overlaps([text for text, _ in FROZEN], sentences(PROJECT_ROOT / "data" / "nlu"))
    assert [(o.evaluated, o.trained) for o in found] == []


def test_the_frozen_set_covers_every_family_and_the_hard_cases():
    counts = Counter(label for _, label in FROZEN)
    families = [label for label in counts if label.startswith("faq/")]
    assert len(families) == 18
    assert min(counts[family] for family in families) >= 15, counts
    assert counts["out_of_scope"] >= 40 and counts["recommend_readings"] >= 20, counts
    assert counts["more_readings"] + counts["reading_details"] >= 15, counts


def test_overlap_finds_a_typo_and_a_changed_accent_but_not_another_question():
    trained = ["Qu'est-ce qu'un médiateur de santé-pair ?", "Comment devenir travailleur pair ?"]
    found = overlaps(["qu'est ce qu'un mediateur de sante pair", "qu'est-ce qu'un médiateur de santé-paire ?",
                      "où trouver un GEM près de chez moi ?"], trained)
    assert [(o.evaluated, o.similarity == 1.0) for o in found] == [
        ("qu'est ce qu'un mediateur de sante pair", True),
        ("qu'est-ce qu'un médiateur de santé-paire ?", False),
    ]


def test_folding_keeps_only_lowercase_words():
    assert folded("  Médiatrice, SANTÉ-pair ! ") == "mediatrice sante pair"
