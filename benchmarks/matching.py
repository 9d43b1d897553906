"""How few questions rule out most trials, and how long a turn of matching takes.

``python -m benchmarks.matching [--patients N] [--cap Q] [--scaled T] [--corpus DIR]``

One run imports the COVID-19 structured-trials corpus (700 real trials, OMOP-coded criteria) into a
throw-away trial store and measures, on this machine:

(a) questions needed: simulated patients (fixed seed) answer the questions of our choice (expected
    trials settled, bot.questions) and, in the same run, of the old choice (summed ``rule_out``
    weights, kept below as the baseline) until 60% and 80% of the trials are ruled out, at most
    ``--cap`` questions. DQueST (Liu et al., JAMIA 2019) reported about 50 questions to rule out
    60-80% of trials; our goal is a fifth of that.
(b) time after one answer: ``Matcher.update`` + ``results``, and the same + the next question, over
    all the answers of (a), and against the catalogue copied to ``--scaled`` trials (new ids). Also a
    whole matching turn as bot.conversation does it (copy of a person-independent matcher + every
    fact so far + next question).

Writes benchmarks/results/matching.{json,md} and prints the markdown.

The simulated population (the chooser never sees it: it believes the trials' rule_out priors):
age ~ normal(50, 17) within 18-90 years; sex 50/50; every yes/no fact has a prevalence drawn once
per run from Beta(0.5, 4.5) (mean 0.1: most conditions are rare, a few common) and each patient
has it with that prevalence; numbers from typical values where we know them (REFERENCE), else
uniform over the plausible range, else over the span of the trials' thresholds widened by half;
dates: never (80%) or 1-730 days ago; other choices uniform. A question the person can answer
is always answered; one meant for the doctor half the time, else "I don't know". A yes/no list
is answered "no" when none applies, else "yes" and then item by item, as in the conversation.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Collection, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.evaluation import Status, TrialResult, Verdict
from bot.facts import NEVER, AnsweredBy, FactDefinition, FactType, Vocabulary, effective_facts
from bot.importers import import_path
from bot.matching import Matcher
from bot.questions import TallySource, next_question
from bot.questions.analysis import Analysis
from bot.questions.answers import rule_cuts
from bot.questions.wording import Question
from bot.store import Catalogue, TrialStore
from bot.trials import Kind, Trial
from trialbot.config import PROJECT_ROOT

RESULTS = Path(__file__).resolve().parent / "results"
CORPUS = PROJECT_ROOT.parent / "shared" / "data" / "covid19-structured-trials"
TODAY = date(2026, 11, 23)  # fixed, so that runs compare
SEED = 20261123
SHARES = (0.6, 0.8)
DQUEST_QUESTIONS = 50  # DQueST: about 50 questions to rule out 60-80% of trials
GOAL_QUESTIONS = DQUEST_QUESTIONS / 5
GOAL_TURN_MS = 20.0
GOAL_SCALED_MS = 1000.0
NEVER_SHARE = 0.8
KNOWS_CLINICAL = 0.5  # how often a patient can answer a question meant for the doctor
INF = float("inf")  # never reached within the cap
# typical values (mean, sd) in the vocabulary's units, clipped to (low, high)
REFERENCE: Dict[str, Tuple[float, float, float, float]] = {
    "age": (50, 17, 18, 90),
    "platelet_count": (250, 60, 20, 600),
    "measurement:oxygen_saturation": (96, 2.5, 80, 100),
    "measurement:respiratory_rate": (16, 3, 8, 40),
    "measurement:bmi": (27, 5, 16, 50),
    "measurement:weight": (78, 16, 40, 160),
    "measurement:heart_rate": (75, 12, 40, 150),
    "measurement:hemoglobin": (13.5, 1.6, 7, 18),
    "measurement:neutrophil_count": (4.2, 1.5, 0.5, 12),
    "measurement:lymphocyte_count": (2.0, 0.7, 0.2, 5),
    "measurement:white_blood_cell_count": (7, 2, 2, 20),
    "measurement:ast:xuln": (0.7, 0.3, 0.2, 5),
    "measurement:alt:xuln": (0.7, 0.3, 0.2, 5),
    "measurement:bilirubin:xuln": (0.6, 0.3, 0.1, 4),
    "measurement:egfr": (85, 20, 10, 130),
    "measurement:creatinine_clearance": (95, 25, 10, 160),
    "measurement:systolic_blood_pressure": (128, 16, 80, 200),
    "qtc_ms": (415, 25, 340, 520),
    "measurement:4233883": (420, 60, 100, 550),
    "measurement:4233883:number": (420, 60, 100, 550),
    "measurement:crp": (5, 8, 0, 100),
}

# (results, facts, vocabulary, expanded topics) -> the next question; ``tallies=``: the matcher behind the results
Strategy = Callable[..., Optional[Question]]


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the baseline: the old choice, by summed rule_out weights (bot/questions.py before) ----------------
def rule_out_candidates(results: Sequence[TrialResult], answered: Collection[str],
                        vocabulary: Vocabulary) -> List[FactDefinition]:
    weight: Dict[str, float] = {}
    first_seen: Dict[str, Tuple[int, int, int]] = {}
    for t, result in enumerate(results):
        for position, r in enumerate(result.criteria):
            if r.status is not Status.UNKNOWN:
                continue
            for index, key in enumerate(r.criterion.rule.facts):
                if key not in r.missing or key in answered or not vocabulary[key].askable:
                    continue
                weight[key] = weight.get(key, 0.0) + r.criterion.rule_out
                first_seen.setdefault(key, (t, position, index))
    order = list(AnsweredBy)
    return sorted((vocabulary[k] for k in weight),
                  key=lambda d: (order.index(d.answered_by), -weight[d.key], first_seen[d.key], d.key))


def rule_out_question(results: Sequence[TrialResult], facts: Mapping[str, Any], vocabulary: Vocabulary,
                      expanded_topics: Collection[str] = (), tallies: Any = None) -> Optional[Question]:
    """The previous choice: the largest sum of the criteria's ``rule_out`` priors (no tallies needed)."""
    candidates = rule_out_candidates(results, facts.keys(), vocabulary)
    if not candidates:
        return None
    best = candidates[0]
    if best.topic and best.topic not in expanded_topics and best.type is FactType.BOOLEAN:
        bundle = [d for d in candidates
                  if d.topic == best.topic and d.answered_by is best.answered_by and d.type is FactType.BOOLEAN]
        if len(bundle) > 1:
            return Question(tuple(bundle))
    return Question((best,))


STRATEGIES: Dict[str, Strategy] = {"ours": next_question, "old": rule_out_question}


class Hindsight:
    """A reference no bot can reach: the single fact whose answer, known in advance for this
    patient, rules out the most open trials right now (greedy, one fact per question). Where even
    this needs many questions, the catalogue and the patients, not the choice, set the pace."""

    def __init__(self, analysis: Analysis, patient: "Patient") -> None:
        self.analysis, self.patient = analysis, patient

    def __call__(self, results: Sequence[TrialResult], facts: Mapping[str, Any], vocabulary: Vocabulary,
                 expanded_topics: Collection[str] = (), tallies: Optional[TallySource] = None) -> Optional[Question]:
        known = effective_facts(facts, vocabulary)
        ruled_out: Dict[str, set] = {}
        answered: Dict[str, Optional[Dict[str, Any]]] = {}  # fact -> the facts with its answer and what it implies
        for result in results:
            for r in result.criteria:
                if r.status is not Status.UNKNOWN:
                    continue
                for key in r.missing:
                    definition = vocabulary[key]
                    if key in facts or not definition.askable:
                        continue
                    if key not in answered:
                        value = self.patient.value(definition) if self.patient.knows(definition) else None
                        answered[key] = ({**known, **self.analysis._implied(known, key, value)}
                                         if value is not None else None)
                    given = answered[key]
                    holds = r.criterion.rule.evaluate(given, TODAY) if given is not None else None
                    if holds is not None and holds is not (r.criterion.kind is Kind.INCLUSION):
                        ruled_out.setdefault(key, set()).add(result.trial.id)
        if not ruled_out:  # nothing rules out any more: ask what the ordinary choice would
            return next_question(results, facts, vocabulary, expanded_topics, tallies=tallies)
        best = max(sorted(ruled_out), key=lambda key: len(ruled_out[key]))
        return Question((vocabulary[best],))


# -- simulated patients --------------------------------------------------------------------
class Population:
    def __init__(self, trials: Sequence[Trial], vocabulary: Vocabulary, seed: int) -> None:
        self.vocabulary, self.seed = vocabulary, seed
        self.cuts: Dict[str, List[float]] = {}
        for trial in trials:
            for criterion in trial.criteria:
                for key, cut in rule_cuts(criterion.rule):
                    self.cuts.setdefault(key, []).append(cut)
        self._prevalence: Dict[str, float] = {}

    def prevalence(self, key: str) -> float:
        if key not in self._prevalence:
            self._prevalence[key] = random.Random(f"{self.seed}:prevalence:{key}").betavariate(0.5, 4.5)
        return self._prevalence[key]

    def draw(self, patient: int, definition: FactDefinition) -> Any:
        rng = random.Random(f"{self.seed}:{patient}:{definition.key}")  # the same answer whoever asks, whenever
        if definition.key == "sex":
            return rng.choice(["female", "male"])
        if definition.type is FactType.BOOLEAN:
            return rng.random() < self.prevalence(definition.key)
        if definition.type is FactType.CHOICE:
            return rng.choice(list(definition.choices)) if definition.choices else None
        if definition.type is FactType.DATE:
            return NEVER if rng.random() < NEVER_SHARE else (TODAY - timedelta(days=rng.randint(1, 730))).isoformat()
        if definition.key in REFERENCE:
            mean, sd, low, high = REFERENCE[definition.key]
            return round(min(high, max(low, rng.gauss(mean, sd))), 1)
        if definition.plausible:
            return round(rng.uniform(*definition.plausible), 1)
        cuts = self.cuts.get(definition.key) or [0.0, 1.0]
        low, high = min(cuts), max(cuts)
        widen = max(high - low, abs(high), 1.0) / 2
        return round(rng.uniform(low - widen if low - widen >= 0 or low < 0 else 0, high + widen), 2)


class Patient:
    def __init__(self, population: Population, number: int) -> None:
        self.population, self.number = population, number
        self.values: Dict[str, Any] = {}

    def value(self, definition: FactDefinition) -> Any:
        if definition.key not in self.values:
            vocabulary = self.population.vocabulary
            implied = [i.value for i in definition.implied_by
                       if i.fact in vocabulary and self.value(vocabulary[i.fact]) == i.equals]
            self.values[definition.key] = implied[0] if implied else self.population.draw(self.number, definition)
        return self.values[definition.key]

    def everything(self, keys: Collection[str]) -> Dict[str, Any]:
        """Every fact, as the doctors would know it."""
        return {key: self.value(self.population.vocabulary[key]) for key in keys}

    def knows(self, definition: FactDefinition) -> bool:
        """A doctor's question (a test result, a judgement) is answered only half the time."""
        if definition.answered_by is AnsweredBy.PATIENT:
            return True
        return random.Random(f"{self.population.seed}:{self.number}:knows:{definition.key}").random() < KNOWS_CLINICAL

    def answer(self, question: Question, facts: Dict[str, Any], expanded: List[str]) -> None:
        """As the conversation reads a reply: a yes/no list is "no" to all, or "yes" and then one by one;
        "I don't know" leaves the facts asked unknown."""
        if not all(self.knows(d) for d in question.facts):
            facts.update({d.key: None for d in question.facts})
        elif question.is_bundle:
            if any(self.value(d) for d in question.facts):
                expanded.append(question.facts[0].topic or "")
            else:
                facts.update({d.key: False for d in question.facts})
        else:
            facts[question.facts[0].key] = self.value(question.facts[0])


# -- the measurements --------------------------------------------------------------------------
def percentile(values: Sequence[float], share: float) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def summary_ms(samples: Sequence[float]) -> Dict[str, Any]:
    return {"median": statistics.median(samples) if samples else None, "p95": percentile(samples, 0.95),
            "max": max(samples) if samples else None, "answers": len(samples)}


def converse(template: Matcher, strategy: Strategy, patient: Patient, vocabulary: Vocabulary, cap: int,
             shares: Sequence[float] = SHARES) -> Dict[str, Any]:
    """One simulated conversation: questions until the largest share is ruled out, or the cap."""
    matcher = template.copy(remember=False)
    facts: Dict[str, Any] = {}
    expanded: List[str] = []
    total = len(matcher.trials)
    reached: Dict[float, Optional[int]] = {share: None for share in shares}
    updates, questions, turns, out_after, asked_keys = [], [], [], [], []
    results = matcher.results()
    asked = 0
    last_update: Optional[float] = None
    while True:
        ruled_out = sum(1 for r in results if r.status is Verdict.NOT_ELIGIBLE)
        out_after.append(ruled_out / total)
        for share in shares:
            if reached[share] is None and ruled_out >= share * total:
                reached[share] = asked
        if all(v is not None for v in reached.values()) or asked >= cap:
            break
        started = time.perf_counter()
        still_open = [r for r in results if r.status is not Verdict.NOT_ELIGIBLE]
        question = strategy(still_open, facts, vocabulary, expanded, tallies=matcher)
        question_ms = (time.perf_counter() - started) * 1000
        questions.append(question_ms)
        if last_update is not None:
            turns.append(last_update + question_ms)
        if question is None:
            break
        patient.answer(question, facts, expanded)
        asked_keys.append(question.facts[0].key)
        asked += 1
        started = time.perf_counter()
        matcher.update(facts)
        results = matcher.results()
        last_update = (time.perf_counter() - started) * 1000
        updates.append(last_update)
    return {"reached": reached, "asked": asked, "updates_ms": updates, "questions_ms": questions, "turns_ms": turns,
            "ruled_out_after": out_after, "facts": facts, "asked_keys": asked_keys}


def awaiting_the_study_team(trials: Sequence[Trial]) -> set:
    """The facts that only criteria awaiting the study team read (an inclusion asked from its text,
    whose "no" is unsure): asking them can settle little."""
    confirmed_only: Dict[str, bool] = {}
    for trial in trials:
        for criterion in trial.criteria:
            for key in criterion.rule.facts:
                confirmed_only[key] = confirmed_only.get(key, True) and criterion.to_be_confirmed
    return {key for key, only in confirmed_only.items() if only}


def question_figures(runs: List[Dict[str, Any]], cap: int, awaiting: Collection[str] = ()) -> Dict[str, Any]:
    figures: Dict[str, Any] = {}
    for share in SHARES:
        counts = [run["reached"][share] for run in runs]
        reached = [c for c in counts if c is not None]
        ranked = sorted(c if c is not None else float("inf") for c in counts)
        figures[f"{share:.0%}"] = {
            "median": statistics.median(ranked), "p90": percentile(ranked, 0.9),
            "never": len(counts) - len(reached), "mean_of_reached": statistics.fmean(reached) if reached else None}
    at10 = [run["ruled_out_after"][min(10, len(run["ruled_out_after"]) - 1)] for run in runs]
    final = [run["ruled_out_after"][-1] for run in runs]
    figures["ruled_out_after_10"] = statistics.median(at10)
    figures["ruled_out_at_end"] = statistics.median(final)
    figures["questions_asked_median"] = statistics.median(run["asked"] for run in runs)
    figures["hand_offs_in_first_10"] = sum(1 for run in runs for key in run["asked_keys"][:10] if key in awaiting)
    return figures


def conversation_turns(template: Matcher, runs: List[Dict[str, Any]], vocabulary: Vocabulary,
                       patients: int) -> Dict[str, Dict[str, Any]]:
    """A matching turn as Screening._match and _advance_matching do it: a copy of the
    person-independent matcher, every fact so far, the next question."""
    found: Dict[str, Dict[str, Any]] = {}
    for label, remember in (("recent_states", True), ("all_facts_again", False)):
        samples = []
        for run in runs[:patients]:
            facts = run["facts"]
            keys = list(facts)
            for n in range(1, len(keys) + 1):
                so_far = {k: facts[k] for k in keys[:n]}
                started = time.perf_counter()
                matcher = template.copy(remember=remember)
                matcher.update(so_far)
                results = matcher.results()
                next_question([r for r in results if r.status is not Verdict.NOT_ELIGIBLE], so_far, vocabulary, (),
                              tallies=matcher)
                samples.append((time.perf_counter() - started) * 1000)
        found[label] = summary_ms(samples)
    return found


def scaled_catalogue(trials: Sequence[Trial], size: int) -> List[Trial]:
    """The trials copied (same criteria, new ids) up to ``size``."""
    return [dataclasses.replace(trials[i % len(trials)], id=f"{trials[i % len(trials)].id}-x{i // len(trials)}")
            for i in range(size)]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(args: argparse.Namespace, tmp: Path) -> Dict[str, Any]:
    began = time.monotonic()
    store = TrialStore(f"sqlite:///{tmp / 'trials.db'}")
    store.load_directory(PROJECT_ROOT / "data")
    progress(f"importing {args.corpus}")
    report = import_path(args.corpus, store, publish=True)
    if not report.imported:
        raise SystemExit(f"nothing imported from {args.corpus}:\n{report.summary()}")
    catalogue = Catalogue(store).refresh()
    vocabulary = catalogue.vocabulary
    trials = [catalogue.trials[t] for t in catalogue.ids()]
    criteria = sum(len(t.criteria) for t in trials)
    started = time.perf_counter()
    template = Matcher(trials, vocabulary, TODAY)
    build_s = time.perf_counter() - started
    population = Population(trials, vocabulary, args.seed)

    runs: Dict[str, List[Dict[str, Any]]] = {}
    for name, strategy in STRATEGIES.items():
        progress(f"{args.patients} simulated patients, {name} question choice")
        runs[name] = [converse(template, strategy, Patient(population, n), vocabulary, args.cap)
                      for n in range(args.patients)]
    progress(f"{args.patients} simulated patients, hindsight (each patient's answers known in advance)")
    runs["hindsight"] = []
    for n in range(args.patients):
        patient = Patient(population, n)
        runs["hindsight"].append(converse(template, Hindsight(template.analysis, patient), patient, vocabulary,
                                          args.cap))
    awaiting = awaiting_the_study_team(trials)
    questions = {name: question_figures(found, args.cap, awaiting) for name, found in runs.items()}

    progress("what every fact would rule out (each patient's ceiling)")
    read = sorted({key for t in trials for c in t.criteria for key in c.rule.facts})
    ceilings = []
    for n in range(args.patients):
        matcher = template.copy(remember=False)
        matcher.update(Patient(population, n).everything(read))
        ceilings.append(sum(1 for v in matcher.verdicts().values() if v is Verdict.NOT_ELIGIBLE) / len(trials))
    ceiling = {"median": statistics.median(ceilings), "p10": percentile(ceilings, 0.1),
               "below_80": sum(1 for c in ceilings if c < 0.8), "below_60": sum(1 for c in ceilings if c < 0.6)}

    ours = runs["ours"]
    timing = {
        "update_results": summary_ms([ms for r in ours for ms in r["updates_ms"]]),
        "update_next_question": summary_ms([ms for r in ours for ms in r["turns_ms"]]),
        "next_question_only": summary_ms([ms for r in ours for ms in r["questions_ms"]]),
        "old_next_question_only": summary_ms([ms for r in runs["old"] for ms in r["questions_ms"]]),
    }
    progress("conversation turns (template copy + all facts + next question)")
    turns = conversation_turns(template, ours, vocabulary, min(5, args.patients))
    rss_small = rss_mb()

    scaled: Dict[str, Any] = {"trials": args.scaled, "patients": args.scaled_patients, "cap": args.scaled_cap}
    if args.scaled:
        progress(f"copying the catalogue to {args.scaled:,} trials")
        big_trials = scaled_catalogue(trials, args.scaled)
        started = time.perf_counter()
        big = Matcher(big_trials, vocabulary, TODAY)
        scaled["build_s"] = time.perf_counter() - started
        del big_trials
        progress(f"{args.scaled_patients} simulated patients against {args.scaled:,} trials")
        big_runs = [converse(big, next_question, Patient(population, n), vocabulary, args.scaled_cap)
                    for n in range(args.scaled_patients)]
        scaled["update_results"] = summary_ms([ms for r in big_runs for ms in r["updates_ms"]])
        scaled["update_next_question"] = summary_ms([ms for r in big_runs for ms in r["turns_ms"]])
        scaled["next_question_only"] = summary_ms([ms for r in big_runs for ms in r["questions_ms"]])
        scaled["questions"] = question_figures(big_runs, args.scaled_cap)
        del big
    ratio = {share: (questions["ours"][share]["median"] / questions["old"][share]["median"]
                     if questions["old"][share]["median"] not in (0, INF) and questions["ours"][share]["median"] != INF
                     else None)
             for share in ("60%", "80%")}
    met_questions = questions["ours"]["60%"]["median"] <= GOAL_QUESTIONS
    results = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"Python {platform.python_version()}, {len(os.sched_getaffinity(0))} CPU(s), {platform.machine()}",
        "load_average": os.getloadavg()[0],
        "corpus": str(args.corpus), "trials": len(trials), "criteria": criteria, "facts": len(vocabulary),
        "patients": args.patients, "seed": args.seed, "cap": args.cap, "build_s": build_s,
        "questions": questions, "ratio_ours_old": ratio, "ceiling": ceiling,
        "dquest_questions": DQUEST_QUESTIONS, "goal_questions": GOAL_QUESTIONS,
        "timing_ms": timing, "conversation_turn_ms": turns, "scaled": scaled,
        "goals": {"questions_60": met_questions,
                  "turn_ms": (timing["update_next_question"]["p95"] or 0) < GOAL_TURN_MS,
                  "scaled_ms": (scaled.get("update_next_question", {}).get("median") or 0) < GOAL_SCALED_MS},
        "peak_rss_mb": {"catalogue": rss_small, "with_scaled": rss_mb()},
    }
    results["wall_s"] = time.monotonic() - began
    return results


def _q(value: Optional[float]) -> str:
    if value is None:
        return "–"
    return "never" if value == float("inf") else f"{value:g}"


def _ms(value: Optional[float]) -> str:
    return "–" if value is None else (f"{value:.1f}" if value < 100 else f"{value:,.0f}")


def markdown(results: Dict[str, Any]) -> str:
    q, t, s = results["questions"], results["timing_ms"], results["scaled"]
    cap = results["cap"]
    lines = [
        f"## Matching: questions to rule out trials, and time per answer, {results['when']}",
        "",
        f"COVID-19 structured trials: {results['trials']} trials, {results['criteria']:,} criteria, "
        f"{results['facts']:,} facts; {results['patients']} simulated patients (seed {results['seed']}), "
        f"at most {cap} questions each; {results['machine']}, load {results['load_average']:.1f}; "
        f"run took {results['wall_s']:.0f} s.",
        "",
        "| questions to rule out | ours: expected trials settled | old: summed rule_out | ours / old "
        "| DQueST (published) | ours / DQueST | hindsight: answers known in advance |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for share in ("60%", "80%"):
        ours, old, known = q["ours"][share], q["old"][share], q["hindsight"][share]
        ratio = results["ratio_ours_old"][share]
        dquest = ours["median"] / results["dquest_questions"] if ours["median"] != float("inf") else None
        lines += [
            f"| {share} of trials, median | {_q(ours['median'])} | {_q(old['median'])} | "
            f"{'–' if ratio is None else f'{ratio:.2f}x'} | ~{results['dquest_questions']} (60-80%) | "
            f"{'–' if dquest is None else f'{dquest:.2f}x'} | {_q(known['median'])} |",
            f"| {share} of trials, p90 | {_q(ours['p90'])} | {_q(old['p90'])} | | | | {_q(known['p90'])} |",
            f"| {share}: patients never there in {cap} | {ours['never']} | {old['never']} | | | | {known['never']} |",
        ]
    lines += [
        f"| share ruled out after 10 questions, median | {q['ours']['ruled_out_after_10']:.0%} | "
        f"{q['old']['ruled_out_after_10']:.0%} | | | | {q['hindsight']['ruled_out_after_10']:.0%} |",
        f"| share ruled out at the end, median | {q['ours']['ruled_out_at_end']:.0%} | "
        f"{q['old']['ruled_out_at_end']:.0%} | | | | {q['hindsight']['ruled_out_at_end']:.0%} |",
        f"| of the first 10 questions of all patients, those whose fact only criteria awaiting the study team "
        f"read | {q['ours']['hand_offs_in_first_10']} | {q['old']['hand_offs_in_first_10']} | | | | "
        f"{q['hindsight']['hand_offs_in_first_10']} |",
        "",
        f"Each simulated patient's ceiling, the share ruled out if all {results['facts']:,} facts were known "
        f"(the doctor's too; with a prevalence of 10% on average, everyone has some exclusion): median "
        f"{results['ceiling']['median']:.0%}, p10 {results['ceiling']['p10']:.0%}; below 80% for "
        f"{results['ceiling']['below_80']} of {results['patients']} patients, below 60% for "
        f"{results['ceiling']['below_60']}.",
        "",
        f"| time after one answer (ms) | {results['trials']} trials: median | p95 | "
        f"{s['trials']:,} trials: median | p95 |",
        "|---|---:|---:|---:|---:|",
        f"| Matcher.update + results | {_ms(t['update_results']['median'])} | {_ms(t['update_results']['p95'])} | "
        f"{_ms(s.get('update_results', {}).get('median'))} | {_ms(s.get('update_results', {}).get('p95'))} |",
        f"| update + next question | {_ms(t['update_next_question']['median'])} | "
        f"{_ms(t['update_next_question']['p95'])} | {_ms(s.get('update_next_question', {}).get('median'))} | "
        f"{_ms(s.get('update_next_question', {}).get('p95'))} |",
        f"| next question alone (ours) | {_ms(t['next_question_only']['median'])} | "
        f"{_ms(t['next_question_only']['p95'])} | {_ms(s.get('next_question_only', {}).get('median'))} | "
        f"{_ms(s.get('next_question_only', {}).get('p95'))} |",
        f"| next question alone (old) | {_ms(t['old_next_question_only']['median'])} | "
        f"{_ms(t['old_next_question_only']['p95'])} | | |",
        f"| conversation turn: template copy + all facts + next question | "
        f"{_ms(results['conversation_turn_ms']['recent_states']['median'])} | "
        f"{_ms(results['conversation_turn_ms']['recent_states']['p95'])} | | |",
        f"| the same, every fact re-applied (no recent states) | "
        f"{_ms(results['conversation_turn_ms']['all_facts_again']['median'])} | "
        f"{_ms(results['conversation_turn_ms']['all_facts_again']['p95'])} | | |",
        "",
    ]
    goals = results["goals"]
    scaled_p95 = s.get("update_next_question", {}).get("p95")
    lines += [
        f"Goals: 60% ruled out in at most {results['goal_questions']:g} questions (a fifth of DQueST's), median: "
        f"**{'met' if goals['questions_60'] else 'NOT met'}** ({_q(q['ours']['60%']['median'])}); "
        f"update + next question under "
        f"{GOAL_TURN_MS:g} ms (p95) at {results['trials']} trials: **{'met' if goals['turn_ms'] else 'NOT met'}**; "
        f"under {GOAL_SCALED_MS:,.0f} ms at {s['trials']:,} trials: median "
        f"**{'met' if goals['scaled_ms'] else 'NOT met'}**, p95 "
        f"**{'met' if scaled_p95 is not None and scaled_p95 < GOAL_SCALED_MS else 'NOT met'}**.",
        "",
        f"- Matcher built in {results['build_s']:.1f} s ({results['trials']} trials)"
        + (f" and {s['build_s']:.1f} s ({s['trials']:,} trials, copies of the catalogue with new ids)"
           if "build_s" in s else "")
        + f"; peak RSS {results['peak_rss_mb']['catalogue']:.0f} MB, {results['peak_rss_mb']['with_scaled']:.0f} MB "
          "with the scaled catalogue.",
        "- Ours: the fact whose answer is expected to settle (rule out or in) the most open trials, answers "
        "distributed as the criteria's rule_out priors say; a question for the doctor counts a quarter. Old: the "
        "fact with the largest sum of rule_out over the undecided criteria that read it (the previous "
        "bot/questions.py). Both see the same patients and the same catalogue. Hindsight: no bot can do "
        "this; it knows each patient's answers in advance and asks, one fact at a time, the one that rules "
        "out the most open trials (benchmarks.matching.Hindsight): a reference for what the catalogue allows.",
        "- Simulated patients: see benchmarks/matching.py (age 18-90, sex 50/50, each yes/no fact with a "
        "prevalence from Beta(0.5, 4.5), numbers from typical values, dates mostly never); the person's "
        "questions are all answered, the doctor's half the time (else \"I don't know\"). A question is one "
        "message: a yes/no list counts once, and its follow-ups count each.",
        f"- Times: each answer of the {results['patients']} conversations of ours; 'next question' includes "
        "picking the open trials out of the results; a turn is an update and the question chosen after it. "
        f"Scaled: {s.get('patients', 0)} simulated patients, at most {s.get('cap', 0)} questions each"
        + (f" ({s['questions']['ruled_out_after_10']:.0%} ruled out after 10 questions, median)"
           if "questions" in s else "")
        + ". The copies share their criteria, hence their classes (criteria of the same rule, judged once "
          "per answer for every trial that has them): an answer judges as many classes as at 737 trials, and "
          "what grows with the copies is the work on the arrays of trials and of (criterion, fact) pairs. A "
          "catalogue of as many distinct trials would have more classes to judge. The slowest answers are "
          "the first ones (age, COVID-19), which touch most trials.",
        "- DQueST: Liu C. et al., DQueST: dynamic questionnaire for search of clinical trials, JAMIA 2019 "
        "(about 50 questions to filter out 60-80% of trials).",
    ]
    return "\n".join(lines) + "\n"


def _finite(value: Any) -> Any:
    """JSON without Infinity: "never" for a share not reached within the cap."""
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return "never" if value == INF else value


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.matching", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"default: {CORPUS}")
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--cap", type=int, default=60, help="questions per patient at most (default: 60)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--scaled", type=int, default=100_000, help="trials of the scaled catalogue (0: none)")
    parser.add_argument("--scaled-patients", type=int, default=4)
    parser.add_argument("--scaled-cap", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="trialbot-matching-") as tmp:
        results = run(args, Path(tmp))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "matching.json").write_text(json.dumps(_finite(results), indent=1) + "\n")
    table = markdown(results)
    (RESULTS / "matching.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
