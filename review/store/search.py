"""The free-text search over the masked text of each conversation: an FTS5 table on SQLite, a
stored tsvector with a GIN index on PostgreSQL, a LIKE elsewhere.

A query's words are each matched as a prefix ("platel" finds "platelets"), all of them in one
conversation. Chinese is written without spaces, and both databases' tokenizers take a run of Han
characters for one word: "我的血小板很低" would be found by nothing but itself. So each Han character
is indexed as a word of its own, and a query's run of Han characters is matched as a phrase (each
character right after the other): a word or a name of any length (血小板, 王芳) is found wherever it
is written, as it was written, without a dictionary of Chinese words to segment the text with.
"""
from __future__ import annotations

import re
from typing import Any, List, Optional

from sqlalchemy import and_, bindparam, func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from review.store.tables import search, state


HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"  # CJK ideographs and their extensions
_HAN_RUN = re.compile(f"[{HAN}]+")
_HAN_BOUNDARY = re.compile(rf"(?<=[{HAN}])(?=\S)|(?<=\S)(?=[{HAN}])")
_TERM = re.compile(rf"[{HAN}]+|[^\W{HAN}]+")  # a run of Han characters, or a word of any other script
MAX_TERMS = 12
HAN_SPLIT = "search_han_split"  # in review_state once older search text has its Han characters split


def searchable(text: str) -> str:
    """Text as it is indexed: each Han character a word of its own ("我的血小板" -> "我 的 血 小 板")."""
    return _HAN_BOUNDARY.sub(" ", text)


def terms_of(query: str) -> List[str]:
    """The query's terms: words (matched as prefixes) and runs of Han characters (matched as phrases)."""
    return _TERM.findall(query.lower())[:MAX_TERMS]


def _sqlite_match(term: str) -> str:
    return f'"{searchable(term)}"' if _HAN_RUN.fullmatch(term) else f'"{term}"*'


def _tsquery(term: str) -> str:
    return f"({' <-> '.join(term)})" if _HAN_RUN.fullmatch(term) else f"{term}:*"


class FullTextSearch:
    """The search text of each conversation (``self.engine``, ``self.dialect``)."""

    def _create_search(self, c: Connection) -> None:
        if self.dialect == "sqlite":
            c.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS review_fts USING fts5("
                           "body, tokenize='unicode61 remove_diacritics 2')"))
        elif self.dialect == "postgresql":
            # A stored tsvector (PostgreSQL 12+), so that matching never re-parses the text.
            c.execute(text("ALTER TABLE review_search ADD COLUMN IF NOT EXISTS tsv tsvector "
                           "GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED"))
            c.execute(text("CREATE INDEX IF NOT EXISTS ix_review_search_tsv ON review_search USING gin (tsv)"))

    def _split_older_han_text(self) -> None:
        """Search text indexed before Han characters were indexed one by one is split once, so that
        Chinese conversations reviewed before are found too (``review_state`` records it is done)."""
        try:
            with self.engine.begin() as c:
                if c.execute(select(state.c.value).where(state.c.key == HAN_SPLIT)).first() is not None:
                    return
                c.execute(insert(state).values(key=HAN_SPLIT, value=1))  # first: another process waits, then skips
                if self.dialect == "sqlite":
                    for rowid, body in c.execute(text("SELECT rowid, body FROM review_fts")).all():
                        if searchable(body) != body:
                            c.execute(text("DELETE FROM review_fts WHERE rowid = :id"), {"id": rowid})
                            c.execute(text("INSERT INTO review_fts(rowid, body) VALUES (:id, :body)"),
                                      {"id": rowid, "body": searchable(body)})
                    return
                for conversation_id, body in c.execute(select(search.c.conversation_id, search.c.body)).all():
                    if searchable(body) != body:
                        c.execute(update(search).where(search.c.conversation_id == conversation_id)
                                  .values(body=searchable(body)))
        except IntegrityError:
            pass  # another process did it at the same time

    def _append_search(self, c: Connection, conversation_id: int, added: str, new: bool) -> None:
        if self.dialect == "sqlite":
            old = None if new else c.execute(text("SELECT body FROM review_fts WHERE rowid = :id"),
                                             {"id": conversation_id}).scalar()
            body = (f"{old}\n{searchable(added)}" if old else searchable(added))[:200_000]
            if old is not None:
                c.execute(text("DELETE FROM review_fts WHERE rowid = :id"), {"id": conversation_id})
            c.execute(text("INSERT INTO review_fts(rowid, body) VALUES (:id, :body)"),
                      {"id": conversation_id, "body": body})
            return
        old = None if new else c.execute(select(search.c.body).where(search.c.conversation_id == conversation_id)
                                         ).scalar()
        body = (f"{old}\n{searchable(added)}" if old else searchable(added))[:200_000]
        if old is None:
            c.execute(insert(search).values(conversation_id=conversation_id, body=body))
        else:
            c.execute(update(search).where(search.c.conversation_id == conversation_id).values(body=body))

    def _forget_search(self, c: Connection, conversation_id: int) -> None:
        if self.dialect == "sqlite":
            c.execute(text("DELETE FROM review_fts WHERE rowid = :id"), {"id": conversation_id})

    def _text_ids(self, q: str) -> Optional[Any]:
        """A SELECT of the ids of the conversations with every term (see the module's docstring); None: no term."""
        terms = terms_of(q)
        if not terms:
            return None
        if self.dialect == "sqlite":
            expression = " AND ".join(_sqlite_match(term) for term in terms)
            return select(text("rowid")).select_from(text("review_fts")).where(
                text("review_fts MATCH :fts").bindparams(bindparam("fts", expression)))
        if self.dialect == "postgresql":
            expression = " & ".join(_tsquery(term) for term in terms)
            return select(search.c.conversation_id).where(
                text("review_search.tsv @@ to_tsquery('simple', :tsq)").bindparams(bindparam("tsq", expression)))
        return select(search.c.conversation_id).where(
            and_(*[func.lower(search.c.body).contains(searchable(term)) for term in terms]))
