"""The incremental indexer: the events added since its last run, summarised per conversation.

Reading 100,000 conversations from Rasa's ``events`` for each inbox page would be far too slow, so
``index()`` reads the events added since the last event it processed (a high-water mark in
``review_state``) and updates the summaries of their conversations. An event whose text no database
can store is set aside (``review_set_aside``: its id, its conversation and which field, never the
text), reported, and left out of the transcripts.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from sqlalchemy import delete, insert, inspect, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError, ProgrammingError

from channels.guard import is_storable, unreadable_field
from review.transcript import ReadingMarks, Summary, custom_of, parse_data
from review.store.tables import (ADDED_COUNTS, CHUNK, TOMBSTONE_SENDER, chunks, conversation_trials, conversations,
                                 erasures, events, sender_hash, set_aside, state)

logger = logging.getLogger(__name__)


def unstorable_field(sender_id: str, raw: Optional[str]) -> Optional[str]:
    """Which part of an event (``sender_id``, ``data.text``...) holds text that no database can
    store, or None. Rasa stores ``data`` as ASCII JSON: without a ``\\u`` escape it is what it says."""
    if not is_storable(sender_id):
        return "sender_id"
    if raw is None or ("\\u" not in raw and is_storable(raw)):
        return None
    found = unreadable_field(parse_data(raw))
    return f"data.{found}" if found else None


@dataclass
class IndexReport:
    events: int = 0
    conversations: int = 0
    erased: int = 0
    seconds: float = 0.0
    set_aside: List[int] = field(default_factory=list)  # ids of the events set aside by this run


class _Retry(Exception):
    """Another indexer moved the high-water mark first: read again."""


class Indexer:
    """Keeps ``review_conversations`` up to date with ``events`` (``self.engine``, ``self.dialect``,
    ``self.threshold``, ``self.lookback``; erasing and the search text from their own mixins)."""

    def _add_reading_counts(self) -> None:
        """A review database made before the reading counts (check-backs, read-backs, corrections,
        questions asked again) gets their columns and indexes, and its conversations are counted
        from the events already indexed, so that they show where reading went wrong too."""
        added = False
        for name in ADDED_COUNTS:
            if name in self._columns():
                continue
            try:
                with self.engine.begin() as c:
                    c.execute(text(f"ALTER TABLE review_conversations ADD COLUMN {name} INTEGER NOT NULL DEFAULT 0"))
                added = True
            except (OperationalError, ProgrammingError):
                if name not in self._columns():  # not another process adding it at the same time
                    raise
        with self.engine.begin() as c:
            for name in Summary.READING_COUNTS:
                c.execute(text(f"CREATE INDEX IF NOT EXISTS ix_review_conv_{name}_id "
                               f"ON review_conversations ({name}, id)"))
        if added:
            self._recount_reading()

    def _columns(self) -> Set[str]:
        return {column["name"] for column in inspect(self.engine).get_columns("review_conversations")}

    def _recount_reading(self) -> None:
        """The reading counts of every conversation from its bot messages already indexed (the
        answers not understood were counted before, from the ``misunderstood`` slot: kept)."""
        last_id = 0
        while True:
            with self.engine.begin() as c:
                rows = c.execute(select(conversations.c.id, conversations.c.sender_id, conversations.c.last_event_id,
                                        conversations.c.asked_human, conversations.c.scratch)
                                 .where(conversations.c.id > last_id).order_by(conversations.c.id).limit(CHUNK)).all()
                if not rows:
                    return
                last_id = rows[-1].id
                counts = {r.sender_id: Summary(r.sender_id, asked_human=bool(r.asked_human)) for r in rows}
                for sender, raw in c.execute(select(events.c.sender_id, events.c.data).select_from(
                        events.join(conversations, conversations.c.sender_id == events.c.sender_id))
                        .where(conversations.c.id.in_([r.id for r in rows]), events.c.type_name == "bot",
                               events.c.id <= conversations.c.last_event_id).order_by(events.c.id)):
                    data = parse_data(raw)
                    counts[sender].count_reading(ReadingMarks.of(data.get("text"), custom_of(data)))
                for r in rows:
                    summary = counts[r.sender_id]
                    scratch = {**parse_data(r.scratch), "last_question": summary.last_question}
                    c.execute(update(conversations).where(conversations.c.id == r.id,
                                                          conversations.c.last_event_id == r.last_event_id)
                              .values(asked_human=summary.asked_human, scratch=json.dumps(scratch),
                                      **{name: getattr(summary, name) for name in ADDED_COUNTS}))

    def high_water_mark(self) -> int:
        with self.engine.connect() as c:
            return c.execute(select(state.c.value).where(state.c.key == "last_event_id")).scalar_one()

    def index(self, batch_size: int = 2000, max_batches: Optional[int] = None) -> IndexReport:
        """Bring the summaries up to date with the events added since the last run."""
        report, started, batches = IndexReport(), time.perf_counter(), 0
        while max_batches is None or batches < max_batches:
            batches += 1
            last = self.high_water_mark()
            start = max(0, last - self.lookback)
            # Candidates: events newer than their conversation's last indexed event (a join on the
            # unique sender_id), so that a run with nothing new reads a few rows and writes nothing.
            joined = events.outerjoin(conversations, conversations.c.sender_id == events.c.sender_id)
            with self.engine.connect() as c:
                pairs = c.execute(
                    select(events.c.id, events.c.sender_id).select_from(joined)
                    .where(events.c.id > start, events.c.sender_id != TOMBSTONE_SENDER,
                           or_(conversations.c.last_event_id.is_(None), events.c.id > conversations.c.last_event_id))
                    .order_by(events.c.id).limit(batch_size)).all()
            if not pairs:
                break
            newest = max(last, max(i for i, _ in pairs))
            try:
                with self.engine.begin() as c:
                    self._index_batch(c, last, newest, pairs, report)
            except _Retry:
                continue
            if len(pairs) < batch_size:
                break
        report.seconds = time.perf_counter() - started
        if report.set_aside:
            logger.warning("Set aside %d event(s) whose text cannot be stored (event ids %s); the others are "
                           "indexed.", len(report.set_aside), ", ".join(map(str, report.set_aside[:20])))
        return report

    def _index_batch(self, c: Connection, last: int, newest: int, pairs: Sequence[Tuple[int, str]],
                     report: IndexReport) -> None:
        # The high-water mark is moved first: this takes the row lock (PostgreSQL) or the write lock
        # (SQLite), so two indexers never apply the same events; the loser reads again.
        moved = c.execute(update(state).where(state.c.key == "last_event_id", state.c.value == last)
                          .values(value=newest))
        if moved.rowcount != 1:
            raise _Retry()
        if not pairs:
            return
        pairs = [(i, s) for i, s in pairs if s != TOMBSTONE_SENDER]
        for event_id, sender in pairs:
            if not is_storable(sender):  # not even looked up: the database cannot take it as a parameter
                self._set_aside(c, event_id, sender, "sender_id", report)
        pairs = [(i, s) for i, s in pairs if is_storable(s)]
        senders = sorted({s for _, s in pairs})
        existing: Dict[str, Dict[str, Any]] = {}
        for part in chunks(senders):
            for row in c.execute(select(conversations).where(conversations.c.sender_id.in_(part))).mappings():
                existing[row["sender_id"]] = dict(row)
        erased: Dict[str, int] = {}
        hashes = {s: sender_hash(s) for s in senders}
        for part in chunks(list(hashes.values())):
            erased.update(c.execute(select(erasures.c.sender_hash, erasures.c.up_to_event_id)
                                    .where(erasures.c.sender_hash.in_(part))).all())
        wanted = [i for i, s in pairs
                  if i > (existing[s]["last_event_id"] if s in existing else 0) and i > erased.get(hashes[s], 0)]
        leftovers = [(i, s) for i, s in pairs if i <= erased.get(hashes[s], 0)]
        for event_id, sender in leftovers:  # committed late, after their conversation was erased
            c.execute(delete(events).where(events.c.id == event_id, events.c.sender_id == sender))
        by_sender: Dict[str, List[Tuple[int, str, str]]] = {}
        for part in chunks(wanted):
            for row in c.execute(select(events.c.id, events.c.sender_id, events.c.type_name, events.c.data)
                                 .where(events.c.id.in_(part))):
                by_sender.setdefault(row.sender_id, []).append((row.id, row.type_name, row.data))
        for sender, rows in by_sender.items():
            rows.sort()
            row = existing.get(sender)
            summary = Summary.from_row(row) if row else Summary(sender)
            skip_until = 0
            for event_id, type_name, raw in rows:
                if event_id <= skip_until:
                    continue
                unstorable = unstorable_field(sender, raw)
                if unstorable:
                    self._set_aside(c, event_id, sender, unstorable, report)
                    continue
                report.events += 1
                if summary.apply(event_id, type_name, parse_data(raw), self.threshold):
                    # "Delete my answers": the conversation up to the end of that turn goes.
                    skip_until = self._erase(c, sender, actor="patient", reason="delete my answers",
                                             until_next_user_after=event_id)
                    report.erased += 1
                    summary, row = Summary(sender), None
            if summary.last_event_id:
                self._write_summary(c, row, summary)
                report.conversations += 1

    @staticmethod
    def _set_aside(c: Connection, event_id: int, sender: str, where: str, report: IndexReport) -> None:
        """Records an event that cannot be indexed (once: PostgreSQL's look-back may read it again)."""
        if c.execute(select(set_aside.c.event_id).where(set_aside.c.event_id == event_id)).first() is None:
            c.execute(insert(set_aside).values(event_id=event_id, sender_hash=sender_hash(sender),
                                               sender_id=sender if is_storable(sender) else None,
                                               field=where[:255], at=time.time()))
            report.set_aside.append(event_id)

    def set_aside_events(self) -> List[Dict[str, Any]]:
        """Every event set aside so far, oldest first, with its conversation's number if it has one."""
        joined = set_aside.outerjoin(conversations, conversations.c.sender_id == set_aside.c.sender_id)
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(
                select(set_aside.c.event_id, set_aside.c.field, set_aside.c.at,
                       conversations.c.id.label("conversation_id")).select_from(joined)
                .order_by(set_aside.c.event_id)).mappings()]

    def _write_summary(self, c: Connection, row: Optional[Mapping[str, Any]], summary: Summary) -> int:
        values = summary.row()
        old_trials = set((row or {}).get("trials", "").split(",")) - {""}
        if row is None:
            conversation_id = c.execute(insert(conversations).values(**values, status="unreviewed")
                                        ).inserted_primary_key[0]
        else:
            conversation_id = row["id"]
            c.execute(update(conversations).where(conversations.c.id == conversation_id).values(**values))
        new_trials = [t for t in summary.trials if t not in old_trials]
        if new_trials:
            c.execute(insert(conversation_trials), [{"conversation_id": conversation_id, "trial_id": t}
                                                    for t in new_trials])
        added = "\n".join(t for t in summary.new_text if t)
        if added:
            self._append_search(c, conversation_id, added, new=row is None)
        return conversation_id
