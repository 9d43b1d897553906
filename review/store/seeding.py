"""Ready-made summaries in bulk, for the inbox benchmark (benchmarks/review_inbox.py)."""
from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

from sqlalchemy import func, insert, select, text

from review.store.search import searchable
from review.store.tables import conversation_trials, conversations, search, tags


class Seeding:
    """``self.engine``, ``self.dialect``."""

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
                          [{"id": i, "body": searchable(b)} for i, b in zip(ids, bodies)])
            else:
                c.execute(insert(search), [{"conversation_id": i, "body": searchable(b)} for i, b in zip(ids, bodies)])
            if self.dialect == "postgresql":  # explicit ids: move the serial past them
                c.execute(text("SELECT setval(pg_get_serial_sequence('review_conversations', 'id'), "
                               "(SELECT max(id) FROM review_conversations))"))
