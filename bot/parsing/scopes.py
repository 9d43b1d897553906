"""Scopes in an answer to a bundled list ("Do you have any of these? ..."), in the manner of ConText.

A list answer often says different things about different items: "not sure about the irregular heartbeat
one, no to the rest", "I'm not diabetic. The rest I'm not sure", "only the AF, none of the others". Each
clause (ended by a terminator: a sentence or clause mark, "but", "though", "otherwise") carries its own
reply, and that reply reaches only what the clause is about: the items it names, or "the rest" when it
says so. A doubt ("not sure about X", "maybe the X one") is scoped to the items of its clause and never
spreads to the whole list.

A whole list is also denied in other words when every item is about one organ and the message says that
organ is fine, or not the trouble ("heart's fine", "not my heart though", "no heart problems"): the
organs come from the items' own words (``organ`` in data/facts.yml).

Chinese answers are read the same way ("心律不齐那个不清楚，其他没有", "心脏的不清楚，其他的没有"): clauses end at
"，。；、" or a "但是", "the rest" is "其他", "其余", "别的", and an item is referred to by two characters of its
label that no other item has ("心律" of 心律失常) or by its organ said on its own ("心脏的", "心脏方面", not the
"心脏" of "心脏病"), with the Chinese organ words of data/facts.zh-CN.yml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import FrozenSet, List, Mapping, Optional, Sequence, Tuple

from bot.parsing import chinese
from bot.parsing.answers import Reply, classify_reply, leaning

# where a clause of a list answer ends: a sentence or clause mark, or a word that opens another statement
TERMINATOR = re.compile(r"[.;,!?\n]+|\b(?:but|though|although|however|otherwise|whereas|except|apart\s+from|other\s+than|besides)\b"
                        r"|[，。；、！？]+|但是|但|不过|可是|其他|其它|其余|别的|剩下", re.IGNORECASE)
# what names the items not named elsewhere: "the rest", "the others", "everything else", "otherwise no"
REST = re.compile(r"\b(?:(?:all\s+)?the\s+(?:rest|others?|other\s+(?:ones?|stuff|things?|bits?))|(?:everything|anything)\s+else|otherwise"
                  r"|any\s+of\s+the\s+others?|no\s+others?(?=\W*$)"
                  r"|(?:no|yes)\s+to\s+(?:all|everything)(?:\s+of\s+(?:it|them|those|these))?(?=\W*(?:except|apart|other|besides|but|$))"
                  r"|^\W*all(?:\s+of\s+(?:them|those|these))?(?=\s+(?:no|not|none)\b)"
                  r"|none\s+of\s+the\s+(?:rest|others?))\b"
                  r"|^\W*(?:其他|其它|其余|别的|剩下)(?:的)?", re.IGNORECASE)
# a clause that goes on about what the one before named ("RA but it's in remission", "nothing now", "not a donor's")
# a clause naming nothing that points back at what was named ("I've never had them checked")
POINTS_BACK = re.compile(r"\b(?:it|them|they|those|these|that|this)\b", re.IGNORECASE)
# an item referred to by a word of its question: "the ECG one", "the heart ones", "the hepatitis question"
_REFERENCE = re.compile(r"\bthe\s+((?:[a-z-]+\s+){0,2}?[a-z-]+)\s+(?:ones?|questions?|bits?|parts?|things?)\b", re.IGNORECASE)
_NOT_A_NAME = frozenset("other others last first second third rest same new old".split())
CONTINUES = re.compile(r"^\W*(?:(?:but|though|although|however)\s+)?(?:it|its|it'?s|they|they'?re|that|that'?s|which|nothing|not|no|never"
                       r"|none|all|fine|well|gone|healed|cured|cleared|resolved|treated|controlled|stable|managed|sorted|over"
                       r"|only|just|once|ages|years?|months?|weeks?|long)\b"
                       # Chinese drops the subject: "治好了", "在吃药", "打胰岛素的", "现在好了", "放过支架"
                       r"|^\s*(?:现在|目前|已经|一直|还|也|都|当时|后来|早就)*(?:在)?(?:吃|用|打|放|做|治|控制|稳定|好|没事|没再|停|恢复|痊愈|复查)",
                       re.IGNORECASE)
# a reply said of "the rest" in a clause of its own
_REST_NO = re.compile(r"\b(?:no|none|nothing|not|never|neither|nope|nah|negative)\b|n'?t\b", re.IGNORECASE)
# doubt inside a clause that names what it is about: "not sure about the AF", "maybe the irregular heartbeat one"
_DOUBT = re.compile(r"\b(?:not\s+(?:sure|certain)|unsure|uncertain|no\s+idea|dunno|(?:do\s*n'?t|do\s+not|didn'?t)\s+(?:really\s+)?know"
                    r"|(?:can'?t|cannot)\s+(?:remember|say)|maybe|perhaps|possibly)\b", re.IGNORECASE)
# "not sure what for", "no idea which one": about a detail, where "not sure if I'm pregnant" is about the item
_WHAT_DETAIL = re.compile(r"\s+(?:what|which|how|when|where|who)\b", re.IGNORECASE)
_DETAIL = re.compile(r"\s+(?:if|whether|what|which|how|when|where|who)\b", re.IGNORECASE)
_LEAN_IN_CLAUSE = re.compile(r"^\W*(?:maybe|perhaps|possibly|probably)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    text: str

    @property
    def about_the_rest(self) -> bool:
        return bool(REST.search(self.text))


def clauses(text: str) -> List[Clause]:
    """The clauses of a message, each with its place in it."""
    found: List[Clause] = []
    at = 0
    for m in TERMINATOR.finditer(text):
        if text[at:m.start()].strip():
            found.append(Clause(at, m.start(), text[at:m.start()]))
        # a word that opens the next clause stays in it ("otherwise no"); a mark does not
        at = m.start() if m.group()[0].isalpha() else m.end()
    if text[at:].strip():
        found.append(Clause(at, len(text), text[at:]))
    return found


# "no to all of it" with no exception anywhere: every item denied, what else was said included ("he had a stent
# in 2015, he's fine now, no to all of it"); "the rest", "the others" leave out what was said
_ALL_OF_IT = re.compile(r"\b(?:no|none)\s+to\s+(?:all|everything)(?:\s+of\s+(?:it|them|those|these))?\W*$", re.IGNORECASE)
_EXCEPTION_WORD = re.compile(r"\b(?:except|apart|other\s+than|besides|only|just|but|though|although)\b", re.IGNORECASE)


def denies_all(text: str) -> bool:
    """Whether a message ends by denying the whole list, with no exception said anywhere in it."""
    return bool(_ALL_OF_IT.search(text)) and not _EXCEPTION_WORD.search(text)


# words that take back what was just said: "I had a clot, no wait that was my husband", "yes the heart attack one -
# oh wait, ...", "scratch that"
_TAKE_BACK = re.compile(r"\b(?:(?:no|oh|hang\s+on|hold\s+on)\s*,?\s*wait|wait\s*,?\s*no|scratch\s+that|i\s+take\s+(?:that|it)\s+back"
                        r"|sorry\s*,?\s*(?:no|not)\b)\b", re.IGNORECASE)
_CLAUSE_MARK = re.compile(r"[.;,!?\n，。；！？…]|\s[-–]\s")


def taken_back(text: str) -> str:
    """The message without the clause its writer takes back, nor the words that take it back: "yes diabetes. also
    I had a clot, no wait that was my husband" reads as "yes diabetes. ... that was my husband", "22，打错了，是12"
    as "12". Blanked with spaces, so that places in the text stay where they were."""
    takes = sorted([*_TAKE_BACK.finditer(text), *chinese.TAKE_BACK.finditer(text)], key=lambda m: m.start())
    for m in reversed(takes):
        before = text[:m.start()].rstrip(" ,;.!-–，。；！…")
        if m.re is chinese.TAKE_BACK and not re.search(r"\w", before):
            continue  # "不对，是ITP": a "no" that opens the reply, nothing taken back
        marks = list(_CLAUSE_MARK.finditer(before))
        start = marks[-1].end() if marks else 0
        text = text[:start] + " " * (m.end() - start) + text[m.end():]
    return text


# a "no" that opens a thing's name ("no bleeding", "no aspirin") denies that thing, not a whole list; "no to all",
# "no none", "no problems", "no, ..." are about the list
_NO_OF_A_THING = re.compile(r"^\W*no\s+(?!(?:to|no|not|none|nothing|never|nope|just|only|but|and|or|i|i'?m|im|i'?ve|we|she|he|they|it|thanks?"
                            r"|thank|sorry|problems?|issues?|trouble|worries|conditions?|illness(?:es)?|way|one|idea|clue"
                            r"|(?:of\s+)?(?:them|those|these|that|this|any|all))\b)[a-z]", re.IGNORECASE)


def no_of_a_thing(text: str) -> bool:
    """Whether a message's "no" names one thing ("no bleeding, and I'm not on blood thinners") rather than
    answering a whole list ("no", "no to all", "no, just asthma")."""
    return bool(_NO_OF_A_THING.match(text))


def rest_reply(clause: Clause) -> Optional[Reply]:
    """What a clause about "the rest" says of it: "no to the rest", "the rest I'm not sure", "otherwise no"."""
    said = classify_reply(clause.text)
    if said == "unknown" or _DOUBT.search(clause.text):
        return "unknown"
    if said is not None:
        return said
    if chinese.HAS_HAN.search(clause.text):
        return classify_reply(REST.sub(" ", clause.text))  # "其他没有", "其他的都没有": the reply after "the rest"
    return "no" if _REST_NO.search(REST.sub(" ", clause.text)) or re.match(r"^\W*none\b", clause.text, re.I) else None


# a yes said in a clause beside what it names: "heart failure yes", "AF - yep"
_YES = re.compile(r"\b(?:yes|yeah|yep|yup|ya|aye)\b", re.IGNORECASE)


def affirms(clause: Clause) -> bool:
    """Whether a clause says yes to what it names ("heart failure yes"), without a doubt or a no beside it."""
    return bool(_YES.search(clause.text)) and classify_reply(clause.text) in ("yes", None) and doubt_in(clause) is None


def doubt_in(clause: Clause) -> Optional[Reply]:
    """The doubt a clause says about what it names: "unknown", or "yes" when it leans ("maybe the AF one").
    A doubt about a detail ("not sure if it was my own cells", "not sure what kind") is no doubt about the item."""
    if chinese.HAS_HAN.search(clause.text) and chinese.UNKNOWN.search(clause.text):
        return "unknown"  # "心律不齐那个不清楚", "病毒那个没查过"
    doubt = _DOUBT.search(clause.text)
    if not doubt or _DETAIL.match(clause.text, doubt.end()):
        return None
    if _LEAN_IN_CLAUSE.match(clause.text) or leaning(clause.text) == "yes":
        return "yes"
    return "unknown"


# items referred to by their place in the list: "no to the first three", "yes to the last one", "the middle one";
# only when nothing follows that makes the word a time ("the last year") or another thing ("the first cycle")
_PLACE_WORDS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4,
                "5th": 4, "sixth": 5, "6th": 5, "last": -1, "middle": None}
_COUNTS = {"two": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4, "five": 5, "5": 5}
_PLACE = re.compile(r"\bthe\s+(?:(?P<end>first|last)\s+(?P<count>two|three|four|five|[2-5])|(?P<one>" + "|".join(_PLACE_WORDS) + r"))"
                    r"(?:\s+(?:ones?|items?|questions?|things?|bits?))?(?=\s*(?:$|[^\w\s]|(?:and|but|or|yes|no|not|is|was|i|i'?m)\b))",
                    re.IGNORECASE)


# a clause made of item numbers only: "1 and 4", "2", "#3"
_NUMBERS_ONLY = re.compile(r"\W*(?:(?:no\.?|number|#)\s*)?[1-9](?:\s*(?:and|&|\+|/|or)\s*(?:(?:no\.?|number|#)\s*)?[1-9])*\W*",
                           re.IGNORECASE)


def by_place(clause: Clause, size: int) -> List[int]:
    """The places (0-based) of the items a clause refers to by their place in a list of ``size`` items: by
    place words ("the first three", "the last one"), or by their numbers alone ("1 and 4")."""
    if _NUMBERS_ONLY.fullmatch(clause.text):
        numbers = [int(n) for n in re.findall(r"[1-9]", clause.text)]
        return [n - 1 for n in numbers] if all(n <= size for n in numbers) else []
    places: List[int] = []
    for m in _PLACE.finditer(clause.text):
        if m.group("count"):
            count = min(_COUNTS[m.group("count").lower()], size)
            places += list(range(count)) if m.group("end").lower() == "first" else list(range(size - count, size))
            continue
        place = _PLACE_WORDS[m.group("one").lower()]
        if place is None:
            if size % 2:
                places.append(size // 2)  # "the middle one" of an even list is no one item
        elif place < size:
            places.append(place % size)
    return places


def place_reply(clause: Clause) -> Reply:
    """What a clause says of the items it refers to by place: its own reply ("no to the first three"), or, with
    no reply of its own, "yes": the items are picked out ("the middle one", "except the last")."""
    return classify_reply(_PLACE.sub(" ", clause.text).replace(" to ", " ").strip(" ,.;:-")) or "yes"


def doubts_only_details(text: str) -> bool:
    """Whether every doubt in a message is about a detail ("on bisoprolol for my heart but not sure what for
    exactly"), none about whether the person has what was asked."""
    doubts = list(_DOUBT.finditer(text))
    return bool(doubts) and all(_WHAT_DETAIL.match(text, d.end()) for d in doubts)


def referred_words(text: str) -> List[str]:
    """The words by which a clause refers to items: "the heart ones" -> ["heart"]."""
    return [w for m in _REFERENCE.finditer(text) for w in m.group(1).lower().split() if w not in _NOT_A_NAME and len(w) > 2]


def refers_to(words: Sequence[str], *wordings: object) -> bool:
    """Whether an item's label, question or organ holds one of the words, whole ("heart" is not "heartbeat")."""
    said = " ".join(w if isinstance(w, str) else " ".join(w) for w in wordings if w).lower()
    return any(re.search(rf"\b{re.escape(w)}s?\b", said) for w in words)


# Chinese points at items by a word of theirs: "心律不齐那个", "心脏的", "心脏方面", "病毒那项"
_ZH_POINTER = r"(?:的)?(?:那|这)(?:一)?(?:几)?(?:个|些|项|样|种|块)(?:的)?|方面(?:的)?|相关(?:的)?|的"
# an organ said on its own, before a pointer or what is said of it ("心脏没毛病"), not as the start of a name ("心脏病")
_ZH_ORGAN_ALONE = rf"(?:{_ZH_POINTER})?(?=都|也|没|无|不|挺|很|还|一直|正常|好|[\s{chinese.PUNCTUATION}]|$)"
# an organ said to be fine: "心脏挺好的", "血糖一直正常"
_ZH_FINE = re.compile(r"^(?:都|也|一直|还|倒)?(?:挺|很|还|蛮|比较|都)?(?:好|正常|健康|没事|没问题|没毛病|不错)")


def _han_pairs(words: str) -> FrozenSet[str]:
    """Every two Han characters side by side in the words: "心律", "律失", "失常" of 心律失常."""
    return frozenset(a + b for a, b in zip(words, words[1:]) if chinese.HAS_HAN.match(a) and chinese.HAS_HAN.match(b))


def referred_in_chinese(text: str, labels: Mapping[str, str], organs: Mapping[str, Sequence[str]]) -> Tuple[List[str], Optional[Reply]]:
    """The items a Chinese clause refers to, and what it says of them: by their organ said on its own ("心脏的不清楚",
    "心脏方面都没有": every item about the heart), or else by two characters of an item's label (``labels``, its
    Chinese label) that no other item's has ("心律不齐那个不清楚": 心律 of 心律失常), followed by a pointer ("那个") or in a
    doubt. The reply is what follows the reference ("都没有", "挺好的": no); None when nothing follows a pointer to say
    it (a doubt is read apart)."""
    by_organ = {key: m for key, words in organs.items() for word in words if chinese.HAS_HAN.search(word)
                for m in [re.search(re.escape(word) + _ZH_ORGAN_ALONE, text)] if m}
    if by_organ:
        return list(by_organ), _said_after(text[max(m.end() for m in by_organ.values()):])
    pairs = {key: _han_pairs(label) for key, label in labels.items()}
    found = {}
    for key, mine in pairs.items():
        own = mine - set().union(*(v for k, v in pairs.items() if k != key))
        at = [text.find(p) for p in own if p in text]
        if at:
            found[key] = min(at)
    if not found:
        return [], None
    # the reply only past a pointer after the item's word ("心律不齐那个没有"): the rest of the word may be a negation;
    # without a pointer, two characters name an item only in a doubt ("心律不齐不清楚"), not in any clause ("3个月前")
    pointer = re.compile(rf"[{chinese.HAN}]{{0,4}}?(?:{_ZH_POINTER})").match(text, max(found.values()))
    if pointer is None:
        return (list(found), None) if chinese.UNKNOWN.search(text) else ([], None)
    return list(found), _said_after(text[pointer.end():])


def _said_after(words: str) -> Optional[Reply]:
    """What the words after a reference say of it: "都没有" no, "挺好的" no (said fine), "有" yes."""
    if _ZH_FINE.match(words):
        return "no"
    return classify_reply(words) if words.strip() else None


def organ_fine(text: str, organs: Sequence[str]) -> List[Tuple[int, int]]:
    """Where the message says an organ is fine or not the trouble: "heart's fine", "not my heart though",
    "no heart problems", "nothing wrong with my heart", "my sugar is fine too" (not "fine on tablets")."""
    if not organs:
        return []
    organ = "(?:" + "|".join(re.escape(o) for o in sorted(organs, key=len, reverse=True)) + ")"
    own = r"(?:(?:my|her|his|the|their)\s+)?"
    pattern = re.compile(
        rf"\b{own}{organ}(?:'s|\s+is|\s+was|\s+are|\s+were|\s+have\s+been|\s+has\s+been)?\s+"
        rf"(?:(?:totally|perfectly|completely|all|absolutely|always\s+been|been|always)\s+)?"
        rf"(?:fine|ok|okay|good|healthy|strong|normal|perfect|grand)\b(?!\s+(?:on|with|since|after|now|thanks\s+to|because)\b)"
        rf"|\bnot\s+{own}{organ}\b(?!\s+(?:attack|failure|condition|disease|problems?|rhythm|beat|levels?))"
        rf"|\bno\s+{organ}\s+(?:problems?|trouble|issues?|conditions?|disease)\b"
        rf"|\bnothing\s+(?:wrong\s+)?with\s+{own}{organ}\b",
        re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text)]


def spans_of(clause_list: Sequence[Clause]) -> List[Tuple[int, int]]:
    return [(c.start, c.end) for c in clause_list]
