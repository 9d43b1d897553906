"""The review of an imported trial before patients are screened on it, and any trial as YAML.

An imported trial is a draft (bot.trials.TrialState). Each imported criterion is approved as the
importer read it, edited (its rule; the question and who answers it, which belong to the facts the
rule reads), or handed to the study team, who confirm it at the screening visit and are never
asked through the bot; once no criterion awaits review, the trial can be published, and later
withdrawn. The review app's Trials page (review/trials.py) and ``trialbot trials`` call these.

``trial_yaml`` writes a trial in the format of data/trials/*.yml, with its state and the imported
facts it needs (``facts:``, as in data/facts.yml), so that it can be edited by hand, kept under
version control and loaded back with ``trialbot trials load FILE`` (TrialStore.load_file).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, Mapping, Tuple

import yaml

from bot.facts import AnsweredBy, FactType, Vocabulary
from bot.importers.concepts import DATA_DIR, Concepts, Lexicon
from bot.importers.criteria_text import Derived
from bot.importers.records import criterion as criterion_record
from bot.importers.wording_zh import add_chinese
from bot.rules import RuleError, compile_rule
from bot.store import TrialStore, load_vocabulary
from bot.trials import CheckedBy, Criterion, Review, Trial, TrialState

BASE_VOCABULARY = DATA_DIR / "facts.yml"
_COMPARISONS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than", "==": "exactly"}
YAML_HEADER = """\
# {trial_id}, written by `trialbot trials {command}` ({state}). Edit and load back with
# `trialbot trials load FILE`. Each criterion keeps its original text; `rule` is what must hold for
# an inclusion criterion, and what excludes for an exclusion criterion (see data/trials/NCT05236582.yml).
# Imported criteria say where they came from (`source`) and how sure the importer was (`confidence`:
# computable, question, unsure, study_team); `review` is the coordinator's decision (approved, edited,
# study_team). `facts` defines the imported facts the rules read (questions and who answers them).
"""


class ReviewRefused(ValueError):
    """A change that cannot be made, and why (said to the coordinator as it is)."""


def plain_rule(spec: Mapping[str, Any], vocabulary: Vocabulary) -> str:
    """A rule in the words of its facts' labels: "Platelet count at least 100 ×10^9/L"."""
    if "all" in spec:
        return " and ".join(_grouped(part, vocabulary) for part in spec["all"])
    if "any" in spec:
        return " or ".join(_grouped(part, vocabulary) for part in spec["any"])
    if "not" in spec:
        return f"not ({plain_rule(spec['not'], vocabulary)})"
    definition = vocabulary.get(spec["fact"])
    label = definition.label.replace("{subject}", "the person") if definition else spec["fact"]
    if "is" in spec:
        return f"{label}: {'yes' if spec['is'] else 'no'}"
    if "in" in spec:
        return f"{label}: {' or '.join(str(choice).replace('_', ' ') for choice in spec['in'])}"
    amount = f"{_COMPARISONS.get(spec['op'], spec['op'])} {spec['value']:g} {spec.get('unit') or ''}".rstrip()
    if definition is not None and definition.type is FactType.DATE:
        return f"{label}: {amount} ago"
    return f"{label} {amount}"


def _grouped(spec: Mapping[str, Any], vocabulary: Vocabulary) -> str:
    words = plain_rule(spec, vocabulary)
    return f"({words})" if "all" in spec or "any" in spec else words


# -- the YAML ----------------------------------------------------------------------------------------

def trial_yaml(store: TrialStore, trial_id: str, command: str = "export") -> str:
    """The stored trial as a YAML file of data/trials/*.yml's format, with ``state:`` and the facts
    its rules read that data/facts.yml does not define (``facts:``)."""
    vocabulary = store.vocabulary()
    trial = store.trial(trial_id, vocabulary)
    if trial is None:
        raise KeyError(trial_id)
    state = store.state(trial_id)
    base = load_vocabulary(BASE_VOCABULARY)
    data = trial.to_dict()
    document: Dict[str, Any] = {"state": state.value, "trial": data["trial"]}
    own = {key: vocabulary[key].to_dict() for key in _facts_read(trial, vocabulary) if key not in base}
    if own:
        document["facts"] = own
    document["criteria"] = data["criteria"]
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None)
    return YAML_HEADER.format(trial_id=trial_id, command=command, state=state.value) + body


def _facts_read(trial: Trial, vocabulary: Vocabulary) -> Dict[str, None]:
    """The facts the trial's rules read, and those whose answers imply them, in order."""
    keys: Dict[str, None] = {}
    for c in trial.criteria:
        for key in c.rule.facts:
            keys.update({i.fact: None for i in vocabulary[key].implied_by})
            keys[key] = None
    return keys


# -- a coordinator's decisions ---------------------------------------------------------------------

def _criterion(store: TrialStore, trial_id: str, criterion_id: str, vocabulary: Vocabulary) -> Criterion:
    trial = store.trial(trial_id, vocabulary)
    found = trial.criterion(criterion_id) if trial else None
    if found is None:
        raise ReviewRefused(f"No criterion {criterion_id} in trial {trial_id}.")
    return found


def approve(store: TrialStore, trial_id: str, criterion_id: str) -> Criterion:
    """The importer's reading stands."""
    current = _criterion(store, trial_id, criterion_id, store.vocabulary())
    approved = replace(current, review=Review.APPROVED)
    store.save_criterion(trial_id, approved)
    return approved


def hand_to_study_team(store: TrialStore, trial_id: str, criterion_id: str) -> Criterion:
    """The study team confirms the criterion at the screening visit; the bot never asks it."""
    vocabulary = store.vocabulary()
    current = _criterion(store, trial_id, criterion_id, vocabulary)
    concepts = Concepts(vocabulary)
    fact = concepts.study_team(current.text)
    store.save_vocabulary(Vocabulary(concepts.created))
    handed = _rebuilt(current, {"fact": fact, "is": True}, CheckedBy.QUESTION, concepts.vocabulary,
                      Derived({"fact": fact, "is": True}, "question", f"\"{current.text}\"", team=True))
    handed = replace(handed, review=Review.STUDY_TEAM)
    store.save_criterion(trial_id, handed)
    return handed


def edit(store: TrialStore, trial_id: str, criterion_id: str, rule_text: str,
         questions: Mapping[str, Tuple[str, str]], confirmed_by_team: bool) -> Criterion:
    """The coordinator's own reading: ``rule_text`` the rule as YAML ({fact: age, op: ">=", value:
    18, unit: years}); ``questions`` for some of the facts it reads, the question and who answers
    it (patient, clinician, study_team), changed for every trial that reads the fact;
    ``confirmed_by_team``: the answer is still to be confirmed by the study team."""
    vocabulary = store.vocabulary()
    current = _criterion(store, trial_id, criterion_id, vocabulary)
    try:
        spec = yaml.safe_load(rule_text)
    except yaml.YAMLError as error:
        raise ReviewRefused(f"The rule is not readable YAML: {error}") from None
    if not isinstance(spec, dict):
        raise ReviewRefused("The rule must be a mapping, such as {fact: age, op: \">=\", value: 18, unit: years}.")
    changed = Vocabulary()
    for key, (ask, answered_by) in questions.items():
        definition = vocabulary.get(key)
        if definition is None:
            raise ReviewRefused(f"No fact {key} in the vocabulary.")
        try:
            who = AnsweredBy(answered_by)
        except ValueError:
            raise ReviewRefused(f"Who answers must be one of: {', '.join(a.value for a in AnsweredBy)}.") from None
        ask = " ".join(ask.split())
        if not ask:
            raise ReviewRefused(f"The question for {definition.label} is empty.")
        if (ask, who) != (definition.ask, definition.answered_by):
            # the wording about a family member was made for the old question: the new one stands alone
            changed[key] = replace(definition, ask=ask, answered_by=who,
                                   ask_other=definition.ask_other if ask == definition.ask else None,
                                   translations=definition.translations if ask == definition.ask
                                   else _without_questions(definition.translations))
    vocabulary.update(changed)
    try:
        compile_rule(spec, vocabulary)
    except (RuleError, KeyError, TypeError, ValueError) as error:
        raise ReviewRefused(f"The rule does not fit the vocabulary: {error}") from None
    checked_by = CheckedBy.QUESTION if confirmed_by_team else CheckedBy.RULE
    derived = Derived(spec, checked_by.value, plain_rule(spec, vocabulary))
    edited = replace(_rebuilt(current, spec, checked_by, vocabulary, derived), review=Review.EDITED)
    if changed:
        store.save_vocabulary(changed)
    store.save_criterion(trial_id, edited)
    return edited


def _without_questions(translations: Mapping[str, Mapping[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """A fact's other-language wording once the coordinator rewrote its English question: the old
    translated question no longer says the same, so the question is asked in English until translated."""
    return {language: {name: text for name, text in wording.items() if name not in ("ask", "ask_other")}
            for language, wording in translations.items()}


def _rebuilt(current: Criterion, spec: Mapping[str, Any], checked_by: CheckedBy, vocabulary: Vocabulary,
             derived: Derived) -> Criterion:
    """The criterion with a new rule, and the explanations the importer words for such a rule."""
    record = criterion_record(current.id, current.kind.value, current.text, derived, current.rule_out)
    add_chinese(record, vocabulary, Lexicon.load().chinese_units)  # worded as the new rule's English is
    record.update(source=dict(current.source), confidence=current.confidence.value if current.confidence else None)
    record["checked_by"] = checked_by.value
    return Criterion.from_dict(record, vocabulary)


def publish(store: TrialStore, trial_id: str) -> None:
    """Patients and matching see the trial from now on; refused while a criterion awaits review."""
    trial = store.trial(trial_id)
    if trial is None:
        raise ReviewRefused(f"No trial {trial_id}.")
    waiting = [c.id for c in trial.criteria if c.awaits_review]
    if waiting:
        raise ReviewRefused(f"{len(waiting)} criteria still await review ({', '.join(waiting[:5])}"
                            f"{' and more' if len(waiting) > 5 else ''}): approve, edit or hand each to the "
                            f"study team first.")
    store.set_state(trial_id, TrialState.PUBLISHED)


def withdraw(store: TrialStore, trial_id: str) -> None:
    """Nobody is screened on the trial any more (staff neither); it can be published again."""
    if store.state(trial_id) is None:
        raise ReviewRefused(f"No trial {trial_id}.")
    store.set_state(trial_id, TrialState.WITHDRAWN)

