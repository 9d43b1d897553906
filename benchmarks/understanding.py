"""The understanding benchmark: every case of benchmarks/corpora/understanding through the real reader.

    python -m benchmarks.understanding [--language en|zh-CN] [--no-model] [--part dev|test] [--show N] [--model PATH]

Each case is one message answering one open question (or none). It goes through the trained Rasa NLU
model (loaded in process, as the Rasa server loads it) and the engine's own step, exactly as a turn
of a conversation would, and is scored against what a careful human reader takes from it
(benchmarks/corpora/understanding/README.md): read right, confirmed back, misread, misread-unsafe.
A misread is unsafe when what was recorded makes a criterion of NCT05236582 met that the expected
reading leaves not met or unknown, for the person as the case knows them or for one who otherwise
fits the trial (so that a wrong chemotherapy date counts even where the radiotherapy date, which
the same criterion reads, was not given). ``--no-model`` reads without the NLU model (intent unknown): the
engine's words alone, as the unit tests do.

Each language has its own corpus: English (the default) in benchmarks/corpora/understanding/{dev,test},
Simplified Chinese (``--language zh-CN``) in benchmarks/corpora/understanding/zh-CN/{dev,test}.

Results go to benchmarks/results/understanding[-zh-CN][-no-model].{json,md}; ``--show N`` prints N
failing dev cases (the held-out test part's failures are counted, never listed: see the corpus README).
The results also break each part down by what was asked (a fact, "a list", "consent", "nothing" or
"staff notes"), as counts only, so that where misreadings gather shows without opening a case.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

import yaml

from bot.conversation import Screening, State, Turn
from bot.evaluation import Status, evaluate
from bot.facts import NEVER, FactType, date_range, is_date_range
from bot.staff import StaffScreening
from bot.store import Catalogue, TrialStore

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "benchmarks" / "corpora" / "understanding"
RESULTS = PROJECT / "benchmarks" / "results"
TODAY = date(2026, 12, 1)
TRIAL = "NCT05236582"
PARTS = ("dev", "test")
LANGUAGES = ("en", "zh-CN")
ENGLISH = "en"
# The acts a case may expect (the corpus README lists what each means)
ACTS = ("answer", "why", "ask_drug", "ask_location", "ask_contact", "ask_human", "start_over", "delete_answers",
        "withdraw_consent", "show_facts", "show_verdict", "greet", "thanks", "goodbye", "bot_challenge", "unreadable")
RIGHT, CONFIRMED, MISREAD, UNSAFE = "read right", "confirmed back", "misread", "misread-unsafe"
OUTCOMES = (RIGHT, CONFIRMED, MISREAD, UNSAFE)
# Acts that do the same for the person: both erase what was collected
SAME_ACT = {"withdraw_consent": "delete_answers"}


@dataclass
class Case:
    part: str
    language: str
    source: str
    text: str
    question: Any
    mode: str
    known: Dict[str, Any]
    act: str
    facts: Dict[str, Any]
    check: List[str]
    unknown: List[str]


@dataclass
class Observed:
    act: str
    facts: Dict[str, Any] = field(default_factory=dict)  # recorded, changed or new
    asked_back: List[str] = field(default_factory=list)  # facts offered back or asked again
    consent: Optional[bool] = None


def corpus_part(part: str, language: str = ENGLISH) -> Path:
    """The folder of one part of one language's corpus: English at the corpus's top, others beside it."""
    return CORPUS / part if language == ENGLISH else CORPUS / language / part


def load_cases(parts: Tuple[str, ...] = PARTS, language: str = ENGLISH) -> Iterator[Case]:
    for part in parts:
        for path in sorted(corpus_part(part, language).glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            written_in = data.get("language", ENGLISH)
            if written_in != language:  # a file put in the wrong language's folder would be scored as the other
                raise ValueError(f"{path}: its language is {written_in!r}, not {language!r}")
            for case in data.get("cases") or []:
                expect = case.get("expect") or {}
                yield Case(part, written_in, path.name, str(case["text"]), case.get("question", data.get("question")),
                           case.get("mode", data.get("mode", "patient")),
                           dict(case.get("known", data.get("known")) or {}), expect.get("act", "answer"),
                           dict(expect.get("facts") or {}), list(expect.get("check") or []),
                           list(expect.get("unknown") or []))


# -- the reader under test -------------------------------------------------------------------
class NLU:
    """The trained model's intent for a message, as the Rasa server parses it."""

    def __init__(self, model: Optional[str]) -> None:
        self.agent = None
        if model:
            from rasa.core.agent import Agent  # only with a model: Rasa takes seconds to import

            self.agent = Agent.load(model)
            self.loop = asyncio.new_event_loop()

    def intent(self, text: str) -> Tuple[Optional[str], Optional[float]]:
        if self.agent is None:
            return (text[1:], None) if text.startswith("/") else (None, None)
        parsed = self.loop.run_until_complete(self.agent.parse_message(text))
        intent = parsed.get("intent") or {}
        return intent.get("name"), intent.get("confidence")


def _state(case: Case, engine: Screening) -> State:
    if case.question == "consent":
        return _in_language(State(offer="consent"), case.language)
    keys = case.question if isinstance(case.question, list) else [case.question] if case.question else None
    keys = [k for k in keys or () if k in engine.vocabulary] or None
    return _in_language(State(consent=True, facts=dict(case.known), pending=keys), case.language)


def _in_language(state: State, language: str) -> State:
    """The conversation held in the case's language, where the engine keeps one (State.language, None =
    English). Chinese text is read whatever the conversation's language, so without it the case still
    measures the reading."""
    if language != ENGLISH and "language" in State.slot_names():
        state.language = language
    return state


def observe(case: Case, engine: Screening, staff: StaffScreening, nlu: NLU) -> Observed:
    intent, confidence = nlu.intent(case.text)
    turn = Turn(case.text, intent, confidence)
    if case.mode == "staff":
        state = State(consent=True, facts=dict(case.known))
        outcome = staff.handle(state, turn)
        found = staff._extract(case.text)  # noqa: SLF001 - what staff mode was told it cannot record
        asked = [*found.bounds, *found.several, *found.ambiguous_dates, *(p.fact for p in found.problems)]
        return Observed("answer", _changed(case.known, outcome.state.facts), asked)
    state = _state(case, engine)
    understood = engine.understand(state, turn)
    act = understood.also or understood.act
    outcome = engine.respond(state, turn)
    asked: List[str] = list(outcome.state.confirm or {})
    if outcome.state.pending and (state.pending is None or set(outcome.state.pending) & set(state.pending or ())
                                  or any(r.custom and r.custom.get("not_understood") for r in outcome.replies)):
        asked += [k for k in outcome.state.pending if state.pending and k in state.pending or k not in outcome.state.facts]
    if any(r.custom and r.custom.get("choices") and r.custom.get("asks") for r in outcome.replies):
        asked += [k for r in outcome.replies if r.custom and r.custom.get("choices") for k in r.custom["asks"]]
    consent = outcome.state.consent if case.question == "consent" else None
    return Observed(act, _changed(case.known, outcome.state.facts), asked, consent)


def _changed(known: Mapping[str, Any], facts: Mapping[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in facts.items() if k not in known or known[k] != v}


# -- scoring ---------------------------------------------------------------------------------------
def same_value(expected: Any, got: Any, kind: Optional[FactType]) -> bool:
    if expected is None or got is None:
        return expected is got
    if kind is FactType.DATE:
        return _same_date(expected, got)
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(expected - got) <= max(0.5, abs(expected) * 0.01)
    return str(expected) == str(got)


def _same_date(expected: Any, got: Any) -> bool:
    if expected == NEVER or got == NEVER:
        return expected == got
    if isinstance(expected, dict) and "days_ago" in expected:
        if is_date_range(got):
            return False
        day = date.fromisoformat(str(got))
        wanted = TODAY - timedelta(days=int(expected["days_ago"]))
        return abs((day - wanted).days) <= max(2, int(expected["days_ago"]) * 0.1)
    try:
        first, last = date_range(str(expected))
        got_first, got_last = date_range(str(got))
    except ValueError:
        return False
    return abs((first - got_first).days) <= 1 and abs((last - got_last).days) <= 1


# A person who meets every criterion of NCT05236582 they (or their doctor) can answer
OTHERWISE_FITS: Mapping[str, Any] = {
    "age": 62, "sex": "female", "cancer_type": "solid_tumour", "chemo_induced_thrombocytopenia": True,
    "platelet_boosters_failed": True, "last_chemotherapy": "2026-10-12", "last_radiotherapy": "never",
    "platelet_count": 22, "bleeding_tendency": True, "survival_six_months": True, "willing_to_consent": True,
    "liver_kidney_ok": True, "uses_contraception": True, "childbearing_potential": False,
    "uncontrolled_organ_disease": False, "infection_serology_positive": False, "ebv_cmv_dna_positive": False,
    "severe_bleeding": False, "heart_disease_treated": False, "uncontrolled_hypertension": False,
    "thrombotic_disease": False, "transplant": False, "mental_disorder_limits_consent": False,
    "treatment_toxicity_unresolved": False, "diabetes": False, "heart_failure_severe": False,
    "heart_attack_or_angina_recent": False, "arrhythmia": False, "stomach_ulcer": False,
    "autoimmune_disease": False, "sepsis": False, "other_abnormal_bleeding": False,
    "antiplatelet_drugs": False, "breastfeeding": False, "qtc_ms": 420, "bundle_branch_block": False,
}


def unsafe(case: Case, observed: Observed, engine: Screening) -> bool:
    """Whether what was recorded makes a criterion met that the expected reading leaves not met or unknown, for
    the person as the case knows them or for one who otherwise fits (every fact the case leaves open)."""
    trial = engine.catalogue.trials[TRIAL]
    said = {**expected_values(case), **{k: None for k in case.check}}
    open_facts = {k: v for k, v in OTHERWISE_FITS.items() if k not in said and k not in observed.facts}
    for around in (dict(case.known), {**open_facts, **case.known}):
        before = evaluate(trial, {**around, **expected_values(case)}, engine.vocabulary, TODAY)
        after = evaluate(trial, {**around, **observed.facts}, engine.vocabulary, TODAY)
        was = {r.criterion.id: r.status for r in before.criteria}
        if any(r.status is Status.MET and was[r.criterion.id] is not Status.MET for r in after.criteria):
            return True
    return False


def expected_values(case: Case) -> Dict[str, Any]:
    """The expected facts as the engine holds them: "six weeks ago" ({days_ago: 42}) as its day."""
    values = {k: (TODAY - timedelta(days=int(v["days_ago"]))).isoformat() if isinstance(v, dict) and "days_ago" in v else v
              for k, v in case.facts.items() if k != "consent" and not (isinstance(v, dict) and "days_ago" not in v)}
    values.update({k: None for k in case.unknown})
    return values


def asked(case: Case) -> str:
    """What the case answers, as the per-question breakdown names it."""
    if case.mode == "staff":
        return "staff notes"
    if isinstance(case.question, list):
        return "a list"
    return case.question or "nothing"


def score(case: Case, observed: Observed, engine: Screening) -> str:
    vocabulary = engine.vocabulary
    expected_act = SAME_ACT.get(case.act, case.act)
    got_act = SAME_ACT.get(observed.act, observed.act)
    wanted = {k: v for k, v in case.facts.items() if k != "consent"}
    wanted.update({k: None for k in case.unknown})
    wrong = []
    for key, value in observed.facts.items():
        kind = vocabulary[key].type if key in vocabulary else None
        if key in wanted and same_value(wanted[key], value, kind):
            continue
        if key not in wanted and value is None:
            continue  # "not known" for a fact the message left open: nothing claimed
        wrong.append(key)
    if "consent" in case.facts and observed.consent is not None and observed.consent != case.facts["consent"]:
        return UNSAFE if observed.consent else MISREAD
    if case.act == "unreadable" and observed.consent:
        return UNSAFE
    if wrong:
        return UNSAFE if unsafe(case, observed, engine) else MISREAD
    missing = [k for k in wanted if k not in observed.facts]
    checks_missed = [k for k in case.check if k not in observed.asked_back and k in vocabulary]
    acts_agree = expected_act == got_act or (expected_act in ("unreadable", "answer") and got_act in ("unreadable", "answer")
                                             and not observed.facts and not observed.consent)
    if not acts_agree and not (expected_act in ("greet", "thanks", "goodbye", "bot_challenge") and got_act == "answer"):
        return MISREAD
    if "consent" in case.facts and observed.consent is None:
        return CONFIRMED
    if missing or checks_missed:
        return CONFIRMED
    return RIGHT


# -- running -----------------------------------------------------------------------------------
def engines() -> Tuple[Screening, StaffScreening]:
    store = TrialStore(f"sqlite:///{tempfile.mkdtemp(prefix='understanding-')}/trials.db")
    store.load_directory(PROJECT / "data")
    engine = Screening(Catalogue(store).refresh(), default_trial=TRIAL, today=lambda: TODAY)
    return engine, StaffScreening(engine)


def run(parts: Tuple[str, ...], model: Optional[str], show: int = 0, out: Callable[[str], None] = print,
        language: str = ENGLISH) -> Dict[str, Any]:
    engine, staff = engines()
    started = time.perf_counter()
    nlu = NLU(model)
    load_s = time.perf_counter() - started
    tallies: Dict[str, Counter] = {part: Counter() for part in parts}
    by_question: Dict[str, Dict[str, Counter]] = {part: {} for part in parts}
    failures: List[Tuple[Case, Observed, str]] = []
    started = time.perf_counter()
    count = 0
    for case in load_cases(parts, language):
        observed = observe(case, engine, staff, nlu)
        outcome = score(case, observed, engine)
        tallies[case.part][outcome] += 1
        by_question[case.part].setdefault(asked(case), Counter())[outcome] += 1
        count += 1
        if outcome != RIGHT and case.part == "dev":
            failures.append((case, observed, outcome))
    per_case_ms = (time.perf_counter() - started) / max(1, count) * 1000
    results = {"language": language, "today": TODAY.isoformat(), "model": model, "model_load_s": round(load_s, 1),
               "per_case_ms": round(per_case_ms, 1), "parts": {p: dict(tallies[p]) for p in parts},
               "by_question": {p: {q: dict(t) for q, t in sorted(by_question[p].items())} for p in parts}}
    for part in parts:
        total = sum(tallies[part].values())
        line = ", ".join(f"{name} {tallies[part][name]} ({tallies[part][name] / max(1, total):.1%})" for name in OUTCOMES)
        out(f"{language} {part}: {total} cases: {line}")
    for case, observed, outcome in sorted(failures, key=lambda f: OUTCOMES.index(f[2]), reverse=True)[:show]:
        out(f"[{outcome}] {case.source} q={case.question} {case.text!r}\n    expected act={case.act} facts={case.facts} "
            f"check={case.check} unknown={case.unknown}\n    got act={observed.act} facts={observed.facts} "
            f"asked_back={observed.asked_back} consent={observed.consent}")
    return results


def markdown(results: Mapping[str, Any]) -> str:
    language = results.get("language", ENGLISH)
    lines = ["| language | part | cases | read right | confirmed back | misread | misread-unsafe |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for part, tally in results["parts"].items():
        total = sum(tally.values())
        cells = [f"{tally.get(name, 0)} ({tally.get(name, 0) / max(1, total):.1%})" for name in OUTCOMES]
        lines.append(f"| {language} | {part} | {total} | " + " | ".join(cells) + " |")
    lines.append(f"\nModel: {results['model'] or 'none (words only)'}; {results['per_case_ms']} ms a case; "
                 f"today {results['today']}.")
    for part, questions in results.get("by_question", {}).items():
        lines += [f"\n### {part}, by what was asked\n", "| asked | cases | read right | confirmed back | misread | misread-unsafe |",
                  "|---|---:|---:|---:|---:|---:|"]
        for question, tally in sorted(questions.items(), key=lambda q: -(q[1].get(MISREAD, 0) + q[1].get(UNSAFE, 0))):
            lines.append(f"| {question} | {sum(tally.values())} | " + " | ".join(str(tally.get(name, 0)) for name in OUTCOMES) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=LANGUAGES, default=ENGLISH, help="whose corpus to read (default: en)")
    parser.add_argument("--part", choices=PARTS, action="append", help="only this part (default: both)")
    parser.add_argument("--model", default=str(PROJECT / "models" / "trialbot.tar.gz"))
    parser.add_argument("--no-model", action="store_true", help="read with the words alone, no NLU model")
    parser.add_argument("--show", type=int, default=0, help="print this many failing dev cases")
    args = parser.parse_args(argv)
    results = run(tuple(args.part or PARTS), None if args.no_model else args.model, args.show, language=args.language)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "understanding" + ("" if args.language == ENGLISH else f"-{args.language}") + ("-no-model" if args.no_model else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(markdown(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
