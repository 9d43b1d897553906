"""The conversation benchmark: simulated patients talk to the real engine from consent to the verdict.

    python -m benchmarks.conversations [--language en|zh-CN] [--part dev|test] [--patients N] [--seed S] [--show N]

The understanding benchmark (benchmarks/understanding.py) scores one message at a time; this one scores what a
patient sees at the end of a whole conversation: the verdict for NCT05236582. Each simulated patient is a seeded
random walk over one part of the understanding corpus (benchmarks/corpora/understanding/), read with the words
alone (no NLU model, like ``--no-model`` there):

- at each turn the patient takes the question the engine asks next (one fact, or a bundled list: the same facts
  as a case's ``question``, in any order, else a longer list of the corpus that holds them all) and sends the
  text of a patient case of that question, drawn at random among those whose expected reading (facts, unknown,
  and what the case takes the bot to know already) agrees with what this patient has said so far. The case's
  expected facts (and "not known" for its ``unknown``) become true of the patient; its ``check`` facts (a bound,
  a hedge) stay unsaid until another answer settles them. Only cases whose act is an answer are drawn; consent
  is a case of "consent" read as a yes;
- when the bot asks back, the patient answers plainly, as a button or a bare value would: to a check-back, yes
  when every reading offered is what is true, else no (a reading of something not yet said, or "not known", is
  no); to a read-back, no only when a line contradicts what was said, then the right value ("platelet count:
  22") when asked for it; to a closer date than a range, "I don't know"; to a question about facts already
  settled (asked again), the true value: yes / no / "I don't know", a bare number, the bot's own wording of a
  date or a choice;
- when no case of the part fits the question, the patient answers plainly as a person who otherwise fits the
  trial (``OTHERWISE_FITS`` of the understanding benchmark: no to every exclusion, a count of 22, ...; no to a
  yes/no fact it leaves out); these plain fallback answers are counted, per question asked;
- the conversation ends at the first verdict (after the read-back), or after ``MAX_TURNS`` messages.

Two populations are simulated per part: **anyone** (every agreeing answer equally likely: most patients are
ruled out within a few questions, as most people who try a screener are) and **fits** (only answers after which
the patient is ruled out by no criterion, every fact not said yet taken as ``OTHERWISE_FITS`` says: a QTc of
460 ms is no such answer, as it rules out all but a patient with a bundle branch block; where every agreeing
case of the question would rule them out, the patient answers plainly instead, counted as a fallback and in
``forced_out_by_question``: these patients hear every question, the read-back and "likely eligible" or
"uncertain"). Drawing a ruling-out case there anyway made the first bundled list the end of 194 of the 200
Chinese held-out "fits" conversations: a "not eligible" read back from one list answer, 200 right in a median
of 12 messages.

The engine's verdict is then compared with the verdict the same evaluation gives on the patient's truth alone:
**right** (the same verdict, failing the same criteria), **wrong**, and **unsafe** (wrong, and the patient
looks more eligible than the truth warrants: a verdict above the true one, likely eligible > uncertain > not
eligible, or fewer criteria failed); "a more eligible verdict" counts the first kind alone. A conversation
that reaches no verdict counts as wrong.

Results go to benchmarks/results/conversations[-zh-CN].{json,md}. Only figures are printed; ``--show N``
prints N failing conversations of the dev part (never of the held-out test part: see the corpus README).
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from bot import i18n
from bot.conversation import Outcome, Reply, Screening, State, Turn
from bot.evaluation import Status, TrialResult, Verdict, evaluate
from bot.facts import FactType, describe_value
from bot.screening_core import conflicts
from benchmarks.understanding import (ENGLISH, LANGUAGES, OTHERWISE_FITS, PARTS, RESULTS, TODAY, TRIAL, Case,
                                      expected_values, engines, load_cases, same_value)

MAX_TURNS = 60  # patient messages: a conversation still going after this many has failed
PATIENTS = 200  # per part, by default
YES, NO, DONT_KNOW = "/affirm", "/deny", "/dont_know"  # the buttons' payloads (bot.texts.YES_NO_BUTTONS)
RIGHT, WRONG, UNSAFE = "right", "wrong", "unsafe"
# Two populations: anyone (every answer that agrees equally likely: most are ruled out within a few questions)
# and patients who fit (the answers that rule them out by no criterion preferred): they hear every question
POPULATIONS = {"anyone": False, "fits": True}


@dataclass
class Patient:
    """What is true of one simulated patient: what the answers drawn so far say (a case's ``check`` facts, said
    hedged or as a bound, stay unsaid until another answer settles them)."""

    truth: Dict[str, Any] = field(default_factory=dict)  # a value, or None for "not known"

    def agrees(self, case: Case, engine: Screening) -> bool:
        """Whether the case's reading (and what it takes the bot to know) can be true of this patient."""
        said = expected_values(case)
        for key, value in {**case.known, **said}.items():
            if key in self.truth and not same_value(self.truth[key], value, _kind(engine, key)):
                return False
        return not conflicts(engine.vocabulary, self.truth, said) and not conflicts(engine.vocabulary, said, self.truth)

    def learn(self, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            self.truth.setdefault(key, value)


@dataclass
class Conversation:
    patient: Patient
    turns: int = 0
    fallbacks: List[str] = field(default_factory=list)  # the questions no case fitted, answered plainly
    # (patients who fit) the questions every agreeing case of which rules the patient out: drawn all the same
    forced_out: List[str] = field(default_factory=list)
    verdict: Optional[TrialResult] = None
    true_verdict: Optional[TrialResult] = None
    outcome: str = WRONG
    said: List[str] = field(default_factory=list)  # what the patient sent, kept for --show on dev only
    stalled: bool = False  # the bot asked nothing the patient could answer, and gave no verdict
    ended: str = "verdict"  # or why there was none: what the bot was waiting for at the end (counts only)


def _kind(engine: Screening, key: str) -> Optional[FactType]:
    return engine.vocabulary[key].type if key in engine.vocabulary else None


# -- the patient's side -----------------------------------------------------------------------
class Simulation:
    def __init__(self, engine: Screening, cases: Sequence[Case], language: str, rng: random.Random,
                 fitting: bool = False) -> None:
        self.engine, self.language, self.rng, self.fitting = engine, language, rng, fitting
        self.by_question: Dict[Any, List[Case]] = {}
        for case in cases:
            if case.mode == "patient" and case.act == "answer" and case.question is not None:
                self.by_question.setdefault(_question_key(case.question), []).append(case)

    def talk(self) -> Conversation:
        engine = self.engine
        talk = Conversation(Patient())
        state = State(offer="consent", language=self.language if self.language != ENGLISH else None)
        replies: List[Reply] = []
        while talk.turns < MAX_TURNS:
            text = self.answer(state, replies, talk)
            if text is None:
                talk.stalled, talk.ended = True, "stalled: " + _waiting_for(state)
                break
            talk.turns += 1
            talk.said.append(text)
            intent = text[1:] if text.startswith("/") else None
            outcome: Outcome = engine.respond(state, Turn(text, intent))
            state, replies = outcome.state, outcome.replies
            if any(r.custom and "verdict" in r.custom for r in replies):  # the trial screened is the default one
                talk.verdict = evaluate(engine.catalogue.trials[TRIAL], state.facts, engine.vocabulary, TODAY)
                break
        else:
            talk.ended = "turn limit: " + _waiting_for(state)
        return talk

    def answer(self, state: State, replies: Sequence[Reply], talk: Conversation) -> Optional[str]:
        """The patient's next message, to whatever the bot's last replies ask."""
        patient = talk.patient
        if state.offer == "consent":
            case = self._draw("consent", patient, consent=True, talk=talk)
            if case is None or talk.turns:
                return YES  # asked again: the button
            patient.learn(expected_values(case))
            return case.text
        if state.offer == "confirm" and state.confirm:
            return YES if self._true(patient, state.confirm) else NO
        if state.offer == "readback":  # what the patient said otherwise is read back: no when a line contradicts it
            offered = next((r.custom["read_back"] for r in replies if r.custom and "read_back" in r.custom), {})
            return YES if self._as_said(patient, {k: v for k, v in offered.items() if k in patient.truth}) else NO
        if state.offer == "fix":
            wrong = [k for k in state.facts if k in patient.truth and not self._as_said(patient, {k: state.facts[k]})]
            if not wrong:
                return None
            with i18n.override(self.language):
                return self._labelled(wrong[0], patient.truth[wrong[0]])
        if not state.pending:
            return None
        asked = list(state.pending)
        closer = any(r.custom and "closer_than" in r.custom for r in replies)
        if closer or all(k in patient.truth for k in asked):  # asked back: a plain answer
            return self._plain_answer(asked, patient, closer)
        case = self._draw(_question_key(asked), patient, talk=talk)
        if case is None:
            talk.fallbacks.append(" + ".join(sorted(asked)))
            patient.learn({k: self._fitting_value(k) for k in asked if k not in patient.truth})
            return self._plain_answer(asked, patient, False)
        patient.learn(expected_values(case))
        return case.text

    def _draw(self, question: Any, patient: Patient, consent: bool = False,
              talk: Optional[Conversation] = None) -> Optional[Case]:
        agreeing = self._agreeing(self.by_question.get(question, ()), patient, consent)
        if not agreeing and isinstance(question, frozenset):  # a shorter list than the corpus has: a longer one's
            agreeing = self._agreeing([c for q, cases in self.by_question.items()
                                       if isinstance(q, frozenset) and question < q for c in cases], patient)
        if self.fitting:  # a patient who fits: the answers that rule them out by no criterion
            fitting = [c for c in agreeing if self._still_fits({**patient.truth, **expected_values(c)})]
            if agreeing and not fitting and self._still_fits(patient.truth):
                # every case of the part would rule them out: answered plainly instead, as a person who otherwise fits
                # (drawing one anyway made such a question the end of most of these conversations)
                if talk is not None:
                    talk.forced_out.append(_named(question))
                return None
            agreeing = fitting or agreeing
        return self.rng.choice(agreeing) if agreeing else None

    def _fitting_value(self, key: str) -> Any:
        """A plain fallback's value: a person who otherwise fits (a yes/no fact it leaves out, such as the pregnancy
        it implies, is a no; any other is "not known")."""
        if key in OTHERWISE_FITS:
            return OTHERWISE_FITS[key]
        return False if self.engine.vocabulary[key].type is FactType.BOOLEAN else None

    def _agreeing(self, cases: Sequence[Case], patient: Patient, consent: bool = False) -> List[Case]:
        return [c for c in cases if patient.agrees(c, self.engine) and (not consent or c.facts.get("consent") is True)]

    def _still_fits(self, facts: Mapping[str, Any]) -> bool:
        """Whether a patient of these facts can still fit: with every fact not yet said answered as a person who
        otherwise fits would (a QTc of 460 ms fits only with a bundle branch block, which that person has not)."""
        trial = self.engine.catalogue.trials[TRIAL]
        completed = {**{k: v for k, v in OTHERWISE_FITS.items() if k not in facts}, **facts}
        return evaluate(trial, completed, self.engine.vocabulary, TODAY).status is not Verdict.NOT_ELIGIBLE

    def _true(self, patient: Patient, offered: Mapping[str, Any]) -> bool:
        """Whether every reading offered is what is true of the patient ("not known" is never confirmed)."""
        return all(patient.truth.get(k) is not None and same_value(patient.truth[k], v, _kind(self.engine, k))
                   for k, v in offered.items())

    def _as_said(self, patient: Patient, read: Mapping[str, Any]) -> bool:
        """Whether what the bot reads back is what the patient said: "not known" where they said they do not know
        is what they said (unlike a check-back, where "not known" is never the reading confirmed)."""
        return all(v is None if patient.truth[k] is None else self._true(patient, {k: v}) for k, v in read.items())

    def _plain_answer(self, asked: Sequence[str], patient: Patient, closer: bool) -> str:
        values = [patient.truth.get(k) for k in asked]
        vocabulary = self.engine.vocabulary
        if all(vocabulary[k].type is FactType.BOOLEAN for k in asked):
            if any(v is True for v in values):
                return YES
            return NO if all(v is False for v in values) else DONT_KNOW
        if closer or all(v is None for v in values):
            return DONT_KNOW  # asked for a closer day than the range known: not known
        if len(asked) == 1 and vocabulary[asked[0]].type is FactType.CHOICE:
            return str(values[0])  # the choice's button carries its name
        with i18n.override(self.language):
            if len(asked) == 1:
                return self._plain(asked[0], values[0])
            # facts asked together, each said with its label ("age: 62; sex: female"), as the bot lists them
            return "; ".join(self._labelled(k, v) for k, v in zip(asked, values) if v is not None)

    def _labelled(self, key: str, value: Any) -> str:
        return f"{self.engine.vocabulary[key].shown_label}: {self._plain(key, value)}"

    def _plain(self, key: str, value: Any) -> str:
        definition = self.engine.vocabulary[key]
        if definition.type is FactType.NUMBER and value is not None:
            return f"{value:g}"  # a bare number, as typed into the answer box
        return describe_value(definition, value)


def _waiting_for(state: State) -> str:
    """What the bot waits for when a conversation ends without a verdict, as the results count it."""
    if not state.consent:
        return "consent (answers erased or consent not given)"
    if state.offer:
        return state.offer
    return "a question" if state.pending else "nothing asked"


def _named(question: Any) -> str:
    """A question as the results name it: one fact's key, or a list's keys joined."""
    return " + ".join(sorted(question)) if isinstance(question, frozenset) else str(question)


def _question_key(question: Any) -> Any:
    """A question as the corpus names it: one fact's key, or a list as the set of its facts (in any order)."""
    if isinstance(question, (list, tuple)):
        return question[0] if len(question) == 1 else frozenset(question)
    return question


# -- scoring ---------------------------------------------------------------------------------------
RANK = (Verdict.LIKELY_ELIGIBLE, Verdict.UNCERTAIN, Verdict.NOT_ELIGIBLE)


def failed(result: TrialResult) -> List[str]:
    """The criteria the verdict says are not met: the same verdict fails the same ones."""
    return [r.criterion.id for r in result.criteria if r.status is Status.NOT_MET]


def judge(talk: Conversation, engine: Screening) -> str:
    """Right, wrong or unsafe: the engine's verdict against the one the patient's truth alone gives."""
    trial = engine.catalogue.trials[TRIAL]
    talk.true_verdict = evaluate(trial, talk.patient.truth, engine.vocabulary, TODAY)
    if talk.verdict is None:
        return WRONG
    said, true = talk.verdict, talk.true_verdict
    if said.status is true.status and failed(said) == failed(true):
        return RIGHT
    return UNSAFE if more_eligible(said, true) or len(failed(said)) < len(failed(true)) else WRONG


def more_eligible(said: TrialResult, true: TrialResult) -> bool:
    """Whether the verdict given ranks above the true one (likely eligible, uncertain, not eligible)."""
    return RANK.index(said.status) < RANK.index(true.status)


# -- running -----------------------------------------------------------------------------------
def run(parts: Tuple[str, ...], patients: int = PATIENTS, seed: int = 0, language: str = ENGLISH,
        show: int = 0, out: Callable[[str], None] = print) -> Dict[str, Any]:
    engine, _ = engines()
    results: Dict[str, Any] = {"language": language, "today": TODAY.isoformat(), "trial": TRIAL, "seed": seed,
                               "max_turns": MAX_TURNS, "parts": {}}
    for part in parts:
        cases = list(load_cases((part,), language))
        results["parts"][part] = {}
        for population, fitting in POPULATIONS.items():
            simulation = Simulation(engine, cases, language, random.Random(f"{seed}-{part}-{population}"), fitting)
            talks = [simulation.talk() for _ in range(patients)]
            for talk in talks:
                talk.outcome = judge(talk, engine)
            figures = tally(talks)
            results["parts"][part][population] = figures
            out(f"{language} {part} {population}: {figures['patients']} patients: right {figures[RIGHT]}, wrong "
                f"{figures[WRONG]} (unsafe {figures[UNSAFE]}, a more eligible verdict {figures['more_eligible']}), "
                f"no verdict {figures['no_verdict']}, median turns {figures['median_turns']}, plain fallback answers "
                f"{figures['fallback_answers']} (in {figures['patients_with_fallbacks']} conversations)")
            if part == "dev":
                for talk in [t for t in talks if t.outcome != RIGHT][:show]:
                    out(describe(talk))
    return results


def tally(talks: Sequence[Conversation]) -> Dict[str, Any]:
    """One population's figures: counts only, never what was said (the test part's are printed too)."""
    outcomes = Counter(t.outcome for t in talks)
    finished = [t.turns for t in talks if t.verdict is not None]
    return {"patients": len(talks), RIGHT: outcomes[RIGHT], WRONG: outcomes[WRONG] + outcomes[UNSAFE],
            UNSAFE: outcomes[UNSAFE],
            "more_eligible": sum(1 for t in talks if t.verdict and more_eligible(t.verdict, t.true_verdict)),
            "no_verdict": sum(1 for t in talks if t.verdict is None),
            "stalled": sum(1 for t in talks if t.stalled),  # of those: the bot asked nothing and gave no verdict
            "no_verdict_because": dict(Counter(t.ended for t in talks if t.verdict is None).most_common()),
            "median_turns": statistics.median(finished) if finished else None,
            "fallback_answers": sum(len(t.fallbacks) for t in talks),
            "patients_with_fallbacks": sum(1 for t in talks if t.fallbacks),
            "verdicts": dict(Counter(t.verdict.status.value if t.verdict else "none" for t in talks)),
            # each wrong verdict as "given / warranted"
            "wrong_verdicts": dict(Counter(f"{t.verdict.status.value if t.verdict else 'none'} / {t.true_verdict.status.value}"
                                           for t in talks if t.outcome != RIGHT).most_common()),
            "true_verdicts": dict(Counter(t.true_verdict.status.value for t in talks)),
            "fallbacks_by_question": dict(Counter(q for t in talks for q in t.fallbacks).most_common()),
            # patients who fit: the questions whose every agreeing case ruled the patient out (drawn all the same)
            "forced_out_by_question": dict(Counter(q for t in talks for q in t.forced_out).most_common()),
            "true_criteria_failed": dict(Counter(c for t in talks for c in failed(t.true_verdict)).most_common())}


def describe(talk: Conversation) -> str:
    """One failing dev conversation: what was sent, and the two verdicts."""
    said = talk.verdict.status.value if talk.verdict else "none"
    lines = [f"[{talk.outcome}] engine {said} (failed {failed(talk.verdict) if talk.verdict else '-'}), truth "
             f"{talk.true_verdict.status.value} (failed {failed(talk.true_verdict)}), {talk.turns} turns"]
    lines += [f"    > {text}" for text in talk.said]
    lines.append(f"    truth: {talk.patient.truth}")
    return "\n".join(lines)


def markdown(results: Mapping[str, Any]) -> str:
    lines = ["| language | part | patients | right verdict | wrong verdict | unsafe | of which a more eligible verdict "
             "| no verdict | median turns | plain fallback answers |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for part, populations in results["parts"].items():
        for population, f in populations.items():
            n = max(1, f["patients"])
            lines.append(f"| {results['language']} | {part} | {f['patients']} {population} | {f[RIGHT]} ({f[RIGHT] / n:.0%}) | "
                         f"{f[WRONG]} ({f[WRONG] / n:.0%}) | {f[UNSAFE]} ({f[UNSAFE] / n:.0%}) | {f['more_eligible']} | "
                         f"{f['no_verdict']} | {f['median_turns']} | {f['fallback_answers']} "
                         f"(in {f['patients_with_fallbacks']} conversations) |")
    lines.append(f"\nWords alone (no NLU model); seed {results['seed']}; at most {results['max_turns']} messages; "
                 f"today {results['today']}; trial {results['trial']}.")
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=LANGUAGES, default=ENGLISH, help="whose corpus to draw from (default: en)")
    parser.add_argument("--part", choices=PARTS, action="append", help="only this part (default: both)")
    parser.add_argument("--patients", type=int, default=PATIENTS, help=f"patients per part (default: {PATIENTS})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=0, help="print this many failing dev conversations")
    args = parser.parse_args(argv)
    results = run(tuple(args.part or PARTS), args.patients, args.seed, args.language, args.show)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "conversations" + ("" if args.language == ENGLISH else f"-{args.language}")
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(markdown(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
