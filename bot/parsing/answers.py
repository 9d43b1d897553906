"""Classify yes/no replies and detect negated phrases (NegEx-style)."""

from __future__ import annotations

import re
from typing import Literal

from bot.parsing import chinese

Reply = Literal["yes", "no", "unknown"]

_SUBJECT = r"(?:i|we|you|they|she|he|it|(?:my|our|his|her)\s+\w+)"
_AUX = r"(?:do|does|did|have|has|had|am|is|are|was|were|can|will)"
_NEG_AUX = rf"(?:{_AUX}\s*n'?t|{_AUX}\s+not|'?m\s+not|won'?t|ain'?t|never)"
_FILLER = r"(?:(?:um+|uh+|erm+|er|hmm+|well|oh|ah|so|honestly|actually|haha|lol)\b[\s,.!]*)*"
_END = r"\s*(?:[,.!;:)]|$)"

# "never been tested", "haven't had a test": no result is no negative one ("never tested positive" is)
UNTESTED = (r"(?:never|not|no|(?:do|does|did|have|has|had|is|was|are|were|ca|could|wo)n'?t)\s+"
            r"(?:(?:been|ever|yet|had|got|gotten|get|done|did|a|an|any|the|blood)\s+)*"
            r"(?:tests?|tested|check|checked|screened|ecg|ekg|scan|heart\s+tracing)\b(?![^.,;!?]*\bpositive)")
# Checked in order: "unknown" anywhere wins, then "no", then "yes" at the start of the reply. Forgetting to say
# something ("sorry, forgot to say it's my brother") is no forgetting of the answer. "Not known" is how the bot itself
# says it back (bot.texts.VALUE_NOT_KNOWN): "platelet count: not known".
_UNKNOWN = re.compile(
    r"\b(?:not\s+(?:sure|certain|positive|known(?!\s+to\b))|unsure|uncertain|no\s+(?:idea|clue)|not\s+a\s+clue"
    r"|(?:do\s*n'?t|do\s+not|didn'?t|did\s+not)\s+(?:really\s+)?(?:know|remember|recall)"
    r"|dunno|idk|(?:can'?t|cannot|can\s+not|couldn'?t)\s+(?:remember|recall|say)"
    r"|maybe|perhaps|possibly|forg[eo]t(?!\s+to\s+(?:say|mention|tell|add|write))|have\s+to\s+(?:ask|check)|need\s+to\s+(?:ask|check)"
    r"|ask\s+(?:my|the|her|his)\s+(?:doctor|dr|nurse|oncologist|gp|consultant)"
    r"|hard\s+to\s+say|who\s+knows|beats\s+me|never\s+heard\s+of"
    rf"|{UNTESTED}"
    r")\b|🤷|¯\\_\(ツ\)_/¯",
    re.IGNORECASE,
)
_NO = re.compile(
    rf"^{_FILLER}(?:(?:no|nope|nah|nay|never|negative|none|neither|nothing|not)\b"
    r"(?!\s+(?:one|problem)\b)"
    rf"|(?:absolutely|definitely|certainly|of\s+course|really)\s+not\b|no\s+way\b"
    rf"|{_SUBJECT}\s*{_NEG_AUX}\b"
    r"|i(?:'?ve|\s+have)\s+(?:got\s+)?(?:none|nothing)\b"  # "I've got none of them"
    rf"|n{_END}|👎|❌)",
    re.IGNORECASE,
)
_YES = re.compile(
    rf"^{_FILLER}(?:(?:yes+|yeah?|ye|yep|yup|ya|yah|sure|correct|right|affirmative|absolutely"
    r"|definitely|certainly|indeed|of\s+course|that'?s\s+(?:right|correct|true)|true"
    r"|i\s+(?:think|believe|guess)\s+so)\b"
    rf"|{_SUBJECT}\s+{_AUX}(?:\s+(?:yes|indeed|though|actually|already"
    rf"|(?:had|done)\s+(?:it|that|one|them)|(?:have|has|had|got)\s+(?:it|that|one|them)))?{_END}"
    rf"|y{_END}|👍|✅|✔)",
    re.IGNORECASE,
)

# where a negation's scope ends (ConText's termination terms): "no to all except diabetes"
_CLAUSE_BREAK = re.compile(r"[.;,:!?\n]|\b(?:but|and|except|apart\s+from|other\s+than|besides)\b", re.IGNORECASE)
# "no" also covers "no history of" / "no hx"; the "...nt" forms are apostrophe-less "n't".
_NEGATION_CUE = re.compile(
    r"(?:\b(?:no|not|never|denies|denied|deny|without|nil|none|neither|nor|negative\s+for|neg"
    r"|free\s+of|(?:do|does|did|have|has|had|is|was|are|were|wo|ca|could|would|should)nt)\b"
    r"|n't\b|(?<!\w)-ve\b)",
    re.IGNORECASE,
)
_RESULT_BEFORE_LIST = re.compile(r"\b(?:negative|neg|nil|none)\s*$|(?<!\w)-ve\s*$", re.IGNORECASE)
_PSEUDO_NEGATION = re.compile(r"\b(?:not\s+only|not\s+just|no\s+doubt)\b", re.IGNORECASE)
_WINDOW_WORDS = 5


def _clean(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'").strip()


# A reply corrected in the same message: "yes. Sorry, no", "no - actually yes": the last word counts
_SELF_CORRECTED = re.compile(r"^\W*(?:yes|yeah|yep|no|nope)\b\W+(?:sorry|actually|i\s+mean|no\s+wait|wait|oops)\W+(?P<said>yes|yeah|yep|no|nope)\b",
                             re.IGNORECASE)


# A yes taken back in the next word ("yeah nah", "yeah, no."): said both ways, it is read as neither and asked again
_YES_THEN_NO = re.compile(r"^\W*(?:yes|yeah|yea|yep|ya)[\s,.!-]*(?:nah|nope|no(?=\s*(?:[,.!;]|$)))\b", re.IGNORECASE)


# Assent said with a negation, read before the "no" its first word would make: "I don't mind", "no reason why not"
_ASSENT = re.compile(rf"^{_FILLER}(?:(?:i\s+)?(?:do\s*n'?t|do\s+not)\s+mind|(?:i\s+)?(?:can'?t|cannot|do\s*n'?t)\s+see\s+why\s+not"
                     r"|no\s+reason\s+(?:why\s+)?not|no\s+objections?)\b(?![^.;!?]*\b(?:but|if|unless|except)\b)", re.IGNORECASE)


# A reservation given up at the end: "not really comfortable with chatbots but ok" agrees to start
GRUDGING_YES = re.compile(r"\bbut\s+(?:ok|okay|fine|sure|alright|all\s+right|go\s+ahead|let'?s\s+(?:do\s+it|go|start))\W*$", re.IGNORECASE)
# Asked only whether to start: "ok", "go on then", "no problem, go ahead" agree (to a health question they would not
# be a yes), and "not right now, maybe later" declines, for now
STARTS = re.compile(r"^\W*(?:ok(?:ay)?|k|kk|alright|all\s+right|go\s+(?:on|ahead|for\s+it)|fire\s+away|let'?s\s+(?:do\s+it|go|start|begin)"
                    r"|no\s+(?:problem|problemo|worries|bother)|not\s+a\s+problem)\b(?![^.;!?]*\b(?:but|if|unless|except)\b)", re.IGNORECASE)
NOT_NOW = re.compile(r"^\W*(?:(?:no|nah|nope)\W+)?(?:not\s+(?:right\s+)?now|not\s+today|maybe\s+later|later|another\s+time)\b", re.IGNORECASE)


# A reply said last, as the conclusion of what came before: "mum's 70 so no"
_CONCLUDED = re.compile(r"\b(?:so|then|therefore)\s*,?\s*(?P<said>no|nope|yes|yeah|yep)\W*$", re.IGNORECASE)


def classify_reply(text: str) -> Reply | None:
    """Read a reply to a yes/no question as "yes", "no" or "unknown"; None if it is neither."""
    text = _clean(text)
    corrected = _SELF_CORRECTED.match(text)
    if corrected:
        return "no" if corrected.group("said").lower().startswith("n") else "yes"
    if _YES_THEN_NO.match(text):
        return None
    if _ASSENT.match(text):
        return "yes"
    if chinese.HAS_HAN.search(text):
        said = chinese.classify(text)
        if said is not None:
            return said
    if _UNKNOWN.search(text):
        return "unknown"
    if _NO.match(text):
        return "no"
    if _YES.match(text):
        return "yes"
    concluded = _CONCLUDED.search(text)
    if concluded:
        return "no" if concluded.group("said").lower().startswith("n") else "yes"
    return None


def reply_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` says its yes, no or "I don't know" (what classify_reply reads), as spans of ``text``."""
    offset = len(text) - len(text.lstrip())
    plain = text.replace("’", "'")
    spans = [(m.start(), m.end()) for m in _UNKNOWN.finditer(plain)]
    for pattern in (_SELF_CORRECTED, _YES_THEN_NO, _ASSENT, _NO, _YES):
        opening = pattern.match(plain.strip())
        if opening:
            spans.append((opening.start() + offset, opening.end() + offset))
    concluded = _CONCLUDED.search(plain)
    if concluded:
        spans.append(concluded.span())
    return spans


# A "no" that answers the question, followed without a comma by a new statement with its own subject:
# "no I'm pregnant already" denies the question asked, not what the statement says
_ANSWER_THEN_STATEMENT = re.compile(r"^\W*(?:no|nope|nah)\b\W*(?=(?:i|i'm|im|i've|she|she's|he|he's|we|they|my|it)\b)",
                                    re.IGNORECASE)


def is_negated(text: str, start: int) -> bool:
    """Is the phrase at `start` negated by a cue in the preceding ~5 words of its clause?"""
    start = max(0, min(start, len(text)))
    opened = text.rfind("(", 0, start)
    if opened > 0 and ")" not in text[opened:start]:
        # a list in brackets takes the negation said before it: "screen neg (HIV, hep B, syphilis)"
        if _RESULT_BEFORE_LIST.search(text[:opened]):
            return True
        start = opened
    before = _clean(text[max(0, start - 200) : start])
    clause = _ANSWER_THEN_STATEMENT.sub("", _CLAUSE_BREAK.split(before)[-1])
    window = " ".join(clause.split()[-_WINDOW_WORDS:])
    window = _PSEUDO_NEGATION.sub(" ", window)
    if _NEGATION_CUE.search(window):
        return True
    return bool(chinese.HAS_HAN.search(before)) and chinese.is_negated(text, start)


# A reading said with doubt ("I don't think so", "probably", "I think it's ovarian but they haven't
# confirmed", "does that count?") is offered back, never stored as said.
_HEDGE = re.compile(
    r"\b(?:i\s+(?:do\s*n'?t\s+|do\s+not\s+)?(?:think|believe|reckon)|probably|i\s+guess|i\s+suppose|not\s+that\s+i\s+(?:know|remember|recall)"
    r"|not\s+really|not\s+that\s+(?:anyone|anybody|i'?m\s+aware|i\s+am\s+aware|i'?ve\s+been\s+told)"
    # "none that I've been told about", "not that they've mentioned": only what was heard of is denied
    r"|(?:not|none|nothing)\s+that\s+(?:i|i'?ve|they|they'?ve|anyone|anybody|(?:the|my)\s+(?:doctors?|nurses?|team))\s+(?:\w+\s+){0,2}?"
    r"(?:told|mentioned|said|found|know|knows|remember|recall|noticed|seen|heard|aware)|i\s+doubt\s+it|might\s+(?:be|have)|could\s+be|possibly|kind\s+of|sort\s+of|kinda|sorta|i\s+hope"
    r"|(?:have\s*n'?t|not|never)\s+(?:been\s+)?confirmed|as\s+far\s+as\s+i\s+know|if\s+i\s+remember|does\s+(?:that|it|this)\s+count"
    r"|is\s+that\s+(?:ok|okay|a\s+problem|bad))\b|^[^,.;!?]*\?\s*$",
    re.IGNORECASE,
)
# What follows a plain yes or no and takes part of it back: "no, apart from ...", "yes if my oncologist agrees"
_EXCEPTION = re.compile(r"\b(?:apart\s+from|except|other\s+than|besides|if|as\s+long\s+as|provided|unless|only\s+if)\b",
                        re.IGNORECASE)
# "no... well pre-diabetic they said": a "well" after a pause takes the reply back in part too
_CONTRAST = re.compile(r"\b(?:but|although|though|however|just|only)\b|(?:\.{2,}|…|[,;-])\s*well\b", re.IGNORECASE)


# Said alone, "I think so" and "I don't think so" are how people say yes and no: the hedge is in the
# words of something more ("I think so but I'm not sure", "I think it's ovarian")
_BELIEF_ALONE = re.compile(r"^\W*i\s+(?:do\s*n'?t\s+|do\s+not\s+)?(?:think|believe)\s+so\W*$", re.IGNORECASE)
# A plain yes or no, then a question about what it means for the person: "yes. is that a problem?"
_ANSWER_THEN_WORRY = re.compile(r"^\W*(?:yes|yeah|yep|no|nope)\s*[.!]+\s*is\s+that\s+(?:ok|okay|a\s+problem|bad)\s*\?*\s*$",
                                re.IGNORECASE)


# A reply that leans one way before its doubt: "I think so but I'm not sure", "maybe", "I don't think so, not sure"
_LEAN = re.compile(r"^\W*(?:(?P<no>i\s+(?:do\s*n'?t|do\s+not)\s+(?:think|believe)\s+so|probably\s+not)"
                   r"|i\s+(?:think|believe|guess|suppose)\s+so|probably|maybe|perhaps|possibly)\b", re.IGNORECASE)


def leaning(text: str) -> Reply | None:
    """The way a doubtful reply leans ("yes" or "no"), if it starts by saying so."""
    m = _LEAN.match(_clean(text))
    return None if m is None else "no" if m.group("no") else "yes"


def said_as_belief(text: str) -> bool:
    """Only "I think so" or "I don't think so", nothing more."""
    return bool(_BELIEF_ALONE.match(_clean(text)) or chinese.BELIEF_ALONE.match(_clean(text)))


def is_hedged(text: str) -> bool:
    text = _clean(text)
    if said_as_belief(text) or _ANSWER_THEN_WORRY.match(text):
        return False
    return bool(_HEDGE.search(text) or (chinese.HAS_HAN.search(text) and chinese.HEDGE.search(chinese.without_approximation(text))))


def takes_part_back(text: str, contrast: bool = True) -> bool:
    """Whether a yes or no is qualified by what follows it (with ``contrast``, "but" and "just" too)."""
    text = _clean(text)
    if chinese.HAS_HAN.search(text) and (chinese.EXCEPTION.search(text) or (contrast and chinese.CONTRAST.search(text))):
        return True
    return bool(_EXCEPTION.search(text) or (contrast and _CONTRAST.search(text)))
