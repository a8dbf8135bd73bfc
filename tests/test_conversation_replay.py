"""The conversation stories of tests/conversations/, replayed through the REST channel.

`rasa test` checks the dialogue but not which FAQ answer the ResponseSelector picked
(rasa#9668); replaying each story against the running assistant checks the answers a visitor
would really read, turn by turn.
"""
import re
import uuid
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration

STORIES_DIR = PROJECT_ROOT / "tests" / "conversations"
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\))")


def load_responses() -> dict[str, str]:
    files = [PROJECT_ROOT / "domain.yml", *sorted((PROJECT_ROOT / "data" / "nlu").glob("faq_*.yml"))]
    responses = {}
    for path in files:
        for name, variants in (yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}).items():
            responses[name] = variants[0]["text"]
    return responses


def load_stories() -> list[tuple[str, list[dict]]]:
    stories = []
    for path in sorted(STORIES_DIR.glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            stories.append((f"{path.stem}: {story['story']}", story["steps"]))
    return stories


RESPONSES = load_responses()
CUSTOM_ACTION_SIGNS = {
    "action_recommend_readings": ("Voici", "Je n'ai trouvé aucune lecture"),
    "action_more_readings": ("Voici la suite", "pas d'autres lectures", "Voici des"),
    "action_reading_details": ("Où le trouver", "Lien :", "De quelle lecture", "Voici des"),
    "action_suggest_intents": ("Vouliez-vous dire", "Je n'ai pas compris"),
}


def expected_sign(step: dict, intent: str) -> tuple[str, ...]:
    action = step["action"]
    if action == "utter_faq":
        return (RESPONSES[f"utter_faq/{intent.split('/', 1)[1]}"],)
    if action in CUSTOM_ACTION_SIGNS:
        return CUSTOM_ACTION_SIGNS[action]
    return (RESPONSES[action],)


@pytest.mark.parametrize("name, steps", load_stories(), ids=[n for n, _ in load_stories()])
def test_story_replayed_through_rest(say, name, steps):
    sender = f"replay-{uuid.uuid4().hex[:12]}"
    replies, intent = [], None
    for step in steps:
        if "user" in step:
            text = ANNOTATION.sub(r"\1", step["user"]).strip()
            replies = [m.get("text", "") for m in say(sender, text)]
            intent = step["intent"]
            continue
        signs = expected_sign(step, intent)
        assert any(sign in reply for reply in replies for sign in signs), (
            f"« {text} » ({intent}) : attendu {step['action']}, reçu {replies}"
        )
