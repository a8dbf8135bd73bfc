"""bot/rasa_server.py: the action server's answers are checked as Rasa checks them, only faster."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.launcher import rasa_server_command
from bot.rasa_server import validate_action_result
from bot.settings import load_settings

VALID = {"events": [{"event": "slot", "name": "lecture", "value": None}], "responses": [{"text": "Voici"}]}
INVALID = [{"events": "pas une liste"}, {"events": [{"event": 3}]}, {"events": [{"timestamp": 1}]}]


def rasa_verdict(result):
    try:
        return RemoteAction._validate_action_result(RemoteAction.__new__(RemoteAction), result)
    except ValidationError as error:
        return error.message


def our_verdict(result):
    try:
        return validate_action_result(RemoteAction.__new__(RemoteAction), result)
    except ValidationError as error:
        return error.message


@pytest.mark.parametrize("result", [VALID, {}, *INVALID])
def test_same_verdict_and_message_as_rasa(result):
    assert our_verdict(result) == rasa_verdict(result)


def test_invalid_answers_are_still_refused():
    for result in INVALID:
        with pytest.raises(ValidationError):
            validate_action_result(RemoteAction.__new__(RemoteAction), result)


def test_the_launcher_starts_rasa_through_this_module(tmp_path):
    assert rasa_server_command(load_settings(), tmp_path / "m.tar.gz")[1:4] == ["-m", "bot.rasa_server", "run"]
