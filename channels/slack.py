"""Slack (Events API) for clinic staff, on Rasa's stock connector.

``credentials.yml`` (see ``credentials.staff.yml`` and the README, "Staff channels")::

    channels.slack.SlackChannel:
      slack_token: ${TRIALBOT_SLACK_TOKEN}                   # the app's bot token, xoxb-...
      slack_signing_secret: ${TRIALBOT_SLACK_SIGNING_SECRET}
      slack_api_url: https://slack.com/api/                  # optional: Slack's Web API base URL
      slack_channel: C0123456789                             # optional: a channel where every message is for the bot

Events arrive at ``POST /webhooks/slack/webhook``. What this adds to ``rasa.core.channels.slack``:

- Verification (https://api.slack.com/authentication/verifying-requests-from-slack): the
  ``X-Slack-Signature`` must be ``v0=`` + HMAC-SHA256 of ``v0:{X-Slack-Request-Timestamp}:{body}``
  under the signing secret; the timestamp must be within 5 minutes of now (either way); and a
  signature is accepted once only (a captured request sent again within those 5 minutes is a
  replay). Anything else gets HTTP 401 and one warning in the log with the reason, the size and
  the sender's address, never the content.
- One conversation per patient thread: in a channel, a message that mentions the bot starts a
  thread and the bot answers in it; the thread is one conversation (one patient), whoever writes
  in it. In a direct message, the top level is one conversation and each thread another. The
  conversation id is ``slack:<team>:<channel>[:<thread ts>]``; ``new patient`` starts afresh within
  a conversation (see bot/staff.py).
- An event with text that no database can store (a lone surrogate, a non-character:
  channels/guard.py) in any field gets HTTP 400, logged without its content.
- Each event is handled once: Slack sends a message that mentions the bot both as ``message`` and
  ``app_mention``, and retries what it thinks was not received; both are recognised by channel and
  message ``ts``. Events are acknowledged at once and handled in the background (Slack wants an
  answer within 3 seconds).
- Replies go through ``slack_api_url`` (Slack's by default; the tests point it at a fake), as Block
  Kit messages within Slack's limits (channels/formatting.py). Nothing is called at start-up.
- A message whose turn fails (the action server, the tracker store or the locks out of reach) gets
  "please send your message again" in its thread, in its language (channels/handoff.py). So does one
  whose signature or message the replay guard cannot look up (Redis out of reach, with several
  servers: channels/replay.py), without being handled: acknowledged with HTTP 200, so that Slack does
  not retry it into the same outage.
- A thread reply without a mention, while the tracker store cannot say whether the thread is the bot's
  (PostgreSQL away), gets HTTP 503 and is not handled: Slack delivers it again later.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.failures import TrackerStoreUnavailable, store_failures_fail_the_message, what_failed
from channels.formatting import slack_messages
from channels.guard import REFUSAL, unreadable_field
from channels.handoff import Handoff
from channels.replay import GuardUnavailable, seen_recently

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
MAX_REQUEST_AGE = 5 * 60  # seconds, as Slack recommends
MAX_BODY_BYTES = 64 * 1024


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    """``X-Slack-Signature`` as Slack computes it."""
    base = f"v0:{timestamp}:".encode("utf-8") + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def check_signature(secret: str, timestamp: Optional[str], signature: Optional[str], body: bytes,
                    now: float, max_age: int = MAX_REQUEST_AGE) -> Optional[str]:
    """Why a request is not verifiably from Slack, or None when it is."""
    if not timestamp or not signature:
        return "no signature headers"
    try:
        sent = int(timestamp)
    except ValueError:
        return "malformed timestamp"
    if abs(now - sent) > max_age:
        return f"timestamp {int(now - sent)} s from now, outside the {max_age} s window (replayed or clock skew)"
    if not hmac.compare_digest(signature_for(secret, timestamp, body), signature):
        return "signature does not match"
    return None


def unescape(text: str) -> str:
    """Slack escapes ``&``, ``<`` and ``>`` in message text: "plt &lt;20k" is "plt <20k"."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> List[str]:
    """The strings of a list in a payload (anything else in it is not Slack's)."""
    return [item for item in _list(value) if isinstance(item, str)]


def conversation_id(team: Optional[str], channel: str, thread: Optional[str]) -> str:
    return ":".join(part for part in ("slack", team or "-", channel, thread) if part)


class SlackReplies(SlackBot):
    """Posts the bot's messages to one Slack channel (in one thread), through a configurable API URL."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def __init__(self, token: Text, slack_channel: Optional[Text] = None, thread_id: Optional[Text] = None,
                 proxy: Optional[Text] = None, api_url: Text = DEFAULT_API_URL) -> None:
        OutputChannel.__init__(self)
        self.slack_channel = slack_channel
        self.thread_id = thread_id
        self.proxy = proxy
        self.api_url = api_url
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)
        self.sent = 0  # replies to this message (none: its turn failed; see channels/handoff.py)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.sent += 1
        channel = self.slack_channel or recipient_id
        for payload in slack_messages(message.get("text"), message.get("buttons") or (), message.get("custom")):
            try:
                await self._post_message(channel=channel, **payload)
            except Exception as error:  # noqa: BLE001 - a failed reply is logged, not raised into Rasa
                detail = getattr(getattr(error, "response", None), "get", lambda *_: None)("error")
                logger.error("Could not post a reply to Slack at %s: %s%s", self.api_url, type(error).__name__,
                             f" ({detail})" if detail else "")
                return

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"custom": json_message})


class SlackChannel(SlackInput):
    """Slack's Events API (and interactive buttons), verified and threaded per patient."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            slack_token=credentials.get("slack_token"),
            slack_signing_secret=credentials.get("slack_signing_secret") or "",
            slack_api_url=credentials.get("slack_api_url") or DEFAULT_API_URL,
            slack_channel=credentials.get("slack_channel"),
            proxy=credentials.get("proxy"),
            max_request_age=int(credentials.get("max_request_age") or MAX_REQUEST_AGE),
        )

    def __init__(self, slack_token: Text, slack_signing_secret: Text, slack_api_url: Text = DEFAULT_API_URL,
                 slack_channel: Optional[Text] = None, proxy: Optional[Text] = None,
                 max_request_age: int = MAX_REQUEST_AGE) -> None:
        super().__init__(slack_token, slack_channel, proxy, use_threads=True,
                         slack_signing_secret=slack_signing_secret, conversation_granularity="thread")
        if not slack_token:
            raise InvalidConfigException("The Slack channel needs `slack_token` (the app's bot token, xoxb-...).")
        self.api_url = slack_api_url if slack_api_url.endswith("/") else slack_api_url + "/"
        self.max_request_age = max_request_age
        self._signatures = seen_recently("slack-signatures", max_request_age * 2)
        self._messages = seen_recently("slack-messages", 60 * 60)
        self.handoff = Handoff("Slack")

    # -- verification --------------------------------------------------------------------------
    def refusal(self, request: Request, now: Optional[float] = None) -> Optional[str]:
        """Why a request must be refused, or None. A verified signature is used up. Raises
        GuardUnavailable for a verified signature that cannot be told used or not."""
        now = time.time() if now is None else now
        signature = request.headers.get("X-Slack-Signature")
        reason = check_signature(self.slack_signing_secret, request.headers.get("X-Slack-Request-Timestamp"),
                                 signature, request.body or b"", now, self.max_request_age)
        if reason is None and not self._signatures.add(str(signature), now):
            reason = "signature already used (replayed request)"
        return reason

    def is_request_from_slack_authentic(self, request: Request) -> bool:
        return self.refusal(request) is None

    # -- the webhook ---------------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("trialbot_slack_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.body or b""
            unsure: Optional[GuardUnavailable] = None  # verified, but whether it was used before is not known
            try:
                reason = "request too large" if len(body) > MAX_BODY_BYTES else self.refusal(request)
            except GuardUnavailable as error:
                reason, unsure = None, error
            if reason:
                logger.warning("Refused a Slack request from %s: %s (%d bytes, content not logged)",
                               request.ip, reason, len(body))
                return response.text("Request not verified.", status=HTTPStatus.UNAUTHORIZED)
            content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            interaction = content_type == "application/x-www-form-urlencoded"  # a button was clicked
            try:
                payload = json.loads(request.form.get("payload") or "{}") if interaction else json.loads(body or b"{}")
            except (ValueError, TypeError):
                logger.warning("Refused a Slack request from %s: not JSON (%d bytes)", request.ip, len(body))
                return response.text("Bad request.", status=HTTPStatus.BAD_REQUEST)
            if not isinstance(payload, dict):
                return response.text("Bad request.", status=HTTPStatus.BAD_REQUEST)
            if unreadable_field(payload):
                logger.warning("Refused a Slack request from %s: invalid Unicode (%d bytes, content not logged)",
                               request.ip, len(body))
                return response.text(REFUSAL, status=HTTPStatus.BAD_REQUEST)
            agent = getattr(request.app.ctx, "agent", None)  # None while the model loads
            store_failures_fail_the_message(agent)
            conversations = agent.tracker_store if agent else None
            if interaction:
                return self._on_interaction(payload, on_new_message, conversations, unsure)
            if payload.get("type") == "url_verification":
                return response.json({"challenge": payload.get("challenge")})
            if payload.get("type") == "event_callback":
                return await self._on_event(payload, on_new_message, conversations, unsure)
            return response.text("")

        return webhook

    async def _on_event(self, payload: Dict[Text, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]],
                        conversations: Any, unsure: Optional[GuardUnavailable] = None) -> HTTPResponse:
        event = payload.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("text"), str) or not self._is_user_message(payload) \
                or event.get("subtype"):
            return response.text("")  # the bot's own messages, edits, joins... (or not Slack's shape)
        channel, ts = event.get("channel"), event.get("ts")
        direct = event.get("channel_type") == "im"
        if not channel or not ts:
            return response.text("")
        thread = event.get("thread_ts") or (None if direct else ts)
        team = payload.get("team_id") or event.get("team")
        if not all(isinstance(part, str) for part in (channel, ts, thread or "", team or "")):
            return response.text("")  # ids that are not Slack's: no conversation to put it in
        for_the_bot = direct or event.get("type") == "app_mention" or (self.slack_channel and channel == self.slack_channel)
        if not for_the_bot:
            try:
                ours = bool(event.get("thread_ts")) and conversations is not None and \
                    await conversations.exists(conversation_id(team, channel, thread))
            except TrackerStoreUnavailable as error:
                # a reply without a mention may be for a patient's thread: whether it is cannot be told while the
                # store is away, and posting "send it again" into someone else's thread would be noise; Slack
                # delivers an event that got a 5xx again (after about 1 and 5 minutes), checked anew then
                logger.error("Could not tell whether a Slack thread reply is for the bot: %s. Answered %d, for "
                             "Slack to deliver it again.", what_failed(error), HTTPStatus.SERVICE_UNAVAILABLE)
                return response.text("Try again later.", status=HTTPStatus.SERVICE_UNAVAILABLE)
            if not ours:
                return response.text("")  # a channel message that is not for the bot, nor in one of its threads
        try:
            if not self._messages.add(f"{channel}:{ts}", time.time()):
                return response.text("")  # already handled or asked for again (as app_mention and message, or a retry)
        except GuardUnavailable as error:
            unsure = unsure or error
        users = _strings(payload.get("authed_users"))
        users += _strings([a.get("user_id") for a in _list(payload.get("authorizations")) if isinstance(a, dict)])
        text = unescape(self._sanitize_user_message(event.get("text", ""), users))
        metadata = {"out_channel": channel, "thread_id": thread, "users": users, "team": team,
                    "user": event.get("user")}
        self._dispatch(on_new_message, text, conversation_id(team, channel, thread), channel, thread, metadata,
                       conversations, unsure)
        return response.text("")

    def _on_interaction(self, payload: Dict[Text, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]],
                        conversations: Any = None, unsure: Optional[GuardUnavailable] = None) -> HTTPResponse:
        """A button of a bot message: its value is the user's next message, in the button's conversation."""
        if not self._is_interactive_message(payload):
            return response.text("")
        text = self._get_interactive_response(payload["actions"][0])
        channel = (payload.get("channel") or {}).get("id")
        if text is None or not channel:
            return response.text("")
        message = payload.get("message") or {}
        direct = channel.startswith("D")
        thread = message.get("thread_ts") or (None if direct else message.get("ts"))
        team = (payload.get("team") or {}).get("id")
        metadata = {"out_channel": channel, "thread_id": thread, "users": [], "team": team,
                    "user": (payload.get("user") or {}).get("id")}
        self._dispatch(on_new_message, text, conversation_id(team, channel, thread), channel, thread, metadata,
                       conversations, unsure)
        return response.text("")

    def _dispatch(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], text: Text, sender: Text,
                  channel: Text, thread: Optional[Text], metadata: Dict[Text, Any], conversations: Any = None,
                  unsure: Optional[GuardUnavailable] = None) -> None:
        """Hands the message on, or, when the replay guard could not tell whether it was handled
        before (``unsure``), asks for it again in its thread."""
        message = UserMessage(text, self.get_output_channel(channel, thread), sender,
                              input_channel=self.name(), metadata=metadata)
        self.handoff.start(on_new_message, message, conversations, unsure)

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackReplies(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)
