"""`revue`: grouping what was not understood, and merging a corrected review into data/nlu/."""

from __future__ import annotations

import yaml

from bot.librarian.conversation_store import Conversation, Turn
from bot.librarian.review import (
    group_turns,
    known_intents,
    merge_review,
    render_review,
    unclear_turns,
)
from bot.librarian.training_data import read_nlu
from bot.librarian.validation import training_data_problems


def turn(
    text,
    intent="nlu_fallback",
    confidence=0.3,
    candidates=(("faq/gem", 0.4),),
    actions=("action_suggest_intents",),
):
    return Turn(text, 1_700_000_000.0, intent, confidence, list(candidates), list(actions))


def test_unclear_messages_are_grouped_by_similarity_and_counted(project):
    conversations = [
        Conversation(
            "a", [turn("c koi un gem"), turn("merci", "thank", 0.99, [("thank", 0.99)], ())]
        ),
        Conversation("b", [turn("c koi un GEM ?"), turn("/deny", "deny", 1.0, [], ())]),
        Conversation(
            "c",
            [
                turn("cest koi un gem"),
                turn("vous ouvrez quand le dimanche", candidates=[("out_of_scope", 0.5)]),
            ],
        ),
        Conversation(
            "d",
            [
                turn(
                    "écrivez-moi à jean.dupont@example.org",
                    "faq/service",
                    0.5,
                    [("faq/service", 0.5)],
                    (),
                )
            ],
        ),
    ]
    unclear = unclear_turns(conversations)
    assert [t.text for _, t in unclear] == [
        "c koi un gem",
        "c koi un GEM ?",
        "cest koi un gem",
        "vous ouvrez quand le dimanche",
        "écrivez-moi à jean.dupont@example.org",  # low confidence, without fallback
    ]
    groups = group_turns(unclear)
    assert [(g.size, len(g.conversations), g.suggestion()) for g in groups][0] == (3, 3, "faq/gem")
    assert groups[0].texts["c koi un gem"] == 2  # same words, case and punctuation aside

    text = render_review(
        groups, known_intents(project), 4, (None, None), "python -m bot revue --fusionner x.yml"
    )
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    assert data["nlu"][0] == {
        "intent": "faq/gem",
        "examples": "- c koi un gem\n- cest koi un gem\n",
    }
    assert "<courriel>" in text and "jean.dupont" not in text
    assert "#   faq/gem — Les GEM" in text and "#   ignorer" in text


REVIEWED = """\
version: "3.1"
nlu:
- intent: faq/gem
  examples: |
    - c koi un gem
    - un gem pour les ados ça existe
    - c'est quoi un GEM
- intent: ignorer
  examples: |
    - asdfgh
- intent: faq/inexistante
  examples: |
    - une question
- intent: greet
  examples: |
    - groupe d'entraide mutuelle
"""


def test_a_corrected_review_is_merged_beside_the_examples(project, tmp_path):
    reviewed = tmp_path / "revue.yml"
    reviewed.write_text(REVIEWED, encoding="utf-8")
    gem = project / "data" / "nlu" / "faq_gem.yml"
    before = gem.read_text(encoding="utf-8")

    trial = merge_review(reviewed, project, dry_run=True)
    assert trial.added == {gem: 2} and gem.read_text(encoding="utf-8") == before

    report = merge_review(reviewed, project)
    assert report.added == {gem: 2} and report.already_there == 1 and report.skipped_blocks == 1
    assert [(p.line, p.kind) for p in report.problems] == [(11, "intention"), (16, "doublon")]
    assert "faq_gem.yml" in report.problems[1].message

    examples = read_nlu(project / "data" / "nlu").examples_by_intent()["faq/gem"]
    assert [e.text for e in examples[-2:]] == ["c koi un gem", "un gem pour les ados ça existe"]
    after = gem.read_text(encoding="utf-8")
    assert after.startswith(
        before.split("\nresponses:")[0].rstrip("\n")
    )  # added at the block's end
    assert "utter_faq/gem" in yaml.safe_load(after)["responses"]
    assert training_data_problems(project) == []

    again = merge_review(reviewed, project)
    assert again.added == {} and again.already_there == 3
