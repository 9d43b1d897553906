"""A SQL tracker store that erases a conversation right after the turn in which the person said
"delete my answers" has been saved (see review/erasure.py for why it must be after the save).

endpoints.yml::

    tracker_store:
      type: review.tracker_store.ErasingSQLTrackerStore
      url: ${TRIALBOT_TRACKER_STORE_URL}

It is otherwise Rasa's ``SQLTrackerStore`` (same table, same URL, same behaviour).
"""
from __future__ import annotations

import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from review.erasure import erase_requested

logger = logging.getLogger(__name__)


class ErasingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._review = None

    @property
    def review(self):
        if self._review is None:
            from trialbot.config import load_settings
            from review.store import ReviewStore

            self._review = ReviewStore(self.engine, getattr(load_settings(), "low_confidence_threshold", 0.6))
        return self._review

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if erase_requested(tracker.events):
            try:
                deleted = self.review.erase(tracker.sender_id, actor="patient", reason="delete my answers")
            except Exception:  # the review indexer erases it when it meets the same turn
                logger.exception("Could not erase a conversation now; the review indexer will.")
                return
            logger.info("Erased a conversation at the person's request (%d events).", deleted)
