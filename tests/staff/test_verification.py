"""Request verification of the staff channels, without a server: Slack's signatures and the Bot
Framework's JWTs (signed here with a generated RSA key, as Microsoft signs them)."""
from __future__ import annotations

import asyncio
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from types import SimpleNamespace

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from channels.replay import GuardUnavailable, SeenRecently, SharedSeenRecently, seen_recently
from channels.slack import SlackChannel, check_signature, conversation_id, signature_for
from channels.teams import Refused, SigningKeys, TeamsChannel, TokenVerifier, message_text
from channels.teams import conversation_id as teams_conversation_id
from tests.proxy import TcpProxy
from trialbot.config import load_settings

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BODY = b'{"type":"event_callback","event":{"type":"message","text":"62F NSCLC"}}'


# -- Slack ---------------------------------------------------------------------------------------
def test_slack_signature_matches_slacks_documented_example():
    # https://api.slack.com/authentication/verifying-requests-from-slack (the worked example)
    body = (b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
    assert signature_for(SECRET, "1531420618", body) == \
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_slack_signature_checks():
    now = time.time()
    ts = str(int(now))
    good = signature_for(SECRET, ts, BODY)
    assert check_signature(SECRET, ts, good, BODY, now) is None
    assert check_signature(SECRET, ts, good, BODY + b" ", now) == "signature does not match"
    assert check_signature("another secret", ts, good, BODY, now) == "signature does not match"
    assert check_signature(SECRET, ts, "v0=" + "0" * 64, BODY, now) == "signature does not match"
    assert check_signature(SECRET, None, good, BODY, now) == "no signature headers"
    assert check_signature(SECRET, "yesterday", good, BODY, now) == "malformed timestamp"
    old = str(int(now) - 301)
    assert "outside the 300 s window" in check_signature(SECRET, old, signature_for(SECRET, old, BODY), BODY, now)
    future = str(int(now) + 301)
    assert "outside" in check_signature(SECRET, future, signature_for(SECRET, future, BODY), BODY, now)


def fake_request(body: bytes, headers):
    return SimpleNamespace(body=body, headers=headers)


def test_slack_channel_accepts_a_signature_once():
    channel = SlackChannel("xoxb-test", SECRET)
    now = time.time()
    ts = str(int(now))
    request = fake_request(BODY, {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature_for(SECRET, ts, BODY)})
    assert channel.refusal(request, now) is None
    assert channel.refusal(request, now + 10) == "signature already used (replayed request)"


def test_seen_recently_forgets_after_its_window():
    seen = SeenRecently(max_age=60, max_size=3)
    assert seen.add("a", 0) and not seen.add("a", 30)
    assert seen.add("a", 100)  # forgotten after 60 s
    for key in "bcde":
        seen.add(key, 101)
    assert len(seen._seen) <= 3


def test_seen_recently_remembers_a_key_until_its_own_expiry_within_its_window():
    seen = SeenRecently(max_age=60)
    assert seen.add("a", 0, until=10) and not seen.add("a", 10)
    assert seen.add("a", 11)  # forgotten after its own expiry
    assert seen.add("b", 0, until=1000) and not seen.add("b", 60)
    assert seen.add("b", 61)  # never kept beyond the window


def test_slack_channel_needs_its_secrets_and_calls_nothing_at_start():
    from rasa.shared.exceptions import InvalidConfigException

    with pytest.raises(InvalidConfigException):
        SlackChannel("xoxb-test", "")
    with pytest.raises(InvalidConfigException):
        SlackChannel("", SECRET)
    channel = SlackChannel.from_credentials({"slack_token": "xoxb-t", "slack_signing_secret": SECRET,
                                             "slack_api_url": "http://127.0.0.1:9/api"})
    assert channel.api_url == "http://127.0.0.1:9/api/"
    assert channel.get_output_channel("C1", "1.2").client.base_url == "http://127.0.0.1:9/api/"


def test_slack_conversation_ids():
    assert conversation_id("T1", "C1", "1700000000.000100") == "slack:T1:C1:1700000000.000100"
    assert conversation_id("T1", "D1", None) == "slack:T1:D1"


# -- Bot Framework -------------------------------------------------------------------------------
APP_ID = "a1b2c3d4-0000-1111-2222-333344445555"
ISSUER = "https://api.botframework.com"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
TENANT = "4f1c2a3b-5d6e-4f70-8192-a3b4c5d6e7f8"
OTHER_TENANT = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"


@pytest.fixture(scope="module")
def private_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class StaticKeys(SigningKeys):
    def __init__(self, keys):
        super().__init__("http://unused.invalid/")
        self.static = keys

    async def get(self, key_id, now=None):
        return self.static.get(key_id)


def jwk(private_key, kid="key-1", endorsements=("msteams",)):
    data = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {**data, "kid": kid, "use": "sig", "endorsements": list(endorsements)}


def token(private_key, kid="key-1", **claims):
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": APP_ID, "exp": now + 600, "nbf": now - 10, "serviceurl": SERVICE_URL, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, private_key, algorithm="RS256", headers={"kid": kid})


ACTIVITY = {"type": "message", "channelId": "msteams", "serviceUrl": SERVICE_URL, "text": "hi"}


def verify(private_key, authorization, activity=ACTIVITY, keys=None):
    verifier = TokenVerifier(APP_ID, StaticKeys(keys or {"key-1": jwk(private_key)}))
    return asyncio.run(verifier.verify(authorization, activity))


def test_a_token_signed_as_microsoft_signs_it_is_accepted(private_key):
    claims = verify(private_key, f"Bearer {token(private_key)}")
    assert claims["aud"] == APP_ID


@pytest.mark.parametrize("case, reason", [
    ("no header", "no bearer token"),
    ("not bearer", "no bearer token"),
    ("garbage", "malformed token"),
    ("other key", "token not valid: InvalidSignatureError"),
    ("unknown kid", "signed with an unknown key"),
    ("expired", "token not valid: ExpiredSignatureError"),
    ("wrong audience", "token not valid: InvalidAudienceError"),
    ("wrong issuer", "token not valid: InvalidIssuerError"),
    ("no expiry", "token not valid: MissingRequiredClaimError"),
    ("HS256", "algorithm 'HS256' not allowed"),
    ("none", "algorithm 'none' not allowed"),
    ("other service url", "service URL does not match the token's"),
    ("not endorsed", "signing key not endorsed for the activity's channel"),
])
def test_forged_and_wrong_tokens_are_refused(private_key, case, reason):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048) if case == "other key" else private_key
    authorization = {
        "no header": None,
        "not bearer": f"Basic {token(private_key)}",
        "garbage": "Bearer not.a.token",
        "other key": f"Bearer {token(other)}",
        "unknown kid": f"Bearer {token(private_key, kid='key-2')}",
        "expired": f"Bearer {token(private_key, exp=int(time.time()) - 301 - 300)}",
        "wrong audience": f"Bearer {token(private_key, aud='someone-else')}",
        "wrong issuer": f"Bearer {token(private_key, iss='https://evil.example')}",
        "no expiry": f"Bearer {token(private_key, exp=None)}",
        "HS256": "Bearer " + jwt.encode({"iss": ISSUER, "aud": APP_ID, "exp": int(time.time()) + 60}, "k" * 32,
                                        algorithm="HS256", headers={"kid": "key-1"}),
        "none": "Bearer " + jwt.encode({"iss": ISSUER, "aud": APP_ID}, None, algorithm="none"),
        "other service url": f"Bearer {token(private_key)}",  # activity below: another service URL
        "not endorsed": f"Bearer {token(private_key)}",
    }[case]
    keys = {"key-1": jwk(private_key, endorsements=("slack",))} if case == "not endorsed" else None
    activity = {**ACTIVITY, "serviceUrl": "https://evil.example/"} if case == "other service url" else ACTIVITY
    with pytest.raises(Refused) as refused:
        verify(private_key, authorization, activity, keys)
    assert refused.value.reason == reason
    assert refused.value.status == 401


def test_a_service_url_outside_the_allowed_ones_is_forbidden(private_key):
    elsewhere = "https://connector.example/"
    with pytest.raises(Refused) as refused:
        verify(private_key, f"Bearer {token(private_key, serviceurl=elsewhere)}", {**ACTIVITY, "serviceUrl": elsewhere})
    assert refused.value.status == 403


def test_within_five_minutes_of_clock_skew_is_accepted(private_key):
    verify(private_key, f"Bearer {token(private_key, exp=int(time.time()) - 120)}")


def test_teams_channel_calls_nothing_at_start_and_reads_its_endpoints():
    channel = TeamsChannel.from_credentials({"app_id": APP_ID, "app_password": "secret", "tenant_id": TENANT,
                                             "service_urls": "http://127.0.0.1:1/, http://127.0.0.1:2/"})
    assert channel.token_url == f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"
    assert channel.keys.metadata_url == "https://login.botframework.com/v1/.well-known/openidconfiguration"
    assert channel.keys._keys == {}  # nothing fetched
    assert channel.verifier.service_urls == ["http://127.0.0.1:1", "http://127.0.0.1:2"]
    default = TeamsChannel.from_credentials({"app_id": APP_ID, "app_password": "secret"})
    assert default.token_url == "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    assert default.tenant_id is None


def test_teams_tenant_id_must_be_an_id():
    from rasa.shared.exceptions import InvalidConfigException

    with pytest.raises(InvalidConfigException):
        TeamsChannel(APP_ID, "secret", tenant_id="contoso.onmicrosoft.com")


def teams_channel(private_key, tenant_id=None):
    channel = TeamsChannel(APP_ID, "secret", tenant_id=tenant_id)
    channel.verifier.keys = StaticKeys({"key-1": jwk(private_key)})
    return channel


def admit(channel, authorization, activity, now=None):
    asyncio.run(channel.verify(authorization, activity, now))


def refusal(channel, authorization, activity, now=None):
    with pytest.raises(Refused) as refused:
        admit(channel, authorization, activity, now)
    return refused.value.status, refused.value.reason


def test_teams_channel_accepts_an_activity_once_while_its_token_is_valid(private_key):
    channel, now = teams_channel(private_key), time.time()
    authorization = f"Bearer {token(private_key, exp=int(now) + 600)}"
    activity = {**ACTIVITY, "id": "1700000000001", "conversation": {"id": "a:chat-1"}}
    admit(channel, authorization, activity, now)
    # the same signed request again: acknowledged (Teams redelivers when slow) but not handled
    assert refusal(channel, authorization, activity, now + 60) == \
        (200, "activity already received (replayed or delivered again)")
    admit(channel, authorization, {**activity, "id": "1700000000002"}, now + 60)  # a new activity
    admit(channel, authorization, {**activity, "conversation": {"id": "a:chat-2"}}, now + 60)  # another chat's
    assert refusal(channel, authorization, {**activity, "id": None}, now + 60) == (401, "activity without an id")
    # once the token has expired (plus the clock skew) it is refused anyway: the ids are forgotten
    admit(channel, authorization, activity, int(now) + 600 + 300 + 1)
    assert len(channel._activities._seen) == 1


def test_a_single_tenant_teams_channel_refuses_other_tenants(private_key):
    channel = teams_channel(private_key, tenant_id=TENANT.upper())
    authorization = f"Bearer {token(private_key)}"

    def activity(conversation_tenant, channel_data_tenant=None):
        data = {**ACTIVITY, "id": uuid.uuid4().hex, "conversation": {"id": "a:chat-1", "tenantId": conversation_tenant}}
        if channel_data_tenant:
            data["channelData"] = {"tenant": {"id": channel_data_tenant}}
        return data

    admit(channel, authorization, activity(TENANT, TENANT))
    admit(channel, authorization, activity(None, TENANT))
    admit(channel, authorization, activity(TENANT))
    for other in (activity(OTHER_TENANT), activity(None, OTHER_TENANT), activity(TENANT, OTHER_TENANT),
                  activity(None)):
        assert refusal(channel, authorization, other) == (403, "activity not from the bot's tenant")
    admit(teams_channel(private_key), authorization, activity(OTHER_TENANT))  # no tenant_id: any tenant


def test_teams_message_text_and_conversation_ids():
    assert message_text({"text": "<at>TrialBot</at> 62F NSCLC, plt &lt;30k"}) == "62F NSCLC, plt <30k"
    assert teams_conversation_id({"id": "19:abc@thread.tacv2;messageid=1700"}) == "teams:19:abc@thread.tacv2;messageid=1700"
    long_id = teams_conversation_id({"id": "a:" + "x" * 300})
    assert long_id.startswith("teams:") and len(long_id) == 6 + 64


def test_slack_events_are_dispatched_once_per_message_with_slacks_escapes_undone():
    channel = SlackChannel("xoxb-test", SECRET)
    received = []

    async def on_new_message(message):
        received.append(message)
        message.output_channel.sent += 1  # the bot answered (posting nothing here)

    def event(kind, **extra):
        return {"type": "event_callback", "team_id": "T1",
                "authorizations": [{"user_id": "UBOT"}],
                "event": {"type": kind, "user": "UNURSE", "text": "<@UBOT> plt &lt;20k &amp; no RT", "ts": "17.1",
                          "channel": "C1", **extra}}

    conversations = InMemoryTrackerStore(Domain.empty())

    async def scenario():
        async def on(payload):
            await channel._on_event(payload, on_new_message, conversations)

        await on(event("app_mention"))
        await on(event("message"))  # the same message, as a channel message
        await on(event("message", subtype="message_changed"))
        await on(event("message", bot_id="B1", ts="17.2"))  # the bot's own message
        await on(event("message", ts="17.3"))  # not a mention, not for the bot
        await on(event("app_mention", ts="17.4", thread_ts="17.1"))
        await on(event("message", ts="17.5", thread_ts="17.9"))  # a thread the bot is not in
        await conversations.save(DialogueStateTracker("slack:T1:C1:17.1", []))
        await on(event("message", ts="17.6", thread_ts="17.1"))  # its own thread: no mention needed
        await asyncio.gather(*channel.handoff.tasks)

    asyncio.run(scenario())
    assert [(m.text, m.sender_id) for m in received] == [("plt <20k & no RT", "slack:T1:C1:17.1")] * 3
    assert received[0].output_channel.thread_id == "17.1" and received[0].output_channel.slack_channel == "C1"
    assert received[0].input_channel == "slack"


# -- several servers: what one accepted, the others refuse (Redis on 127.0.0.1:6379) ---------------
@pytest.fixture
def servers_share_redis(monkeypatch):
    """The variables `trialbot serve` gives Rasa servers that share their locks in Redis."""
    settings = replace(load_settings(), lock_store_url="redis://127.0.0.1:6379/1")
    for name, value in settings.lock_store_environment().items():
        monkeypatch.setenv(name, value)


def test_a_slack_request_accepted_by_one_server_is_refused_by_another(servers_share_redis):
    first, second = SlackChannel("xoxb-test", SECRET), SlackChannel("xoxb-test", SECRET)
    assert isinstance(first._signatures, SharedSeenRecently)
    now = time.time()
    ts = str(int(now))
    body = BODY.replace(b"62F", uuid.uuid4().hex.encode())  # a request of its own, whenever the test runs
    request = fake_request(body, {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature_for(SECRET, ts, body)})
    assert first.refusal(request, now) is None
    assert second.refusal(request, now + 1) == "signature already used (replayed request)"
    assert first.refusal(request, now + 2) == "signature already used (replayed request)"


def test_a_teams_activity_accepted_by_one_server_is_refused_by_another_while_its_token_lives(
        private_key, servers_share_redis):
    first, second, now = teams_channel(private_key), teams_channel(private_key), time.time()
    authorization = f"Bearer {token(private_key, exp=int(now) + 600)}"
    activity = {**ACTIVITY, "id": uuid.uuid4().hex, "conversation": {"id": "a:chat-1"}}
    admit(first, authorization, activity, now)
    assert refusal(second, authorization, activity, now + 60) == \
        (200, "activity already received (replayed or delivered again)")
    admit(second, authorization, activity, int(now) + 600 + 300 + 1)  # forgotten once the token expired


def test_of_copies_that_reach_several_servers_at_once_one_is_accepted(servers_share_redis):
    guards = [seen_recently("test-copies", 60) for _ in range(8)]  # as many servers
    key, now = uuid.uuid4().hex, time.time()
    with ThreadPoolExecutor(8) as pool:
        accepted = list(pool.map(lambda guard: guard.add(key, now), guards))
    assert accepted.count(True) == 1


def test_while_redis_is_away_a_server_refuses_what_it_saw_and_cannot_tell_the_rest(servers_share_redis, monkeypatch):
    """What the replay guard decides without Redis (channels/replay.py): never a message handled twice
    (what this server accepted is refused), never one dropped unseen (anything else raises, and the
    channel asks for the message again), and a copy or retry reaching the server that asked is not asked
    for twice; once Redis is back, what was accepted before is recognised by every server."""
    with TcpProxy(6379) as redis_server:
        monkeypatch.setenv("TRIALBOT_LOCK_STORE_PORT", str(redis_server.port))
        server, other = seen_recently("test-outage", 60), seen_recently("test-outage", 60)
        before, during, after, now = uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex, time.time()
        assert server.add(before, now)
        redis_server.cut()
        assert not server.add(before, now + 1)  # a retry of a message it handled: not handled again
        with pytest.raises(GuardUnavailable):
            server.add(during, now + 1)  # asked for again
        assert not server.add(during, now + 2)  # its copy or retry here: asked once
        with pytest.raises(GuardUnavailable):
            other.add(during, now + 2)  # another server cannot tell either: asked for again, not handled
        redis_server.restore()
        assert not seen_recently("test-outage", 60).add(before, now + 3)  # any server, even one just started
        assert not server.add(during, now + 3)  # a late retry: the person was asked to send it again
        assert server.add(after, now + 3) and not other.add(after, now + 3)


def test_a_redis_that_does_not_answer_is_out_of_reach_within_a_second(servers_share_redis, monkeypatch):
    """Slack retries an event not acknowledged within 3 s, and an event passes two guards."""
    with socket.socket() as silent:  # accepts connections (its backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        monkeypatch.setenv("TRIALBOT_LOCK_STORE_PORT", str(silent.getsockname()[1]))
        guard, began = seen_recently("test-silent", 60), time.monotonic()
        with pytest.raises(GuardUnavailable):
            guard.add(uuid.uuid4().hex, time.time())
        assert time.monotonic() - began < 1.0
