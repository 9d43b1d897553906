"""The REST channel, with each bot message kept whole.

Rasa's stock REST channel splits one utterance into a text message and a separate ``custom``
message. Clients of this bot read the reply contract (what a question asks, the verdict) from
the same message as the text, so this channel keeps them together. The URL is the stock one:
``POST /webhooks/rest/webhook`` with ``{"sender": ..., "message": ...}``.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


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


class RestChannel(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("trialbot_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            collector = WholeMessageCollector()
            await on_new_message(UserMessage(
                self._extract_message(request), collector, await self._extract_sender(request),
                input_channel=self.name(), metadata=self.get_metadata(request),
            ))
            return response.json(collector.messages)

        return webhook
