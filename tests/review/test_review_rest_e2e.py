"""Conversations made through the real REST channel show up in the review app with the right fields.

The real action server and Rasa server (with the trained model), and the review app as
``trialbot serve`` starts it, on SQLite and on PostgreSQL tracker stores, with the shipped
endpoints.yml: its tracker store (``review.tracker_store.ErasingSQLTrackerStore``) erases "delete
my answers" right after Rasa saved the turn.
"""
from __future__ import annotations

import html
import json
import re
import uuid
from dataclasses import replace

import pytest
import requests
from sqlalchemy import create_engine, func, select

from bot.store import TrialStore
from review.auth import hash_password
from review.store import ReviewStore
from review.store.tables import conversations, events, state
from review.stories import expected_turns, replay
from tests.review.helpers import ADMIN_PASSWORD, REVIEWER_PASSWORD, login, postgres_available, postgres_database
from trialbot.config import PROJECT_ROOT, load_settings
from trialbot.servers import on_free_ports, running_bot

pytestmark = pytest.mark.e2e
MODEL = PROJECT_ROOT / "models" / "trialbot.tar.gz"
TRIAL = "NCT05236582"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request, tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: make models/trialbot.tar.gz", pytrace=False)
    tmp = tmp_path_factory.mktemp(f"review-{request.param}")
    trials = f"sqlite:///{tmp / 'trials.db'}"
    TrialStore(trials).load_directory(PROJECT_ROOT / "data")
    if request.param == "postgresql":
        if not postgres_available():
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 (set TRIALBOT_TEST_POSTGRES_URL)", pytrace=False)
        database = postgres_database()
        tracker = database.__enter__()
    else:
        database, tracker = None, f"sqlite:///{tmp / 'conversations.db'}"
    users = (f"ada:admin:{hash_password(ADMIN_PASSWORD)}", f"rita:reviewer:{hash_password(REVIEWER_PASSWORD)}")
    settings = on_free_ports(replace(load_settings(), database_url=trials, tracker_store_url=tracker, model=str(MODEL),
                                     default_trial=TRIAL, host="127.0.0.1", review_users=users,
                                     review_stories_dir=str(tmp / "stories"), retention_days=365))
    log_path = tmp / "servers.log"
    try:
        with open(log_path, "w") as log, running_bot(settings, log=log, timeout=240, review=True):
            yield {"settings": settings, "backend": request.param, "log": log_path,
                   "engine": create_engine(tracker, future=True)}
    except Exception as exc:
        tail = log_path.read_text(errors="replace")[-4000:] if log_path.exists() else ""
        pytest.fail(f"servers failed: {exc}\n{tail}", pytrace=False)
    finally:
        if database is not None:
            database.__exit__(None, None, None)


def chat(live, messages, sender=None):
    sender = sender or f"review-e2e-{uuid.uuid4().hex[:12]}"
    url = f"{live['settings'].rasa_url}/webhooks/rest/webhook"
    replies = []
    for message in messages:
        reply = requests.post(url, json={"sender": sender, "message": message}, timeout=60)
        assert reply.status_code == 200, reply.text
        replies.append(reply.json())
    return sender, replies


def stored_events(live, sender):
    with live["engine"].connect() as c:
        return c.execute(select(func.count()).select_from(events).where(events.c.sender_id == sender)).scalar()


def index_state(live, senders):
    """What the tracker store and the review tables hold of conversations missing from the inbox."""
    with live["engine"].connect() as c:
        mark = c.execute(select(state.c.value).where(state.c.key == "last_event_id")).scalar()
        newest = c.execute(select(func.max(events.c.id))).scalar()
        found = {s: (stored_events(live, s), c.execute(select(conversations.c.last_event_id)
                                                       .where(conversations.c.sender_id == s)).scalar(),
                     c.execute(select(func.min(events.c.id), func.max(events.c.id))
                               .where(events.c.sender_id == s)).one())
                 for s in senders}
    return {"high_water_mark": mark, "newest_event": newest,
            "missing (events, indexed up to, event ids)": found}


def unclear_turns(live, sender):
    """How many user turns the NLU left as nlu_fallback, and how many had a low confidence in its
    best real intent, read from the tracker store."""
    with live["engine"].connect() as c:
        rows = c.execute(select(events.c.data).where(events.c.sender_id == sender, events.c.type_name == "user"))
        parsed = [json.loads(data)["parse_data"] for (data,) in rows]
    threshold = live["settings"].low_confidence_threshold
    best = [next((i["confidence"] for i in p.get("intent_ranking") or [] if i["name"] != "nlu_fallback"),
                 p["intent"]["confidence"]) for p in parsed]
    return sum(p["intent"]["name"] == "nlu_fallback" for p in parsed), sum(b < threshold for b in best)


def inbox(session, live, **params):
    reply = session.get(f"{live['settings'].review_url}api/conversations", params={"per_page": 200, **params},
                        timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()["conversations"]


def test_conversations_through_rest_appear_in_the_review(live):
    review = live["settings"].review_url.rstrip("/")
    assert requests.get(f"{review}/api/conversations", timeout=10).status_code == 401
    assert requests.get(f"{review}/", allow_redirects=False, timeout=10).status_code == 302

    # "not eligible" decided by one answer is read back first: the person confirms it
    too_young, _ = chat(live, ["hi", "yes", "I'm 17", "yes"])
    # gibberish, and a turn the NLU leaves as nlu_fallback for certain (whatever the training made
    # of the gibberish: the "/intent" form bypasses the model)
    confused, _ = chat(live, ["hello", "yes", "asdkjh qwe", "/nlu_fallback"])
    upset, _ = chat(live, ["hi", "my name is John Smith, call me on 07700 900123",
                           "can I talk to a real person? this is useless"])
    reviewer = login(review, "rita", REVIEWER_PASSWORD)
    rows = {r["sender"]: r for r in inbox(reviewer, live)}
    # the app brings the index up to date before it reads a page: all three are there at once
    assert not {too_young, confused, upset} - set(rows), index_state(live, {too_young, confused, upset} - set(rows))

    first = rows[too_young]
    assert (first["channel"], first["turns"], first["verdict"], first["trials"]) == ("rest", 4, "not_eligible", [TRIAL])
    assert first["read_backs"] == 1
    assert first["fallbacks"] == unclear_turns(live, too_young)[0]
    assert first["status"] == "unreviewed" and not first["asked_human"]
    second = rows[confused]
    # what the model makes of gibberish varies from one training to the next: count it in the store
    fallbacks, unsure = unclear_turns(live, confused)
    assert fallbacks >= 1 and (second["fallbacks"], second["low_confidence"]) == (fallbacks, unsure), second
    assert second["turns"] == 4
    third = rows[upset]
    assert third["asked_human"] and third["frustrated"] and "John" not in third["preview"]

    # filters and free text, through the app
    assert {r["sender"] for r in inbox(reviewer, live, verdict="not_eligible")} >= {too_young}
    assert confused not in {r["sender"] for r in inbox(reviewer, live, verdict="not_eligible")}
    assert {r["sender"] for r in inbox(reviewer, live, min_fallbacks=fallbacks)} >= {confused}
    ours = {too_young, confused, upset}
    assert {r["sender"] for r in inbox(reviewer, live, min_fallbacks=1)} & ours == {
        s for s in ours if unclear_turns(live, s)[0] >= 1}
    assert {r["sender"] for r in inbox(reviewer, live, q="useless")} == {upset}
    assert {r["sender"] for r in inbox(reviewer, live, channel="rest", trial=TRIAL, max_turns=4)} >= {too_young}

    # the conversation view: intents, confidences and the verdict's reasoning; masked
    record = reviewer.get(f"{review}/api/conversations/{first['id']}", timeout=30).json()
    said = [m for m in record["messages"] if m["kind"] == "user"]
    assert [m["intent"] for m in said][:2] == ["greet", "affirm"] and all(0 < m["confidence"] <= 1 for m in said)
    assert said[2]["facts"]["age"] == 17
    verdict = next(m["verdict"] for m in record["messages"] if m.get("verdict"))
    assert verdict["status"] == "not_eligible"
    assert any(c["id"] == "inc-age" and c["status"] == "not_met" for c in verdict["criteria"])
    page = reviewer.get(f"{review}/conversations/{third['id']}", timeout=30).text
    assert "[name]" in page and "John" not in page and "07700" not in page

    # the patient-facing server does not serve the review
    assert "Transcript review" not in requests.get(live["settings"].rasa_url + "/", timeout=10).text
    for path in ("/login", "/api/conversations", f"/conversations/{first['id']}", "/export.json"):
        reply = requests.get(live["settings"].rasa_url + path, timeout=10, allow_redirects=False)
        assert reply.status_code in (404, 405), (path, reply.status_code)
        assert "sender" not in reply.text


def test_delete_my_answers_erases_the_conversation_everywhere(live):
    reviewer = login(live["settings"].review_url.rstrip("/"), "rita", REVIEWER_PASSWORD)
    sender, _ = chat(live, ["hi", "yes", "my platelets are 22000"])
    row = {r["sender"]: r for r in inbox(reviewer, live)}[sender]
    reviewer.post(f"{live['settings'].review_url}api/conversations/{row['id']}", json={"add_tags": ["to-erase"],
                                                                                      "note": "a note"},
                  headers={"X-CSRF-Token": reviewer.csrf}, timeout=10).raise_for_status()
    _, replies = chat(live, ["delete my answers"], sender)
    assert "deleted" in replies[0][0]["text"].lower()
    assert stored_events(live, sender) == 0  # erased by the tracker store right after the save
    remaining = {r["sender"]: r for r in inbox(reviewer, live)}  # the index runs first
    assert sender not in remaining
    assert stored_events(live, sender) == 0
    assert inbox(reviewer, live, tag="to-erase") == []
    assert reviewer.get(f"{live['settings'].review_url}api/conversations/{row['id']}", timeout=10).status_code == 404
    # the person can start again: a new conversation that knows nothing of the old one
    _, replies = chat(live, ["hi"], sender)
    assert "Shall we start" in replies[0][-1]["text"]
    again = {r["sender"]: r for r in inbox(reviewer, live)}[sender]
    assert again["id"] != row["id"] and again["turns"] == 1
    with live["engine"].connect() as c:
        texts = [t for (t,) in c.execute(select(events.c.data).where(events.c.sender_id == sender))]
    assert not any("22000" in t for t in texts)


def marks_in(replies):
    """What the bot's REST replies say about the reading: answers not understood, and questions
    asking what the question before them asked (check-backs and read-backs aside)."""
    not_understood, repeated, last = 0, 0, None
    for reply in replies:
        for message in reply:
            custom = message.get("custom") or {}
            not_understood += custom.get("not_understood") is True
            if custom.get("asks") and not custom.get("confirm") and not custom.get("read_back"):
                repeated += custom["asks"] == last
                last = custom["asks"]
    return not_understood, repeated


def test_answers_not_understood_and_questions_asked_again_are_counted_and_shown(live):
    review = live["settings"].review_url.rstrip("/")
    # junk in place of the platelet count (the question comes again), then a number to a yes/no question
    sender, replies = chat(live, ["hi", "yes", "asdkjh qwe", "нет", "22", "can I talk to a real person?"])
    not_understood, repeated = marks_in(replies)
    assert not_understood >= 2 and repeated >= 2, replies
    plain, plain_replies = chat(live, ["hi", "yes"])
    reviewer = login(review, "rita", REVIEWER_PASSWORD)
    row = {r["sender"]: r for r in inbox(reviewer, live)}[sender]
    assert (row["misunderstood"], row["repeated_questions"]) == (not_understood, repeated), row
    assert row["asked_human"]
    filtered = {r["sender"] for r in inbox(reviewer, live, min_misunderstood=not_understood)}
    assert sender in filtered and plain not in filtered
    assert plain not in {r["sender"] for r in inbox(reviewer, live, min_repeated_questions=1)}
    ranked = [r["sender"] for r in inbox(reviewer, live, sort="repeated_questions")]
    assert ranked.index(sender) < ranked.index(plain)

    page = reviewer.get(f"{review}/conversations/{row['id']}", timeout=30).text
    marks = re.findall(r'data-mark="(\w+)"', page)
    assert (marks.count("not_understood"), marks.count("repeated"), marks.count("handoff")) == \
        (not_understood, repeated, 1)
    listing = reviewer.get(f"{review}/", params={"min_repeated_questions": repeated}, timeout=30).text
    found = re.search(rf'value="{row["id"]}".*?data-count="repeated_questions">(\d+)<', listing, re.S)
    assert found and int(found.group(1)) == repeated


def replayed(live, turns):
    """A saved story's messages sent again through REST, as a new conversation: what reads differently."""
    sender = f"replay-{uuid.uuid4().hex[:12]}"
    url = f"{live['settings'].rasa_url}/webhooks/rest/webhook"

    def send(message):
        requests.post(url, json={"sender": sender, "message": message}, timeout=60).raise_for_status()

    return replay(turns, send, lambda: ReviewStore(live["engine"]).messages(sender))


def save_story(reviewer, review, cid, name):
    """Saves the conversation as a test story through the form, as the reviewer leaves it."""
    form = reviewer.get(f"{review}/conversations/{cid}/story", timeout=30).text
    data = {"csrf": reviewer.csrf, "name": name}
    for key, value in re.findall(r'name="((?:text|actions|include|reading)_\d+)"[^>]*value="([^"]*)"', form):
        data[key] = html.unescape(value)
    for key, body in re.findall(r'<select name="((?:intent|verdict)_\d+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[key] = html.unescape(chosen.group(1)) if chosen else ""
    saved = reviewer.post(f"{review}/conversations/{cid}/story", data=data, timeout=30)
    assert saved.status_code == 200, saved.text[:1000]
    return html.unescape(re.search(r'<pre class="yaml" id="story">(.*?)</pre>', saved.text, re.S).group(1))


def test_a_saved_test_records_the_facts_read_and_fails_when_a_reading_changes(live):
    review = live["settings"].review_url.rstrip("/")
    sender, replies = chat(live, ["hi", "yes", "my platelets are 45", "sorry, I meant 25"])
    reviewer = login(review, "rita", REVIEWER_PASSWORD)
    cid = {r["sender"]: r for r in inbox(reviewer, live)}[sender]["id"]
    story = save_story(reviewer, review, cid, "a corrected platelet count")
    assert '- facts: {"platelet_count": 45.0}' in story and '- facts: {"platelet_count": 25.0}' in story, story
    assert replayed(live, expected_turns(story)[0]) == []  # the bot still reads the messages as recorded
    changed = story.replace('{"platelet_count": 25.0}', '{"platelet_count": 30.0}')
    problems = replayed(live, expected_turns(changed)[0])
    assert problems and "platelet_count: 30.0 expected, 25.0 read" in problems[0], problems


def test_saved_tests_still_read_every_message_as_recorded(live):
    """The stories saved from the review (tests/stories/reviewed/): ``rasa test`` checks their
    intents and actions; here the facts read from each message and the verdicts are checked."""
    failures = {}
    for path in sorted((PROJECT_ROOT / "tests" / "stories" / "reviewed").glob("*.yml")):
        for number, turns in enumerate(expected_turns(path.read_text(encoding="utf-8")), start=1):
            problems = replayed(live, turns)
            if problems:
                failures[f"{path.name} story {number}"] = problems
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)
