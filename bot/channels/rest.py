"""Rasa's REST channel, made safe to retry: a turn sent twice is processed once.

Behind a load balancer a client may not know whether its message was processed: the replica
died, or the answer timed out on the way back. It then sends the same turn again. Rasa's own
`rest` channel would process it a second time (the visitor's question twice in the
conversation, the readings list moved one page on). Here each turn carries a message id, which
Rasa stores in the `UserUttered` event; a turn whose id is already in the conversation is not
processed again: the replies recorded after it are sent back instead.

The id is the body's `message_id` when the client gives one (it must then reuse it when it
retries), or else nginx's `X-Request-ID`, which stays the same when nginx itself retries the
request on another replica (deploy/nginx.conf.template).

Visitors' messages pass the same guard as Rasa's REST channel (bot/channels/rest_guard.py).
The check and the processing run under the conversation's lock (Redis when there are several
replicas), as `Agent.handle_message` does: a retry that reaches another replica while the first
attempt is still running waits for it, then finds its id. Unlike Rasa's channel, an error is a
503, not an empty 200, so the client knows it may retry: nothing was saved, or the retry finds
the saved turn.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Mapping, Optional, Sequence

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.rest_guard import guard_rest_webhook

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# Set on an answer that was not computed again but read back from the conversation.
REPLAYED_HEADER = "X-Assistant-Replayed"
MAX_MESSAGE_ID_LENGTH = 128
BAD_REQUEST = "Il faut un « sender » et un « message » textes, et un « message_id » texte facultatif."
TRY_AGAIN = "L'assistant n'a pas pu traiter ce message. Renvoyez-le avec le même message_id."


def message_id_of(body: Mapping[str, Any], headers: Mapping[str, str]) -> Optional[str]:
    """The client's id of this turn, else nginx's id of this request, else None (Rasa makes one)."""
    message_id = body.get("message_id") or headers.get(REQUEST_ID_HEADER)
    if isinstance(message_id, str) and 0 < len(message_id) <= MAX_MESSAGE_ID_LENGTH:
        return message_id
    return None


def _answer_events(events: Sequence[Event], message_id: str) -> Optional[list[BotUttered]]:
    """The bot messages of the turn opened by user message `message_id`, None if it is unknown.

    They are the ones after it, up to the next user message, and the greeting of the session it
    opened: `action_session_start` runs, and speaks, just before the message is logged.
    """
    index = next(
        (i for i, e in enumerate(events) if isinstance(e, UserUttered) and e.message_id == message_id),
        None,
    )
    if index is None:
        return None
    start = index
    for position in range(index - 1, -1, -1):
        event = events[position]
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME:
            start = position
            break
    answer = [e for e in events[start:index] if isinstance(e, BotUttered)]
    for event in events[index + 1:]:
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            answer.append(event)
    return answer


async def recorded_replies(
    events: Sequence[Event], message_id: str, recipient_id: str
) -> Optional[list[dict[str, Any]]]:
    """The REST replies that answered `message_id`, shaped as when they were first sent."""
    answer = _answer_events(list(events), message_id)  # a tracker's events are a deque
    if answer is None:
        return None
    collector = CollectingOutputChannel()
    for event in answer:
        message = event.message()
        message.pop("timestamp", None)
        await collector.send_response(recipient_id, message)
    return collector.messages


class IdempotentRestInput(RestInput):
    """POST /webhooks/rest_idempotent/webhook {"sender", "message", "message_id"?}.

    A `message_id` names one turn of the conversation: sent again, it gets the same answer.
    """

    @classmethod
    def name(cls) -> str:
        return "rest_idempotent"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # `on_new_message` is `Agent.handle_message`, which takes the lock itself; the duplicate
        # check must run under the same lock, so this channel takes it and calls the processor.
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            if not (isinstance(sender, str) and sender and isinstance(text, str)):
                return response.json({"erreur": BAD_REQUEST}, status=400)
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return _try_again()
            message_id = message_id_of(body, request.headers)
            collector = CollectingOutputChannel()
            message = UserMessage(
                text, collector, sender,
                input_channel=self._extract_input_channel(request),
                metadata=self.get_metadata(request),
                message_id=message_id,
            )
            try:
                async with agent.lock_store.lock(sender):
                    if message_id:
                        # All sessions: `retrieve` starts at the session start and so leaves out
                        # the greeting that `action_session_start` sent just before it.
                        tracker = await agent.tracker_store.retrieve_full_tracker(sender)
                        replies = await recorded_replies(tracker.events if tracker else [], message_id, sender)
                        if replies is not None:
                            logger.info("Message %s déjà traité : réponses renvoyées.", message_id)
                            return response.json(replies, headers={REPLAYED_HEADER: "1"})
                    await agent.processor.handle_message(message)
            except Exception:
                logger.exception("Le message %s n'a pas pu être traité.", message.message_id)
                return _try_again()
            return response.json(collector.messages)

        guard_rest_webhook(webhook)
        return webhook


def _try_again() -> HTTPResponse:
    return response.json({"erreur": TRY_AGAIN}, status=503, headers={"Retry-After": "1"})
