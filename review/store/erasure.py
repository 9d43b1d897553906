"""Erasing a conversation's events and review data, and the retention purge."""
from __future__ import annotations

import time
from typing import List, Optional

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from review.store.tables import (REVIEW_DATA, TOMBSTONE_SENDER, conversations, erasures, events, sender_hash,
                                 sessions, set_aside)


class Erasure:
    """Erasure everywhere, remembered so that the indexer never brings it back (``self.engine``, ``self.dialect``)."""

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
        self._forget_search(c, conversation_id)
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
