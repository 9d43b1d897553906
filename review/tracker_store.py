"""A SQL tracker store that erases a conversation right after the turn in which the person said
"delete my answers" has been saved (see review/erasure.py for why it must be after the save).

endpoints.yml::

    tracker_store:
      type: review.tracker_store.ErasingSQLTrackerStore
      url: ${TRIALBOT_TRACKER_STORE_URL}

It is otherwise Rasa's ``SQLTrackerStore`` (same table, same URL, same behaviour), but for one
thing: Rasa's ``session_scope`` takes any ``ValueError`` for a missing PostgreSQL schema and exits
the server. A database driver raises one for text it cannot store (SQLite: a lone surrogate,
``UnicodeEncodeError``; PostgreSQL: a NUL character), so one such message would stop the bot for
everyone. The channels refuse such text (channels/guard.py); should any get past them, here it
fails that one message (``UnstorableText``) and the server goes on.

Its pooled connections are tried before use (``pool_pre_ping``): after PostgreSQL restarts, a server
reconnects instead of failing its next message on a connection the database dropped. While the
database cannot be reached at all, a message fails whole and the person is asked to send it again
(channels/failures.py).
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Iterator

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from sqlalchemy.orm import sessionmaker
from rasa.shared.core.trackers import DialogueStateTracker

from review.erasure import erase_requested

logger = logging.getLogger(__name__)


class UnstorableText(RuntimeError):
    """The database refused a value (text it cannot encode): this message fails, not the server."""


class ErasingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa's engine, but a pooled connection is tried before it is used: one the database dropped (a
        # PostgreSQL restart) is replaced then, instead of failing the next message on this server.
        engine, self.engine = self.engine, sa.create_engine(self.engine.url, pool_pre_ping=True,
                                                            **create_engine_kwargs(self.engine.url))
        engine.dispose()
        self.sessionmaker = sessionmaker(bind=self.engine)
        self._review = None

    @property
    def review(self):
        if self._review is None:
            from trialbot.config import load_settings
            from review.store import ReviewStore

            self._review = ReviewStore(self.engine, getattr(load_settings(), "low_confidence_threshold", 0.6))
        return self._review

    @contextmanager
    def session_scope(self) -> Iterator[Any]:
        # Rasa's own checks the PostgreSQL schema before it yields (its ValueError still exits, as
        # it should); a ValueError raised while the session is used is the database refusing a value.
        with super().session_scope() as session:
            try:
                yield session
            except ValueError as error:
                logger.error("A conversation could not be stored or read (%s): that message failed, the server goes on.",
                             type(error).__name__)
                raise UnstorableText(type(error).__name__) from None

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if erase_requested(tracker.events):
            try:
                deleted = self.review.erase(tracker.sender_id, actor="patient", reason="delete my answers")
            except Exception:  # the review indexer erases it when it meets the same turn
                logger.exception("Could not erase a conversation now; the review indexer will.")
                return
            logger.info("Erased a conversation at the person's request (%d events).", deleted)
