"""How staff shorthand is read: the clinical cues staff mode adds to the shared vocabulary, and the
scan for the words of a message that nothing was read from (so that none is silently ignored).

The facts themselves are read by the shared extractor (``bot.extraction``, ``clinical=True``); this
module only widens its cues and accounts for every word it left.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Collection, List, Mapping, Optional, Set, Tuple

from bot import staff_texts
from bot.extraction import (TIMES_NORMAL, TRIAL_ID, Extraction, Extractor, ReadingProblem, _clause_after, _clause_before,  # noqa: PLC2701
                            extract, mentions)  # the extractor's own cue matching and clauses
from bot.facts import FactDefinition, FactType, Vocabulary, cue_phrases
from bot.parsing.answers import is_negated
from bot.parsing.chinese import PUNCTUATION, RELATIVE_WORDS
from bot.parsing.whose import ELLIPTIC_DENIAL, OWNER
from bot.staff_layout import short_label

# Clinical shorthand that the shared vocabulary (data/facts.yml) does not list as cues, read in staff
# mode only. A candidate for the vocabulary itself (a `staff_cues` list per fact) once agreed.
STAFF_CUES: Mapping[str, Tuple[str, ...]] = {
    "bleeding_tendency": ("bleeding hx", "bleeding history", "history of bleeding", "h/o bleeding", "bleeding sx",
                          "bleeding signs", "bleeding symptoms", "ecchymosis", "ecchymoses", "purpura", "epistaxis",
                          "gum bleeding", "gingival bleeding", "mucosal bleeding"),
    "antiplatelet_drugs": ("antiplatelets", "anti-platelets", "dapt"),
    "diabetes": ("dm", "dm1", "iddm", "niddm"),
    "stomach_ulcer": ("pud", "peptic ulcer disease"),
    "heart_attack_or_angina_recent": ("mi", "stemi", "nstemi", "acs"),
    "uncontrolled_hypertension": ("uncontrolled htn", "poorly controlled htn"),
    "survival_six_months": ("le > 6 months", "le >6 months", "le >6m",
                            "预计生存期>6个月", "预计生存期大于6个月", "预计生存期超过6个月", "预期生存期>6个月", "预期生存期大于6个月"),
    "breastfeeding": ("bf", "bfing", "breast-feeding"),
    "willing_to_consent": ("happy to consent", "keen to consent", "pt keen", "patient keen", "will consent", "agrees to trial",
                           "keen for trial", "keen on trial", "wants to participate", "pt agreeable", "patient agreeable",
                           "agreeable to trial", "agreeable to the trial", "agreeable to participate", "agreeable to consent",
                           "同意入组", "愿意入组"),
    "childbearing_potential": ("wocbp", "premenopausal", "pre-menopausal"),
    "pregnancy_test_negative": ("bhcg neg", "b-hcg neg", "beta-hcg neg", "bhcg negative", "serum hcg neg", "serum bhcg neg"),
    "other_abnormal_bleeding": ("pv bleeding", "pv bleed", "menorrhagia", "vwd", "von willebrand disease"),
    "uncontrolled_hypertension": ("htn poorly controlled", "htn uncontrolled"),
    "last_radiotherapy": ("xrt", "radiation tx", "wbrt", "sbrt", "srs", "sabr", "palliative rt", "chemort", "chemoradiation"),
    "last_chemotherapy": ("capecitabine", "cape", "abraxane", "nab-paclitaxel", "r-chop", "chop", "abvd", "etop", "oxali",
                          "5-fu", "vinorelbine", "doxorubicin", "epirubicin", "cyclophosphamide", "topotecan", "cyc", "last cyc",
                          # regimens and drugs written by their staff names ("FLOT C4", "R-mini-CHOP C3", "pacli")
                          "flot", "fec", "ecf", "ecx", "r-cvp", "beacopp", "epoch", "da-epoch", "hyper-cvad", "mini-chop",
                          "r-mini-chop", "pacli", "cytarabine", "ara-c", "bendamustine", "fludarabine", "azacitidine",
                          "decitabine", "temozolomide", "vincristine", "eribulin", "ifosfamide", "mitomycin"),
    "treatment_toxicity_unresolved": ("residual tox", "residual toxicity", "ongoing tox"),
    "mental_disorder_limits_consent": ("lacks capacity", "lacking capacity", "no capacity",
                                       "无法签知情同意", "不能签知情同意", "无法知情同意", "无民事行为能力"),
    "chemo_induced_thrombocytopenia": tuple(f"{low} {cause} {chemo}" for low in ("thrombocytopenia", "low plt", "low plts")
                                            for cause in ("d/t", "due to", "secondary to", "sec to")
                                            for chemo in ("chemo", "chemotherapy"))
                                      + tuple(f"{low} {chemo} {said}" for low in ("thrombocytopenia", "low plt", "low plts")
                                              for chemo in ("chemo", "chemotherapy") for said in ("related", "induced"))
                                      + ("chemo-related thrombocytopenia",),
}
# Shorthand that names one of the things a yes/no fact covers (read as `cues_partial`: a "yes" for the fact, a
# "no" for that thing alone), and shorthand that means no (`cues_false`)
STAFF_PARTIAL_CUES: Mapping[str, Tuple[str, ...]] = {
    "infection_serology_positive": ("hbsag", "hbs ag", "anti-hcv", "hcv ab", "tpha", "rpr", "vdrl", "treponemal"),
    "uses_contraception": ("ocp", "cocp", "iud", "ius", "mirena", "nexplanon", "implanon", "depo-provera"),
    "transplant": ("renal tx", "kidney tx", "liver tx", "allo-sct", "allo sct", "allo-hsct", "allosct", "allograft"),
    "antiplatelet_drugs": ("clopi",),  # "on clopi"
    "severe_bleeding": ("coffee ground",),  # "coffee ground vomit x1"
    "uncontrolled_organ_disease": ("转移广泛",),  # "肝转移广泛"
}
STAFF_FALSE_CUES: Mapping[str, Tuple[str, ...]] = {
    "willing_to_consent": ("pt declined", "patient declined", "declined trial", "declines trial", "not keen",
                           "拒绝入组", "拒绝参加", "不愿入组", "不同意入组"),
    "childbearing_potential": ("tah-bso", "tah bso", "tah/bso", "bso", "post-meno", "postmeno", "post meno"),
    "uncontrolled_hypertension": ("htn well controlled", "htn controlled", "controlled htn", "well controlled htn",
                                  "nil htn", "no htn", "no hx htn", "no hypertension", "nil hypertension",  # none at all
                                  "无高血压", "否认高血压", "高血压控制可", "血压控制可", "血压控制良好", "高血压控制良好"),
    "heart_failure_severe": ("无心衰", "否认心衰", "无心力衰竭"),  # no heart failure at all
    "mental_disorder_limits_consent": ("has capacity", "retains capacity", "full capacity"),
    # another cause of the low count named ("ITP not CIT"); queried ("?ITP", "疑似ITP"), it leaves the cause asked
    "chemo_induced_thrombocytopenia": ("itp", "immune thrombocytopenia", "免疫性血小板减少", "免疫性血小板减少症",
                                       "特发性血小板减少性紫癜"),
}
# Shorthand for a choice's values: "pancreatic adenoca", "ca unknown primary", "NHL"
STAFF_CHOICES: Mapping[str, Mapping[str, Tuple[str, ...]]] = {
    "cancer_type": {"solid_tumour": ("adenoca", "unknown primary", "cup", "scc", "nsclc", "hnscc", "cholangio", "cholangioca", "ovca",
                                     "npc", "nasopharyngeal ca", "nasopharyngeal carcinoma"),
                    "blood_cancer": ("nhl", "b-all", "t-all", "mcl", "mzl", "cutaneous t-cell lymphoma", "myelofibrosis")},
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
    for field, added in (("cues", STAFF_CUES), ("cues_partial", STAFF_PARTIAL_CUES), ("cues_false", STAFF_FALSE_CUES)):
        for key, cues in added.items():
            if key in extended:
                extended[key] = replace(extended[key], **{field: tuple(dict.fromkeys((*getattr(extended[key], field), *cues)))})
    for key, choices in STAFF_CHOICES.items():
        if key in extended:
            merged = {name: tuple(dict.fromkeys((*words, *choices.get(name, ())))) for name, words in extended[key].choices.items()}
            extended[key] = replace(extended[key], choices=merged)
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
    phrases = [phrase for key in keys if key in vocabulary for phrase in cue_phrases(vocabulary[key])]
    read_with = [m.span() for key in keys if key in READ_WITH for m in READ_WITH[key].finditer(text)]
    for key in keys:  # "ALT/AST nl, creat 1.2x ULN": the tests and what was said of them
        tests = vocabulary[key].times_normal if key in vocabulary else None
        for start, end in mentions(text, [cue for cues in (tests or {}).get("groups", {}).values() for cue in cues]):
            said = TIMES_NORMAL.match(text, end)
            read_with.append((start, said.end() if said else end))
    return [*found.used, *mentions(text, phrases), *read_with, *(m.span() for m in TRIAL_ID.finditer(text))]


def names_no_treatment(words: str) -> bool:
    """Whether words left unread give a time for a treatment they do not name ("dose 2 mo")."""
    return bool(UNNAMED_TREATMENT.match(words))


def facts_meant(words: str, vocabulary: Mapping[str, FactDefinition], among: Collection[str]) -> List[FactDefinition]:
    """The facts (of ``among``, askable) that words left unread may have meant: those sharing a word
    with their label."""
    said = {w.lower() for w in LABEL_WORD.findall(words)} - STOPWORDS
    return [definition for key, definition in vocabulary.items() if key in among and definition.askable
            and said & ({w.lower() for w in LABEL_WORD.findall(definition.label)} - STOPWORDS)]


# -- reading a staff message ---------------------------------------------------------------------
# A clause about someone else, in staff shorthand (no "my"): "mum had breast ca", "partner is pregnant",
# "pt's wife has T2DM", "husband (71) is her carer". Not the relative who tells ("daughter says ..."), whose
# clause is about the patient. A bracket holds with its clause ("daughter (34, pregnant) is NOK"), and so does an age
# said between commas ("husband, 72, has lung ca"). Family history
# ("FHx: father DVT, MI") holds to the end of its sentence.
OTHER_PEOPLE = (r"mother|mum|mom|father|dad|husband|wife|partner|spouse|son|daughter|brother|sister|sibling"
                r"|grandmother|grandma|grandfather|grandpa|aunt|uncle|niece|nephew|cousin|carer")
SAID_BY = r"\s+(?:says|said|reports|reported|tells|told|thinks|states|stated|informs|confirms|worried|concerned|asks|asked)\b"
OTHER_PERSON = re.compile(
    rf"(?:^|(?<=[,;.:(\n]))\s*(?:(?:pt'?s|patient'?s|her|his|their|the)\s+)?(?:{OTHER_PEOPLE})\b(?!{SAID_BY})"
    r"(?:\s*,\s*\d{1,3}\s*(?:y/?o|yrs?|years?(?:\s+old)?)?\s*,)?(?:[^,;.\n(]|\([^)]*\))*",
    re.IGNORECASE)
# A finding a relative tells of, against the patient's own denial ("pt denies bleeding but daughter says she bruises
# easily"): the note holds both, and which stands is to confirm
REPORTED = re.compile(rf"\b(?:{OTHER_PEOPLE})(?:\s*\([^)]*\))?{SAID_BY}(?P<what>[^.;\n]*)", re.IGNORECASE)
PATIENT_DENIES = re.compile(r"\b(?:denies|denied|denying)\s+(?P<what>[^,;.\n]*)", re.IGNORECASE)
# A relative's word and the bracket or age said with it, wherever it stands: "pt and husband (T2DM) attended"
RELATIVE_WORD = re.compile(rf"\b(?:{OTHER_PEOPLE})\b(?:\s*\([^)]*\))?", re.IGNORECASE)
# "pt's husband: 66M, HTN poorly controlled.": a relative as a heading holds, as family history, to the sentence's end
RELATIVE_HEADING = re.compile(rf"\b(?:(?:pt'?s|patient'?s|her|his|their|the)\s+)?(?:{OTHER_PEOPLE})\s*:[^.;\n]*", re.IGNORECASE)
FAMILY_HISTORY = re.compile(r"\b(?:fhx|fh|family\s+(?:hx|history)|fam\s+hx)\b[^.;\n]*", re.IGNORECASE)
# The same in a Chinese ward note, where the items stand apart: a kinship word opening an item is the patient's
# relative ("母亲糖尿病 患者本人无", "父亲冠心病", "姐姐乳腺癌"), up to the item's end; a relative who tells
# ("女儿诉患者易出血") speaks of the patient. Family history (家族史) holds to its sentence's end.
ZH_RELATIVE_ITEM = re.compile(
    rf"(?:^|(?<=[\s{PUNCTUATION}]))(?:(?:患者|病人)的?)?(?!患者|病人)(?:{RELATIVE_WORDS})"
    rf"(?![^\s{PUNCTUATION}]{{0,6}}?(?:说|诉|述|反映|代诉|告知|诉说))[^\s{PUNCTUATION}]*"
    rf"|家族史[^。；;\n]*")
# A finding queried rather than found: "?AF on ECG", "plt ?18 (clumped)", "query sepsis", "suspected PE", "plt possibly
# 20", "maybe Oct". Up to the
# end of its clause; read without it, and what it would have said is asked back: an unsure finding is no yes.
QUERIED = re.compile(r"(?:(?<![\w?])\?+\s*|\b(?:query|qry|possible|possibly|poss|maybe|perhaps|suspected|susp|probable|probably|presumed"
                     r"|likely|r/o)\s+)"
                     r"(?P<what>[^,;.\n()?]+)", re.IGNORECASE)
# The same in a Chinese ward note, within its item: "怀疑房颤", "疑似肺栓塞", "房颤待排", "?房颤"
# (考虑 / 倾向 / 拟诊: the working impression, "考虑化疗相关血小板减少"); a result still to come: "肾功待回报", "CMV-DNA未回"
ZH_QUERIED = re.compile(rf"(?:怀疑|疑似|可疑|不除外|待排(?:除)?|考虑(?:为|是)?|倾向(?:于)?|拟诊)(?P<what>[^\s{PUNCTUATION}()]+)"
                        rf"|(?P<before>[^\s{PUNCTUATION}()]+?)(?:待排(?:除)?|待查|待回报?|待复查|未回|结果未出|送检中"
                        rf"|可能(?=[\s{PUNCTUATION}]|$))")
# A hedge said after the finding, closing its clause: "CIT likely", "PE suspected", "sepsis possible"
HEDGED_AFTER = re.compile(r"(?:^|(?<=[,;.:(\n]))\s*(?P<what>[^,;.\n?()]*?[^\s,;.\n?()])\s+"
                          r"(?P<hedge>likely|probable|possible|suspected|queried|presumed|unconfirmed)(?=\s*(?:[,;.)\n]|$))",
                          re.IGNORECASE)
# The same query written after the finding, as a short clause ending in "?": "last chemo ~2 mo ago?", "plt 19
# (clumped?)". Not a question put to the bot ("eligible?", "any trials for 70M AML?"): those start with a question
# word, or run longer than a finding.
QUESTION_START = r"(?:is|are|can|could|would|should|does|do|did|any|anything|what|which|who|how|when|where|why|eligible|ok)\b"
# (Words are split at blanks that must be there: "(?:[^\s]+[ \t]*){1,5}" would try every way of cutting one long
# word into five, which on "aaaa…" of 200 letters takes minutes.)
QUERIED_AFTER = re.compile(rf"(?:^|(?<=[,;.:\n]))\s*(?!{QUESTION_START})(?P<what>(?:[^\s,;.?]+[ \t]+){{0,4}}[^\s,;.?]+[ \t]*)\?+"
                           r"(?=\s*(?:[,;.)\n]|$))", re.IGNORECASE)
# A result still to come, or never taken: "HBsAg awaiting", "plt TBC", "doppler pending", "HDV not tested": its clause
# states nothing (a test not done is no mention of its finding)
PENDING = re.compile(r"(?:\b[A-Za-z][\w&/+-]*[ \t]+){0,2}\b(?:awaiting|awaited|pending|tbc|to\s+follow|outstanding|requested|not\s+back"
                     r"|not\s+(?:yet\s+)?(?:tested|done|sent|checked))\b"
                     r"(?:[ \t]+[A-Za-z][\w&/+-]*\b){0,2}", re.IGNORECASE)
# A day of a cycle ("d+21 post FOLFOX", "C2D1"): the time since the cycle began, not since the last dose (regimens
# give doses on days 8 and 15 too): the date of the last dose is asked back. Its "post" goes with it, or it would be
# left over as a word not read.
# In a Chinese ward note: "化疗后第14天", "第3周期第8天", "C3D8"
CYCLE_DAY = re.compile(r"(?<!\w)(?P<day>d\s*\+\s*\d{1,3}|c\d{1,2}\s*d\d{1,2})\b(?:\s+(?:post|after|of|from)\b)?"
                       r"|(?:化疗(?:后)?|第\s*\d{1,2}\s*(?:周期|疗程))\s*第\s*\d{1,3}\s*天", re.IGNORECASE)
ZH_CHEMO = re.compile(r"化疗")
# Held for now, or still to come: "chemo on hold for 4/52", "chemo due tmrw" (never "due to")
HELD = r"held|on\s+hold|deferred|delayed|postponed|due(?!\s+to\b)"
# A cycle under way with no regimen named among the cues: "C3D1 delayed", "C2 held for plts", "FLOT C4", "on maintenance"
CYCLE_UNDER_WAY = re.compile(rf"\bc\d{{1,2}}\s*d\d{{1,2}}\b|\bc\d{{1,2}}\s+(?:{HELD}|given|omitted)\b"
                             r"|(?-i:\b[A-Z][A-Z-]{2,}|\b[a-z]+/[a-z]+)\s+(?i:c\d{1,2})\b|\bon\s+maint(?:enance)?\b", re.IGNORECASE)
# Still on chemotherapy: "on docetaxel", "C4D15 FOLFIRI", "ABVD C2", "cycle 3 gem", "chemo ongoing": no date of a last dose
ONGOING = re.compile(r"\b(?:(?:still|currently|now)\s+(?:on|having|receiving|getting)|on|ongoing|on-going|mid-cycle|mid\s+cycle"
                     r"|c\d{1,2}(?:\s*d\d{1,2})?|cycle\s+\d{1,2}(?!\s*(?:x|times)\b)(?:\s+of)?)\b", re.IGNORECASE)
# A platelet count beside a transfusion: labelled before or after one ("pre-tx plt 9", "plt 12 (pre-transfusion)",
# "plt 45 post 2 units"), or said after a transfusion the note mentions first ("plt tx yesterday, am plt 34"): which count stands
# is asked back. A count followed by the transfusion it led to ("plt 9, transfused 1 unit this am") is the count. A
# "post count" or "increment" is the count after one ("plt 7, 1 ATD given, post count 23"); an adult dose (ATD) or a
# pool given by number is a platelet transfusion.
TRANSFUSION_LABEL = re.compile(r"\b(?:pre|post|before|after)[\s-]*(?:(?:the|a|an|\d|one|two|three)\s+)?(?:plts?\s+|platelets?\s+)?"
                               r"(?:tx|transf\w*|units?|pools?|bags?|atds?)\b|\bpost[\s-]*(?:tx[\s-]*)?(?:count|increment)\b|\bincrement\b",
                               re.IGNORECASE)
TRANSFUSION = re.compile(r"\btransfus\w*|\b(?:plts?|platelets?)\s+tx(?:'?d)?\b|\b(?:pools?|units?|bags?|atds?)\s+(?:of\s+)?(?:plts?|platelets?)\b"
                         r"|\b(?:\d|one|two|three|an?)\s+(?:atds?|pools?|adult\s+(?:therapeutic\s+)?doses?)\b|\bpooled\s+(?:plts?|platelets?)\b",
                         re.IGNORECASE)
# A second value of a measurement after a comma, with its own time: "QTc 430 yesterday, 470 today", "Plt: 22 (27/11),
# 18 (30/11)". Which one counts is asked back, unless the first is said to be today's and the other is not.
SECOND_VALUE = re.compile(r"[^,;\n]*?[,;]\s+(?P<value>[1-9]\d*(?:\.\d+)?)\s*(?:k\b|ms\b|x\s*10\S*)?\s*"
                          r"(?P<when>\(\s*\d|\b(?:on|at|yesterday|today|tonight|this|last|prev\w*|now|am|pm|earlier|before|after)\b)",
                          re.IGNORECASE)
# The same in a Chinese ward note: "输血小板后3.5万", "输注血小板1个治疗量", "血小板输注前"
ZH_TRANSFUSION_LABEL = re.compile(r"(?:输(?:注)?(?:了)?血小板|血小板输注|输血)(?:前|后|之前|之后|以后)")
ZH_TRANSFUSION = re.compile(r"输(?:注)?(?:了)?(?:[\d一二两三]+\s*个?(?:治疗量|单位|袋|U))?血小板|血小板输注|输(?:了)?(?:[\d一二两三]+\s*个?)?治疗量")
# Two values set against each other: "plt 17 vs 24 on repeat", "QTc 450 or 470": which counts is asked
VERSUS_VALUE = re.compile(r"\s*[:=]?\s*(?P<first>\d+(?:\.\d+)?)\s*(?:k\b|x\s*10\S*|ms\b)?\s*(?:vs\.?|versus|or|cf\.?)\s*(?P<value>\d+(?:\.\d+)?)\b",
                          re.IGNORECASE)
CURRENT = re.compile(r"\b(?:today|now|this\s+(?:am|morning)|current|latest)\b", re.IGNORECASE)
# The same in a Chinese ward note, where the next item gives the later value: "上周PLT 45 今天19"
ZH_CURRENT = re.compile(r"今天|今日|现在|目前|最新|复查")
ZH_SECOND_VALUE = re.compile(rf"[^{PUNCTUATION}\n]*?(?:[{PUNCTUATION}]|\s)\s*(?P<when>今天|今日|现在|目前|最新|复查|昨天|昨日)"
                             r"\s*[:：]?\s*(?P<value>[1-9]\d*(?:\.\d+)?)(?![\d.])")
# A value said with the word for now right before or after it: "now 22", "22k today"
CURRENT_VALUE = re.compile(rf"(?:{CURRENT.pattern}\s*[:=]?\s*(?P<value>\d+(?:\.\d+)?)(?![\d./])"
                           rf"|(?P<value_before>\d+(?:\.\d+)?)\s*(?:k\b|x\s*10\S*|ms\b)?\s*{CURRENT.pattern})", re.IGNORECASE)
# One result for a list of tests joined by slashes: "HIV/HBV/HCV/HDV/syphilis neg", "EBV/CMV all neg". The extractor
# sees a negation only a few words back, so the first tests would read as mentioned, a "yes"; the list is read as
# each test with the result ("HIV neg, HBV neg, ...").
SLASH_RESULT = re.compile(r"(?P<items>[A-Za-z][\w-]*(?:[ \t]*/[ \t]*[A-Za-z][\w-]*)+)[ \t]*[:=]?[ \t]*(?:(?:all|both)[ \t]+)?"
                          r"(?P<result>neg(?:ative)?|-ve|not[ \t]+detected|pos(?:itive)?|\+ve)\b", re.IGNORECASE)
# A lone minus after a test at the end of its clause ("HIV -"): a negative result, which the extractor would read as
# the test named, a "yes". Left unread: one test's "no" settles nothing of a fact that covers several
LONE_MINUS = re.compile(r"\b[A-Za-z][\w-]*[ \t]*[-−](?=[ \t]*(?:[,;.)\n]|$))")
# A treatment planned, due or put off: "cycle 3 due today, deferred", "chemo delayed 1/52", "chemo held since plt drop
# 2/52 ago": its time is no date of a dose given, and a date read from it is asked back
PLANNED = re.compile(r"[^,;.\n]*\b(?:due|deferred|delayed|postponed|planned|booked|next|held|on\s+hold)\b[^,;.\n]*", re.IGNORECASE)
# The cause of a finding queried ("PV bleeding ?cause", "thrombocytopenia, cause unclear", "出血原因待查"): for the facts
# that are about a cause, the finding is asked back
CAUSE_QUERIED = re.compile(r"\?\s*(?:cause|a?etiology|source)\b|\b(?:cause|a?etiology)\s+(?:unclear|unknown|uncertain|tbc|\?)|\bunexplained\b"
                           r"|原因(?:不明|待查|未明|不清)", re.IGNORECASE)
ABOUT_A_CAUSE = ("other_abnormal_bleeding", "chemo_induced_thrombocytopenia")
# A blood pressure high despite treatment: "BP 185/110 despite 3 agents" (140/90 or over)
# Hypertension named beside a pressure reading under 140/90: controlled ("HTN, BP 128/76 on ramipril")
HYPERTENSION = re.compile(r"\b(?:htn|hypertension|hypertensive)\b", re.IGNORECASE)
BP_DESPITE = re.compile(r"\bBP\s*(?P<high>\d{2,3})\s*/\s*(?P<low>\d{2,3})\b[^,;.\n]{0,20}?\bdespite\b", re.IGNORECASE)
# A graded side effect still there: "G3 mucositis ongoing", "grade 2 neuropathy persisting"
TOXICITY_ONGOING = re.compile(r"\b(?:g|grade)\s*[1-4]\s+[a-z][\w-]*(?:\s+[a-z][\w-]*)?\s+(?:ongoing|on-going|persisting|persistent|unresolved)\b",
                              re.IGNORECASE)
# A side effect with its CTCAE grade, either order, English or Chinese: "CTCAE G1 fatigue", "mucositis G2 ongoing",
# "口腔溃疡II度 未缓解". Grade 2 or more still there is a yes; grade 1 is for the team (the criterion says "not gone"); said
# resolved in its own clause, a no
TOXICITY_WORD = (r"(?:fatigue|mucositis|stomatitis|neuropathy|nausea|vomiting|diarrh(?:o)?ea|rash|hand[\s-]foot(?:\s+syndrome)?|ppe"
                 r"|anorexia|口腔溃疡|口腔黏膜炎|黏膜炎|神经毒性|周围神经病变|手足综合征|乏力|恶心|呕吐|腹泻|皮疹)")
GRADE = r"(?:(?:ctcae\s*)?(?:g|grade)\s*(?P<{0}>[1-4])\b|(?P<{0}_zh>[1-4]|I{{1,3}}|IV|Ⅰ|Ⅱ|Ⅲ|Ⅳ)\s*(?:级|度))"
GRADED_TOXICITY = re.compile(rf"(?:{GRADE.format('g1')}\s*{TOXICITY_WORD}|{TOXICITY_WORD}\s*{GRADE.format('g2')})(?P<rest>[^,;.\n]{{0,16}})",
                             re.IGNORECASE)
ROMAN_GRADE = {"I": 1, "II": 2, "III": 3, "IV": 4, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4}
TOXICITY_GONE = re.compile(r"\b(?:resolved|settled|gone|recovered)\b|已(?:缓解|恢复|消失|好)|缓解了|消失了", re.IGNORECASE)
# Hypertension with a word of its control in a Chinese ward note, within the next item: "高血压3级 药物控制可"
ZH_HYPERTENSION_CONTROL = re.compile(r"高血压(?:病)?[^。；;,，\n]{0,12}?(?:血压)?控制(?P<how>可|良好|尚可|稳定|满意|达标|好|差|不佳|不好|欠佳|不理想)")
ZH_POORLY = ("差", "不佳", "不好", "欠佳", "不理想")
# A count said to be the lowest or highest ("血小板最低1.2万", "plt nadir 8") beside the one now ("现2.5万", "now 22")
NADIR = re.compile(r"最低|最高|nadir|lowest|peak", re.IGNORECASE)
NOW_VALUE = re.compile(r"(?:(?<![a-z])now|currently|today|现在?|目前|今天|今日|复查)\s*[:：=]?\s*(?P<value>\d+(?:\.\d+)?\s*(?:万|k\b|x\s*10\S*)?)",
                       re.IGNORECASE)
# Findings whose bearing on a fact is for the study team, asked back rather than read: a positive hepatitis B core
# antibody (a past infection, and no "hep B" positive by itself: "Hep B core Ab +ve"), rectal bleeding of an amount not
# said ("small PR bleed"), a high blood pressure with no word of its control ("HTN on 3 agents, BP 160/95 today")
HBV_CORE = re.compile(r"\b(?:anti[\s-]*hbc|hbc[\s-]*(?:ab|antibod\w*)|(?:hep(?:atitis)?[\s-]*b|hbv)[\s-]+core(?:[\s-]*(?:ab|antibod\w*))?"
                      r"|core[\s-]*(?:ab|antibod\w*))(?:[\s-]*(?:igg|total))?[ \t:=]*"
                      r"(?P<result>non[\s-]*reactive|not\s+detected|neg\w*|-ve|pos\w*|\+ve|\+|reactive|detected)?", re.IGNORECASE)
NEGATIVE_RESULT = re.compile(r"non|not|neg|-", re.IGNORECASE)
RECTAL_BLEEDING = re.compile(r"\b(?:pr|rectal)\s+(?:bleed\w*|blood)\b|\bblood\s+pr\b|\bha?ematochezia\b", re.IGNORECASE)
BLOOD_PRESSURE = re.compile(r"\bBP\s*(?P<high>\d{2,3})\s*/\s*(?P<low>\d{2,3})\b", re.IGNORECASE)
# A word before "ca" / "cancer" / "carcinoma" that is a slip of a cancer's site: "gasrtic ca", "bresat ca"
SITE_BEFORE_CANCER = re.compile(r"\b(?P<word>[a-z]{5,})(?=[ \t]+(?:ca|cancer|carcinoma|adenoca)\b)", re.IGNORECASE)
SITE_SLIP = 0.8  # how alike (difflib's ratio) a word and a site must be: a letter swapped or missed in seven
# An autoimmune disease named in its clinical shorthand, and what its clause says of it now: flaring or active ("RA,
# flaring, on pred"), quiet in the words clinicians use ("SLE quiescent on HCQ", "Crohn's in remission"), or neither
# ("RA on MTX": whether it is active is for the team)
AUTOIMMUNE = re.compile(r"(?-i:\b(?:SLE|RA|IBD|UC)\b)|\b(?:lupus|rheumatoid\s+arthritis|crohn'?s|ulcerative\s+colitis|psoriatic\s+arthritis"
                        r"|hashimoto'?s|graves'?|sj[oö]gren'?s|vasculitis|myasthenia|ankylosing\s+spondylitis|autoimmune\s+hepatitis)(?!\w)",
                        re.IGNORECASE)
AUTOIMMUNE_ACTIVE = re.compile(r"\b(?:flar\w*|active|relaps\w*|uncontrolled)\b", re.IGNORECASE)
AUTOIMMUNE_QUIET = re.compile(r"\b(?:quiescent|inactive|in\s+remission|burnt[\s-]out)\b", re.IGNORECASE)
# "no chemo since Aug": the last one was in August, not never
NONE_SINCE = re.compile(r"\b(?:no|nil|none)\s+(?=(?:further\s+|more\s+)?(?:chemo\w*|rt|xrt|radiotherapy|cycles?|treatment|tx)\s+since\b)",
                        re.IGNORECASE)
# "no active bleeding", "nil active bleed", "nil bleeding", "no bleeds": no serious bleeding now (an active bleed alone
# is not said to be serious); not "no bleeding hx", which is about the past
NO_ACTIVE_BLEEDING = re.compile(r"\b(?:no|nil|denies|without)\s+(?:active\s+|any\s+)?bleed(?:ing|s)?\b"
                                r"(?!\s*(?:hx|history|tendency|sx|signs|symptoms|since|after|post|from|with|on)\b)", re.IGNORECASE)
# "chemo naive", "RT-naive": never had it; rewritten in place as "no chemo", same length
NAIVE = re.compile(r"\b(chemo(?:therapy)?|rt|radiotherapy)[\s-]*na[iï]ve\b", re.IGNORECASE)
# Repeated rhTPO or IL-11 that did not work, in the words between: "IL-11 given twice, plt didn't budge", "rhTPO x4
# ineffective", "rhTPO + IL-11 both failed", "IL-11 x3 courses, minimal response", "rhTPO x2 NR" (no response),
# "rhtpo x2 no respnse"; two boosters named together are repeated treatment ("IL11 + rhTPO tried, poor response");
# never "rhTPO x2, no bleeding"
BOOSTER = r"(?:rh-?tpo|tpo(?![\s-]*(?:ra|receptor|mimetic))|il-?11|tpiao)"  # a TPO receptor agonist is neither
REPEATED = (r"(?:\bx\s*[2-9]\b|\b[2-9]\s*x\b|\btwice\b|\bboth\b|\b[2-9]\s+(?:courses|cycles|doses)"
            r"|\bx\s*(?:[2-9]|1\d)\s*(?:d|days?)\b|\b(?:[2-9]|1\d)\s*(?:d|days)\b)")  # daily for days: "IL-11 x5d", "rhTPO 14d"
REPEATED_BOOSTER = (rf"\b(?:{BOOSTER}\s*(?:\+|&|and|/)\s*{BOOSTER}\b(?:[^;.\n]{{0,24}}?{REPEATED})?"
                    rf"|{BOOSTER}\b[^;.\n]{{0,24}}?{REPEATED})")
BOOSTERS_FAILED = re.compile(
    REPEATED_BOOSTER + r"[^;.\n]{0,40}?\b(?:no\s+(?:resp\w*|rise|improvement|effect|change|benefit)|nr"
    r"|(?:minimal|poor|inadequate|suboptimal)\s+resp\w*|ineffective|inadequate|failed|refractory"
    r"|did\s*n'?t\s+(?:budge|respond|work|help)|not\s+respond\w*|no\s+better|unchanged|static|no\s+increment|not\s+rising)\b",
    re.IGNORECASE)
# The same in a Chinese ward note, the outcome said of the platelets in the next item: "IL-11用了两个疗程 血小板没升"
ZH_BOOSTER = r"(?:特比澳|重组人血小板生成素|rh-?tpo|tpo|il-?11|白介素-?11|升板针|升血小板针|巨和粒)"
ZH_REPEATED = r"(?:[两二三四五六七八九十\d]+\s*个?(?:疗程|次|针|天|周)|多次|反复|几次|好几)"
BOOSTERS_FAILED_ZH = re.compile(
    ZH_BOOSTER + r"[^。；;\n]{0,10}?" + ZH_REPEATED + r"[^。；;\n]{0,20}?"
    r"(?:无效|没用|没效果|效果不(?:好|佳|明显)|不管用|(?:没|未|不)(?:有)?(?:明显)?(?:升|涨|上来|回升|改善|提升)|仍(?:然)?(?:很)?低)",
    re.IGNORECASE)
# A booster that raised the count: "had rhTPO twice, good response", "IL-11 x2, plt recovered": not failed
BOOSTERS_HELPED = re.compile(
    rf"\b{BOOSTER}\b[^;.\n]{{0,30}}?\b(?:(?:good|adequate|excellent|brisk|full)\s+(?:resp\w*|rise|effect)|responded"
    r"|(?:plts?|platelets?|count)\s+(?:rose|recovered|came\s+(?:back\s+)?up|improved|normali[sz]ed))\b", re.IGNORECASE)
# The same in a Chinese ward note: "特比澳后PLT升至6万", "IL-11有效"; not "没升上来", "效果不好"
BOOSTERS_HELPED_ZH = re.compile(ZH_BOOSTER + r"[^。；;\n]{0,12}?(?:(?<![没未不无])有效|效果(?:好|明显|不错)|(?<![没未不])(?:升至|升到|回升|升上来|恢复))",
                                re.IGNORECASE)
# Repeated boosters whose effect is queried or awaited ("rhTPO x2, response ?"): asked back
BOOSTER_EFFECT_OPEN = re.compile(
    REPEATED_BOOSTER + r"[^;.\n]{0,24}?(?:\bresp\w*\s*\?|\?\s*resp\w*|\bresp\w*\s+(?:unclear|unknown|tbc|awaited|pending|equivocal|uncertain)\b)",
    re.IGNORECASE)
NO_BOOSTERS = re.compile(rf"\b(?:no|nil|never\s+had|not\s+(?:yet\s+)?had|(?:has|have)\s*n[o']?t\s+(?:yet\s+)?had)\s+(?:prior\s+|previous\s+)?{BOOSTER}(?:\s*(?:/|or|,)\s*{BOOSTER})?\b", re.IGNORECASE)
# ALL (acute lymphoblastic leukaemia) only in capitals, beside no other capitalised shouting
ALL_LEUKAEMIA = re.compile(r"(?<![\w-])(?:[BT]-|Ph\+\s*)?ALL(?=\s*(?:[,;.)]|$)|\s+(?:in|on|post|with|relapse\w*|induction|consolidation"
                           r"|maintenance|dx|diagnosed|CR\d?|MRD)\b)")
# Words only said of a woman's body
FEMALE_BODY = re.compile(r"\b(?:menorrhagia|pv\s+bleed\w*|post[\s-]?meno(?:pausal)?\b|pre-?menopausal|menopaus\w*|tah[\s/-]*bso|hysterectomy"
                         r"|oophorectomy|wocbp|lmp)\b", re.IGNORECASE)
# "LFTs & U&Es WNL": a list of tests joined by "&" or "and", read as the extractor reads "ALT/AST nl"
TESTS_JOINED = re.compile(r"(?<=\w)(\s+)(?:&|and)(?=\s+(?:u\s*&\s*es?|lfts?|creat\w*|renal|alt|ast|bili\w*|liver|kidney)\b)", re.IGNORECASE)
# A result written as a sign in brackets: "HBsAg(-)", "HIV (+)"; rewritten in place as "neg" / "pos", same length
SIGN_RESULT = re.compile(r"\(\s?([-−+])\s?\)")
# UK clinical fractions of time: "5/7 ago" (five days), "2/12 ago" (two months), "3/52 ago" (three weeks); rewritten
# in place, same length. Weeks also without "ago" ("last folfox 3/52", "3/52 post C2"): no date has a 52nd month or
# day, so n/52 is always weeks; "3/12" and "5/7" alone are dates (3 December, 5 July) and stay for the date reader.
PER_TIME = re.compile(r"(?<![\d/])(\d{1,2})/(?:(7|12)(?=\s*ago\b)|(52))(?![\d/])", re.IGNORECASE)
PER_TIME_UNIT = {"7": " d", "12": " mo", "52": " wk"}
# A test's value with its upper limit beside it: "ALT 250 (ULN 40)", "creat 160 umol/L (ULN 110)"; rewritten in place
# as the times-ULN the extractor reads ("ALT 6.25x ULN"), when it fits
VALUE_WITH_ULN = re.compile(r"(?<![\d.])(?P<value>\d+(?:\.\d+)?)\s*(?:[a-zµ/]+\s*)?\(\s*(?:uln|upper\s+limit(?:\s+of\s+normal)?)"
                            r"\s*[:=]?\s*(?P<uln>\d+(?:\.\d+)?)\s*(?:[a-zµ/]+\s*)?\)", re.IGNORECASE)
# "thrombocytopenia 2/2 chemo": "2/2" is "secondary to", never the 2 February; rewritten in place as "d/t"
SECONDARY_TO = re.compile(r"(?<![\d/])2/2(?![\d/])(?=\s+[a-z])", re.IGNORECASE)
# Age and sex in the orders staff write besides "62F": "M 70", "F, 52", "M64", "M/66", "Mr T 68", "Mrs K, 55"
SEX_AGE = re.compile(r"(?<![\w/+.-])(?P<sex>M|F|Male|Female|male|female)\s*[,:/]?\s*(?P<age>\d{2,3})(?![\w%/]|[.,]\d|\s*(?:k|x|kg|cm|mg|ms|/)\b)")
TITLE = re.compile(r"(?<![\w-])(?P<title>Mr|Mrs|Ms|Miss)\.?(?=\s)(?:\s+[A-Z][A-Za-z'-]*\.?)?\s*,?\s*"
                   r"(?:(?P<age>\d{2,3})(?![\w%/]|[.,]\d|\s*(?:k|x|kg|cm|mg|ms|/)\b))?")
LONE_SEX = re.compile(r"(?:^|(?<=[,;(])|(?<=\bpt)|(?<=\bPt))\s*(?P<sex>M|F)(?=\s*(?:[,;.)]|$))")
SEX_WORDS = {"male": ("gentleman", "gent", "himself"), "female": ("herself",)}
# An age with its unit glued on or alone, at the head of a clause: "66yo gent", "pt 66yo", "66 yrs, AML"; never
# "2 yrs ago", "DM for 10 yrs"
AGE_WITH_UNIT = re.compile(r"(?:^|(?<=[,;:(\n])|\b(?:pt|patient|a|an)\b)\s*(?P<age>\d{2,3})\s*(?:yo|y/o|y\.o\.?|yrs?|years?)"
                           r"(?:[ \t]+old)?\b(?![ \t]*(?:ago|since|hx|history)\b)", re.IGNORECASE)
APPROX_AGE = re.compile(r"\b(?:pt|patient|age|aged)\s*(?:≈|~|approx\.?|about|around|circa|c\.)\s*\d{2,3}\b(?!\s*(?:k|x|kg|%))",
                        re.IGNORECASE)
# Facts that only a woman has: said of the patient, they say her sex
FEMALE_ONLY = ("pregnant", "childbearing_potential", "breastfeeding")
# A note about the patient that opens a clause with a pronoun ("she's 62", "he is 77 w MDS", "his plt 25 today"): its
# sex, when every pronoun of the note agrees and it names no one else it could mean (a relative, a doctor)
PRONOUN = re.compile(r"\b(?P<pronoun>she|her|hers|herself|he|him|his|himself)\b", re.IGNORECASE)
PRONOUN_SEX = {"she": "female", "her": "female", "hers": "female", "herself": "female",
               "he": "male", "him": "male", "his": "male", "himself": "male"}
PRONOUN_AT_CLAUSE_START = re.compile(r"(?:^|(?<=[,;.:(\n]))\s*(?:she|he|her|his)(?:['’]s)?\b", re.IGNORECASE)
CLINICIAN = re.compile(r"\b(?:dr|doctor|cons|consultant|onc|oncologist|haem|ha?ematologist|reg|registrar|gp|nurse|sister|surgeon"
                       r"|cardio\w*|team|colleague|fellow|pharmacist|physio)\b", re.IGNORECASE)
# A year before this one beside a condition that counts only now ("hx PUD 2005"): whether it is still there is asked
# ... or a time ago, once PER_TIME has written "3/12 ago" as "3 mo ago": past a month, no longer "now"
TIME_AGO = re.compile(r"\b(?P<n>\d{1,3})\s*(?P<unit>d|days?|w|wks?|weeks?|mo|mos|months?|y|yrs?|years?)\s+ago\b", re.IGNORECASE)
AGO_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
NOT_NOW_DAYS = 31
ONSET = re.compile(r"\b(?:dx|diagnosed|since|started|on)\b", re.IGNORECASE)  # "AF dx 2 yrs ago on bisoprolol": when it began
EARLIER_YEAR = re.compile(r"(?<!\bsince )(?<!\bfrom )(?<![\d/])(?:19|20)\d\d(?![\d/])", re.IGNORECASE)  # not "on ASA since 2019"


# The parts of a yes/no fact that covers several things: when the note denies every part (each one's own "no"), the
# fact is denied; one part denied alone leaves the fact open ("EBV PCR neg": the CMV is still to know; "no VTE": the
# arteries are). Arterial disease is no cue of the shared vocabulary (a "CAD" is no clot), so its denial is read here.
PARTS: Mapping[str, Tuple[Tuple[str, ...], ...]] = {
    "ebv_cmv_dna_positive": (("ebv", "epstein-barr", "epstein barr", "eb病毒"), ("cmv", "cytomegalovirus", "巨细胞病毒")),
    "thrombotic_disease": (("vte", "dvt", "pe", "clot", "clots", "blood clot", "blood clots", "thrombosis", "深静脉血栓", "静脉血栓",
                            "血栓"),
                           ("atherosclerosis", "hardened arteries", "pad", "pvd", "cad", "arterial disease", "动脉粥样硬化", "动脉硬化")),
}
ARTERIAL = re.compile(r"\b(?:pad|pvd|cad|arterial\s+disease|atherosclerosis|atheroma)\b", re.IGNORECASE)
# A viral load ("HBV DNA neg", "HBV-DNA低于检测下限", "HCV RNA undetectable"), read apart from the serology: an undetectable
# load takes nothing from a positive antigen ("HBsAg+ HBV DNA neg"), a detected one is a positive test
VIRAL_LOAD = re.compile(r"(?<![a-z])(?:hbv|hcv|hiv|hdv)\s*[-－]?\s*(?:dna|rna|vl|viral\s+load|pcr)(?![a-z])(?:\s*(?:定量|载量))?[ \t:=：]*"
                        r"(?P<result>neg\w*|-ve|undetect\w*|not\s+detected|(?:低于|<\s*)(?:检测)?下限|未检出|阴性"
                        r"|pos\w*|\+ve|detected|阳性|[<>]?\s*\d[\d.,]*(?:\s*[×x*]\s*10\^?\d+)?\s*(?:iu|copies|拷贝)\S*)?",
                        re.IGNORECASE)
VIRAL_LOAD_NEGATIVE = re.compile(r"neg|-ve|undetect|not|低于|<|未检出|阴性", re.IGNORECASE)


# A result still to come, by its own word (not a test never done, which states nothing): its test is asked back
TO_COME = re.compile(r"\b(?:awaiting|awaited|pending|tbc|to\s+follow|outstanding|requested|not\s+back)\b|待回|待查|待复查|未回|结果未出|送检",
                     re.IGNORECASE)
# A lab test of the liver or kidneys said with a result that is not against its upper limit: a bare value ("Cr 180",
# "肌酐280", "eGFR 32"), raised by an amount not said ("肌酐偏高", "肝功能轻度异常", "LFTs mildly deranged", "肾功能不全"):
# for the study team; a test not done ("肝肾功能未查"): not known when no group was read
LAB_OPEN = re.compile(r"[ \t:=：]*(?:(?:slightly|mildly|a\s+bit|marginally|minimally)\s+)?(?:raised|high|elevated|up|deranged|abnormal"
                      r"|borderline|impaired|impairment)\b|[ \t:=：]*(?:偏高|稍高|略高|轻度|升高|增高|异常|不全|受损)"
                      r"|[ \t:=：]*\d+(?:\.\d+)?(?!\s*(?:[x×*倍.\d]|times|%))", re.IGNORECASE)
LAB_UNTESTED = re.compile(r"[ \t:=：]*(?:未查|没查|未做|未检|未测|not\s+(?:yet\s+)?(?:done|checked|tested|sent))", re.IGNORECASE)


def _blank(text: str, spans: Collection[Tuple[int, int]]) -> str:
    """The text with the spans replaced by spaces (offsets kept, so what is read still points into the message)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _times_uln(m: re.Match) -> str:
    """"250 (ULN 40)" as "6.25x ULN", padded to the same length; left as written when the limit is 0 or it does not fit."""
    uln = float(m.group("uln"))
    said = f"{float(m.group('value')) / uln:.2f}".rstrip("0").rstrip(".") + "x ULN" if uln else ""
    return said.ljust(len(m.group())) if said and len(said) <= len(m.group()) else m.group()


def _respelled_sites(text: str, vocabulary: Vocabulary) -> str:
    """The text with a misspelt cancer site written right where it stands before "ca" or "cancer" ("gasrtic ca" ->
    "gastric ca"), padded to keep the offsets; only a slip into a site no longer than the word is mended."""
    sites = [site for sites in vocabulary["cancer_type"].sites.values() for site in sites if " " not in site] \
        if "cancer_type" in vocabulary else []

    def mended(m: re.Match) -> str:
        word = m.group("word")
        if word.lower() in sites:
            return word
        close = difflib.get_close_matches(word.lower(), [site for site in sites if len(site) <= len(word)], n=1, cutoff=SITE_SLIP)
        return close[0].ljust(len(word)) if close else word
    return SITE_BEFORE_CANCER.sub(mended, text) if sites else text


def others(text: str) -> List[Tuple[int, int]]:
    """Where the message speaks of someone other than the patient ("mum had breast ca", "FHx: father DVT"), and
    every other relative's word ("lives with wife", "wife says he bruises"): a relative is no word of the patient's
    sex, unless told of ("daughter says mum is 77": the mum is the patient)."""
    words = [m.span() for m in RELATIVE_WORD.finditer(text)
             if not re.search(SAID_BY + r"\s+(?:that\s+)?(?:(?:her|his|their|the)\s+)?$", text[:m.start()], re.IGNORECASE)]
    return sorted([*(m.span() for pattern in (FAMILY_HISTORY, RELATIVE_HEADING, ZH_RELATIVE_ITEM) for m in pattern.finditer(text)), *words,
                   *((m.start() + len(m.group()) - len(m.group().lstrip()), m.end()) for m in OTHER_PERSON.finditer(text))])


def queried(text: str) -> List[Tuple[int, int]]:
    """Where the message queries a finding rather than states it ("?AF", "query sepsis"), or waits for it
    ("HBsAg awaiting"); a query that opens a bracket queries what the bracket is said of ("plt 19 (?clumping)")."""
    spans = [*(m.span() for pattern in (QUERIED, QUERIED_AFTER, HEDGED_AFTER) for m in pattern.finditer(text) if m.group("what").strip()),
             *(m.span() for m in ZH_QUERIED.finditer(text)),
             *(m.span() for m in PENDING.finditer(text) if m.group().strip())]
    return sorted((_said_of(text, start), end) for start, end in spans)


# The item a bracket is said of: "plt 19" in "plt 19 (?clumping, repeat pending)", "HBsAg (pending)"
OPENING_BRACKET = re.compile(r"(?P<item>[^,;.\n()]*?)\(\s*$")
# What queries the sample or the result itself rather than naming a finding of its own ("CRC (?liver mets)")
SAMPLE_DOUBT = re.compile(r"^\s*(?:\?\s*)?(?:awaiting|awaited|pending|tbc|to\s+follow|outstanding|requested|not\s+back)\b"
                          r"|\b(?:clump\w*|clots?\s+in\s+(?:the\s+)?sample|clotted|ha?emoly[sz]\w*|spurious|artefact\w*|artifact\w*"
                          r"|lab\s+error|pseudo\w*|repeat\w*|recheck\w*|re-?check\w*|citrate|edta)\b", re.IGNORECASE)


def _said_of(text: str, start: int) -> int:
    """Where the item begins that a bracket opening at ``start`` is said of, when the bracket doubts the sample or
    waits for the result; ``start`` itself otherwise."""
    bracket = OPENING_BRACKET.search(text, 0, start)
    if bracket is None or not bracket.group("item").strip():
        return start
    inside = text[start:].split(")", 1)[0]
    return bracket.start("item") if SAMPLE_DOUBT.search(inside) else start


def _label(definition: FactDefinition) -> str:
    return short_label(definition)  # the checklist's own shorthand for a fact


@dataclass
class StaffExtraction(Extraction):
    """What was read, with the facts only implied by others (a woman's sex from "LMP 2 wks ago"): never a
    correction of what is already known."""
    implied: Set[str] = field(default_factory=set)


def read(text: str, vocabulary: Vocabulary, today: date, date_order: Optional[str] = None) -> StaffExtraction:
    """A staff message read as several facts at once, with what staff shorthand adds to the shared extractor:
    other people's facts left out; queried findings, cycle days and ongoing treatment asked back rather than
    read; UK fractions of time; age and sex in the orders staff write them."""
    def extracted(words: str) -> Extraction:
        return extract(words, vocabulary, [], today, clinical=True, date_order=date_order)

    someone_else = others(text)
    about_patient = _respelled_sites(_blank(text, someone_else), vocabulary)
    about_patient = PER_TIME.sub(lambda m: m.group(1) + PER_TIME_UNIT[m.group(2) or m.group(3)], about_patient)
    about_patient = SECONDARY_TO.sub("d/t", about_patient)
    about_patient = VALUE_WITH_ULN.sub(_times_uln, about_patient)
    about_patient = _blank(about_patient, [m.span() for m in NONE_SINCE.finditer(about_patient)])
    about_patient = TESTS_JOINED.sub(lambda m: m.group(1) + "/".ljust(len(m.group()) - len(m.group(1))), about_patient)
    about_patient = SIGN_RESULT.sub(lambda m: ("pos" if m.group(1) == "+" else "neg").ljust(len(m.group())), about_patient)
    about_patient = NAIVE.sub(lambda m: f"no {m.group(1)}".ljust(len(m.group())), about_patient)
    about_patient = _blank(about_patient, [m.span() for m in LONE_MINUS.finditer(about_patient)])
    loads = list(VIRAL_LOAD.finditer(about_patient))  # read apart: a viral load is no serology
    about_patient = _blank(about_patient, [m.span() for m in loads])
    core = list(HBV_CORE.finditer(about_patient))  # read apart: no "hep B" positive by itself
    about_patient = _blank(about_patient, [m.span() for m in core])
    results = list(SLASH_RESULT.finditer(about_patient))
    about_patient = _blank(about_patient, [m.span() for m in results])
    asked = queried(about_patient)
    plain = _blank(about_patient, asked)
    found = StaffExtraction(**vars(extracted(plain)))
    chemo = "last_chemotherapy"
    cycle_days = list(CYCLE_DAY.finditer(plain))
    if cycle_days:  # a day of a cycle is no time since the last dose: read without it, and the last dose asked
        blanked = _blank(plain, [m.span() for m in cycle_days])
        without = StaffExtraction(**vars(extracted(blanked)))
        read_from_day = chemo in found.values and without.values.get(chemo) != found.values[chemo]
        named = any(ZH_CHEMO.search(m.group()) for m in cycle_days) and chemo not in without.values  # "化疗后第14天"
        if read_from_day or named:
            if read_from_day:  # what the rest says of the date ("today d+28 post C6": today) is no dose either
                without.values.pop(chemo, None)
            found, plain = without, blanked
            found.problems.append(ReadingProblem(chemo, staff_texts.CYCLE_DAY.format(words=cycle_days[0].group("day") or cycle_days[0].group())))
            found.used += [m.span() for m in cycle_days]
    for listed in results:
        _read_each(listed, found, extracted)
    settled = lambda f, key: key in f.values or key in f.bounds or key in f.several or key in f.ambiguous_dates  # noqa: E731
    if asked:  # what the queried words would have said is asked back, never recorded
        markers = [*((i, i + 1) for s, e in asked for i in range(s, e) if about_patient[i] == "?"),
                   *((m.start(), m.start("what")) for m in QUERIED.finditer(about_patient)),  # "?", "likely", "query"
                   *(m.span("hedge") for m in HEDGED_AFTER.finditer(about_patient)),  # "CIT likely"
                   *(((m.start(), m.start("what")) if m.group("what") else (m.end("before"), m.end()))
                     for m in ZH_QUERIED.finditer(about_patient))]  # 怀疑, 待排
        whole = extracted(_blank(about_patient, markers))
        # (a query that weighs two readings, "?ITP vs CIT", is a mixed answer: asked back as well)
        for key in whole.values.keys() | whole.bounds.keys() | whole.several.keys() | {p.fact for p in whole.problems}:
            if not settled(found, key) and key in vocabulary and not any(p.fact == key for p in found.problems):
                words = "; ".join(about_patient[s:e].strip() for s, e in asked)
                found.problems.append(ReadingProblem(key, staff_texts.QUERIED.format(
                    words=words, label=_label(vocabulary[key]))))
        if found.problems:
            found.used += asked  # said in the note; words that queried nothing known stay "not read"
    _to_come(about_patient, asked, found, vocabulary)
    _cause_queried(about_patient, found, vocabulary)
    planned = [m.span() for m in PLANNED.finditer(plain)]
    if planned and (found.values.keys() & {chemo, "last_radiotherapy"}):
        without = extracted(_blank(plain, planned))
        for key in (chemo, "last_radiotherapy"):
            if key in found.values and without.values.get(key) != found.values[key]:  # read from a plan, not a dose
                words = "; ".join(plain[s:e].strip() for s, e in planned)
                del found.values[key]
                found.problems.append(ReadingProblem(key, staff_texts.PLANNED.format(words=words, label=_label(vocabulary[key]))))
    for key in (chemo, "last_radiotherapy"):  # "palliative RT booked for next wk": named only as planned
        definition = vocabulary.get(key)
        if definition is None or settled(found, key) or any(p.fact == key for p in found.problems) or not planned:
            continue
        named = mentions(plain, definition.cues)
        if named and all(any(s <= start and end <= e for s, e in planned) for start, end in named):
            words = "; ".join(plain[s:e].strip() for s, e in planned)
            found.problems.append(ReadingProblem(key, staff_texts.PLANNED.format(words=words, label=_label(definition))))
    for key in (chemo, "last_radiotherapy"):  # "on docetaxel", "currently on RT, #12 of 25"
        if key in vocabulary and not settled(found, key) and not any(p.fact == key for p in found.problems):
            if _ongoing(plain, vocabulary[key]):
                found.problems.append(ReadingProblem(key, staff_texts.ONGOING.format(label=_label(vocabulary[key]))))
    for key, words in found.resolved.items():  # "hx AF, ablated 2022": whether it still applies is for the team
        if key not in found.values and key in vocabulary:
            found.problems.append(ReadingProblem(key, staff_texts.RESOLVED.format(words=words, label=_label(vocabulary[key]))))
    _earlier_years(plain, found, vocabulary, today)
    _second_values(plain, found, vocabulary, today)
    _current_of_several(plain, found, vocabulary, today)
    _transfused(plain, found, vocabulary)
    _boosters(plain, about_patient, found, vocabulary)
    if "severe_bleeding" in vocabulary and "severe_bleeding" not in found.values and not any(p.fact == "severe_bleeding" for p in found.problems):
        denied = NO_ACTIVE_BLEEDING.search(plain)
        if denied:
            found.values["severe_bleeding"] = False
            found.used.append(denied.span())
    if "cancer_type" in vocabulary and "cancer_type" not in found.values and not any(p.fact == "cancer_type" for p in found.problems):
        leukaemia = ALL_LEUKAEMIA.search(plain)
        if leukaemia and not plain.isupper():
            found.values["cancer_type"] = "blood_cancer"
            found.used.append(leukaemia.span())
    _said_in_full(plain, found, vocabulary)
    _viral_loads(loads, found, vocabulary)
    _graded_toxicity(plain, found, vocabulary)
    _now_beside_nadir(plain, found, vocabulary, extracted)
    _lab_limits(plain, found, vocabulary)
    _denied_in_parts(plain, found, vocabulary)
    _unsure_beside(plain, found, vocabulary)
    _for_the_team(plain, core, found, vocabulary)
    _autoimmune(plain, found, vocabulary)
    _denied_after_others(text, someone_else, found, vocabulary, extracted)
    _disputed(text, found, vocabulary, extracted)
    _age_and_sex(plain, found, vocabulary, today, others_named=bool(someone_else))
    return found


def _disputed(text: str, found: Extraction, vocabulary: Vocabulary, extracted) -> None:
    """What a relative tells of ("daughter says she bruises easily") in a note where the patient denies: not recorded."""
    reports = list(REPORTED.finditer(text))
    denials = list(PATIENT_DENIES.finditer(_blank(text, [m.span() for m in reports]))) if reports else []
    for report in reports if denials else ():
        for key, value in extracted(report.group("what")).values.items():
            denied = [d for d in denials if facts_meant(d.group("what"), vocabulary, {key})]  # of the same thing
            if value is True and found.values.get(key) is True and denied:
                del found.values[key]
                found.problems.append(ReadingProblem(key, staff_texts.DISPUTED.format(words=report.group().strip(),
                                                                                      label=_label(vocabulary[key]))))


def _denied_after_others(text: str, someone_else: List[Tuple[int, int]], found: Extraction, vocabulary: Vocabulary,
                         extracted) -> None:
    """A relative's condition, then the patient's denial with nothing of its own ("母亲糖尿病 患者本人无", "mum had
    a DVT, not pt"): what the relative has is denied of the patient."""
    denial = ELLIPTIC_DENIAL.search(_blank(text, someone_else).rstrip()) if someone_else else None
    if denial is None:
        return
    theirs = extracted(" ".join(OWNER.sub(lambda m: " " * len(m.group()), RELATIVE_WORD.sub(" ", text[s:e])) for s, e in someone_else))
    denied = [key for key, value in theirs.values.items() if value is True and vocabulary[key].type is FactType.BOOLEAN
              and key not in found.values and not any(p.fact == key for p in found.problems)]
    for key in denied:
        found.values[key] = False
    if denied:
        found.used.append(denial.span())


def _phrases(definition: FactDefinition) -> Tuple[str, ...]:
    """Every phrase that names a fact's subject: its cues and the lab tests it is read from."""
    tests = [cue for cues in ((definition.times_normal or {}).get("groups") or {}).values() for cue in cues]
    return (*definition.cues, *definition.cues_partial, *tests)


def _to_come(text: str, asked: List[Tuple[int, int]], found: Extraction, vocabulary: Vocabulary) -> None:
    """A test whose result is still to come ("QTc pending", "LFTs awaited", "CMV-DNA待回报"): asked back, not left
    silent, unless the note gives the fact otherwise."""
    for start, end in asked:
        words = text[start:end]
        if not TO_COME.search(words):
            continue
        for key, definition in vocabulary.items():
            if key in found.values or key in found.bounds or key in found.several or any(p.fact == key for p in found.problems):
                continue
            if mentions(words, _phrases(definition)):
                found.problems.append(ReadingProblem(key, staff_texts.QUERIED.format(words=words.strip(), label=_label(definition))))
                found.used.append((start, end))


def _lab_limits(text: str, found: Extraction, vocabulary: Vocabulary) -> None:
    """The liver and kidney tests said otherwise than against their upper limit (the extractor reads "ALT 3x ULN",
    "肌酐正常"): a bare value or a rise of no said size is asked back; tests not done are not known."""
    key = "liver_kidney_ok"
    definition = vocabulary.get(key)
    if definition is None or not definition.times_normal or key in found.values or any(p.fact == key for p in found.problems):
        return
    groups = definition.times_normal.get("groups") or {}
    status: dict = {}
    for group, cues in groups.items():
        for start, end in mentions(text, cues):
            if TIMES_NORMAL.match(text, end):
                status.setdefault(group, "read")
            elif LAB_UNTESTED.match(text, end):
                status.setdefault(group, "untested")
                found.used.append((start, LAB_UNTESTED.match(text, end).end()))
            elif LAB_OPEN.match(text, end):
                status[group] = "open"
                found.used.append((start, LAB_OPEN.match(text, end).end()))
    if status and all(status.get(group) == "untested" for group in groups):
        found.values[key] = None  # "肝肾功能未查": not known
    elif "open" in status.values() or ("untested" in status.values() and "read" in status.values()):
        words = "; ".join(text[s:e].strip() for s, e in mentions(text, [c for cues in groups.values() for c in cues]))
        found.problems.append(ReadingProblem(key, staff_texts.FOR_THE_TEAM.format(words=words, label=_label(definition))))


def _graded_toxicity(text: str, found: Extraction, vocabulary: Vocabulary) -> None:
    """A side effect given with its grade: grade 2 or more still there is a yes, grade 1 for the team, resolved a no."""
    key = "treatment_toxicity_unresolved"
    if key not in vocabulary or key in found.values or any(p.fact == key for p in found.problems):
        return
    readings = []
    for m in GRADED_TOXICITY.finditer(text):
        said = next(g for g in (m.group("g1"), m.group("g1_zh"), m.group("g2"), m.group("g2_zh")) if g)
        grade = int(ROMAN_GRADE.get(said.upper(), said) if not said.isdigit() else said)
        readings.append((False if TOXICITY_GONE.search(m.group("rest")) else True if grade >= 2 else None, m))
    if not readings:
        return
    if any(value is None for value, _ in readings) and not any(value for value, _ in readings):
        found.problems.append(ReadingProblem(key, staff_texts.FOR_THE_TEAM.format(words=readings[0][1].group().strip(),
                                                                                  label=_label(vocabulary[key]))))
    elif len({value for value, _ in readings}) == 1 or any(value for value, _ in readings):
        found.values[key] = any(value for value, _ in readings)
    found.used += [m.span() for _, m in readings]


def _now_beside_nadir(text: str, found: Extraction, vocabulary: Vocabulary, extracted) -> None:
    """A count said as the lowest or highest, read as a bound, beside one said to be now ("最低1.2万 现2.5万"): now's."""
    for key, words in list(found.bounds.items()):
        definition = vocabulary.get(key)
        now = list(NOW_VALUE.finditer(text))
        if definition is None or definition.type is not FactType.NUMBER or not NADIR.search(str(words)) or len(now) != 1:
            continue
        cue = definition.cues[0] if definition.cues else ""
        value = extracted(f"{cue} {now[0].group('value')}").values.get(key)
        if value is not None:
            del found.bounds[key]
            found.values[key] = value
            found.used.append(now[0].span())


def _cause_queried(text: str, found: Extraction, vocabulary: Vocabulary) -> None:
    """A finding read for a fact about its cause, whose cause the note queries ("PV bleeding ?cause"): asked back."""
    for key in ABOUT_A_CAUSE:
        definition = vocabulary.get(key)
        if definition is None or found.values.get(key) is not True:
            continue
        for start, end in mentions(text, (*definition.cues, *definition.cues_partial)):
            clause = re.split(r"[,;.\n]", text[end:end + 40], maxsplit=1)[0]
            if CAUSE_QUERIED.search(clause):
                del found.values[key]
                found.problems.append(ReadingProblem(key, staff_texts.QUERIED.format(words=(text[start:end] + clause).strip(),
                                                                                     label=_label(definition))))
                break


def _viral_loads(loads: List[re.Match], found: Extraction, vocabulary: Vocabulary) -> None:
    """A viral load found ("HBV DNA 2.3x10^4 IU/mL") is a positive test for the infection; one not found says nothing."""
    key = "infection_serology_positive"
    positive = [m for m in loads if m.group("result") and not VIRAL_LOAD_NEGATIVE.match(m.group("result").strip())]
    if positive and key in vocabulary and key not in found.values and not any(p.fact == key for p in found.problems):
        found.values[key] = True
    found.used += [m.span() for m in loads if m.group("result")]


def _denied_in_parts(text: str, found: Extraction, vocabulary: Vocabulary) -> None:
    """A fact of several parts denied part by part ("EBV DNA neg, CMV DNA neg", "no VTE hx, no PAD/CAD"): denied, when
    every part has its "no" and nothing says yes."""
    for key, parts in PARTS.items():
        if key not in vocabulary or key in found.values or any(p.fact == key for p in found.problems):
            continue
        denied = " ".join(found.partly_denied.get(key, ())).lower()
        arterial = [m for m in ARTERIAL.finditer(text) if is_negated(text, m.start())]
        said_no = [any(re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", denied) for word in words)
                   or (words is parts[-1] and key == "thrombotic_disease" and bool(arterial)) for words in parts]
        if all(said_no):
            found.values[key] = False
            found.used += [m.span() for m in arterial]


def _pressure_controlled(text: str) -> Optional[re.Match]:
    """Hypertension named with every pressure reading under 140/90: the reading that says it is controlled."""
    readings = list(BLOOD_PRESSURE.finditer(text))
    if not readings or not HYPERTENSION.search(text) or any(int(m.group("high")) >= 140 or int(m.group("low")) >= 90 for m in readings):
        return None
    return readings[0]


def _said_in_full(text: str, found: Extraction, vocabulary: Vocabulary) -> None:
    """Findings staff write as a measurement or a grade with what it means: a pressure high despite treatment, a graded
    side effect that persists."""
    for key, value, match in (("uncontrolled_hypertension", True, next((m for m in BP_DESPITE.finditer(text)
                                                                        if int(m.group("high")) >= 140 or int(m.group("low")) >= 90), None)),
                              ("uncontrolled_hypertension", False, _pressure_controlled(text)),
                              ("treatment_toxicity_unresolved", True, TOXICITY_ONGOING.search(text))):
        if match and key in vocabulary and key not in found.values and not any(p.fact == key for p in found.problems):
            found.values[key] = value
            found.used.append(match.span())
    control = ZH_HYPERTENSION_CONTROL.search(text)
    for key, value, match in (("uncontrolled_hypertension", bool(control and control.group("how") in ZH_POORLY), control),):
        if match and key in vocabulary and key not in found.values and not any(p.fact == key for p in found.problems):
            found.values[key] = value
            found.used.append(match.span())


def _for_the_team(text: str, core: List[re.Match], found: Extraction, vocabulary: Vocabulary) -> None:
    """Findings the study team judges (a positive core antibody, rectal bleeding, a high pressure reading), asked back
    for the fact they bear on unless the note settles it otherwise. ``core``: the core antibody results, read apart."""
    said = {"infection_serology_positive": [m for m in core if m.group("result") and not NEGATIVE_RESULT.match(m.group("result"))],
            "severe_bleeding": [m for m in RECTAL_BLEEDING.finditer(text) if not is_negated(text, m.start())],
            "uncontrolled_hypertension": [m for m in BLOOD_PRESSURE.finditer(text)
                                          if int(m.group("high")) >= 140 or int(m.group("low")) >= 90]}
    for key, matches in said.items():
        if matches and key in vocabulary and key not in found.values and not any(p.fact == key for p in found.problems):
            found.problems.append(ReadingProblem(key, staff_texts.FOR_THE_TEAM.format(words=matches[0].group().strip(),
                                                                                      label=_label(vocabulary[key]))))
            found.used += [m.span() for m in matches]


# Where or when a finding came about, said after it: "bruising at inj sites", "nosebleed from a fall"; not what
# goes with it ("AF with palpitations")
CIRCUMSTANCE = re.compile(r"\b(?:at|from|where|around|over|near|after|when|during|while)\b", re.IGNORECASE)


def _unsure_beside(text: str, found: Extraction, vocabulary: Vocabulary) -> None:
    """A yes read from a cue gives way to the fact's own `unsure` wording saying where or when it came about, as an
    answer does in the patient conversation: "bruising at inj sites", "nosebleed from a fall" say nothing of easy
    bleeding."""
    for key, value in list(found.values.items()):
        definition = vocabulary.get(key)
        if value is not True or definition is None or not definition.answers.get("unsure"):
            continue
        named = mentions(text, (*definition.cues, *definition.cues_partial))
        for start, end in named:
            low, high = start - len(_clause_before(text, start)), end + len(_clause_after(text, end))
            after = _blank(text, named)[end:high]  # the clause after the cue, without the cues themselves
            if any(m and CIRCUMSTANCE.search(after[:m.end()]) for p in definition.answers["unsure"]
                   for m in [re.search(rf"(?<!\w)(?:{p})(?!\w)", after, re.IGNORECASE)]):
                del found.values[key]
                found.problems.append(ReadingProblem(key, staff_texts.UNSURE.format(
                    words=text[low:high].strip(), label=_label(definition))))
                break


def _autoimmune(text: str, found: Extraction, vocabulary: Vocabulary) -> None:
    """An autoimmune disease named in shorthand: active or quiet by the words of its own sentence, else asked back."""
    key = "autoimmune_disease"
    if key not in vocabulary or key in found.values or any(p.fact == key for p in found.problems):
        return
    for m in AUTOIMMUNE.finditer(text):
        if is_negated(text, m.start()):
            continue  # "no RA"
        rest = re.split(r"[;.\n]", text[m.end():], maxsplit=1)[0]
        active, quiet = AUTOIMMUNE_ACTIVE.search(rest), AUTOIMMUNE_QUIET.search(rest)
        if bool(active) != bool(quiet):
            found.values[key] = bool(active)
        else:
            found.problems.append(ReadingProblem(key, staff_texts.FOR_THE_TEAM.format(words=(m.group() + rest).strip(),
                                                                                      label=_label(vocabulary[key]))))
        found.used += [m.span(), *((m.end() + said.start(), m.end() + said.end()) for said in (active, quiet) if said)]
        return


def _read_each(listed: re.Match, found: Extraction, extracted) -> None:
    """A slash list of tests with one result, read as each test with that result; what it says joins the reading."""
    each = extracted(", ".join(f"{item.strip()} {listed.group('result')}" for item in listed.group("items").split("/")))
    said = False
    for key, value in each.values.items():
        if key not in found.values:
            found.values[key] = value
            said = True
    for key, words in each.partly_denied.items():
        found.partly_denied.setdefault(key, words)
        said = True
    if said:
        found.used.append(listed.span())


def _second_values(text: str, found: Extraction, vocabulary: Vocabulary, today: date) -> None:
    """A measurement given a second, dated value in the next clause ("plt 22 on 27/11, 18 on 30/11"): several values,
    asked back as the extractor's own ``several`` (it counts a bare number only when the fact is the one asked). The
    one said to be today's, the other not, stands ("QTc 455 yesterday, 472 today": 472)."""
    for key, value in list(found.values.items()):
        definition = vocabulary.get(key)
        if definition is None or definition.type is not FactType.NUMBER or key == "age":
            continue
        for _, end in mentions(text, definition.cues):
            versus = VERSUS_VALUE.match(text, end)
            if versus and float(versus.group("value")) != float(versus.group("first")):  # "plt 17 vs 24": two values
                found.several[key] = [value, float(versus.group("value"))]
                del found.values[key]
                break
            second = SECOND_VALUE.match(text, end) or ZH_SECOND_VALUE.match(text, end)
            if second and float(second.group("value")) != value:
                first_clause = text[end:second.start("when") if second.re is ZH_SECOND_VALUE else second.start("value")]
                second_clause = text[second.start("when"):second.end() + 12] if second.re is ZH_SECOND_VALUE else (
                    text[second.start("value"):second.end() + 12])
                now = lambda words: CURRENT.search(words) or ZH_CURRENT.search(words)  # noqa: E731
                if now(first_clause) and not now(second_clause):
                    continue  # "plt 18 today, 25 last wk": today's count stands
                if now(second_clause) and not now(first_clause):
                    del found.values[key]  # read again in the fact's unit, or asked back if not plausible
                    Extractor(vocabulary, today, clinical=True)._number(found, definition, float(second.group("value")), definition.unit)  # noqa: SLF001
                    found.used.append(second.span("value"))
                    break
                found.several[key] = [value, float(second.group("value"))]
                del found.values[key]
                break


def _current_of_several(text: str, found: Extraction, vocabulary: Vocabulary, today: date) -> None:
    """Several values of a measurement of which one alone is said to be the current one ("plt 150 pre-chemo, now 22"):
    that one stands. Around a transfusion, which one counts stays asked."""
    for key, values in list(found.several.items()):
        definition = vocabulary.get(key)
        if definition is None or definition.type is not FactType.NUMBER or any(
                pattern.search(text) for pattern in (TRANSFUSION, TRANSFUSION_LABEL, ZH_TRANSFUSION, ZH_TRANSFUSION_LABEL)):
            continue
        said_now = {float(m.group("value") or m.group("value_before")) for m in CURRENT_VALUE.finditer(text)}
        current = [v for v in values if v in said_now]
        if len(said_now) == 1 and len(current) == 1:
            del found.several[key]
            Extractor(vocabulary, today, clinical=True)._number(found, definition, current[0], definition.unit)  # noqa: SLF001


def _transfused(text: str, found: Extraction, vocabulary: Vocabulary) -> None:
    """A platelet count taken around a transfusion is asked back: the one before may be superseded, the one after
    is raised by it."""
    key = "platelet_count"
    if key not in found.values or key not in vocabulary:
        return
    label = TRANSFUSION_LABEL.search(text) or ZH_TRANSFUSION_LABEL.search(text)
    given = next((m for pattern in (TRANSFUSION, ZH_TRANSFUSION) for m in pattern.finditer(text)
                  if any(start >= m.end() for start, _ in mentions(text, vocabulary[key].cues))), None)
    if label or given:
        del found.values[key]
        found.problems.append(ReadingProblem(key, staff_texts.TRANSFUSED.format(
            words=(label or given).group(), label=_label(vocabulary[key]))))


def _boosters(text: str, said: str, found: Extraction, vocabulary: Vocabulary) -> None:
    """Repeated rhTPO or IL-11 said to have failed, or to have worked, or none given, in the words staff use between
    them; repeated ones whose effect is queried are asked back (``said``: the note with its queries, which ``text``
    has blanked)."""
    key = "platelet_boosters_failed"
    if key not in vocabulary or any(p.fact == key for p in found.problems):
        return
    failed = BOOSTERS_FAILED.search(text) or BOOSTERS_FAILED_ZH.search(text)
    none, helped = NO_BOOSTERS.search(text), BOOSTERS_HELPED.search(text) or BOOSTERS_HELPED_ZH.search(text)
    open_effect = None if failed or helped or key in found.values else BOOSTER_EFFECT_OPEN.search(said)
    if open_effect:
        found.problems.append(ReadingProblem(key, staff_texts.QUERIED.format(words=open_effect.group(), label=_label(vocabulary[key]))))
        found.used.append(open_effect.span())
        return
    none = none or (helped if not failed else None)  # a booster that worked did not fail
    if key in found.values:  # "IL-11 x2 NR, rhTPO x1": a single dose of one booster takes nothing from the other's failure
        if failed and not none and found.values[key] is False:
            found.values[key] = True
            found.used.append(failed.span())
        return
    if failed and not none:
        found.values[key] = True
        found.used.append(failed.span())
    elif none and not failed:
        found.values[key] = False
        found.used.append(none.span())


def _ongoing(text: str, definition: FactDefinition) -> bool:
    """Whether the message says a treatment is still being given ("on docetaxel", "C4D15 FOLFIRI", "ABVD C2", "gem/cis
    C5", "RT ongoing") or held for now ("chemo on hold", "chemo due tmrw"); a cycle's day or a cycle held, due or given
    ("C2 held for plts"), or maintenance, says it of chemotherapy only."""
    for start, end in mentions(text, definition.cues):
        before, after = re.split(r"[,;.\n]", text[max(0, start - 24):start])[-1], text[end:end + 24]  # its own clause
        if re.search(r"(?:" + ONGOING.pattern + r")\W*(?:\w+\W+)?$", before, re.IGNORECASE) \
                or re.match(r"\W*(?:[\w-]+[ \t]*/[ \t]*)?(?:ongoing|on-going|c\d{1,2}\b)", after, re.IGNORECASE) \
                or re.match(rf"\s*(?:{HELD})\b", after, re.IGNORECASE):
            return True
    return definition.key == "last_chemotherapy" and bool(CYCLE_UNDER_WAY.search(text))


def _earlier_years(text: str, found: Extraction, vocabulary: Vocabulary, today: date) -> None:
    """A condition that counts only now, said with an earlier year ("hx PUD 2005") or over a month ago ("GI bleed 3/12
    ago"): asked back, not read as now."""
    for key, value in list(found.values.items()):
        definition = vocabulary.get(key)
        if value is not True or definition is None or not definition.current_only or definition.within_days:
            continue
        for start, end in mentions(text, (*definition.cues, *definition.cues_partial)):
            years = [int(y) for clause in (_clause_after(text, end), _clause_before(text, start))
                     for y in EARLIER_YEAR.findall(clause)]
            if years and max(years) < today.year:
                del found.values[key]
                found.problems.append(ReadingProblem(key, staff_texts.EARLIER.format(
                    words=text[start:end], year=max(years), label=_label(definition))))
                break
            ago = next((m for clause in (_clause_after(text, end), _clause_before(text, start)) if not ONSET.search(clause)
                        for m in TIME_AGO.finditer(clause) if int(m.group("n")) * AGO_DAYS[m.group("unit").lower()[0]] > NOT_NOW_DAYS),
                       None)
            if ago:  # "GI bleed 3/12 ago": over by now, or still there?
                del found.values[key]
                found.problems.append(ReadingProblem(key, staff_texts.PAST.format(
                    words=text[start:end], when=ago.group(), label=_label(definition))))
                break


def _age_and_sex(text: str, found: "StaffExtraction", vocabulary: Vocabulary, today: date, others_named: bool = False) -> None:
    """Age and sex in the orders staff write besides the extractor's "62F": "M 70", "M64", "Mr T 68", "pt ≈ 70, F"; or
    implied by the pronoun a note opens a clause with ("she's 62", "his plt 25 today") when no one else is named."""
    has_age = "age" in found.values or "age" in found.bounds or any(p.fact == "age" for p in found.problems)
    sex, implied = None, False
    for pattern in (SEX_AGE, TITLE):
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in found.used):
                continue
            said = m.group(1).lower()
            sex = sex or ("male" if said in ("m", "male", "mr") else "female")
            if m.group("age") and not has_age and "age" in vocabulary:
                Extractor(vocabulary, today, clinical=True)._number(found, vocabulary["age"], float(m.group("age")), "years")  # noqa: SLF001
                has_age = True
            found.used.append(m.span())
    glued = None if has_age or "age" not in vocabulary else AGE_WITH_UNIT.search(text)
    if glued and not any(s < glued.end() and glued.start() < e for s, e in found.used):
        Extractor(vocabulary, today, clinical=True)._number(found, vocabulary["age"], float(glued.group("age")), "years")  # noqa: SLF001
        has_age = True
        found.used.append(glued.span("age"))
    if not has_age and "age" in vocabulary:
        approx = APPROX_AGE.search(text)
        if approx:
            found.bounds["age"] = approx.group()
            found.used.append(approx.span())
    if sex is None:
        lone = LONE_SEX.search(text)
        if lone:
            sex = "male" if lone.group("sex") == "M" else "female"
            found.used.append(lone.span("sex"))
    if sex is None:
        for name, words in SEX_WORDS.items():
            hits = mentions(text, words)
            if hits:
                sex = name
                found.used += hits
                break
    if sex is None and not others_named and not CLINICIAN.search(text):
        pronouns = {PRONOUN_SEX[m.group("pronoun").lower()] for m in PRONOUN.finditer(text)}
        if len(pronouns) == 1 and PRONOUN_AT_CLAUSE_START.search(text):
            sex, implied = pronouns.pop(), True  # "she's 62, ovarian": not said outright, so no correction
    if sex is None and (any(found.values.get(key) is True for key in FEMALE_ONLY)
                        or FEMALE_BODY.search(text) and (found.values.keys() & {"childbearing_potential", "other_abnormal_bleeding"})):
        sex, implied = "female", True  # "WOCBP", "LMP 2 wks ago", "6/40 pregnant": not said, so no correction
    if sex and "sex" in vocabulary and "sex" not in found.values:
        found.values["sex"] = sex
        if implied:
            found.implied.add("sex")
