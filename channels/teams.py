"""Microsoft Teams through the Bot Framework, for clinic staff, on Rasa's stock connector.

``credentials.yml`` (see ``credentials.staff.yml`` and the README, "Staff channels")::

    channels.teams.TeamsChannel:
      app_id: ${TRIALBOT_TEAMS_APP_ID}              # the bot's Microsoft App ID (Azure Bot resource)
      app_password: ${TRIALBOT_TEAMS_APP_PASSWORD}  # its client secret
      tenant_id: ${TRIALBOT_TEAMS_TENANT_ID}        # single-tenant bots: the clinic's Entra tenant
      # optional, Microsoft's public endpoints by default:
      # token_url: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token
      # openid_metadata_url: https://login.botframework.com/v1/.well-known/openidconfiguration
      # issuers: [https://api.botframework.com]
      # service_urls: [https://smba.trafficmanager.net/]

Activities arrive at ``POST /webhooks/botframework/webhook``. What this adds to
``rasa.core.channels.botframework`` (whose input fetches Microsoft's keys in its constructor, with
blocking calls, accepts any algorithm the token names and checks neither issuer nor service URL):

- Nothing is called at start-up. The OpenID metadata and its signing keys (JWKS) are fetched on
  the first request, kept for a day, and fetched again early only for a key id not seen yet (at
  most every 5 minutes). The access token for replies is fetched on the first reply and kept until
  5 minutes before it expires.
- Every request must carry ``Authorization: Bearer <JWT>``, verified as the Bot Framework asks
  (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication):
  RS256 only, signed by a key of the metadata's JWKS (endorsed for the activity's ``channelId``
  when the key lists endorsements), issuer one of ``issuers``, audience the bot's ``app_id``, not
  expired (5 minutes' clock skew), and a ``serviceurl`` claim equal to the activity's
  ``serviceUrl``. The activity's ``serviceUrl`` must also start with one of ``service_urls``, so
  the bot's access token is only ever sent to Microsoft's connector. With ``tenant_id``, the
  activity's tenant (``conversation.tenantId``, ``channelData.tenant.id``) must be that one.
  Anything else gets HTTP 401 (403 for a service URL or tenant not allowed) and one warning in the
  log with the reason, the size and the sender's address, never the content or the token.
- Each activity (its ``id`` within its conversation) is accepted once while its token could be
  valid (until it expires, plus the clock skew): a captured request sent again is not handled
  again. It is answered 200 (Teams itself delivers an activity again when a bot is slow) and
  logged like a refusal. The token does not cover the body, so this stops a request resent as
  captured, not one rewritten around a captured token.
- An activity with text that no database can store (a lone surrogate, a non-character:
  channels/guard.py) in any field gets HTTP 400 once verified, logged without its content.
- One conversation per Teams conversation (a 1:1 chat, a group chat, or a channel thread: its id
  carries the thread), not per user: ``teams:<conversation id>``. ``new patient`` starts afresh
  within it (bot/staff.py).
- Replies are posted to ``{serviceUrl}/v3/conversations/{id}/activities`` as markdown text or
  Adaptive Cards within Teams' size limit (channels/formatting.py); activities are acknowledged
  at once and handled in the background. A message whose turn fails (the action server, the tracker
  store or the locks out of reach) gets "please send your message again", in its language
  (channels/handoff.py). So does an activity that the replay guard cannot look up (Redis out of
  reach, with several servers: channels/replay.py), acknowledged with 200 and not handled.
"""
from __future__ import annotations

import asyncio
import hashlib
import html
import json
import logging
import re
import time
import uuid
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Text, Tuple
from urllib.parse import quote

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.failures import store_failures_fail_the_message
from channels.formatting import teams_activities
from channels.guard import REFUSAL, unreadable_field
from channels.handoff import Handoff
from channels.replay import GuardUnavailable, seen_recently

logger = logging.getLogger(__name__)

OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
MULTI_TENANT = "botframework.com"
ISSUERS = ("https://api.botframework.com",)
SERVICE_URLS = ("https://smba.trafficmanager.net/", "https://smba.infra.gcc.teams.microsoft.com/",
                "https://smba.infra.gov.teams.microsoft.us/")
SCOPE = "https://api.botframework.com/.default"
CLOCK_SKEW = 5 * 60
KEYS_MAX_AGE = 24 * 60 * 60
KEYS_MIN_REFRESH = 5 * 60
TOKEN_MARGIN = 5 * 60
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=20)
MAX_BODY_BYTES = 256 * 1024
MAX_SENDER_CHARS = 200
ACTIVITY_MEMORY = 24 * 60 * 60  # an activity id is kept until its token expires, a day at most (tokens live ~1 h)
MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


class Refused(Exception):
    """A request refused (not verified, not allowed, or a duplicate); ``status`` is the HTTP status to answer with."""

    def __init__(self, reason: str, status: int = HTTPStatus.UNAUTHORIZED) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def _normal_url(url: Optional[str]) -> str:
    return (url or "").rstrip("/").lower()


def _field(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]...``, or None where the activity has no such object."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


class SigningKeys:
    """The Bot Framework's signing keys, fetched lazily from the OpenID metadata's ``jwks_uri``."""

    def __init__(self, metadata_url: str) -> None:
        self.metadata_url = metadata_url
        self._keys: Dict[str, Dict[str, Any]] = {}
        self._fetched = 0.0  # last successful fetch
        self._attempted = float("-inf")  # last attempt, successful or not
        self._lock: Optional[asyncio.Lock] = None

    async def get(self, key_id: str, now: Optional[float] = None) -> Optional[Dict[str, Any]]:
        now = time.time() if now is None else now
        if self._due(key_id, now):
            self._lock = self._lock or asyncio.Lock()
            async with self._lock:
                if self._due(key_id, now):
                    await self._refresh(now)
        return self._keys.get(key_id)

    def _due(self, key_id: str, now: float) -> bool:
        """A fetch is due when the keys are a day old, or for a key id not seen; never twice in 5 minutes."""
        if now - self._attempted < KEYS_MIN_REFRESH:
            return False
        return now - self._fetched > KEYS_MAX_AGE or key_id not in self._keys

    async def _refresh(self, now: float) -> None:
        self._attempted = now
        try:
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                async with session.get(self.metadata_url) as reply:
                    reply.raise_for_status()
                    jwks_uri = (await reply.json(content_type=None))["jwks_uri"]
                async with session.get(jwks_uri) as reply:
                    reply.raise_for_status()
                    keys = (await reply.json(content_type=None))["keys"]
            self._keys = {key["kid"]: key for key in keys if key.get("kid")}
            self._fetched = now
            logger.debug("Fetched %d Bot Framework signing keys.", len(self._keys))
        except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, TypeError, ValueError) as error:
            logger.error("Could not fetch the Bot Framework signing keys from %s: %s", self.metadata_url,
                         type(error).__name__)


class TokenVerifier:
    """Checks the JWT of an incoming Bot Framework request (see the module docstring)."""

    def __init__(self, app_id: str, keys: SigningKeys, issuers: Sequence[str] = ISSUERS,
                 service_urls: Sequence[str] = SERVICE_URLS) -> None:
        self.app_id = app_id
        self.keys = keys
        self.issuers = list(issuers)
        self.service_urls = [_normal_url(u) for u in service_urls]

    async def verify(self, authorization: Optional[str], activity: Dict[str, Any]) -> Dict[str, Any]:
        """The token's claims; raises Refused."""
        match = re.fullmatch(r"Bearer\s+(\S+)", (authorization or "").strip())
        if not match:
            raise Refused("no bearer token")
        token = match.group(1)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Refused("malformed token") from None
        if header.get("alg") != "RS256":
            raise Refused(f"algorithm {str(header.get('alg'))[:10]!r} not allowed")
        key = await self.keys.get(str(header.get("kid")))
        if key is None:
            raise Refused("signed with an unknown key")
        try:
            claims = jwt.decode(token, RSAAlgorithm.from_jwk(json.dumps(key)), algorithms=["RS256"],
                                audience=self.app_id, issuer=self.issuers, leeway=CLOCK_SKEW,
                                options={"require": ["exp", "iss", "aud"]})
        except jwt.PyJWTError as error:
            raise Refused(f"token not valid: {type(error).__name__}") from None
        channel_id = activity.get("channelId")
        endorsements = key.get("endorsements")
        if isinstance(endorsements, list) and channel_id not in endorsements:
            raise Refused("signing key not endorsed for the activity's channel")
        service_url = activity.get("serviceUrl")
        claimed = claims.get("serviceurl") or claims.get("serviceUrl")
        if not service_url or _normal_url(claimed) != _normal_url(service_url):
            raise Refused("service URL does not match the token's")
        if not any(_normal_url(service_url).startswith(allowed) for allowed in self.service_urls):
            raise Refused("service URL not allowed", HTTPStatus.FORBIDDEN)
        return claims


class AccessTokens:
    """The bot's access tokens for the connector (client credentials), one per token URL and app."""

    _cache: Dict[Tuple[str, str], Tuple[str, float]] = {}

    @classmethod
    async def get(cls, token_url: str, app_id: str, app_password: str, scope: str, refresh: bool = False
                  ) -> Optional[str]:
        key = (token_url, app_id)
        cached = cls._cache.get(key)
        if cached and not refresh and cached[1] > time.time():
            return cached[0]
        form = {"grant_type": "client_credentials", "client_id": app_id, "client_secret": app_password, "scope": scope}
        try:
            async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                async with session.post(token_url, data=form) as reply:
                    if reply.status != 200:
                        logger.error("The token endpoint %s answered HTTP %d.", token_url, reply.status)
                        return None
                    data = await reply.json(content_type=None)
            token = data["access_token"]
            expires_in = int(data.get("expires_in", 3600))
        except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, TypeError, ValueError) as error:
            logger.error("Could not get a Bot Framework access token from %s: %s", token_url, type(error).__name__)
            return None
        cls._cache[key] = (token, time.time() + max(expires_in - TOKEN_MARGIN, 30))
        return token


class TeamsReplies(BotFramework):
    """Posts the bot's messages into one Bot Framework conversation."""

    @classmethod
    def name(cls) -> Text:
        return "botframework"

    def __init__(self, app_id: Text, app_password: Text, conversation: Dict[Text, Any], bot: Dict[Text, Any],
                 service_url: Text, token_url: Text, scope: Text = SCOPE, user: Optional[Dict[Text, Any]] = None,
                 reply_to_id: Optional[Text] = None) -> None:
        super().__init__(app_id, app_password, conversation, bot, service_url)
        self.token_url = token_url
        self.scope = scope
        self.user = user or {}
        self.reply_to_id = reply_to_id
        self.sent = 0  # replies to this message (none: its turn failed; see channels/handoff.py)

    async def _get_headers(self, refresh: bool = False) -> Optional[Dict[Text, Any]]:
        token = await AccessTokens.get(self.token_url, self.app_id, self.app_password, self.scope, refresh)
        return {"content-type": "application/json", "Authorization": f"Bearer {token}"} if token else None

    async def send(self, message_data: Dict[Text, Any]) -> None:
        url = f"{self.global_uri}conversations/{quote(str(self.conversation['id']), safe='')}/activities"
        body = json.dumps(message_data, ensure_ascii=False).encode("utf-8")
        for attempt in range(2):
            headers = await self._get_headers(refresh=attempt > 0)
            if headers is None:
                return
            try:
                async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
                    async with session.post(url, data=body, headers=headers) as reply:
                        if reply.status == 401 and attempt == 0:
                            continue  # the token was revoked or rotated: fetch a new one once
                        if reply.status >= 300:
                            logger.error("The Bot Framework connector answered HTTP %d to a reply.", reply.status)
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.error("Could not post a reply to the Bot Framework connector: %s", type(error).__name__)
                return

    def prepare_message(self, recipient_id: Text, message_data: Dict[Text, Any]) -> Dict[Text, Any]:
        data: Dict[Text, Any] = {"type": "message", "from": self.bot, "conversation": self.conversation,
                                 "recipient": self.user or {"id": recipient_id}}
        if self.reply_to_id:
            data["replyToId"] = self.reply_to_id
        data.update(message_data)
        return data

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.sent += 1
        for part in teams_activities(message.get("text"), message.get("buttons") or (), message.get("custom")):
            await self.send(self.prepare_message(recipient_id, part))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"custom": json_message})


def conversation_id(conversation: Dict[str, Any]) -> str:
    raw = str(conversation.get("id") or "")
    sender = f"teams:{raw}"
    if len(sender) > MAX_SENDER_CHARS:
        sender = "teams:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()
    return sender


def message_text(activity: Dict[str, Any]) -> str:
    """The text of a message without the bot's @mention (``<at>TrialBot</at>``) and HTML entities."""
    return html.unescape(MENTION.sub(" ", str(activity.get("text") or ""))).strip()


class TeamsChannel(BotFrameworkInput):
    """Bot Framework activities from Microsoft Teams, verified, one conversation per Teams conversation."""

    @classmethod
    def name(cls) -> Text:
        return "botframework"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()

        def listed(key: str, default: Sequence[str]) -> List[str]:
            value = credentials.get(key)
            if value is None or value == "":
                return list(default)
            return [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if str(v).strip()]

        tenant = credentials.get("tenant_id") or MULTI_TENANT
        return cls(
            app_id=credentials.get("app_id"),
            app_password=credentials.get("app_password"),
            tenant_id=credentials.get("tenant_id"),
            token_url=credentials.get("token_url") or TOKEN_URL.format(tenant=tenant),
            openid_metadata_url=credentials.get("openid_metadata_url") or OPENID_METADATA_URL,
            issuers=listed("issuers", ISSUERS),
            service_urls=listed("service_urls", SERVICE_URLS),
            scope=credentials.get("scope") or SCOPE,
        )

    def __init__(self, app_id: Text, app_password: Text, token_url: Text = TOKEN_URL.format(tenant=MULTI_TENANT),
                 openid_metadata_url: Text = OPENID_METADATA_URL, issuers: Sequence[Text] = ISSUERS,
                 service_urls: Sequence[Text] = SERVICE_URLS, scope: Text = SCOPE,
                 tenant_id: Optional[Text] = None) -> None:
        # Not BotFrameworkInput.__init__: it fetches Microsoft's keys (blocking) at start-up.
        if not app_id or not app_password:
            raise InvalidConfigException("The Teams channel needs `app_id` and `app_password` (the Azure Bot's "
                                         "Microsoft App ID and client secret).")
        if tenant_id:
            try:  # activities name their tenant by id: a domain here would refuse them all
                tenant_id = str(uuid.UUID(str(tenant_id)))
            except ValueError:
                raise InvalidConfigException("The Teams channel's `tenant_id` must be the tenant ID (a GUID), "
                                             "not its domain.") from None
        self.app_id = app_id
        self.app_password = app_password
        self.tenant_id = tenant_id
        self.token_url = token_url
        self.scope = scope
        self.keys = SigningKeys(openid_metadata_url)
        self.verifier = TokenVerifier(app_id, self.keys, issuers, service_urls)
        self._activities = seen_recently("teams-activities", ACTIVITY_MEMORY)
        self.handoff = Handoff("Teams")

    async def verify(self, authorization: Optional[str], activity: Dict[str, Any], now: Optional[float] = None
                     ) -> None:
        """Raises Refused unless the token is valid, the tenant allowed and the activity not received before;
        GuardUnavailable when all is verified but whether it was received before cannot be told."""
        claims = await self.verifier.verify(authorization, activity)
        if self.tenant_id:
            tenants = {str(tenant).lower() for tenant in (_field(activity, "conversation", "tenantId"),
                                                          _field(activity, "channelData", "tenant", "id")) if tenant}
            if tenants != {self.tenant_id}:
                raise Refused("activity not from the bot's tenant", HTTPStatus.FORBIDDEN)
        activity_id = activity.get("id")
        if not activity_id:
            raise Refused("activity without an id")
        now = time.time() if now is None else now
        key = json.dumps([_field(activity, "conversation", "id"), activity_id])
        if not self._activities.add(key, now, until=float(claims["exp"]) + CLOCK_SKEW):
            # 200, not 401: Teams itself delivers an activity again when the bot is slow to answer, and
            # retries deliveries that fail; answered 200, a redelivery ends, and a replay gains nothing.
            raise Refused("activity already received (replayed or delivered again)", HTTPStatus.OK)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("trialbot_botframework_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.body or b""
            unsure: Optional[GuardUnavailable] = None  # verified, but whether it was received before is not known
            try:
                if len(body) > MAX_BODY_BYTES:
                    raise Refused("request too large", HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
                try:
                    activity = json.loads(body)
                except ValueError:
                    activity = None
                if not isinstance(activity, dict):
                    activity = {}
                try:
                    await self.verify(request.headers.get("Authorization"), activity)
                except GuardUnavailable as error:
                    unsure = error
                if unreadable_field(activity):
                    raise Refused("invalid Unicode", HTTPStatus.BAD_REQUEST)
            except Refused as refused:
                logger.warning("Refused a Bot Framework request from %s: %s (%d bytes, content not logged)",
                               request.ip, refused.reason, len(body))
                return response.text(REFUSAL if refused.status == HTTPStatus.BAD_REQUEST else "Request refused.",
                                     status=refused.status)
            conversation = activity.get("conversation")
            if activity.get("type") == "message" and isinstance(conversation, dict) \
                    and isinstance(conversation.get("id"), str) and conversation["id"]:  # else not Teams' shape
                agent = getattr(request.app.ctx, "agent", None)  # None while the model loads
                store_failures_fail_the_message(agent)
                self._dispatch(activity, on_new_message, agent.tracker_store if agent else None, unsure)
            return response.text("", status=HTTPStatus.OK)

        return webhook

    def _dispatch(self, activity: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]],
                  conversations: Any = None, unsure: Optional[GuardUnavailable] = None) -> None:
        """Hands the message on, or, when the replay guard could not tell whether it was received
        before (``unsure``), asks for it again in its conversation."""
        conversation = activity["conversation"]
        out = self.get_output_channel_for(activity)
        metadata = {"conversation_id": conversation.get("id"), "tenant_id": conversation.get("tenantId"),
                    "user": _field(activity, "from", "id"), "channel_id": activity.get("channelId")}
        metadata = self.add_attachments_to_metadata(activity, metadata) or metadata
        message = UserMessage(message_text(activity), out, conversation_id(conversation),
                              input_channel=self.name(), metadata=metadata)
        self.handoff.start(on_new_message, message, conversations, unsure)

    def get_output_channel_for(self, activity: Dict[str, Any]) -> OutputChannel:
        return TeamsReplies(self.app_id, self.app_password, activity["conversation"], activity.get("recipient") or {},
                            activity["serviceUrl"], self.token_url, self.scope, user=activity.get("from"),
                            reply_to_id=activity.get("id"))
