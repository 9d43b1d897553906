"""The inbox: filters, sort and page over the conversation summaries, and one conversation."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime, timezone
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from sqlalchemy import desc, func, select, text
from sqlalchemy.engine import Connection

from bot.evaluation import Verdict
from review.masking import mask_sender, mask_text
from review.transcript import Message, Summary, transcript
from review.store.indexer import unstorable_field
from review.store.tables import chunks, conversation_trials, conversations, events, flags, notes, tags

VERDICTS = tuple(v.value for v in (Verdict.LIKELY_ELIGIBLE, Verdict.UNCERTAIN, Verdict.NOT_ELIGIBLE))  # best first
MAX_PER_PAGE = 200
TEXT_COUNT_CAP = 1000  # free-text matches counted exactly up to here ("1,000+")


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


class Inbox:
    """Pages of conversations and each conversation whole (``self.engine``, ``self.dialect``, ``self.threshold``)."""

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
