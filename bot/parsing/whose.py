"""Whose fact a mention is: the person screened's, or someone else's named beside them.

A message about the person screened often names someone else too: "45. my husband is 52 if that
matters", "none of these, though my brother had a kidney transplant", "pt's husband: 66M, HTN poorly
controlled. pt herself: 62F", "家属代述：患者母亲有糖尿病，患者本人无". What is said of that other person
is theirs: read as the person's, the husband's age and sex, or the brother's transplant, would be
guessed health facts. The reader (bot/extraction.py) sets the other person's words aside; this module
says where they are:

- a relative is whom the message is about only when the message starts with them, or says so ("for my
  mum"), or the conversation is already about them (a carer answering for "your mother" writes "my mum");
- a relative named after the writer has spoken of themselves (a first-person statement: "I'm 34, my
  husband ..."; a bare answer first: "45. my husband is 52"; a contrast: "no but my husband does",
  "though my brother ...") is someone else, as is one the writer sets against themselves afterwards
  ("my dad had leukaemia but mine is stomach cancer", "我爸以前是白血病，我现在是结肠癌");
- someone else's relative ("pt's husband", "her husband", "患者母亲") is never the person screened: a
  label ("pt's husband: ...") holds to the end of its sentence, a mention to the end of its clause;
- an elliptic denial after another person's condition ("my mum had a clot, not me", "患者母亲有糖尿病，
  患者本人无") denies that condition for the person screened.
"""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from bot.parsing.chinese import PUNCTUATION, RELATIVE_WORDS, relative

ENGLISH_RELATIVES = (r"mother|mum|mom|mummy|mommy|father|dad|daddy|husband|wife|partner|son|daughter|brother|sister"
                     r"|grandmother|grandma|grandfather|grandpa|aunt|uncle|friend|boyfriend|girlfriend|fiance|fiancee")
# one name for each relative, however it is written: "mum", "mom" and "mother" are one person
CANONICAL = {"mum": "mother", "mom": "mother", "mummy": "mother", "mommy": "mother", "dad": "father", "daddy": "father",
             "grandma": "grandmother", "grandpa": "grandfather"}

# Someone else's relative: "pt's husband", "the patient's mother", "her husband", "患者母亲", "病人的老公"
_OTHER_OWNER = re.compile(
    rf"\b(?:(?:the\s+)?(?:pt|patient)'?s|her|his|their)\s+(?:{ENGLISH_RELATIVES})\b"
    rf"|(?:患者|病人|病患)(?:的)?(?:{RELATIVE_WORDS})", re.IGNORECASE)
# The words that name another person, blanked when what is said of them is read on its own
OWNER = re.compile(rf"{_OTHER_OWNER.pattern}|\bmy\s+(?:{ENGLISH_RELATIVES}|patient)\b|我(?:的|家)?(?:{RELATIVE_WORDS})", re.IGNORECASE)
# Where a mention's words end: the end of its clause; a label's ("pt's husband: ...") the end of its sentence
# or the next label of the person screened ("pt herself:", "患者本人")
_CLAUSE_END = re.compile(rf"[.;,!?\n{PUNCTUATION}]|\b(?:but|and|whereas|while|though|although)\b|但是|但|不过|可是", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<!\d)\.(?!\d)|[;\n。；！？!?]|\b(?:pt|patient)\s+(?:herself|himself|themselves|own)\b"
                           r"|(?:患者|病人)(?:本人|自己)", re.IGNORECASE)
_LABEL = re.compile(r"\s*[:：=-]")

# The writer has spoken of themselves before a relative is named: that relative is someone else
_SELF_BEFORE = re.compile(
    r"\b(?:but|though|although|whereas|however|unlike)\b"
    r"|\b(?:i'?m|i\s+am|im|i\s+have|i'?ve|i\s+had|i\s+was|i\s+do|i\s+did|mine|myself)\b"
    r"(?!\s+(?:asking|writing|typing|filling|here|helping|her|his|their|the|a|an|on\s+behalf|enquiring|inquiring|looking|checking)\b)"
    r"|^\W*(?:about\s+)?\d[\d.,]*\s*(?:k|years?(?:\s+old)?|y/?o)?\s*[.,;:!-]"
    r"|\b(?:i'?m|i\s+am|im)\s+(?:a\s+)?(?:man|woman|male|female|guy|lady|bloke)\b"  # "I'm a man, my wife is 60"
    r"|^\W*(?:fe)?male\s*[.,;:!-]"  # "Male. My wife is female if that matters": the writer's own sex, answered first
    r"|(?:但是|但|不过|可是)|^\s*\d{1,3}(?=\s|[，,。.])", re.IGNORECASE)
# The writer setting themselves against a relative named before: "my dad had leukaemia but mine is stomach cancer",
# "my husband is 66, I'm 63 - it's me who's ill, not him"
NOT_ME = re.compile(r"\bnot\s+me\b|\bbut\s+(?:i|i'?m|i\s+am|i\s+have|i'?ve|mine|my\s+own|me)\b|\bmine\s+(?:is|was|are)\b"
                    r"|\bit'?s\s+(?:me|myself)\s+(?:who|that|with)\b|\bi'?m\s+the\s+(?:one|patient)\b|\bnot\s+(?:him|her)\b", re.IGNORECASE)
ZH_NOT_ME = re.compile(rf"[{PUNCTUATION}\s](?:我|患者|病人)(?:本人|自己)?(?:现在|目前|今年)?(?:是|得的是|得了|查出)"
                       rf"(?!(?:他|她|TA|患者|病人)?(?:的)?(?:{RELATIVE_WORDS})|(?:男|女)(?:的|性)?)")
# A denial with nothing of its own after another person's condition: "..., not me", "..., 患者本人无"
ELLIPTIC_DENIAL = re.compile(
    r"(?:^|[,;.:]\s*|\bbut\s+)(?:not\s+(?:me|her|him|them|the\s+patient|pt)|me\s+neither"
    r"|(?:i|she|he|they|the\s+patient|pt)\s+(?:(?:do|does|did|have|has)\s*n'?t|(?:do|does|did|have|has)\s+not|never\s+(?:has|have|did))"
    r"(?:\s+(?:have|had)\s+(?:it|that|one|them))?)\s*(?:myself|herself|himself)?\W*$"
    rf"|[{PUNCTUATION}\s](?:我|患者|病人)(?:本人|自己)?(?:也|倒|可)?(?:没有|没|无|不是|否认)(?:的)?[\s{PUNCTUATION}]*$",
    re.IGNORECASE)

# the writer said not to have it: "I don't", "I haven't", "not me", "I've never had", "I'm fine"
_WRITER_DENIES = (r"(?:not\s+me\b|i\s+(?:do\s*n'?t|do\s+not|have\s*n'?t|have\s+not|did\s*n'?t|did\s+not|never)\b"
                  r"(?!\s+(?:know|think|remember|recall|understand|see)\b)"  # "I don't know" is no denial
                  r"|i'?ve\s+never\b|i'?m\s+(?:not|fine|ok|okay)\b|i\s+am\s+(?:not|fine)\b"
                  r"|(?:i'?ve|i\s+have)\s+(?:got\s+)?(?:none|nothing)\b)")

# the writer set against the relative by a "but": "but mine is stomach cancer", "but I have it too"
_WRITER = (r"(?:mine|my\s+own|i(?!\s+(?:do\s*n'?t|do\s+not|did\s*n'?t|did\s+not)\s+(?:know|think|remember|recall|understand|see)\b)"
           r"|i'?m|im|i'?ve|me)\b")


def without_others(text: str, relatives: str) -> str:
    """The message without what it says of another person set against the writer: "no, my husband has
    diabetes but I don't" reads as "no, ... I don't"; "my dad had heart failure but I don't have any of these"
    as "I don't have any of these"; "my dad had leukaemia but mine is stomach cancer" as "mine is stomach
    cancer"; "no but my husband does" as "no"; "grandad had diabetes, I've got none of them" (a relative named
    first, without "my") as "I've got none of them". Blanked with spaces, so that places in the text stay where they
    were. A relative named without the writer set against them ("Mum has a pacemaker", "my mum has lupus but I
    don't know if it's active") may be the person screened, and stays."""
    pattern = re.compile(rf"(?:\b(?:my|our)\s+|^\W*)(?:{relatives})\s+(?:has|had|have|gets|got|suffers|'s\s+got|has\s+got)\b[^.;!?]*?"
                         rf"(?:\bbut\s+(?={_WRITER_DENIES}|{_WRITER})|,\s*(?={_WRITER_DENIES}))", re.IGNORECASE)
    # a denial with nothing of its own ("my mum had a clot in the lung, not me") denies what the other person
    # had: left for the extraction to read (ELLIPTIC_DENIAL above), which needs their words
    text = pattern.sub(lambda m: m.group() if ELLIPTIC_DENIAL.search(text[m.start():].rstrip())
                       else " " * len(m.group()), text)
    if re.match(r"^\W*\d{1,3}\s*[.,;!]", text):
        # the writer's own number first, then a relative's: "45. my husband is 52 if that matters"
        text = re.sub(rf"(?<=[.,;!])\s*(?:my|our)\s+(?:{relatives})\s*(?:is|'s|was)\s+\d{{1,3}}\b[^.;!?]*",
                      lambda m: " " * len(m.group()), text, flags=re.IGNORECASE)
    if re.match(r"^\W*(?:no|none|nope|nah|never|not|i\s+(?:do\s*n'?t|have\s*n'?t|do\s+not|have\s+not))\b", text, re.IGNORECASE):
        # the writer's no first: "no but my husband does", "none of these, though my brother had a kidney transplant"
        after = re.compile(rf"(?:,\s*|\s+)(?:(?:but|though|although|while|whereas)\s+)?(?:my|our)\s+(?:{relatives})\s+"
                           rf"(?:does|do|did|has|had|have|gets|got)\b[^.;!?]*", re.IGNORECASE)
        text = after.sub(lambda m: " " * len(m.group()), text)
    return text


# An age still to come within the year: "I'll be 18 in March", "she turns 70 next month", "三月满18岁": a year less
# now. A birthday next year or later ("55 next year", "60 in two years", "明年满18") leaves the age now unsure:
# no value here, and bot/extraction.py notes it as a bound, asked back
_NOT_WITHIN_THE_YEAR = r"(?!\s*(?:next\s+year|in\s+(?:a|one|[0-9]+|two|three|four|five|a\s+few|a\s+couple\s+of)\s+years?)\b)"
FUTURE_AGE = re.compile(
    r"\b(?:i'?ll|she'?ll|he'?ll|they'?ll|(?:i|she|he|they|my\s+(?:" + ENGLISH_RELATIVES + r"))\s+will)\s+(?:be|turn)\s+(?P<n>\d{1,3})\b"
    r"(?:\s*(?:years?\s+old|yo|y/o))?" + _NOT_WITHIN_THE_YEAR + r"(?=\s*(?:in|on|next|this|by|at|come|later|soon|after)\b)"
    r"|\b(?:turns|turning|is\s+turning|'s\s+turning)\s+(?P<n2>\d{1,3})\b" + _NOT_WITHIN_THE_YEAR
    + r"(?=\s*(?:in|on|next|this|by|later|soon)\b)"
    r"|(?:下个?月|今年底|(?<!明)年底|下(?:个)?(?:周|星期|礼拜)|过几天|明天|后天|月底|(?:这|本)(?:个)?(?:月|周|星期|礼拜)|(?<!明年)(?:\d{1,2}|[一二三四五六七八九十]{1,2})月(?:份)?)(?:就|才)?(?:要)?满(?P<n3>\d{1,3})(?:周?岁)?",
    re.IGNORECASE)


def canonical(word: Optional[str]) -> Optional[str]:
    """One name for a relative's word, English or Chinese: "mum", "Mom", "妈妈" -> "mother"."""
    if not word:
        return None
    word = word.strip().lower()
    if word.startswith("your "):
        word = word[5:]
    return CANONICAL.get(word) or relative(word) or word


def future_age(text: str) -> Optional[Tuple[int, Tuple[int, int]]]:
    """The age now of someone whose birthday is still to come ("I'll be 18 in March": 17), and where it was said."""
    m = FUTURE_AGE.search(text)
    if m is None:
        return None
    group = next(g for g in ("n", "n2", "n3") if m.group(g))
    return int(m.group(group)) - 1, m.span(group)


# A bare reply before the contrast ("yeah but my dad has leukaemia"): the carer goes on about the person screened,
# unless the relative's clause only echoes the question ("no but my husband does")
_BARE_REPLY_THEN_CONTRAST = re.compile(r"^\W*(?:yes|yeah|yep|ok|okay|sure|no|nope|well)\W*(?:but|though|although)\s*$", re.IGNORECASE)
_ECHO = re.compile(r"^\W*(?:my\s+)?\w+\s+(?:does|do|did|has|had|is|was|too|also)(?:\s+(?:too|also))?\W*$", re.IGNORECASE)
# A relative after a preposition is part of the writer's clause: "with my husband's vasectomy", "one from her sister"
_LED_BY_PREPOSITION = re.compile(r"\b(?:with|from|to|by|of|for|via|and)\s+$", re.IGNORECASE)


def self_first(text: str, start: int) -> bool:
    """Whether the writer spoke of themselves before a relative named at ``start``."""
    if _BARE_REPLY_THEN_CONTRAST.match(text[:start]):
        return bool(_ECHO.match(text[start:]))
    return bool(_SELF_BEFORE.search(text[:start]))


def led_by_preposition(text: str, start: int) -> bool:
    """Whether a relative named at ``start`` is part of the writer's own clause ("a transplant from my brother")."""
    return bool(_LED_BY_PREPOSITION.search(text, 0, start))


def others_own(text: str) -> List[Tuple[int, int]]:
    """The spans said of someone else's relative ("pt's husband: 66M, HTN poorly controlled.", "her husband has
    diabetes", "患者母亲有糖尿病")."""
    spans = []
    for m in _OTHER_OWNER.finditer(text):
        if led_by_preposition(text, m.start()):
            continue  # "one from her sister": the transplant is the person's
        label = _LABEL.match(text, m.end())
        stop = (_SENTENCE_END if label else _CLAUSE_END).search(text, label.end() if label else m.end())
        spans.append((m.start(), stop.start() if stop else len(text)))
    return spans


# The word that ties another person's clause to the one before: blanked with it ("no but my husband does": "no")
LINK_BEFORE = re.compile(r"\b(?:but|though|although|whereas|while|and)\s+$", re.IGNORECASE)


def with_link(text: str, span: Tuple[int, int]) -> Tuple[int, int]:
    """The span of another person's clause, with the "but" or "though" that led to it."""
    link = LINK_BEFORE.search(text, 0, span[0])
    return (link.start(), span[1]) if link else span


def blank(text: str, spans: List[Tuple[int, int]]) -> str:
    """The text with the spans' characters made spaces: offsets stay."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
