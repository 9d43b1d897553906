"""The tables: Rasa's own ``events`` table, read by the review, and the review's tables beside it
(prefixed ``review_``) in the tracker store's database.
"""
from __future__ import annotations

import hashlib
from typing import Any, Iterator, Sequence

from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, Sequence as SqlSequence, String, Table, Text

from review.transcript import Summary

TOMBSTONE_SENDER = "__review_erased__"  # see Erasure._keep_id_sequence
CHUNK = 500  # ids per IN (...) list

metadata = MetaData()
# The reading counts added to a review database made before them ("misunderstood" was there first).
ADDED_COUNTS = tuple(name for name in Summary.READING_COUNTS if name != "misunderstood")

# Rasa's own table (rasa/core/tracker_store.py SQLTrackerStore.SQLEvent), declared identically so
# that the review can read it, and create it when the review starts before Rasa ever ran.
events = Table(
    "events", metadata,
    Column("id", Integer, SqlSequence("events_seq", optional=True), primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

conversations = Table(
    "review_conversations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False, unique=True),
    Column("channel", String(64), index=True),
    Column("started_at", Float),
    Column("last_at", Float),
    Column("turns", Integer, nullable=False, default=0),
    Column("verdict", String(32), index=True),
    Column("trials", String(1024), nullable=False, default=""),
    Column("fallbacks", Integer, nullable=False, default=0),
    Column("low_confidence", Integer, nullable=False, default=0),
    Column("misunderstood", Integer, nullable=False, default=0),  # answers not understood
    *[Column(name, Integer, nullable=False, default=0, server_default="0") for name in ADDED_COUNTS],
    Column("asked_human", Boolean, nullable=False, default=False, index=True),
    Column("frustrated", Boolean, nullable=False, default=False, index=True),
    Column("status", String(16), nullable=False, default="unreviewed", index=True),
    Column("flagged", Integer, nullable=False, default=0, index=True),
    Column("preview", String(200)),
    Column("last_event_id", Integer, nullable=False, default=0),
    Column("scratch", Text),
    Column("reviewed_by", String(64)),
    Column("reviewed_at", Float),
    sqlite_autoincrement=True,  # an erased conversation's number is never given to another one
)
# Each sortable column with the id (the tie-breaker): pages are index-only scans, even deep ones.
for _name in ("started_at", "last_at", "turns", "fallbacks", "low_confidence", *Summary.READING_COUNTS):
    Index(f"ix_review_conv_{_name}_id", conversations.c[_name], conversations.c.id)
Index("ix_review_conv_status_started", conversations.c.status, conversations.c.started_at)
Index("ix_review_conv_verdict_started", conversations.c.verdict, conversations.c.started_at)

conversation_trials = Table(
    "review_conversation_trials", metadata,
    Column("conversation_id", Integer, primary_key=True),
    Column("trial_id", String(64), primary_key=True, index=True),
)
tags = Table(
    "review_tags", metadata,
    Column("conversation_id", Integer, primary_key=True),
    Column("tag", String(64), primary_key=True, index=True),
    Column("created_by", String(64)),
    Column("created_at", Float),
)
notes = Table(
    "review_notes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", Integer, nullable=False, index=True),
    Column("event_id", Integer),
    Column("author", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)
flags = Table(
    "review_flags", metadata,
    Column("conversation_id", Integer, primary_key=True),
    Column("event_id", Integer, primary_key=True),
    Column("author", String(64), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("created_at", Float, nullable=False),
)
search = Table(  # masked text for the free-text search (PostgreSQL and others; SQLite uses FTS5)
    "review_search", metadata,
    Column("conversation_id", Integer, primary_key=True),
    Column("body", Text, nullable=False, default=""),
)
audit = Table(
    "review_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
    Column("user", String(64), nullable=False, index=True),
    Column("action", String(32), nullable=False, index=True),
    Column("conversation_id", Integer, index=True),
    Column("detail", Text),
)
users = Table(
    "review_users", metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", Float, nullable=False),
)
sessions = Table(
    "review_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)
state = Table(
    "review_state", metadata,
    Column("key", String(32), primary_key=True),
    Column("value", Integer, nullable=False),
)
erasures = Table(  # what was erased, by a hash of the sender id: the indexer never brings it back
    "review_erasures", metadata,
    Column("sender_hash", String(64), primary_key=True),
    Column("up_to_event_id", Integer, nullable=False),
    Column("at", Float, nullable=False),
)
set_aside = Table(  # events the indexer could not store (see the module docstring)
    "review_set_aside", metadata,
    Column("event_id", Integer, primary_key=True),
    Column("sender_hash", String(64), nullable=False, index=True),
    Column("sender_id", String(255)),  # None when the sender id itself cannot be stored
    Column("field", String(255), nullable=False),
    Column("at", Float, nullable=False),
)
REVIEW_DATA = (conversation_trials, tags, notes, flags, search)


def sender_hash(sender_id: str) -> str:
    # surrogatepass: the hash of a sender id that cannot be stored (set aside) is still defined
    return hashlib.sha256(sender_id.encode("utf-8", "surrogatepass")).hexdigest()


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
