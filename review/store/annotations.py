"""What reviewers add to a conversation: its review status, tags, notes and flagged messages."""
from __future__ import annotations

import re
import time
from typing import Optional

from sqlalchemy import delete, func, insert, select, update

from review.store.tables import conversations, flags, notes, tags

STATUSES = ("unreviewed", "needs_follow_up", "reviewed")


class Annotations:
    """Each change is audited (``self.engine``, ``self._audit``)."""

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


def normalise_tag(tag: str) -> str:
    tag = re.sub(r"\s+", "-", tag.strip().lower())[:64]
    if not re.fullmatch(r"[\w.:-]+", tag, re.UNICODE):
        raise ValueError("a tag is one word: letters, digits, - _ . :")
    return tag
