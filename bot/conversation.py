"""The screening conversation: one turn in, the replies and the new state out.

Plain Python with no Rasa imports: the Rasa actions in ``actions/`` only move the state in and
out of slots and send the replies. The state is small and JSON-serialisable, so the conversation
lives in Rasa's tracker store and survives restarts.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from bot import i18n, language_choice, reply_contract, screening_core, texts
from bot.evaluation import Status, TrialResult, Verdict, evaluate
from bot.explain import facts_summary, verdict_text
from bot.extraction import TRIAL_ID, ReadingProblem, extract
from bot.facts import AnsweredBy, FactDefinition, FactType, Vocabulary, asked_together, describe_value, is_date_range, said_subject, question_wording
from bot.matching import Matcher, one_line_reason, rank, select_trials
from bot.places import ANYWHERE, Place, distinct_places, gazetteer, is_near, is_open, nearest, place_name
from bot.parsing import acts
from bot.parsing.answers import GRUDGING_YES, NOT_NOW, STARTS
from bot.parsing.left_unread import left_unread
from bot.questions import Question, candidate_facts, next_question
from bot.trials import Kind, Trial
from bot.parsing import chinese
from bot.understanding import (ANSWER, EMPTY, MAX_MESSAGE_LENGTH, TOO_LONG, UNREADABLE, Context, Reader,
                               Understanding, facts_named, move_reading, read_spans, says)

# The "no" that opens a reply to a check-back, and the apology after it: what follows is the real answer
DECLINED_WITH = re.compile(r"^\W*(?:no|nope|nah|not\s+really|wrong)\b\W*(?:sorry\W*|i\s+meant\W*)?", re.IGNORECASE)
DECLINED_WITH_ZH = re.compile(r"^[\s，,。.！!：:]*(?:不对|不太对|不正确|有(?:一|一点|个地方|一个地方|一条)?(?:不对|错)|错了)(?:了|的)?[\s，,。.！!：:]*")
# the parts of a correction, each read for the fact it names: clauses ("platelets 25, survival not sure"; not the
# comma of "22,000" nor the point of "22.5")
CORRECTION_PARTS = re.compile(r"[;!?，。；！？\n]+|,(?!\d{3}\b)|\.(?!\d)|\s+(?:and|but)\s+", re.IGNORECASE)
MAX_MISUNDERSTOOD = 2  # after this many answers in a row that settle nothing, a question is left open
MAX_REPEATS = 2  # nor is any question asked more than twice in a row: then it is left open, and the bot says so


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
    misunderstood: int = 0  # answers in a row that did not settle the open question
    repeats: int = 0  # times in a row the open question was asked again
    matching: bool = False  # matching against the catalogue rather than screening one trial
    candidates: Optional[List[str]] = None  # the trials matched (None: the whole catalogue)
    confirm: Optional[Dict[str, Any]] = None  # readings offered back for a yes or no before they are stored
    held: Dict[str, Any] = field(default_factory=dict)  # facts told before consent: used once it is given
    # dates told as a range of days that a criterion cannot be decided on ("four or five weeks ago" for "more
    # than 1 month since"): not stored while a closer date is asked; "I don't know" to that stores them as said
    held_ranges: Dict[str, Any] = field(default_factory=dict)
    read_back: bool = False  # the facts behind the verdict were read back and confirmed
    handoff: bool = False  # asked for a person: flagged for the study team's follow-up
    place: Optional[str] = None  # where the person lives or can travel, for a matching ("anywhere"); None: not asked
    language: Optional[str] = None  # "en" or "zh-CN" (bot/i18n.py); None: not chosen yet, English
    said_last: Optional[str] = None  # a digest of the person's last message, to know it when sent again word for word

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
    language: Optional[str] = None  # the language the client asks for (REST metadata), if any


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
    new_beginning: bool = False  # nothing said before matters any more (start over, new patient): a new session


class Screening:
    """Runs the screening for one trial at a time against a catalogue of trials.

    ``catalogue``: the trials and their vocabulary (bot.store.Catalogue, or any object with
    ``trials``, ``vocabulary`` and ``ids()``). ``date_order``: "DMY" or "MDY" where the site's
    all-number dates are read one way; None asks which is meant.
    """

    def __init__(self, catalogue: Any, default_trial: Optional[str] = None,
                 today: Callable[[], date] = date.today, date_order: Optional[str] = None) -> None:
        self.catalogue = catalogue
        self.default_trial = default_trial
        self.today = today
        self.date_order = date_order
        self._matchers: Dict[Tuple[int, Tuple[str, ...]], Matcher] = {}  # person-independent start states
        self._reader: Optional[Tuple[Vocabulary, date, Reader]] = None

    @property
    def vocabulary(self) -> Vocabulary:
        return self.catalogue.vocabulary

    def reader(self) -> Reader:
        """The understanding step over the current vocabulary and day."""
        vocabulary, today = self.vocabulary, self.today()
        if self._reader is None or self._reader[0] is not vocabulary or self._reader[1] != today:
            self._reader = (vocabulary, today, Reader(vocabulary, today))
        return self._reader[2]

    def understand(self, state: State, turn: Turn, clinical: bool = False) -> Understanding:
        # a yes or no to a check-back, a read-back or an offer answers that, not the open question
        answers_question = state.consent and state.offer not in ("confirm", "readback", "more_questions")
        # asked for a closer date than a range, the answer is read against the range: "no" leaves it as it stands
        closer_than = {k: v for k, v in state.held_ranges.items() if answers_question and k in (state.pending or ())}
        context = Context(self._pending_definitions(state) if answers_question else (), {**state.facts, **closer_than}, clinical,
                          self.date_order, subject_fixed=bool(state.facts or state.subject),
                          about_someone_else=bool(state.subject), subject=state.subject, correcting=state.offer == "fix")
        return self.reader().understand(turn.text, turn.intent, turn.confidence, context)

    # -- entry points, one per kind of user turn -----------------------------------------
    def respond(self, state: State, turn: Turn) -> Outcome:
        """Any message, answered in the conversation's language (bot.language_choice): its meaning is
        decided once (bot.understanding), then acted on."""
        language = language_choice.choose(state.language, turn.language, turn.text)
        state = replace(state, facts=dict(state.facts), language=language)
        with i18n.override(language):
            if language_choice.requested(turn.text):  # "English please", "请用中文": not an answer
                return self._repeat_question(state, [Reply(texts.LANGUAGE_SWITCHED)])
            if state.said_last == _digest(turn.text) and state.offer in ("confirm", "readback") and len(turn.text.split()) > 2:
                # the first answer repeated rather than a yes or no to what was read from it ("yes but only
                # once", twice): not a confirmation, whatever word it starts with
                return self._repeat_question(state, [Reply(texts.SENT_AGAIN)])
            outcome = self._respond(state, turn)
        # kept only while a check-back or read-back of this message waits for a yes or no
        outcome.state.said_last = _digest(turn.text) if outcome.state.offer in ("confirm", "readback") else None
        return outcome

    def _respond(self, state: State, turn: Turn) -> Outcome:
        understanding = self.understand(state, turn)
        act = understanding.act
        if act == TOO_LONG:
            length = f"{len(turn.text):,}"
            return self._repeat_question(state, [Reply(texts.TOO_LONG.format(length=length, limit=f"{MAX_MESSAGE_LENGTH:,}"))])
        if act == EMPTY:
            return self._repeat_question(state, [Reply(texts.EMPTY)])
        if act == UNREADABLE:
            if state.consent and state.pending:
                return self._not_understood(state, [], texts.UNREADABLE)
            return self._repeat_question(state, [Reply(texts.UNREADABLE, texts.UNREADABLE_BUTTONS,
                                                       reply_contract.not_understood())])
        if act == acts.WHY:
            return self.explain_why(state)
        if act == acts.SHOW_FACTS:
            return self.show_facts(state)
        if act == acts.SHOW_VERDICT:
            return self.show_verdict(state, turn)
        if act == acts.START_OVER:
            return self.start_over(state)
        if act in (acts.DELETE_ANSWERS, acts.WITHDRAW_CONSENT):
            return self.delete_answers(state)
        if act in acts.QUESTIONS_TO_THE_BOT and not (act == acts.ASK_LOCATION and state.offer == "place"):
            return self.about_the_study(state, act)  # "near London" answers "where do you live?"
        if act in (acts.THANKS, acts.GOODBYE, acts.BOT_CHALLENGE):
            return self._repeat_question(state, [Reply(texts.SMALL_TALK[act])])
        return self._answer(state, understanding, turn)

    def _answer(self, state: State, understanding: Understanding, turn: Turn) -> Outcome:
        """An answer, volunteered facts, a greeting or a request to check a trial."""
        replies: List[Reply] = []
        if understanding.also == acts.WHY and state.consent:  # "why does diabetes matter? I do have it": why, then on
            why = self._why_reply(state)
            if why is not None:
                replies.append(why)
        elif understanding.also and state.consent:  # "yes - gums and nose. Also is the hospital in Tianjin?"
            replies.append(self._about_the_study_reply(state, understanding.also))
        found = understanding.found
        known_trials, unknown_trials = screening_core.named_trials(found.trial_ids, self.catalogue.trials)
        if unknown_trials:
            some, more = screening_core.some_trials(self.catalogue.ids())
            replies.append(Reply(texts.UNKNOWN_TRIAL.format(
                trial_id=", ".join(unknown_trials), trials=", ".join(some) + (texts.AND_MORE if more else ""))))
        if found.wants_catalogue:
            self._start_matching(state, turn.text, replies)
        elif known_trials and state.matching and state.consent:
            return self._trial_details(state, known_trials[0], replies)
        elif known_trials:
            state.matching, state.trial_id = False, known_trials[0]
        if found.subject:
            state.subject = found.subject
        if not state.consent:
            return self._consent(state, understanding, replies)
        reply = understanding.reply
        offer, state.offer = state.offer, None
        if offer == "confirm" and state.confirm:
            offered, state.confirm = state.confirm, None
            if reply in ("yes", "no") and not understanding.facts:
                rest = DECLINED_WITH.sub("", understanding.text, count=1) if reply == "no" else ""
                if len(rest.split()) >= 2:  # "no, sorry, they stayed low": the answer itself, read as one
                    state.pending = [k for k in offered if k in self.vocabulary][:1] or None
                    again = self.understand(state, Turn(rest))
                    if again.act == ANSWER and again.settles_something:
                        return self._answer(state, again, Turn(rest))
                return self._confirmed(state, offered, reply == "yes", replies)
        state.confirm = None
        if offer == "place":
            read = self._read_place(state, understanding.text, replies)
            if not understanding.settles_something:
                return self._advance(state, replies) if read else self._place_not_read(state, replies)
            # "London, and I'm 62" (or just "I'm 62"): the facts are read below, the place asked after
        if offer == "readback" and reply in ("yes", "no", "unknown") and not understanding.facts:
            if reply == "yes":
                state.read_back = True
                return self._advance(state, replies)
            # "no", or "not sure" (not a yes): what is wrong is asked for
            state.offer, state.repeats = "fix", 0
            rest = DECLINED_WITH.sub("", DECLINED_WITH_ZH.sub("", understanding.text, count=1), count=1).strip()
            if len(rest.split()) >= 2 or chinese.HAS_HAN.search(rest) or self._named_in_correction(state, rest):
                # "no, my platelets are 25", "I don't know the platelet count", "不对，血小板我其实不清楚": the
                # correction itself, read as one
                again = self.understand(state, Turn(rest))
                if again.act == ANSWER and (again.settles_something or self._named_in_correction(state, rest)):
                    return self._answer(state, again, Turn(rest))
            return Outcome(state, replies + [Reply(texts.READBACK_FIX)])
        if offer == "more_questions" and reply in ("yes", "no") and not understanding.facts:
            if reply == "no":
                return Outcome(state, [Reply(texts.MORE_DECLINED)])
            state.full_picture = True
            return self._advance(state, replies)
        unread: List[str] = []
        if offer == "fix":  # after "something's wrong" in the read-back: a correction, whatever it names
            unread = self._read_correction(state, understanding, turn.text)
        if not understanding.settles_something and state.last_asked and not state.pending and understanding.corrects:
            # a bare value that corrects the last answer, once the question has moved on
            asked = [self.vocabulary[k] for k in state.last_asked if k in self.vocabulary]
            found = extract(understanding.text, self.vocabulary, asked, self.today(), date_order=self.date_order)
            understanding.facts.update(found.values)
        if not understanding.settles_something:
            if understanding.act == acts.GREET or known_trials or found.subject or found.wants_catalogue:
                return self._advance(state, replies)
            if offer == "fix":
                return self._correction_not_read(state, unread, replies)
            if not state.pending and reply is not None:
                return self._after_verdict(state, reply, replies)
            return self._not_understood(state, replies)
        if "bundle" in understanding.follow_ups:  # "yes" to a bundled list: its items one by one
            topic = self._pending_definitions(state)[0].topic if state.pending else None
            if topic and topic not in state.expanded:
                state.expanded = [*state.expanded, topic]
        if state.pending:
            state.last_asked = state.pending
        self._offer_back_unsure_passes(state, understanding)
        previous = dict(state.facts)
        replies += self._apply(state, understanding.facts, understanding.problems)
        if state.facts != previous:
            state.read_back = False
        new_ranges = self._ranges_told(state, previous)
        asked_again = self._ask_again(state, understanding, replies)
        if asked_again is not None:
            return asked_again
        return self._advance(state, replies, new_ranges)

    def _offer_back_unsure_passes(self, state: State, understanding: Understanding) -> None:
        """A reading that would move a criterion towards passing, from a message with words left unread, is
        offered back rather than stored: the words the bot could not read may take it back ("no, just my
        sugar"). A reading that rules the person out is stored (the read-back before the verdict repeats it),
        and one that no criterion of the trial asks about changes nothing."""
        if not understanding.facts or state.matching or understanding.text.startswith("/"):
            return  # a button's payload ("/affirm") is read as said
        asked = self._pending_definitions(state)
        read = read_spans(understanding, self.vocabulary, asked)
        if not left_unread(understanding.text, read, [text for d in asked for text in question_wording(d)]):
            return
        trial, today = self._trial(state), self.today()
        before = {r.criterion.id: (r.status, r.missing) for r in evaluate(trial, state.facts, self.vocabulary, today).criteria}
        for key, value in list(understanding.facts.items()):
            if value is None or key not in self.vocabulary:
                continue
            after = evaluate(trial, {**state.facts, key: value}, self.vocabulary, today).criteria
            moved = [r for r in after if (r.status, r.missing) != before[r.criterion.id]]
            if moved and not any(r.status is Status.NOT_MET for r in moved):
                understanding.checks[key] = understanding.facts.pop(key)

    def _told(self, state: State) -> List[FactDefinition]:
        """The facts the person has answered (a read-back's lines among them), which a correction can name."""
        return [self.vocabulary[k] for k in state.facts if k in self.vocabulary and self.vocabulary[k].askable]

    def _named_in_correction(self, state: State, text: str) -> bool:
        return bool(facts_named(text, self.vocabulary, self._told(state)))

    def _read_correction(self, state: State, understanding: Understanding, text: str) -> List[str]:
        """A correction after "something is wrong" in the read-back, read as the answer to the fact it names, as if
        that fact's question had been asked ("survival: not sure", "actually I don't know my platelet count",
        "血小板我其实不清楚": not known; "platelets maybe 25": offered back; after "label:", what follows it). A
        message that names several facts is read so clause by clause ("platelets 25, survival not sure"), each
        clause that names one. What that reads of the fact replaces what the message read of it alone; the facts
        named that nothing settles are returned, to be asked again."""
        told = self._told(state)
        named_in_all = facts_named(text, self.vocabulary, told)
        unread: List[str] = []
        for part in ([text] if len(named_in_all) == 1 else CORRECTION_PARTS.split(text)):
            named = facts_named(part, self.vocabulary, told)
            if len(named) != 1:
                continue
            definition = named[0]
            label, colon, value = part.partition(":") if ":" in part else part.partition("：")
            said = value if colon and facts_named(label, self.vocabulary, [definition]) else part
            said = DECLINED_WITH.sub("", DECLINED_WITH_ZH.sub("", said, count=1), count=1)
            again = self.understand(replace(state, pending=[definition.key], offer="fix"), Turn(said)) if said.strip() else None
            if again is not None and again.act == ANSWER and says(again, definition.key):
                move_reading(again, understanding, definition.key)
            elif not says(understanding, definition.key) and definition.key not in unread:
                unread.append(definition.key)
        return unread

    def _correction_not_read(self, state: State, unread: Sequence[str], replies: List[Reply]) -> Outcome:
        """A correction that settled nothing: the fact it names asked again; a message that names none is asked
        for once more, saying how, then the read-back comes again (never a dead end: a question or a verdict)."""
        state.misunderstood = 0
        if unread:
            state.pending, state.repeats = [unread[0]], 0
            return Outcome(state, replies + [self._question_reply(state, Question((self.vocabulary[unread[0]],)))])
        if state.repeats < 1:
            state.offer, state.repeats = "fix", state.repeats + 1
            return Outcome(state, replies + [Reply(texts.READBACK_FIX_NOT_READ, custom=reply_contract.not_understood())])
        state.repeats = 0
        read_back = self._read_back(state, self._evaluate(state))
        if read_back is not None:
            state.offer = "readback"
            return Outcome(state, replies + [read_back])
        return self._advance(state, replies)

    @staticmethod
    def _ranges_told(state: State, previous: Mapping[str, Any]) -> List[str]:
        """The date facts just given as a range of days. A range held while a closer date was asked is let go
        once its fact has a value: the day asked for, or the range itself ("I don't know"), which is not new."""
        held = state.held_ranges
        state.held_ranges = {k: v for k, v in held.items() if k not in state.facts}
        return [k for k, v in state.facts.items() if is_date_range(v) and previous.get(k) != v and held.get(k) != v]

    def _ask_again(self, state: State, understanding: Understanding, replies: List[Reply]) -> Optional[Outcome]:
        """What the message left to confirm or to ask: a check-back, a choice, a follow-up, a problem."""
        if understanding.checks:
            # nothing stays asked meanwhile: were the offer ever lost, a "yes" could not answer the question
            state.confirm, state.offer, state.pending = dict(understanding.checks), "confirm", None
            return Outcome(state, replies + [self._check_back_reply(state)])
        for key, options in understanding.options.items():
            definition = self.vocabulary[key]
            labels = [describe_value(definition, option) for option in options]
            state.pending = [key]
            custom = reply_contract.question([key], "choice", choices=options)
            buttons = [{"title": label, "payload": option} for label, option in zip(labels, options)]
            return Outcome(state, replies + [Reply(texts.WHICH_DATE.format(label=definition.shown_label, options=texts.OR.join(labels)),
                                                   buttons, custom)])
        notes = []
        for key, why in understanding.follow_ups.items():
            if key == "bundle" or key not in self.vocabulary:
                continue
            definition = self.vocabulary[key]
            kind, _, detail = why.partition(":")
            if kind == "bound":
                notes.append((key, texts.FOLLOW_UP_BOUND.format(words=detail, label=definition.shown_label)))
            elif kind == "several":
                notes.append((key, texts.FOLLOW_UP_SEVERAL.format(values=detail, label=definition.shown_label)))
            elif kind == "mixed":
                notes.append((key, texts.MIXED_ANSWER.format(label=definition.shown_label)))
            elif kind == "missing":  # left unsaid in an answer to facts asked together: asked alone
                notes.append((key, ""))
            else:
                notes.append((key, definition.shown_unsure_note or texts.NOT_UNDERSTOOD["text"]))
        if understanding.problems:
            unclear = [p.fact for p in understanding.problems
                       if p.fact in self.vocabulary and self.vocabulary[p.fact].askable]
            notes += [(key, "") for key in unclear]
        if not notes:
            return None
        # what needs saying ("250 years for age is outside ...") before what was only left unsaid
        unsaid_keys = {key for key, why in understanding.follow_ups.items() if why == "missing"}
        notes = sorted(((key, note) for key, note in notes if self._still_needed(state, key, key in unsaid_keys)),
                       key=lambda n: n[0] in unsaid_keys)
        if not notes:
            return None  # "not relevant, I'm past menopause": what settled it makes the follow-up moot
        key = notes[0][0]
        if not self.vocabulary[key].askable:
            return None
        # the facts left unsaid of those asked together, asked together again when they are a smaller group
        # ("lung cancer" to the cancer, age and sex: "How old are you, and are you a man or a woman?")
        # (the first of them with its own ``ask_with``, when all of those were left unsaid too)
        unsaid = [self.vocabulary[k] for k, _ in notes if k in unsaid_keys]
        group = (unsaid[0], *(self.vocabulary[k] for k in unsaid[0].ask_with)) if unsaid else ()
        smaller = (unsaid and unsaid[0].key == key and set(unsaid[0].ask_with) <= {d.key for d in unsaid}
                   and asked_together(group) and len(group) < len(state.pending or ()))
        question = Question(group if smaller else (self.vocabulary[key],))
        again = state.pending == question.keys
        if again and (state.misunderstood + 1 >= MAX_MISUNDERSTOOD or state.repeats >= MAX_REPEATS):
            return self._leave_open(state, replies)
        unsaid_only = set(question.keys) <= unsaid_keys  # asked for the first time, not misunderstood
        state.misunderstood = state.misunderstood + 1 if again else (0 if unsaid_only else 1)
        state.repeats = state.repeats + 1 if again else 0
        state.pending = question.keys
        replies += [Reply(note) for k, note in notes if note and k == key]
        replies.append(self._question_reply(state, question))
        return Outcome(state, replies)

    def _still_needed(self, state: State, key: str, or_implied: bool = False) -> bool:
        """Whether an answer about ``key`` could still change a criterion of the trial(s) screened, itself
        or (``or_implied``: a fact asked with others and left unsaid) by what it implies (the sex, asked
        with the age: a man is not pregnant)."""
        if key not in self.vocabulary or not self.vocabulary[key].askable:
            return False
        results = self.match(state) if state.matching else [self._evaluate(state)]
        facts = {k: v for k, v in state.facts.items() if k != key}  # as if it were not answered: counted afresh
        needed = {d.key for d in candidate_facts(results, facts, self.vocabulary, self.today())}
        return key in needed or or_implied and any(d.key in needed for d in self.vocabulary.implied_by_source().get(key, ()))

    def _confirmed(self, state: State, offered: Mapping[str, Any], yes: bool, replies: List[Reply]) -> Outcome:
        """A yes or no to a check-back: the reading is stored, or the question asked again."""
        if yes:
            previous = dict(state.facts)
            replies += self._apply(state, offered, (), confirmed=True)
            if state.facts != previous:
                state.read_back = False
            return self._advance(state, replies, self._ranges_told(state, previous))
        askable = [k for k in offered if k in self.vocabulary and self.vocabulary[k].askable]
        if not askable:
            return self._advance(state, replies + [Reply(texts.CHECK_BACK_DECLINED)])
        state.pending = askable[:1]
        replies.append(Reply(texts.CHECK_BACK_DECLINED))
        return Outcome(state, replies + [self._question_reply(state, Question((self.vocabulary[askable[0]],)))])

    def _check_back_reply(self, state: State) -> Reply:
        """The readings on offer, for a yes or a no (with the facts they are about in ``custom.confirm``)."""
        offered = state.confirm or {}
        lines = [self._check_line(key, value) for key, value in offered.items()]
        custom = reply_contract.check_back(offered)
        about = texts.ABOUT_SUBJECT.format(subject=said_subject(state.subject)) if state.subject else ""
        return Reply(texts.CHECK_BACK.format(about=about, reading=texts.LIST_SEPARATOR.join(lines)),
                     texts.CHECK_BACK_BUTTONS, custom)

    def _check_line(self, key: str, value: Any) -> str:
        definition = self.vocabulary[key]
        return texts.FACT_LINE.format(label=definition.shown_label, value=describe_value(definition, value))

    def about_the_study(self, state: State, act: str) -> Outcome:
        """The person's own questions: the study medicine, where it runs, whom to contact, a person.
        Never counted as an answer that failed."""
        return self._repeat_question(state, [self._about_the_study_reply(state, act)])

    def _about_the_study_reply(self, state: State, act: str) -> Reply:
        trial = self._trial(state)
        contact = texts.VERDICT_HOW_TO_JOIN.format(contact=trial.shown("contact"), where=self._where(trial), url=trial.url)
        custom: Optional[Dict[str, Any]] = None
        if act == acts.ASK_DRUG:
            text = texts.ABOUT_DRUG.format(drugs=", ".join(trial.shown("interventions") or []) or texts.A_MEDICINE,
                                           summary=trial.info.get("summary") or trial.shown("brief_title"))
        elif act == acts.ASK_LOCATION:
            text = texts.ABOUT_PLACE.format(where=self._where(trial))
        elif act == acts.ASK_HUMAN:
            state.handoff = True
            text, custom = texts.ABOUT_HUMAN.format(contact=contact), reply_contract.handoff()
        else:
            text = texts.ABOUT_NEXT.format(contact=contact)
        if trial.only_in_english:
            text += "\n" + texts.ONLY_IN_ENGLISH
        return Reply(text, custom=custom)

    @staticmethod
    def _where(trial: Trial) -> str:
        places = [", ".join(p for p in (loc.facility, loc.city, loc.country) if p) for loc in trial.locations]
        places = list(dict.fromkeys(p for p in places if p))
        if not places:
            return texts.PLACE_UNKNOWN
        if len(places) == 1:
            return texts.ONE_PLACE.format(place=i18n.translated(trial.translations, "where", places[0]))
        return texts.SEVERAL_PLACES.format(places="; ".join(places[:5]) + (texts.AND_MORE if len(places) > 5 else ""))

    def holds_facts(self, text: str) -> bool:
        """Whether a message names any fact, whatever else it says ("thanks, she is 62")."""
        return bool(extract(text, self.vocabulary, (), self.today()).values)

    def explain_why(self, state: State) -> Outcome:
        """"Why do you ask?": the criteria behind the open question."""
        if not state.pending or not state.consent:
            # the check-back, read-back or correction still open is asked again
            return self._repeat_question(state, [Reply(texts.WHY_NOTHING)]) if state.consent else Outcome(state, [Reply(texts.WHY_NOTHING)])
        return self._repeat_question(state, [self._why_reply(state) or Reply(texts.WHY_NOTHING)])

    def _why_reply(self, state: State) -> Optional[Reply]:
        """The criteria behind the open question, or None when nothing is asked."""
        if not state.pending:
            return None
        trial = self._trial(state)
        asked = set(state.pending)
        reasons = [texts.WHY.format(text=c.text, why=c.shown_why) for c in trial.criteria if asked.intersection(c.rule.facts)]
        if reasons and trial.only_in_english:
            reasons.insert(0, texts.ONLY_IN_ENGLISH)
        return Reply("\n\n".join(reasons) or texts.WHY_NOTHING)

    def show_facts(self, state: State) -> Outcome:
        told = {**state.facts, **state.held_ranges}  # a range held while a closer date is asked was told too
        replies = [Reply(facts_summary(told, self.vocabulary), custom=reply_contract.facts(told))]
        if state.consent:  # the question, check-back or read-back still open
            return self._repeat_question(state, replies)
        return Outcome(state, replies)

    def start_over(self, state: State) -> Outcome:
        fresh = State(consent=state.consent, trial_id=state.trial_id, language=state.language)
        if not fresh.consent:
            return replace(self._consent(fresh, None, []), new_beginning=True)
        return replace(self._advance(fresh, [Reply(texts.STARTING_OVER)]), new_beginning=True)

    def delete_answers(self, state: State) -> Outcome:
        # "deleted" tells a client to forget its own copy too (the website chat's transcript and id)
        # the language is no answer about anyone's health: the conversation goes on in it
        return Outcome(State(language=state.language), [Reply(texts.DELETED, custom=reply_contract.deleted())])

    def show_verdict(self, state: State, turn: Turn = Turn("")) -> Outcome:
        """The verdict as it stands now, whatever is still unknown; in a matching, the ranking, or
        the full verdict of the trial the message names ("the results for NCT04330521")."""
        if not state.consent:
            return self._consent(state, None, [])
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
            replies.append(Reply(texts.OFFER_MORE, texts.YES_NO_BUTTONS[:2]))
        return Outcome(state, replies)

    # -- steps ---------------------------------------------------------------------------
    def _consent(self, state: State, understanding: Optional[Understanding], replies: List[Reply]) -> Outcome:
        """Consent before any health question: only a yes in words or the button gives it. Facts told
        before it are held in the conversation, not stored as facts, and used once it is given; readings
        to confirm are held as a check-back, offered once it is given."""
        reply = understanding.reply if understanding is not None else None
        if reply == "no" and GRUDGING_YES.search(understanding.text):
            reply = "yes"  # asked only whether to start, a doubt given up at the end ("... but ok") agrees
        elif reply is None and understanding is not None and STARTS.match(understanding.text):
            reply = "yes"
        elif reply in ("unknown", None) and understanding is not None and NOT_NOW.match(understanding.text):
            reply = "no"
        if understanding is not None and (understanding.facts or understanding.checks):
            # what would be offered back after consent is held to offer back then ("my platelets were 22 when
            # the nurse rang"), as a check-back
            self._offer_back_unsure_passes(state, understanding)
            state.held = {**state.held, **{k: v for k, v in understanding.facts.items() if v is not None}}
            offered = {k: v for k, v in understanding.checks.items() if k in self.vocabulary and k not in state.held}
            state.confirm = {**(state.confirm or {}), **offered} or None
        if state.offer == "consent" and reply == "yes":
            state.consent, state.offer = True, None
            held, state.held = state.held, {}
            replies.append(Reply(texts.CONSENT_GIVEN))
            if held:
                replies.append(Reply(texts.HELD_FACTS))
                replies += self._apply(state, held, ())
            if state.confirm:
                state.offer = "confirm"
                return Outcome(state, replies + [self._check_back_reply(state)])
            return self._advance(state, replies, self._ranges_told(state, {}))
        trial = self._trial(state)
        if state.offer == "consent" and reply == "no":
            state.consent, state.offer, state.held, state.confirm = False, None, {}, None
            return Outcome(state, replies + [Reply(texts.CONSENT_DECLINED.format(url=trial.url))])
        state.offer = "consent"
        if state.matching:
            count = len(state.candidates) if state.candidates is not None else len(self.catalogue.trials)
            near = texts.NEAR_PLACE.format(place=state.place) if state.place not in (None, "anywhere") else ""
            welcome = texts.WELCOME_MATCHING.format(count=f"{count:,}", near=near)
        else:
            welcome = texts.WELCOME.format(trial_title=trial.shown("brief_title"), trial_id=trial.id)
            if len({(loc.city, loc.country) for loc in trial.locations}) == 1:
                welcome = welcome.replace("\n", "\n" + texts.SINGLE_SITE.format(where=self._where(trial)) + "\n", 1)
            if trial.only_in_english:
                welcome = welcome.replace("\n", "\n" + texts.ONLY_IN_ENGLISH + "\n", 1)
        consent = reply_contract.question([reply_contract.CONSENT], "yes_no")
        return Outcome(state, replies + [Reply(welcome, texts.CONSENT_BUTTONS, consent)])

    def _apply(self, state: State, values: Mapping[str, Any], problems: Sequence[ReadingProblem],
               confirmed: bool = False) -> List[Reply]:
        """Store new facts, saying what was noted or changed and refusing contradictions."""
        replies = [Reply(p.message) for p in problems]
        conflicts = screening_core.conflicts(self.vocabulary, state.facts, values)
        noted, updated, changed = [], [], []
        for change in screening_core.store(state.facts, values, self.vocabulary, refused=conflicts):
            key, definition = change.key, self.vocabulary[change.key]
            if change.updated:
                updated.append(texts.UPDATED.format(label=definition.shown_label, old=describe_value(definition, change.old),
                                                    new=describe_value(definition, change.new)))
                changed.append(key)
            elif (confirmed or key not in (state.pending or [])) and change.new is not None:
                noted.append(self._check_line(key, change.new))
        if conflicts:
            earlier = [self._check_line(key, value) for key, value in conflicts.values()]
            replies.append(Reply(texts.CONFLICT.format(earlier=texts.LIST_SEPARATOR.join(earlier))))
        if noted:
            replies.append(Reply(texts.NOTED.format(facts=texts.LIST_SEPARATOR.join(noted))))
        replies += [Reply(line, custom=reply_contract.updated([key])) for line, key in zip(updated, changed)]
        return replies

    def _advance(self, state: State, replies: List[Reply], new_ranges: Sequence[str] = ()) -> Outcome:
        """Ask the next question, or give the verdict once no answer can change it.

        ``new_ranges``: date facts just given as a range of days, held and asked again for a closer
        date first if a criterion cannot be decided on them.
        """
        if state.matching:
            return self._advance_matching(state, replies, new_ranges)
        result = self._evaluate(state)
        decided = result.status is Verdict.NOT_ELIGIBLE and not state.full_picture
        told = dict(state.facts)
        # a verdict decided waits on no closer date: a range told stands as said
        question = (self._closer_date_question(state, [] if decided else [result], new_ranges, replies)
                    or next_question([result], state.facts, self.vocabulary, state.expanded, self.today()))
        if question is None or decided:
            if state.facts != told:  # a range held until now stands: the verdict's explanations say so
                result = self._evaluate(state)
            state.pending = None
            read_back = self._read_back(state, result)
            if read_back is not None:
                state.offer = "readback"
                return Outcome(state, replies + [read_back])
            replies.append(self._verdict_reply(state, result))
            if question is not None:
                state.offer = "more_questions"
                replies.append(Reply(texts.OFFER_MORE, texts.YES_NO_BUTTONS[:2]))
            return Outcome(state, replies)
        if question.keys == state.pending:  # asked again: the answer settled something else
            if state.repeats >= MAX_REPEATS:
                return self._leave_open(state, replies)
            state.repeats += 1
        else:
            state.misunderstood = state.repeats = 0
        state.pending = question.keys
        replies.append(self._question_reply(state, question))
        return Outcome(state, replies)

    def _read_back(self, state: State, result: TrialResult) -> Optional[Reply]:
        """Before "likely eligible", and before "not eligible" decided by one answer, the facts that
        decided it, for the person to confirm or fix (None when there is nothing to read back)."""
        if state.read_back or state.full_picture:
            return None
        said = {k: v for k, v in state.facts.items() if v is not None and k in self.vocabulary}
        if result.status is Verdict.LIKELY_ELIGIBLE:
            deciding = [k for r in result.criteria if r.criterion.kind is Kind.INCLUSION and r.status is Status.MET
                        for k in r.criterion.rule.facts if k in said]
            excluded_none = [k for r in result.criteria if r.criterion.kind is Kind.EXCLUSION
                             for k in r.criterion.rule.facts if said.get(k) is False]
        elif result.status is Verdict.NOT_ELIGIBLE:
            not_met = [r for r in result.criteria if r.status is Status.NOT_MET]
            deciding = [k for k in not_met[0].criterion.rule.facts if k in said] if len(not_met) == 1 else []
            if len(set(deciding)) != 1:
                return None
            excluded_none = []
        else:
            return None
        deciding = list(dict.fromkeys(deciding))
        if not deciding:
            return None
        others = list(dict.fromkeys(k for k in excluded_none if k not in deciding))
        lines = [texts.LIST_ITEM.format(item=line) for line in self._read_back_lines(deciding, said, len(others))]
        about = texts.FOR_SUBJECT.format(subject=said_subject(state.subject)) if state.subject else ""
        custom = reply_contract.read_back({k: said[k] for k in deciding})
        return Reply(texts.READBACK.format(about=about, lines="\n".join(lines)), texts.READBACK_BUTTONS, custom)

    def _read_back_lines(self, deciding: Sequence[str], said: Mapping[str, Any], none_of: int) -> List[str]:
        """The deciding facts in a few plain lines, every one of them still visible: the values, the
        dates, then the yes/no answers grouped by what they were ("Yes: ...", "No: ...", the doctor's
        findings apart). One fact
        keeps its own "label: value" line."""
        if len(deciding) == 1 and not none_of:
            return [self._check_line(deciding[0], said[deciding[0]])]
        groups: Dict[str, List[str]] = {"values": [], "dates": [], "yes": [], "doctor_yes": [], "no": []}
        for key in deciding:
            definition = self.vocabulary[key]
            if definition.type is FactType.BOOLEAN and said[key] and definition.answered_by is AnsweredBy.CLINICIAN:
                groups["doctor_yes"].append(definition.shown_label)
            elif definition.type is FactType.BOOLEAN:
                groups["yes" if said[key] else "no"].append(definition.shown_label)
            else:
                groups["dates" if definition.type is FactType.DATE else "values"].append(self._check_line(key, said[key]))
        if none_of:
            groups["no"].append(texts.READBACK_NONE_OF.format(count=none_of))
        lines = [texts.LIST_SEPARATOR.join(groups[name]) for name in ("values", "dates") if groups[name]]
        lines += [texts.READBACK_GROUP[name].format(items=texts.LIST_SEPARATOR.join(groups[name]))
                  for name in ("yes", "doctor_yes", "no") if groups[name]]
        return lines

    def _leave_open(self, state: State, replies: List[Reply]) -> Outcome:
        """The same question would come a third time: leave it open and move on, saying so."""
        for definition in self._pending_definitions(state):
            # a month asked again for its day stays (stored as said, if it was held meanwhile)
            state.facts.setdefault(definition.key, state.held_ranges.get(definition.key))
        state.held_ranges = {k: v for k, v in state.held_ranges.items() if k not in state.facts}
        state.misunderstood = state.repeats = 0
        state.pending = None
        return self._advance(state, replies + [Reply(texts.SKIPPING, custom=reply_contract.not_understood())])

    def _advance_matching(self, state: State, replies: List[Reply], new_ranges: Sequence[str] = ()) -> Outcome:
        """Ask what settles the most trials still open, or rank them once nothing can change; where
        the person lives first, when the trials are in more than one place."""
        if state.place is None and self._spans_places(state):
            state.offer, state.pending = "place", None
            return Outcome(state, replies + [self._place_question()])
        matcher = self.matcher(state)
        results = matcher.results()
        still_open = [r for r in results if r.status is not Verdict.NOT_ELIGIBLE]
        question = (self._closer_date_question(state, still_open, new_ranges, replies)
                    or next_question(still_open, state.facts, self.vocabulary, state.expanded, self.today(),
                                     tallies=matcher))
        if question is None:
            return self._match_results(state, replies, results)
        state.pending = question.keys
        reply = self._question_reply(state, question)
        replies.append(replace(reply, buttons=[*reply.buttons, texts.RESULTS_BUTTON]))
        return Outcome(state, replies)

    def _closer_date_question(self, state: State, results: Sequence[TrialResult], new_ranges: Sequence[str],
                              replies: List[Reply]) -> Optional[Question]:
        """A date fact given as a range that a criterion of ``results`` cannot be decided on ("in October"
        or "less than 2 months ago" for "more than 1 month since"): taken out of the facts and held, and
        asked again for a closer date, with a note added to ``replies``. A range held that no criterion
        waits on any more stands: stored as it was said."""
        waiting = [k for k in new_ranges if self.vocabulary[k].askable and _waits_for(k, results)]
        held = {**state.held_ranges, **{k: state.facts[k] for k in waiting}}
        state.held_ranges = {k: v for k, v in held.items() if _waits_for(k, results)}
        state.facts = {**{k: v for k, v in state.facts.items() if k not in state.held_ranges},
                       **{k: v for k, v in held.items() if k not in state.held_ranges}}
        if not state.held_ranges:
            return None
        asked, value = next(iter(state.held_ranges.items()))  # one at a time, in the order told
        definition = self.vocabulary[asked]
        when = describe_value(definition, value)
        replies.append(Reply(texts.CLOSER_DATE.format(label=definition.shown_label, when=when)))
        return Question((definition,))

    def _match_results(self, state: State, replies: List[Reply],
                       results: Optional[List[TrialResult]] = None) -> Outcome:
        ranked = rank(results if results is not None else self.match(state))
        state.pending = None
        state.verdict = ranked[0].status.value if ranked else None
        lines = [texts.MATCH_HEADER.format(count=len(ranked))]
        fitting = [r for r in ranked if r.status is not Verdict.NOT_ELIGIBLE]
        for number, result in enumerate(fitting[:texts.MATCHES_LISTED], start=1):
            lines.append(texts.MATCH_LINE.format(number=number, trial_id=result.trial.id,
                                                 title=result.trial.shown("brief_title"),
                                                 status=texts.STATUS_NAMES[result.status.value],
                                                 reason=one_line_reason(result)))
        if any(r.trial.only_in_english for r in fitting[:texts.MATCHES_LISTED]):
            lines.append(texts.SOME_ONLY_IN_ENGLISH)
        lines += self._ruled_out_lines([r for r in ranked if r.status is Verdict.NOT_ELIGIBLE])
        closed = sum(1 for t in self.catalogue.trials.values() if not is_open(t))
        if closed:
            lines.append(texts.MATCH_NOT_RECRUITING.format(count=closed))
        lines += [texts.MATCH_MORE, texts.NOT_ADVICE]
        payload = reply_contract.ranking([reply_contract.ranked_verdict(r, one_line_reason(r)) for r in ranked])
        return Outcome(state, replies + [Reply("\n".join(lines), custom=payload)])

    @staticmethod
    def _ruled_out_lines(ruled_out: List[TrialResult]) -> List[str]:
        """The ruled-out trials, grouped by the reason that decided them, most common first."""
        if not ruled_out:
            return []
        common = screening_core.ruled_out(ruled_out, one_line_reason)
        lines = [texts.MATCH_RULED_OUT.format(count=len(ruled_out))]
        for reason, ids in common[:texts.MATCH_RULED_OUT_GROUPS]:
            lines.append(texts.MATCH_RULED_OUT_GROUP.format(count=len(ids), reason=reason[:1].lower() + reason[1:].rstrip("."),
                                                            trial_ids=", ".join(ids[:2])))
        others = sum(len(ids) for _, ids in common[texts.MATCH_RULED_OUT_GROUPS:])
        if others:
            lines.append(texts.MATCH_RULED_OUT_OTHERS.format(count=others))
        return lines

    # -- where the person can take part (a matching over trials in several places) --------
    def _start_matching(self, state: State, text: str, replies: List[Reply]) -> None:
        """"Which trials could fit me (near London)?": the trials open to new patients, narrowed to
        the conditions and places the request names."""
        state.matching, state.trial_id = True, None
        trials = self.catalogue.trials
        named = select_trials(trials, text)
        state.candidates = [t for t in (named if named is not None else trials) if is_open(trials[t])]
        if len(state.candidates) == len(trials):
            state.candidates = None  # the whole catalogue: its matcher is kept ready
        places = gazetteer().find(text)
        if places:
            state.place = self._narrow_to(state, places, replies)

    def _read_place(self, state: State, text: str, replies: List[Reply]) -> bool:
        """The answer to "where do you live?": False when it names no place (nor "anywhere")."""
        places = gazetteer().find(text)
        if places:
            state.place = self._narrow_to(state, places, replies)
        elif ANYWHERE.search(text):
            state.place = "anywhere"
            replies.append(Reply(texts.PLACE_ANYWHERE))
        else:
            return False
        state.repeats = 0
        return True

    def _narrow_to(self, state: State, places: List[Place], replies: List[Reply]) -> str:
        """The candidates with a site in or near ``places``, or all of them, saying which; the place
        as said ("London, United Kingdom"), or "anywhere" when no trial is near it. Before consent
        the welcome names the place (bot.texts.WELCOME_MATCHING), so only "none near" is said."""
        trials = self.catalogue.trials
        pool = state.candidates if state.candidates is not None else list(trials)
        names = " or ".join(place_name(p) for p in places)
        near = [t for t in pool if is_near(trials[t], places)]
        if near:
            state.candidates = near
            if state.consent:
                replies.append(Reply(texts.PLACE_NARROWED.format(count=len(near), places=names)))
            return names
        sites = ", ".join(f"{name} ({km:,.0f} km)" for name, km in nearest((trials[t] for t in pool), places))
        replies.append(Reply(texts.PLACE_NONE_NEAR.format(places=names, count=len(pool),
                                                          nearest=texts.PLACE_NEAREST.format(sites=sites) if sites else "")))
        return "anywhere"

    def _place_not_read(self, state: State, replies: List[Reply]) -> Outcome:
        if state.repeats >= 1:  # asked twice: every place, saying so
            state.place, state.repeats = "anywhere", 0
            return self._advance(state, replies + [Reply(texts.PLACE_LEFT_OPEN)])
        state.repeats, state.offer = state.repeats + 1, "place"
        return Outcome(state, replies + [Reply(texts.PLACE_NOT_READ, custom=reply_contract.not_understood()),
                                         self._place_question()])

    @staticmethod
    def _place_question() -> Reply:
        # "Show my results" ends a matching at any time, as with every question of it
        return Reply(texts.ASK_PLACE, [*texts.PLACE_BUTTONS, texts.RESULTS_BUTTON],
                     reply_contract.question(["place"], "text"))

    def _spans_places(self, state: State) -> bool:
        ids = state.candidates if state.candidates is not None else self.catalogue.ids()
        return distinct_places(self.catalogue.trials[t] for t in ids) > 1

    def _trial_details(self, state: State, trial_id: str, replies: List[Reply]) -> Outcome:
        """The full criterion-by-criterion verdict of one trial of a matching."""
        result = evaluate(self.catalogue.trials[trial_id], state.facts, self.vocabulary, self.today())
        replies.append(Reply(verdict_text(result, state.subject), custom=reply_contract.verdict(result)))
        return self._repeat_question(state, replies)

    def match(self, state: State) -> List[TrialResult]:
        """Every candidate trial's result for the person (all trials unless ``state.candidates``)."""
        return self.matcher(state).results()

    def matcher(self, state: State) -> Matcher:
        """The person's facts against the candidate trials, kept in columns: its results, and the
        running tallies it lends to the question chooser (``tallies=``)."""
        # candidates withdrawn since the matching began are left out
        ids = tuple(t for t in state.candidates if t in self.catalogue.trials) if state.candidates is not None \
            else tuple(self.catalogue.ids())
        key = (id(self.catalogue.trials), ids)
        template = self._matchers.get(key)
        if template is None:
            template = Matcher((self.catalogue.trials[t] for t in ids), self.vocabulary, self.today())
            self._matchers = {key: template}  # one catalogue and candidate set at a time
        matcher = template.copy()
        matcher.update(state.facts)
        return matcher

    def _repeat_question(self, state: State, replies: List[Reply]) -> Outcome:
        """The question, check-back or read-back still open, after a turn that did not answer it."""
        if state.consent and state.offer == "confirm" and state.confirm:
            return Outcome(state, replies + [self._check_back_reply(state)])
        if state.consent and state.offer == "place":
            return Outcome(state, replies + [self._place_question()])
        if state.consent and state.offer == "fix":  # still waiting for the correction
            return Outcome(state, replies + [Reply(texts.READBACK_FIX)])
        if state.consent and state.offer == "readback" and not state.matching:
            read_back = self._read_back(state, self._evaluate(state))
            if read_back is not None:
                return Outcome(state, replies + [read_back])
        if state.consent and state.pending:
            replies.append(self._question_reply(state, Question(tuple(self._pending_definitions(state)))))
            return Outcome(state, replies)
        if not state.consent:
            return self._consent(state, None, replies)
        return Outcome(state, replies)

    def _after_verdict(self, state: State, reply: str, replies: List[Reply]) -> Outcome:
        """A yes or no when nothing is asked: "yes" continues if questions remain, else say what can be done."""
        if reply == "yes" and self._remaining(state, self._evaluate(state)):
            state.full_picture = True
            return self._advance(state, replies)
        return Outcome(state, replies + [Reply(texts.AFTER_VERDICT, texts.HELP_BUTTONS)])

    def _not_understood(self, state: State, replies: List[Reply], hint: Optional[str] = None) -> Outcome:
        pending = self._pending_definitions(state)
        if not pending:
            return Outcome(state, replies + [Reply(texts.NOTHING_PENDING, texts.HELP_BUTTONS, reply_contract.not_understood())])
        if state.misunderstood + 1 >= MAX_MISUNDERSTOOD or state.repeats >= MAX_REPEATS:
            return self._leave_open(state, replies)
        state.misunderstood += 1
        state.repeats += 1
        question = Question(tuple(pending))
        unit = pending[0].unit
        unit_hint = texts.UNIT_HINT.format(unit=texts.UNIT_NAMES.get(unit, unit)) if unit else ""
        hint = hint or texts.NOT_UNDERSTOOD[question.answer_type].format(unit_hint=unit_hint)
        replies.append(Reply(hint, custom=reply_contract.not_understood()))
        replies.append(self._question_reply(state, question))
        return Outcome(state, replies)

    # -- helpers -------------------------------------------------------------------------
    def _trial(self, state: State):
        return screening_core.trial_screened(self.catalogue.trials, state.trial_id, self.default_trial)

    def _evaluate(self, state: State) -> TrialResult:
        return evaluate(self._trial(state), state.facts, self.vocabulary, self.today())

    def _remaining(self, state: State, result: TrialResult) -> bool:
        return bool(candidate_facts([result], state.facts, self.vocabulary, self.today()))

    def _pending_definitions(self, state: State) -> List[FactDefinition]:
        return [self.vocabulary[k] for k in state.pending or () if k in self.vocabulary]

    def _question_reply(self, state: State, question: Question) -> Reply:
        custom = question.contract()
        held = {k: state.held_ranges[k] for k in question.keys if k in state.held_ranges}
        if held:
            custom = reply_contract.closer_date(custom, held)
        return Reply(question.text(state.subject), question.buttons(), custom)

    def _verdict_reply(self, state: State, result: TrialResult) -> Reply:
        state.verdict = result.status.value
        return Reply(verdict_text(result, state.subject), custom=reply_contract.verdict(result))


def _digest(text: str) -> str:
    """A message as a short digest (its words, whatever their case and spacing): enough to know it again,
    without keeping its words twice."""
    return hashlib.sha256(" ".join(text.lower().split()).encode("utf-8")).hexdigest()[:16]
