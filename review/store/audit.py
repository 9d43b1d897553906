"""The audit log: who did what to which conversation, and when."""
from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Mapping, Optional

from sqlalchemy import desc, insert, select
from sqlalchemy.engine import Connection

from review.store.tables import audit


class AuditLog:
    """``self.engine``."""

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
