"""How right the importer's readings of eligibility criteria are, against judgements made by hand.

``python -m benchmarks.criteria [--sample judged-2024.yml ...] [--draw SEED N]``

The population is every criterion the importer makes from the text or table of a trial (not the
registry's age and sex fields) for the COVID-19 structured-trials corpus and the ClinicalTrials.gov
record NCT02513394, ordered by trial id and then by the criterion's position in the trial. A
sample is ``random.Random(seed).sample`` of that list, drawn once from the importer as it was then
(see SAMPLES: the first before any of the work it measures, each later one after the fixes the one
before it prompted), and kept in ``benchmarks/corpora/criteria/judged-<seed>.yml`` with, for each
criterion:

- ``item``: where it comes from: ``<trial>@<corpus line>`` (the CSV line of its first coded row) or
  ``<trial>#<position>`` (its place among the criteria split from the registry text);
- ``text``: the criterion as the trial wrote it; ``entity``: the coded entity (corpus only);
- ``right``: what a careful reader makes of it: ``rule`` (computable from facts), ``question`` (a
  clean yes/no question to the person) or ``study_team`` (only the study team can settle it);
- ``readings``: every reading the importer has produced for it, each judged by hand: ``right``,
  ``wrong`` or ``unsafe`` for a rule (unsafe: a person is passed or ruled out against what the
  criterion says), ``clean``, ``garbled`` or ``unsafe`` for a question, ``study_team`` for a
  hand-off to the study team.

A run imports both sources afresh, finds each sampled criterion again (by its corpus line or
position), writes its reading as one line of text (``reading()``), and looks the reading up in the
judgements. A reading nobody has judged yet is listed as such and counted apart: the figures only
cover readings judged by a person. ``--draw SEED N`` prints a new sample's skeleton to judge.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

import yaml

from trialbot.config import PROJECT_ROOT
from bot.facts import AnsweredBy, Vocabulary
from bot.importers import BASE_VOCABULARY, ctgov, omop
from bot.importers.concepts import Concepts
from bot.importers.criteria_text import Recogniser
from bot.rules import describe_rule
from bot.store import load_vocabulary

SHARED = PROJECT_ROOT.parent / "shared" / "data"
CORPUS = SHARED / "covid19-structured-trials"
RECORD = SHARED / "ctgov" / "NCT02513394.json"
JUDGED = Path(__file__).resolve().parent / "corpora" / "criteria"
RESULTS = Path(__file__).resolve().parent / "results"
# seed -> when the sample was drawn; its first readings are the importer's then, judged before any change
SAMPLES = {
    2024: "200 criteria, drawn before any change to the importer (commit 1389cb6)",
    2025: "60 criteria, drawn after the work on sample 2024 (commit d3a7f72)",
    2026: "40 criteria, drawn after the fixes sample 2025 prompted (commit 3edb61c)",
    2027: "40 criteria, drawn after the fixes sample 2026 prompted (commit 7d29f9b); judged once before the "
          "last fixes (commit 2f99783). Its hand-offs then prompted, with those of 2028 and 2030, general fixes "
          "(branch crit: see sample 2031)",
    2028: "40 criteria, drawn after the mechanism changes that samples 2024-2027 and unkept development samples "
          "prompted (commit e8a5f4e); its first judgement is the held-out figure. Its two unsafe readings then "
          "prompted general fixes (negated alternatives, concepts narrower than their entity: commit 52ac020); its "
          "hand-offs, with those of 2027 and 2030, the fixes of branch crit (see sample 2031)",
    2029: "40 criteria, drawn after the fixes sample 2028 prompted (commit 2655011); its first judgement is the "
          "held-out figure, made before any change it prompted. Its wrong and unsafe readings then prompted general "
          "fixes (unmarked denials, contradicted section flags, thresholds in brackets, qualifiers opening a list, "
          "test results of what lasts, pregnancies of the past: branch criteria)",
    2030: "40 criteria, drawn after the fixes sample 2029 prompted (commit 7b2d8cf); its first judgement is the "
          "held-out figure, made before any change it prompted. Its unsafe and wrong readings then prompted general "
          "fixes (a washout in the line's next sentence, a cohort's 'arms ... only', an 'X-based' setting, a value of "
          "the past, an item of a list of ways in: branch criteria); an exclusion whose qualifier only narrows its "
          "concept is now the concept and the study team's confirmation (a 'no' settles it); its hand-offs, with those "
          "of 2027 and 2028, the fixes of branch crit (see sample 2031)",
    2031: "50 criteria, drawn after the fixes that the hand-offs of samples 2027, 2028 and 2030 prompted (branch crit, "
          "commit 9d98f72: a qualified inclusion, a dose or a stage, 'confirmed or suspected', a value given as the "
          "investigator's example, a washout bound to its own time frame, a positive test for an illness, 'in past "
          "30 days'); its first judgement is the held-out figure, made before any change it could prompt. Its two "
          "wrong readings then prompted general fixes (an item of a list that counts its items, a footnote line, a "
          "bare list of risk factors: branch crit2, commit 698afac)",
    2032: "40 criteria, drawn after the fixes sample 2031 prompted (branch crit2, commit 698afac); its first "
          "judgement is the held-out figure, made before any change it could prompt. Its wrong and unsafe readings then "
          "prompted general fixes (an ability is not a diagnosis, an item of a definition, a list heading's exception, "
          "what narrows a list, an act done 'for' a concept: branch crit3)",
    2033: "40 criteria, drawn after the fixes sample 2032 prompted (branch crit3); its first judgement is the held-out "
          "figure, made before any change it could prompt. Its wrong and unsafe readings then prompted general fixes, "
          "with those of 2034 (branch crit4)",
    2034: "40 criteria, drawn on main after branch crit3 was merged (commit 61979aa), with 2033's failures unfixed; its "
          "first judgement is the held-out figure, made before any change it could prompt. Its wrong, unsafe and "
          "garbled readings then prompted general fixes (plans, consent as a time, operations had once, suspicions, "
          "entities annotated in pieces, partners joined by 'and', hours, judgements: branch crit4)",
    2035: "40 criteria, drawn on main after branch crit4's fixes were merged (commit 1055ce2); its first judgement is "
          "the held-out figure, made before any change it could prompt. Its wrong and unsafe readings then prompted "
          "general fixes, with those of 2036 (branch crit6)",
    2036: "40 criteria, drawn on main after the fifth session's merges (commit 99f4500), with 2035's failures unfixed; "
          "its first judgement is the held-out figure, made before any change it could prompt",
    2037: "40 criteria, drawn on main after the sixth session's merges (commit bd9fac6); its first judgement is the "
          "held-out figure, made before any change it could prompt. Its wrong readings then prompted general fixes "
          "(a dose said in words, a history the corpus gives a row of now, a series of results, how an inclusion's "
          "concept was confirmed, an own fact named by the act of giving: branch crit7)",
}

# what a judged reading counts as
CATEGORIES = {
    ("rule", "right"): "computable and right", ("rule", "wrong"): "computable and wrong",
    ("rule", "unsafe"): "unsafe", ("question", "clean"): "clean question",
    ("question", "garbled"): "garbled question", ("question", "unsafe"): "unsafe",
    ("study team", "study_team"): "handed to the study team",
}
ORDER = ["computable and right", "computable and wrong", "unsafe", "clean question", "garbled question",
         "handed to the study team", "not judged yet"]


@dataclass(frozen=True)
class Imported:
    item: str  # "<trial>@<corpus line>" or "<trial>#<position>"
    trial: str
    record: Mapping[str, Any]  # the criterion record, as in data/trials/*.yml
    entity: str = ""


def population(corpus: Path = CORPUS, record: Path = RECORD) -> "tuple[List[Imported], Vocabulary]":
    """Every imported criterion of the corpus and the record, by trial id and position."""
    concepts = Concepts(Vocabulary(load_vocabulary(BASE_VOCABULARY)))
    trials: Dict[str, List[Imported]] = {}
    entities = _entities(corpus / omop.CRITERIA_FILE)
    texts = corpus / omop.TEXTS_FILE
    for trial in omop.read_corpus(corpus / omop.CRITERIA_FILE, concepts, [], omop.CorpusStats(),
                                  trials_path=corpus / omop.TRIALS_FILE,
                                  texts_path=texts if texts.exists() else None):
        trial_id = trial["trial"]["id"]
        trials[trial_id] = [Imported(f"{trial_id}@{c['source']['rows'][0]}", trial_id, c,
                                     entities.get(c["source"]["rows"][0], ""))
                            for c in trial["criteria"] if "rows" in c.get("source", {})]
    study = json.loads(record.read_text(encoding="utf-8"))
    trial = ctgov.trial_record(study, Recogniser(concepts))
    trial_id = trial["trial"]["id"]
    trials[trial_id] = [Imported(f"{trial_id}#{c['source']['segment']}", trial_id, c)
                        for c in trial["criteria"] if "segment" in c.get("source", {})]
    ordered = [c for trial_id in sorted(trials) for c in trials[trial_id]]
    return ordered, concepts.vocabulary


def _entities(path: Path) -> Dict[int, str]:
    columns, rows = omop.read_csv(path)
    return {line: " ".join((row.get("entity_source_text") or "").split()) for line, row in rows}


def by_row(imported: Sequence[Imported]) -> Dict[str, Imported]:
    """Each corpus line (and text position) -> the criterion that holds it now."""
    found: Dict[str, Imported] = {}
    for c in imported:
        source = c.record["source"]
        for row in source.get("rows", []):
            found.setdefault(f"{c.trial}@{row}", c)
        if "segment" in source:
            found[f"{c.trial}#{source['segment']}"] = c
    return found


def reading(record: Mapping[str, Any], vocabulary: Vocabulary) -> str:
    """What the importer made of a criterion, as one line: the rule and the questions it asks, or
    the question, or the hand-off to the study team."""
    keys = list(dict.fromkeys(_facts(record["rule"])))
    facts = [vocabulary[k] for k in keys]
    if all(f.answered_by is AnsweredBy.STUDY_TEAM for f in facts):
        return "study team"
    asks = "; ".join(f"{f.key}: {f.question()}" for f in facts if f.answered_by is not AnsweredBy.STUDY_TEAM)
    if record.get("checked_by") == "question":
        unsure = " (a 'no' is unsure)" if record.get("unsure") else ""
        return f"question{unsure}: {describe_rule(record['rule'])} | {asks}"
    return f"rule: {describe_rule(record['rule'])} | {asks}"


def _facts(rule: Mapping[str, Any]) -> List[str]:
    if "fact" in rule:
        return [rule["fact"]]
    for combinator in ("all", "any"):
        if combinator in rule:
            return [k for part in rule[combinator] for k in _facts(part)]
    return _facts(rule["not"]) if "not" in rule else []


def kind_of(text: str) -> str:
    return text.split(":", 1)[0].split(" (", 1)[0]


def _category(reading_text: str, verdict: Optional[str]) -> str:
    if reading_text == "study team":
        return "handed to the study team"  # a hand-off is never wrong to make: it is counted as what it is
    return CATEGORIES.get((kind_of(reading_text), verdict), "not judged yet") if verdict else "not judged yet"


def score(judged: Sequence[Mapping[str, Any]], now: Mapping[str, Imported], vocabulary: Vocabulary
          ) -> "tuple[Counter, List[Dict[str, str]]]":
    """How the importer's current readings of a sample were judged, and those not judged yet."""
    counts: Counter = Counter()
    unjudged = []
    for entry in judged:
        found = now.get(entry["item"])
        current = reading(found.record, vocabulary) if found else "dropped"
        verdict = next((r["judged"] for r in entry.get("readings", []) if r["reading"] == current), None)
        category = _category(current, verdict)
        counts[category] += 1
        if category == "not judged yet":
            unjudged.append({"item": entry["item"], "text": entry["text"], "reading": current})
    return counts, unjudged


def first_judged(judged: Sequence[Mapping[str, Any]]) -> Counter:
    """How the first reading of each entry (the importer's when the sample was drawn) was judged."""
    return Counter(_category(e["readings"][0]["reading"], e["readings"][0]["judged"]) for e in judged)


def draw(seed: int, size: int, imported: Sequence[Imported], vocabulary: Vocabulary) -> List[Dict[str, Any]]:
    """A new sample's skeleton: each criterion with its current reading, to be judged by hand."""
    chosen = random.Random(seed).sample(list(imported), size)
    return [{"item": c.item, "text": c.record["text"], **({"entity": c.entity} if c.entity else {}),
             "kind": c.record["kind"], "right": None,
             "readings": [{"reading": reading(c.record, vocabulary), "judged": None}]} for c in chosen]


def table(columns: Mapping[str, Counter], total: int) -> str:
    names = list(columns)
    lines = ["| reading | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for category in ORDER:
        cells = [f"{columns[n].get(category, 0)} ({columns[n].get(category, 0) / total:.1%})" for n in names]
        lines.append(f"| {category} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


GOALS = ("Goals (issue 14): 0 unsafe, at most 2% computable and wrong, 0 garbled questions, at least half "
         "computable and right.")


def report(imported: Sequence[Imported], vocabulary: Vocabulary, show_unjudged: bool = False) -> str:
    """Every sample's figures: as first judged (the importer when it was drawn) and now."""
    now = by_row(imported)
    parts = ["# Criteria benchmark", "", "`python -m benchmarks.criteria` (see its docstring for the method). "
             f"{len(imported)} criteria imported from the COVID-19 structured-trials corpus and NCT02513394 now.",
             "", "Each sample's criteria were judged by hand against their original text; \"as first judged\" is "
             "the importer when the sample was drawn, \"now\" the importer of this run (a reading that changed is "
             "judged again by hand before it counts; a hand-off to the study team is counted as such). The fairest "
             "figure for criteria the importer was not tuned on is the first judgement of the latest sample.", "",
             GOALS]
    for seed in sorted(SAMPLES):
        path = JUDGED / f"judged-{seed}.yml"
        if not path.exists():
            continue
        judged = yaml.safe_load(path.read_text(encoding="utf-8"))
        counts, unjudged = score(judged, now, vocabulary)
        parts += ["", f"## Sample {seed} (`{path.relative_to(PROJECT_ROOT)}`)", "", SAMPLES[seed] + ".", "",
                  table({"as first judged": first_judged(judged), "now": counts}, len(judged))]
        if show_unjudged and unjudged:
            parts += ["", "Not judged yet:", "", yaml.safe_dump(unjudged, sort_keys=False, allow_unicode=True,
                                                                 width=120)]
    return "\n".join(parts) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draw", nargs=2, type=int, metavar=("SEED", "N"), help="print a new sample to judge")
    parser.add_argument("--unjudged", action="store_true", help="list the readings nobody has judged yet")
    args = parser.parse_args(argv)
    imported, vocabulary = population()
    if args.draw:
        yaml.safe_dump(draw(args.draw[0], args.draw[1], imported, vocabulary), sys.stdout, sort_keys=False,
                       allow_unicode=True, width=120)
        return 0
    text = report(imported, vocabulary, args.unjudged)
    print(text)
    if not args.unjudged:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "criteria.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
