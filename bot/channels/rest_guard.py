"""The guard (bot/channels/guard.py) in front of the REST webhooks.

`GuardedRestInput` is Rasa's REST channel (`POST /webhooks/rest/webhook`) with the guard as a
request middleware of its blueprint; `guard_rest_webhook` puts the same middleware on any
REST-shaped blueprint (bot/channels/rest.py's idempotent channel uses it too). The middleware
answers by itself what must not reach the assistant, and hands the handler a clean body: only
`sender`, `message` (cleaned) and `message_id`. Client `metadata` and `input_channel` are
dropped, so that nothing a client adds (an IP address, a spoofed channel) is stored.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import NOT_JSON, check_message, parse_json_object
from bot.settings import load_settings

# Rasa's server reads no request body bigger than this (Sanic's REQUEST_MAX_SIZE, 100 MB by
# default): 413 before anything is parsed. A thousand times the longest message.
MAX_REQUEST_BYTES = 1024 * 1024


class GuardedRestInput(RestInput):
    """Rasa's REST channel, behind the guard. Same name, same address, same answers."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        guard_rest_webhook(webhook)
        return webhook


def guard_rest_webhook(webhook: Blueprint) -> None:
    """Check every `POST …/webhook` of `webhook` before its handler runs."""
    max_length = load_settings().max_message_length

    @webhook.middleware("request")
    async def guard(request: Request) -> Optional[HTTPResponse]:
        if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
            return None
        body = parse_json_object(request.body)
        if body is None:
            return _refused(NOT_JSON)
        sender = body.get("sender")
        verdict = check_message(body.get("message"), sender, max_length)
        if verdict.error:
            return _refused(verdict.error)
        if verdict.reply:
            return response.json([{"recipient_id": sender, "text": verdict.reply}])
        clean = {"sender": sender, "message": verdict.text}
        if "message_id" in body:
            clean["message_id"] = body["message_id"]
        request.parsed_json = clean
        return None

    limit_request_size(webhook)


def limit_request_size(blueprint: Blueprint) -> None:
    """Lower the whole server's body limit when it starts (Sanic reads it for each connection)."""

    @blueprint.listener("before_server_start")
    async def limit(app: Sanic, _: Any) -> None:
        app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES


def _refused(reason: str) -> HTTPResponse:
    return response.json({"erreur": reason}, status=400)
