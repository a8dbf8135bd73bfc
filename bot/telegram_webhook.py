"""Register or delete the Telegram webhook (`python -m bot telegram webhook|supprimer`).

Done by hand, once per deployment, rather than at server start (as Rasa's connector does):
the assistant must start even when Telegram cannot be reached, and only the administrator
should decide where Telegram sends the library's conversations.
"""
from __future__ import annotations

import asyncio
from typing import Optional

from bot.channels.telegram_api import (
    ALLOWED_UPDATES,
    TelegramApiError,
    TelegramBotApi,
    TelegramSettings,
    TelegramUnreachable,
)
from bot.channels.telegram_messages import COMMANDS

WEBHOOK_PATH = "/webhooks/telegram/webhook"


def register_webhook(settings: Optional[TelegramSettings] = None) -> int:
    """Point Telegram at our webhook with the secret, list the commands; return an exit code."""
    settings = settings or TelegramSettings.from_environment()
    problems = settings.problems()
    if problems:
        print("Le webhook Telegram n'est pas enregistré :")
        print("\n".join(f"  - {problem}" for problem in problems))
        return 1
    if not settings.webhook_url.rstrip("/").endswith(WEBHOOK_PATH):
        print(f"Attention : l'adresse ne se termine pas par {WEBHOOK_PATH}, où l'assistant écoute.")
    return _run(_register(settings), settings)


def delete_webhook(settings: Optional[TelegramSettings] = None) -> int:
    """Stop Telegram's deliveries (the updates still waiting are kept); return an exit code."""
    settings = settings or TelegramSettings.from_environment()
    if not settings.token:
        print("TELEGRAM_TOKEN est vide : impossible de savoir quel robot déconnecter.")
        return 1
    return _run(_delete(settings), settings)


async def _register(settings: TelegramSettings) -> None:
    async with TelegramBotApi(settings.token, settings.api_base_url) as api:
        me = await api.call("getMe")
        await api.call(
            "setWebhook",
            url=settings.webhook_url,
            secret_token=settings.secret_token,
            allowed_updates=list(ALLOWED_UPDATES),
        )
        await api.call(
            "setMyCommands",
            commands=[{"command": name, "description": text} for name, text in COMMANDS],
        )
        info = await api.call("getWebhookInfo")
    print(f"Webhook enregistré pour @{me.get('username', '?')} : {settings.webhook_url}")
    print(f"Mises à jour en attente chez Telegram : {info.get('pending_update_count', 0)}")
    if info.get("last_error_message"):
        print(f"Dernière erreur signalée par Telegram : {info['last_error_message']}")


async def _delete(settings: TelegramSettings) -> None:
    async with TelegramBotApi(settings.token, settings.api_base_url) as api:
        await api.call("deleteWebhook")
    print("Webhook supprimé : Telegram n'envoie plus les messages à l'assistant.")


def _run(job, settings: TelegramSettings) -> int:
    try:
        asyncio.run(job)
    except TelegramUnreachable:
        print(
            f"Impossible de joindre le serveur Bot API {settings.api_base_url} : vérifiez la "
            "connexion de ce serveur à Internet (ou TELEGRAM_API_BASE_URL), puis réessayez."
        )
        return 2
    except TelegramApiError as error:
        hint = " Vérifiez TELEGRAM_TOKEN." if error.code in (401, 404) else ""
        print(f"Telegram a refusé la demande ({error.method}) : {error.description}.{hint}")
        return 1
    return 0
