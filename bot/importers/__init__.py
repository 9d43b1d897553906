"""Importing trials from registries and criteria corpora into the trial store.

``import_path(path, store)`` reads what ``path`` holds and saves the trials it finds:

- ClinicalTrials.gov API v2 study records (``*.json``: one study, a search page
  ``{"studies": [...]}`` or a list), see ``ctgov``;
- structured criteria tables in the OMOP layout (a directory with ``all_criteria_corpus.csv``, or
  that file), see ``omop``;
- a directory: its corpus tables and every ``*.json`` record in it.

Free-text criteria are split and made computable where they can be (``criteria_text``); the
rest become yes/no questions to be confirmed by the study team. The facts the criteria need are
added to the store's vocabulary (``concepts``).

An imported trial is saved as a draft, which patients and matching do not see until a coordinator
has reviewed and published it (``trialbot trials draft``, the review app's Trials page);
``publish=True`` skips that review (whole corpora for benchmarks and tests).

A trial with a hand-curated YAML file (``data/trials/<id>.yml``, or loaded from one) is kept as
curated and not imported. Importing again replaces a trial in place, as a draft again. A malformed record is
reported with its file and field, and the rest of the import goes on.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from bot.facts import AnsweredBy, Vocabulary
from bot.importers import ctgov, omop
from bot.importers.concepts import DATA_DIR, Concepts, Lexicon
from bot.importers.criteria_text import Recogniser
from bot.importers.records import FieldError, Problem
from bot.importers.wording_zh import add_chinese
from bot.rules import RuleError
from bot.store import TrialStore, load_vocabulary
from bot.trials import CheckedBy, Trial, TrialState

CURATED_DIR = DATA_DIR / "trials"
BASE_VOCABULARY = DATA_DIR / "facts.yml"


@dataclass
class ImportReport:
    """What an import did: counts, what it kept or skipped and why, and the problems it met."""

    path: str
    state: TrialState = TrialState.DRAFT  # what the imported trials were saved as
    new: List[str] = field(default_factory=list)
    updated: List[str] = field(default_factory=list)
    kept: List[str] = field(default_factory=list)  # hand-curated trials, not overwritten
    skipped: Dict[str, str] = field(default_factory=dict)  # trial id -> why it was not imported
    problems: List[Problem] = field(default_factory=list)
    criteria: int = 0  # split from text or coded in a table
    computable: int = 0  # of those, checked by a rule over facts
    questions: int = 0  # of those, asked from their text and confirmed by the study team
    study_team: int = 0  # of those, not asked: only the study team can settle them
    registry_criteria: int = 0  # from the registry's structured age and sex fields
    duplicates: int = 0  # identical coded criteria of one trial, merged
    alternatives: int = 0  # coded inclusion criteria merged with their alternatives ("A or B")
    facts_added: int = 0
    rows: int = 0  # corpus rows read
    seconds: float = 0.0

    @property
    def imported(self) -> List[str]:
        return self.new + self.updated

    @property
    def computable_share(self) -> float:
        return self.computable / self.criteria if self.criteria else 0.0

    def summary(self, limit: int = 20) -> str:
        lines = [f"Imported {len(self.imported)} trial(s) ({len(self.new)} new, {len(self.updated)} updated) "
                 f"from {self.path} in {self.seconds:.1f} s, "
                 + ("as drafts for a coordinator to review and publish." if self.state is TrialState.DRAFT
                    else "published without a coordinator's review.")]
        if self.imported:
            lines.append(f"  criteria: {self.criteria} from the text or table"
                         + (f" ({self.rows} rows read; {self.alternatives} merged with their alternatives, "
                            f"{self.duplicates} duplicates)" if self.rows else "")
                         + f", plus {self.registry_criteria} from the registry's age and sex fields")
            lines.append(f"  computable: {self.computable} ({self.computable_share:.0%}); asked as yes/no questions "
                         f"and to be confirmed by the study team: {self.questions}; left to the study team "
                         f"(qualified, conditional or unclear): {self.study_team}")
            lines.append(f"  facts added to the vocabulary: {self.facts_added}")
        if self.kept:
            lines.append(f"  curated, kept: {', '.join(self.kept)}")
        if self.skipped:
            lines.append(f"  not imported ({len(self.skipped)}):")
            lines += [f"    {trial_id}: {why}" for trial_id, why in list(self.skipped.items())[:limit]]
            if len(self.skipped) > limit:
                lines.append(f"    ... and {len(self.skipped) - limit} more")
        if self.problems:
            lines.append(f"  problems ({len(self.problems)}):")
            lines += [f"    {problem}" for problem in self.problems[:limit]]
            if len(self.problems) > limit:
                lines.append(f"    ... and {len(self.problems) - limit} more")
        return "\n".join(lines)


def _json_records(file: Path, recogniser: Recogniser, problems: List[Problem]) -> Iterator[Dict[str, Any]]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(Problem(str(file), "(document)", f"not readable as JSON: {error}"))
        return
    try:
        for where, study in ctgov.studies(data):
            try:
                yield ctgov.trial_record(study, recogniser, where)
            except FieldError as error:
                problems.append(Problem(str(file), error.field, error.message))
    except FieldError as error:
        problems.append(Problem(str(file), error.field, error.message))


def _records(path: Path, concepts: Concepts, report: ImportReport) -> Iterator[Tuple[str, Dict[str, Any]]]:
    recogniser = Recogniser(concepts)
    corpus: Optional[Path] = None
    json_files: List[Path] = []
    if path.is_dir():
        corpus = path / omop.CRITERIA_FILE if (path / omop.CRITERIA_FILE).is_file() else None
        json_files = sorted(path.rglob("*.json"))
        if corpus is None and not json_files:
            report.problems.append(Problem(str(path), "(directory)", f"no study records (*.json) and no "
                                                                     f"{omop.CRITERIA_FILE} to import"))
    elif path.suffix.lower() == ".json":
        json_files = [path]
    elif path.suffix.lower() == ".csv":
        corpus = path
    else:
        report.problems.append(Problem(str(path), "(file)", "not a study record (.json) or criteria table (.csv)"))
    if corpus is not None:
        stats = omop.CorpusStats()
        texts = corpus.parent / omop.TEXTS_FILE
        for record in omop.read_corpus(corpus, concepts, report.problems, stats,
                                       trials_path=corpus.parent / omop.TRIALS_FILE,
                                       texts_path=texts if texts.exists() else None):
            yield str(corpus), record
        report.rows += stats.rows
        report.duplicates += stats.duplicates
        report.alternatives += stats.alternatives
        report.skipped.update(stats.skipped_trials)
    for file in json_files:
        for record in _json_records(file, recogniser, report.problems):
            yield str(file), record


def import_path(path: Path, store: TrialStore, curated_dir: Optional[Path] = CURATED_DIR,
                lexicon: Optional[Lexicon] = None, publish: bool = False) -> ImportReport:
    """Import every trial under ``path`` into ``store``, as drafts unless ``publish``; see the
    module's docstring."""
    started = time.perf_counter()
    path = Path(path)
    report = ImportReport(path=str(path), state=TrialState.PUBLISHED if publish else TrialState.DRAFT)
    if not path.exists():
        report.problems.append(Problem(str(path), "(path)", "does not exist"))
        return report
    vocabulary = store.vocabulary()
    base = {k: v for k, v in load_vocabulary(BASE_VOCABULARY).items() if k not in vocabulary}
    vocabulary.update(base)
    concepts = Concepts(vocabulary, lexicon)
    sources = store.sources()
    curated = {p.stem for p in curated_dir.glob("*.y*ml")} if curated_dir and curated_dir.is_dir() else set()
    curated |= {trial_id for trial_id, source in sources.items() if source.endswith((".yml", ".yaml"))}

    pending: Dict[str, Tuple[Trial, str]] = {}
    for source, record in _records(path, concepts, report):
        trial_id = record["trial"]["id"]
        if trial_id in curated:
            if trial_id not in report.kept:
                report.kept.append(trial_id)
            continue
        for criterion in record["criteria"]:
            add_chinese(criterion, concepts.vocabulary, concepts.lexicon.chinese_units)
        try:
            trial = Trial.from_dict(record, concepts.vocabulary)
        except (RuleError, KeyError, TypeError, ValueError) as error:
            report.problems.append(Problem(source, f"{trial_id}: criteria", str(error)))
            continue
        pending[trial_id] = (trial, source)  # a later record of the same trial replaces an earlier one

    used = {key for trial, _ in pending.values() for c in trial.criteria for key in c.rule.facts}
    used |= {i.fact for key in used if key in concepts.vocabulary for i in concepts.vocabulary[key].implied_by}
    added = {key: d for key, d in concepts.created.items() if key in used}
    store.save_vocabulary(Vocabulary({**base, **added}))
    store.save_trials(pending.values(), report.state)

    report.facts_added = len(added)
    for trial_id, (trial, _) in pending.items():
        (report.updated if trial_id in sources else report.new).append(trial_id)
        for c in trial.criteria:
            if c.id.startswith("reg-"):
                report.registry_criteria += 1
                continue
            report.criteria += 1
            if c.checked_by is CheckedBy.RULE:
                report.computable += 1
            elif c.answered_by(concepts.vocabulary) is AnsweredBy.STUDY_TEAM:
                report.study_team += 1
            else:
                report.questions += 1
    report.seconds = time.perf_counter() - started
    return report


__all__ = ["ImportReport", "Problem", "import_path"]
