"""The trial store: trials, their criteria and the fact vocabulary in a SQL database.

The YAML under ``data/`` is the source that ``trialbot trials load`` writes here; the bot itself
only reads the database. Any SQLAlchemy URL works (SQLite by default).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml
from sqlalchemy import JSON, Column, DateTime, Float, ForeignKey, Integer, String, Text, create_engine, func
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, relationship

from bot.facts import Vocabulary
from bot.trials import Trial

logger = logging.getLogger(__name__)

Base = declarative_base()


class TrialRow(Base):
    __tablename__ = "trials"
    id = Column(String(32), primary_key=True)
    title = Column(Text, nullable=False)
    brief_title = Column(Text, nullable=False)
    details = Column(JSON, nullable=False)  # summary, contact, url, locations, phase...
    source = Column(Text, nullable=False, default="")
    updated_at = Column(DateTime, nullable=False)
    criteria = relationship("CriterionRow", order_by="CriterionRow.position",
                            cascade="all, delete-orphan", lazy="selectin")


class CriterionRow(Base):
    __tablename__ = "criteria"
    trial_id = Column(String(32), ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True)
    position = Column(Integer, primary_key=True)
    criterion_id = Column(String(64), nullable=False)
    kind = Column(String(16), nullable=False)
    text = Column(Text, nullable=False)
    rule = Column(JSON, nullable=False)
    explain = Column(JSON, nullable=False)
    why = Column(Text, nullable=False, default="")
    rule_out = Column(Float, nullable=False, default=0.1)


class FactRow(Base):
    __tablename__ = "facts"
    key = Column(String(64), primary_key=True)
    definition = Column(JSON, nullable=False)


class TrialStore:
    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, future=True)
        Base.metadata.create_all(self.engine)

    # -- writing -------------------------------------------------------------------------
    def save_vocabulary(self, vocabulary: Vocabulary) -> None:
        with Session(self.engine) as session, session.begin():
            for key, definition in vocabulary.items():
                session.merge(FactRow(key=key, definition=definition.to_dict()))

    def save_trial(self, trial: Trial, source: str = "") -> None:
        """Insert or replace a trial and its criteria."""
        data = trial.to_dict()
        details = {k: v for k, v in data["trial"].items() if k not in ("id", "title", "brief_title")}
        with Session(self.engine) as session, session.begin():
            existing = session.get(TrialRow, trial.id)
            if existing is not None:
                session.delete(existing)
                session.flush()
            session.add(TrialRow(
                id=trial.id, title=trial.title, brief_title=trial.brief_title, details=details,
                source=source, updated_at=datetime.now(timezone.utc).replace(tzinfo=None),
                criteria=[
                    CriterionRow(position=i, criterion_id=c["id"], kind=c["kind"], text=c["text"],
                                 rule=c["rule"], explain=c["explain"], why=c["why"], rule_out=c["rule_out"])
                    for i, c in enumerate(data["criteria"])
                ],
            ))

    def load_directory(self, data_dir: Path) -> List[str]:
        """Load ``facts.yml`` and every ``trials/*.yml`` under ``data_dir``; return the trial ids."""
        vocabulary = load_vocabulary(data_dir / "facts.yml")
        self.save_vocabulary(vocabulary)
        loaded = []
        for path in sorted((data_dir / "trials").glob("*.yml")):
            trial = Trial.from_dict(yaml.safe_load(path.read_text(encoding="utf-8")), vocabulary)
            self.save_trial(trial, source=str(path))
            loaded.append(trial.id)
        logger.info("Loaded %d trial(s) from %s", len(loaded), data_dir)
        return loaded

    # -- reading -------------------------------------------------------------------------
    def vocabulary(self) -> Vocabulary:
        with Session(self.engine) as session:
            return Vocabulary.from_dict({row.key: row.definition for row in session.query(FactRow)})

    def version(self) -> Tuple[int, Optional[datetime]]:
        """Changes whenever a trial is saved: lets a reader keep a cache."""
        with Session(self.engine) as session:
            count, latest = session.query(func.count(TrialRow.id), func.max(TrialRow.updated_at)).one()
            return count, latest

    def trials(self, vocabulary: Optional[Vocabulary] = None) -> Dict[str, Trial]:
        vocabulary = vocabulary or self.vocabulary()
        with Session(self.engine) as session:
            return {row.id: _trial_from_row(row, vocabulary) for row in session.query(TrialRow)}


def _trial_from_row(row: TrialRow, vocabulary: Vocabulary) -> Trial:
    criteria = [
        {"id": c.criterion_id, "kind": c.kind, "text": c.text, "rule": c.rule, "explain": c.explain,
         "why": c.why, "rule_out": c.rule_out}
        for c in row.criteria
    ]
    trial = {"id": row.id, "title": row.title, "brief_title": row.brief_title, **row.details}
    return Trial.from_dict({"trial": trial, "criteria": criteria}, vocabulary)


def load_vocabulary(path: Path) -> Vocabulary:
    return Vocabulary.from_dict(yaml.safe_load(path.read_text(encoding="utf-8"))["facts"])


class Catalogue:
    """The trials and vocabulary a process works with, re-read only when the store changed."""

    def __init__(self, store: TrialStore) -> None:
        self.store = store
        self._version: Optional[Tuple[int, Optional[datetime]]] = None
        self.vocabulary = Vocabulary()
        self.trials: Dict[str, Trial] = {}

    def refresh(self) -> "Catalogue":
        version = self.store.version()
        if version != self._version:
            self.vocabulary = self.store.vocabulary()
            self.trials = self.store.trials(self.vocabulary)
            self._version = version
        return self

    def ids(self) -> Iterable[str]:
        return sorted(self.trials)
