"""The review index, the inbox's filters and sort, review actions, erasure and retention, on
SQLite and PostgreSQL, over events shaped like Rasa's."""
from __future__ import annotations

import asyncio
import threading
import time
from datetime import date, datetime, timezone

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import delete, func, select, text, update

from review.erasure import erase_conversation
from review.store import InboxQuery, ReviewStore
from review.store.tables import events
from review.transcript import ReadingMarks
from tests.review.test_review_erasure import DOMAIN, start, turn
from tests.review.helpers import BOOSTERS, Conversation, both_backends, misread, misread_continued, \
    standard_conversations

def by_sender(store, **filters):
    page = store.inbox(InboxQuery(per_page=200, **filters))
    return {r["sender_id"]: r for r in page.rows}


@both_backends
def test_index_summarises_each_conversation(store):
    standard_conversations(store)
    report = store.index()
    assert report.conversations == 5 and report.erased == 0
    rows = by_sender(store)
    eligible = rows["sender-eligible"]
    assert (eligible["channel"], eligible["turns"], eligible["verdict"], eligible["trials"]) == \
        ("rest", 3, "likely_eligible", "NCT05236582")
    assert eligible["fallbacks"] == 0 and eligible["status"] == "unreviewed"
    assert eligible["preview"] == "hi"
    fallbacks = rows["sender-fallbacks"]
    assert fallbacks["fallbacks"] == 2 and fallbacks["misunderstood"] == 1
    assert fallbacks["low_confidence"] == 3  # two fallbacks (best guess 0.3) and one at 0.41
    human = rows["sender-human"]
    assert human["channel"] == "socketio" and human["verdict"] == "not_eligible"
    assert human["asked_human"] and human["frustrated"]
    assert not eligible["asked_human"] and not eligible["frustrated"]
    assert rows["sender-matching"]["trials"] == "NCT00000001,NCT00000002"
    # the preview is masked when stored
    assert "John" not in rows["+44 7700 900123"]["preview"] and "[name]" in rows["+44 7700 900123"]["preview"]


@both_backends
def test_index_is_incremental(store):
    made = standard_conversations(store)
    store.index()
    assert store.index().events == 0
    made["eligible"].turn("what about my mother?", "Tell me about her.", "inform", 0.3).save(store)
    Conversation("sender-new").start().turn("hi", "Hello").save(store)
    report = store.index()
    assert report.conversations == 2
    rows = by_sender(store)
    assert rows["sender-eligible"]["turns"] == 4 and rows["sender-eligible"]["low_confidence"] == 1
    assert rows["sender-eligible"]["verdict"] == "likely_eligible"  # kept from the earlier events
    assert "sender-new" in rows
    assert store.high_water_mark() == store.engine.connect().execute(select(func.max(events.c.id))).scalar()


@both_backends
def test_two_indexers_at_once_count_every_event_once(store):
    for n in range(30):
        Conversation(f"parallel-{n}").start().turn("hi", "Hello").turn("yes", "Question?", "affirm").save(store)
    errors = []

    def work():
        try:
            for _ in range(3):
                store.index(batch_size=50)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    page = store.inbox(InboxQuery(per_page=200))
    assert page.total == 30 and {r["turns"] for r in page.rows} == {2}


@both_backends
def test_filters(store):
    standard_conversations(store)
    store.index()
    assert set(by_sender(store, channel="socketio")) == {"sender-human"}
    assert set(by_sender(store, verdict="not_eligible")) == {"sender-human"}
    assert set(by_sender(store, verdict="none")) == {"sender-fallbacks", "+44 7700 900123"}
    assert set(by_sender(store, trial="NCT00000002")) == {"sender-matching"}
    assert set(by_sender(store, trial="NCT05236582")) == {"sender-eligible", "sender-human"}
    assert set(by_sender(store, min_fallbacks=1)) == {"sender-fallbacks"}
    assert set(by_sender(store, min_low_confidence=2)) == {"sender-fallbacks"}
    assert set(by_sender(store, asked_human=True)) == {"sender-human"}
    assert set(by_sender(store, frustrated=True)) == {"sender-human"}
    assert "sender-human" not in by_sender(store, frustrated=False)
    assert set(by_sender(store, min_turns=3)) == {"sender-eligible", "sender-fallbacks"}
    assert set(by_sender(store, max_turns=1)) == {"sender-matching"}
    jan = datetime(2025, 1, 10, 12, tzinfo=timezone.utc).timestamp()
    Conversation("january", at=jan).start().turn("hi", "Hello").save(store)
    Conversation("february", at=jan + 31 * 86400).start().turn("hi", "Hello").save(store)
    store.index()
    assert set(by_sender(store, started_from=date(2025, 1, 10), started_to=date(2025, 1, 10))) == {"january"}
    assert set(by_sender(store, started_from=date(2025, 1, 11), started_to=date(2025, 12, 31))) == {"february"}
    assert set(by_sender(store, started_to=date(2025, 6, 1))) == {"january", "february"}
    cid = by_sender(store)["sender-eligible"]["id"]
    store.set_status(cid, "needs_follow_up", "ada")
    store.add_tag(cid, "Date Misread", "ada")
    assert set(by_sender(store, status="needs_follow_up")) == {"sender-eligible"}
    assert set(by_sender(store, status="unreviewed")) == {"sender-fallbacks", "sender-human", "+44 7700 900123",
                                                          "sender-matching", "january", "february"}
    assert set(by_sender(store, tag="date-misread")) == {"sender-eligible"}
    store.flag(cid, 5, "ada", "wrong answer")
    assert set(by_sender(store, flagged=True)) == {"sender-eligible"}
    # filters combine
    assert by_sender(store, channel="socketio", verdict="likely_eligible") == {}
    assert set(by_sender(store, ids=(cid,))) == {"sender-eligible"}


@both_backends
def test_free_text_search_uses_masked_words(store):
    standard_conversations(store)
    store.index()
    assert set(by_sender(store, q="useless")) == {"sender-human"}
    assert set(by_sender(store, q="platel")) == {"sender-eligible"}  # a prefix, also in the bot's words
    assert set(by_sender(store, q="asdkjh blorp")) == {"sender-fallbacks"}  # every word, any order
    assert by_sender(store, q="useless blorp") == {}
    assert by_sender(store, q="John") == {}  # names are masked before they are indexed
    assert by_sender(store, q="example.com") == {}
    assert set(by_sender(store, q="sender-matching")) == {"sender-matching"}  # the sender id, exactly
    assert by_sender(store, q="'\"*:() OR") == {}  # query syntax is only words


@both_backends
def test_sort_and_pages(store):
    base = time.time() - 86400
    for n in range(23):
        c = Conversation(f"s{n:02d}", at=base + n * 60).start()
        for _ in range(n % 5):
            c.turn("hi", "Hello")
        c.save(store)
    store.index()
    newest_first = store.inbox(InboxQuery(per_page=10))
    assert newest_first.total == 23 and newest_first.pages == 3
    assert [r["sender_id"] for r in newest_first.rows][:3] == ["s22", "s21", "s20"]
    last = store.inbox(InboxQuery(per_page=10, page=3))
    assert [r["sender_id"] for r in last.rows] == ["s02", "s01", "s00"]
    beyond = store.inbox(InboxQuery(per_page=10, page=99))
    assert beyond.page == 3
    oldest_first = store.inbox(InboxQuery(per_page=5, desc=False))
    assert [r["sender_id"] for r in oldest_first.rows] == ["s00", "s01", "s02", "s03", "s04"]
    by_turns = store.inbox(InboxQuery(sort="turns", per_page=23)).rows
    assert [r["turns"] for r in by_turns] == sorted((r["turns"] for r in by_turns), reverse=True)
    seen = set()
    for page in (1, 2, 3):
        seen |= {r["id"] for r in store.inbox(InboxQuery(sort="turns", per_page=10, page=page)).rows}
    assert len(seen) == 23  # a stable order: no row twice, none lost


def test_query_from_parameters():
    query = InboxQuery.from_params({"q": " platelets ", "verdict": "uncertain", "trial": "nct05236582",
                                    "min_fallbacks": "2", "asked_human": "true", "frustrated": "false",
                                    "started_from": "2026-01-01", "started_to": "nonsense", "sort": "drop table",
                                    "order": "asc", "page": "-3", "per_page": "100000", "ids": "1, 2,x"})
    assert query.q == "platelets" and query.verdict == "uncertain" and query.trial == "NCT05236582"
    assert query.min_fallbacks == 2 and query.asked_human is True and query.frustrated is False
    assert query.started_from == date(2026, 1, 1) and query.started_to is None
    assert query.sort == "started" and query.desc is False and query.page == 1 and query.per_page == 200
    assert query.ids == (1, 2)
    assert InboxQuery.from_params(query.to_params()) == query


@both_backends
def test_review_actions_are_kept_and_audited(store):
    standard_conversations(store)
    store.index()
    cid = by_sender(store)["sender-fallbacks"]["id"]
    store.set_status(cid, "reviewed", "rita")
    store.add_tag(cid, "nlu", "rita")
    store.add_tag(cid, "nlu", "rita")  # once only
    store.add_note(cid, "The model does not know 'maybe'.", "rita")
    store.flag(cid, 7, "rita", "should have asked again")
    row = store.conversation(cid)
    assert row["status"] == "reviewed" and row["reviewed_by"] == "rita" and row["tags"] == ["nlu"]
    assert [n["text"] for n in row["notes"]] == ["The model does not know 'maybe'."]
    assert row["flags"][7]["reason"] == "should have asked again" and row["flagged"] == 1
    store.flag(cid, 7, "rita", on=False)
    store.remove_tag(cid, "nlu", "rita")
    row = store.conversation(cid)
    assert row["flags"] == {} and row["flagged"] == 0 and row["tags"] == []
    actions = [e["action"] for e in store.audit_log(user="rita")]
    assert actions[::-1] == ["status", "tag", "note", "flag", "unflag", "untag"]
    with pytest.raises(ValueError):
        store.set_status(cid, "done", "rita")
    with pytest.raises(ValueError):
        store.add_tag(cid, "two words; drop", "rita")
    # new events keep the review data
    Conversation("sender-fallbacks").turn("no", "OK.", "deny").save(store)
    store.index()
    assert store.conversation(cid)["status"] == "reviewed"


def _event_count(store, sender):
    with store.engine.connect() as c:
        return c.execute(select(func.count()).select_from(events).where(events.c.sender_id == sender)).scalar()


@both_backends
def test_delete_my_answers_erases_the_conversation_everywhere(store):
    made = standard_conversations(store)
    store.index()
    cid = by_sender(store)["sender-eligible"]["id"]
    store.add_tag(cid, "keep-me", "ada")
    store.add_note(cid, "note about the person", "ada")
    store.flag(cid, 9, "ada", "why")
    # the person says "delete my answers"; the turn is saved, then the indexer sees it
    made["eligible"].user("delete my answers", "delete_answers", 0.99).action("action_delete_answers") \
        .bot("I have deleted your answers.", {"deleted": True}).slot("facts", {}).action("action_listen").save(store)
    report = store.index()
    assert report.erased == 1
    assert _event_count(store, "sender-eligible") == 0
    assert store.conversation(cid) is None and "sender-eligible" not in by_sender(store)
    assert by_sender(store, tag="keep-me") == {} and by_sender(store, q="platelets") == {}
    erase = store.audit_log(action="erase")[0]
    assert erase["user"] == "patient" and "delete my answers" in erase["detail"]
    # the person comes back: a new conversation, nothing of the old one
    made["eligible"].turn("hi", "Hello! Shall we start?", "greet").save(store)
    store.index()
    again = by_sender(store)["sender-eligible"]
    assert again["id"] != cid and again["turns"] == 1 and again["verdict"] is None


@both_backends
def test_the_model_s_guess_of_delete_erases_nothing_the_engine_did_not_delete(store):
    # the model took a message for "delete my answers"; the engine read it otherwise and went on
    c = Conversation("sender-y").start().turn("I'm 40", "Noted.", facts={"age": 40})
    c.user("clear as mud, sorry", "delete_answers", 0.91).action("action_delete_answers") \
        .bot("Sorry, I didn't understand that.").action("action_listen")
    c.save(store)
    assert store.index().erased == 0 and by_sender(store)["sender-y"]["turns"] == 2


@both_backends
def test_erase_in_the_same_batch_keeps_what_came_after(store):
    c = Conversation("sender-x").start().turn("I'm 40", "Noted.", facts={"age": 40})
    c.user("delete my answers", "delete_answers").action("action_delete_answers").bot("Deleted.", {"deleted": True}) \
        .action("action_listen")
    c.turn("hello again", "Hello! Shall we start?", "greet")
    c.save(store)
    report = store.index()
    assert report.erased == 1
    row = by_sender(store)["sender-x"]
    assert row["turns"] == 1 and row["preview"] == "hello again"
    assert _event_count(store, "sender-x") == 4  # the new turn's events only


@both_backends
def test_erase_conversation_function(store):
    standard_conversations(store)
    store.index()
    cid = by_sender(store)["sender-human"]["id"]
    store.add_tag(cid, "x", "ada")
    deleted = erase_conversation("sender-human", store=store, actor="ada", reason="test")
    assert deleted > 0 and _event_count(store, "sender-human") == 0
    assert store.conversation(cid) is None
    assert erase_conversation("sender-human", store=store) == 0  # idempotent
    store.index()  # the indexer does not bring it back
    assert "sender-human" not in by_sender(store)


@both_backends
def test_retention_erases_old_conversations(store):
    now = time.time()
    Conversation("old", at=now - 40 * 86400).start().turn("hi", "Hello").save(store)
    Conversation("recent", at=now - 2 * 86400).start().turn("hi", "Hello").save(store)
    assert store.purge(0) == 0
    assert store.purge(30, now=now) == 1
    assert set(by_sender(store)) == {"recent"} and _event_count(store, "old") == 0
    assert store.audit_log(action="erase")[0]["user"] == "retention"


@both_backends
def test_conversation_view_has_intents_facts_and_verdicts(store):
    standard_conversations(store)
    store.index()
    messages = store.messages("sender-eligible")
    users = [m for m in messages if m.kind == "user"]
    assert [(m.text, m.intent) for m in users][:2] == [("hi", "greet"), ("yes", "affirm")]
    assert users[2].facts == {"platelet_count": 22.0, "age": 62} and users[2].actions == ["action_screen"]
    verdict = [m for m in messages if m.kind == "bot" and m.verdict][0]
    assert verdict.verdict["status"] == "likely_eligible" and verdict.verdict["criteria"][0]["id"] == "inc-age"
    fallbacks = [m for m in store.messages("sender-fallbacks") if m.kind == "user" and m.fallback]
    assert len(fallbacks) == 2 and fallbacks[0].low_confidence and fallbacks[0].confidence == 0.45


@both_backends
def test_events_after_erasing_the_newest_ones_are_indexed(store):
    """SQLite would hand the erased newest ids out again, behind the indexer's high-water mark."""
    Conversation("first").start().turn("hi", "Hello").save(store)
    Conversation("newest").start().turn("hi", "Hello").turn("I'm 50", "Noted.").save(store)
    store.index()
    store.erase("newest", "ada", "test")
    Conversation("after").start().turn("hi", "Hello").save(store)
    Conversation("first").turn("yes", "Question?", "affirm").save(store)
    store.index()
    rows = by_sender(store)
    assert set(rows) == {"first", "after"} and rows["first"]["turns"] == 2


@both_backends
def test_review_data_survives_a_restart_and_numbers_are_not_reused(store, database_url):
    from review.store import ReviewStore

    Conversation("a").start().turn("hi", "Hello").save(store)
    Conversation("b").start().turn("hi", "Hello").save(store)
    store.index()
    first = by_sender(store)
    store.add_tag(first["a"]["id"], "kept", "ada")
    store.erase("b", "ada", "test")
    store.engine.dispose()
    again = ReviewStore(database_url)  # as after a restart
    Conversation("c").start().turn("hi", "Hello").save(again)
    again.index()
    rows = by_sender(again)
    assert rows["a"]["tags"] == ["kept"]
    assert rows["c"]["id"] > first["b"]["id"]  # the erased conversation's number stays unused
    again.engine.dispose()


@both_backends
def test_chinese_is_found_by_its_words_and_characters(store):
    Conversation("zh-platelets").start().turn("我的血小板是22，王芳医生说太低了", "好的。").save(store)
    Conversation("zh-named").start().turn("我叫王芳，血压正常", "好的。").save(store)
    Conversation("zh-other").start().turn("我有糖尿病", "好的。").save(store)
    Conversation("en-mixed").start().turn("plt血小板 22", "Noted.").save(store)
    store.index()
    assert set(by_sender(store, q="血小板")) == {"zh-platelets", "en-mixed"}  # a word inside a sentence
    assert set(by_sender(store, q="王芳")) == {"zh-platelets"}  # a name as written; where masked, not found
    assert set(by_sender(store, q="血")) == {"zh-platelets", "zh-named", "en-mixed"}  # one character
    assert set(by_sender(store, q="糖尿病")) == {"zh-other"}
    assert by_sender(store, q="小血") == {}  # the characters in their order, side by side
    assert by_sender(store, q="血小板 糖尿病") == {}  # every term, as with English words
    assert set(by_sender(store, q="plt 血小板")) == {"en-mixed"}
    assert set(by_sender(store, q="plt血小板")) == {"en-mixed"}
    assert set(by_sender(store, q="血压 正常")) == {"zh-named"}


@both_backends
def test_chinese_text_indexed_before_is_found_after_an_upgrade(store, database_url):
    from review.store.search import HAN_SPLIT
    from review.store.tables import search, state

    Conversation("zh-old").start().turn("我的血小板是22", "好的。").save(store)
    store.index()
    conversation_id = by_sender(store)["zh-old"]["id"]
    with store.engine.begin() as c:  # the search text and state as the version before wrote them
        c.execute(delete(state).where(state.c.key == HAN_SPLIT))
        if store.dialect == "sqlite":
            c.execute(text("UPDATE review_fts SET body = '我的血小板是22' WHERE rowid = :id"), {"id": conversation_id})
        else:
            c.execute(update(search).where(search.c.conversation_id == conversation_id).values(body="我的血小板是22"))
    assert by_sender(store, q="血小板") == {}
    store.engine.dispose()
    upgraded = ReviewStore(database_url)
    assert set(by_sender(upgraded, q="血小板")) == {"zh-old"}
    upgraded.engine.dispose()


@both_backends
def test_free_text_counts_stop_at_the_cap_but_exports_do_not(store, monkeypatch):
    from review.store import inbox

    for n in range(7):
        Conversation(f"word-{n}").start().turn("my platelets are low", "Noted.").save(store)
    store.index()
    monkeypatch.setattr(inbox, "TEXT_COUNT_CAP", 5)
    page = store.inbox(InboxQuery(q="platelets", per_page=2))
    assert page.capped and page.total == 5 and page.pages == 3 and len(page.rows) == 2
    assert not store.inbox(InboxQuery(per_page=2)).capped  # structured filters count exactly
    assert len(list(store.iter_selection(InboxQuery(q="platelets"), batch=3))) == 7


# -- where reading went wrong ------------------------------------------------------------------------

@both_backends
def test_index_counts_where_reading_went_wrong(store):
    conversation = misread("sender-misread").save(store)
    standard_conversations(store)
    store.index()
    misread_continued(conversation).save(store)
    store.index()
    rows = by_sender(store)
    row = rows["sender-misread"]
    assert (row["misunderstood"], row["repeated_questions"], row["check_backs"], row["corrections"],
            row["read_backs"]) == (2, 3, 1, 2, 1), row
    assert row["asked_human"], "a handoff is a person asking for a human"
    plain = rows["sender-eligible"]
    assert (plain["misunderstood"], plain["repeated_questions"], plain["check_backs"], plain["corrections"],
            plain["read_backs"], plain["asked_human"]) == (0, 0, 0, 0, 0, False)
    assert rows["sender-fallbacks"]["misunderstood"] == 1


def test_a_question_for_a_closer_date_than_a_range_counts_as_a_check_back_not_a_repeat():
    held = {"last_chemotherapy": "2026-10-27/2026-11-03"}
    marks = ReadingMarks.of("When did you last have chemotherapy?",
                            {"asks": ["last_chemotherapy"], "answer_type": "date", "unit": None, "closer_than": held})
    assert marks.check_back == held and marks.question is None


@both_backends
def test_each_bot_message_shows_how_the_answer_was_read(store):
    misread_continued(misread("sender-misread")).save(store)
    said = [m for m in store.messages("sender-misread") if m.kind == "bot"]
    marks = [(m.text[:22], [name for name in ("not_understood", "repeated", "check_back", "read_back", "corrected",
                                              "handoff") if getattr(m, name)]) for m in said]
    assert marks == [
        ("What was your most rec", []),
        ("Sorry, I didn't unders", ["not_understood"]),
        ("What was your most rec", ["repeated"]),
        ("I can only read Englis", ["not_understood"]),
        ("What was your most rec", ["repeated"]),
        ("Did medicines to raise", []),
        ("Just to check: rhTPO d", ["check_back"]),  # a check-back neither repeats nor interrupts
        ("Did medicines to raise", ["repeated"]),
        ("Updated platelet count", ["corrected"]),
        ("Updated age: 61 → 62.", ["corrected"]),
        ("Before the result: pla", ["read_back"]),
        ("You can reach the stud", ["handoff"]),
    ], marks
    assert said[6].check_back == {"platelet_boosters_failed": True}
    assert said[10].read_back == {"platelet_count": 20.0}


@both_backends
def test_inbox_filters_and_sorts_by_the_reading_counts(store):
    misread_continued(misread("sender-misread")).save(store)
    misread("sender-once").save(store)
    standard_conversations(store)
    store.index()
    assert set(by_sender(store, min_misunderstood=1)) == {"sender-misread", "sender-once", "sender-fallbacks"}
    assert set(by_sender(store, min_misunderstood=2)) == {"sender-misread"}
    assert set(by_sender(store, min_repeated_questions=1)) == {"sender-misread", "sender-once"}
    assert set(by_sender(store, min_repeated_questions=2)) == {"sender-misread"}
    for name in ("check_backs", "read_backs", "corrections"):
        assert set(by_sender(store, **{f"min_{name}": 1})) == {"sender-misread"}, name
    assert set(by_sender(store, asked_human=True)) == {"sender-misread", "sender-human"}
    for sort in ("repeated_questions", "misunderstood", "check_backs", "corrections", "read_backs"):
        page = store.inbox(InboxQuery(sort=sort, per_page=2))
        assert page.rows[0]["sender_id"] == "sender-misread", sort
        ascending = store.inbox(InboxQuery(sort=sort, desc=False, per_page=200)).rows
        assert [r[sort] for r in ascending] == sorted(r[sort] for r in ascending)
    query = InboxQuery.from_params({"min_repeated_questions": "2", "min_check_backs": "1", "sort": "corrections",
                                    "order": "asc"})
    assert (query.min_repeated_questions, query.min_check_backs, query.sort, query.desc) == (2, 1, "corrections", False)
    assert query.to_params() == {"min_repeated_questions": "2", "min_check_backs": "1", "sort": "corrections",
                                 "order": "asc"}


READING_COLUMNS = ("check_backs", "read_backs", "corrections", "repeated_questions")


@both_backends
def test_an_existing_review_database_gets_the_reading_counts(store, database_url):
    """A review database made before the reading counts: the columns are added when the store
    opens it, and the conversations already indexed are counted from their events."""
    from sqlalchemy import text

    misread_continued(misread("sender-misread")).save(store)
    standard_conversations(store)
    store.index()
    with store.engine.begin() as c:  # back to the schema before the counts
        for name in (*READING_COLUMNS, "misunderstood"):
            c.execute(text(f"DROP INDEX IF EXISTS ix_review_conv_{name}_id"))
        for name in READING_COLUMNS:
            c.execute(text(f"ALTER TABLE review_conversations DROP COLUMN {name}"))
    store.engine.dispose()
    reopened = ReviewStore(database_url)
    try:
        rows = by_sender(reopened)
        row = rows["sender-misread"]
        assert (row["repeated_questions"], row["check_backs"], row["corrections"], row["read_backs"]) == (3, 1, 2, 1)
        assert rows["sender-eligible"]["repeated_questions"] == 0
        assert set(by_sender(reopened, min_check_backs=1)) == {"sender-misread"}
        # the count of questions asked again goes on from where the events stopped
        Conversation("sender-misread").bot("Did medicines to raise your platelets not work?", custom=BOOSTERS) \
            .save(reopened)
        reopened.index()
        # the last question before the read-back and the handoff asked this: asked again
        assert by_sender(reopened)["sender-misread"]["repeated_questions"] == 4
        ReviewStore(database_url).engine.dispose()  # opening it again changes nothing
        assert by_sender(reopened)["sender-misread"]["check_backs"] == 1
    finally:
        reopened.engine.dispose()


# -- sessions: Rasa loads the last one, the review shows them all ------------------------------------

@both_backends
def test_rasa_loads_the_last_session_and_the_review_shows_every_session(database_url):
    """A conversation cut into sessions (actions/sessions.py): on a turn Rasa's SQL tracker store loads
    only the events since the last session start, which keeps a turn's cost flat; the review reads
    every event of the conversation, so its transcript and counts have every session."""
    rasa_store = SQLTrackerStore(DOMAIN, host=database_url)
    review = ReviewStore(rasa_store.engine)
    said = []
    for session in range(3):  # each session as Rasa handles it: the tracker loaded, a session started, turns
        tracker = asyncio.run(rasa_store.retrieve("three-sessions")) or DialogueStateTracker("three-sessions",
                                                                                             DOMAIN.slots)
        start(tracker)
        for number in range(4):
            said.append(f"answer {number} of session {session}")
            turn(tracker, said[-1], "inform", "action_screen", "Noted.")
        asyncio.run(rasa_store.save(tracker))
        time.sleep(0.01)  # the next session starts later (Rasa finds the last session by its timestamp)
    loaded = asyncio.run(rasa_store.retrieve("three-sessions"))
    assert [e.text for e in loaded.events if isinstance(e, UserUttered)] == said[-4:]
    everything = asyncio.run(rasa_store.retrieve_full_tracker("three-sessions"))
    assert [e.text for e in everything.events if isinstance(e, UserUttered)] == said
    assert len(loaded.events) < len(everything.events) / 2
    review.index()
    assert [m.text for m in review.messages("three-sessions") if m.kind == "user"] == said
    assert [m.action for m in review.messages("three-sessions") if m.kind == "session"] == ["session_started"] * 3
    [row] = review.inbox(InboxQuery(q="answer")).rows
    assert row["sender_id"] == "three-sessions" and row["turns"] == 12
