"""The override after the classifier: the rule wins, and distress wins when the classifier hesitates."""
from rasa.shared.nlu.training_data.message import Message

from components.distress_override import DistressOverride


def _message(text, ranking):
    message = Message(data={"text": text})
    ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message.set("intent", ranked[0])
    message.set("intent_ranking", ranked)
    return message


def _intent_after_override(text, ranking):
    override = DistressOverride(DistressOverride.get_default_config())
    return override.process([_message(text, ranking)])[0].get("intent")["name"]


def test_the_rule_wins_over_a_confident_classifier():
    assert _intent_after_override("je vais sauter du pont", [("faq/service", 0.9), ("greet", 0.1)]) == "detresse"


def test_distress_as_second_guess_with_some_confidence_wins():
    ranking = [("nlu_fallback", 0.45), ("goodbye", 0.45), ("detresse", 0.42), ("thank", 0.1)]
    assert _intent_after_override("je m'en vais pour de vrai", ranking) == "detresse"


def test_a_faint_distress_guess_does_not_win():
    ranking = [("goodbye", 0.7), ("detresse", 0.1), ("thank", 0.1)]
    assert _intent_after_override("je m'en vais", ranking) == "goodbye"


def test_distress_third_does_not_win():
    ranking = [("goodbye", 0.45), ("thank", 0.42), ("detresse", 0.41)]
    assert _intent_after_override("au revoir et merci", ranking) == "goodbye"
