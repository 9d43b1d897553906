"""Erasing a conversation everywhere: "delete my answers", an admin's erase, and retention.

``erase_conversation(sender_id)`` deletes the conversation's events from Rasa's tracker store and
every review row about it (summary, trials, search text, tags, notes, flags), and records the
erasure (a hash of the sender id and the last event id erased, so that the indexer never brings
it back) in the audit log.

Why the Rasa action cannot simply call it: Rasa's ``SQLTrackerStore.save`` stores only the events
beyond the number already stored for the conversation's current session
(``_additional_events``: ``tracker.events[count_in_db:]``). The action runs *before* Rasa saves
the turn, while Rasa still holds the whole conversation in memory; if the action deleted the rows,
``count_in_db`` would be 0 at the save and Rasa would write the whole conversation back. So the
erasure has to run *after* the save of the turn in which the person asked for it. Two ways, both
here, both keyed on the bot's reply that the turn itself records, which says ``custom.deleted``
(what the engine did, not the action the model picked):

1. ``review.tracker_store.ErasingSQLTrackerStore``: a drop-in ``SQLTrackerStore`` whose ``save``
   erases the conversation right after storing a turn whose reply said so, still
   under Rasa's per-conversation lock (endpoints.yml: ``type: review.tracker_store.ErasingSQLTrackerStore``).
   The next message from the same sender starts a fresh conversation.
2. The review indexer (``ReviewStore.index``, run every few seconds by the review app and by
   ``trialbot review index``): when it meets such a reply, it erases the
   conversation up to the end of that turn. This also catches conversations stored by the stock
   ``SQL`` tracker store, or a save that failed half-way.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Optional

from review.store import ReviewStore


@lru_cache(maxsize=8)
def _store(url: str) -> ReviewStore:
    return ReviewStore(url)


def erase_conversation(sender_id: str, url: Optional[str] = None, actor: str = "patient",
                       reason: str = "delete my answers", store: Optional[ReviewStore] = None) -> int:
    """Erases the conversation of ``sender_id`` from the tracker store and the review tables.

    ``url`` is the tracker store's SQLAlchemy URL (default: the configured
    ``tracker_store_url``). Returns the number of events deleted. Idempotent.
    """
    if store is None:
        if url is None:
            from trialbot.config import load_settings

            url = load_settings().tracker_store_url
        store = _store(url)
    return store.erase(sender_id, actor=actor, reason=reason)


def erase_requested(events: Any) -> bool:
    """Whether the bot erased the answers in the latest turn of a tracker's events (Rasa ``Event``
    objects): a bot message with ``custom.deleted``. What the engine did counts, not the action the
    model picked: a message the model took for "delete my answers" and the engine did not must not
    erase anything."""
    for event in reversed(list(events)):
        type_name = getattr(event, "type_name", None)
        if type_name == "user":
            return False
        data = getattr(event, "data", None) or {}
        if type_name == "bot" and isinstance(data, dict) and (data.get("custom") or {}).get("deleted") is True:
            return True
    return False
