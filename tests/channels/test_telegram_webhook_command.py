"""`python -m bot telegram webhook|supprimer`, against the fake Bot API server."""
from __future__ import annotations

import pytest

from bot.__main__ import main
from bot.channels.telegram_messages import COMMANDS
from tests.channels.conftest import SECRET, TOKEN

WEBHOOK_URL = "https://assistant.example.org/webhooks/telegram/webhook"


@pytest.fixture
def telegram_env(monkeypatch, fake_bot_api):
    values = {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
        "TELEGRAM_API_BASE_URL": fake_bot_api.url,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_webhook_is_registered_with_its_secret_and_only_the_handled_updates(
    telegram_env, fake_bot_api, capsys
):
    assert main(["telegram", "webhook"]) == 0
    [registered] = fake_bot_api.calls("setWebhook")[-1:]
    assert registered["url"] == WEBHOOK_URL
    assert registered["secret_token"] == SECRET
    assert registered["allowed_updates"] == ["message", "edited_message", "callback_query"]
    [commands] = fake_bot_api.calls("setMyCommands")[-1:]
    assert [c["command"] for c in commands["commands"]] == [name for name, _ in COMMANDS]
    out = capsys.readouterr().out
    assert "Webhook enregistré pour @bibliotheque_test_bot" in out and TOKEN not in out


def test_webhook_is_deleted(telegram_env, fake_bot_api, capsys):
    before = len(fake_bot_api.calls("deleteWebhook"))
    assert main(["telegram", "supprimer"]) == 0
    assert len(fake_bot_api.calls("deleteWebhook")) == before + 1
    assert "Webhook supprimé" in capsys.readouterr().out


def test_missing_or_invalid_settings_are_explained_before_calling_telegram(
    telegram_env, fake_bot_api, capsys
):
    telegram_env.setenv("TELEGRAM_SECRET_TOKEN", "pas de espaces!")
    telegram_env.delenv("TELEGRAM_WEBHOOK_URL")
    calls_before = len(fake_bot_api.calls())
    assert main(["telegram", "webhook"]) == 1
    out = capsys.readouterr().out
    assert "TELEGRAM_SECRET_TOKEN n'est pas accepté" in out
    assert "TELEGRAM_WEBHOOK_URL est vide" in out
    assert len(fake_bot_api.calls()) == calls_before


def test_a_wrong_token_is_named_as_the_cause(telegram_env, capsys):
    telegram_env.setenv("TELEGRAM_TOKEN", "42:faux")
    assert main(["telegram", "webhook"]) == 1
    assert "Vérifiez TELEGRAM_TOKEN" in capsys.readouterr().out


def test_an_unreachable_telegram_gives_a_french_message_not_a_traceback(telegram_env, capsys):
    telegram_env.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:9")
    assert main(["telegram", "webhook"]) == 2
    out = capsys.readouterr().out
    assert "Impossible de joindre le serveur Bot API http://127.0.0.1:9" in out and TOKEN not in out
