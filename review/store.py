"""The review tables beside Rasa's SQL tracker store, and the inbox over them.

Rasa keeps every event of every conversation in one table, ``events``. Reading 100,000
conversations from it for each inbox page would be far too slow, so the review keeps an indexed
summary table, ``review_conversations``, maintained incrementally: ``ReviewStore.index()`` reads
the events added since the last event it processed (a high-water mark in ``review_state``) and
updates the summaries of their conversations. The web app runs it before each inbox page and
every few seconds; ``trialbot review index`` runs it from a script.

Everything lives in the tracker store's own database (SQLite or PostgreSQL), in tables prefixed
``review_``: summaries, trials per conversation, masked text for the free-text search (an FTS5
table on SQLite, a GIN full-text index on PostgreSQL), tags, notes, flagged messages, the review
status, users, sessions and the audit log.

An event whose text no database can store (a lone surrogate in a message stored before the
channels refused such text: channels/guard.py) is set aside (``review_set_aside``: its id, its
conversation and which field, never the text), reported by the indexer, and left out of the
transcripts; every other event is indexed as usual.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timezone
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

from sqlalchemy import (Boolean, Column, Float, Index, Integer, MetaData, Sequence as SqlSequence, String, Table,
                        Text, and_, bindparam, create_engine, delete, desc, func, insert, inspect, or_, select,
                        text, update)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from bot.evaluation import Verdict
from channels.guard import is_storable, unreadable_field
from review.masking import mask_sender, mask_text
from review.transcript import Message, ReadingMarks, Summary, custom_of, parse_data, transcript

logger = logging.getLogger(__name__)

STATUSES = ("unreviewed", "needs_follow_up", "reviewed")
VERDICTS = tuple(v.value for v in (Verdict.LIKELY_ELIGIBLE, Verdict.UNCERTAIN, Verdict.NOT_ELIGIBLE))  # best first
DEFAULT_THRESHOLD = 0.6
MAX_PER_PAGE = 200
TOMBSTONE_SENDER = "__review_erased__"  # see ReviewStore._keep_id_sequence
CHUNK = 500  # ids per IN (...) list
TEXT_COUNT_CAP = 1000  # free-text matches counted exactly up to here ("1,000+")

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


def unstorable_field(sender_id: str, raw: Optional[str]) -> Optional[str]:
    """Which part of an event (``sender_id``, ``data.text``...) holds text that no database can
    store, or None. Rasa stores ``data`` as ASCII JSON: without a ``\\u`` escape it is what it says."""
    if not is_storable(sender_id):
        return "sender_id"
    if raw is None or ("\\u" not in raw and is_storable(raw)):
        return None
    found = unreadable_field(parse_data(raw))
    return f"data.{found}" if found else None


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _tokens(query: str) -> List[str]:
    return re.findall(r"\w+", query.lower(), re.UNICODE)[:12]


def _day_start(value: date) -> float:
    return datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp()


def _parse_bool(value: Any) -> Optional[bool]:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes", "on")


def _parse_int(value: Any) -> Optional[int]:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _parse_date(value: Any) -> Optional[date]:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass
class InboxQuery:
    """Filters, sort and page of the inbox (also the selection of an export)."""

    q: str = ""
    channel: Optional[str] = None
    verdict: Optional[str] = None  # one of VERDICTS, or "none"
    trial: Optional[str] = None
    status: Optional[str] = None
    tag: Optional[str] = None
    started_from: Optional[date] = None
    started_to: Optional[date] = None  # inclusive
    min_turns: Optional[int] = None
    max_turns: Optional[int] = None
    min_fallbacks: Optional[int] = None
    min_low_confidence: Optional[int] = None
    min_misunderstood: Optional[int] = None  # answers not understood
    min_check_backs: Optional[int] = None
    min_read_backs: Optional[int] = None
    min_corrections: Optional[int] = None
    min_repeated_questions: Optional[int] = None
    asked_human: Optional[bool] = None
    frustrated: Optional[bool] = None
    flagged: Optional[bool] = None
    ids: Tuple[int, ...] = ()
    sort: str = "started"
    desc: bool = True
    page: int = 1
    per_page: int = 50

    COUNTS = ("fallbacks", "low_confidence", *Summary.READING_COUNTS)  # each filtered by min_<count>
    SORTS = {"started": "started_at", "last": "last_at", "turns": "turns", **{name: name for name in COUNTS},
             "verdict": "verdict", "channel": "channel", "status": "status", "id": "id"}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "InboxQuery":
        """From a query string (``MultiDict`` or dict); unknown or malformed values are ignored."""
        def get(name: str) -> Any:
            value = params.get(name)
            return value.strip() if isinstance(value, str) else value

        ids: List[int] = []
        raw_ids = params.getall("ids", []) if hasattr(params, "getall") else params.get("ids") or []
        for raw in ([raw_ids] if isinstance(raw_ids, (str, int)) else raw_ids):
            ids += [int(p) for p in re.split(r"[\s,]+", str(raw)) if p.isdigit()]
        sort = get("sort") or "started"
        return cls(
            q=get("q") or "", channel=get("channel") or None, verdict=get("verdict") or None,
            trial=(get("trial") or "").upper() or None, status=get("status") or None, tag=get("tag") or None,
            started_from=_parse_date(get("started_from")), started_to=_parse_date(get("started_to")),
            min_turns=_parse_int(get("min_turns")), max_turns=_parse_int(get("max_turns")),
            **{f"min_{name}": _parse_int(get(f"min_{name}")) for name in cls.COUNTS},
            asked_human=_parse_bool(get("asked_human")), frustrated=_parse_bool(get("frustrated")),
            flagged=_parse_bool(get("flagged")), ids=tuple(ids),
            sort=sort if sort in cls.SORTS else "started",
            desc=(get("order") or "desc") != "asc",
            page=max(1, _parse_int(get("page")) or 1),
            per_page=min(MAX_PER_PAGE, max(1, _parse_int(get("per_page")) or 50)),
        )

    def to_params(self, **changes: Any) -> Dict[str, str]:
        """The non-default values as query parameters (for links: sort, next page...)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        params: Dict[str, str] = {}
        for name, value in values.items():
            if name == "desc":
                if not value:
                    params["order"] = "asc"
                continue
            if name == "ids":
                if value:
                    params["ids"] = ",".join(str(i) for i in value)
                continue
            if value is None or value == "" or (name == "page" and value == 1) or \
                    (name == "per_page" and value == 50) or (name == "sort" and value == "started"):
                continue
            params[name] = value.isoformat() if isinstance(value, date) else \
                ("true" if value is True else "false" if value is False else str(value))
        return params

    def describe(self) -> Dict[str, Any]:
        """The filters in use, for the audit log and exports; the search words masked (a reviewer
        may search for a phone number or a name, which the audit log must not keep)."""
        params = self.to_params(page=1, per_page=50)
        described = {k: v for k, v in params.items() if k not in ("sort", "order")}
        if described.get("q"):
            described["q"] = mask_sender(mask_text(described["q"]))
        return described


@dataclass
class InboxPage:
    rows: List[Dict[str, Any]]
    total: int
    page: int
    per_page: int
    capped: bool = False  # a free-text search with more than TEXT_COUNT_CAP matches: total is a lower bound

    @property
    def pages(self) -> int:
        pages = max(1, -(-self.total // self.per_page))
        if self.capped:  # a lower bound: one more while pages come back full
            pages = max(pages, self.page + (1 if len(self.rows) == self.per_page else 0))
        return pages


@dataclass
class IndexReport:
    events: int = 0
    conversations: int = 0
    erased: int = 0
    seconds: float = 0.0
    set_aside: List[int] = field(default_factory=list)  # ids of the events set aside by this run


class _Retry(Exception):
    """Another indexer moved the high-water mark first: read again."""


class ReviewStore:
    """The review tables in the tracker store's database (any SQLAlchemy URL, or an engine)."""

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
            if self.dialect == "sqlite":
                c.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS review_fts USING fts5("
                               "body, tokenize='unicode61 remove_diacritics 2')"))
            elif self.dialect == "postgresql":
                # A stored tsvector (PostgreSQL 12+), so that matching never re-parses the text.
                c.execute(text("ALTER TABLE review_search ADD COLUMN IF NOT EXISTS tsv tsvector "
                               "GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED"))
                c.execute(text("CREATE INDEX IF NOT EXISTS ix_review_search_tsv ON review_search USING gin (tsv)"))
        self._add_reading_counts()
        try:
            with self.engine.begin() as c:
                if c.execute(select(state.c.value).where(state.c.key == "last_event_id")).first() is None:
                    c.execute(insert(state).values(key="last_event_id", value=0))
        except IntegrityError:
            pass  # another process created it at the same time

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

    # -- the incremental index -----------------------------------------------------------------------
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

    def _append_search(self, c: Connection, conversation_id: int, added: str, new: bool) -> None:
        if self.dialect == "sqlite":
            old = None if new else c.execute(text("SELECT body FROM review_fts WHERE rowid = :id"),
                                             {"id": conversation_id}).scalar()
            body = (f"{old}\n{added}" if old else added)[:200_000]
            if old is not None:
                c.execute(text("DELETE FROM review_fts WHERE rowid = :id"), {"id": conversation_id})
            c.execute(text("INSERT INTO review_fts(rowid, body) VALUES (:id, :body)"),
                      {"id": conversation_id, "body": body})
            return
        old = None if new else c.execute(select(search.c.body).where(search.c.conversation_id == conversation_id)
                                         ).scalar()
        body = (f"{old}\n{added}" if old else added)[:200_000]
        if old is None:
            c.execute(insert(search).values(conversation_id=conversation_id, body=body))
        else:
            c.execute(update(search).where(search.c.conversation_id == conversation_id).values(body=body))

    # -- erasure -------------------------------------------------------------------------------------
    def erase(self, sender_id: str, actor: str, reason: str) -> int:
        """Erases a conversation everywhere: its events and all review data. Returns events deleted."""
        with self.engine.begin() as c:
            before = c.execute(select(func.count()).select_from(events).where(events.c.sender_id == sender_id)
                               ).scalar_one()
            self._erase(c, sender_id, actor, reason)
        return before

    def _erase(self, c: Connection, sender_id: str, actor: str, reason: str,
               until_next_user_after: Optional[int] = None) -> int:
        """Deletes the sender's events (all of them, or up to the end of the turn of the event id
        given) and the review data of the conversation; remembers the erasure. Returns the last
        event id erased."""
        table_max = c.execute(select(func.max(events.c.id))).scalar() if self.dialect == "sqlite" else None
        up_to = c.execute(select(func.max(events.c.id)).where(events.c.sender_id == sender_id)).scalar() or 0
        if until_next_user_after is not None:
            next_user = c.execute(select(func.min(events.c.id)).where(
                events.c.sender_id == sender_id, events.c.id > until_next_user_after,
                events.c.type_name == "user")).scalar()
            if next_user is not None:
                up_to = next_user - 1
        deleted = c.execute(delete(events).where(events.c.sender_id == sender_id, events.c.id <= up_to)).rowcount
        if table_max and deleted:
            self._keep_id_sequence(c, table_max)
        ids = [r[0] for r in c.execute(select(conversations.c.id).where(conversations.c.sender_id == sender_id))]
        for conversation_id in ids:
            self._delete_review_data(c, conversation_id)
        key = sender_hash(sender_id)
        c.execute(delete(set_aside).where(set_aside.c.sender_hash == key))
        updated = c.execute(update(erasures).where(erasures.c.sender_hash == key)
                            .values(up_to_event_id=up_to, at=time.time())).rowcount
        if not updated:
            c.execute(insert(erasures).values(sender_hash=key, up_to_event_id=up_to, at=time.time()))
        self._audit(c, actor, "erase", ids[0] if ids else None,
                    {"reason": reason, "events": deleted, "sender_hash": key[:16]})
        return up_to

    @staticmethod
    def _keep_id_sequence(c: Connection, table_max: int) -> None:
        """SQLite gives a new row the largest id + 1: after the newest events were deleted, it would
        hand out their ids again, behind the indexer's high-water mark. A content-free tombstone
        row keeps the largest id in place (one at a time: older tombstones go)."""
        if c.execute(select(events.c.id).where(events.c.id == table_max)).first() is None:
            c.execute(insert(events).values(id=table_max, sender_id=TOMBSTONE_SENDER, type_name="review_erased",
                                             timestamp=time.time(), data="{}"))
        c.execute(delete(events).where(events.c.sender_id == TOMBSTONE_SENDER, events.c.id < table_max))

    def _delete_review_data(self, c: Connection, conversation_id: int) -> None:
        for table in REVIEW_DATA:
            c.execute(delete(table).where(table.c.conversation_id == conversation_id))
        if self.dialect == "sqlite":
            c.execute(text("DELETE FROM review_fts WHERE rowid = :id"), {"id": conversation_id})
        c.execute(delete(conversations).where(conversations.c.id == conversation_id))

    def expired(self, retention_days: int, now: Optional[float] = None) -> List[str]:
        """Senders whose last message is older than the retention period."""
        cutoff = (now or time.time()) - retention_days * 86400
        with self.engine.connect() as c:
            return [r[0] for r in c.execute(select(conversations.c.sender_id).where(conversations.c.last_at < cutoff))]

    def purge(self, retention_days: int, now: Optional[float] = None, actor: str = "retention") -> int:
        """Erases every conversation older than the retention period (0: keep forever)."""
        if retention_days <= 0:
            return 0
        self.index()
        senders = self.expired(retention_days, now)
        for sender in senders:
            self.erase(sender, actor, f"retention ({retention_days} days)")
        with self.engine.begin() as c:
            c.execute(delete(sessions).where(sessions.c.expires_at < time.time()))
        return len(senders)

    # -- the inbox -----------------------------------------------------------------------------------
    def _conditions(self, query: InboxQuery, with_text: bool = True) -> List[Any]:
        t = conversations.c
        where: List[Any] = []
        if query.ids:
            where.append(t.id.in_(list(query.ids)))
        if query.channel:
            where.append(t.channel == query.channel)
        if query.verdict:
            where.append(t.verdict.is_(None) if query.verdict == "none" else t.verdict == query.verdict)
        if query.status:
            where.append(t.status == query.status)
        if query.trial:
            where.append(t.id.in_(select(conversation_trials.c.conversation_id)
                                  .where(conversation_trials.c.trial_id == query.trial)))
        if query.tag:
            where.append(t.id.in_(select(tags.c.conversation_id).where(tags.c.tag == query.tag.lower())))
        if query.started_from:
            where.append(t.started_at >= _day_start(query.started_from))
        if query.started_to:
            where.append(t.started_at < _day_start(query.started_to) + 86400)
        if query.min_turns is not None:
            where.append(t.turns >= query.min_turns)
        if query.max_turns is not None:
            where.append(t.turns <= query.max_turns)
        for name in InboxQuery.COUNTS:
            minimum = getattr(query, f"min_{name}")
            if minimum is not None:
                where.append(t[name] >= minimum)
        for name in ("asked_human", "frustrated"):
            value = getattr(query, name)
            if value is not None:
                where.append(getattr(t, name) == value)
        if query.flagged is not None:
            where.append(t.flagged > 0 if query.flagged else t.flagged == 0)
        if with_text and query.q.strip():
            where.append(self._text_condition(query.q))
        return where

    def _text_condition(self, q: str) -> Any:
        """The words of the conversation (masked text), each as a prefix; or exactly its sender id.

        The sender id is looked up first rather than OR-ed into the match: an OR would keep the
        database from stopping early, and make it collect every match of a common word."""
        if self._sender_exists(q.strip()):
            return conversations.c.sender_id == q.strip()
        matching = self._text_ids(q)
        return conversations.c.id.is_(None) if matching is None else conversations.c.id.in_(matching)

    def _sender_exists(self, sender_id: str) -> bool:
        with self.engine.connect() as c:
            return c.execute(select(conversations.c.id).where(conversations.c.sender_id == sender_id)).first() \
                is not None

    def _text_ids(self, q: str) -> Optional[Any]:
        """A SELECT of the ids of the conversations with every word (as a prefix); None: no word."""
        words = _tokens(q)
        if not words:
            return None
        if self.dialect == "sqlite":
            expression = " AND ".join(f'"{w}"*' for w in words)
            return select(text("rowid")).select_from(text("review_fts")).where(
                text("review_fts MATCH :fts").bindparams(bindparam("fts", expression)))
        if self.dialect == "postgresql":
            expression = " & ".join(f"{w}:*" for w in words)
            return select(search.c.conversation_id).where(
                text("review_search.tsv @@ to_tsquery('simple', :tsq)").bindparams(bindparam("tsq", expression)))
        return select(search.c.conversation_id).where(and_(*[func.lower(search.c.body).contains(w) for w in words]))

    def _order(self, query: InboxQuery) -> List[Any]:
        column = getattr(conversations.c, InboxQuery.SORTS[query.sort])
        return [desc(column), desc(conversations.c.id)] if query.desc else [column, conversations.c.id]

    WALK_SETTINGS = ("enable_bitmapscan", "enable_seqscan", "enable_sort")

    def _page_rows(self, c: Connection, where: List[Any], order: List[Any], limit: int, offset: int,
                   walk: bool = False) -> List[Dict[str, Any]]:
        """One page: the ids first (an index-only scan, cheap even at a deep offset), then the rows.

        ``walk`` (PostgreSQL): find the ids by walking the sort index, checking each conversation;
        the planner cannot estimate prefix matches, and would otherwise collect and sort them all."""
        if walk:
            for setting in self.WALK_SETTINGS:
                c.execute(text(f"SET LOCAL {setting} = off"))  # this transaction only
        ids = [r[0] for r in c.execute(select(conversations.c.id).where(*where).order_by(*order)
                                       .limit(limit).offset(offset))]
        if walk:
            for setting in self.WALK_SETTINGS:
                c.execute(text(f"SET LOCAL {setting} = on"))
        if not ids:
            return []
        rows = [dict(r) for r in c.execute(select(conversations).where(conversations.c.id.in_(ids))
                                           .order_by(*order)).mappings()]
        self._attach_tags(c, rows)
        return rows

    def inbox(self, query: InboxQuery) -> InboxPage:
        """One page of the inbox.

        With free text, counting stops at ``TEXT_COUNT_CAP`` matches (the page says "1,000+"):
        counting every match of a common word costs more than the page. On PostgreSQL the matches
        are first read from the full-text index, at most the cap and one: when there are no more
        (a rare word), the page is sorted among them; when there are (a common word), the page
        walks the sort order and checks each conversation, which soon finds a page full.
        """
        where = self._conditions(query, with_text=False)
        order = self._order(query)
        q = query.q.strip()
        capped, walk = False, False
        with self.engine.connect() as c:
            if q and self._sender_exists(q):
                where.append(conversations.c.sender_id == q)
                q = ""
            elif q:
                matching = self._text_ids(q)
                if matching is None:
                    where.append(conversations.c.id.is_(None))
                    q = ""
                elif self.dialect == "postgresql":
                    found = [r[0] for r in c.execute(matching.limit(TEXT_COUNT_CAP + 1))]
                    if len(found) <= TEXT_COUNT_CAP:
                        where.append(conversations.c.id.in_(found))
                        q = ""  # an exact set: counted and sorted like any filter
                    else:
                        capped = walk = True
                        total = c.execute(select(func.count()).select_from(conversations)
                                          .where(*where, conversations.c.id.in_(found[:TEXT_COUNT_CAP]))).scalar_one()
                        where.append(conversations.c.id.in_(matching))
                else:
                    where.append(conversations.c.id.in_(matching))
            if not walk:
                if q:  # SQLite's FTS5 (or LIKE): count up to the cap
                    limited = select(conversations.c.id).where(*where).limit(TEXT_COUNT_CAP + 1).subquery()
                    total = c.execute(select(func.count()).select_from(limited)).scalar_one()
                    capped = total > TEXT_COUNT_CAP
                    total = min(total, TEXT_COUNT_CAP)
                else:
                    total = c.execute(select(func.count()).select_from(conversations).where(*where)).scalar_one()
            pages = max(1, -(-total // query.per_page))
            page = query.page if capped else min(query.page, pages)
            rows = self._page_rows(c, where, order, query.per_page, (page - 1) * query.per_page, walk)
        return InboxPage(rows, total, page, query.per_page, capped)

    def iter_selection(self, query: InboxQuery, batch: int = 200) -> Iterator[Dict[str, Any]]:
        """Every conversation the query selects (no cap), in its sort order, a batch at a time."""
        where, order, offset = self._conditions(query), self._order(query), 0
        while True:
            with self.engine.connect() as c:
                rows = self._page_rows(c, where, order, batch, offset)
            yield from rows
            if len(rows) < batch:
                return
            offset += batch

    def _attach_tags(self, c: Connection, rows: List[Dict[str, Any]]) -> None:
        by_id = {r["id"]: r for r in rows}
        for r in rows:
            r["tags"] = []
        for part in chunks(list(by_id)):
            for conversation_id, tag in c.execute(select(tags.c.conversation_id, tags.c.tag)
                                                  .where(tags.c.conversation_id.in_(part)).order_by(tags.c.tag)):
                by_id[conversation_id]["tags"].append(tag)

    def facets(self) -> Dict[str, List[str]]:
        """Values to offer in the inbox's filters."""
        with self.engine.connect() as c:
            return {
                "channel": [r[0] for r in c.execute(select(conversations.c.channel).distinct()
                                                    .where(conversations.c.channel.isnot(None)).limit(50))],
                "trial": [r[0] for r in c.execute(select(conversation_trials.c.trial_id).distinct().limit(200))],
                "tag": [r[0] for r in c.execute(select(tags.c.tag).distinct().order_by(tags.c.tag).limit(200))],
            }

    # -- one conversation ----------------------------------------------------------------------------
    def conversation(self, conversation_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as c:
            row = c.execute(select(conversations).where(conversations.c.id == conversation_id)).mappings().first()
            if row is None:
                return None
            result = dict(row)
            self._attach_tags(c, [result])
            result["notes"] = [dict(r) for r in c.execute(
                select(notes).where(notes.c.conversation_id == conversation_id).order_by(notes.c.id)).mappings()]
            result["flags"] = {r["event_id"]: dict(r) for r in c.execute(
                select(flags).where(flags.c.conversation_id == conversation_id)).mappings()}
        return result

    def conversation_id_of(self, sender_id: str) -> Optional[int]:
        with self.engine.connect() as c:
            return c.execute(select(conversations.c.id).where(conversations.c.sender_id == sender_id)).scalar()

    def messages(self, sender_id: str) -> List[Message]:
        with self.engine.connect() as c:
            rows = c.execute(select(events.c.id, events.c.type_name, events.c.data)
                             .where(events.c.sender_id == sender_id).order_by(events.c.id)).all()
        # without the events set aside (or about to be): no page or export could show their text
        return transcript([r for r in rows if unstorable_field(sender_id, r.data) is None], self.threshold)

    # -- review actions ------------------------------------------------------------------------------
    def set_status(self, conversation_id: int, status: str, user: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown review status {status!r}")
        with self.engine.begin() as c:
            c.execute(update(conversations).where(conversations.c.id == conversation_id)
                      .values(status=status, reviewed_by=user, reviewed_at=time.time()))
            self._audit(c, user, "status", conversation_id, {"status": status})

    def add_tag(self, conversation_id: int, tag: str, user: str) -> str:
        tag = normalise_tag(tag)
        with self.engine.begin() as c:
            exists = c.execute(select(tags.c.tag).where(tags.c.conversation_id == conversation_id,
                                                        tags.c.tag == tag)).first()
            if not exists:
                c.execute(insert(tags).values(conversation_id=conversation_id, tag=tag, created_by=user,
                                              created_at=time.time()))
                self._audit(c, user, "tag", conversation_id, {"tag": tag})
        return tag

    def remove_tag(self, conversation_id: int, tag: str, user: str) -> None:
        with self.engine.begin() as c:
            c.execute(delete(tags).where(tags.c.conversation_id == conversation_id, tags.c.tag == tag))
            self._audit(c, user, "untag", conversation_id, {"tag": tag})

    def add_note(self, conversation_id: int, note: str, user: str, event_id: Optional[int] = None) -> None:
        note = note.strip()
        if not note:
            raise ValueError("empty note")
        with self.engine.begin() as c:
            c.execute(insert(notes).values(conversation_id=conversation_id, event_id=event_id, author=user,
                                           text=note[:5000], created_at=time.time()))
            self._audit(c, user, "note", conversation_id, {"event_id": event_id})

    def flag(self, conversation_id: int, event_id: int, user: str, reason: str = "", on: bool = True) -> None:
        with self.engine.begin() as c:
            c.execute(delete(flags).where(flags.c.conversation_id == conversation_id, flags.c.event_id == event_id))
            if on:
                c.execute(insert(flags).values(conversation_id=conversation_id, event_id=event_id, author=user,
                                               reason=reason.strip()[:1000], created_at=time.time()))
            count = c.execute(select(func.count()).select_from(flags)
                              .where(flags.c.conversation_id == conversation_id)).scalar_one()
            c.execute(update(conversations).where(conversations.c.id == conversation_id).values(flagged=count))
            self._audit(c, user, "flag" if on else "unflag", conversation_id, {"event_id": event_id})

    # -- audit ---------------------------------------------------------------------------------------
    def audit(self, user: str, action: str, conversation_id: Optional[int] = None, **detail: Any) -> None:
        with self.engine.begin() as c:
            self._audit(c, user, action, conversation_id, detail)

    @staticmethod
    def _audit(c: Connection, user: str, action: str, conversation_id: Optional[int], detail: Mapping[str, Any]
               ) -> None:
        c.execute(insert(audit).values(at=time.time(), user=user[:64], action=action[:32],
                                       conversation_id=conversation_id,
                                       detail=json.dumps(detail, default=str, sort_keys=True)))

    def audit_log(self, limit: int = 200, user: Optional[str] = None, action: Optional[str] = None,
                  conversation_id: Optional[int] = None, since: Optional[float] = None) -> List[Dict[str, Any]]:
        where = []
        if user:
            where.append(audit.c.user == user)
        if action:
            where.append(audit.c.action == action)
        if conversation_id is not None:
            where.append(audit.c.conversation_id == conversation_id)
        if since is not None:
            where.append(audit.c.at >= since)
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(select(audit).where(*where).order_by(desc(audit.c.id)).limit(limit))
                    .mappings()]

    # -- bulk seeding (benchmarks) ------------------------------------------------------------------
    def seed(self, rows: Sequence[Mapping[str, Any]], bodies: Sequence[str],
             trial_ids: Sequence[Sequence[str]], tag_lists: Sequence[Sequence[str]]) -> None:
        """Inserts ready-made summaries (with their search text, trials and tags) in one go."""
        with self.engine.begin() as c:
            first = (c.execute(select(func.max(conversations.c.id))).scalar() or 0) + 1
            ids = list(range(first, first + len(rows)))
            c.execute(insert(conversations), [{**r, "id": i} for r, i in zip(rows, ids)])
            c.execute(insert(conversation_trials), [{"conversation_id": i, "trial_id": t}
                                                    for i, ts in zip(ids, trial_ids) for t in ts])
            tag_rows = [{"conversation_id": i, "tag": t, "created_by": "seed", "created_at": time.time()}
                        for i, ts in zip(ids, tag_lists) for t in ts]
            if tag_rows:
                c.execute(insert(tags), tag_rows)
            if self.dialect == "sqlite":
                c.execute(text("INSERT INTO review_fts(rowid, body) VALUES (:id, :body)"),
                          [{"id": i, "body": b} for i, b in zip(ids, bodies)])
            else:
                c.execute(insert(search), [{"conversation_id": i, "body": b} for i, b in zip(ids, bodies)])
            if self.dialect == "postgresql":  # explicit ids: move the serial past them
                c.execute(text("SELECT setval(pg_get_serial_sequence('review_conversations', 'id'), "
                               "(SELECT max(id) FROM review_conversations))"))


def normalise_tag(tag: str) -> str:
    tag = re.sub(r"\s+", "-", tag.strip().lower())[:64]
    if not re.fullmatch(r"[\w.:-]+", tag, re.UNICODE):
        raise ValueError("a tag is one word: letters, digits, - _ . :")
    return tag
