"""The review's store: tables beside Rasa's SQL tracker store, kept up to date from its events.

Everything lives in the tracker store's own database (SQLite or PostgreSQL). One module a concern,
each a part of ``ReviewStore``:

- ``tables``: Rasa's ``events`` table as the review reads it, and the review's own tables (prefixed
  ``review_``: summaries, trials per conversation, search text, tags, notes, flags, the review
  status, users, sessions, the audit log, erasures, events set aside);
- ``indexer``: the incremental index (``ReviewStore.index()``), run by the web app before each inbox
  page and every few seconds, and by ``trialbot review index``;
- ``search``: the free-text search over the masked text (FTS5 on SQLite, a GIN index on PostgreSQL);
- ``inbox``: the inbox's filters, sort and pages, and one conversation whole;
- ``annotations``: review status, tags, notes and flags;  ``audit``: the audit log;
- ``erasure``: erasing a conversation everywhere, and the retention purge;
- ``seeding``: ready-made summaries in bulk for the inbox benchmark.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from sqlalchemy import create_engine, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from review.store.annotations import STATUSES, Annotations, normalise_tag
from review.store.audit import AuditLog
from review.store.erasure import Erasure
from review.store.inbox import VERDICTS, Inbox, InboxPage, InboxQuery
from review.store.indexer import IndexReport, Indexer
from review.store.search import FullTextSearch
from review.store.seeding import Seeding
from review.store.tables import metadata, state

__all__ = ["ReviewStore", "InboxQuery", "InboxPage", "IndexReport", "STATUSES", "VERDICTS", "normalise_tag"]

DEFAULT_THRESHOLD = 0.6


class ReviewStore(Indexer, Inbox, Annotations, Erasure, FullTextSearch, AuditLog, Seeding):
    """The review tables in the tracker store's database (any SQLAlchemy URL, or an engine).

    Each concern is a part of its own module (above); they share the engine, the dialect, the
    low-confidence threshold and the indexer's look-back set here, and call each other through
    ``self`` (the indexer erases a conversation whose reply said "deleted", every change is audited)."""

    def __init__(self, url_or_engine: Any, low_confidence_threshold: float = DEFAULT_THRESHOLD,
                 lookback: Optional[int] = None) -> None:
        if isinstance(url_or_engine, Engine):
            self.engine = url_or_engine
        else:
            url = str(url_or_engine)
            options: Dict[str, Any] = {"future": True}
            if url.startswith("sqlite"):
                options["connect_args"] = {"timeout": 30}
            else:
                options["pool_pre_ping"] = True
            self.engine = create_engine(url, **options)
        self.dialect = self.engine.dialect.name
        self.threshold = float(low_confidence_threshold)
        # On PostgreSQL, transactions of different conversations may commit out of id order: the
        # indexer looks back over the last ids it saw (conversations are filtered by their own
        # last event, so nothing is counted twice). SQLite writes one transaction at a time.
        self.lookback = lookback if lookback is not None else (0 if self.dialect == "sqlite" else 5000)
        self.create()

    # -- schema ------------------------------------------------------------------------------------
    def create(self) -> None:
        metadata.create_all(self.engine, checkfirst=True)
        with self.engine.begin() as c:
            self._create_search(c)
        self._split_older_han_text()
        self._add_reading_counts()
        try:
            with self.engine.begin() as c:
                if c.execute(select(state.c.value).where(state.c.key == "last_event_id")).first() is None:
                    c.execute(insert(state).values(key="last_event_id", value=0))
        except IntegrityError:
            pass  # another process created it at the same time
