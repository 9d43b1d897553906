"""Free-text eligibility criteria: split into single criteria, and make computable what can be.

``split_criteria`` turns a registry's criteria text (markdown bullets, numbered lists, plain lines,
nested lists, section headers) into single inclusion and exclusion criteria, keeping every line
of the source in some criterion.

``derive`` reads one criterion with rule-based recognisers: age, sex, pregnancy and
breastfeeding, consent, lab values with a comparison and a unit, time windows ("within 4 weeks")
and named conditions and drugs from the lexicon. A criterion is computable only when the
recognisers account for what it says (a few words of qualification aside); every other criterion
becomes a yes/no question built from its text, to be confirmed by the study team.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.facts import with_unit
from bot.importers import cues
from bot.importers.concepts import TAIL, Concepts, plain_question, round_value
from bot.units import match_unit

# -- splitting -----------------------------------------------------------------------------------
INCLUSION, EXCLUSION = "inclusion", "exclusion"

_HEADER = re.compile(
    r"^\s*(?:[#*_\-•]+\s*)*(?:key\s+|main\s+|general\s+|major\s+|additional\s+|other\s+)?"
    r"(?P<kind>inclusion|exclusion|eligibility|ineligibility|exclusionary)\s+criteri(?:a|on)\b(?P<rest>[^\n]*)$",
    re.IGNORECASE)
_BULLET = re.compile(
    r"^(?P<indent>\s*)(?:[*•◦▪·‣●○■□➢►\-–—]|\d{1,2}[.)](?!\d)|\(\d{1,2}\)|\(?[a-z][.)]|\(?(?:i|ii|iii|iv|v|vi|vii|viii|ix|x)[.)])\s+(?P<text>\S.*)$",
    re.IGNORECASE)
_DASH_BULLET = re.compile(r"^(?P<indent>\s*)-(?P<text>[A-Za-z].*)$")  # "-Patients must ..."
_DANGLING = re.compile(
    r"(?:\b(?:of|and|or|with|to|the|a|an|in|for|by|than|as|at|on|from|including|such|that|which|who|per|plus|"
    r"versus|vs|not|any|if|whose|within|without|are|is|be)|[,(/&+-])\s*$", re.IGNORECASE)
_TERMINAL = re.compile(r"[.;:!?)\]]\s*$")


@dataclass(frozen=True)
class Segment:
    """One criterion as split from the text: its section and its text (bullet marks removed)."""

    kind: str
    text: str


@dataclass
class _Item:
    kind: str
    indent: int
    text: str
    bullet: bool
    context: str = ""  # a heading line ("... as defined below:") that introduces the item
    children: int = 0


def _section_kind(match: re.Match) -> str:
    word = match.group("kind").lower()
    return EXCLUSION if word.startswith(("excl", "inel")) else INCLUSION


def split_criteria(text: str) -> List[Segment]:
    """Single criteria from a registry's eligibility text.

    Sections start at "Inclusion Criteria" / "Exclusion Criteria" headers (text before any header
    is inclusion). Each bullet, numbered item or paragraph is one criterion; a line that ends with
    a dangling word ("... inducers of") continues on the next. A heading that ends with ":" and is
    followed by bullets, or a bullet with nested bullets, is carried into each of them so that no
    words are lost.
    """
    items: List[_Item] = []
    kind = INCLUSION
    context: Optional[_Item] = None  # a plain "...:" line introducing the bullets that follow
    stack: List[_Item] = []  # open bullets by indent, to find parents of nested bullets
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            continue
        header = _HEADER.match(line)
        if header and (len(line.split()) <= 8 or line.rstrip(" *_").endswith(":")) and len(line) < 120:
            kind = _section_kind(header)
            context, stack = None, []
            continue
        bullet = _BULLET.match(line) or _DASH_BULLET.match(line)
        body = (bullet.group("text") if bullet else line).strip()
        body = re.sub(r"\s+-\s*$", "", body).strip()  # "... -" stray trailing dash
        if not body:
            continue
        indent = len(bullet.group("indent").expandtabs(4)) if bullet else len(line) - len(line.lstrip())
        previous = items[-1] if items else None
        if previous is not None and previous.kind == kind and _DANGLING.search(previous.text) \
                and not _TERMINAL.search(previous.text):
            previous.text = f"{previous.text} {body}"
            continue
        if bullet is None and previous is not None and not previous.bullet and previous.kind == kind \
                and body[:1].islower() and not _TERMINAL.search(previous.text):
            previous.text = f"{previous.text} {body}"  # a wrapped plain line
            continue
        item = _Item(kind=kind, indent=indent, text=body, bullet=bullet is not None)
        if bullet is not None:
            while stack and stack[-1].indent >= indent:
                stack.pop()
            if stack:
                parent = stack[-1]
                parent.children += 1
                item.context = _join(parent.context, parent.text)
            elif context is not None:
                context.children += 1
                item.context = context.text
            stack.append(item)
        else:
            stack = []
            context = item if body.endswith(":") else None
        items.append(item)
    segments = []
    for item in items:
        if item.children and (item.text.endswith(":") or item.bullet):
            continue  # carried into each of its sub-items
        segments.append(Segment(item.kind, _join(item.context, item.text)))
    return segments


def _join(context: str, text: str) -> str:
    if not context:
        return text
    return f"{context} {text}" if context.endswith(":") else f"{context}: {text}"


# -- comparisons ---------------------------------------------------------------------------------
_GE = (r"≥|>=|=>|>\s*/\s*=|=\s*/\s*>|⩾|≧|greater\s+than\s+or\s+equal\s+to|more\s+than\s+or\s+equal\s+to|"
       r"higher\s+than\s+or\s+equal\s+to|equal\s+to\s+or\s+(?:greater|more|higher)\s+than|at\s+least|"
       r"no\s+less\s+than|not\s+less\s+than|minimum(?:\s+of)?|a\s+minimum\s+of")
_LE = (r"≤|<=|=<|<\s*/\s*=|=\s*/\s*<|⩽|≦|less\s+than\s+or\s+equal\s+to|lower\s+than\s+or\s+equal\s+to|"
       r"equal\s+to\s+or\s+(?:less|lower)\s+than|no\s+more\s+than|not\s+more\s+than|no\s+greater\s+than|"
       r"not\s+greater\s+than|not\s+exceeding|up\s+to|at\s+most|maximum(?:\s+of)?|a\s+maximum\s+of")
_GT = (r">|greater\s+than|more\s+than|higher\s+than|above|over|older\s+than|exceeding|exceeds|in\s+excess\s+of|"
       r"elevated\s+above")
_LT = r"<|less\s+than|fewer\s+than|lower\s+than|below|under|younger\s+than|inferior\s+to"


def _words_whole(alternatives: str) -> str:
    """Word operators ("over", "under") only as whole words, not inside "moreover"."""
    parts, depth, current = [], 0, ""
    for ch in alternatives:  # split at the top-level "|" only
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return "|".join(f"(?<![A-Za-z]){a}" if a[:1].isalpha() else a for a in parts)


_OP = re.compile(rf"(?P<ge>{_words_whole(_GE)})|(?P<le>{_words_whole(_LE)})|(?P<gt>{_words_whole(_GT)})|"
                 rf"(?P<lt>{_words_whole(_LT)})", re.IGNORECASE)
_AFTER_GE = re.compile(r"\s*(?:\(?(?:inclusive)\)?\s*)?(?:(?:of\s+age|old|of\s+age\s+and)\s+)?(?:or|and)\s+(?:more|greater|older|above|over|higher|later)\b"
                       r"|\s*\+(?!\d)", re.IGNORECASE)
_AFTER_LE = re.compile(r"\s*(?:(?:of\s+age|old)\s+)?(?:or|and)\s+(?:less|fewer|younger|below|under|lower)\b", re.IGNORECASE)
_NUMBER = r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?|\.\d+)"
_NUM = re.compile(_NUMBER)
_RANGE = re.compile(
    rf"(?:between\s+|from\s+)?{_NUMBER}\s*(?P<unit1>[^\d\s-]{{0,12}}?)\s*(?:-|–|—|to|and|through)\s*{_NUMBER}",
    re.IGNORECASE)
_ULN = re.compile(
    r"\s*(?:[x×*]|times)?\s*(?:the\s+)?(?:institutional\s+|upper\s+normal\s+limit|upper\s+limit\s+of\s+(?:the\s+)?"
    r"(?:institutional\s+)?normal(?:\s+range)?|uln|normal\s+upper\s+limit)(?:\s*\((?:uln)\))?", re.IGNORECASE)
_ULN_WORD = re.compile(r"\b(?:uln|upper\s+limit\s+of\s+(?:the\s+)?(?:institutional\s+)?normal|"
                       r"upper\s+normal\s+limit)\b", re.IGNORECASE)
_OPS = {"ge": ">=", "le": "<=", "gt": ">", "lt": "<"}


@dataclass(frozen=True)
class Comparison:
    op: str
    value: float
    unit: Optional[str]
    start: int
    end: int


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def unit_at(text: str, pos: int) -> Tuple[Optional[str], int]:
    uln = re.match(r"\s*(?:[x×*]|times)\s*(?:the\s+)?(?:institutional\s+)?(?:uln\b|upper\s+limit|upper\s+normal"
                   r"|normal\s+upper|the\s+upper|normal\b)|\s*uln\b|"
                   # "> 2 ULN", "2.5 upper limit normal": a multiple without its sign
                   r"\s*(?:the\s+)?(?:upper\s+limit\s+(?:of\s+)?(?:the\s+)?normal|upper\s+normal\s+limit|normal\s+upper\s+limit)\b",
                   text[pos:], re.IGNORECASE)
    if uln:
        end = _ULN_WORD.search(text, pos)
        return "xULN", (end.end() if end and end.start() - pos < 40 else pos + uln.end())
    found = match_unit(text, pos)
    return found if found else (None, pos)


# after a number, a unit the reader does not know ("D-dimer > 0.75 g/mL", "> 2 mmol", "500 ng"): never to be
# read as the fact's own unit
_UNIT_LIKE = re.compile(r"\s*\(?(?:[A-Za-zµμ]{1,6}\s*/\s*[A-Za-zµμ0-9.^]{1,8}|(?:[mµμunpk]?(?:g|mol)|mEq|I?U)(?![\w/]))",
                        re.IGNORECASE)


def unknown_unit(text: str, comparison: Comparison) -> bool:
    """Whether ``comparison`` of ``text`` has no unit the reader knows, and yet words after its number
    that look like one: its value in the fact's unit would be a guess."""
    return comparison.unit is None and bool(_UNIT_LIKE.match(text, comparison.end))


def find_comparisons(text: str) -> List[Comparison]:
    """Every "<op> <number> <unit>" in ``text`` ("≥ 1,500/µL", "18 years or older", "between 18 and 65
    years", "≤ 1.5 × ULN", "below the upper limit of normal"); a range gives two comparisons."""
    found: List[Comparison] = []
    taken: List[Tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _RANGE.finditer(text):
        low, high = _number(m.group(1)), _number(m.group(3))
        unit, end = unit_at(text, m.end())
        if unit is None and m.group("unit1").strip():
            unit = (match_unit(m.group("unit1"), 0) or (None, 0))[0]
        if low >= high or not free(m.start(), end):
            continue
        op_before = _OP.search(text, max(0, m.start() - 25), m.start())
        if op_before and text[op_before.end():m.start()].strip() == "":
            continue  # "> 18-65" is not a range of its own; handled as a comparison
        found += [Comparison(">=", low, unit, m.start(), end), Comparison("<=", high, unit, m.start(), end)]
        taken.append((m.start(), end))
    for m in _NUM.finditer(text):
        if not free(m.start(), m.end()):
            continue
        value = _number(m.group(1))
        unit, end = unit_at(text, m.end())
        before = text[max(0, m.start() - 40):m.start()]
        op = None
        start = m.start()
        for o in _OP.finditer(before):
            if before[o.end():].strip(" :=()\t") == "" or re.fullmatch(r"\s*(?:of|than|to)?\s*", before[o.end():]):
                op, start = _OPS[o.lastgroup], m.start() - len(before) + o.start()
        after_ge, after_le = _AFTER_GE.match(text, end), _AFTER_LE.match(text, end)
        if op is None and after_ge:
            op, end = ">=", after_ge.end()
        elif op is None and after_le:
            op, end = "<=", after_le.end()
        if op is None:
            continue
        found.append(Comparison(op, value, unit, start, end))
        taken.append((start, end))
    for m in re.finditer(rf"(?:{_GE}|{_LE}|{_GT}|{_LT})\s*(?:the\s+)?(?:institutional\s+)?"
                         r"(?:uln\b|upper\s+limit\s+of\s+(?:the\s+)?(?:institutional\s+)?normal(?:\s+range)?|"
                         r"upper\s+normal\s+limit)(?:\s*\((?:uln)\))?", text, re.IGNORECASE):
        if free(m.start(), m.end()):
            op = _OPS[_OP.match(m.group()).lastgroup]
            times = re.search(r"(\d+(?:\.\d+)?)\s*(?:x|×|times)\s*$", text[max(0, m.start() - 20):m.start()])
            start = m.start() - len(times.group()) if times else m.start()
            found.append(Comparison(op, float(times.group(1)) if times else 1.0, "xULN", start, m.end()))
            taken.append((start, m.end()))
    return sorted(found, key=lambda c: c.start)


# -- time windows --------------------------------------------------------------------------------
_WINDOW = re.compile(
    r"(?P<lead>within(?:\s+the)?(?:\s+(?:last|past|previous|preceding|prior))?|in\s+(?:the\s+)?(?:last|past|previous|preceding)"
    r"|during\s+the\s+(?:last|past|previous|preceding)|(?:less|fewer)\s+than|at\s+least|"
    r"(?:not|no)\s+(?:more|longer|greater)\s+than|more\s+than|greater\s+than|"
    r"longer\s+than|over|>=?|<=?|≥|≤)?\s*"
    # "in past 30 days", "within nine (9) months"
    r"(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)(?:\s*\(\d+\))?\s*(?:-\s*)?"
    r"(?P<unit>days?|weeks?|months?|years?|hours?)"
    r"(?P<tail>\s+(?:prior|before|preceding|of|from|since|ago))?", re.IGNORECASE)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "twelve": 12}


@dataclass(frozen=True)
class Window:
    """A time frame: ``op`` "<" for "within N ...", ">=" for "at least N ... before"."""

    op: str
    amount: int
    unit: str  # days, weeks, months, years
    start: int
    end: int
    rounded: bool = False  # hours that are not whole days, rounded up: "within 4 hours" kept as 1 day


_LAST_ONE = re.compile(r"\b(?:within|in|during|over)\s+the\s+(?:past|last|previous|preceding)\s+"
                       r"(?P<unit>day|week|month|year)\b", re.IGNORECASE)


def find_window(text: str, pos: int = 0) -> Optional[Window]:
    """The first time frame in ``text`` from ``pos`` on ("within 4 weeks", "in the past year")."""
    one = _LAST_ONE.search(text, pos)
    if one and not _WINDOW.search(text[pos:one.start()]):
        return Window("<", 1, one.group("unit").lower() + "s", one.start(), one.end())
    for m in _WINDOW.finditer(text, pos):
        lead = (m.group("lead") or "").lower()
        tail = (m.group("tail") or "").strip().lower()
        if not lead and not tail:
            continue
        n = m.group("n").lower()
        amount = _WORD_NUMBERS.get(n) or int(n)
        unit = m.group("unit").lower().rstrip("s") + "s"
        rounded = unit == "hours" and amount % 24 != 0
        if unit == "hours":
            amount, unit = max(1, -(-amount // 24)), "days"
        if lead.startswith(("at least", "more than", "greater than", "longer than", "over", ">", "≥")):
            op = ">=" if lead.startswith(("at least", ">=", "≥")) else ">"
        else:  # "within", "less than"; "not more than 72 hours", which is no time since
            op = "<=" if lead.startswith(("<=", "≤", "not", "no")) else "<"
        return Window(op, amount, unit, m.start(), m.end(), rounded)
    return None


# -- derivation ----------------------------------------------------------------------------------
@dataclass
class Derived:
    """What a criterion becomes: a rule over facts, and how it is checked."""

    rule: Dict[str, Any]
    checked_by: str  # "rule": computed from facts; "question": asked from the text, confirmed by the study team
    requirement: str  # plain-language phrase for explanations ("age 18 or over")
    team: bool = False  # handed to the study team: nothing is asked
    unsure: bool = False  # an inclusion asked from its text: a "no" leaves it to the study team


@dataclass(frozen=True)
class Context:
    """What a trial says of itself that its criteria are read against: its conditions and treatments."""

    conditions: Tuple[str, ...] = ()
    treatments: Tuple[str, ...] = ()


_SHORT_LINE = 12  # words: a line this short, with no brackets or colons, reads as a question as it is
# a piece of a longer criterion: it starts mid-sentence, or points at a list it does not hold
_FRAGMENT = re.compile(r"^\W*(?:confirmed|evidenced|defined|documented|as|and|or|with|by|for|in|of|if|to|who|which|"
                       r"that|are|is|has|have|had|be)\b|\b(?:following|below|above|listed|these|those|this)\b",
                       re.IGNORECASE)


def clear_question(text: str, quoted: bool = False) -> bool:
    """Whether a criterion's text makes a question a person can answer honestly: it has no
    condition, exception or qualifier (those need the study team), and it rephrases into a
    question ("History of X" -> "Have you ever had X?") or, with ``quoted``, is a short,
    self-contained line that can be asked as it is."""
    if cues.conditional(text) or cues.exception(text) or cues.degree(text) or _FRAGMENT.search(text) \
            or cues.study_product(text) or cues.judged(text):
        return False
    if plain_question(text) is not None:
        return True
    return (quoted and len(text.split()) <= _SHORT_LINE and not re.search(r"[():/\[\]]", text)
            and text[:1].isupper() and not _DANGLING.search(text))


# words that carry no condition of their own: what is left after the recognisers must be only these
_FILLER = set("""
a an the and or of with to in on at for by as is are be been being must should shall will would can may
patient patients subject subjects participant participants individual individuals person persons people
who which that has have had having any all documented documentation confirmed known history evidence
current currently presence present prior previous previously diagnosed diagnosis value values level levels
count counts serum plasma blood total test tests result results range institutional normal upper limit uln
eligible ineligible excluded exclusion inclusion criteria criterion not no than equal greater less
years year old age aged older younger adult adults male female men women man woman sex gender both
per local guideline guidelines national mm3 ul l dl mg g µl μl x times e.g eg i.e ie etc defined
required requirement screening enrollment enrolment randomization randomisation study entry day days
baseline time at least within week weeks month months hours hour following use using taking treatment
therapy therapies receiving received receive on from since agent agents drug drugs medication medications
""".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_AGE_CUE = re.compile(r"\b(?:age[ds]?|years?\s+old|years?\s+of\s+age|year-old|years-old|y/?o|adults?|"
                      r"older|younger)\b", re.IGNORECASE)
_PREGNANCY = re.compile(r"pregnan", re.IGNORECASE)
_BREASTFEEDING = re.compile(r"breast[\s-]?feed|lactating|lactation|nursing\s+(?:mothers?|women)|nursing\b",
                            re.IGNORECASE)
_CONTRACEPTION = re.compile(r"contracept|birth\s+control", re.IGNORECASE)
# what makes an inclusion ask for pregnancy's absence: "not pregnant", "non-pregnant", "negative pregnancy test"
_DENIED = re.compile(r"\b(?:no|not|non|without|negative)\b", re.IGNORECASE)
_PREGNANCY_WORDS = re.compile(
    r"\b(?:pregnan\w*|breast[\s-]?feed\w*|lactat\w*|nursing|women|woman|females?|childbearing|child-bearing|"
    r"potential|negative|positive|serum|urine|test|hcg|human|chorionic|gonadotropin|plan\w*|planning|become|"
    r"becoming|intend\w*|during|study|trial|period|wish\w*|suspected|possibly|months?|weeks?|days?|after|last|"
    r"dose|treatment|men|male|partners?|who|are|is|or|and|the|a|of|to|be|not|must|have|within|prior|before|"
    r"randomization|screening|enrollment|enrolment|at|in|for|with|without|\d+)\b", re.IGNORECASE)
_CONSENT = re.compile(r"\b(?:informed\s+consent|consent\s+form|sign(?:ed)?\s+(?:the\s+)?consent|provide\s+consent|"
                      r"give\s+consent|written\s+consent)\b", re.IGNORECASE)
# consent as the moment something else is dated from ("diagnosis obtained no more than 72 hours prior to informed
# consent", "fluid support during the past 72 hours prior to the informed consent"), not the act of consenting
_CONSENT_AS_TIME = re.compile(r"\b(?:prior\s+to|before|after|since|following|until|from|of|at|by)\s+(?:the\s+)?"
                              r"(?:(?:time|date|day|signing|signature)\s+(?:of\s+)?(?:the\s+)?)?$", re.IGNORECASE)
_UNIT_FAMILY_COUNT = ("10^9/L", "10^3/uL", "/uL")
# a clause that makes a value conditional ("... for patients with Gilbert's syndrome"): not computable here
_CONDITIONAL = re.compile(r"\b(?:for|in)\s+(?:patients|subjects|participants|those|people|women|men)\s+(?:with|who)\b"
                          r"|\bunless\b|\bexcept\b|\bif\b", re.IGNORECASE)


def _short(label: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", label)


def _outside(text: str, spans: Sequence[Tuple[int, int]]) -> str:
    kept = []
    last = 0
    for start, end in sorted(spans):
        kept.append(text[last:start])
        last = max(last, end)
    kept.append(text[last:])
    return re.sub(r"\([^)]*\)", " ", " ".join(kept))  # bracketed asides: abbreviations, examples


def _residue(text: str, spans: Sequence[Tuple[int, int]]) -> List[str]:
    """The content words of ``text`` outside ``spans``."""
    rest = _outside(text, spans)
    return [w for w in _WORD.findall(rest) if w.lower().strip("'’-") not in _FILLER and len(w) > 1]


def _numeric_rule(fact: str, comparisons: Sequence[Comparison], factor: float, unit: Optional[str]
                  ) -> Dict[str, Any]:
    parts = []
    for c in comparisons:
        part: Dict[str, Any] = {"fact": fact, "op": c.op, "value": round_value(c.value * factor)}
        if unit:
            part["unit"] = unit
        parts.append(part)
    return parts[0] if len(parts) == 1 else {"all": parts}


_OP_WORDS = {">=": "at least", ">": "above", "<=": "at most", "<": "below", "==": "exactly"}


def describe_comparisons(name: str, rule: Dict[str, Any]) -> str:
    parts = rule.get("all") or [rule]
    bounds = " and ".join(f"{_OP_WORDS[p['op']]} {with_unit(p['value'], p.get('unit'))}" for p in parts)
    return f"{name} {bounds}"


class Recogniser:
    """Reads single criteria into rules over the facts of ``concepts``."""

    def __init__(self, concepts: Concepts) -> None:
        self.concepts = concepts

    def label(self, entry: Any) -> str:
        """How a lexicon entry reads in an explanation."""
        if entry.fact and entry.fact in self.concepts.vocabulary:
            return _short(self.concepts.vocabulary[entry.fact].label)
        return _short(entry.label)

    # the age and sex of the registry's structured fields ------------------------------------
    @staticmethod
    def age_rule(minimum: Optional[float], maximum: Optional[float]) -> Optional[Dict[str, Any]]:
        parts = []
        if minimum is not None and minimum > 0:
            parts.append({"fact": "age", "op": ">=", "value": round_value(minimum), "unit": "years"})
        if maximum is not None:
            parts.append({"fact": "age", "op": "<=", "value": round_value(maximum), "unit": "years"})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"all": parts}

    # free text ---------------------------------------------------------------------------------
    def derive(self, text: str, kind: str, context: Context = Context(), quoted: bool = False) -> Derived:
        """A criterion's rule, or a question (``quoted``: a short line may be asked as it is), or a
        hand-off to the study team."""
        if kind == EXCLUSION and (cues.own_condition(text, context.conditions)
                                  or cues.own_treatment(text, context.treatments)):
            return self.study_team(text)  # every candidate of the trial would meet it
        for reader in (self._pregnancy, self._consent, self._age, self._measurements, self._named):
            derived = reader(text, kind)
            if derived is not None:
                return derived
        return self.question(text, kind, quoted)

    def question(self, text: str, kind: str, quoted: bool = False) -> Derived:
        """The criterion asked from its text when that makes a clear question (see clear_question),
        otherwise handed to the study team. An inclusion asked so is met by a "yes"; a "no" leaves
        it to the study team, since the importer cannot be sure the question means all the
        criterion does."""
        words = " ".join(text.split()).rstrip(" .;,")
        asked = TAIL.sub("", words)  # "... is not allowed", "... are excluded": what is left is asked
        if not clear_question(asked, quoted):
            return self.study_team(words)
        words = asked
        rule: Dict[str, Any] = {"fact": self.concepts.question(words), "is": True}
        if kind == INCLUSION:
            return Derived({"any": [rule, {"fact": self.concepts.study_team(words), "is": True}]}, "question",
                           f"\"{words}\"", unsure=True)
        return Derived(rule, "question", f"\"{words}\"")

    def study_team(self, text: str) -> Derived:
        words = " ".join(text.split()).rstrip(" .;,")
        return Derived({"fact": self.concepts.study_team(words), "is": True}, "question", f"\"{words}\"", team=True)

    def _computable(self, text: str, spans: Sequence[Tuple[int, int]], allowed: int = 2) -> bool:
        """Whether the recognised ``spans`` account for the criterion: at most ``allowed`` words of
        qualification remain, and none of them is an alternative ("... or on dialysis")."""
        residue = _residue(text, spans)
        if len(residue) > allowed:
            return False
        return not residue or not re.search(r"\bor\b", _outside(text, spans))

    def _age(self, text: str, kind: str) -> Optional[Derived]:
        cue = _AGE_CUE.search(text)
        if not cue:
            return None
        comparisons = [c for c in find_comparisons(text) if c.unit in (None, "years", "months")
                       and abs(c.start - cue.start()) < 40]
        if not comparisons:
            return None
        scaled = [Comparison(c.op, c.value / 12 if c.unit == "months" else c.value, "years", c.start, c.end)
                  for c in comparisons]
        spans = [(c.start, c.end) for c in comparisons] + [cue.span()]
        if not self._computable(text, spans):
            return None
        rule = _numeric_rule("age", scaled, 1.0, "years")
        return Derived(rule, "rule", describe_comparisons("age", rule).replace(" years", ""))

    def _pregnancy(self, text: str, kind: str) -> Optional[Derived]:
        pregnancy, breastfeeding = _PREGNANCY.search(text), _BREASTFEEDING.search(text)
        contraception = _CONTRACEPTION.search(text)
        if not (pregnancy or breastfeeding or contraception) or cues.past_pregnancy(text):
            return None  # not about pregnancy, or about one of the past ("never been pregnant"): no fact holds it
        rest = _PREGNANCY_WORDS.sub(" ", _CONTRACEPTION.sub(" ", text))
        if len([w for w in _WORD.findall(rest) if w.lower() not in _FILLER and len(w) > 2]) > 3:
            return None  # the criterion says more than pregnancy: a question
        if kind == INCLUSION and (pregnancy or breastfeeding) and not contraception and not _DENIED.search(text):
            return None  # "Pregnant women": an inclusion that asks for the state, not for its absence
        parts: List[Dict[str, Any]] = []
        if pregnancy:
            parts.append({"fact": "pregnant", "is": True})
        if breastfeeding:
            parts.append({"fact": "breastfeeding", "is": True})
        what = [w for w, found in (("pregnancy", pregnancy), ("breastfeeding", breastfeeding)) if found]
        if kind == EXCLUSION:
            if contraception:  # "... or women who could become pregnant and do not use contraception"
                parts.append({"all": [{"fact": "childbearing_potential", "is": True},
                                      {"fact": "uses_contraception", "is": False}]})
                what.append("being able to become pregnant without reliable contraception")
            if cues.a_plan(text):  # "pregnant or planning to become pregnant": the plan is the study team's
                parts.append({"fact": self.concepts.study_team(" ".join(text.split()).rstrip(" .;,")), "is": True})
                what.append("a plan the study team asks about")
            return Derived(parts[0] if len(parts) == 1 else {"any": parts}, "rule", " or ".join(what))
        # an inclusion asks for their absence ("negative pregnancy test", "not pregnant"), and for
        # contraception from anyone who could become pregnant
        required = [{"fact": p["fact"], "is": False} for p in parts]
        wanted = [f"no {w}" for w in what]
        if contraception:
            required.append({"any": [{"fact": "childbearing_potential", "is": False},
                                     {"fact": "uses_contraception", "is": True}]})
            wanted.append("reliable contraception for anyone who could become pregnant")
        return Derived(required[0] if len(required) == 1 else {"all": required}, "rule", " and ".join(wanted))

    def _consent(self, text: str, kind: str) -> Optional[Derived]:
        found = _CONSENT.search(text)
        if not found or kind != INCLUSION or _CONSENT_AS_TIME.search(text[:found.start()]):
            return None
        if len(_residue(text, [found.span()])) > 5:
            return None
        return Derived({"fact": "willing_to_consent", "is": True}, "rule", "willingness to give informed consent")

    def _measurements(self, text: str, kind: str) -> Optional[Derived]:
        """Lab values and scores: "Platelets >= 100,000/mm3", "AST and ALT <= 1.5 x ULN", "ECOG 0-1"."""
        mentions: List[Tuple[Any, int, int]] = []
        for entry, start, end in self.concepts.lexicon.find("measurement", text):
            if mentions and mentions[-1][0] is entry and start - mentions[-1][2] < 25:
                mentions[-1] = (entry, mentions[-1][1], end)  # "Aspartate aminotransferase (AST or SGOT)"
            else:
                mentions.append((entry, start, end))
        if not mentions or _CONDITIONAL.search(text) or cues.conditional(text):  # "For hospitalized patients : QTc"
            return None
        comparisons = find_comparisons(text)
        if not comparisons:
            return None
        groups: List[Tuple[List[Any], List[Comparison]]] = []
        pending: List[Any] = []
        spans: List[Tuple[int, int]] = []
        for i, (entry, start, end) in enumerate(mentions):
            limit = mentions[i + 1][1] if i + 1 < len(mentions) else len(text)
            own = [c for c in comparisons if end <= c.start < limit]
            pending.append(entry)
            spans.append((start, end))
            if own:
                groups.append((list(dict.fromkeys(pending)), own))
                spans += [(c.start, c.end) for c in own]
                pending = []
        if not groups or not self._computable(text, spans):
            return None
        parts, described = [], []
        for entries, own in groups:
            units = {c.unit for c in own if c.unit}
            if len(units) > 1 or any(unknown_unit(text, c) for c in own):
                return None
            unit = units.pop() if units else None
            bounds = [c for c in own if not (c.op == ">=" and c.value == 0 and len(own) > 1)]
            for entry in entries:
                if unit is None and entry.unit in _UNIT_FAMILY_COUNT and any(c.value >= 1000 for c in bounds):
                    fact, fact_unit, factor = self.concepts.known(entry, "/uL")  # "platelets > 100,000"
                else:
                    fact, fact_unit, factor = self.concepts.known(entry, unit)
                if any(entry.implausible(c.value * factor, fact_unit, entry.unit or fact_unit) for c in bounds):
                    return None  # a bound that lost its scale
                if len([c for c in bounds if c.op in (">", ">=")]) > 1 or len([c for c in bounds if c.op in ("<", "<=")]) > 1:
                    return None  # two lower bounds of one value: one belongs to something unrecognised ("or diastolic > 110")
                rule = _numeric_rule(fact, bounds, factor, fact_unit)
                parts.append(rule)
                described.append(describe_comparisons(self.label(entry), rule))
        joined = text[spans[0][0]:spans[-1][1]]
        combine = "any" if len(parts) > 1 and re.search(r"\bor\b", joined) and not re.search(
            r"\band\b", joined) else "all"
        rule = parts[0] if len(parts) == 1 else {combine: parts}
        return Derived(rule, "rule", (" or " if combine == "any" else " and ").join(described))

    def _named(self, text: str, kind: str) -> Optional[Derived]:
        """A criterion that names a condition or a drug and little else."""
        lexicon = self.concepts.lexicon
        found = [(e, s, t) for family in ("condition", "drug") for e, s, t in lexicon.find(family, text)]
        if not found:
            return None
        found.sort(key=lambda f: f[1])
        if cues.degree(text) or cues.conditional(text) or cues.exception(text) or cues.is_allergy(text, "") \
                or cues.unreadable(text) or cues.an_ability("", text):
            # qualified, conditional, with exceptions, an allergy to what it names, how long, what a
            # person can do ("unable to swallow tablets" is not dysphagia)
            return None
        if any(cues.modifier_of(text[t:]) or cues.done_for(text[:s]) for _, s, t in found):
            return None  # "convalescent COVID-19 plasma", "hospitalization for COVID-19": about something else
        window = find_window(text)
        spans = [(s, t) for _, s, t in found] + ([(window.start, window.end)] if window else [])
        negated = cues.NEGATED.search(text[:found[0][1]])
        if negated:
            spans.append(negated.span())
        # a word left over narrows what is named: an exclusion read without it excludes too many,
        # an inclusion read without it would let in people it does not (no word may be left)
        if not self._computable(text, spans, allowed=2 if kind == EXCLUSION else 0):
            return None
        parts, names = [], []
        for entry, _, _ in found:
            if entry in [n for n, _ in names]:
                continue
            part = self._named_part(entry, window, cues.time_sense(kind, text[:found[0][1]], text))
            if part is None:
                return None
            parts.append(part)
            names.append((entry, self.label(entry)))
        rule = parts[0] if len(parts) == 1 else {"any": parts}
        if negated:
            rule = {"not": rule}  # "not on A or B": on neither (not A and not B)
        what = (" and no " if negated else " or ").join(label for _, label in names)
        if window and window.op in ("<", "<="):
            what += f" in the last {window.amount} {window.unit}"
        return Derived(rule, "rule", ("no " if negated else "") + what)

    def _named_part(self, entry, window: Optional[Window], sense: str) -> Optional[Dict[str, Any]]:
        """One named concept as a rule part: within the time frame, or in its time sense (now or
        ever; see cues.time_sense)."""
        concepts = self.concepts
        if window is not None and window.rounded:
            return None  # "within 4 hours": the facts hold days, and a day would say more or less
        existing = concepts.vocabulary.get(entry.fact) if entry.fact else None
        dated = existing is not None and existing.type.value == "date"
        if window is not None and window.op in ("<", "<="):
            if entry.family == "drug" and not existing:
                key = concepts.drug(entry.key, entry.label, dated=True)
                return {"fact": key, "op": window.op, "value": window.amount, "unit": window.unit}
            if dated:
                return {"fact": entry.fact, "op": window.op, "value": window.amount, "unit": window.unit}
            if entry.family == "condition" and not existing:
                days = _days(window)
                return {"fact": concepts.condition(entry.key, entry.label, days), "is": True}
            return None  # a time frame the fact cannot express
        if window is not None:
            return None  # "more than 3 months ago": a time since, not a window
        if dated:
            return {"fact": entry.fact, "op": "<", "value": 100, "unit": "years"}  # ever had it
        if entry.family == "condition" and not existing and sense == cues.NOW:
            return {"fact": concepts.condition(entry.key, entry.label, 0), "is": True}
        key, _, _ = concepts.known(entry)
        return {"fact": key, "is": True}


def _days(window: Window) -> int:
    return {"days": 1, "weeks": 7, "months": 30, "years": 365}[window.unit] * window.amount

