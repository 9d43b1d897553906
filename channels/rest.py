"""The REST channel, with each bot message kept whole.

Rasa's stock REST channel splits one utterance into a text message and a separate ``custom``
message. Clients of this bot read the reply contract (what a question asks, the verdict) from
the same message as the text, so this channel keeps them together. The URL is the stock one:
``POST /webhooks/rest/webhook`` with ``{"sender": ..., "message": ...}``.

A client may add ``"message_id"``, its own id of the message (letters, digits, ``-`` and ``_``, at
most ``MAX_MESSAGE_ID_CHARS``), and send the message again with the same id when no reply came
(a timeout, a dropped connection). A message with the id of the conversation's last message is not
handled again: the reply is the bot's messages to the first one, so the person sees the answer
they missed and the bot sees one answer. If the first one got no answer (``custom.failed`` below, after
a turn that failed but was stored: the action server down), it is handled again. The check runs under the conversation's lock, so a copy
that arrives while the first is still being handled waits for it, on any server.

Rasa's log lines made while a message is handled do not show its words (channels/redaction.py).

The channel is stateless: a conversation is found by its sender id in the tracker store, so any
number of Rasa servers behind a load balancer can answer any message (unlike Socket.IO, whose
sessions live in one server's memory).

What it refuses, before anything reaches the model, always with a reply in the usual format (a
list of bot messages, here with ``custom.refused`` saying why) so that a client can show it:

- a message longer than ``MAX_MESSAGE_CHARS`` characters: HTTP 200 and a bot message saying it is
  too long (the conversation is unchanged, and the person can send a shorter answer);
- a request body over ``MAX_BODY_BYTES``: HTTP 413, with the same bot message;
- a body that is not a JSON object with a ``sender`` id and a text ``message`` (and a well-formed
  ``message_id``, if any): HTTP 400. There is no default sender: clients that forgot it would
  otherwise all share one conversation;
- a body with text that no database can store in any field (a lone surrogate, a non-character:
  channels/guard.py): HTTP 400, ``custom.field`` naming the field;
- a request from a web page of an origin that is not allowed (the ``Origin`` header; the
  configured ``cors_origins``): HTTP 403. CORS headers alone only stop such a page from reading
  the reply, and a plain-text POST is sent without asking first, so the message must not be
  passed on at all. Clients that are not browsers send no ``Origin`` and are not affected.

A message passed on that got no answer (a turn that failed, the action server down: Rasa logs it and
goes on with nothing to say), or whose turn failed with an error (the tracker store's PostgreSQL or the
conversation locks' Redis out of reach: nothing of it was stored, channels/failures.py), gets one
asking the person to send it again (HTTP 200, ``custom.failed``, in the language of
``metadata.language``): never an empty reply, never a 500.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable, Collection, Dict, List, Optional, Sequence, Text

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import BotUttered, Event, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import reply_contract, texts
from trialbot.config import load_settings
from channels.failures import log_failure, not_answered, store_failures_fail_the_message
from channels.guard import REFUSAL, unreadable_field
from channels.redaction import handling

MAX_MESSAGE_CHARS = 1000  # the same limit as the engine's (bot/conversation.py MAX_MESSAGE_LENGTH)
# Room for a message of MAX_MESSAGE_CHARS in any JSON encoding (even "\ud83d\ude00" escapes).
MAX_BODY_BYTES = 16 * 1024
MAX_SENDER_CHARS = 128
MAX_MESSAGE_ID_CHARS = 64
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,%d}" % MAX_MESSAGE_ID_CHARS)
BAD_REQUEST = ('Send a JSON object: {"sender": "<conversation id>", "message": "<text>"}, optionally with '
               '"message_id": "<your id of the message, the same when it is sent again>".')

logger = logging.getLogger(__name__)


class WholeMessageCollector(CollectingOutputChannel):
    """Collects each utterance as one message: text, buttons and custom payload together."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await self._persist_message(self._message(
            recipient_id,
            text=message.get("text"),
            image=message.get("image"),
            buttons=message.get("buttons") or None,
            attachment=message.get("attachment"),
            custom=message.get("custom") or None,
        ))


def _refusal(recipient_id: Optional[Text], text: Text, reason: Text, status: int = 200,
             **detail: Any) -> HTTPResponse:
    """A reply for a message that was not passed on: ``custom.refused`` says why."""
    if reason == "too_long":
        detail["limit"] = MAX_MESSAGE_CHARS
    custom = reply_contract.refused(reason, **detail)
    return response.json([{"recipient_id": recipient_id, "text": text, "custom": custom}], status=status)


def _not_answered(recipient_id: Text, metadata: Any, error: Optional[BaseException] = None) -> List[Dict[str, Any]]:
    """The reply to a message that got none: every message the bot can read gets an answer, so none means
    a turn that failed (the action server down, the model still loading: Rasa logs it and goes on), and so
    does an error (the tracker store's database or the conversation locks' Redis out of reach)."""
    log_failure("REST", error)
    return [{"recipient_id": recipient_id, **not_answered(metadata.get("language") if isinstance(metadata, dict)
                                                           else None)}]


def _replies_to_last_message(events: Sequence[Event], message_id: Text) -> Optional[List[BotUttered]]:
    """The bot's messages since the conversation's last user message if that message had ``message_id``."""
    replies: List[BotUttered] = []
    for event in reversed(events):
        if isinstance(event, UserUttered):
            return replies[::-1] if event.message_id == message_id else None
        if isinstance(event, BotUttered):
            replies.append(event)
    return None


async def _replies_already_given(agent: Agent, message: UserMessage) -> Optional[List[BotUttered]]:
    """The replies to the conversation's last message if it was ``message``. Rasa loads the current
    session only (actions/sessions.py); a session that ended with a turn holds no message yet, and
    that turn is in the one before: then, once per session, the whole conversation is read."""
    tracker = await agent.tracker_store.retrieve(message.sender_id)
    if tracker is not None and not any(isinstance(event, UserUttered) for event in tracker.events):
        tracker = await agent.tracker_store.retrieve_full_tracker(message.sender_id)
    return _replies_to_last_message(tracker.events, message.message_id) if tracker else None


async def answer_once(agent: Agent, message: UserMessage) -> None:
    """Handles ``message`` unless it repeats the conversation's last message: then the bot's replies to
    that one go to the message's output channel again. A repeated message that got no reply (its turn
    failed: the action server was down) is handled again, or it would be refused for ever.

    This is ``Agent.handle_message`` (what ``on_new_message`` calls) with the check inside the same
    conversation lock: outside it, a copy arriving while the first is being handled would find no
    trace of it yet and be handled too.
    """
    async with agent.lock_store.lock(message.sender_id):
        earlier = await _replies_already_given(agent, message)
        if not earlier:
            await agent.processor.handle_message(message)
            return
    logger.info("A message was sent again: answered with the %d replies already given.", len(earlier))
    for reply in earlier:
        await message.output_channel.send_response(message.sender_id, reply.message())


def _too_long(recipient_id: Optional[Text], length: int, status: int = 200) -> HTTPResponse:
    text = texts.TOO_LONG.format(length=f"{length:,}", limit=f"{MAX_MESSAGE_CHARS:,}")
    return _refusal(recipient_id, text, "too_long", status)


class RestChannel(RestInput):
    def __init__(self, allowed_origins: Optional[Collection[str]] = None) -> None:
        self.allowed_origins = frozenset(load_settings().allowed_origins if allowed_origins is None
                                         else allowed_origins)

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestChannel":
        return cls((credentials or {}).get("allowed_origins"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("trialbot_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            origin = request.headers.get("origin")
            if origin is not None and origin.rstrip("/") not in self.allowed_origins:
                return _refusal(None, texts.FOREIGN_ORIGIN, "origin", status=403)
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return _too_long(None, len(body.decode("utf-8", errors="replace")), status=413)
            try:
                payload = json.loads(body or b"null")
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                payload = {}
            field = unreadable_field(payload)
            if field:
                logger.warning("Refused a REST message: invalid Unicode in a field (content not logged).")
                return _refusal(None, REFUSAL, "bad_request", status=400, field=field)
            sender, message, message_id = payload.get("sender"), payload.get("message"), payload.get("message_id")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS \
                    or not isinstance(message, str) \
                    or not (message_id is None or isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id)):
                return _refusal(None, BAD_REQUEST, "bad_request", status=400)
            if len(message) > MAX_MESSAGE_CHARS:
                return _too_long(sender, len(message))
            collector = WholeMessageCollector()
            user_message = UserMessage(message, collector, sender, input_channel=self.name(), message_id=message_id,
                                       metadata=self.get_metadata(request))
            agent = getattr(request.app.ctx, "agent", None)  # None while the model loads
            store_failures_fail_the_message(agent)
            try:
                with handling(message):
                    if message_id is not None and agent is not None and agent.is_ready():
                        await answer_once(agent, user_message)
                    else:
                        await on_new_message(user_message)
            except Exception as error:  # noqa: BLE001 - nothing of the turn was stored: asked again, not a 500
                return response.json(_not_answered(sender, user_message.metadata, error))
            return response.json(collector.messages or _not_answered(sender, user_message.metadata))

        return webhook
