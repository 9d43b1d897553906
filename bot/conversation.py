"""The screening conversation: one turn in, the replies and the new state out.

Plain Python with no Rasa imports: the Rasa actions in ``actions/`` only move the state in and
out of slots and send the replies. The state is small and JSON-serialisable, so the conversation
lives in Rasa's tracker store and survives restarts.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from bot import texts
from bot.evaluation import TrialResult, Verdict, evaluate
from bot.explain import facts_summary, verdict_payload, verdict_text
from bot.extraction import TRIAL_ID, Extraction, Problem, extract
from bot.facts import NEVER, FactDefinition, FactType, describe_value, is_date_range
from bot.matching import Matcher, one_line_reason, rank, select_trials, summary_payload
from bot.parsing.answers import classify_reply
from bot.questions import YES_NO_BUTTONS, Question, candidate_facts, next_question
from bot.store import Catalogue

MAX_MESSAGE_LENGTH = 1000
REPLY_INTENTS = {"affirm": "yes", "deny": "no", "dont_know": "unknown"}
TRUSTED_CONFIDENCE = 0.8  # below this, the NLU's yes / no / greeting is not acted on
MAX_MISUNDERSTOOD = 2  # after this many unclear answers in a row, a question is left unknown
CORRECTION = re.compile(r"\b(i meant|i mean|sorry|actually|correction|oops|no wait|i made a mistake)\b", re.I)


@dataclass
class State:
    """What the bot remembers of one conversation (kept in Rasa slots of the same names)."""

    consent: Optional[bool] = None
    facts: Dict[str, Any] = field(default_factory=dict)
    trial_id: Optional[str] = None
    pending: Optional[List[str]] = None  # facts asked by the open question
    last_asked: Optional[List[str]] = None  # the question answered last: "sorry, I meant 25" corrects it
    expanded: List[str] = field(default_factory=list)  # topics answered "yes" as a bundle
    subject: Optional[str] = None  # "your mother" when talking about someone else
    verdict: Optional[str] = None  # the last verdict given
    full_picture: bool = False  # the person wants every question, even after a decided verdict
    offer: Optional[str] = None  # "consent" or "more_questions": what a yes/no would answer
    misunderstood: int = 0
    matching: bool = False  # matching against the catalogue rather than screening one trial
    candidates: Optional[List[str]] = None  # the trials matched (None: the whole catalogue)

    @classmethod
    def slot_names(cls) -> List[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any]) -> "State":
        defaults = cls()
        values = {name: slots.get(name) for name in cls.slot_names()}
        return cls(**{k: (v if v is not None else getattr(defaults, k)) for k, v in values.items()})

    def to_slots(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Turn:
    text: str
    intent: Optional[str] = None
    confidence: Optional[float] = None  # the NLU's, for ``intent``; None: not from a model (a button)

    @property
    def trusted_intent(self) -> Optional[str]:
        """The intent, if the model was sure enough of it to act on: a misread "hmm" must not
        become a "yes" to a health question."""
        sure = self.confidence is None or self.confidence >= TRUSTED_CONFIDENCE
        return self.intent if sure and any(ch.isalnum() for ch in self.text) else None


def _reply(turn: Turn) -> Optional[str]:
    """Yes / no / don't know, from the words or a trusted intent ("???" is none of them, whatever
    intent the model guessed; emoji such as 👍 are read from the words). Words that say it is not
    known win over the model: "I've never been tested" is no "no", however sure the model is."""
    words = classify_reply(turn.text)
    if words == "unknown":
        return words
    return REPLY_INTENTS.get(turn.trusted_intent or "") or words


def _waits_for(key: str, results: Sequence[TrialResult]) -> bool:
    """Whether a criterion of these results is unknown for want of a (closer) value of ``key``.

    Copies of a trial share their criteria, and so their results: one look each, so that a
    catalogue of copies costs what its distinct trials do."""
    seen = set()
    for result in results:
        if id(result.trial.criteria) not in seen:
            seen.add(id(result.trial.criteria))
            if any(key in r.missing for r in result.criteria):
                return True
    return False


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: Sequence[Mapping[str, str]] = ()
    custom: Optional[Mapping[str, Any]] = None


@dataclass
class Outcome:
    state: State
    replies: List[Reply]


class Screening:
    """Runs the screening for one trial at a time against a catalogue of trials."""

    def __init__(self, catalogue: Catalogue, default_trial: Optional[str] = None,
                 today: Callable[[], date] = date.today) -> None:
        self.catalogue = catalogue
        self.default_trial = default_trial
        self.today = today
        self._matchers: Dict[Tuple[int, Tuple[str, ...]], Matcher] = {}  # person-independent start states

    @property
    def vocabulary(self):
        return self.catalogue.vocabulary

    # -- entry points, one per kind of user turn -----------------------------------------
    def respond(self, state: State, turn: Turn) -> Outcome:
        """An answer, volunteered facts, a greeting or a request to check a trial."""
        state = replace(state, facts=dict(state.facts))
        replies: List[Reply] = []
        if len(turn.text) > MAX_MESSAGE_LENGTH:
            replies.append(Reply(texts.TOO_LONG.format(length=f"{len(turn.text):,}", limit=f"{MAX_MESSAGE_LENGTH:,}")))
            return self._repeat_question(state, replies)
        if not turn.text.strip():
            return self._repeat_question(state, [Reply(texts.EMPTY)])
        found = extract(turn.text, self.vocabulary, self._pending_definitions(state), self.today())
        if not found.values and not state.pending and state.last_asked and CORRECTION.search(turn.text):
            # a bare value that corrects the last answer, once the question has moved on
            asked = [self.vocabulary[k] for k in state.last_asked if k in self.vocabulary]
            found = extract(turn.text, self.vocabulary, asked, self.today())
        unknown_trials = [t for t in found.trial_ids if t not in self.catalogue.trials]
        if unknown_trials:
            some = list(self.catalogue.ids())
            replies.append(Reply(texts.UNKNOWN_TRIAL.format(
                trial_id=", ".join(unknown_trials), trials=", ".join(some[:5]) + (" and more" if len(some) > 5 else ""))))
        known_trials = [t for t in found.trial_ids if t in self.catalogue.trials]
        if found.wants_catalogue:
            state.matching, state.trial_id = True, None
            state.candidates = select_trials(self.catalogue.trials, turn.text)
        elif known_trials and state.matching and state.consent:
            return self._trial_details(state, known_trials[0], replies)
        elif known_trials:
            state.matching, state.trial_id = False, known_trials[0]
        if not state.consent:
            return self._consent(state, turn, replies)
        if found.subject:
            state.subject = found.subject
        reply = _reply(turn)
        if state.offer == "more_questions" and reply in ("yes", "no") and not found.values:
            state.offer = None
            if reply == "no":
                return Outcome(state, [Reply(texts.MORE_DECLINED)])
            state.full_picture = True
            return self._advance(state, replies)
        answered = self._answer_pending(state, found, reply)
        if answered is None and not found.values and not found.problems:
            if turn.trusted_intent in ("greet", "ask_eligibility") or known_trials or found.subject or found.wants_catalogue:
                return self._advance(state, replies)
            if not state.pending and reply is not None:
                return self._after_verdict(state, reply, replies)
            return self._not_understood(state, replies)
        state.misunderstood = 0
        state.offer = None
        if state.pending:
            state.last_asked = state.pending
        unsettled = {p.fact for p in found.problems}
        values = {k: v for k, v in {**(answered or {}), **found.values}.items() if k not in unsettled}
        previous = dict(state.facts)
        replies += self._apply(state, values, found.problems)
        if found.problems:
            # the next "yes" or number must answer what was unclear, not the question before it
            unclear = [p.fact for p in found.problems if p.fact in self.vocabulary and self.vocabulary[p.fact].askable]
            if state.consent and unclear:
                state.pending = unclear[:1]
            return self._repeat_question(state, replies)
        new_ranges = [k for k, v in state.facts.items() if is_date_range(v) and previous.get(k) != v]
        return self._advance(state, replies, new_ranges)

    def holds_facts(self, text: str) -> bool:
        """Whether a message names any fact, whatever else it says ("thanks, she is 62")."""
        return bool(extract(text, self.vocabulary, (), self.today()).values)

    def explain_why(self, state: State) -> Outcome:
        """"Why do you ask?": the criteria behind the open question."""
        if not state.pending or not state.consent:
            return Outcome(state, [Reply(texts.WHY_NOTHING)])
        trial = self._trial(state)
        asked = set(state.pending)
        reasons = [texts.WHY.format(text=c.text, why=c.why) for c in trial.criteria if asked.intersection(c.rule.facts)]
        return self._repeat_question(state, [Reply("\n\n".join(reasons) or texts.WHY_NOTHING)])

    def show_facts(self, state: State) -> Outcome:
        replies = [Reply(facts_summary(state.facts, self.vocabulary), custom={"facts": state.facts})]
        if state.consent and state.pending:
            return self._repeat_question(state, replies)
        return Outcome(state, replies)

    def start_over(self, state: State) -> Outcome:
        fresh = State(consent=state.consent, trial_id=state.trial_id)
        if not fresh.consent:
            return self._consent(fresh, Turn(""), [])
        return self._advance(fresh, [Reply(texts.STARTING_OVER)])

    def delete_answers(self, state: State) -> Outcome:
        # "deleted" tells a client to forget its own copy too (the website chat's transcript and id)
        return Outcome(State(), [Reply(texts.DELETED, custom={"deleted": True})])

    def show_verdict(self, state: State, turn: Turn = Turn("")) -> Outcome:
        """The verdict as it stands now, whatever is still unknown; in a matching, the ranking, or
        the full verdict of the trial the message names ("the results for NCT04330521")."""
        if not state.consent:
            return self._consent(state, Turn(""), [])
        state = replace(state)
        if state.matching:
            named = [t.upper() for t in TRIAL_ID.findall(turn.text) if t.upper() in self.catalogue.trials]
            if named:
                return self._trial_details(state, named[0], [])
            return self._match_results(state, [])
        result = self._evaluate(state)
        replies = [self._verdict_reply(state, result)]
        if self._remaining(state, result):
            state.offer = "more_questions"
            replies.append(Reply(texts.OFFER_MORE, YES_NO_BUTTONS[:2]))
        return Outcome(state, replies)

    # -- steps ---------------------------------------------------------------------------
    def _consent(self, state: State, turn: Turn, replies: List[Reply]) -> Outcome:
        reply = _reply(turn)
        if state.offer == "consent" and reply == "yes":
            state.consent, state.offer = True, None
            return self._advance(state, replies + [Reply(texts.CONSENT_GIVEN)])
        trial = self._trial(state)
        if state.offer == "consent" and reply == "no":
            state.consent, state.offer = False, None
            return Outcome(state, replies + [Reply(texts.CONSENT_DECLINED.format(url=trial.url))])
        state.offer = "consent"
        if state.matching:
            count = len(state.candidates) if state.candidates is not None else len(self.catalogue.trials)
            welcome = texts.WELCOME_MATCHING.format(count=f"{count:,}")
        else:
            welcome = texts.WELCOME.format(trial_title=trial.brief_title, trial_id=trial.id)
        return Outcome(state, replies + [Reply(welcome, texts.CONSENT_BUTTONS, {"asks": ["consent"], "answer_type": "yes_no", "unit": None})])

    def _answer_pending(self, state: State, found: Extraction, reply: Optional[str]) -> Optional[Dict[str, Any]]:
        """Read a yes / no / don't know as the answer to the open question."""
        pending = self._pending_definitions(state)
        if not pending or reply is None or any(d.key in found.values for d in pending):
            return None
        if reply in ("no", "unknown") and all(is_date_range(state.facts.get(d.key)) for d in pending):
            return {}  # asked for a closer date than a range ("in October"): without one, the range stands
        if reply == "unknown":
            return {d.key: None for d in pending}
        if len(pending) > 1:  # a bundled list: "no" covers all of it, "yes" is followed up one by one
            if reply == "no":
                return {d.key: False for d in pending}
            topic = pending[0].topic
            if topic and topic not in state.expanded:
                state.expanded = [*state.expanded, topic]
            return {}
        definition = pending[0]
        if definition.type is FactType.BOOLEAN:
            return {definition.key: reply == "yes"}
        if definition.type is FactType.DATE and reply == "no":
            return {definition.key: NEVER}  # "have you had radiotherapy?" - "no"
        if definition.type is FactType.NUMBER and reply == "no":
            return {definition.key: None}  # "do you know your QTc?" - "no"
        return None

    def _apply(self, state: State, values: Mapping[str, Any], problems: Sequence[Problem]) -> List[Reply]:
        """Store new facts, saying what was noted or changed and refusing contradictions."""
        replies = [Reply(p.message) for p in problems]
        conflicts = self._conflicts(state.facts, values)
        noted, updated = [], []
        for key, value in values.items():
            if key in conflicts:
                continue
            definition = self.vocabulary[key]
            old = state.facts.get(key)
            if key in state.facts and old is not None and old != value:
                updated.append(texts.UPDATED.format(label=definition.label, old=describe_value(definition, old),
                                                    new=describe_value(definition, value)))
            elif key not in (state.pending or []) and value is not None:
                noted.append(f"{definition.label}: {describe_value(definition, value)}")
            state.facts[key] = value
        if conflicts:
            replies.append(Reply(texts.CONFLICT.format(earlier="; ".join(conflicts.values()))))
        if noted:
            replies.append(Reply(texts.NOTED.format(facts="; ".join(noted))))
        replies += [Reply(line) for line in updated]
        return replies

    def _conflicts(self, facts: Mapping[str, Any], new: Mapping[str, Any]) -> Dict[str, str]:
        """New values that contradict what other answers imply (a man who is pregnant).

        The newer statement gives way to the earlier one; the person is asked to correct it.
        """
        merged = {**facts, **new}
        conflicts = {}
        for definition in self.vocabulary.values():
            explicit = merged.get(definition.key)
            if explicit is None:
                continue
            for implication in definition.implied_by:
                if merged.get(implication.fact) != implication.equals or explicit == implication.value:
                    continue
                newer = definition.key if definition.key in new else implication.fact
                if newer not in new:
                    continue
                earlier = self.vocabulary[implication.fact if newer == definition.key else definition.key]
                conflicts[newer] = f"{earlier.label}: {describe_value(earlier, merged[earlier.key])}"
        return conflicts

    def _advance(self, state: State, replies: List[Reply], new_ranges: Sequence[str] = ()) -> Outcome:
        """Ask the next question, or give the verdict once no answer can change it.

        ``new_ranges``: date facts just given as a range of days, asked again for a closer date
        first if a criterion cannot be decided on them.
        """
        if state.matching:
            return self._advance_matching(state, replies, new_ranges)
        result = self._evaluate(state)
        decided = result.status is Verdict.NOT_ELIGIBLE and not state.full_picture
        question = (self._closer_date_question(state, [result], () if decided else new_ranges, replies)
                    or next_question([result], state.facts, self.vocabulary, state.expanded, self.today()))
        if question is None or decided:
            state.pending = None
            replies.append(self._verdict_reply(state, result))
            if question is not None:
                state.offer = "more_questions"
                replies.append(Reply(texts.OFFER_MORE, YES_NO_BUTTONS[:2]))
            return Outcome(state, replies)
        state.pending = question.keys
        replies.append(self._question_reply(state, question))
        return Outcome(state, replies)

    def _advance_matching(self, state: State, replies: List[Reply], new_ranges: Sequence[str] = ()) -> Outcome:
        """Ask what settles the most trials still open, or rank them once nothing can change."""
        results = self.match(state)
        still_open = [r for r in results if r.status is not Verdict.NOT_ELIGIBLE]
        question = (self._closer_date_question(state, still_open, new_ranges, replies)
                    or next_question(still_open, state.facts, self.vocabulary, state.expanded, self.today()))
        if question is None:
            return self._match_results(state, replies, results)
        state.pending = question.keys
        reply = self._question_reply(state, question)
        replies.append(replace(reply, buttons=[*reply.buttons, texts.RESULTS_BUTTON]))
        return Outcome(state, replies)

    def _closer_date_question(self, state: State, results: Sequence[TrialResult], new_ranges: Sequence[str],
                              replies: List[Reply]) -> Optional[Question]:
        """A date fact just given as a range that a criterion cannot be decided on ("in October" or
        "less than 2 months ago" for "more than 1 month since"), asked again with a note added to
        ``replies``."""
        for key in new_ranges:
            definition = self.vocabulary[key]
            if definition.askable and _waits_for(key, results):
                when = describe_value(definition, state.facts[key])
                replies.append(Reply(texts.CLOSER_DATE.format(label=definition.label, when=when)))
                return Question((definition,))
        return None

    def _match_results(self, state: State, replies: List[Reply],
                       results: Optional[List[TrialResult]] = None) -> Outcome:
        ranked = rank(results if results is not None else self.match(state))
        state.pending = None
        state.verdict = ranked[0].status.value if ranked else None
        lines = [texts.MATCH_HEADER.format(count=len(ranked))]
        fitting = [r for r in ranked if r.status is not Verdict.NOT_ELIGIBLE]
        for number, result in enumerate(fitting[:texts.MATCHES_LISTED], start=1):
            lines.append(texts.MATCH_LINE.format(number=number, trial_id=result.trial.id,
                                                 title=result.trial.brief_title,
                                                 status=texts.STATUS_NAMES[result.status.value],
                                                 reason=one_line_reason(result)))
        lines += self._ruled_out_lines([r for r in ranked if r.status is Verdict.NOT_ELIGIBLE])
        lines += [texts.MATCH_MORE, texts.NOT_ADVICE]
        payload = {"verdict": [summary_payload(r) for r in ranked]}
        return Outcome(state, replies + [Reply("\n".join(lines), custom=payload)])

    @staticmethod
    def _ruled_out_lines(ruled_out: List[TrialResult]) -> List[str]:
        """The ruled-out trials, grouped by the reason that decided them, most common first."""
        if not ruled_out:
            return []
        groups: Dict[str, List[str]] = {}
        for result in ruled_out:
            groups.setdefault(one_line_reason(result), []).append(result.trial.id)
        common = sorted(groups.items(), key=lambda item: -len(item[1]))
        lines = [texts.MATCH_RULED_OUT.format(count=len(ruled_out))]
        for reason, ids in common[:texts.MATCH_RULED_OUT_GROUPS]:
            lines.append(texts.MATCH_RULED_OUT_GROUP.format(count=len(ids), reason=reason[:1].lower() + reason[1:].rstrip("."),
                                                            trial_ids=", ".join(ids[:2])))
        others = sum(len(ids) for _, ids in common[texts.MATCH_RULED_OUT_GROUPS:])
        if others:
            lines.append(texts.MATCH_RULED_OUT_OTHERS.format(count=others))
        return lines

    def _trial_details(self, state: State, trial_id: str, replies: List[Reply]) -> Outcome:
        """The full criterion-by-criterion verdict of one trial of a matching."""
        result = evaluate(self.catalogue.trials[trial_id], state.facts, self.vocabulary, self.today())
        replies.append(Reply(verdict_text(result, state.subject), custom=verdict_payload(result)))
        return self._repeat_question(state, replies)

    def match(self, state: State) -> List[TrialResult]:
        """Every candidate trial's result for the person (all trials unless ``state.candidates``)."""
        ids = tuple(state.candidates) if state.candidates is not None else tuple(self.catalogue.ids())
        key = (id(self.catalogue.trials), ids)
        template = self._matchers.get(key)
        if template is None:
            template = Matcher((self.catalogue.trials[t] for t in ids), self.vocabulary, self.today())
            self._matchers = {key: template}  # one catalogue and candidate set at a time
        matcher = template.copy()
        matcher.update(state.facts)
        return matcher.results()

    def _repeat_question(self, state: State, replies: List[Reply]) -> Outcome:
        if state.consent and state.pending:
            replies.append(self._question_reply(state, Question(tuple(self._pending_definitions(state)))))
            return Outcome(state, replies)
        if not state.consent:
            return self._consent(state, Turn(""), replies)
        return Outcome(state, replies)

    def _after_verdict(self, state: State, reply: str, replies: List[Reply]) -> Outcome:
        """A yes or no when nothing is asked: "yes" continues if questions remain, else say what can be done."""
        if reply == "yes" and self._remaining(state, self._evaluate(state)):
            state.full_picture = True
            return self._advance(state, replies)
        return Outcome(state, replies + [Reply(texts.AFTER_VERDICT, texts.HELP_BUTTONS)])

    def _not_understood(self, state: State, replies: List[Reply]) -> Outcome:
        pending = self._pending_definitions(state)
        if not pending:
            return Outcome(state, replies + [Reply(texts.NOTHING_PENDING, texts.HELP_BUTTONS)])
        state.misunderstood += 1
        if state.misunderstood >= MAX_MISUNDERSTOOD:
            state.misunderstood = 0
            for definition in pending:
                state.facts.setdefault(definition.key, None)  # a month asked again for its day stays
            return self._advance(state, replies + [Reply(texts.SKIPPING)])
        question = Question(tuple(pending))
        unit = pending[0].unit
        hint = texts.NOT_UNDERSTOOD[question.answer_type].format(unit_hint=f" (in {unit})" if unit else "")
        replies.append(Reply(hint))
        replies.append(self._question_reply(state, question))
        return Outcome(state, replies)

    # -- helpers -------------------------------------------------------------------------
    def _trial(self, state: State):
        trials = self.catalogue.trials
        trial_id = state.trial_id if state.trial_id in trials else self.default_trial
        return trials[trial_id] if trial_id in trials else trials[sorted(trials)[0]]

    def _evaluate(self, state: State) -> TrialResult:
        return evaluate(self._trial(state), state.facts, self.vocabulary, self.today())

    def _remaining(self, state: State, result: TrialResult) -> bool:
        return bool(candidate_facts([result], state.facts.keys(), self.vocabulary, self.today()))

    def _pending_definitions(self, state: State) -> List[FactDefinition]:
        return [self.vocabulary[k] for k in state.pending or () if k in self.vocabulary]

    def _question_reply(self, state: State, question: Question) -> Reply:
        return Reply(question.text(state.subject), question.buttons(), question.contract())

    def _verdict_reply(self, state: State, result: TrialResult) -> Reply:
        state.verdict = result.status.value
        return Reply(verdict_text(result, state.subject), custom=verdict_payload(result))
