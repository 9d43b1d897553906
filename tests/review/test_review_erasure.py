"""'Delete my answers' through Rasa's own tracker store code: the erasure must run after the save.

Rasa's SQLTrackerStore.save writes only ``tracker.events[count_in_db:]``; deleting the rows while
Rasa holds the tracker would make it write the whole conversation back. These tests drive Rasa's
real classes to show both the problem and that ErasingSQLTrackerStore avoids it.
"""
from __future__ import annotations

import asyncio

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select

from review.erasure import erase_conversation, erase_requested
from review.store import InboxQuery, ReviewStore
from review.store.tables import events
from review.tracker_store import ErasingSQLTrackerStore
from tests.review.helpers import both_backends
from trialbot.config import PROJECT_ROOT

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def turn(tracker: DialogueStateTracker, text: str, intent: str, action: str, reply: str,
         deleted: bool = False) -> None:
    tracker.update(UserUttered(text, {"name": intent, "confidence": 0.99}, input_channel="rest"))
    tracker.update(ActionExecuted(action))
    tracker.update(BotUttered(reply, data={"custom": {"deleted": True}} if deleted else {}))
    tracker.update(SlotSet("facts", {"age": 40} if action == "action_screen" else {}))
    tracker.update(ActionExecuted("action_listen"))


def count(review: ReviewStore, sender: str) -> int:
    with review.engine.connect() as c:
        return c.execute(select(func.count()).select_from(events).where(events.c.sender_id == sender)).scalar()


def start(tracker: DialogueStateTracker) -> None:
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))


@both_backends
def test_erasing_before_rasa_saves_brings_everything_back(database_url):
    """Why the action must not erase by itself: Rasa re-inserts the whole conversation."""
    rasa_store = SQLTrackerStore(DOMAIN, host=database_url)
    review = ReviewStore(rasa_store.engine)
    tracker = DialogueStateTracker("naive", DOMAIN.slots)
    start(tracker)
    turn(tracker, "I'm 40", "inform", "action_screen", "Noted.")
    asyncio.run(rasa_store.save(tracker))
    tracker = asyncio.run(rasa_store.retrieve("naive"))
    turn(tracker, "delete my answers", "delete_answers", "action_delete_answers", "Deleted.", deleted=True)
    erase_conversation("naive", store=review)  # what an action calling it directly would do
    asyncio.run(rasa_store.save(tracker))
    assert count(review, "naive") == len(tracker.events) > 0  # all of it is back


@both_backends
def test_erasing_tracker_store_erases_after_the_save(database_url):
    rasa_store = ErasingSQLTrackerStore(domain=DOMAIN, host=database_url)
    review = ReviewStore(rasa_store.engine)
    tracker = DialogueStateTracker("patient-1", DOMAIN.slots)
    start(tracker)
    turn(tracker, "I'm 40, my name is Jane Doe", "inform", "action_screen", "Noted.")
    asyncio.run(rasa_store.save(tracker))
    review.index()
    assert review.inbox(InboxQuery()).total == 1
    assert not erase_requested(tracker.events)

    tracker = asyncio.run(rasa_store.retrieve("patient-1"))
    turn(tracker, "delete my answers", "delete_answers", "action_delete_answers", "I have deleted your answers.",
         deleted=True)
    assert erase_requested(tracker.events)
    asyncio.run(rasa_store.save(tracker))
    assert count(review, "patient-1") == 0
    assert review.inbox(InboxQuery()).total == 0 and review.index().conversations == 0

    # the next message starts afresh: nothing of the old conversation comes back
    assert asyncio.run(rasa_store.retrieve("patient-1")) is None
    fresh = DialogueStateTracker("patient-1", DOMAIN.slots)
    start(fresh)
    turn(fresh, "hi", "greet", "action_screen", "Hello!")
    asyncio.run(rasa_store.save(fresh))
    assert count(review, "patient-1") == len(fresh.events)
    review.index()
    rows = review.inbox(InboxQuery()).rows
    assert len(rows) == 1 and rows[0]["turns"] == 1 and rows[0]["preview"] == "hi"
    assert [e["user"] for e in review.audit_log(action="erase")] == ["patient"]
