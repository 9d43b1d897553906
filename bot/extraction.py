"""Finding facts in what a person writes, asked for or volunteered.

Everything is driven by the fact vocabulary: each fact's cues say how it may be mentioned, its
type says what value to look for near the cue (a number with a unit, a time, a choice word, or
yes/no by negation). The open question gives context: a bare "22k" answers the platelet
question, "six weeks ago" the chemotherapy one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any, Collection, Dict, List, Optional, Sequence, Tuple

from bot.facts import NEVER, FactDefinition, FactType, Vocabulary, date_range, date_value, describe_value, unit_word, with_unit
from bot.parsing import chinese, when_chinese, whose
from bot.parsing.answers import UNTESTED, classify_reply, is_hedged, is_negated
from bot.parsing.chinese import LEFT_EDGE, RIGHT_EDGE
from bot.parsing.language import is_english_word
from bot.parsing.numbers import minus_sign
from bot.parsing.quantities import FRACTION, NEGATIVE, SPANS, TIME, Measurement, find_measurements
from bot.parsing.when import WhenAnswer, absent_for, counted_from_cycle, length_against, parse_when, planned
from bot.units import DEFINITIONS, convert, factor
from bot import texts

# beside Chinese too, which has no spaces: "我想了解NCT05236582"
TRIAL_ID = re.compile(r"(?<![A-Za-z0-9])NCT\d{8}(?![A-Za-z0-9])", re.IGNORECASE)
# "which trials could I join?", "find me a study for lung cancer", "any trials near Tianjin?"
CATALOGUE_REQUEST = re.compile(
    r"\b(?:which|what|any|find|search|list|show|other)\b[^.?!]{0,30}\b(?:trials|studies|trial|study)\b"
    r"(?![^.?!]{0,3}\bNCT)", re.IGNORECASE)
RELATIVES = (r"mother|mum|mom|father|dad|husband|wife|partner|son|daughter|brother|sister|grandmother|grandma"
             r"|grandfather|grandpa|grandad|granddad|gran|nan|nana|aunt|uncle|friend|patient")
RELATIVE = re.compile(rf"\bmy ({RELATIVES})\b", re.IGNORECASE)
# Said of a relative rather than of the person screened: "my dad has heart disease, not me"
OF_A_RELATIVE = re.compile(rf"\bmy ({RELATIVES})\b(?:(?!\b(?:but|and|not me|while|says|said|thinks|thought|told|noticed|reckons)\b)[^.;,!?])*",
                           re.IGNORECASE)
NOT_ME = re.compile(r"\bnot\s+me\b|\bbut\s+(?:i|i'?m|i\s+am|i\s+have|i'?ve)\b", re.IGNORECASE)
# The writer saying how they are related to the person screened ("I'm her husband"): the word is the writer's
WRITER_RELATION = re.compile(rf"\b(?:i'?m|i\s+am|im)\s+(?:her|his|their)\s+(?:{RELATIVES})\b", re.IGNORECASE)
EXPLICIT_SUBJECT = re.compile(rf"\b(?:for|about|on behalf of|asking for|screening|checking)\s+my ({RELATIVES})\b", re.IGNORECASE)
# A relative who helps with the typing is not whom the message is about: "my husband is helping me type this"
HELPING = r"(?:helping|typing|writing|reading|here|sitting|with me|doing the typing|drive|driving|take me|bring me|(?:has to |have to )?reminds? me)\b"
# A number standing alone, as an age follows a name: "67," "(71)" "58 with"; not "22k", "22,000", "22 thousand"
STANDS_ALONE = r"(?=\s*(?:[,;:.!?)](?!\d)|$)|\s+(?:with|who|has|had)\b)"
# The relative is whom the message is about: "my mother is 67", "asking for my dad", "my wife".
# Not "my husband says I bruise easily" or "a transplant from my brother": read as the subject,
# "husband" would make a woman male, and the pregnancy questions would never be asked.
RELATIVE_SUBJECT = re.compile(
    rf"\b(?:for|about|is|it's|screening|checking|on behalf of)\s+my ({RELATIVES})\b"
    rf"|(?<!with )(?<!from )(?<!to )(?<!by )(?<!and )\bmy ({RELATIVES})(?!\s*(?:is\s+|'s\s+|will\s+|can\s+|could\s+)?{HELPING})"
    rf"(?:\s*(?:is|has|had|was|'s|needs|got|gets|takes|took|can|could|will|does|did)\b"
    rf"|\s*[:;,.!?-]|\s*$|\s*\(?\d{{1,3}}{STANDS_ALONE})", re.IGNORECASE)
# "62F", "62 yo M", "62 year old female": terse age and sex together
AGE_SEX = re.compile(r"\b(\d{1,3})\s*(?:y/?o|yrs?|years?(?: old)?|-year-old)?\s*(f|m|female|male)\b", re.IGNORECASE)
# "I am 62", "she's 67", "mum's 70", "aged 70", when no unit other than years follows; "age -5" too, to be refused.
# Not an age at another time: "T1DM since age 12", "diagnosed at age 40"
OTHER_TIME_AGE = r"(?<!since )(?<!at )(?<!from )(?<!until )(?<!till )(?<!by )(?<!before )(?<!after )"
AGE_STATED = re.compile(
    rf"\b(?:i am|i'm|im|(?:she|he|they|(?:my\s+)?(?:{RELATIVES}))\s*(?:is|are|'s)|{OTHER_TIME_AGE}(?:aged|age:?))\s+(?:about\s+|nearly\s+|almost\s+)?[-−]?(\d{{1,3}})\b"
    r"(?!\s*(?:k\b|000|thousand|x|×|/|per\b|%|ms\b|weeks?|months?|days?|kg|cm|lbs?)|[.,]\d)", re.IGNORECASE)
# "my mother, 67, lung cancer", "for my wife (58)": a bare number right after the relative (or "-67", refused)
AGE_AFTER_RELATIVE = re.compile(rf"\bmy (?:{RELATIVES})\s*[,:(]?\s*[-−]?(\d{{1,3}}){STANDS_ALONE}", re.IGNORECASE)
# The start of "I'm seventeen", "she is sixty-two": a number in words right after it is an age.
AGE_LEAD = re.compile(rf"\b(?:i am|i'm|im|(?:she|he|they|(?:my\s+)?(?:{RELATIVES}))\s*(?:is|are|'s)|{OTHER_TIME_AGE}(?:aged|age:?))"
                      r"\s+(?:about\s+|nearly\s+|almost\s+)?$", re.IGNORECASE)
# "stopped taking aspirin", "aspirin, which I stopped": for facts where only the present counts
CEASED = re.compile(r"\b(?:stopped|quit|no longer|not any ?more|used to|came off|off|discontinued|gave up|held|on hold|paused"
                    r"|(?:due|going|about)\s+to\s+(?:re)?start|will\s+(?:re)?start)\b",
                    re.IGNORECASE)
UNTESTED_BEFORE = re.compile(rf"\b{UNTESTED}", re.IGNORECASE)  # "never been tested for HIV"
# A cue asked back as a question, then answered: "pregnant? hope not!"
ECHOED = re.compile(r"\s*\?\s*(?P<reply>[^.;!?]*)")
# Not knowing whether: "I don't know if I'm pregnant" neither says nor denies it (a ConText uncertainty cue)
UNCERTAIN_BEFORE = re.compile(r"\b(?:(?:do\s*n'?t|do\s+not|did\s*n'?t)\s+know|not\s+sure|unsure|no\s+idea|wonder(?:ing)?)\s+(?:if|whether)\b",
                              re.IGNORECASE)
# A mention said with doubt in its own clause: "don't think I'm pregnant, not breastfeeding" is sure only of the second
HEDGED_BEFORE = re.compile(r"\b(?:(?:i\s+)?(?:do\s*n'?t|do\s+not)\s+(?:think|believe|reckon)|i\s+(?:think|believe|reckon|guess|suppose)"
                           r"|probably|maybe|perhaps|possibly|might\s+(?:be|have)"
                           # made small: "just the odd bruise" may be no tendency at all
                           r"|the\s+(?:odd|occasional))\b", re.IGNORECASE)
# A state named as the time of something else: "only when I was pregnant" says nothing of being pregnant now
PAST_STATE_BEFORE = re.compile(r"\b(?:when|while|back\s+when|since)\s+(?:i|she|he|we|they)\s+(?:was|were)\s+(?:on\s+)?$", re.IGNORECASE)
# "bleeding hx: no", "DM - none", "BF: nil": a label answered no
# a bare "no" said right after what it answers, in a clause of its own: "diabetes yes, clots no, the others ..."
# A thing named as one of its kind ("没有流鼻血什么的", "no nosebleeds or anything like that"): denied, the kind is
OF_THE_KIND = re.compile(r"\s*(?:什么的|之类(?:的)?|这类(?:的)?|这些|等等|,?\s*or\s+anything(?:\s+like\s+that)?|,?\s*etc\b)",
                         re.IGNORECASE)
REPLIED_NO_AFTER = re.compile(r"^\s*(?:no|nope|nah|none|nil)\W*$", re.IGNORECASE)
LABEL_ANSWERED_NO = re.compile(r"\s*[:=\-–]+\s*(?:no|none|nil|neg|negative|n)\b", re.IGNORECASE)
POST_NEGATION = re.compile(r"^\W*(?:\w+\W+){0,3}?(?:negative|neg|-ve|ruled out|free|not\s+detected|undetect\w*|not\s+found"
                           r"|(?:all\s+)?(?:gone|resolved|cleared|settled))\b",
                           re.IGNORECASE)
# An age needs to say it is one ("62 years old", "62 yo"): "I've had it for 3 years" and "at least a year" are times
AGE_UNIT = re.compile(r"\bold\b|\by\.?/?o\b|-year-old|岁", re.IGNORECASE)
# A bound is not a value: "over 20k", "less than 30", "20k+" say where the number lies, not what it is
BOUND_BEFORE = re.compile(r"(?:\b(?:over|above|more\s+than|greater\s+than|higher\s+than|at\s+least|under|below|less\s+than"
                          r"|lower\s+than|fewer\s+than|at\s+most"
                          # "up to 60" is a bound, "it's gone up to 60 now" a value ("went up to 80 but dropped" a past one)
                          r"|(?<!gone\s)(?<!come\s)(?<!risen\s)(?<!back\s)up\s+to"
                          r"|not\s+even|barely|nearly|almost|between|in\s+(?:her|his|my|their|the)"
                          r")|[<>≤≥]=?)\s*$", re.IGNORECASE)
# a span is no value either: "20-25k", "20 to 25", "between 20 and 25" (its "between" is a bound before), "twenty-something"
BOUND_AFTER = re.compile(r"^(?:'?s\b|\s*(?:\+|or\s+(?:more|less|above|below|higher|lower|so\s+more)|ish\b)"
                         r"|\s*(?:-|–|to)\s*\d[\d.,]*\s*(?:k\b|thousand\b)?|[\s-]*something\b"
                         # a value before a transfusion is not the one that counts; "55 next month" is 54 now, "64 this year" 63 or 64
                         r"|\s+before\s+(?:\w+\s+){0,2}?(?:transfus\w*)|\s+(?:next|this\s+coming|this)\s+(?:week|month|year)\b)", re.IGNORECASE)
# A value said of a time ("I did when my platelets were 5"), not the latest one: offered back
SAID_OF_A_TIME = re.compile(r"\b(?:when|whenever|while|until|till)\s+(?:my\s+|her\s+|his\s+|their\s+|the\s+)?$", re.IGNORECASE)
# "a transfusion on Monday, count was 11 before": a value from before the transfusion the message tells of
TRANSFUSED = re.compile(r"\btransfus\w*|\bplatelets?\s+(?:bags?|units?)\b|输(?:了)?(?:血小板|血)", re.IGNORECASE)
# "count was 11 before", "15 but that was before the transfusion"
SAID_BEFORE = re.compile(r"^\s*,?\s*(?:(?:but\s+)?(?:that|it|this)\s+(?:was|is)\s+|but\s+)?(?:before|beforehand|pre)\b(?!\s+\d)", re.IGNORECASE)
# A dose of the treatment asked about, named without the treatment: "one more dose last week", "the last cycle"
# The same treatment given again, in a clause of its own: "chemo on the 2nd of November and again on the 16th"
AGAIN_AFTER = re.compile(r"\s*,?\s*(?:and|then)\s+(?:again|then|once\s+more|another\s+(?:one|dose|cycle))\b[^.;!?]*", re.IGNORECASE)
DOSE_WORD = re.compile(r"\b(?:doses?|cycles?|sessions?|infusions?|rounds?|courses?|drips?)\b", re.IGNORECASE)
# An age still to come: "I'll be 18 in March", "55 next month", "turning 60 in two weeks" is one year less now;
# "turning 60" with no time, "60 next year" (59 or 58 now) or "this year" (59 or 60) is a bound, asked
FUTURE_AGE_BEFORE = re.compile(r"(?:\b(?:i'?ll|she'?ll|he'?ll|they'?ll|will|(?:am|is|are|'s|'m)\s+going\s+to)\s+be"
                               r"|\bturn(?:ing|s)?)\s+$", re.IGNORECASE)
_MONTH_NAMES = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
                r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
AGE_IN_MONTH = re.compile(rf"[ \t]*in\s+(?:{_MONTH_NAMES})\b", re.IGNORECASE)  # "62 in March": turned or turning?
AGE_SOON_AFTER = re.compile(rf"[ \t]*(?:next\s+(?:week|month)|this\s+coming\s+(?:week|month)"
                            r"|(?:in|within)\s+(?:a|an|one|a\s+few|a\s+couple\s+of|[0-9]+|two|three|four|five|six)\s+"
                            r"(?:days?|weeks?|months?)|on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
                            r"|tomorrow)\b", re.IGNORECASE)
# "for 3 years", "over the last 2 years": how long, not how old
DURATION_LEAD = re.compile(r"\b(?:for|over|past|last|in|within|since|after|about)\s+(?:the\s+)?(?:last\s+|past\s+)?$", re.IGNORECASE)
# "born 14 June 1961", "DOB 03/04/1970": an age, in years completed
BORN = re.compile(r"\b(?:born(?:\s+(?:on|in))?|dob|d\.o\.b\.?|date\s+of\s+birth)\b\W*", re.IGNORECASE)
# A condition said to be over ("AF years ago, never since", "sepsis last year but fine now"): for what holds now,
# offered back as a "no" rather than read as a "yes"
RESOLVED = re.compile(r"\b(?:cured|gone|went\s+away|go\s+away|resolved|cleared|(?:fine|ok|okay|alright|well|better|over)\s+now"
                      r"|never\s+since|not\s+since|nothing\s+since|none\s+since|no\s+more\s+since|(?:not|haven'?t|hasn'?t)\s+(?:had\s+)?(?:one|any)\s+since|(?:nothing|none|not)\s+(?:recently|lately)|not\s+now|(?:nothing|none)\s+(?:like\s+that\s+)?(?:now|these\s+days|any\s*more)|not\s+at\s+the\s+moment|not\s+currently|(?:now|home)\s+and\s+well|recovered|(?:got|i'?m|she'?s|he'?s|all)\s+over\s+(?:it|that)|(?:all\s+)?fine\s+since|healed|no\s+longer|not\s+any\s*more|in\s+the\s+past|(?:years|ages|a\s+long\s+time)\s+ago|long\s+ago|back\s+to\s+normal"
                      r"|ablation|ablated|in\s+remission|as\s+a\s+(?:child|kid|teenager|teen)|in\s+(?:childhood|(?:her|his|my)\s+youth))\b", re.IGNORECASE)
ANSWER_LEAD = re.compile(r"(?:^|\b(?:yes|yeah|no|have|had|has|with|of|hx|my|her|his|and|or|just|only))\W*$", re.IGNORECASE)
# A short cue that is also an everyday word or slang ("af", "pe", "ms", "ra") counts only as a clinical term:
# written in capitals after a clinical lead ("had a PE", "hx of AF", CLINICAL_LEAD below), or asked about, or in
# staff mode.
SHORT_CUE = 3
NOUN_AFTER = re.compile(r"\s+([a-z]{4,})\b")
CLINICAL_FOLLOWERS = frozenset("with since from then history positive negative diagnosed confirmed treated resolved "
                               "ablated noted present previously".split())
# "no chemo", "never had radiotherapy": never happened; not "not chemo" (a cause denied, not a treatment)
NEVER_HAD = re.compile(r"\b(?:no|never|nil|without|not\s+had|(?:have|has|had|did)\s*n[o']?t\s+(?:had|have|got))\b[^.;,]*$",
                       re.IGNORECASE)
# "no radiotherapy since March": a time counted from, not "never"
COUNTED_SINCE = re.compile(r"\bsince\b", re.IGNORECASE)
# A treatment named as the cause of something, or the time something else happened ("stopped because of the
# chemo", "18 months ago when chemo started", "sepsis last year when I had my chemo"): a date before it is that something's
AS_A_CAUSE = re.compile(r"\b(?:because\s+of|due\s+to|caused\s+by|from|with|on|when|since|(?:after|before)\s+(?:each|every)"
                        r"|(?:when|while)\s+(?:i|she|he|they|we)\s+(?:had|was\s+having|were\s+having|was\s+on|were\s+on|got))"
                        r"\s+(?:the\s+|my\s+|her\s+|his\s+)?$",
                        re.IGNORECASE)
# a treatment named as begun: the time said with it is its start, not its last dose ("since starting chemo in June")
STARTED_BEFORE = re.compile(r"\b(?:start(?:ed|ing|s)?|began|begin(?:ning|s)?|commenc(?:ed|ing))\s+(?:(?:on|with|the|my|her|his|a|first)\s+)*"
                            r"(?:(?:course|cycle|round|dose)\s+of\s+)?$", re.IGNORECASE)
SERIES_BEFORE = re.compile(r"(?:->|→|=>|\bthen\b|\bnow\b)\s*$", re.IGNORECASE)  # "plts 18 -> 12 -> 21"
CLINICAL_LEAD = re.compile(r"\b(?:had|have|has|having|with|hx|h/o|history\s+of|diagnosed(?:\s+with)?|known|on|for|treated|"
                           r"get|gets|got|developed|suffer(?:s|ed)?\s+from)\s+(?:an?\s+|some\s+|the\s+)?$", re.IGNORECASE)
CLINICAL_QUALIFIER = re.compile(r"\s*(?:[+]|-ve\b|positive|negative|pos\b|neg\b|diagnosed|confirmed|since|in\s+(?:19|20)\d\d"
                                r"|\d)", re.IGNORECASE)
STANDS_ON_ITS_OWN = re.compile(r"\s*(?:$|[,;.:!?)/]|(?:on|with|and|or|in|since|for|x\d)\b)", re.IGNORECASE)
SITE_BEFORE_CUE = re.compile(r"[\s-]*(?:\w+\s+)?|部?的?", re.IGNORECASE)  # "lung cancer", "breast ductal carcinoma"
SITE_AFTER_CUE = re.compile(r"\s+of\s+(?:the\s+|my\s+|her\s+|his\s+)?", re.IGNORECASE)  # "cancer of the bowel"
# a word right before a number that names another measurement ("WBC 3.2"); not everyday words that lead to a
# value ("more like 35", "dropped to 19", "it's still 12", "before that 12")
LABELLED = re.compile(r"\b(?!(?:and|or|then|now|today|was|were|is|of|at|about|like|around|roughly|approx|approximately|only|just"
                      r"|still|to|it|been|be|said|says|by|that|this|before|after|earlier|previously|yesterday|ago)\b)[A-Za-z]{2,}\s*[:=]?\s*$")
DATE_LIKE = re.compile(r"\d\s*[/.-]\s*$|^\s*[/.-]\s*\d")
# (a full stop between digits is a decimal point or a date's: "2026.11.05", "PLT 2.2")
CLAUSE_END = re.compile(r"(?<![0-9])\.|\.(?![0-9])|[;,!?\n，。；！？]|\bbut\b|\band\b|但是|但|不过|可是")
NEAR = 40  # characters between a cue and its value
# A treatment's name followed by its denial and nothing more: "放疗没有", "放疗：无" ("化疗没有结束" says more)
NONE_AFTER = re.compile(r"[\s:：=]*(?:也|都)?(?:没有|没|无|未)(?:做|打|接受|用)?(?:过)?(?:了)?[\s。.!！]*")
# Between two treatments' names, words that join them: what follows is said of both ("化疗和放疗都是6周前");
# a space alone parts two items ("上周化疗 放疗没做过")
SHARED_BETWEEN = re.compile(r"(?:\s*(?:和|跟|与|及|以及|、|/|&|and|or|\+)\s*)?", re.IGNORECASE)
# A number counting something else, or part of a time, not the value asked for: "最近一次" (the latest time),
# "输了两袋", "3号"
# A number that is a Chinese month or day of a date: "10月底", "11月3号", "3号"
ZH_DATE_PART = re.compile(r"\s*(?:月(?!\s*(?:龄|大))|号|日(?!\s*(?:均|剂量)))")
COUNTED = re.compile(r"\s*个?(?:次|回|遍|袋|针|疗程|周期|单位|天|周|星期|礼拜|月|年|号|日)")
# A lab test's value against its upper limit of normal, right after the test's name (or a list of names:
# "ALT/AST nl"): "3x ULN", "1.2 times the upper limit", "nl", "normal", "WNL"
# "x2 ULN" as "2x ULN"; in a Chinese note "升高2倍", "ALT 1.2倍", "3倍正常上限", "正常", "未见异常"
TIMES_NORMAL = re.compile(r"(?:\s*/\s*[\w&]+)*[\s:=：]*(?:(?:was|is|were|are|at|about)\s+)?(?:(?P<times>\d+(?:\.\d+)?)\s*(?:x|×|times)\s*(?:the\s+)?"
                          r"(?:uln|upper\s+limit|normal)\b|(?:x|×)\s*(?P<times_after>\d+(?:\.\d+)?)\s*(?:the\s+)?(?:uln|upper\s+limit)\b"
                          r"|(?:nl|normal|wnl|within\s+normal\s+limits|unremarkable)\b"
                          r"|(?:升高|增高|高|为|是|约|达)?\s*(?P<times_zh>\d+(?:\.\d+)?|[两二三四五六七八九十])\s*倍(?:以上|多)?(?:正常(?:值)?上限|ULN)?"
                          r"|(?:都|均|基本)?(?:正常(?!值?(?:上限|高限|的|范围上限))|未见(?:明显)?异常|无(?:明显)?异常|在正常范围(?:内)?))",
                          re.IGNORECASE)
CHINESE_TIMES = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

# An all-number date (or a year) near a time's cue that the date reader could not use: a day that does not
# exist ("31/02/2025", "2025-13-45") or a year no one lived in ("in the year 3000", "in 1426")
DATE_SHAPE = re.compile(r"\b\d{1,4}\s*([/.-])\s*\d{1,2}\s*\1\s*\d{1,4}\b|\b(?:in|year)\s+\d{3,4}\b", re.IGNORECASE)
OLDEST_DAYS = 130 * 366  # a time further back than anyone's life ("600 years ago") is asked again

# When a number comes without a unit and does not fit the fact's unit, try the unit it is usually
# quoted in instead: a platelet count of 22000 is per microlitre, not 22000 x10^9/L.
# the units a bare number of a fact may be in, besides the fact's own: a platelet count per microlitre ("22000"),
# a QTc in seconds ("0.47"); the first one that gives a plausible value is taken
ALTERNATIVE_UNITS = {"10^9/L": ("/uL",), "ms": ("s",)}


@dataclass(frozen=True)
class ReadingProblem:
    fact: str
    message: str


@dataclass
class Extraction:
    values: Dict[str, Any] = field(default_factory=dict)
    problems: List[ReadingProblem] = field(default_factory=list)
    subject: Optional[str] = None
    trial_ids: List[str] = field(default_factory=list)
    wants_catalogue: bool = False  # asks which trials could fit, rather than about one trial
    used: List[Tuple[int, int]] = field(default_factory=list)  # text spans already read as a value
    # yes/no facts of which only a part was denied ("HBV neg"), settling nothing: fact -> the words
    partly_denied: Dict[str, List[str]] = field(default_factory=dict)
    # numbers said as a bound ("over 20k"): fact -> the words; the value that counts is still to ask
    bounds: Dict[str, str] = field(default_factory=dict)
    # several values for one number ("25 last week, 45 today"): fact -> the values, in the fact's unit
    several: Dict[str, List[float]] = field(default_factory=dict)
    # yes/no facts about now mentioned as over ("AF years ago, never since"): fact -> the words
    resolved: Dict[str, str] = field(default_factory=dict)
    # all-number dates whose day and month could be swapped: fact -> the two readings (ISO days)
    ambiguous_dates: Dict[str, Tuple[str, str]] = field(default_factory=dict)
    # a bare answer whose number another word names ("WBC 3.2", "line one" to the platelet question):
    # fact -> the value, offered back rather than noted
    unsure: Dict[str, Any] = field(default_factory=dict)
    # what was said of someone else ("my husband is 52", "pt's husband: 66M"): none of the person's facts
    someone_else: List[Tuple[int, int]] = field(default_factory=list)

    def unused(self, measurements: Sequence[Measurement]) -> List[Measurement]:
        return [m for m in measurements if not any(s < m.end and m.start < e for s, e in self.used)]


@lru_cache(maxsize=1024)
def _qualifier(pattern: str) -> re.Pattern:
    """Wording of a fact's own "unsure" answers standing right after a mention: "EBV IgG", "EB病毒抗体"."""
    return re.compile(rf"[\s:：-]*(?:的)?(?:{pattern}){RIGHT_EDGE}", re.IGNORECASE)


@lru_cache(maxsize=1024)
def answer_wording(pattern: str) -> re.Pattern:
    """A fact's own answer wording (``answers`` in data/facts.yml) anywhere in a message, as whole words."""
    return re.compile(rf"{LEFT_EDGE}(?:{pattern}){RIGHT_EDGE}", re.IGNORECASE)


ABBREVIATION = 4  # letters at most in a cue that may be an abbreviation


@lru_cache(maxsize=4096)
def _pattern(phrase: str) -> re.Pattern:
    # The edges' Han ranges hold no cased letter: matched case-sensitively, they compile in less than
    # half the time (a message's first reading compiles about a thousand of these: actions/warm_up.py)
    verdict = chinese.VERDICT.search(phrase)  # "特比澳无效" also as "特比澳 无效", "特比澳2疗程无效"
    body = (_escaped(phrase[:verdict.start()]) + chinese.DOSE_BETWEEN + re.escape(verdict.group())) if verdict else (
        chinese.verb_apart(phrase, _escaped(phrase)))
    if phrase.isascii() and phrase.isalpha() and len(phrase) <= ABBREVIATION:
        # an abbreviation's plural, written in capitals ("DVTs", "TIAs"); not "ras" from "ra"
        body = f"(?:{body}|(?-i:{re.escape(phrase.upper())}s))"
    return re.compile(f"(?-i:{LEFT_EDGE})" + body + f"(?-i:{RIGHT_EDGE})", re.IGNORECASE)


def _escaped(phrase: str) -> str:
    return re.escape(phrase).replace(r"\ ", r"[\s-]+")


def mentions(text: str, phrases: Sequence[str]) -> List[Tuple[int, int]]:
    spans = []
    for phrase in phrases:
        spans += [m.span() for m in _pattern(phrase).finditer(text)]
    return sorted(spans)


def _last_day(value: str) -> date:
    """The latest day a date fact's value allows; "never" before any."""
    return date.min if value == NEVER else date_range(value)[1]


def blanked(text: str, spans: Sequence[Tuple[int, int]]) -> str:
    """The text with these spans blanked out, every other character in its place."""
    return "".join(" " if any(s <= i < e for s, e in spans) else ch for i, ch in enumerate(text))


def _unread(text: str, found: Extraction) -> str:
    """The text with what was read already as a fact blanked out (offsets kept)."""
    return blanked(text, found.used)


def _clause_after(text: str, end: int) -> str:
    rest = text[end:end + NEAR * 2]
    if re.match(r"\s*[,;.!?，。；！？]", rest):
        return ""  # "radiotherapy, never chemo": what follows the comma is about something else
    stop = CLAUSE_END.search(rest, 1)  # past a colon right after the cue ("chemo: 6 weeks ago")
    return rest[:stop.start()] if stop else rest


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence a mention stands in (up to a full stop, a semicolon or a line break)."""
    first = max(text.rfind(mark, 0, start) for mark in ".;\n。；")
    ends = [i for i in (text.find(mark, end) for mark in ".;\n。；") if i >= 0]
    return text[first + 1:min(ends) if ends else len(text)]


# How late a value was found, by the words around it: 3 for now or the latest, 2 for yesterday, 1 for before. A
# change without a time ("45 last week, it dropped to 19") says nothing of when: which count is asked
_WHEN_FOUND = ((3, re.compile(r"\b(?:now|today|this\s+morning|currently|latest|most\s+recent)\b", re.IGNORECASE)),
               (2, re.compile(r"\b(?:yesterday|last\s+night)\b", re.IGNORECASE)),
               (1, re.compile(r"\b(?:before|last\s+(?:week|time|month)|ago|previously|originally|at\s+first|to\s+start\s+with)\b",
                              re.IGNORECASE)))


def _when_found(clause: str) -> int:
    """How late the words around an English value say it was found (0 when they do not say)."""
    return next((rank for rank, pattern in _WHEN_FOUND if pattern.search(clause)), 0)


def _clause_before(text: str, start: int) -> str:
    before = text[max(0, start - NEAR * 2):start]
    stops = list(CLAUSE_END.finditer(before))
    return before[stops[-1].end():] if stops else before


_LONGER_CUES: Dict[int, Tuple[Vocabulary, Dict[str, List[str]]]] = {}


def _longer_cues(vocabulary: Vocabulary) -> Dict[str, List[str]]:
    """For each yes/no fact, the phrases of other facts that hold one of its cues ("pregnant" in
    childbearing potential's "could become pregnant", "怀孕" in "能怀孕")."""
    cached = _LONGER_CUES.get(id(vocabulary))
    if cached is not None and cached[0] is vocabulary:
        return cached[1]
    longer: Dict[str, List[str]] = {}
    for key, definition in vocabulary.items():
        if definition.type is not FactType.BOOLEAN:
            continue
        cues = {cue.lower() for cue in (*definition.cues, *definition.cues_partial)}
        inside = _any_cue_inside(cues)  # one pattern for all of them: this runs for every pair of facts
        for other, elsewhere in vocabulary.items():
            if other == key:
                continue
            for phrase in (*elsewhere.cues, *elsewhere.cues_false, *elsewhere.cues_partial):
                lowered = phrase.lower()
                # the phrase itself is no longer cue of itself: the others are looked for in it
                pattern = inside if lowered not in cues else _any_cue_inside(cues - {lowered})
                if pattern.search(lowered):
                    longer.setdefault(key, []).append(phrase)
    if len(_LONGER_CUES) > 8:
        _LONGER_CUES.clear()
    _LONGER_CUES[id(vocabulary)] = (vocabulary, longer)
    return longer


def _any_cue_inside(cues: Collection[str]) -> re.Pattern:
    """A Chinese cue anywhere, another as a whole word ("pregnant" in "could become pregnant")."""
    han = [re.escape(cue) for cue in cues if chinese.HAS_HAN.search(cue)]
    words = [rf"(?<!\w){re.escape(cue)}(?!\w)" for cue in cues if not chinese.HAS_HAN.search(cue)]
    return re.compile("|".join([*han, *words]) or r"(?!)")


class Extractor:
    """Extracts facts from one message with the vocabulary's cues."""

    def __init__(self, vocabulary: Vocabulary, today: date, clinical: bool = False,
                 date_order: Optional[str] = None, subject_fixed: bool = False, subject: Optional[str] = None) -> None:
        self.vocabulary = vocabulary
        self.subject = subject  # whom the conversation is about ("your mother"), if not the writer
        self.today = today
        self.clinical = clinical  # staff mode: clinical shorthand throughout
        self.date_order = date_order  # "DMY" or "MDY" where the site says so; None asks back
        self._expected: Sequence[str] = ()
        # the conversation is already about someone: a relative named now is someone else
        self.subject_fixed = subject_fixed
        self._others: List[Tuple[int, int]] = []
        self._written = ""

    def run(self, text: str, expecting: Sequence[FactDefinition]) -> Extraction:
        found = Extraction()
        # "飞癌" to the cancer question: a slip of the same sound in the question's own words, read as meant
        text = chinese.mended(text, [phrase for d in expecting for phrase in (*d.cues, *d.cues_partial, *d.cues_false,
                                     *(w for ws in d.choices.values() for w in ws), *(w for ws in d.sites.values() for w in ws))])
        original = text
        self._written = text  # as written, before other people's words are set aside: "a transplant from my brother"
        found.trial_ids = sorted({m.upper() for m in TRIAL_ID.findall(text)})
        found.wants_catalogue = not found.trial_ids and bool(CATALOGUE_REQUEST.search(text))
        text = WRITER_RELATION.sub(lambda m: " " * len(m.group()), text)  # says nothing of the person's sex
        # whose fact each mention is (bot/parsing/whose.py): someone else's relative ("pt's husband: 66M") never the person's
        owned = whose.others_own(text)
        text = whose.blank(text, owned)
        same = whose.canonical(self.subject)  # the relative the conversation is about: "my mum" is the person screened
        subject = EXPLICIT_SUBJECT.search(text)
        if subject is None and not (self.subject_fixed or NOT_ME.search(text) or whose.NOT_ME.search(text)):
            subject = RELATIVE_SUBJECT.search(text)
            if subject and whose.self_first(text, subject.start()):
                subject = None  # "45. my husband is 52", "no but my husband does": the writer spoke of themselves first
        self._others = [] if subject else [whose.with_link(text, m.span()) for m in OF_A_RELATIVE.finditer(text)
                                           if whose.canonical(m.group(1)) != same and not whose.led_by_preposition(text, m.start())]
        if subject:
            found.subject = f"your {(subject.group(1) or subject.group(2)).lower()}"
        else:  # someone else only mentioned: their word says nothing of the person's sex, nor their words of the person
            text = RELATIVE.sub(lambda m: m.group() if whose.canonical(m.group(1)) == same else " " * len(m.group()), text)
        if not subject and chinese.HAS_HAN.search(text):
            text = self._chinese_subject(text, found)
        self._others += owned
        denied = self._denied_of_self(text, original)
        text = whose.blank(text, self._others)
        found.someone_else = list(self._others)
        measurements = find_measurements(text)
        expected = {d.key for d in expecting}
        self._expected = expected
        self._age_and_sex(text, found, measurements, "age" in expected)
        for definition in self.vocabulary.values():
            if definition.key in found.values:
                continue
            value = self._by_cue(text, definition, measurements, found, expected=definition.key in expected)
            if value is not None:
                found.values[definition.key] = value
        if len(expecting) == 1 and expecting[0].type is FactType.DATE:
            self._later_time_said(text, expecting[0], found)
        if len(expecting) == 1 and not any(expecting[0].key in said for said in (found.values, found.bounds, found.unsure)):
            self._as_answer(text, expecting[0], measurements, found)
        self._set_aside_several(text, measurements, found)
        for key in denied:  # "my mum had a clot in the lung, not me": the person's answer is no
            # (to a list asked, "我爸有冠心病，我没有" is a "no" to all of it: the reply says so)
            if found.values.get(key) is None and not (len(expected) > 1 and key in expected):
                found.values[key] = False
        return found

    def _denied_of_self(self, text: str, original: str) -> List[str]:
        """The yes/no facts said of someone else and then denied of the person with nothing of its own ("my mum
        had a clot in the lung, not me", "患者母亲有糖尿病，患者本人无"): what the denial denies."""
        if not self._others or not whose.ELLIPTIC_DENIAL.search(whose.blank(text, self._others).rstrip()):
            return []
        theirs = " ".join(whose.OWNER.sub(lambda m: " " * len(m.group()), original[s:e]) for s, e in self._others)
        said = Extractor(self.vocabulary, self.today, self.clinical, self.date_order, subject_fixed=True).run(theirs, ())
        return [key for key, value in said.values.items() if value is True and self.vocabulary[key].type is FactType.BOOLEAN]

    def _chinese_subject(self, text: str, found: Extraction) -> str:
        """"我妈妈62岁", "替我爸问": the relative is whom the message is about ("your mother"); a relative
        who helps or tells ("我老公帮我打字") is blanked out, as their word says nothing of the person's sex."""
        fixed = self.subject_fixed or chinese.NOT_ME.search(text) or whose.ZH_NOT_ME.search(text)
        subject = chinese.EXPLICIT_SUBJECT.search(text) or (None if fixed else chinese.RELATIVE_SUBJECT.search(text))
        if subject and not chinese.EXPLICIT_SUBJECT.search(text) and whose.self_first(text, subject.start("who")):
            subject = None  # "45 我老公48": the writer answered for themselves first
        same = whose.canonical(self.subject)
        if subject is None and same and any(chinese.relative(m.group("who")) == same
                                            for m in re.finditer(rf"我(?:的|家)?(?P<who>{chinese.RELATIVE_WORDS})", text)):
            return text  # the relative the conversation is about ("我妈昨天查的31" for "your mother"): the person screened
        if subject:
            found.subject = f"your {chinese.relative(subject.group('who'))}"
            # another relative named beside them is someone else when the message says whom it is about ("我爸是肺癌，
            # 我妈是乳腺癌，我问的是我爸") or answers for them in a bare reply ("我妈都没有，我爸有冠心病"); otherwise
            # ("我爸是肝癌，我妈是白血病") whose is which stays for the person to say
            own = re.match(rf"[^{chinese.PUNCTUATION}]*", text[subject.end("who"):]).group()
            theirs = [m.span() for m in chinese.OF_A_RELATIVE.finditer(text)
                      if chinese.relative(chinese.RELATIVE_MENTION.match(m.group()).group()[1:].lstrip("的家"))
                      != chinese.relative(subject.group("who"))] \
                if chinese.EXPLICIT_SUBJECT.search(text) or chinese.only_a_reply(own.strip()) else []
            self._others += theirs
            text = whose.blank(text, theirs)
            return chinese.TYPIST.sub(lambda m: " " * len(m.group()), text)
        self._others += [m.span() for m in chinese.OF_A_RELATIVE.finditer(text)]
        return chinese.RELATIVE_MENTION.sub(lambda m: " " * len(m.group()), text)

    def _set_aside_several(self, text: str, measurements: Sequence[Measurement], found: Extraction) -> None:
        """A number fact given two values in one message ("25 last week, 45 today after a transfusion"):
        which one counts is for the person to say, so neither is kept."""
        for key, value in list(found.values.items()):
            definition = self.vocabulary[key]
            if definition.type is not FactType.NUMBER or key == "age" or value is None:
                continue
            others, said = [], []
            for m in measurements:
                if m in found.unused(measurements):
                    continue
                converted = [v for v in self._candidates(definition, m.value, m.unit) if self._plausible(definition, v)]
                if converted and round(converted[0], 3) == value:
                    said.append((m, value))
            for m in found.unused(measurements):
                if self._not_a_value(m, definition) is not None:
                    continue  # "-5", "3 cycles": no value of anything
                if DATE_LIKE.search(text[max(0, m.start - 2):m.start]) or DATE_LIKE.search(text[m.end:m.end + 2]):
                    continue  # part of a date ("11/03")
                in_series = bool(SERIES_BEFORE.search(text[max(0, m.start - 6):m.start]))
                if m.unit is None and not in_series and (key != self._only_expected() or not self._bare_number(text, m)):
                    continue
                if LABELLED.search(text[max(0, m.start - 12):m.start]) or chinese.LAB_NAME.search(text[max(0, m.start - 12):m.start]):
                    continue  # "WBC 3.2, HGB 9.8": another measurement's number
                converted = [v for v in self._candidates(definition, m.value, m.unit) if self._plausible(definition, v)]
                if converted and round(converted[0], 3) != value:
                    others.append(round(converted[0], 3))
                    said.append((m, round(converted[0], 3)))
            latest = self._latest_found(text, said) if others else None
            if latest is not None and self.clinical:  # "plt 150 pre-chemo, now 22": a clinician's note names the current one
                found.values[key] = latest
            elif latest is not None:
                # "上周是45，昨天复查掉到19了", "was 150 before chemo, now 19": the latest is the count asked for, but two values
                # are for the person to confirm (a count "now" may be after a transfusion they did not mention)
                found.unsure[key] = latest
                del found.values[key]
            elif others:
                found.several[key] = [value, *others]
                del found.values[key]

    @staticmethod
    def _latest_found(text: str, said: Sequence[Tuple[Measurement, float]]) -> Optional[float]:
        """Of several values of a count, each said with when it was found ("it was 45 two weeks ago but yesterday it
        dropped to 19", "上周是45，昨天复查掉到19了"), the one found latest; none around a transfusion, where the count
        that counts is for the person to say."""
        han = bool(chinese.HAS_HAN.search(text))
        if TRANSFUSED.search(text) or any(
                chinese.BOUND_AFTER.match(text[m.end:m.end + 4]) or chinese.BOUND_BEFORE.search(text[max(0, m.start - 10):m.start])
                or BOUND_BEFORE.search(text[max(0, m.start - 20):m.start]) or BOUND_AFTER.match(text[m.end:m.end + 40])
                for m, _ in said):
            return None  # "最低的时候五千，现在两万多", "over 100 before chemo, now 19": a bound is no value
        # in Chinese the time comes before the value; in English on either side of it ("41 last week", "now 19")
        ranks = sorted(((chinese.when_found(_clause_before(text, m.start)) if han
                         else _when_found(_clause_before(text, m.start) + " " + _clause_after(text, m.end)), value)
                        for m, value in said), reverse=True)
        if len(ranks) > 1 and ranks[0][0] > ranks[1][0] and ranks[-1][0] > 0:  # each value dated ("26，上次是19" is not)
            return ranks[0][1]
        return None

    def _only_expected(self) -> Optional[str]:
        return next(iter(self._expected)) if len(self._expected) == 1 else None

    @staticmethod
    def _bare_number(text: str, m: Measurement) -> bool:
        """Not a count of something else: "2 transfusions", "3 times", "x2", "输了两袋"."""
        after = text[m.end:m.end + 14].lower()
        before = text[max(0, m.start - 2):m.start].lower()
        return not re.match(r"\s*(?:times|x\b|transfusions?|bags?|units?|doses?|days?|weeks?|months?|years?|cycles?|"
                            r"rounds?|injections?|shots?|jabs?|%)", after) and not COUNTED.match(after) and not before.endswith("x")

    def _mentions(self, text: str, phrases: Sequence[str], expected: bool) -> List[Tuple[int, int]]:
        """Where the phrases occur, short everyday tokens ("af", "pe") only as clinical terms."""
        spans = [span for span in mentions(text, phrases) if not any(s <= span[0] < e for s, e in self._others)]
        if self.clinical:  # shorthand throughout, but a "PE teacher" is still a teacher
            return [span for span in spans if not self._names_something_else(text, *span)]
        if expected:  # asked about it: "af" is the answer, unless slang ("tired af") or part of a name ("PE teacher")
            return [span for span in spans if self._clinical_term(text, *span) or ANSWER_LEAD.search(text[:span[0]])]
        return [span for span in spans if self._clinical_term(text, *span)]

    @staticmethod
    def _names_something_else(text: str, start: int, end: int) -> bool:
        """A short token followed by an everyday noun it qualifies: "PE teacher", "MS Word"."""
        after = NOUN_AFTER.match(text, end)
        return (end - start <= SHORT_CUE and after is not None and is_english_word(after.group(1))
                and after.group(1).lower() not in CLINICAL_FOLLOWERS)

    @staticmethod
    def _clinical_term(text: str, start: int, end: int) -> bool:
        word = text[start:end]
        if len(word) > SHORT_CUE or not word.isalpha() or not is_english_word(word):
            return True  # "DVT", "HBV": no everyday meaning to confuse them with
        if CLINICAL_LEAD.search(text[max(0, start - 30):start]) or CLINICAL_QUALIFIER.match(text, end):
            return True  # "had a PE", "hx of AF", "HIV positive"
        # written as an abbreviation and standing on its own: "AF, on apixaban"; not "tired af", "PE teacher"
        return word.isupper() and bool(STANDS_ON_ITS_OWN.match(text, end))

    # -- volunteered facts ---------------------------------------------------------------
    def _age_and_sex(self, text: str, found: Extraction, measurements: Sequence[Measurement], asked: bool = False) -> None:
        if "age" not in self.vocabulary:
            return
        future = whose.future_age(text)
        if future is not None:  # "I'll be 18 in March": 17 now
            found.used.append(future[1])
            self._number(found, self.vocabulary["age"], float(future[0]), "years")
            return
        if chinese.HAS_HAN.search(text) and self._chinese_age_and_sex(text, found):
            return
        terse = AGE_SEX.search(text)
        if terse:
            found.used.append(terse.span())
            signed = self._written_at(terse.start(1), text, measurements)
            if signed is not None and signed.shape == NEGATIVE:  # "-62F"
                self._measured(text, found, self.vocabulary["age"], replace(signed, unit="years"))
            else:
                self._number(found, self.vocabulary["age"], float(terse.group(1)), "years")
            if "sex" in self.vocabulary:
                found.values["sex"] = "female" if terse.group(2).lower().startswith("f") else "male"
            return
        born = BORN.search(text)
        if born:
            answer = parse_when(text[born.end():born.end() + 24], self.today)
            if answer is not None and answer.date is not None and not answer.future:
                days = answer.alternatives or tuple(d for d in (answer.earliest, answer.date) if d)
                ages = {self.today.year - d.year - ((self.today.month, self.today.day) < (d.month, d.day)) for d in days}
                found.used.append((born.start(), min(len(text), born.end() + 24)))
                if len(ages) == 1:
                    self._number(found, self.vocabulary["age"], float(ages.pop()), "years")
                else:  # "born in 1954": 71 or 72, for the person to say
                    found.bounds["age"] = text[born.start():born.end() + 24].split(",")[0].strip()
                return
        stated = AGE_STATED.search(text) or AGE_AFTER_RELATIVE.search(text)
        if stated:
            found.used.append(stated.span(1))
            written = self._written_at(stated.start(1), text, measurements)
            if written is not None:  # "I'm 62 lightyears old", "age 6 2", "age -5": as written, not as an age
                found.used.append((written.start, written.end))
                if not self._bound(text, written, self.vocabulary["age"], found):  # "I'm 64 this year": 63 or 64
                    self._measured(text, found, self.vocabulary["age"], replace(written, unit=written.unit or "years"))
            else:
                self._number(found, self.vocabulary["age"], float(stated.group(1)), "years")
            return
        for m in find_measurements(text):
            # "sixty-seven"; not "22 thousand" or "twenty two thousand", which count platelets
            age_in_words = text[m.start].isalpha() and m.value < 1000
            if age_in_words and m.unit in (None, "years") and AGE_LEAD.search(text[max(0, m.start - NEAR):m.start]):
                found.used.append((m.start, m.end))
                if not self._bound(text, m, self.vocabulary["age"], found):  # "I'm sixty-four this year"
                    self._measured(text, found, self.vocabulary["age"], replace(m, unit="years"))
                return

    @staticmethod
    def _written_at(start: int, text: str, measurements: Sequence[Measurement]) -> Optional[Measurement]:
        """The number whose digits start at ``start``, as measured: with its minus sign if one is written."""
        start -= minus_sign(text, start)
        return next((m for m in measurements if m.start == start), None)

    def _chinese_age_and_sex(self, text: str, found: Extraction) -> bool:
        """"女62", "62岁", "今年六十二", "他67了": whether an age was read."""
        born = list(chinese.BIRTH_YEAR.finditer(text))
        if born:  # "64年生的": 61 or 62, for the person to say; "属马的，54年生的": none of its numbers an age
            found.used += [m.span() for m in born]
            found.bounds["age"] = max((m.group() for m in born), key=lambda words: any(ch.isdigit() for ch in words))
            return True
        terse = chinese.AGE_SEX.search(text)
        stated = chinese.AGE_STATED.search(text)
        if terse and "sex" in self.vocabulary:
            found.values["sex"] = "female" if (terse.group("sex") or terse.group("sex2")) == "女" else "male"
        for match in (terse, stated):
            if match:
                group = "n" if match.group("n") else "n2"
                found.used.append(match.span(group))
                if chinese.BOUND_BEFORE.search(text[max(0, match.start(group) - 10):match.start(group)]):
                    found.bounds["age"] = text[max(0, match.start(group) - 2):match.end()]  # "快七十了", "虚岁63"
                else:
                    self._number(found, self.vocabulary["age"], float(match.group(group)), "years")
                return True
        return False

    def _by_cue(self, text: str, definition: FactDefinition, measurements: Sequence[Measurement],
                found: Extraction, expected: bool = False) -> Any:
        if definition.type is FactType.CHOICE:
            return self._choice(text, definition, found)
        if definition.type is FactType.NUMBER and definition.unit == "years":
            # "62 years old": the unit itself is the cue; "6 years ago", "for 3 years", "at least a year"
            # are times, not ages, unless the question asked the age
            for m in found.unused(measurements):
                said_as_age = AGE_UNIT.search(text, m.start, m.end + 4) or (
                    expected and not DURATION_LEAD.search(text[max(0, m.start - 12):m.start]))
                if m.unit == "years" and said_as_age and not re.match(r"\s*(?:ago|back|before)\b", text[m.end:]):
                    found.used.append((m.start, m.end))
                    if not self._bound(text, m, definition, found):  # "明年三月满60岁", "over 60 years old"
                        self._measured(text, found, definition, m)
                    return None
            return None
        if definition.type is FactType.BOOLEAN and (definition.length or definition.times_normal):
            value = self._length(text, definition) if definition.length else self._times_normal(text, definition)
            if value is not None:
                return value
        if definition.type is FactType.BOOLEAN:
            return self._yes_no(text, definition, found, expected)
        if definition.type is FactType.NUMBER and definition.cues_false:
            self._set_aside_named_otherwise(text, definition, measurements, found)
        if definition.type is FactType.DATE:
            # "8月份就停了静脉化疗，但是替吉奥一直吃到上周": of the times said of the treatment, the latest
            said = [self._date_near(text, definition, start, end, found) for start, end in mentions(text, definition.cues)]
            return max((value for value in said if value is not None), key=_last_day, default=None)
        for start, end in mentions(text, definition.cues):
            value = self._number_near(text, definition, measurements, start, end, found)
            if value is not None or definition.key in found.values:
                return value
        return None

    def _yes_no(self, text: str, definition: FactDefinition, found: Extraction, expected: bool) -> Optional[bool]:
        """Every mention of a yes/no fact read on its own; mentions that disagree ("no bleeding
        history, epistaxis") settle nothing and are asked about, rather than the first one winning.
        A denied partial cue answers only the question that asked about the fact ("Do you take
        antiplatelet medicines such as aspirin?" "I stopped the aspirin")."""
        said_no = [span for span in self._mentions(text, definition.cues_false, expected)
                   if not is_negated(text, span[0]) and not chinese.NEARLY.search(text[max(0, span[0] - 2):span[0]])]
        if any(UNCERTAIN_BEFORE.search(_clause_before(text, start)) for start, _ in self._mentions(text, definition.cues_false, expected)):
            return None  # "a transplant but I'm not sure if it was my own cells": which kind is not known
        readings = [False] * len(said_no)
        untested = too_little = False
        partly_denied = False
        # another fact's longer phrase around a cue names that fact, not this one ("could become pregnant" is no
        # pregnancy), unless this fact is the one asked about ("有可能怀孕" to "are you pregnant, or could you be?")
        elsewhere = [] if expected else mentions(text, _longer_cues(self.vocabulary).get(definition.key, []))
        for phrases, partial in ((definition.cues, False), (definition.cues_partial, True)):
            for start, end in self._mentions(text, phrases, expected):
                if any(s < end and start < e for s, e in said_no):
                    continue  # inside a longer phrase that answers no ("failed IL-11 once")
                if any(s <= start and end <= e and e - s > end - start for s, e in elsewhere):
                    continue
                if any(_qualifier(p).match(text, end) for p in definition.answers.get("unsure", ())):
                    continue  # names another thing, which does not decide this fact: "EBV antibodies" for a DNA test
                if chinese.DURING.match(text, end):
                    continue  # a time, not a state: "妊娠期有过血栓" says nothing of a pregnancy now
                if not (expected or self.clinical) and any(m.start() <= start and end <= m.end()
                                                           for p in definition.answers.get("unsure", ()) for m in answer_wording(p).finditer(text)) \
                        and not any(answer_wording(p).search(self._written) for reading in ("yes", "no") for p in definition.answers.get(reading, ())):
                    # said in passing in words that, as an answer, would be asked about ("CMV after the bone marrow
                    # transplant": whose cells is not said): offered back, unless other words decide it ("allogeneic")
                    too_little = True
                    continue
                before = _clause_before(text, start)
                if (UNTESTED_BEFORE.search(before) or UNCERTAIN_BEFORE.search(before) or chinese.UNTESTED.search(before)
                        or chinese.WHETHER.search(before)):
                    untested = True  # "never tested for HIV" is no negative result
                    continue
                ceased = definition.current_only and any(pattern.search(clause) for pattern in (CEASED, chinese.CEASED)
                                                         for clause in (_clause_before(text, start), _clause_after(text, end)))
                if not ceased and not is_negated(text, start) and self._outside_window(text, definition, start, end):
                    if definition.outside_window == "no" and (expected or self.clinical):
                        # "a heart attack in 2018", asked about the last 6 months (or in staff shorthand, "NSTEMI 2019");
                        # said in passing by a patient, it tells nothing of them
                        readings.append(False)
                    continue
                echoed = ECHOED.match(text, end)
                if echoed:  # "breastfeeding? no. pregnant? hope not!": the question repeated, then its answer
                    reply = classify_reply(echoed.group("reply"))
                    if reply in ("yes", "no") and not is_hedged(echoed.group("reply")):
                        readings.append(reply == "yes")
                    continue
                sentence = _sentence_around(text, start, end)
                if not ceased and definition.current_only and (RESOLVED.search(sentence) or chinese.RESOLVED.search(sentence)):
                    found.resolved[definition.key] = text[start:end]  # "AF years ago, never since"
                    continue
                after = _clause_after(text, end)
                denied = (ceased or is_negated(text, start) or POST_NEGATION.match(after) or chinese.POST_NEGATION.match(after)
                          or chinese.LIST_DENIED_AFTER.match(after)
                          or LABEL_ANSWERED_NO.match(text, end) or REPLIED_NO_AFTER.match(after))
                if PAST_STATE_BEFORE.search(before):
                    continue
                if HEDGED_BEFORE.search(before):
                    found.unsure[definition.key] = not denied  # offered back, as said with doubt
                    continue
                if denied and partial and not OF_THE_KIND.match(text, end):
                    # "no aspirin" says nothing of the other antiplatelet medicines; asked about them, it
                    # answers no only if nothing else said yes ("no aspirin, but I take Brilique")
                    partly_denied = True
                    if not expected:
                        found.partly_denied.setdefault(definition.key, []).append(text[start:end])
                    continue
                readings.append(not denied)
        if partly_denied and expected and True not in readings and not readings:
            # "no aspirin" to the question about antiplatelet medicines: offered back as a "no"
            found.partly_denied.setdefault(definition.key, []).append("")
        if untested and True not in readings:
            return None  # not known: the reply reads as "I don't know"
        if too_little and not readings:
            found.unsure[definition.key] = True
            return None
        if len(set(readings)) > 1:
            found.problems.append(ReadingProblem(definition.key, texts.MIXED_ANSWER.format(label=definition.shown_label)))
            return None
        return readings[0] if readings else None

    @staticmethod
    def _length(text: str, definition: FactDefinition) -> Optional[bool]:
        """A yes/no fact read from a length of time after its cue ("LE 3 mo": less than 6 months);
        lengths that disagree settle nothing."""
        readings = {length_against(text[end:end + NEAR], definition.length["at_least_days"])
                    for _, end in mentions(text, definition.length["cues"])} - {None}
        return readings.pop() if len(readings) == 1 else None

    @staticmethod
    def _times_normal(text: str, definition: FactDefinition) -> Optional[bool]:
        """A yes/no fact read from lab tests said against their upper limit of normal ("ALT 3x ULN", "creat
        nl"): no if one is at or above the limit, yes only if every group of tests was read below it."""
        limit, below = definition.times_normal["below"], set()
        for group, cues in definition.times_normal["groups"].items():
            for _, end in mentions(text, cues):
                m = TIMES_NORMAL.match(text, end)
                if m is None:
                    continue
                times = m.group("times") or m.group("times_after") or m.group("times_zh")
                if times and float(CHINESE_TIMES.get(times, times)) >= limit:
                    return False
                below.add(group)
        return True if below == set(definition.times_normal["groups"]) else None

    def _outside_window(self, text: str, definition: FactDefinition, start: int, end: int) -> bool:
        """A mention dated before the fact's time window ("in the last 6 months")."""
        if not definition.within_days:
            return False
        for clause in (_clause_after(text, end), _clause_before(text, start)):
            answer = parse_when(clause.strip(" ,;:"), self.today, self.date_order)
            if answer is not None and answer.date is not None and not answer.alternatives:
                return (self.today - answer.date).days > definition.within_days
        return False

    def _choice(self, text: str, definition: FactDefinition, found: Extraction) -> Optional[str]:
        hits = [(span, name) for name, words in definition.choices.items() for span in mentions(text, words)]
        cue_spans = mentions(text, definition.cues) if definition.sites else []
        for name, words in definition.sites.items():
            for span in mentions(text, words):
                # "lung" names a cancer only as "lung cancer" or "cancer of the lung" (or as the answer to
                # the cancer question): not "cancer in my bone marrow", "spread to the liver", "rectal bleeding"
                # clinical notes also write the site straight after the cue ("ca colon", "Ca breast")
                named_by_cue = any((s >= span[1] and SITE_BEFORE_CUE.fullmatch(text[span[1]:s]))
                                   or (e <= span[0] and (SITE_AFTER_CUE.fullmatch(text[e:span[0]])
                                                         or self.clinical and text[e:span[0]] in (" ", "  ")))
                                   for s, e in cue_spans)
                if (named_by_cue or definition.key in self._expected) and not any(s <= span[0] < e for (s, e), _ in hits) \
                        and not self._site_of_another(text, span, hits):
                    hits.append((span, name))
        named = {name for span, name in hits if not is_negated(text, span[0])}
        if len(named) > 1 and chinese.HAS_HAN.search(text):
            now = {name for span, name in hits if not is_negated(text, span[0]) and chinese.NOWADAYS.search(_clause_before(text, span[0]))}
            before = {name for span, name in hits if chinese.FORMERLY.search(_clause_before(text, span[0]))}
            if len(now) == 1 and named - now <= before and not now & before:
                named = now  # "以前得过乳腺癌，现在是淋巴瘤": the one now
        if len(named) > 1:  # "NSCLC and CLL": which one the screening is about is for a person to say
            found.problems.append(ReadingProblem(definition.key, texts.SEVERAL_CHOICES.format(
                label=definition.shown_label, choices=" and ".join(describe_value(definition, n) for n in sorted(named)))))
            return None
        return named.pop() if named else None

    @staticmethod
    def _site_of_another(text: str, span: Tuple[int, int], hits: Sequence[Tuple[Tuple[int, int], str]]) -> bool:
        """A Chinese body site that is no cancer of its own: spread there ("淋巴瘤骨髓侵犯"), or the place of a cancer
        named right after it ("胃淋巴瘤")."""
        return bool(chinese.SITE_NOT_PRIMARY.match(text, span[1]) or any(
            s >= span[1] and chinese.SITE_OF_NAMED.fullmatch(text[span[1]:s]) for (s, _), _ in hits))

    def _date_near(self, text: str, definition: FactDefinition, start: int, end: int,
                   found: Extraction) -> Any:
        if any(s <= start < e for s, e in (*(m.span() for m in when_chinese.PUT_OFF.finditer(text)), *planned(text))):
            return None  # "原定上周化疗，推迟了", "he should have had his last cycle on 3rd Nov": planned, not done then
        before = _clause_before(text, start)
        after = _clause_after(text, end)
        again = AGAIN_AFTER.match(text, end + len(after))
        after = self._own_words_after(after + (again.group() if again else ""), definition)
        if is_negated(text, start) and (NEVER_HAD.search(before) or chinese.NEVER_HAD.search(before)):
            # "no radiotherapy", "never had chemo"; "haven't had chemo for 2 months": at least that long ago
            since = absent_for(after, self.today)
            if since is not None:
                return self._when(found, definition, since)
            if not (COUNTED_SINCE.search(after) or COUNTED_SINCE.search(before) or chinese.COUNTED_SINCE.search(before)):
                return NEVER
            # "no radiotherapy since March", "since September no chemo": the last one was then, read below like any
            # date; "since the summer", read as no date, is asked again rather than taken as never
        if NONE_AFTER.fullmatch(after):
            return NEVER  # "放疗没有", "放疗：无", "放疗没做过"
        before = _clause_before(text, start)
        if self._other_treatment(before, definition):
            before = ""  # "化疗完一个多月了 放疗没有": the words after the chemotherapy are its time, not radiotherapy's
        if AS_A_CAUSE.search(before):
            before = ""  # "periods stopped last year because of the chemo": the date is the periods', not the chemo's
        started = STARTED_BEFORE.search(text[:start])  # "since starting chemo in June": when it began, not the last dose
        for clause, offset, follows in ((after, end, True), (before, start - len(before), False)):
            if follows:  # "last chemo Oct": a month right after the name is the whole clause, as a bare answer "Oct" is
                offset += len(clause) - len(clause.lstrip())
                clause = clause.lstrip()
            answer = parse_when(clause, self.today, self.date_order)
            if answer is not None:
                # "1 November" is not also a bare answer to a number question
                found.used.append(self._time_words(clause, offset, answer, follows))
                if started:
                    return None  # the time words are used up: no bare answer either
                return self._when(found, definition, counted_from_cycle(answer, _sentence_around(text, start, end)))
        self._impossible_date(after, end, definition, found)
        return None

    def _later_time_said(self, text: str, definition: FactDefinition, found: Extraction) -> None:
        """Asked when a treatment was last given, a later time said of a dose elsewhere in the message than the one
        read beside the treatment's name ("the chemo finished in August but they gave me one more dose last week")
        may be the last one: the later time is offered back rather than the earlier one stored."""
        value = found.values.get(definition.key)
        if not isinstance(value, str) or value == NEVER:
            return
        rest = _unread(text, found)
        for dose in DOSE_WORD.finditer(rest):
            for clause in (_clause_after(rest, dose.end()), _clause_before(rest, dose.start())):
                later = parse_when(clause, self.today, self.date_order)
                if (later is not None and later.date is not None and not (later.never or later.future or later.alternatives)
                        and later.date > _last_day(value)):
                    del found.values[definition.key]
                    found.unsure[definition.key] = date_value(later.earliest or later.date, later.date)
                    return

    def _other_treatment(self, clause: str, definition: FactDefinition) -> List[Tuple[int, int]]:
        """Where ``clause`` names the treatment of another date fact ("放疗" for the chemotherapy's)."""
        return sorted(span for other in self.vocabulary.values() if other.type is FactType.DATE and other is not definition
                      for span in mentions(clause, other.cues))

    def _own_words_after(self, after: str, definition: FactDefinition) -> str:
        """The words after a treatment's name up to another treatment's, and without the denial said of that
        one: in "上周化疗 放疗没做过", "十月底化疗结束的 放疗去年做过" the radiotherapy's "没做过", "去年" are not the
        chemotherapy's. Said of both together ("chemo and radiotherapy, both 6 weeks ago") they are shared."""
        others = self._other_treatment(after, definition)
        if not others or SHARED_BETWEEN.fullmatch(after[:others[0][0]]):
            return after
        own = after[:others[0][0]]
        denial = NEVER_HAD.search(own) or chinese.NEVER_HAD.search(own)
        return own[:denial.start()] if denial else own

    @staticmethod
    def _impossible_date(clause: str, offset: int, definition: FactDefinition, found: Extraction) -> None:
        """A date the date reader found no day in ("31/02/2025", "in the year 3000"): asked again, and
        none of its numbers is another fact's."""
        shape = DATE_SHAPE.search(clause)
        span, wording = (shape.span() if shape else None), texts.NOT_A_DATE
        if span is None:  # "6 millennia ago": a time in a unit the date reader does not count in; "-3 weeks"
            measured = next((m for m in find_measurements(clause) if m.shape == NEGATIVE
                             or (m.unit not in (None, *DEFINITIONS) and factor(m.unit, "days"))), None)
            if measured is not None:
                span = measured.start, measured.end
                wording = texts.BELOW_ZERO if measured.shape == NEGATIVE else wording
        if span is not None:
            found.used.append((offset + span[0], offset + span[1]))
            found.problems.append(ReadingProblem(definition.key, wording.format(
                words=clause[span[0]:span[1]].strip(), label=definition.shown_label)))

    def _time_words(self, clause: str, offset: int, answer: WhenAnswer, follows: bool) -> Tuple[int, int]:
        """Where in ``clause`` (at ``offset`` in the message) the time was said: the fewest words next to
        the cue that say the same time, so that the words beyond them stay free for other facts ("plt 18k
        d+21 post FOLFOX": the platelets are not part of the time before "FOLFOX")."""
        words = list(re.finditer(r"\S+", clause))
        for word in (words if follows else reversed(words)):
            part = clause[:word.end()] if follows else clause[word.start():]
            if parse_when(part, self.today, self.date_order) == answer:
                return (offset, offset + word.end()) if follows else (offset + word.start(), offset + len(clause))
        return offset, offset + len(clause)

    def _number_near(self, text: str, definition: FactDefinition, measurements: Sequence[Measurement],
                     start: int, end: int, found: Extraction) -> Optional[float]:
        # "platelets 3 weeks ago were 40": the 40; the time is no value of a count
        unused = [m for m in found.unused(measurements) if self._not_a_value(m, definition) != TIME
                  and not (m.unit is None and COUNTED.match(text, m.end))]  # "特比澳2疗程": how often, not the value
        after = [m for m in unused if 0 <= m.start - end <= NEAR and not CLAUSE_END.search(text[end:m.start])]
        before = [m for m in unused if 0 <= start - m.end <= NEAR // 2 and not CLAUSE_END.search(text[m.end:start])]
        # a value follows its label ("neut 1.2 plt 27": the 27); the nearest one before it only when none
        # follows ("22k plts")
        if after or before:
            m = after[0] if after else before[-1]
            found.used.append((m.start, m.end))
            if not self._bound(text, m, definition, found):
                self._measured(text, found, definition, m)
                if definition.key in found.values and SAID_OF_A_TIME.search(text[max(0, start - 20):start]):
                    found.unsure[definition.key] = found.values.pop(definition.key)  # "I bled when my platelets were 5"
        return None

    def _bound(self, text: str, m: Measurement, definition: FactDefinition, found: Extraction) -> bool:
        """Whether the number is said as a bound ("over 20k"); if so it is noted, not read as the value. An age
        still to come within the year ("I'll be 18 in March", "55 next month") is read as the age now, one less."""
        if definition.unit == "years" and m.unit in (None, "years"):
            future = FUTURE_AGE_BEFORE.search(text[max(0, m.start - 20):m.start])
            if AGE_SOON_AFTER.match(text, m.end) or (future and AGE_IN_MONTH.match(text, m.end)):
                self._number(found, definition, m.value - 1, "years")
                return True
            turned = re.search(r"\b(?:turned|was)\s+$", text[max(0, m.start - 10):m.start], re.IGNORECASE)
            if future or (AGE_IN_MONTH.match(text, m.end) and not turned):  # "turned 74 in August": 74 now
                found.bounds[definition.key] = text[max(0, m.start - 20):m.end].split(",")[-1].strip()
                return True
        before = (BOUND_BEFORE.search(text[max(0, m.start - 20):m.start])
                  or chinese.BOUND_BEFORE.search(text[max(0, m.start - 10):m.start]))
        after = (BOUND_AFTER.match(text[m.end:m.end + 40]) or chinese.BOUND_AFTER.match(text[m.end:m.end + 4])
                 or (TRANSFUSED.search(text) and SAID_BEFORE.match(text[m.end:m.end + 40])))
        if not (before or after):
            return False
        start = m.start - len(before.group()) if before else m.start
        end = m.end + len(after.group()) if after else m.end
        found.bounds[definition.key] = text[start:end].strip()
        return True

    @staticmethod
    def _set_aside_named_otherwise(text: str, definition: FactDefinition, measurements: Sequence[Measurement],
                                   found: Extraction) -> None:
        """The number right after a phrase naming another measurement is that one's: neither this
        fact nor an answer to any question ("QT/QTc 400/440": the 400 is the QT, not the QTc)."""
        cue_spans = mentions(text, definition.cues)
        for start, end in mentions(text, definition.cues_false):
            if any(s <= start and end <= e for s, e in cue_spans):
                continue  # part of a cue: "corrected QT"
            for m in found.unused(measurements):
                if 0 <= m.start - end <= NEAR and not CLAUSE_END.search(text[end:m.start]):
                    found.used.append((m.start, m.end))
                    break

    # -- answers to the open question ----------------------------------------------------
    def _as_answer(self, text: str, definition: FactDefinition, measurements: Sequence[Measurement],
                   found: Extraction) -> None:
        if definition.type is FactType.NUMBER:
            numbers = [m for m in found.unused(measurements)
                       if not DATE_LIKE.search(text[max(0, m.start - 2):m.start])
                       and not ZH_DATE_PART.match(text, m.end)  # "10月底都结束了": a month, no age or count
                       and not (m.unit == "years" and (DURATION_LEAD.search(text[max(0, m.start - 12):m.start])
                                                       or re.match(r"\s*(?:ago|back|before)\b", text[m.end:])))]
            usable = [m for m in numbers
                      if (not COUNTED.match(text, m.end) if m.unit is None else self._converts(m.unit, definition.unit))
                      and self._not_a_value(m, definition) is None]
            # nothing else, "22 bananas", "-5", "1/0": the person answered, with nothing to note; asked again
            for m in usable[:1] or numbers[:1]:
                found.used.append((m.start, m.end))
                if not self._bound(text, m, definition, found):
                    self._measured(text, found, definition, m)
                if definition.key in found.values and self._named_otherwise(text, m, definition):
                    found.unsure[definition.key] = found.values.pop(definition.key)
        elif definition.type is FactType.DATE:
            # what was read as another fact's ("never, but chemo was 5 weeks ago") is not this answer
            rest = _unread(text, found)
            answer = parse_when(rest, self.today, self.date_order)
            if answer is not None:
                value = self._when(found, definition, answer)
                if value is not None:
                    found.values[definition.key] = value
            else:
                self._impossible_date(rest, 0, definition, found)

    @staticmethod
    def _named_otherwise(text: str, m: Measurement, definition: FactDefinition) -> bool:
        """Whether a bare answer's number is named by a word that is not the fact's: an abbreviation
        ("WBC 3.2", "白细胞2.1"), or a word before a number in words ("line one", "stage four"). Not "I meant 25"."""
        if chinese.LAB_NAME.search(text[max(0, m.start - 12):m.start]):
            return True
        label = LABELLED.search(text[max(0, m.start - 12):m.start])
        if label is None:
            return False
        word = label.group().strip(" :=")
        if any(word.lower() in cue.lower().split() for cue in definition.cues):
            return False
        return word.isupper() or text[m.start].isalpha()

    # -- values --------------------------------------------------------------------------
    @staticmethod
    def _not_a_value(m: Measurement, definition: FactDefinition) -> Optional[str]:
        """Why a number as written is no value of the fact, if it is not: its shape ("-5", "1e308",
        "1/0", "6 2", a time span: "6 weeks ago" is no platelet count) or what it counts ("22 bananas"; not
        "22 platelets", which the fact's cues name)."""
        if m.shape == TIME:
            return None if definition.unit in SPANS else TIME
        if m.shape:
            return m.shape
        if m.noun and not any(m.noun in cue.lower().split() for cue in (*definition.cues, *definition.cues_partial)):
            return m.noun
        return None

    def _measured(self, text: str, found: Extraction, definition: FactDefinition, m: Measurement) -> None:
        """Record a number as written, or ask again when it is no value of the fact: its shape or what it
        counts says so, or its unit measures something else ("22 parsecs" of platelets, "62 kilograms" of age)."""
        if self._not_a_value(m, definition) is None and (m.unit is None or self._converts(m.unit, definition.unit)):
            self._number(found, definition, m.value, m.unit)
            return
        if m.unit == "g/L" and definition.unit == "10^9/L" and self._not_a_value(m, definition) is None:
            # "19g/L" of platelets: grams count no cells, a lower-case G (giga, 10^9/L) is the likely slip;
            # the number is offered back in the count's unit to be confirmed, never stored as written
            self._number(found, definition, m.value, definition.unit)
            if definition.key in found.values:
                found.unsure[definition.key] = found.values.pop(definition.key)
                return
        words = text[m.start:m.end] + (f" {m.noun}" if m.noun else "")
        if m.shape == FRACTION:  # "1/0", "31/02/2025": the whole of it
            words += re.match(r"[\s/0-9.-]*", text[m.end:]).group().rstrip()
        wording = texts.BELOW_ZERO if m.shape == NEGATIVE else texts.NOT_A_VALUE
        found.problems.append(ReadingProblem(definition.key, wording.format(
            words=" ".join(words.split()), label=definition.shown_label, unit=definition.unit or "")))
        found.values.pop(definition.key, None)

    def _number(self, found: Extraction, definition: FactDefinition, value: float, unit: Optional[str]) -> None:
        """Record a number in the fact's unit, or a problem if it is not plausible."""
        plausible = [v for v in self._candidates(definition, value, unit) if self._plausible(definition, v)]
        if plausible:
            found.values[definition.key] = round(plausible[0], 3)
            return
        low, high = definition.plausible or (None, None)
        found.problems.append(ReadingProblem(definition.key, texts.CHECK_VALUE.format(
            value=with_unit(value, unit or definition.unit), label=definition.shown_label,
            low=f"{low:g}", high=f"{high:g}", unit=unit_word(definition.unit) if definition.unit else "")))
        found.values.pop(definition.key, None)

    def _when(self, found: Extraction, definition: FactDefinition, answer: WhenAnswer) -> Any:
        if answer.never:
            return NEVER
        if answer.alternatives:
            found.ambiguous_dates[definition.key] = tuple(day.isoformat() for day in answer.alternatives)
            return None
        if answer.future:
            found.problems.append(ReadingProblem(definition.key, texts.FUTURE_DATE))
            return None
        if answer.cycle_day:  # "day 1 of my last cycle was 14 Nov": the last dose may be later; its day is asked
            found.bounds[definition.key] = answer.cycle_day
            return None
        if answer.near and answer.date:  # "just over a month ago": about a month, offered back
            found.unsure[definition.key] = answer.date.isoformat()
            return None
        if answer.date and (self.today - answer.date).days > OLDEST_DAYS:
            found.problems.append(ReadingProblem(definition.key, texts.NOT_A_DATE.format(
                words=answer.date.isoformat(), label=definition.shown_label)))
            return None
        return date_value(answer.earliest or answer.date, answer.date) if answer.date else None

    def _candidates(self, definition: FactDefinition, value: float, unit: Optional[str]) -> List[float]:
        """The value in the fact's unit, as written or, without a unit, in each unit it is usually given in."""
        units = [unit] if unit else [definition.unit, *ALTERNATIVE_UNITS.get(definition.unit or "", ())]
        converted = [self._in_unit(value, u, definition.unit) for u in units]
        return [v for v in converted if v is not None]

    @staticmethod
    def _in_unit(value: float, unit: Optional[str], target: Optional[str]) -> Optional[float]:
        if unit is None or target is None or unit == target:
            return value
        try:
            return convert(value, unit, target)
        except ValueError:
            return None

    def _converts(self, unit: str, target: Optional[str]) -> bool:
        return self._in_unit(1.0, unit, target) is not None

    @staticmethod
    def _plausible(definition: FactDefinition, value: float) -> bool:
        return definition.plausible is None or definition.plausible[0] <= value <= definition.plausible[1]


def extract(text: str, vocabulary: Vocabulary, expecting: Sequence[FactDefinition], today: date,
            clinical: bool = False, date_order: Optional[str] = None, subject_fixed: bool = False,
            subject: Optional[str] = None) -> Extraction:
    return Extractor(vocabulary, today, clinical, date_order, subject_fixed, subject).run(text, expecting)
