"""How staff shorthand is read: the clinical cues staff mode adds to the shared vocabulary, and the
scan for the words of a message that nothing was read from (so that none is silently ignored).

The facts themselves are read by the shared extractor (``bot.extraction``, ``clinical=True``); this
module only widens its cues and accounts for every word it left.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Collection, List, Mapping, Tuple

from bot.extraction import TRIAL_ID, Extraction, mentions  # the extractor's own cue matching
from bot.facts import FactDefinition, Vocabulary

# Clinical shorthand that the shared vocabulary (data/facts.yml) does not list as cues, read in staff
# mode only. A candidate for the vocabulary itself (a `staff_cues` list per fact) once agreed.
STAFF_CUES: Mapping[str, Tuple[str, ...]] = {
    "bleeding_tendency": ("bleeding hx", "bleeding history", "history of bleeding", "h/o bleeding", "bleeding sx",
                          "bleeding signs", "bleeding symptoms", "ecchymosis", "ecchymoses", "purpura", "epistaxis",
                          "gum bleeding", "gingival bleeding", "mucosal bleeding"),
    "last_radiotherapy": ("xrt", "radiation tx"),
    "antiplatelet_drugs": ("antiplatelets", "anti-platelets", "dapt"),
    "diabetes": ("dm", "dm1", "iddm", "niddm"),
    "stomach_ulcer": ("pud", "peptic ulcer disease"),
    "heart_attack_or_angina_recent": ("mi", "stemi", "nstemi", "acs"),
    "thrombotic_disease": ("vte",),
    "uncontrolled_hypertension": ("uncontrolled htn", "poorly controlled htn"),
    "survival_six_months": ("le > 6 months", "le >6 months", "le >6m"),
    "breastfeeding": ("bf", "bfing", "breast-feeding"),
}
# Words that say nothing on their own in a staff message: greetings, function words, and the negations
# and qualifiers of a fact read beside them ("no bleeding hx", "CIT confirmed", "off aspirin").
EMPTY_WORDS = frozenset("""
    screen screening check please pls thanks thank you ok okay hi hello hey for re pt patient
    a an the and or but of in on at to with w by from as is are was were be been has had have
    he she they it his her their this that also now then so
    no not nil none never denies denied without negative neg ve free ruled out
    yes positive pos confirmed known hx history s/p last recent recently prior previous
    stopped quit off longer ago since currently still
""".split())
# "last dose 2 mo ago", "last tx in October": a time for a treatment that is not named. Said so rather than
# guessed: chemotherapy and radiotherapy are screened apart ("last dose of carbo" names it and is read).
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
UNNAMED_TREATMENT = re.compile(rf"^(?:dose|tx|treatment|infusion|course)\W+(?:(?:on|in|at)\s+)?(?:\d|{MONTH}\b)",
                               re.IGNORECASE)
# Words that belong to a fact read beside them in staff shorthand, though they are no value of it: the time
# of the last menstrual period ("LMP 2 wks ago") says that the woman could become pregnant, and no more.
# Up to months only: a period years ago may be the menopause, and stays said as not read.
READ_WITH: Mapping[str, re.Pattern] = {
    "childbearing_potential": re.compile(
        r"\blmp\b\W*(?:\d+\s*(?:d|days?|w|wks?|weeks?|mo|mos|months?)\b(?:\s+ago\b)?"
        rf"|\d{{1,2}}[/.-]\d{{1,2}}(?:[/.-]\d{{2,4}})?|\d{{1,2}}\s+{MONTH}|{MONTH}\s+\d{{1,2}}\b)", re.IGNORECASE),
}
TIMES = re.compile(r"^(?:x\d+|\d+x)$", re.IGNORECASE)  # "failed rhTPO x3": how often, said of the fact beside it
WORD = re.compile(r"\w+(?:['’/.-]\w+)*")
FRAGMENTS = re.compile(r"[,;\n]+|\.(?:\s+|$)")
LABEL_WORD = re.compile(r"[a-z][a-z0-9/-]{3,}", re.IGNORECASE)
STOPWORDS = {"with", "from", "that", "have", "than", "this", "such", "other", "last", "more", "some", "test",
             "tests", "times", "history", "like", "does", "able"}


def with_staff_cues(vocabulary: Vocabulary) -> Vocabulary:
    """The vocabulary with the clinical shorthand of STAFF_CUES added to its cues."""
    extended = Vocabulary(vocabulary)
    for key, cues in STAFF_CUES.items():
        if key in extended:
            extended[key] = replace(extended[key], cues=tuple(dict.fromkeys((*extended[key].cues, *cues))))
    return extended


def unread(text: str, found: Extraction, vocabulary: Vocabulary) -> List[str]:
    """The stretches of a message that nothing was read from, so that none is silently ignored.

    Word by word: a word is read when it is part of a value, of a cue of a fact read (or in
    question, such as an implausible value) anywhere in the message, or of a trial id. The words
    left, between read ones and between commas, semicolons and full stops, are one stretch each,
    reported from its first to its last word that carries meaning (not EMPTY_WORDS): "71M XYZQ,
    plt 40k" reads age, sex and platelets and reports "XYZQ". ``vocabulary``: the one read with."""
    read = _read_spans(text, found, vocabulary)
    stretches: List[List[re.Match]] = []
    stretch: List[re.Match] = []
    previous_end = 0
    for word in WORD.finditer(text):
        is_read = any(start < word.end() and word.start() < end for start, end in read)
        if stretch and (is_read or FRAGMENTS.search(text, previous_end, word.start())):
            stretches.append(stretch)
            stretch = []
        if not is_read:
            stretch.append(word)
        previous_end = word.end()
    stretches.append(stretch)
    words = []
    for stretch in stretches:
        meaningful = [w for w in stretch if w.group().lower() not in EMPTY_WORDS and not TIMES.match(w.group())]
        if meaningful:
            words.append(text[meaningful[0].start():meaningful[-1].end()])
    return words


def _read_spans(text: str, found: Extraction, vocabulary: Vocabulary) -> List[Tuple[int, int]]:
    """Where the message was read: values, mentions of the facts read or in question, trial ids."""
    keys = {*found.values, *(problem.fact for problem in found.problems), *found.partly_denied, *found.bounds,
            *found.several, *found.ambiguous_dates}
    phrases = [phrase for key in keys if key in vocabulary for phrase in _cue_phrases(vocabulary[key])]
    read_with = [m.span() for key in keys if key in READ_WITH for m in READ_WITH[key].finditer(text)]
    return [*found.used, *mentions(text, phrases), *read_with, *(m.span() for m in TRIAL_ID.finditer(text))]


def _cue_phrases(definition: FactDefinition) -> Tuple[str, ...]:
    """Every phrase by which the extractor recognises a fact: its cues and its choices' words."""
    choice_words = (word for words in definition.choices.values() for word in words)
    return (*definition.cues, *definition.cues_false, *definition.cues_partial, *choice_words)


def names_no_treatment(words: str) -> bool:
    """Whether words left unread give a time for a treatment they do not name ("dose 2 mo")."""
    return bool(UNNAMED_TREATMENT.match(words))


def facts_meant(words: str, vocabulary: Mapping[str, FactDefinition], among: Collection[str]) -> List[FactDefinition]:
    """The facts (of ``among``, askable) that words left unread may have meant: those sharing a word
    with their label."""
    said = {w.lower() for w in LABEL_WORD.findall(words)} - STOPWORDS
    return [definition for key, definition in vocabulary.items() if key in among and definition.askable
            and said & ({w.lower() for w in LABEL_WORD.findall(definition.label)} - STOPWORDS)]
