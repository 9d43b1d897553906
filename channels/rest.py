"""The REST channel, with each bot message kept whole.

Rasa's stock REST channel splits one utterance into a text message and a separate ``custom``
message. Clients of this bot read the reply contract (what a question asks, the verdict) from
the same message as the text, so this channel keeps them together. The URL is the stock one:
``POST /webhooks/rest/webhook`` with ``{"sender": ..., "message": ...}``.

The channel is stateless: a conversation is found by its sender id in the tracker store, so any
number of Rasa servers behind a load balancer can answer any message (unlike Socket.IO, whose
sessions live in one server's memory).

What it refuses, before anything reaches the model, always with a reply in the usual format (a
list of bot messages, here with ``custom.refused`` saying why) so that a client can show it:

- a message longer than ``MAX_MESSAGE_CHARS`` characters: HTTP 200 and a bot message saying it is
  too long (the conversation is unchanged, and the person can send a shorter answer);
- a request body over ``MAX_BODY_BYTES``: HTTP 413, with the same bot message;
- a body that is not a JSON object with a ``sender`` id and a text ``message``: HTTP 400. There is
  no default sender: clients that forgot it would otherwise all share one conversation;
- a request from a web page of an origin that is not allowed (the ``Origin`` header; the
  configured ``cors_origins``): HTTP 403. CORS headers alone only stop such a page from reading
  the reply, and a plain-text POST is sent without asking first, so the message must not be
  passed on at all. Clients that are not browsers send no ``Origin`` and are not affected.
"""
from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Collection, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import texts
from bot.config import load_settings

MAX_MESSAGE_CHARS = 1000  # the same limit as the engine's (bot/conversation.py MAX_MESSAGE_LENGTH)
# Room for a message of MAX_MESSAGE_CHARS in any JSON encoding (even "\ud83d\ude00" escapes).
MAX_BODY_BYTES = 16 * 1024
MAX_SENDER_CHARS = 128
BAD_REQUEST = 'Send a JSON object: {"sender": "<conversation id>", "message": "<text>"}.'


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


def _refusal(recipient_id: Optional[Text], text: Text, reason: Text, status: int = 200) -> HTTPResponse:
    """A reply for a message that was not passed on: ``custom.refused`` says why."""
    custom: Dict[Text, Any] = {"refused": reason}
    if reason == "too_long":
        custom["limit"] = MAX_MESSAGE_CHARS
    return response.json([{"recipient_id": recipient_id, "text": text, "custom": custom}], status=status)


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
            sender = payload.get("sender") if isinstance(payload, dict) else None
            message = payload.get("message") if isinstance(payload, dict) else None
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS \
                    or not isinstance(message, str):
                return _refusal(None, BAD_REQUEST, "bad_request", status=400)
            if len(message) > MAX_MESSAGE_CHARS:
                return _too_long(sender, len(message))
            collector = WholeMessageCollector()
            await on_new_message(UserMessage(
                message, collector, sender, input_channel=self.name(), metadata=self.get_metadata(request),
            ))
            return response.json(collector.messages)

        return webhook
