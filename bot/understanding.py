"""The meaning of one message, decided once: what it does (the act) and what it says (the readings).

Patient and staff mode both start here. The NLU model's intent is one witness among others: the
words that state an act outright win over it, an answer is read as an answer to the question that
was asked (with that question's own wording, ``answers`` in data/facts.yml), and a reading the words
do not make certain is never stored: it is offered back for confirmation (``checks``), or the value
that counts is asked for (``follow_ups``). In short, nothing is guessed:

- text in another script, or no words at all ("aaaa"), is unreadable: never a "yes", whatever the
  model's confidence;
- a yes or no that only the model saw ("that's a yes from me" is in the words; "hmm okay then" is not)
  is checked back, as is a plain "yes" or "no" that the question's own wording contradicts ("yes, I had
  rhTPO and my platelets came back up after it");
- a bound ("over 20k"), two values ("25 last week, 45 today"), a conditional ("not yet, I'm still on
  it"), an all-number date whose day and month could be swapped, and digits shown in another order
  than typed (a direction override) get a follow-up for the value that counts;
- a change to a fact already answered is checked back, unless the person says it is a correction
  ("actually, my platelets are 25").
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from bot.extraction import RELATIVES, Extraction, ReadingProblem, answer_wording, blanked, extract, mentions
from bot.facts import NEVER, AnsweredBy, FactDefinition, FactType, Vocabulary, asked_together, cue_phrases, is_date_range
from bot.parsing import acts, whose
from bot.parsing.answers import classify_reply, is_hedged, is_negated, leaning, reply_spans, said_as_belief, takes_part_back
from bot.parsing import chinese, scopes, when
from bot.parsing.cleaning import clean
from bot.parsing.language import is_english_word, unreadable
from bot.parsing.unlisted import before_exception, excepted_after, names_none_of

ANSWER = "answer"
UNREADABLE = "unreadable"
EMPTY = "empty"
TOO_LONG = "too_long"

MAX_MESSAGE_LENGTH = 1000
TRUSTED_CONFIDENCE = 0.8  # below this the model's intent is not a witness at all
REPLY_INTENTS = {"affirm": "yes", "deny": "no", "dont_know": "unknown"}
# What a button sends (its payload "/affirm" reaches us as text with the intent): read as said.
BUTTON_ACTS = {"why": acts.WHY, "show_facts": acts.SHOW_FACTS, "show_verdict": acts.SHOW_VERDICT,
               "start_over": acts.START_OVER, "delete_answers": acts.DELETE_ANSWERS, "greet": acts.GREET,
               "ask_human": acts.ASK_HUMAN, "ask_study": acts.ASK_CONTACT}
# Acts the model may decide alone when the words say nothing else: none of them loses or stores anything.
MODEL_ACTS = {"why": acts.WHY, "show_facts": acts.SHOW_FACTS, "show_verdict": acts.SHOW_VERDICT,
              "greet": acts.GREET, "goodbye": acts.GOODBYE, "thanks": acts.THANKS, "bot_challenge": acts.BOT_CHALLENGE,
              "ask_human": acts.ASK_HUMAN}
SMALL_TALK = (acts.GREET, acts.THANKS, acts.GOODBYE, acts.BOT_CHALLENGE)
CORRECTION = re.compile(r"\b(i meant|i mean|sorry|actually|correction|oops|no wait|i made a mistake|wrong|not \d+ but)\b", re.I)
# A "no" said on its own before anything else: "nope, no bruises", "none of those, I'm not pregnant" (not "no aspirin",
# which names one thing only)
PLAIN_NO = re.compile(r"^\W*(?:(?:no|nope|nah|none|never)\s*[,.!;:-]|none\s+of\s+(?:those|these|them|the\s+above)\b)", re.IGNORECASE)
# A "no" that is the first word, not a statement denied ("I haven't met them yet")
NO_FIRST = re.compile(r"^\W*(?:no|nope|nah|none|nothing)\b", re.IGNORECASE)
# A clause: what stands between commas and full stops, in either language
_CLAUSE = re.compile(r"[^,.;!?，。；！？\n]+")
# the number taken back may have words of its own ("35 on friday, sorry no 25")
SELF_CORRECTED_NUMBER = re.compile(r"\d+(?:[.,]\d+)?(?=(?:\s+[^\W\d_]+){0,3}\s*[-–,.;:]?\s*(?:sorry|i\s+mean|i\s+meant|no\s+wait|oops|correction)\b"
                                   r"(?:[\s,:-]|\bno\b|\bnot\b)*\d)",
                                   re.IGNORECASE)
# "none since the summer", "not since my last scan": a "no" that counts from a time there was one
NOT_SINCE = re.compile(r"(?:\b(?:no|not|none|nothing)|n't)\b[^.;!?]*\bsince\b", re.IGNORECASE)
# A past a few days or weeks back: "not at the moment, but I had a bad nosebleed 2 weeks ago" is not plainly over
LATELY = re.compile(r"\b(?:\d+|an?|one|two|three|four|a\s+few|a\s+couple\s+of)\s+(?:days?|weeks?)\s+(?:ago|back)\b|\blast\s+week\b"
                    r"|\byesterday\b|\bthe\s+other\s+day\b|\bthis\s+(?:week|month)\b", re.IGNORECASE)
UNSURE_WHICH = re.compile(r"\bnot\s+sure\s+(?:if|whether|what|where|which|how)\b", re.IGNORECASE)
# a question about what a test showed or a doctor found: "Have you ever tested positive for ...?", "Has an ECG
# shown ...?", "Has a doctor said that ...?"
FOUND_BY_OTHERS = re.compile(r"\b(?:tested|tests?|ECG|doctors?)\b", re.IGNORECASE)
# Having something denied right before it is named: "I don't have", "never been told I have", "no"
DENIED_HAVING = re.compile(r"(?:\b(?:do|does|did|have|has)\s*n'?t|\b(?:do|does|did)\s+not|\bnever)(?:\s+[\w']+){0,3}?\s+(?:have|has|had|got)"
                           r"\s+(?:an?\s+|any\s+)?$|(?:^|[.,;!]\s*)no\s+$", re.IGNORECASE)
# a treatment stopped for a while, to be taken again: "stopped my clopidogrel last week for the biopsy", "on hold for now"
PAUSED = re.compile(r"\b(?:for|before|until|till|ahead\s+of|because\s+of)\s+(?:the|my|her|his|an?)?\s*(?:biopsy|op|operation|surgery"
                    r"|procedure|endoscopy|scope|colonoscopy|dental\s+work|tooth\s+out|extraction|port|picc|line)\b"
                    r"|\b(?:for\s+now|temporarily|for\s+the\s+time\s+being|for\s+a\s+(?:few\s+days|week|while)|on\s+hold)\b", re.IGNORECASE)
# a plain "no", then a "but" before any other exception: "no.. well I had sepsis but it's cleared" (not "no, only ...")
_NO_BUT = re.compile(r"^\W*(?:no|nope|nah|none|never)\b(?:(?!\b(?:just|only|apart|except|other\s+than|besides|bar)\b)[^?])*?\bbut\b",
                     re.IGNORECASE)
# how a list is answered item by item ("only AF", "no to all except diabetes"): read by _read_list_scopes
LIST_CONNECTIVES = re.compile(r"\b(?:but|only|except|apart\s+from|other\s+than|besides|though|rest|others|else)\b", re.IGNORECASE)
# whose fact it is ("asking for my mum", "我妈妈"): read by bot.parsing.whose
RELATIVE_WORDS = re.compile(rf"\b(?:{RELATIVES}|pt|asking\s+for)\b|{chinese.RELATIVE_WORDS}", re.IGNORECASE)
SAID_NEGATIVELY = re.compile(r"\W*(?:no|not|never|none|nothing)\b", re.IGNORECASE)
# Between the answers to facts asked together, given in the question's order ("6 weeks ago, never")
IN_ORDER_PARTS = re.compile(r"\s*(?:[,;，；、]|\band\b|\bthen\b)\s*", re.IGNORECASE)
REST_DENIED = re.compile(r"\b(?:no\s+to\s+(?:all|the\s+rest|everything\s+else|the\s+others)|nothing\s+else|none\s+of\s+the\s+(?:others|rest)"
                         r"|no\s+to\s+all\s+except|not\s+the\s+others|that'?s\s+(?:it|all))\b"
                         # "nothing like that apart from my sugar", "none except the diabetes": nothing but what is named
                         r"|^\W*(?:none|nothing)\b[^.;!?]{0,25}?\b(?:apart\s+from|except|other\s+than|besides|but)\b", re.IGNORECASE)


@dataclass
class Understanding:
    act: str
    text: str = ""
    reply: Optional[str] = None  # yes / no / unknown, in the words (or a button)
    facts: Dict[str, Any] = field(default_factory=dict)  # readings sure enough to store
    checks: Dict[str, Any] = field(default_factory=dict)  # fact -> the reading offered back to confirm
    follow_ups: Dict[str, str] = field(default_factory=dict)  # fact -> why it is asked again
    options: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # fact -> values to choose from
    problems: List[ReadingProblem] = field(default_factory=list)
    found: Extraction = field(default_factory=Extraction)
    unreadable: Optional[str] = None  # language.OTHER_SCRIPT or language.NO_WORDS
    corrects: bool = False  # says it corrects an earlier answer ("actually ...")
    also: Optional[str] = None  # a question to the bot asked along with an answer ("yes. who do I contact?")

    @property
    def settles_something(self) -> bool:
        return bool(self.facts or self.checks or self.follow_ups or self.options or self.problems)


@dataclass(frozen=True)
class Context:
    """What the message may answer: the open question, what is known, and the offer on the table."""

    pending: Sequence[FactDefinition] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)
    clinical: bool = False  # staff mode: clinical shorthand, nothing asked
    date_order: Optional[str] = None
    subject_fixed: bool = False  # the conversation is already about someone: a relative named now is another person
    about_someone_else: bool = False  # a carer screening a relative ("your mother")
    subject: Optional[str] = None  # whom, when not the writer: "your mother" (a carer's "my mum" is that person)
    # the person said something in the read-back is wrong: a new value is the correction, not a change to check back
    correcting: bool = False


@lru_cache(maxsize=4)
def _known_words(vocabulary_id: int, phrases: Tuple[str, ...]) -> FrozenSet[str]:
    return frozenset(word for phrase in phrases for word in re.findall(r"[^\W\d_]+", phrase.lower()))


class Reader:
    """Reads messages against one vocabulary (the trial database's) and clock."""

    def __init__(self, vocabulary: Vocabulary, today: date) -> None:
        self.vocabulary = vocabulary
        self.today = today
        phrases = tuple(p for d in vocabulary.values() for p in (*d.cues, *d.cues_partial, *d.cues_false,
                                                                  *(w for ws in d.choices.values() for w in ws),
                                                                  *(w for ws in d.sites.values() for w in ws)))
        self.known_words = _known_words(id(vocabulary), phrases)

    def understand(self, text: str, intent: Optional[str] = None, confidence: Optional[float] = None,
                   context: Context = Context()) -> Understanding:
        if asked_together(context.pending):
            return self._understand_together(text, intent, confidence, context)
        if text.startswith("/") and intent is not None and confidence is None or (text.startswith("/") and text[1:] == intent):
            return self._button(intent or "", context)
        if len(text) > MAX_MESSAGE_LENGTH:
            return Understanding(TOO_LONG, text)
        cleaned = clean(text)
        text = self._spelled(chinese.simplified(cleaned.text), context.pending)
        if not text:
            return Understanding(UNREADABLE if cleaned.code else EMPTY, text,
                                 unreadable="no_words" if cleaned.code else None)
        said = text
        if not (context.about_someone_else or context.clinical):
            text = whose.without_others(text, RELATIVES)  # "my husband has diabetes but I don't": about the writer
        if len(context.pending) > 1 or chinese.HAS_HAN.search(text):
            text = scopes.taken_back(text)  # "I had a clot, no wait that was my husband": what is taken back is not read
        act = acts.act_in_words(text)
        reason = None if act else unreadable(text, self.known_words)  # "cya" is English enough
        if reason:
            return Understanding(UNREADABLE, text, unreadable=reason)
        # a question to the bot in a sentence of its own beside an answer ("why does diabetes matter? I do have it"):
        # the answer is read from the other sentences, the question is answered too
        apart = acts.said_apart(text, act) if act in acts.QUESTIONS_TO_THE_BOT else None
        whole = text
        if apart is not None:
            text = apart[0]
        # the model is no witness for a message without words ("???"), nor below its trusted confidence
        sure_enough = confidence is None or confidence >= TRUSTED_CONFIDENCE
        trusted = intent if sure_enough and any(ch.isalpha() for ch in text) else None
        reply = classify_reply(text)
        if reply != "unknown" and context.pending and chinese.DOCTOR_UNTOLD.search(text) and all(
                d.answered_by is AnsweredBy.CLINICIAN or "doctor" in (d.ask or "").lower() for d in context.pending):
            reply = "unknown"  # "医生没说" to what only a doctor could tell: not known
        # "I'm 45 - sorry, 46": the number taken back is not read
        found = extract(SELF_CORRECTED_NUMBER.sub(lambda m: " " * len(m.group()), text), self.vocabulary, context.pending, self.today, context.clinical, context.date_order,
                        context.subject_fixed, context.subject)
        if found.someone_else:  # "none of these, though my brother had a kidney transplant": the brother's words are his
            text = whose.blank(text, found.someone_else)
            reply = classify_reply(text.strip(" ,;:.，；："))
        left_open = _open_by_others(said, text, context.pending) if said != text else None
        if cleaned.direction_override:
            self._distrust_numbers(found, context)
        if act in SMALL_TALK and (found.values or reply):
            act = None  # "thanks, she's 71", "hi, yes": an answer with manners
        if act is None and reply is None and not found.values and not found.problems and trusted in MODEL_ACTS:
            act = MODEL_ACTS[trusted]
        also = None
        if act == acts.SHOW_VERDICT and found.trial_ids:
            act = None  # "am I eligible for NCT00000001?": a request to check that trial
        if act in acts.QUESTIONS_TO_THE_BOT and (reply in ("yes", "no") or apart is not None and (
                reply is not None or found.values or found.problems)):
            # "No!! why would you ask that", "yes - gums and nose. Also is the hospital in Tianjin?": an answer; a
            # "why" asked first and then answered ("why does diabetes matter? I do have it") is answered as well
            act, also = None, (act if act != acts.WHY or (apart is not None and apart[1]) else None)
        if act is not None and act not in SMALL_TALK:
            return Understanding(act, whole, found=found)
        # "不好意思说错了，是25": the words that take back are blanked from the text, and still say it corrects
        understanding = Understanding(act or ANSWER, text, reply=reply, found=found, corrects=bool(CORRECTION.search(text) or chinese.CORRECTION.search(said)),
                                      also=also)
        # what was left around markup or code ("<b>yes</b>") is offered back, never taken as said
        self._read_answer(understanding, context, REPLY_INTENTS.get(trusted or "") if reply is None else None,
                          doubt=cleaned.code)
        if left_open is not None and understanding.facts.get(left_open) is False:
            understanding.facts.pop(left_open, None)
            understanding.checks.pop(left_open, None)
            understanding.follow_ups[left_open] = "unsure"
        return understanding

    def _understand_together(self, text: str, intent: Optional[str], confidence: Optional[float],
                             context: Context) -> Understanding:
        """An answer to facts asked together ("How old are you, and are you a man or a woman?").

        The message is read as volunteered (a fact named by its words: "female", "chemo 6 weeks ago"),
        and as the answer to each fact asked alone, with that fact's own wording and doubts; a bare answer
        ("62") is read there from the words no fact named took. Bare answers count only for facts of different
        kinds ("lung, 62": a cancer and an age): if two facts of one kind take one ("6 weeks ago" to both
        dates), neither is noted: an answer in one part for each, in the question's order ("6 weeks ago,
        never"), is offered back; otherwise each is asked on its own, unless it is "I don't know" to all. A
        bare yes or no answers
        none ("chemo 6 weeks ago, no" says nothing sure of radiotherapy). A fact
        the message leaves unsaid while it answers another is asked back on its own (``follow_ups``)."""
        said = self.understand(text, intent, confidence, replace(context, pending=()))
        keys = [d.key for d in context.pending]
        left = blanked(said.text, said.found.used)
        alone = {d.key: self.understand(left if not says(said, d.key) else text, intent, confidence,
                                        replace(context, pending=(d,)))
                 for d in context.pending}
        # "都没做过" to both treatments: a "no" said of all of them answers each
        of_all = said.reply == "no" and bool(chinese.SAID_OF_ALL.search(text))
        bare = [key for key in keys if not says(said, key) and says(alone[key], key)
                and not (said.reply in ("yes", "no") and not of_all and alone[key].facts.get(key, "") in (True, False, None, NEVER))]
        # the words left over beside a date said by name may be that date's own ("I never had radiotherapy":
        # its "never" is no answer about chemotherapy): a date asked beside one said by name is asked on its own
        named_dates = [key for key in keys if says(said, key) and self.vocabulary[key].type is FactType.DATE]
        if named_dates:
            bare = [key for key in bare if self.vocabulary[key].type is not FactType.DATE]
        # a value (or a reading to confirm) from the same words for two facts of one kind ("6 weeks ago"): each
        # is asked on its own; a follow-up ("not yet, I'm still on it") notes nothing and stays
        valued = [key for key in bare if key in alone[key].facts or key in alone[key].checks or key in alone[key].options]
        kinds = [self.vocabulary[key].type for key in valued]
        unclear = not of_all and len(set(kinds)) < len(kinds) and not all(alone[key].facts.get(key, False) is None for key in valued)
        if unclear:  # only the facts of the kind two of them share: "62, ..., 6 weeks ago" still gives the age
            shared = [key for key in valued if kinds.count(self.vocabulary[key].type) > 1]
            bare = [key for key in bare if key not in shared]
            offered = {} if any(says(said, key) for key in keys) else self._in_order(text, context)
            if offered:  # "6 weeks ago, never": one part for each, in the question's order, offered back
                said.act, said.reply = ANSWER, None
                said.checks.update(offered)
                return said
        answered = [key for key in keys if says(said, key) or key in bare]
        if said.act != ANSWER and not answered:
            return said
        said.act = ANSWER
        for key in answered:
            move_reading(alone[key] if says(alone[key], key) else said, said, key)
        if answered or unclear:
            said.follow_ups.update({key: "missing" for key in keys if key not in answered})
        return said

    def _in_order(self, text: str, context: Context) -> Dict[str, Any]:
        """The readings of an answer in as many parts as the facts asked together, each part read as the
        answer to its fact alone, in the question's order ("6 weeks ago, never"); none unless every part
        gives its fact a value and nothing else."""
        parts = [part for part in IN_ORDER_PARTS.split(text) if part.strip()]
        if len(parts) != len(context.pending):
            return {}
        offered: Dict[str, Any] = {}
        for part, definition in zip(parts, context.pending):
            reading = self.understand(part, context=replace(context, pending=(definition,)))
            if definition.type is FactType.BOOLEAN and reading.reply in ("yes", "no"):
                return {}  # a bare yes or no answers none of the facts asked together, in order or not
            read = {**reading.facts, **reading.checks}
            if set(read) != {definition.key} or read[definition.key] is None or reading.follow_ups or reading.options:
                return {}
            offered[definition.key] = read[definition.key]
        return offered

    # -- pieces ----------------------------------------------------------------------------------
    @staticmethod
    def _spelled(text: str, pending: Sequence[FactDefinition]) -> str:
        """A one-word answer to a choice question, spelled as the choice is: "feamle", "F" for female."""
        if len(pending) != 1 or pending[0].type is not FactType.CHOICE or len(text.split()) != 1:
            return text
        word = text.strip(" .!?").lower()
        names = {w.lower(): w for words in pending[0].choices.values() for w in words}
        if word in names:
            return text  # spelled right: "man" is not a misspelt "woman"
        initials = {name[0]: words[0] for name, words in pending[0].choices.items()}
        if len(word) == 1 and len(set(initials)) == len(initials):
            return initials.get(word, text)  # "F", "m"
        # a word misspelt, not an abbreviation: "tbc" is no misspelt "TNBC" (a short letter code is not guessed at)
        spellable = [n for n in names if len(n) > 3 and (len(n) > 5 or is_english_word(n))]
        close = difflib.get_close_matches(word, spellable, n=1, cutoff=0.75)
        return names[close[0]] if close and len(word) > 2 else text

    @staticmethod
    def _button(intent: str, context: Context) -> Understanding:
        if intent in REPLY_INTENTS:
            understanding = Understanding(ANSWER, "/" + intent, reply=REPLY_INTENTS[intent])
            Reader._answer_pending(understanding, context, REPLY_INTENTS[intent], sure=True)
            return understanding
        if intent in BUTTON_ACTS:
            return Understanding(BUTTON_ACTS[intent], "/" + intent)
        return Understanding(UNREADABLE, "/" + intent, unreadable="no_words")

    def _distrust_numbers(self, found: Extraction, context: Context) -> None:
        """A direction override may show "22,000" for the digits "000,22": no number read is trusted."""
        for key in [k for k in found.values if self.vocabulary[k].type in (FactType.NUMBER, FactType.DATE)]:
            del found.values[key]
            found.bounds[key] = "(a number shown in another order than typed)"
        for definition in context.pending:
            if definition.type in (FactType.NUMBER, FactType.DATE):
                found.bounds.setdefault(definition.key, "(a number shown in another order than typed)")

    def _read_answer(self, understanding: Understanding, context: Context, model_reply: Optional[str],
                     doubt: bool = False) -> None:
        found = understanding.found
        understanding.facts.update(found.values)
        understanding.problems.extend(found.problems)
        self._drop_said_fine(understanding)
        for key, words in found.bounds.items():
            understanding.follow_ups[key] = f"bound:{words}"
        for key, values in found.several.items():
            understanding.follow_ups[key] = "several:" + ", ".join(f"{v:g}" for v in values)
        for key, days in found.ambiguous_dates.items():
            understanding.options[key] = days
        for definition in context.pending:
            if definition.key in found.partly_denied and definition.key not in found.values:
                if understanding.reply == "no" and PLAIN_NO.match(understanding.text) and len(context.pending) == 1:
                    understanding.facts[definition.key] = False  # "nope, no bruises, no bleeding": the "nope" answers it
                else:
                    understanding.checks[definition.key] = False  # "no aspirin": and no other antiplatelet medicine?
        understanding.checks.update(found.unsure)  # "WBC 3.2" to the platelet question: is that the count?
        asked_alone = context.pending[0].key if len(context.pending) == 1 else None
        for key in found.resolved:
            if key not in found.values:
                if ((key == asked_alone and understanding.reply == "no") or chinese.said_over(understanding.text)) \
                        and not is_hedged(understanding.text) and not LATELY.search(understanding.text):
                    # "not now, I had sepsis in August", "以前流过鼻血，现在没有了": the "no" says it outright
                    understanding.facts[key] = False
                else:
                    understanding.checks[key] = False  # "AF years ago, never since": no longer, is that right?
        pending = [d for d in context.pending if d.key not in found.bounds and d.key not in found.several
                   and d.key not in found.ambiguous_dates]
        markup = doubt
        # a value said with "I can't remember" or "maybe" ("6 weeks ago, or maybe 7") is offered back, not stored
        doubt = doubt or is_hedged(understanding.text) or (understanding.reply == "unknown" and len(context.pending) == 1
                                                           and context.pending[0].key in found.values)
        believed = understanding.reply in ("yes", "no") and said_as_belief(understanding.text) and bool(context.pending) and (all(
            d.answered_by in (AnsweredBy.CLINICIAN, AnsweredBy.STUDY_TEAM) for d in context.pending)
            or any(FOUND_BY_OTHERS.search(d.ask) for d in context.pending))
        if believed:
            # "I think so" or "I don't think so" to what a doctor, a test or the study team has found or will judge (a list with "tested positive
            # for hepatitis" in it, "Has a doctor said ...?"): a belief about someone else's finding is no knowledge
            doubt = True
        if understanding.reply == "unknown" and len(pending) == 1 and pending[0].type is FactType.BOOLEAN:
            lean = leaning(understanding.text)  # "I think so but I'm not sure": the lean is offered back
            if lean is not None:
                understanding.reply, doubt = lean, True
            elif UNSURE_WHICH.search(understanding.text) and pending[0].key not in found.values:
                # "I've got a fever, not sure what counts": unsure how what they have fits, not that they do not
                # know: asked again, with the question's note, rather than taken as "I don't know"
                understanding.follow_ups[pending[0].key] = "unsure"
                understanding.reply = None
        if len(context.pending) > 1 and understanding.reply == "unknown" and scopes.doubts_only_details(understanding.text):
            understanding.reply = None  # "bisoprolol for my heart, not sure what for": no "I don't know" to the list
        if (len(pending) == 1 and understanding.reply is None and pending[0].key not in found.values
                and acts.CONDITION.search(understanding.text)):
            # "depends how far I have to travel": a conditional answer is neither a yes nor a question; asked again
            understanding.follow_ups[pending[0].key] = "unsure"
        if (len(pending) == 1 and pending[0].type is FactType.BOOLEAN and pending[0].current_only
                and pending[0].key not in understanding.facts and pending[0].key not in understanding.checks
                and chinese.PAST_THEN_OVER.match(understanding.text)):
            understanding.facts[pending[0].key] = False  # "以前有，现在好了" to a question about now
            understanding.reply = None
        if len(pending) == 1:
            self._by_own_wording(understanding, pending[0], doubt)
        elif len(pending) > 1:
            # a list answered about one of its items ("lupus, flares a lot", "heart failure but it's mild, I walk
            # every day"): that item's own wording is read as if it had been asked alone
            named = [d for d in pending if self._names_item(understanding.text, d, found)]
            if not named:
                # "none, but my feet are still numb from the oxaliplatin": an item told of in its own words after a
                # "but" (what lasts, "still numb"), not by name
                named = [d for d in pending if any(_after_contrast(understanding.text, m.group())
                                                   for p in d.answers.get("yes", ()) for m in answer_wording(p).finditer(understanding.text))]
            if len(named) == 1:
                said = understanding.reply  # a plain "no" to the list is about the other items ("no, I'm type 2 though")
                understanding.reply = None
                self._by_own_wording(understanding, named[0], doubt)
                understanding.reply = said
        if len(context.pending) > 1 and self._read_list_scopes(understanding, context, doubt):
            pass  # "not sure about the AF, no to the rest", "heart's fine": each clause answers what it is about
        elif len(context.pending) > 1 and any(d.key in understanding.facts or d.key in understanding.checks
                                            for d in context.pending):
            # a bundled list answered by naming items ("no, just my sugar"): the items named, nothing more,
            # unless the rest is denied in words ("no to the rest", "nothing else")
            if REST_DENIED.search(understanding.text) or chinese.REST_DENIED.search(understanding.text):
                named = {k for k, v in {**understanding.checks, **understanding.facts}.items() if v is True}
                for definition in context.pending:
                    if definition.key in understanding.facts or definition.key in understanding.checks:
                        continue
                    # "only AF, nothing else": the heart condition that needs treatment may be the AF itself
                    rest = understanding.checks if set(definition.covers) & named else understanding.facts
                    rest[definition.key] = False
            elif (understanding.reply == "no" and PLAIN_NO.match(understanding.text) and not doubt
                  and all(value is False for value in understanding.checks.values())
                  and (before_exception(understanding.text) is None or self._named_all_no(understanding, context)
                       and _NO_BUT.match(understanding.text))
                  and all(understanding.facts.get(d.key) is not True for d in context.pending)):
                # "nope, I stopped the aspirin", "no.. well I had sepsis but it's cleared": what is named agrees with the
                # "no" (a "no" offered back included), so the "no" is trusted for the rest; not after an exception that
                # names something else ("no, only an irregular heartbeat, the harmless kind"): the "no" was about the rest
                for definition in context.pending:
                    if definition.key not in understanding.checks:
                        understanding.facts.setdefault(definition.key, False)
            elif understanding.reply == "yes":  # "yes an autologous one": the item named says no, offered back
                for definition in context.pending:
                    if understanding.facts.get(definition.key) is False:
                        understanding.checks[definition.key] = understanding.facts.pop(definition.key)
            understanding.reply = None
        elif pending and understanding.reply in ("no", None) and not self._doubts_the_no(understanding.text, doubt, markup, believed) and not any(
                d.key in understanding.facts or d.key in understanding.checks or d.key in understanding.follow_ups
                for d in pending) and names_none_of(understanding.text, [d.key for d in context.pending]):
            # "No, just high blood pressure" to a list, "no, just chemo" to the radiotherapy question: what is named is
            # none of what was asked, so the "no" stands for all of it
            self._answer_pending(understanding, Context(pending, context.facts), "no", sure=True)
            understanding.reply = None
            doubt = markup  # a hedge in the exception ("就是有点乏力") is about what it names
        elif len(pending) == 1 and pending[0].key in understanding.facts and understanding.reply is not None:
            # a plain yes or no that the words about the fact contradict ("no, only a little blood when I cough")
            value = understanding.facts[pending[0].key]
            said = pending[0].replied(understanding.reply)
            if pending[0].type is FactType.BOOLEAN and value is not None and said is not value:
                understanding.checks[pending[0].key] = understanding.facts.pop(pending[0].key)
            understanding.reply = None
        if len(context.pending) > 1 and understanding.reply == "no" and scopes.no_of_a_thing(understanding.text):
            understanding.reply = None  # "no bleeding, and I'm not on blood thinners": the "no" is the bleeding's, not the list's
        if understanding.reply is not None:
            # "no, but my platelets were 18k yesterday": what follows the "but" is another fact, not a doubt
            more = any(k not in {d.key for d in context.pending} for k in (*found.values, *found.unsure))
            sure = not doubt and not (understanding.reply in ("yes", "no")
                                      and takes_part_back(understanding.text, contrast=not more))
            self._answer_pending(understanding, Context(pending, context.facts), understanding.reply, sure=sure)
        elif model_reply is not None:
            self._answer_pending(understanding, Context(pending, context.facts), model_reply, sure=False)
        if doubt and len(context.pending) == 1:  # "I think it's ovarian but they haven't confirmed": offered back
            for definition in pending:
                if understanding.facts.get(definition.key) is not None:
                    understanding.checks[definition.key] = understanding.facts.pop(definition.key)
        self._drop_contradicted(understanding, context)
        self._check_unsettled_reasons(understanding)
        if not context.clinical:  # a clinician's "failed rhTPO" is their judgement of a treatment failure
            self._check_half_said(understanding)
        self._check_changes(understanding, context)
        if not (context.clinical or context.about_someone_else or found.subject):
            self._check_for_self(understanding)

    @staticmethod
    def _named_all_no(understanding: Understanding, context: Context) -> bool:
        """Whether the message names items of the list and reads each of them as a "no" (said or offered back):
        "no.. well I had sepsis but they said it's cleared"."""
        named = [v for k, v in {**understanding.checks, **understanding.facts}.items() if k in {d.key for d in context.pending}]
        return bool(named) and all(value is False for value in named)

    @staticmethod
    def _doubts_the_no(text: str, doubt: bool, markup: bool, believed: bool) -> bool:
        """Whether a "no" followed by an exception is in doubt: a hedge in the exception's own words says how
        much of what is named ("都没有，就是血压有点高"), not that the "no" is unsure; one before it does."""
        if not doubt:
            return False
        head = before_exception(text)
        return markup or believed or head is None or is_hedged(head)

    def _drop_said_fine(self, understanding: Understanding) -> None:
        """A "yes" read from a word that the message says is fine is no "yes": "my sugar is fine too" names the
        sugar only to say it is fine (a diabetes said elsewhere, "diabetic, sugar's fine", still stands)."""
        text = understanding.text
        for key, value in list(understanding.facts.items()):
            definition = self.vocabulary[key] if key in self.vocabulary else None
            if value is not True or definition is None or not definition.organ:
                continue
            fine = scopes.organ_fine(text, definition.organ)
            named = mentions(text, (*definition.cues, *definition.cues_partial))
            if fine and named and all(any(a <= s and e <= b for a, b in fine) for s, e in named):
                del understanding.facts[key]

    def _read_list_scopes(self, understanding: Understanding, context: Context, doubt: bool) -> bool:
        """A list answered clause by clause (ConText scopes, bot/parsing/scopes.py): a doubt reaches only the
        items its clause names ("not sure about the irregular heartbeat one"), a reply about "the rest" only the
        items named nowhere ("no to the rest", "the rest I'm not sure"), and "heart's fine" every item about the
        heart. An item that covers one said to be there ("only the AF, none of the others": AF is a heart
        condition) is offered back as a "no", not denied. False when the message has no such scope."""
        text = understanding.text
        keys = [d.key for d in context.pending]
        rest: Optional[str] = None
        doubted: Dict[str, str] = {}
        named: set = set()
        affirmed: set = set()
        placed: Dict[str, str] = {}
        described = False
        unplaced = False
        for clause in scopes.clauses(text):
            if clause.about_the_rest:
                rest = scopes.rest_reply(clause) or rest
                continue
            referred = scopes.referred_words(clause.text)  # "the ECG one", "the heart ones"
            in_clause = [d.key for d in context.pending if self._names_item(clause.text, d, Extraction())
                         or mentions(clause.text, d.cues_false) or scopes.refers_to(referred, d.label, d.ask, d.organ)]
            said = scopes.doubt_in(clause)
            # items picked out by their place ("no to the first three") or by a word of theirs ("only the sugar one")
            by_place = [keys[i] for i in scopes.by_place(clause, len(keys))] + [
                d.key for d in context.pending if d.key in in_clause and scopes.refers_to(referred, d.label, d.ask, d.organ)
                and not self._names_item(clause.text, d, Extraction())]
            if by_place and said is None:
                placed.update({key: scopes.place_reply(clause) for key in by_place})
            if not in_clause and chinese.HAS_HAN.search(clause.text):
                # "心律不齐那个不清楚", "心脏方面都没有": items referred to by a part of their Chinese label or their organ
                referred_zh, reply_zh = scopes.referred_in_chinese(
                    clause.text, {d.key: d.translations.get("zh-CN", {}).get("label", "") for d in context.pending},
                    {d.key: d.organ for d in context.pending})
                by_place += referred_zh
                if reply_zh is not None and said is None:
                    placed.update({key: reply_zh for key in referred_zh})
            in_clause += [key for key in by_place if key not in in_clause]
            # a clause goes on about what an earlier one named ("RA but it's in remission"); the first names nothing
            # to go on about ("just the numbness in my feet", "no idea about the virus tests")
            goes_on = named and (scopes.CONTINUES.match(clause.text) or scopes.POINTS_BACK.search(clause.text))
            if not in_clause and (said is not None or not _only_a_reply(clause.text)) and not goes_on \
                    and not names_none_of(clause.text, keys):
                unplaced = True  # "Mum has a pacemaker": what it is about may be an item; "the rest" is unclear
            elif not in_clause and goes_on and placed and not _only_a_reply(clause.text):
                described = True  # "only the first one, a leaky valve they're watching": what it is, is said
            named.update(in_clause)
            if scopes.affirms(clause):
                # said to be there, whatever is asked about how much ("heart failure yes but no to the others")
                affirmed.update(in_clause)
            if said is not None:
                doubted.update({key: said for key in in_clause})
        organs = {o for d in context.pending for o in d.organ}
        whole = [o for o in organs if all(o in d.organ for d in context.pending)]
        organ_spans = scopes.organ_fine(text, whole) if whole else []
        organ_denied = bool(organ_spans)
        if organ_denied and excepted_after(text, organ_spans[-1][1], keys):
            # "no heart problems except an irregular beat they're watching": the organ is not all fine, and what
            # the exception names may be an item; nothing is denied by the organ, the list is asked again
            if rest is None and not doubted and not placed:
                understanding.reply = None
                return True
            organ_denied = False
        if rest is None and not doubted and not organ_denied and not placed:
            return False
        for key, said in doubted.items():
            if understanding.facts.get(key) is False or understanding.follow_ups.get(key, "unsure") != "unsure":
                continue
            understanding.facts.pop(key, None)
            understanding.follow_ups.pop(key, None)  # the doubt is said: "not sure about the irregular heartbeat"
            if said == "yes":
                understanding.checks[key] = True  # "maybe the irregular heartbeat one": offered back
            else:
                understanding.checks.pop(key, None)
                understanding.facts[key] = None  # "not sure about the irregular heartbeat one"
        for key, said in placed.items():
            if key not in understanding.facts and key not in understanding.checks and key not in understanding.follow_ups:
                if said in ("yes", "no"):
                    # "I think the last one", "only the first one, a leaky valve they're watching": offered back
                    (understanding.checks if doubt or unplaced or described else understanding.facts)[key] = said == "yes"
                elif said == "unknown":
                    understanding.facts[key] = None
        present = {key for key, value in {**understanding.facts, **understanding.checks}.items() if value is True} | affirmed
        for key in placed:  # "no to the first three, yes to the last one": the heart condition may be the irregular beat
            if understanding.facts.get(key) is False and set(self.vocabulary[key].covers) & present:
                understanding.checks[key] = understanding.facts.pop(key)
        if organ_denied and rest is None:
            rest = "no"
        if unplaced and not organ_denied and not scopes.denies_all(text):
            rest = None  # what "the rest" leaves out is not known: nothing is said of it, the list is asked again
        others = [key for key in keys if key not in understanding.facts and key not in understanding.checks
                  and key not in understanding.follow_ups and key not in doubted
                  and (key not in named or organ_denied and rest == "no")]
        if rest == "no" and not (doubt and not organ_denied):
            for key in others:
                covering = set(self.vocabulary[key].covers) & present
                (understanding.checks if covering else understanding.facts)[key] = False
        elif rest == "no":
            understanding.checks.update({key: False for key in others})  # "none of the others as far as I know"
        elif rest == "unknown":
            understanding.facts.update({key: None for key in others})
        elif rest == "yes" and others:
            understanding.follow_ups.setdefault("bundle", "yes")
        understanding.reply = None
        return True

    @staticmethod
    def _names_item(text: str, definition: FactDefinition, found: Extraction) -> bool:
        """Whether the message names this item of a list: by its cues, or by its own "unsure" wording ("lupus")."""
        if definition.key in found.values or definition.key in found.resolved or definition.key in found.unsure:
            return True
        return bool(mentions(text, (*definition.cues, *definition.cues_partial))) or any(
            answer_wording(p).search(text) for p in definition.answers.get("unsure", ()))

    def _drop_contradicted(self, understanding: Understanding, context: Context) -> None:
        """A yes or no to the open question that a fact stated beside it contradicts is not kept: "no I'm
        pregnant already" to "could you become pregnant?" says she is pregnant, not that she cannot be."""
        for definition in context.pending:
            answer = understanding.facts.get(definition.key)
            if answer is None:
                continue
            for key, value in understanding.facts.items():
                implications = self.vocabulary[key].implied_by if key in self.vocabulary else ()
                if any(i.fact == definition.key and i.equals == answer and i.value != value for i in implications):
                    del understanding.facts[definition.key]
                    break

    def _check_unsettled_reasons(self, understanding: Understanding) -> None:
        """A reading that rests on a reason the vocabulary says settles nothing is offered back: "my periods
        stopped on chemo so I can't be pregnant" gives the reason that, for "could you become pregnant?", is
        asked about (``unsure`` wording), so the "not pregnant" it would imply is not taken as said."""
        for key, value in list(understanding.facts.items()):
            definition = self.vocabulary[key] if key in self.vocabulary else None
            if definition is None or value is None:
                continue
            # the reading's own words are no reason for it: "no I'm not pregnant" says it outright
            own = mentions(understanding.text, (*definition.cues, *definition.cues_partial, *definition.cues_false))
            for implication in definition.implied_by:
                source = self.vocabulary[implication.fact] if implication.fact in self.vocabulary else None
                if (source is not None and implication.value == value and implication.fact not in understanding.facts
                        and any(not any(s < m.end() and m.start() < e for s, e in own)
                                for p in source.answers.get("unsure", ()) for m in answer_wording(p).finditer(understanding.text))):
                    understanding.checks[key] = understanding.facts.pop(key)
                    break

    def _check_half_said(self, understanding: Understanding) -> None:
        """A "yes" to a fact of two parts read from words that say one of them is offered back: "failed rhTPO"
        says the treatment did not work, not that it was repeated (``yes_needs``). An assent to the question
        ("yes", "是的") takes both parts as asked."""
        if classify_reply(understanding.text) == "yes":
            return
        for key, value in list(understanding.facts.items()):
            needs = self.vocabulary[key].yes_needs if key in self.vocabulary else ()
            if value is True and needs and not any(answer_wording(p).search(understanding.text) for p in needs):
                understanding.checks[key] = understanding.facts.pop(key)

    def _check_for_self(self, understanding: Understanding) -> None:
        """A value below what is plausible for someone writing for themselves ("I'm 3") is offered back."""
        for key, value in list(understanding.facts.items()):
            lowest = self.vocabulary[key].plausible_for_self if key in self.vocabulary else None
            if lowest is not None and isinstance(value, (int, float)) and value < lowest:
                understanding.checks[key] = understanding.facts.pop(key)

    def _clauses_of_siblings(self, text: str, definition: FactDefinition) -> List[Tuple[int, int]]:
        """The clauses that name a fact said together with this one (its ``ask_with``, or one that lists it there:
        chemotherapy and radiotherapy) and none of this fact's own cues: their wording is that fact's."""
        siblings = [d for d in self.vocabulary.values() if d.key != definition.key
                    and (d.key in definition.ask_with or definition.key in d.ask_with)]
        return [m.span() for m in (_CLAUSE.finditer(text) if siblings else ())
                if any(mentions(m.group(), d.cues) for d in siblings) and not mentions(m.group(), definition.cues)]

    def _by_own_wording(self, understanding: Understanding, definition: FactDefinition, doubt: bool) -> None:
        """The question's own wording: "stayed low" answers the rhTPO question, "normal" the liver one.
        Where it disagrees with a plain yes or no in the same message, the reading is checked back."""
        text = understanding.text
        said: Dict[str, str] = {}
        spans: Dict[str, List[Tuple[int, int]]] = {}
        cued = mentions(text, (*definition.cues, *definition.cues_false))  # "class 4 heart failure" says how bad
        theirs = self._clauses_of_siblings(text, definition)
        for reading, patterns in definition.answers.items():
            for pattern in patterns:
                for m in answer_wording(pattern).finditer(text):
                    if reading == "unsure" and any(s <= m.start() and m.end() <= e for s, e in cued):
                        continue
                    if any(s <= m.start() and m.end() <= e for s, e in theirs):
                        continue  # "化疗三周前，放疗还在做": the "still on it" is the radiotherapy's
                    # "no, not finished yet": a no before words that deny something themselves is the same no
                    if reading == "unsure" and DENIED_HAVING.search(text, 0, m.start()) and not SAID_NEGATIVELY.match(m.group()):
                        reading_said = "no"  # "I don't have heart failure": denied outright, it needs no more words
                    elif reading in ("yes", "no") and is_negated(text, m.start()):
                        reading_said = {"yes": "no", "no": "yes"}[reading]
                    else:
                        reading_said = reading
                    said[reading_said] = m.group()
                    spans.setdefault(reading, []).append(m.span())
                    break
        if not said:
            return
        key = definition.key
        # wording that says too little ("lupus") is asked about, unless the message also says, in other words,
        # what decides it ("lupus, in remission"; not "ALT 120 (normal up to 40)", where "normal" is part of it)
        unsure = spans.get("unsure", [])
        decided = any(not any(s <= a and b <= e for s, e in unsure)
                      for reading in ("yes", "no") for a, b in spans.get(reading, []))
        # a "no" read from the words' cues stands ("postmenopausal, periods stopped at 50"); a "yes" does not when
        # the wording says what makes it unsure ("a bruise where the drip went in")
        # a fact of several parts (liver and kidney tests) is not simply "yes" while a part is said to be unsure:
        # "kidneys fine, liver a bit up" is checked back, as a part not known is below
        part_open = definition.times_normal and "yes" in said and ("unsure" in said or self._some_groups_named(text, definition))
        if "unsure" in said and not decided and understanding.facts.get(key) is not False:
            understanding.facts.pop(key, None)
            understanding.follow_ups[key] = "unsure"
            understanding.reply = None
            return
        readings = [r for r in ("yes", "no", "unknown") if r in said]
        if len(readings) > 1 and "unknown" in readings:
            readings = ["unknown"]
        if len(readings) != 1:
            return  # both: the general reading decides, or the question is asked again
        reading = readings[0]
        value = self._value(definition, reading)
        generic = understanding.reply
        own = [span for found in spans.values() for span in found]
        if generic is not None and classify_reply(blanked(text, own)) != generic:
            generic = None  # the reply is the wording itself: "negative" to "has the pregnancy test been negative?"
        understanding.reply = None
        if key in understanding.facts and understanding.facts[key] != value:
            del understanding.facts[key]
            understanding.follow_ups[key] = "mixed"
        # "肝功正常，肾功没查", "liver normal, not sure about kidneys", "the CMV was negative, don't know about the other
        # one" (a fact that covers several things): a part not tested or not known beside the question's own reading
        # is checked back
        elif reading != "unknown" and ((generic in ("yes", "no") or generic == "unknown" and (
                chinese.HAS_HAN.search(text) or definition.times_normal or definition.cues_partial))
                                       and generic != reading
                                       and not _after_contrast(text, said[reading])
                                       or doubt or part_open or takes_part_back(text, contrast=False)
                                       or reading == "no" and definition.current_only and PAUSED.search(text)):
            understanding.facts.pop(key, None)
            understanding.checks[key] = value
        else:
            understanding.facts[key] = value
            understanding.checks.pop(key, None)  # "they stopped my aspirin": the question's own wording settles it

    @staticmethod
    def _some_groups_named(text: str, definition: FactDefinition) -> bool:
        """A fact of several groups of tests (liver and kidney) of which the message names only some: "creatinine
        fine" says nothing of the liver tests, so its "fine" is not a yes for both."""
        named = {group for group, cues in definition.times_normal["groups"].items() if mentions(text, (group, f"{group}s", *cues))}
        return bool(named) and named != set(definition.times_normal["groups"])

    @staticmethod
    def _value(definition: FactDefinition, reading: str) -> Any:
        if definition.type is FactType.DATE and reading == "no":
            return NEVER
        if definition.type is not FactType.BOOLEAN:
            return None
        return definition.replied(reading)

    @staticmethod
    def _answer_pending(understanding: Understanding, context: Context, reply: str, sure: bool) -> None:
        """A yes / no / don't know as the answer to the open question (sure: said in words or a button)."""
        problems = {p.fact for p in understanding.problems}  # "有糖尿病，没有糖尿病": said to be noted neither way
        pending = [d for d in context.pending if d.key not in understanding.facts and d.key not in understanding.checks
                   and d.key not in understanding.follow_ups and d.key not in problems]
        if not pending or len(pending) < len(context.pending) and len(context.pending) == 1:
            return
        store = understanding.facts if sure else understanding.checks
        if reply in ("no", "unknown") and all(is_date_range(context.facts.get(d.key)) for d in pending):
            # asked for a closer date than a range ("in October", held by the conversation meanwhile and
            # known here): without one, the range stands
            understanding.facts.update({d.key: context.facts[d.key] for d in pending})
            return
        if reply == "unknown":
            understanding.facts.update({d.key: None for d in pending})
            return
        if len(pending) > 1 or len(context.pending) > 1:
            # a bundled list: "no" covers the rest of it, "yes" is followed up one by one
            if reply == "no":
                store.update({d.key: False for d in pending})
            else:
                understanding.follow_ups.setdefault("bundle", "yes")
            return
        definition = pending[0]
        if definition.type is FactType.BOOLEAN:
            if not definition.yes_means and reply == "no" and not NO_FIRST.match(understanding.text):
                # asked the other way round ("any reason against?"), a statement denied ("I haven't met them yet")
                # is no "no reason against": offered back
                store = understanding.checks
            store[definition.key] = definition.replied(reply)
        elif definition.type is FactType.DATE and reply == "no":
            if NOT_SINCE.search(understanding.text):
                # "no radiotherapy since the summer": there was one then, when is not read; asked again
                understanding.follow_ups[definition.key] = "unsure"
            else:
                store[definition.key] = NEVER  # "have you had radiotherapy?" - "no"
        elif definition.type is FactType.NUMBER and reply == "no":
            understanding.facts[definition.key] = None  # "do you know your QTc?" - "no"

    def _check_changes(self, understanding: Understanding, context: Context) -> None:
        """A new value for a fact already answered is checked back, unless said as a correction."""
        if understanding.corrects or context.clinical or context.correcting:
            return
        for key, value in list(understanding.facts.items()):
            old = context.facts.get(key)
            if old is not None and value is not None and old != value and key not in {d.key for d in context.pending}:
                del understanding.facts[key]
                understanding.checks[key] = value


# Words of the facts' labels and cues too common to name one fact by themselves ("doctor", "tests", "months"), and
# the words of a reply ("不清楚"), which name none
_NAMING_UNITS = re.compile(rf"[a-z]{{5,}}|[{chinese.HAN}]+")
_NOT_NAMING = frozenset({"doctor", "doctors", "tests", "times", "upper", "limit", "normal", "below", "above", "months",
                         "weeks", "years", "least", "expects", "follow", "study", "visits", "without", "success",
                         "caused", "signs", "could", "become", "since", "other", "there", "their", "about", "right",
                         "wrong", "sorry", "actually", "really", "think", "known", "unknown", "under", "expected",
                         "estimate", "estimated"})
_FUNCTION_CHARACTERS = re.compile("[的了不没有是在以上下个月年天周过到也都就还很吗呢]")
_REPLY_WORDS = re.compile(r"不(?:清楚|知道|确定|记得|太清楚|对)|没(?:有|说|问|查)|是不是|有没有")


def _naming_phrases(definition: FactDefinition) -> Tuple[str, ...]:
    """The phrases that name a fact, whatever they say of it: its labels in every language, its cues (for a number,
    not those that name another measurement), the cues of its lengths of time and of its lab tests."""
    labels = [definition.label, *(t.get("label") for t in definition.translations.values() if t.get("label"))]
    length = tuple((definition.length or {}).get("cues") or ())
    tests = tuple(c for cues in ((definition.times_normal or {}).get("groups") or {}).values() for c in cues)
    other = definition.cues_false if definition.type is not FactType.NUMBER else ()
    return (*labels, *definition.cues, *other, *definition.cues_partial, *length, *tests)


def _units(text: str) -> FrozenSet[str]:
    """A text's words that may name a fact: English words of five letters or more, Chinese runs as three characters."""
    units = set()
    for run in _NAMING_UNITS.findall(_REPLY_WORDS.sub(" ", text.lower())):
        if chinese.HAS_HAN.match(run):
            units.update(run[i:i + 3] for i in range(len(run) - 2) if not _FUNCTION_CHARACTERS.search(run[i:i + 3]))
        else:
            units.add(run)
    return frozenset(units - _NOT_NAMING)


_DISTINCTIVE: Dict[int, Tuple[Vocabulary, Dict[str, str]]] = {}  # by vocabulary (kept, so that its id stays its own)


def _distinctive(vocabulary: Vocabulary) -> Dict[str, str]:
    """The words (and Chinese three-character runs) of the facts' naming phrases that belong to one fact alone:
    "survival" (of "est survival") names the doctor's six months, "生存期" too."""
    cached = _DISTINCTIVE.get(id(vocabulary))
    if cached is not None and cached[0] is vocabulary:
        return cached[1]
    owners: Dict[str, set] = {}
    for definition in vocabulary.values():
        for phrase in _naming_phrases(definition):
            for unit in _units(phrase):
                owners.setdefault(unit, set()).add(definition.key)
    index = {unit: next(iter(keys)) for unit, keys in owners.items() if len(keys) == 1}
    if len(_DISTINCTIVE) > 4:
        _DISTINCTIVE.clear()
    _DISTINCTIVE[id(vocabulary)] = (vocabulary, index)
    return index


def facts_named(text: str, vocabulary: Vocabulary, among: Sequence[FactDefinition]) -> List[FactDefinition]:
    """The facts of ``among`` a message names, whether or not it gives them a value ("the platelet count is wrong",
    "survival: not sure", "血小板我其实不清楚"): by a naming phrase (the longest, where one holds another: "low
    platelets caused by chemo" is not the platelet count), else by a word that belongs to one fact alone."""
    found = [(span, d.key) for d in among for span in mentions(text, _naming_phrases(d))]
    named = {key for (start, end), key in found
             if not any(k != key and s <= start and end <= e and (s, e) != (start, end) for (s, e), k in found)}
    if not named:
        index = _distinctive(vocabulary)
        named = {index[unit] for unit in _units(text) if unit in index}
    return [d for d in among if d.key in named]


def _open_by_others(said: str, own: str, pending: Sequence[FactDefinition]) -> Optional[str]:
    """The fact asked alone, if words about another person, set aside from the writer's own (``own``), are what
    its question's own wording says leaves it open: the "no" of "no, my husband had the snip" to "Could you become
    pregnant?" rests on his vasectomy, which does not make her unable to."""
    if len(pending) != 1:
        return None
    patterns = [answer_wording(p) for p in pending[0].answers.get("unsure", ())]
    if any(p.search(said) for p in patterns) and not any(p.search(own) for p in patterns):
        return pending[0].key
    return None


def _only_a_reply(text: str) -> bool:
    """A clause that is a bare reply and nothing more: "no", "nope, none", "not really"."""
    if chinese.HAS_HAN.search(text):
        return chinese.only_a_reply(text)  # Chinese writes no spaces: "有起搏器" is one "word"
    words = re.findall(r"[^\W\d_]+", text)
    return classify_reply(text) is not None and len(words) <= 3 and not any(len(w) > 6 for w in words)


def read_spans(understanding: Understanding, vocabulary: Vocabulary, asked: Sequence[FactDefinition]) -> List[Tuple[int, int]]:
    """Where a patient's message was read (bot.parsing.left_unread says what is left): its values, the
    phrases naming a fact read or asked, the answer wording of the facts asked (``asked``), the words
    said of a fact (a bound, a denial in part, an illness over), whose fact it is, and "no to the rest"."""
    text, found = understanding.text, understanding.found
    keys = {*understanding.facts, *understanding.checks, *understanding.follow_ups, *understanding.options,
            *(p.fact for p in understanding.problems), *(d.key for d in asked)}
    named = [vocabulary[k] for k in keys if k in vocabulary]
    phrases = [p for d in named for p in (*cue_phrases(d), *(w for ws in d.sites.values() for w in ws),
                                          *(d.times_normal or {}).get("groups", {}),  # "liver", "kidney"
                                          *(w for ws in (d.times_normal or {}).get("groups", {}).values() for w in ws))]
    said_of = [*found.resolved.values(), *found.bounds.values(), *(w for ws in found.partly_denied.values() for w in ws)]
    spans = [*found.used, *mentions(text, phrases), *mentions(text, said_of)]
    spans += [m.span() for pattern in (RELATIVE_WORDS, REST_DENIED, chinese.REST_DENIED) for m in pattern.finditer(text)]
    spans += when.time_spans(text)  # when a thing was is read with it (an illness over, a date), or is no fact
    spans += reply_spans(text)  # "of course", "I don't think so"
    if len(asked) > 1:  # a list answered item by item: its "but", "only" and "apart from" are how the list was read
        spans += [m.span() for m in LIST_CONNECTIVES.finditer(text)]
    for definition in asked:  # "stayed low", and a repeat a "yes" needs ("twice", "loads of times")
        for patterns in (*definition.answers.values(), definition.yes_needs):
            spans += [m.span() for pattern in patterns for m in answer_wording(pattern).finditer(text)]
    return spans


def says(understanding: Understanding, key: str) -> bool:
    """Whether a reading says anything of the fact: a value, a check-back, a follow-up or a problem."""
    return (key in understanding.facts or key in understanding.checks or key in understanding.follow_ups
            or key in understanding.options or any(p.fact == key for p in understanding.problems))


def move_reading(source: Understanding, target: Understanding, key: str) -> None:
    """What ``source`` read of the fact, in place of what ``target`` read of it."""
    for readings in (target.facts, target.checks, target.follow_ups, target.options):
        readings.pop(key, None)
    target.problems[:] = [p for p in target.problems if p.fact != key]
    for mine, theirs in ((source.facts, target.facts), (source.checks, target.checks),
                         (source.follow_ups, target.follow_ups), (source.options, target.options)):
        if key in mine:
            theirs[key] = mine[key]
    target.problems.extend(p for p in source.problems if p.fact == key)


def _after_contrast(text: str, words: str) -> bool:
    """Whether the words come after a "but": "yes but only once" says how the yes is meant."""
    at = text.lower().find(words.lower())
    return at > 0 and bool(re.search(r"\b(?:but|although|though|however)\b", text[:at], re.IGNORECASE)
                           or chinese.CONTRAST.search(text[:at]))
