"""The trial store: trials, their criteria and the fact vocabulary in a SQL database.

The YAML under ``data/`` is the source that ``trialbot trials load`` writes here; the bot itself
only reads the database. Any SQLAlchemy URL works (SQLite by default).

Each trial has a state (bot.trials.TrialState): curated YAML loads as published (or as the state
its file says), an import saves drafts; the ``Catalogue`` patients and matching work with holds
the published trials, and the drafts apart for staff.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

import yaml
from sqlalchemy import (JSON, Column, DateTime, Float, ForeignKey, Integer, String, Text, cast, create_engine, func,
                        insert, inspect, or_, select, text)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, relationship

from bot import i18n
from bot.facts import Vocabulary
from bot.trials import Criterion, Trial, TrialState

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
    state = Column(String(16), nullable=True)  # TrialState; never None once the store has opened
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
    checked_by = Column(String(16), nullable=True)  # None: "rule"; "question": asked from the text
    translations = Column(JSON, nullable=True)  # explanations and "why" in other languages: {"zh-CN": {...}}
    source = Column(JSON, nullable=True)  # imported: where in the record (the text's segment, corpus rows)
    confidence = Column(String(16), nullable=True)  # imported: how sure the importer was (bot.trials.Confidence)
    review = Column(String(16), nullable=True)  # a coordinator's decision (bot.trials.Review)


class FactRow(Base):
    __tablename__ = "facts"
    key = Column(String(64), primary_key=True)
    definition = Column(JSON, nullable=False)


class MetaRow(Base):
    """Store-wide counters; ``revision`` goes up with every write, so that readers notice changes
    (an import may add facts without changing the number of trials)."""

    __tablename__ = "store_meta"
    key = Column(String(32), primary_key=True)
    value = Column(Integer, nullable=False, default=0)


def _add_missing_columns(engine: Engine) -> None:
    """Columns added to the models since a database was created (all nullable): ALTER TABLE ADD."""
    inspector = inspect(engine)
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    connection.execute(text(f'ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}'))


def _state_missing_trials(engine: Engine) -> None:
    """Trials stored before trials had a state: curated files stand as published, imports as drafts."""
    with engine.begin() as connection:
        for state, curated in ((TrialState.PUBLISHED, True), (TrialState.DRAFT, False)):
            from_yaml = or_(TrialRow.source.like("%.yml"), TrialRow.source.like("%.yaml"))
            connection.execute(TrialRow.__table__.update()
                               .where(TrialRow.state.is_(None), from_yaml if curated else ~from_yaml)
                               .values(state=state.value))


class TrialStore:
    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, future=True)
        Base.metadata.create_all(self.engine)
        _add_missing_columns(self.engine)
        _state_missing_trials(self.engine)

    # -- writing -------------------------------------------------------------------------
    @staticmethod
    def _bump(session: Session) -> None:
        row = session.get(MetaRow, "revision")
        if row is None:
            session.add(MetaRow(key="revision", value=1))
        else:
            row.value += 1

    def save_vocabulary(self, vocabulary: Vocabulary) -> None:
        """Insert or update these facts; other facts in the store are kept."""
        with Session(self.engine, autoflush=False) as session, session.begin():
            keys = list(vocabulary)
            existing = {}
            for i in range(0, len(keys), 500):
                existing.update({row.key: row for row in
                                 session.query(FactRow).filter(FactRow.key.in_(keys[i:i + 500]))})
            for key, definition in vocabulary.items():
                data = definition.to_dict()
                if key in existing:
                    if existing[key].definition != data:
                        existing[key].definition = data
                else:
                    session.add(FactRow(key=key, definition=data))
            self._bump(session)

    def save_trial(self, trial: Trial, source: str = "", state: TrialState = TrialState.PUBLISHED) -> None:
        """Insert or replace a trial and its criteria."""
        self.save_trials([(trial, source)], state)

    def save_trials(self, trials: Iterable[Tuple[Trial, str]], state: TrialState = TrialState.PUBLISHED) -> int:
        """Insert or replace trials (with the source each came from) in one transaction, in ``state``."""
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        trials = list({trial.id: (trial, source) for trial, source in trials}.values())
        ids = [trial.id for trial, _ in trials]
        trial_rows, criterion_rows = [], []
        for trial, source in trials:
            data = trial.to_dict()
            details = {k: v for k, v in data["trial"].items() if k not in ("id", "title", "brief_title")}
            trial_rows.append({"id": trial.id, "title": trial.title, "brief_title": trial.brief_title,
                               "details": details, "source": source, "updated_at": now, "state": state.value})
            criterion_rows += [_criterion_row(trial.id, i, c) for i, c in enumerate(data["criteria"])]
        with Session(self.engine, autoflush=False) as session, session.begin():
            for i in range(0, len(ids), 500):  # replace in place: old rows go first
                chunk = ids[i:i + 500]
                session.query(CriterionRow).filter(CriterionRow.trial_id.in_(chunk)).delete(synchronize_session=False)
                session.query(TrialRow).filter(TrialRow.id.in_(chunk)).delete(synchronize_session=False)
            if trial_rows:
                session.execute(insert(TrialRow), trial_rows)
            if criterion_rows:
                session.execute(insert(CriterionRow), criterion_rows)
            self._bump(session)
        return len(trial_rows)

    def save_criterion(self, trial_id: str, criterion: Criterion) -> None:
        """Replace one criterion of a stored trial (a coordinator's review), in place."""
        with Session(self.engine, autoflush=False) as session, session.begin():
            row = session.query(CriterionRow).filter(CriterionRow.trial_id == trial_id,
                                                     CriterionRow.criterion_id == criterion.id).one()
            for name, value in _criterion_row(trial_id, row.position, criterion.to_dict()).items():
                setattr(row, name, value)
            session.get(TrialRow, trial_id).updated_at = datetime.now(timezone.utc).replace(tzinfo=None)
            self._bump(session)

    def set_state(self, trial_id: str, state: TrialState) -> None:
        with Session(self.engine, autoflush=False) as session, session.begin():
            row = session.get(TrialRow, trial_id)
            if row is None:
                raise KeyError(trial_id)
            row.state = state.value
            self._bump(session)

    def load_directory(self, data_dir: Path) -> List[str]:
        """Load ``facts.yml`` and every ``trials/*.yml`` under ``data_dir``; return the trial ids."""
        vocabulary = load_vocabulary(data_dir / "facts.yml")
        self.save_vocabulary(vocabulary)
        loaded = [self.load_file(path, vocabulary).id for path in sorted((data_dir / "trials").glob("*.yml"))]
        logger.info("Loaded %d trial(s) from %s", len(loaded), data_dir)
        return loaded

    def load_file(self, path: Path, vocabulary: Optional[Vocabulary] = None) -> Trial:
        """Load one trial file (data/trials/*.yml, or one ``trialbot trials draft`` wrote): the facts
        it defines (``facts:``, as in facts.yml) join the vocabulary, and the trial is saved in the
        state the file gives (``state:``; curated files without one are published)."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "trial" not in data or "criteria" not in data:
            raise ValueError(f"{path}: not a trial file (it needs 'trial' and 'criteria')")
        own = Vocabulary.from_dict(data.get("facts") or {})
        if own:
            self.save_vocabulary(own)
        vocabulary = Vocabulary({**(vocabulary if vocabulary is not None else self.vocabulary()), **own})
        trial = Trial.from_dict(data, vocabulary)
        self.save_trial(trial, source=str(path), state=TrialState(data.get("state") or TrialState.PUBLISHED.value))
        return trial

    # -- reading -------------------------------------------------------------------------
    def vocabulary(self) -> Vocabulary:
        with Session(self.engine) as session:
            return Vocabulary.from_dict({row.key: row.definition for row in session.query(FactRow)})

    def version(self) -> Tuple[Any, ...]:
        """Changes whenever a trial or a fact is saved: lets a reader keep a cache."""
        with Session(self.engine) as session:
            count, latest = session.query(func.count(TrialRow.id), func.max(TrialRow.updated_at)).one()
            facts = session.query(func.count(FactRow.key)).scalar()
            revision = session.query(MetaRow.value).filter(MetaRow.key == "revision").scalar()
            return count, latest, facts, revision or 0

    def sources(self) -> Dict[str, str]:
        """Where each stored trial came from (a curated YAML file, or an imported record)."""
        with Session(self.engine) as session:
            return dict(session.execute(select(TrialRow.id, TrialRow.source)).all())

    def states(self) -> Dict[str, TrialState]:
        with Session(self.engine) as session:
            return {trial_id: TrialState(state) for trial_id, state in session.execute(select(TrialRow.id, TrialRow.state))}

    def state(self, trial_id: str) -> Optional[TrialState]:
        with Session(self.engine) as session:
            state = session.execute(select(TrialRow.state).where(TrialRow.id == trial_id)).scalar()
        return TrialState(state) if state else None

    def summaries(self, condition: Optional[str] = None, status: Optional[str] = None,
                  place: Optional[str] = None) -> List[Dict[str, Any]]:
        """Trials without their criteria (id, titles, details, source, state, criteria count),
        filtered by a condition, a status and a place (city, region, country or facility), all
        case-insensitive.

        The database narrows by a text search of the details; the exact match is checked here.
        """
        count = (select(func.count(CriterionRow.position)).where(CriterionRow.trial_id == TrialRow.id)
                 .scalar_subquery())
        query = select(TrialRow.id, TrialRow.title, TrialRow.brief_title, TrialRow.details, TrialRow.source,
                       TrialRow.state, count).order_by(TrialRow.id)
        details = func.lower(cast(TrialRow.details, Text))
        for needle, in_title in ((condition, True), (status, False), (place, False)):
            # the longest ASCII word of the filter (JSON text may escape other characters)
            words = [w for w in _normal(needle or "").split() if w.isascii()]
            if words:
                word = max(words, key=len)
                query = query.where(or_(details.contains(word), func.lower(TrialRow.title).contains(word))
                                    if in_title else details.contains(word))
        with Session(self.engine) as session:
            rows = session.execute(query).all()
        found = []
        for trial_id, title, brief_title, details, source, state, criteria in rows:
            summary = {"id": trial_id, "title": title, "brief_title": brief_title, "details": details or {},
                       "source": source, "state": TrialState(state), "criteria": criteria}
            if _matches(summary, condition, status, place):
                found.append(summary)
        return found

    def trial(self, trial_id: str, vocabulary: Optional[Vocabulary] = None) -> Optional[Trial]:
        with Session(self.engine) as session:
            row = session.get(TrialRow, trial_id)
            return None if row is None else _trial_from_row(row, vocabulary or self.vocabulary())

    def trials(self, vocabulary: Optional[Vocabulary] = None,
               states: Iterable[TrialState] = tuple(TrialState)) -> Dict[str, Trial]:
        """The stored trials in one of ``states`` (any state by default)."""
        vocabulary = vocabulary or self.vocabulary()
        with Session(self.engine) as session:
            rows = session.query(TrialRow).filter(TrialRow.state.in_([state.value for state in states]))
            return {row.id: _trial_from_row(row, vocabulary) for row in rows}


def _criterion_row(trial_id: str, position: int, c: Dict[str, Any]) -> Dict[str, Any]:
    """A criterion as Criterion.to_dict gives it, as a row of the criteria table."""
    return {"trial_id": trial_id, "position": position, "criterion_id": c["id"], "kind": c["kind"], "text": c["text"],
            "rule": c["rule"], "explain": c["explain"], "why": c["why"], "rule_out": c["rule_out"],
            "checked_by": c.get("checked_by"), "source": c.get("source"), "confidence": c.get("confidence"),
            "review": c.get("review"),
            "translations": {language: c[language] for language in i18n.TRANSLATED if language in c} or None}


def _normal(text: Any) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in str(text).lower()).split())


def _matches(summary: Dict[str, Any], condition: Optional[str], status: Optional[str], place: Optional[str]) -> bool:
    details = summary["details"]
    if status and _normal(details.get("status", "")) != _normal(status):
        return False
    if condition:
        wanted = _normal(condition)
        names = list(details.get("conditions") or []) + list(details.get("keywords") or []) + [summary["title"]]
        if not any(wanted in _normal(name) for name in names):
            return False
    if place:
        wanted = _normal(place)
        places = [_normal(" ".join(str(v) for k, v in loc.items() if k in ("facility", "city", "region", "country", "zip")))
                  for loc in details.get("locations") or []]
        if not any(f" {wanted} " in f" {p} " for p in places):
            return False
    return True


def _trial_from_row(row: TrialRow, vocabulary: Vocabulary) -> Trial:
    criteria = [
        {"id": c.criterion_id, "kind": c.kind, "text": c.text, "rule": c.rule, "explain": c.explain,
         "why": c.why, "rule_out": c.rule_out, "checked_by": c.checked_by, "source": c.source,
         "confidence": c.confidence, "review": c.review, **(c.translations or {})}
        for c in row.criteria
    ]
    trial = {"id": row.id, "title": row.title, "brief_title": row.brief_title, **row.details}
    return Trial.from_dict({"trial": trial, "criteria": criteria}, vocabulary)


# Fields of a fact that hold words, which a file in another language (facts.zh-CN.yml) adds to
WORD_LISTS = ("cues", "cues_partial", "cues_false", "organ")
WORD_MAPS = ("choices", "sites", "answers")


def load_vocabulary(path: Path) -> Vocabulary:
    """The facts of ``path`` with the words of its sibling files in other languages ("facts.zh-CN.yml")."""
    facts = yaml.safe_load(path.read_text(encoding="utf-8"))["facts"]
    for other in sorted(path.parent.glob(f"{path.stem}.*{path.suffix}")):
        for key, words in (yaml.safe_load(other.read_text(encoding="utf-8"))["facts"] or {}).items():
            if key not in facts:
                raise ValueError(f"{other.name}: {key!r} is not a fact of {path.name}")
            _add_words(facts[key], words, other.name)
    return Vocabulary.from_dict(facts)


def _add_words(fact: Dict[str, Any], words: Mapping[str, Any], source: str) -> None:
    for name, value in words.items():
        if name in WORD_LISTS:
            had = fact.get(name) or ()
            fact[name] = [*([had] if isinstance(had, str) else had), *value]  # "organ: heart" is one word
        elif name == "times_normal":  # the names of the lab tests, per group: "肝功", "肌酐"
            groups = {k: list(v) for k, v in ((fact.get(name) or {}).get("groups") or {}).items()}
            for group, more in (value.get("groups") or {}).items():
                groups[group] = [*groups.get(group, ()), *more]
            fact[name] = {**(fact.get(name) or {}), "groups": groups}
        elif name in WORD_MAPS:
            merged = {k: list(v) for k, v in (fact.get(name) or {}).items()}
            for reading, more in value.items():
                merged[str(reading)] = [*merged.get(str(reading), ()), *more]
            fact[name] = merged
        else:
            raise ValueError(f"{source}: {name!r} holds no words (only {', '.join(WORD_LISTS + WORD_MAPS)}, times_normal)")


class Catalogue:
    """The trials and vocabulary a process works with, re-read only when the store changed.

    ``trials``: the published trials, which patients and matching see; ``drafts``: the trials a
    coordinator has not published yet, which staff may screen by name."""

    def __init__(self, store: TrialStore) -> None:
        self.store = store
        self._version: Optional[Tuple[Any, ...]] = None
        self._checked = float("-inf")
        self.vocabulary = Vocabulary()
        self.trials: Dict[str, Trial] = {}
        self.drafts: Dict[str, Trial] = {}

    def refresh(self, max_age: float = 0.0) -> "Catalogue":
        """Re-read the store if it changed; ``max_age``: seconds during which the last check stands
        (a conversation turn need not ask the database whether the trials were re-loaded)."""
        if time.monotonic() - self._checked < max_age:
            return self
        self._checked = time.monotonic()
        version = self.store.version()
        if version != self._version:
            self.vocabulary = self.store.vocabulary()
            self.trials = self.store.trials(self.vocabulary, [TrialState.PUBLISHED])
            self.drafts = self.store.trials(self.vocabulary, [TrialState.DRAFT])
            self._version = version
        return self

    def ids(self) -> Iterable[str]:
        return sorted(self.trials)
