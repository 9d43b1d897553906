"""The bot with its staff channels, talking to fake Slack and Bot Framework servers.

One bot (action server + Rasa server) for the end-to-end module, started with a credentials file written
here: the REST channel, Slack pointed at the fake Slack API, Teams pointed at the fake Bot
Framework's login and connector. Its conversation locks and the channels' replay guards are in the
Redis server of 127.0.0.1:6379, as on a site with several servers, reached through a proxy that a
test can cut (tests/proxy.py). The model is ``models/trialbot.tar.gz`` unless
``TRIALBOT_TEST_MODEL`` names another (e.g. a copy retrained after NLU changes).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests
import yaml

from bot.store import TrialStore
from tests.proxy import TcpProxy
from tests.staff.fakes import FakeBotFramework, FakeSlack
from trialbot.config import PROJECT_ROOT, load_settings
from trialbot.servers import Server, bot_servers, on_free_ports, started

MODEL = Path(os.environ.get("TRIALBOT_TEST_MODEL") or PROJECT_ROOT / "models" / "trialbot.tar.gz")
TRIAL_ID = "NCT05236582"
START_TIMEOUT = 240
SLACK_TOKEN = "xoxb-test-" + uuid.uuid4().hex
SLACK_SECRET = uuid.uuid4().hex
TEAMS_APP_ID = str(uuid.uuid4())
TEAMS_APP_PASSWORD = uuid.uuid4().hex
REDIS_PORT, REDIS_DB = 6379, 2  # a database of its own on the shared Redis server (the cluster test's is 1)


@dataclass
class StaffBot:
    rasa_url: str
    log_path: Path
    slack: FakeSlack
    teams: FakeBotFramework
    started_at: float
    tracker_db: Path  # the SQLite tracker store
    servers: Dict[str, Server]  # by name: "action", "rasa" (to take one down and bring it back)
    redis: TcpProxy  # the servers' way to Redis (to take it away and bring it back)

    @property
    def slack_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/slack/webhook"

    @property
    def teams_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/botframework/webhook"

    def user_messages(self, sender: str) -> List[str]:
        """The user messages of a conversation as stored, across its sessions."""
        with sqlite3.connect(self.tracker_db) as db:
            return [json.loads(data).get("text") for (data,) in db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,))]

    def stored_twice(self, sender: str) -> List[str]:
        """The events of a conversation that are stored more than once (an event and its copy have the
        same type and data, its timestamp included)."""
        with sqlite3.connect(self.tracker_db) as db:
            return [f"{kind}: {data[:120]}" for kind, data in db.execute(
                "SELECT type_name, data FROM events WHERE sender_id = ? GROUP BY type_name, data HAVING COUNT(*) > 1",
                (sender,))]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    # -- Slack -------------------------------------------------------------------------------
    @staticmethod
    def slack_headers(body: bytes, timestamp: Optional[int] = None, secret: str = SLACK_SECRET,
                      retry: int = 0) -> Dict[str, str]:
        """Headers as Slack signs a request: v0 HMAC-SHA256 of "v0:{timestamp}:{body}". A ``retry`` (its
        number) is signed anew and says that it is one; its timestamp is set back 100 s a retry, so that a
        test sending the first try and its retries within seconds gets a signature for each."""
        ts = str(int(time.time()) - 100 * retry if timestamp is None else timestamp)
        digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
        if retry:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        return headers

    @staticmethod
    def slack_event(text: str, channel: str, ts: str, thread_ts: Optional[str] = None, kind: str = "app_mention",
                    direct: bool = False) -> bytes:
        mention = kind == "app_mention" and not direct
        event: Dict[str, Any] = {"type": kind, "user": "U0NURSE", "text": f"<@U0TRIALBOT> {text}" if mention else text,
                                 "ts": ts, "channel": channel, "event_ts": ts, "team": "T0CLINIC"}
        if thread_ts:
            event["thread_ts"] = thread_ts
        if direct:
            event["channel_type"] = "im"
        payload = {"token": "unused", "team_id": "T0CLINIC", "api_app_id": "A0TRIALBOT", "type": "event_callback",
                   "event": event, "event_id": f"Ev{uuid.uuid4().hex[:10]}", "event_time": int(time.time()),
                   "authorizations": [{"team_id": "T0CLINIC", "user_id": "U0TRIALBOT", "is_bot": True}]}
        return json.dumps(payload).encode()

    def post_slack(self, body: bytes, headers: Optional[Dict[str, str]] = None) -> requests.Response:
        return requests.post(self.slack_webhook, data=body, headers=headers or self.slack_headers(body), timeout=30)

    # -- Teams -------------------------------------------------------------------------------
    def teams_activity(self, text: str, conversation_id: str, **overrides: Any) -> Dict[str, Any]:
        activity = {"type": "message", "id": uuid.uuid4().hex, "timestamp": "2026-11-23T10:00:00Z",
                    "channelId": "msteams", "serviceUrl": self.teams.service_url,
                    "from": {"id": "29:nurse", "name": "Nurse Lin", "aadObjectId": "n-1"},
                    "conversation": {"id": conversation_id, "conversationType": "personal", "tenantId": "tenant-1"},
                    "recipient": {"id": "28:trialbot", "name": "TrialBot"}, "text": text}
        activity.update(overrides)
        return activity

    def post_teams(self, activity: Dict[str, Any], token: Optional[str] = None,
                   authorization: Optional[str] = None) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        auth = authorization if authorization is not None else f"Bearer {token or self.teams.token()}"
        if auth:
            headers["Authorization"] = auth
        return requests.post(self.teams_webhook, data=json.dumps(activity).encode(), headers=headers, timeout=30)


def _credentials(path: Path, slack: FakeSlack, teams: FakeBotFramework) -> Path:
    path.write_text(yaml.safe_dump({
        "channels.rest.RestChannel": None,
        "channels.slack.SlackChannel": {"slack_token": SLACK_TOKEN, "slack_signing_secret": SLACK_SECRET,
                                        "slack_api_url": slack.api_url},
        "channels.teams.TeamsChannel": {"app_id": TEAMS_APP_ID, "app_password": TEAMS_APP_PASSWORD,
                                        "token_url": teams.token_url, "openid_metadata_url": teams.metadata_url,
                                        "service_urls": [teams.service_url]},
    }), encoding="utf-8")
    return path


@pytest.fixture(scope="module")  # stopped after its module, so that it never runs beside tests/e2e's bot
def staff_bot(tmp_path_factory) -> Iterator[StaffBot]:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: train it first (make models/trialbot.tar.gz).", pytrace=False)
    tmp = tmp_path_factory.mktemp("staff")
    database_url = f"sqlite:///{tmp / 'trials.db'}"
    assert TRIAL_ID in TrialStore(database_url).load_directory(PROJECT_ROOT / "data")
    with FakeSlack(SLACK_TOKEN) as slack, FakeBotFramework(TEAMS_APP_ID, TEAMS_APP_PASSWORD) as teams, \
            TcpProxy(REDIS_PORT) as redis:
        settings = on_free_ports(replace(
            load_settings(), database_url=database_url, tracker_store_url=f"sqlite:///{tmp / 'conversations.db'}",
            lock_store_url=f"redis://127.0.0.1:{redis.port}/{REDIS_DB}",
            model=str(MODEL), default_trial=TRIAL_ID, host="127.0.0.1", log_level="INFO",
            staff_channels=("slack", "botframework"),
            credentials=str(_credentials(tmp / "credentials.yml", slack, teams))))
        log_path = tmp / "servers.log"
        with log_path.open("a", encoding="utf-8") as log:
            try:
                context = started(bot_servers(settings, log), START_TIMEOUT)
                servers = context.__enter__()
            except Exception as exc:  # noqa: BLE001
                pytest.fail(f"The bot did not start: {exc!r}\n{log_path.read_text()[-4000:]}", pytrace=False)
            try:
                yield StaffBot(settings.rasa_url, log_path, slack, teams, time.monotonic(), tmp / "conversations.db",
                               {server.name: server for server in servers}, redis)
            finally:
                context.__exit__(None, None, None)


def slack_text(posts: List[Dict[str, Any]]) -> str:
    """Everything the bot's Slack messages show: their blocks' texts (as Slack mrkdwn)."""
    parts = []
    for post in posts:
        for block in post.get("blocks") or []:
            if block.get("type") == "section":
                parts.append(block["text"]["text"])
            elif block.get("type") == "context":
                parts += [e.get("text", "") for e in block["elements"]]
    return "\n".join(parts)


def teams_text(activities: List[Dict[str, Any]]) -> str:
    """Everything the bot's Teams messages show: text, and the TextBlocks of their Adaptive Cards."""
    parts = []
    for activity in activities:
        if activity.get("text"):
            parts.append(activity["text"])
        for attachment in activity.get("attachments") or []:
            parts += [b.get("text", "") for b in (attachment.get("content") or {}).get("body") or []]
    return "\n".join(parts)
