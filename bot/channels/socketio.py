"""Rasa's socket.io channel (the website widget's), behind the guard and the allowed origins.

Rasa builds its socket.io server with origin checks off (`cors_allowed_origins=[]`), leaving
CORS to the HTTP server's headers; but browsers do not apply CORS to WebSockets, so any web page
could talk to the assistant through its visitors' browsers. Here the connection itself is
refused when the browser says it comes from another origin than the configured ones
(CORS_ORIGINS, bot/settings.py). Clients that are not browsers send no Origin and are let in:
the check protects visitors' browsers, it does not authenticate anyone.

With several Rasa workers (SANIC_WORKERS), a client speaks WebSocket only: each worker has its
own socket.io sessions, and HTTP long-polling sends every request of a session to whichever
worker accepts it, which does not know the session (Rasa PR #7864). A WebSocket stays with the
worker that accepted it. The widget tries WebSocket first (bot/web/widget/connection.js).

Rasa's event handlers stay in charge; each is wrapped:
- `session_request`: a session id that is not a valid sender id is replaced by a new one, and
  the session confirmed to a socket is remembered;
- `user_uttered`: only in the session confirmed to this socket (knowing another visitor's id is
  not enough to speak in their conversation), and through the guard; client metadata dropped.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot.channels.guard import check_text, valid_sender_id
from bot.channels.rest_guard import limit_request_size
from bot.settings import load_settings

logger = logging.getLogger(__name__)

NO_SESSION = (
    "Je ne retrouve pas votre conversation : rechargez la page, puis écrivez de nouveau votre "
    "message."
)
NOT_A_MESSAGE = "Je n'ai pas pu lire ce message : il doit contenir un texte."


def origin_allowed(origin: Optional[str], allowed: tuple[str, ...]) -> bool:
    """No Origin header (not a browser) or one of the configured origins ("*": all)."""
    return origin is None or "*" in allowed or origin in allowed


class GuardedSocketIOInput(SocketIOInput):
    """Same name (`socketio`), same path and events as Rasa's channel."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        settings = load_settings()
        sio = self.sio
        if settings.rasa_workers > 1:
            sio.eio.transports = ["websocket"]
        rasa_handlers = dict(sio.handlers[self.namespace or "/"])
        confirmed: dict[str, str] = {}  # socket id -> the session id confirmed to that socket

        async def say(sid: str, text: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid)

        async def connect(sid: str, environ: dict, auth: Optional[dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if not origin_allowed(origin, settings.cors_origins):
                logger.warning("socket.io : connexion refusée depuis l'origine %r.", origin[:200])
                return False
            return await rasa_handlers["connect"](sid, environ, auth)

        async def disconnect(sid: str) -> None:
            confirmed.pop(sid, None)
            await rasa_handlers["disconnect"](sid)

        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if valid_sender_id(requested) else uuid.uuid4().hex
            confirmed[sid] = session_id
            await rasa_handlers["session_request"](sid, {"session_id": session_id})

        async def user_uttered(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                await say(sid, NOT_A_MESSAGE)
                return
            if self.session_persistence:
                session_id = data.get("session_id")
                if session_id is None or session_id != confirmed.get(sid):
                    await say(sid, NO_SESSION)
                    return
            verdict = check_text(data.get("message"), settings.max_message_length)
            if verdict.error:
                await say(sid, NOT_A_MESSAGE)
            elif verdict.reply:
                await say(sid, verdict.reply)
            else:
                clean = {"message": verdict.text}
                if self.session_persistence:
                    clean["session_id"] = data["session_id"]
                await rasa_handlers[self.user_message_evt](sid, clean)

        for event, handler in [
            ("connect", connect),
            ("disconnect", disconnect),
            ("session_request", session_request),
            (self.user_message_evt, user_uttered),
        ]:
            sio.on(event, handler, namespace=self.namespace)
        limit_request_size(webhook)
        return webhook
