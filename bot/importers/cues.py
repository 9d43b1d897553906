"""What the words around a concept say about how to read a criterion: its time sense, and whether
the importer can read it at all.

A criterion names a concept ("hepatitis C", "oxygen therapy") and qualifies it: when ("history of":
ever; "active", "current", an inclusion's symptom: now), how much ("severe", "uncontrolled",
"clinically significant": a judgement the facts cannot hold), for whom ("if asymptomatic",
"patients who received X must"), and with what exceptions ("except", "unless", "is allowed").
The importer never drops such words: it makes them part of the rule (the time sense) or hands
the criterion to the study team (``hand_off`` names why).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

EVER, NOW = "ever", "now"

# A dose said in words ("high-dose hydroxychloroquine", "therapeutic doses of heparin")
DOSE_IN_WORDS = r"(?:high|low|full|therapeutic|supra-?therapeutic|prophylactic|maximum)[-\s]+dos"
# A judgement of degree or kind that a yes/no fact about the concept cannot hold.
_DEGREE = re.compile(
    r"\b(?:severe(?:ly)?|uncontrolled|poorly\s+controlled|untreated|(?:clinically\s+)?significant(?:ly)?|"
    r"unstable|serious|major|moderate|decompensated|symptomatic|refractory|progressive|advanced|end[-\s]stage|"
    r"strong|potent|moderate-to-severe|life[-\s]threatening|(?:in)?adequate(?:ly)?|(?:in)?sufficient|stable|"
    r"grade|class|stage|child[-\s]?pugh|nyha|ctcae|score|"
    r"requirement\s+for|dependen\w*|"
    r"contraindicat\w*|due\s+to|related\s+to|secondary\s+to|attributed\s+to|caused\s+by|associated\s+with|"
    r"similar|suspected|suspicion|possible|probable|likely|multiple|repeated|recurrent|family|relatives?|"
    r"remission|cured|resolved|recover\w*|half-lives|whichever|chronic\s+use|expected|anticipated|plan\w*|"
    r"immediate|imminent|impending|"
    r"opinion|judg\w*|investigator|physician|discretion|deemed|considered|interfere\w*|compromise\w*|"
    r"longer\s+than|for\s+more\s+than|lasting|duration|(?:high|increased|at)\s+risk|risk\s+of|latent|"
    r"\d+(?:\.\d+)?\s*(?:mg|iu|g|mcg|µg|ug|units?|ml|doses?|drinks?|cigarettes?|packs?)\b|good|poor|healthy|"
    rf"{DOSE_IN_WORDS}(?:e|es|ed|ing|age)\b|"
    r"certain|some|selected|specific|particular|another|[a-z]+-based)",
    re.IGNORECASE)
# A word just before the concept that narrows it ("chronic liver disease" annotated as "liver disease").
_NARROWED = re.compile(r"\b(?:chronic|recurrent|long-?standing|frequent|multiple|repeated|high|low|elevated|"
                       r"abnormal|good|poor|mild|corrective|latent)\s*$", re.IGNORECASE)
# Another reading applies to some people: "if", "for patients with", "patients who received X must".
_CONDITIONAL = re.compile(
    r"\bif\b|\bwhen\b|\bwhether\b|\bunless\b|\bas\s+long\s+as\b|\bprovided\b|\bonly\s+(?:for|in|if)\b|"
    r"\b(?:for|in)\s+(?:\w+\s+){0,2}(?:patients|subjects|participants|those|people|women|men|individuals|cohort|arm|group)\b|"
    r"\b(?:patients|subjects|participants|those)\s+who\s+(?:have\s+)?(?:received|had|were|are|underwent|already)\b.*\bmust\b|"
    r"\beither\b|\bmay\s+(?:include|be|have)\b|"
    # a cohort's own criterion: "Aim 1.1 and 2.1 (...): diagnosed with ...", "test (Aim 1) or hospitalized (Aim 2)"
    r"^\W*(?:aims?|cohorts?|arms?|groups?|parts?|sub-?stud(?:y|ies))\s+[\w.\-]+(?:\s*(?:and|or|,|&)\s*[\w.\-]+)*"
    r"[^:;]{0,80}:|\(\s*(?:aims?|cohorts?|arms?|groups?|parts?|sub-?stud(?:y|ies))\s+[\w.\-]+\s*\)|"
    # "Treatment arms 7 and 8 only: ..."
    r"\b(?:aims?|cohorts?|arms?|groups?|parts?|sub-?stud(?:y|ies))\s+[\w.\-]+(?:\s*(?:and|or|,|&)\s*[\w.\-]+)*"
    r"\s+only\b", re.IGNORECASE)
# An exception: part of what the criterion names does not count.
_EXCEPTION = re.compile(
    r"\bexcept\w*|\bexcluding\b|\bother\s+than\b|\bapart\s+from\b|\bbut\s+not\b|"
    r"\bnot\s+(?:be\s+)?excluded\b|\b(?:is|are|be)\s+(?:allowed|permitted|acceptable|allowable|eligible)\b|"
    r"\ballowable\b|\bmay\s+(?:participate|be\s+(?:included|enrolled))\b|\bwill\s+not\s+exclude\b|"
    r"\bnot\s+an?\s+exclusion\b|\bnot\s+a\s+requirement\b|\bin\s+the\s+absence\s+of\b|\bwith\s+or\s+without\b",
    re.IGNORECASE)
# Words that set the time sense.
_NOW = re.compile(
    r"\b(?:active(?:ly)?|current(?:ly)?|acute(?:ly)?|ongoing|on-going|unresolved|persistent|present(?:ly|ing)?|"
    r"presence\s+of|at\s+(?:the\s+time\s+of\s+)?(?:screening|enrol+ment|randomi[sz]ation|admission|baseline|"
    r"inclusion)|baseline|now|admitted|hospitali[sz]ed|receiving|undergoing|in\s+need\s+of|on\s+(?:invasive|"
    r"mechanical|non-?invasive)|intubated|ventilated|concurrent|concomitant|existing|in\s+progress|open|"
    r"requir(?:es|ing|ed)?|needs?|needing|dependent\s+on|evidence\s+of|positive\s+for|"
    r"confirmed\s+(?:or|and/or)\s+suspected|suspected\s+(?:or|and/or)\s+confirmed)\b",  # an episode of now
    re.IGNORECASE)
# "history of" means ever for an inclusion too; "known" and "documented" only for an exclusion
# ("documented COVID-19" in an inclusion is the present illness).
_EVER = re.compile(r"\b(?:history|histories|previous(?:ly)?|prior(?!\s+to\b)|(?<!the\s)past|n?ever|former|lifetime|"
                   r"experienced|suffered)\b",
                   re.IGNORECASE)  # "prior to randomization" is when, not "before now"
# a treatment had at some time: "received", "receipt of", "treated with", "exposure to"
_RECEIVED = re.compile(r"\b(?:received|receipt|(?<!being\s)treated|exposure|exposed|vaccinated|immuni[sz]ed|"
                       r"administered)\b",
                       re.IGNORECASE)
_EVER_EXCLUSION = re.compile(r"\b(?:known|documented|pre-?existing|congenital|hereditary|inherited|genetic)\b",
                             re.IGNORECASE)
# Findings and illnesses that are states of the moment: a bare exclusion of one means "now".
_ACUTE = re.compile(
    r"(?:pain|diarrh|fever|febrile|cough|vomit|nausea|dyspn|short(?:ness)?\s+of\s+breath|breathless|hypox|"
    r"hypotens|shock|seps|septic|bleed|h(?:a)?emorrh|infect|pneumon|failure|injur|jaundice|delirium|coma|"
    r"distress|oedema|edema|infiltrat|opacit|symptom|illness|sick|wound|ulcer|hepatorenal|encephalopath|"
    r"pregnan|fatigue|malaise|chills|myalgia|headache|sore\s+throat|congestion|anosmia|ageusia|rash|"
    r"tachy|brady|arrhythm|fibrillation|ischemi|ischaemi|thrombos|embol|angina|exacerbation)",
    re.IGNORECASE)
# Treatments and supports that are states of the moment ("intubated", "on oxygen", "on dialysis").
_ACUTE_PROCEDURE = re.compile(
    r"ventilat|intubat|oxygen|\bo2\b|ecmo|extracorporeal|dialysis|haemofiltration|hemofiltration|crrt|"
    r"renal\s+replacement|cannula|mask|hfov|cpap|bipap|high[-\s]flow|vasopressor|pressor|inotrop|"
    r"resuscitation|support|monitoring|isolation|quarantine|hospitali|admission|icu\b|intensive\s+care",
    re.IGNORECASE)
# Operations, which are done once: what one leaves (a resected stomach, a transplanted organ) lasts, so no one is
# "receiving" one at the moment
_DONE_ONCE = re.compile(r"resect\w*|\w+ectom(?:y|ies)|surg\w*|operation|transplant\w*|bypass|amputat\w*|\w+plast(?:y|ies)|"
                        r"\bgrafts?\b|implant\w*", re.IGNORECASE)
# A value of a test or sign ("CPK > 5x ULN", "< 50"): a condition named beside it as another way to be
# excluded ("Rhabdomyolysis or CPK > 5x ULN") is meant at present too
_VALUE = re.compile(r"[<>≤≥]\s*\d|\b\d+(?:\.\d+)?\s*[x×*]\s*(?:the\s+)?(?:uln|upper)|"
                    r"\b(?:greater|more|less|lower|higher)\s+than\s+\d", re.IGNORECASE)
# What a test finds that lasts: chronic infections and the antibodies a body keeps.
_LASTING = re.compile(r"\b(?:hiv|human\s+immunodeficiency|hepatitis|hbv|hcv|hbs\s?ag|hbc|hbs|antibod\w*|anti-?\w+\s+"
                      r"antibod\w*|serolog\w*|syphilis|treponema\w*|tubercul\w*|tb|quantiferon|igg|htlv)\b",
                      re.IGNORECASE)
# a word that denies what follows it ("not on mechanical ventilation or ECMO": on neither)
NEGATED = re.compile(r"\b(?:no|not|without|non|never|absence\s+of|free\s+of|negative\s+for)\b", re.IGNORECASE)
# A denial in a concept's own phrase ("not having an allergy to"), not a name that begins with "non-"
# ("non-invasive ventilation")
_DENIAL = re.compile(r"\b(?:no|not|non|without|never|absence\s+of|free\s+of|negative\s+for)\b(?!-)", re.IGNORECASE)
_ALLERGY = re.compile(r"allerg|hypersensitiv|intoleran|anaphyla|idiosyncra", re.IGNORECASE)
# A pregnancy of the past: "never been pregnant", "previously pregnant", "history of 3 pregnancies",
# "drug use during pregnancy", "pregnancy or lactation within the prior 30 days" (not a pregnancy
# test's time frame: "negative pregnancy test within 72 hours" is about now).
_PAST_PREGNANCY = re.compile(
    r"\b(?:n?ever|previous(?:ly)?|prior(?!\s+to\b)|history|past|former|during)\b[^.;,]{0,25}?\bpregnan|"
    r"\bpregnancies\b|\bgiven\s+birth\b|\bdeliver(?:y|ed)\b|\bpost-?partum\b|"
    r"\bpregnan[a-z]*\b(?!\s+tests?\b)[^.;,]{0,25}?\b(?:within|in)\s+the\s+(?:last|past|prior|previous|preceding)\b",
    re.IGNORECASE)
_OWN_PRODUCT = re.compile(r"\b(?:study|trial|investigational|experimental)\s+(?:drugs?|medications?|products?|"
                          r"agents?|treatments?|therap\w+|interventions?|vaccines?)\b", re.IGNORECASE)
_STUDY_PRODUCT = re.compile(r"\b(?:study|trial|investigational|experimental)\s+(?:drugs?|medications?|"
                            r"products?|agents?|treatments?|therap\w+|interventions?|vaccines?)\b|\bexcipients?\b|"
                            r"\bformulation\b|\bcomponents?\b", re.IGNORECASE)

# Classes of illness that name a trial's own condition: every candidate of a breast-cancer trial has
# had a malignancy, and every candidate of a COVID-19 treatment trial has a respiratory infection.
_CLASSES = [
    (re.compile(r"\b(?:cancer|carcinoma|malignan\w*|neoplas\w*|tumou?rs?|oncolog\w*|lymphoma|leuk(?:a)?emia|"
                r"melanoma|sarcoma|myeloma)\b", re.I),
     re.compile(r"\b(?:cancer|carcinoma|malignan\w*|neoplasm\w*|tumou?rs?|lymphoma|leuk(?:a)?emia|melanoma|"
                r"sarcoma|myeloma)\b", re.I)),
]
# Treatments of one kind under several names: a trial of endocrine therapy cannot exclude hormone therapy.
_TREATMENTS = [re.compile(r"\b(?:hormon\w*|endocrine|estrogen|oestrogen|tamoxifen|aromatase|anti-?estrogen)\b", re.I),
               re.compile(r"\bchemotherap\w*\b", re.I), re.compile(r"\bradio\s*therap\w*|\bradiation\b", re.I)]


# Where one criterion of a line ends: ";", a sentence's end, a numbered item ("2. Currently ...").
# (not the full stop of an abbreviation: "(eg. History of torsades de pointes)" is one clause)
_CLAUSE_END = re.compile(r";|(?<!\b[eE]\.g)(?<!\b[eE]g)(?<!\b[iI]\.e)(?<!\b[iI]e)(?<!\bvs)(?<!\bapprox)\.\s+(?=[A-Z(])|"
                         r"\s\d{1,2}[.)]\s+(?=[A-Z])")
# What separates the items of a list, and what introduces examples of a class.
_ITEM = re.compile(r",|\bor\b|\band/or\b|/|\(|\)")
_EXAMPLES = re.compile(r"\b(?:including|includes?|such\s+as|e\.\s?g\.?|eg|for\s+example|like|i\.\s?e\.?|ie)\b|:|"
                       r"\s[-–—]\s(?=[^-–—]*,)",  # "Symptoms of COVID -19 - cough, fever, sore throat, SOB, ..."
                       re.IGNORECASE)
# An item that grades the one before it.
_GRADED = re.compile(r"\s*(?:stage|grade|class|nyha|child|gold|ctcae|severe|moderate)\b", re.IGNORECASE)
# A drug's own time frame after it in its clause ("azathioprine, or MMF within 4 weeks"), and a washout said
# beside another time frame ("within 8 weeks (or 5 half-lives, whichever is longer)")
_OWN_FRAME = re.compile(r"^[^;]*?\bwithin\s+(?:the\s+)?(?:(?:last|past|previous|prior)\s+)?\d+\s*(?:days?|weeks?|"
                        r"months?|years?)\b", re.IGNORECASE)
_HALF_LIVES_ASIDE = re.compile(r"\([^()]*half[-\s]?li(?:fe|ves)[^()]*\)|,?\s*whichever\s+is\s+(?:longer|"
                               r"greater|shorter)|\bor\s+\w+\s+half[-\s]?li(?:fe|ves)", re.IGNORECASE)
# The investigator's or a physician's judgement: only the study team can apply it.
_JUDGEMENT = re.compile(r"\b(?:judg(?:e)?ment|opinion|discretion|deemed|considered|investigator|physician|"
                        r"treating\s+(?:team|clinician|doctor)|clinical\s+team|care\s+team|"
                        r"preclude\w*|jeopardi[sz]\w*|interfere\w*|compromise\w*)\b", re.IGNORECASE)
_HALF_LIVES = re.compile(r"half[-\s]?li(?:fe|ves)|whichever", re.IGNORECASE)
# A test or an image: what it finds is the criterion, not having it ("infiltrates on chest radiograph").
_DIAGNOSTIC = re.compile(r"radiograph|x-?ray|\bcxr\b|\bct\b|tomograph|\bscan\b|\bmri\b|ultraso|echocardio|\becg\b|"
                         r"\bekg\b|electrocardiogra|\bpcr\b|assay|\bswab|culture|imaging|biopsy|\btest", re.IGNORECASE)
# After a concept, words that narrow it ("infection requiring IV antibiotics", "cancer that is ...").
# ("active malignancy receiving cytotoxic chemotherapy": the cancer treated so, not any)
_NARROWING_AFTER = re.compile(r"^\s*(?:requir\w*|needing|necessitat\w*|that|which|who|with\s+(?:the\s+)?need|to|"
                              r"and\s+(?:who|that|which)|receiving|undergoing|treated\s+(?:with|by))\b", re.IGNORECASE)
# A concept that names only the kind of act, and the words after it what act: "active therapy with a biologic
# immunosuppressive agent" coded as "therapy"
_ACT_ONLY = re.compile(r"(?:therap(?:y|ies)|treatments?|medications?|drugs?|agents?|procedures?|interventions?)",
                       re.IGNORECASE)
_WHAT_ACT = re.compile(r"^\s*(?:with|of|using|by)\b", re.IGNORECASE)
# After a concept, a definition that narrows it: "heart failure defined as an ejection fraction < 20%",
# "dysfunction (i.e. LVEF < 35%)", "supplementary oxygen with FiO2 50%", a threshold in brackets
# ("Prolonged QT interval (>450)", "Bradycardia (HR<50)": a value now, not a diagnosis ever made), a list
# that says which kinds count ("Cardiac abnormality, including any of the following: a. ... within 6 months").
_DEFINED_AFTER = re.compile(r"^[\s,]*(?:\(\s*)?(?:(?:as\s+)?defined|as\s+evidenced|evidenced|as\s+measured|"
                            r"as\s+assessed|i\.\s?e\b|as\s+follows|(?:including|includes?)\s+(?:any\s+|one\s+|"
                            r"all\s+)?(?:of\s+)?(?:the\s+)?following)|^\s*with\s+[^,;()]*\d|"
                            r"^\s*\(\s*[^()\d]{0,20}?(?:[<>≤≥]|greater|less|more|above|below|over|under)[^()]*\d",
                            re.IGNORECASE)
_TIME_FRAME = re.compile(r"\b(?:within|in|during|for)\s+(?:the\s+)?(?:(?:last|past|previous|prior)\s+)?\d+\s*"
                         r"(?:hours?|days?|weeks?|months?|years?)\b", re.IGNORECASE)
# Before a concept, what is done for or against it: the criterion is about that, not the illness
# ("hospitalization for COVID-19", "treatment for hepatitis C", "vaccine against influenza").
_DONE_FOR = re.compile(r"(?:\b(?:hospitali[sz]\w*|admi(?:tted|ssions?)|treat(?:ed|ments?)?|therap\w*|vaccin\w*|"
                       r"medications?|drugs?|prophylaxis|tested|testing|tests?|results?|screen\w*|surgery|contacts?|"
                       r"exposures?|exposed)\s+(?:for|against|to)|"
                       # any act named by its noun: "intubation for", "investigation for" (not "requirement for")
                       r"\b(?!requirement)[a-z]{3,}(?:tion|sion|ment|ure|apy|ing)s?\s+for)\s+(?:the\s+|an?\s+)?"
                       # and the items of a list before the concept: "test result for HIV, HBV or HCV"
                       r"(?:[\w-]+(?:\s+[\w()-]+){0,3}\s*(?:,|\bor\b|\band\b|/)\s*)*$", re.IGNORECASE)
# After an illness, a noun that it only names the kind of: "COVID-19 convalescent plasma", "HIV test".
_MODIFIER_OF = re.compile(r"^[\s-]*(?:convalescent\s+)?(?:plasma|sera|serum|vaccin\w*|tests?|testing|treatments?|"
                          r"therap\w*|antibod\w*|ward|units?|exposures?|contacts?|pandemic|outbreak|related|"
                          r"associated|patients?\s+contacts?|swabs?)\b", re.IGNORECASE)
# A population the concept is excluded in only ("Immunocompromised patients with positive SARS-CoV-2 test"):
# an exclusion of both, which the concept's rows alone would widen to everyone with the concept
_POPULATION = re.compile(
    r"\b(?!(?:all|any|the|those|such|other|eligible|potential|study|adults?|a|an|of|are|be|with|and|or|in|for|to|"
    r"from|by|at|on|if|who|include|including|excluded?|exclude)\b)[a-z][\w-]*\s+(?:patients?|subjects?|participants?|"
    r"individuals?|persons?|people|women|men|children)\s+(?:with|who|on|having|receiving|that)\b", re.IGNORECASE)
# A risk, not a finding: "indicators of risk of progression", "high risk of requiring ventilation".
_RISK = re.compile(r"\b(?:(?:high|increased|at)\s+risk|risks?\s+of)\b", re.IGNORECASE)
# Several findings counted together: no one of them alone is the criterion.
_COUNTED = re.compile(r"\bat\s+least\s+(?:two|three|four|five|[2-9])\b|\b(?:two|three|[2-9])\s+or\s+more\s+of\b",
                      re.IGNORECASE)
# For an inclusion: another way in after the concept ("... or hospitalized"), not another bound ("or higher")
_OR_OTHER = re.compile(r"\b(?:and/)?or\b(?!\s+(?:higher|more|greater|less|lower|above|below|over|under|equal|fewer|"
                       r"older|younger|longer|shorter)\b)", re.IGNORECASE)
# where what follows a concept only says how it is confirmed or gives examples of it
_HOW_OR_EXAMPLES = re.compile(r"\b(?:by|via|using|through|e\.\s?g\.?|such\s+as|including|i\.\s?e\.?)\b|"
                              r"\bas\s+(?:determined|evaluated|confirmed|documented)\b", re.IGNORECASE)
_SEXES = re.compile(r"\b(?:males?|females?|men|women|man|woman)\s+(?:and/)?or\s+(?:non-?pregnant\s+)?"
                    r"(?:males?|females?|men|women|man|woman)\b", re.IGNORECASE)
_ANY_OF = re.compile(r"\b(?:any|one|at\s+least\s+one|either)\s+of\b", re.IGNORECASE)


def clause_bounds(line: str, start: int, end: int) -> "tuple[int, int]":
    """Where the clause of ``line`` that holds ``line[start:end]`` begins and ends."""
    begin = 0
    for m in _CLAUSE_END.finditer(line, 0, max(start, 0)):
        begin = m.end()
    after = _CLAUSE_END.search(line, end)
    return begin, after.start() if after else len(line)


def clause_around(line: str, start: int, end: int) -> str:
    begin, stop = clause_bounds(line, start, end)
    return line[begin:stop]


def clause_before(line: str, start: int) -> str:
    """The words of the clause before position ``start``."""
    return line[clause_bounds(line, start, start)[0]:start]


# A pair's first item that opens with a qualifier, after the verb that says it is taken or had ("Is taking high-dose")
_PAIR_QUALIFIED = re.compile(r"(?:(?:is|are)\s+)?(?:(?:taking|receiving|using|on|use\s+of|treatment\s+with|"
                             r"therapy\s+with)\s+)?(?=" + _DEGREE.pattern + ")", re.IGNORECASE)


def qualifying_words(line: str, start: int, end: int) -> str:
    """The words that qualify the concept at ``line[start:end]``: its own phrase (from the item
    separator before it to the one after it, "severe untreated psychiatric disorder"), what
    narrows it after it ("illness severe enough to require ..."), and the head of a list it is an
    example in ("Significant ECG abnormalities, including ... AV block") or that it ends ("Uncontrolled
    bacterial, fungal, or viral infection"). The head of a list in
    brackets that defines it with thresholds ("Severe hepatic impairment (bilirubin > 2 mg/dL, ...
    jaundice)") is left out: the items are the definition."""
    begin, stop = clause_bounds(line, start, end)
    before, after = line[begin:start], line[end:stop]
    items_after = _ITEM.split(after)
    own = _ITEM.split(before)[-1] + " " + items_after[0]
    if len(items_after) > 1 and _GRADED.match(items_after[1]):
        own += " " + items_after[1]  # "chronic kidney disease, stage 4 or 5"
    narrowing = after if _NARROWING_AFTER.match(after) else ""
    head = ""
    opened = before.rfind("(")
    if opened > before.rfind(")"):  # inside brackets: examples of the head, or its definition
        closed = line.find(")", end)
        inside = line[opened:closed if closed >= 0 else stop]
        if _EXAMPLES.search(before[opened:]) or not re.search(r"\d", inside):
            head = before[:opened]
    else:
        examples = None
        for examples in _EXAMPLES.finditer(before):
            pass
        if examples is not None:
            head = before[:examples.start()]
    items_before = _ITEM.split(before)
    if len(items_before) > 1 and re.search(r"\b(?:and/)?or\s*$", before, re.IGNORECASE) and \
            _PAIR_QUALIFIED.match(items_before[-2].strip()) and len(items_before[-2].split()) > 1:
        # the second of a pair whose first opens with a qualifier of its noun, which may be both's ("symptomatic
        # inflammatory bowel disease or ulcerative colitis", "Is taking high-dose hydroxychloroquine or chloroquine";
        # not "Contraindication or allergy to ...")
        head += " " + items_before[-2]
    first, *others = items_before
    if others and len(first.split()) <= 3 and all(len(item.split()) <= 1 for item in others) \
            and not re.search(r"\d", before):
        # the concept ends a list of single words that share its noun: the list's first words
        # qualify each of them ("Uncontrolled bacterial, fungal, or viral infection")
        head += " " + first
    return f"{head} {own} {narrowing}"


# After a concept, how it was found: the test, not the concept ("confirmed by RT-PCR or another diagnostic test")
# (to what else the clause says of the concept: "confirmed by PCR with severe symptoms" keeps "severe")
_CONFIRMED_HOW = re.compile(r"\b(?:confirmed|diagnosed|documented|detected|proven|established)\s+(?:by|via|with|"
                            r"using|through|on)\b(?:(?!\b(?:and|with|who|that|which|while|requir\w*)\b)[^;,])*",
                            re.IGNORECASE)


def confirmed_how(line: str, start: int, end: int) -> str:
    """The clause of the concept at ``line[start:end]`` without the words after it that say how it was confirmed,
    which qualify the test, not the concept."""
    begin, stop = clause_bounds(line, start, end)
    return line[begin:end] + _CONFIRMED_HOW.sub(" ", line[end:stop])


# What, anywhere in a concept's clause, leaves the criterion to the study team.
_CLAUSE_REASONS = [
    (_EXCEPTION, "it makes an exception"),
    (_CONDITIONAL, "it applies to some people only"),
    (_JUDGEMENT, "the investigator judges it"),
    (_HALF_LIVES, "its time frame depends on the drug"),  # "within 30 days or five half-lives, whichever is longer"
    (_COUNTED, "it counts several findings"),  # "at least two of the following"
    # "Two negative nasopharyngeal swabs done at least 24 hours apart": a series of results, which no one result holds
    # (not "SARS-CoV-2 positive", nor "HIV types 1 or 2 antibodies positive")
    (re.compile(r"(?<![\w-])(?:two|three|2|3|consecutive|serial|successive|repeated)\s+(?:(?:consecutive|serial|"
                r"successive|separate)\s+)?(?:negative|positive)\b|\b(?:hours?|days?|weeks?)\s+apart\b", re.I),
     "it asks for a series of results"),
    (re.compile(r"life\s+expectancy|prognos\w*|survival", re.I), "it rests on a prognosis"),
    # "More than 10 days of any of the following symptoms": how long it has lasted, which no fact holds
    (re.compile(r"\b(?:more|longer|greater)\s+than\s+(?:\d+|one|two|three|four|five|six|seven|ten|fourteen)\s*"
                r"(?:hours?|days?|weeks?|months?)\s+(?:of|with)\b", re.I), "it says how long it lasted"),
    # "chronic administration (more than 14 days) of", "long-term use of": how long, not whether
    (re.compile(r"\b(?:chronic|long[-\s]?term|prolonged|continuous|regular|daily)\s+(?:use|administration|"
                r"treatment|therapy|intake|dosing|consumption)\b|\b(?:treated|treatment)\s+for\s+(?:less|more|"
                r"at\s+least|over|under|longer|fewer)\b", re.I), "it says how long or how often"),
]


def hand_off(line: str, start: int, end: int, kind: str, negated: bool = False) -> Optional[str]:
    """Why a criterion naming the concept at ``line[start:end]`` cannot be read as a rule over one
    fact about the concept, or None when it can."""
    clause = clause_around(line, start, end)
    concept, before = line[start:end], clause_before(line, start)
    rest = line[end:clause_bounds(line, start, end)[1]]
    washout = _HALF_LIVES.search(rest) or not _OWN_FRAME.match(rest)
    if not washout:
        # "abatacept within 8 weeks (or 5 half-lives, whichever is longer), treatment with ...
        # azathioprine ... within 4 weeks": the washout is the other drugs' time frame, not this one's
        clause = clause.replace(before, _HALF_LIVES_ASIDE.sub(" ", before))
    reason = next((why for pattern, why in _CLAUSE_REASONS if pattern.search(clause)), None)
    if not reason and washout and _HALF_LIVES.search(line):
        # the washout may be said in the line's next sentence: "... at study entry. Note: A washout
        # period 4 weeks (or 5 half-lives, whichever is longer) is required"
        reason = "its time frame depends on the drug"
    if not reason and kind == "exclusion" and population(before):
        reason = "it is about some people only"
    if reason or (kind == "inclusion" and _RISK.search(clause)):
        reason = reason or "it rests on a risk"
        return reason
    # an inclusion read without a qualifier lets in people it does not: any in its clause counts;
    # an exclusion read without one only excludes too many: those of the concept's own phrase count
    # (not how an inclusion's concept is confirmed: "COVID-19 confirmed by RT-PCR assay or another diagnostic test")
    words = confirmed_how(line, start, end) if kind == "inclusion" else qualifying_words(line, start, end)
    degree = _DEGREE.search(words + " " + concept) or _NARROWED.search(before)
    if degree:
        return f"it qualifies the concept (\"{degree.group()}\")"
    if negated and kind == "exclusion":
        return "it excludes the absence of something"
    if not negated and _DENIAL.search(_ITEM.split(before)[-1].split(":")[-1]):
        return "its words deny what the row does not"  # "Not having an allergy to ..." coded as the allergy
    after = re.sub(r"^\((?:e?s)\)", "", line[end:clause_bounds(line, start, end)[1]])  # "disease(s) requiring"
    if _NARROWING_AFTER.match(after) or (_ACT_ONLY.fullmatch(concept.strip()) and _WHAT_ACT.match(after)):
        return "what follows narrows it"  # "surgeries to prevent obtaining swabs", "illness that requires ..."
    if _DEFINED_AFTER.match(after):
        if re.match(r"\s*with\b", after) and not re.search(r"\d", _TIME_FRAME.sub(" ", after)):
            # "immunotherapy with an immune checkpoint inhibitor within 60 days": its number is when
            return "what follows narrows it"
        return "what follows defines it"  # "Prolonged QT interval (>450)": a value, which a diagnosis may not say
    if kind == "exclusion" and joined_by_and(line, start, end):
        return "it needs the other with it"  # "Current use of loop diuretics and potassium supplementation"
    if _NARROWS_THE_LIST.match(after_the_list(line, start, end)):
        # a list the concept is an item of: "a co-morbidity (including ... cardiovascular disease ...) that
        # prevents the use of HCQ", "COPD or Congestive Heart Failure patients requiring home oxygen"
        return "what follows narrows it"
    if done_for(before):
        return "it is about what is done for the concept"  # "hospitalization for COVID-19"
    if kind == "inclusion" and examples_before(before, line[end:]):
        return "its examples are not each required"  # "standard care for SCD, including penicillin prophylaxis"
    if _STUDY_PRODUCT.search(concept) or (_ALLERGY.search(before + concept) and _STUDY_PRODUCT.search(clause)):
        return "it is about the study's own product"
    return None


# The items after a concept in its list (", epilepsy or renal failure"), and what narrows the whole list after them
_NARROWER = r"(?:that|which|who|requir\w*|needing|necessitat\w*)\b"
_ITEM_WORD = rf"(?!{_NARROWER}|(?:or|and)\b)[\w'-]+"
_LIST_ITEMS = re.compile(rf"^(?:\s*(?:,|\bor\b|\band/or\b|\band\b)\s*{_ITEM_WORD}(?:\s+{_ITEM_WORD}){{0,3}})*", re.IGNORECASE)
_NARROWS_THE_LIST = re.compile(rf"^\s*(?:,\s*(?!which))?{_NARROWER}", re.IGNORECASE)  # not ", which include ..."


def after_the_list(line: str, start: int, end: int) -> str:
    """What follows the list that the concept at ``line[start:end]`` is an item of: the words after
    the closing bracket of the examples it is among ("a co-morbidity (including ..., cardiovascular
    disease or renal failure) that prevents ..."), or after the items that follow it ("epilepsy,
    cardiovascular disease or renal failure that ..."), to the end of its clause."""
    begin, stop = clause_bounds(line, start, end)
    before = line[begin:start]
    if before.rfind("(") > before.rfind(")"):
        closed = line.find(")", end, stop)
        return line[closed + 1:stop] if closed >= 0 else ""
    after = line[end:stop]
    items = _LIST_ITEMS.match(after).end()
    if re.search(r"(?:,|\bor\b|\band\b)\s*(?:those|patients?|subjects?|participants?|individuals?|people|persons?)\b",
                 after[:items], re.IGNORECASE):
        # "active cancer or those who have had recent cancer treatment": an item of another subject, whose clause
        # it is (not "COPD or Congestive Heart Failure patients requiring home oxygen")
        return ""
    return after[items:]


# "X and Y" of two items alone (not a list: "diabetes, hypertension and obesity"; not "and/or"; not a new subject)
_AND_AFTER = re.compile(r"^\s+and\s+(?!/|or\b|who\b|that\b|which\b|those\b|patients?\b|subjects?\b|has\b|have\b|is\b|are\b|"
                        r"with\b|\d)[a-z][\w-]*(?:\s+(?!or\b)[a-z][\w-]*){0,3}\s*(?:$|\bor\b|[.;])", re.IGNORECASE)
_AND_BEFORE = re.compile(r"(?:^|:)\s*(?:[a-z][\w-]*\s+){1,6}and\s+$", re.IGNORECASE)


def joined_by_and(line: str, start: int, end: int) -> bool:
    """Whether the concept at ``line[start:end]`` is one of two joined by "and" ("Current use of loop diuretics
    and potassium supplementation"): read alone, an exclusion would exclude for one of them."""
    begin, stop = clause_bounds(line, start, end)
    before, after = line[begin:start], line[end:stop]
    if "," in before or "(" in before[-3:]:
        return False
    return bool(_AND_AFTER.match(after) or (_AND_BEFORE.search(before) and not re.search(r"\band\b", before[:-5])
                                            and re.match(r"\s*(?:$|\bor\b|[.;])", after)))


def examples_before(before: str, after: str = "") -> bool:
    """Whether the words before a concept in its clause make it one example of a class or of a
    definition ("including", "such as", "symptoms consistent with COVID-19 (fever, ...") rather
    than one of "any of the following" (alternatives the annotations join). A bracket of
    abbreviations joined by "/" (with ``after``, the words after the concept) names the tests of
    its head, not examples of it: "Aminotransferase (AST/ALT) levels < 3x ULN" is of both."""
    opened = before.rfind("(")
    inside = opened > before.rfind(")")
    if inside and not _EXAMPLES.search(before[opened:]) and after.find(")") >= 0 and \
            _ABBREVIATIONS.fullmatch(f"{before[opened + 1:]}X{after[:after.find(')')]}"):
        inside = False
    return bool((_EXAMPLES.search(before) or inside) and not _ANY_OF.search(before))


_ABBREVIATIONS = re.compile(r"\s*[A-Z][A-Z0-9-]*(?:\s*/\s*[A-Z][A-Z0-9-]*)+\s*")  # "AST/ALT", not "BMI"


def modifier_of(after: str) -> bool:
    """Whether an illness named before ``after`` only says what a treatment, test or place is for
    ("COVID-19 convalescent plasma", "COVID-19 ward")."""
    return bool(_MODIFIER_OF.match(after))


_STAY_FOR = re.compile(r"\b(?:hospitali[sz]\w*|admi(?:tted|ssions?))\s+(?:for|with)\s+(?:the\s+|an?\s+)?$", re.IGNORECASE)


def a_stay_for(before: str) -> bool:
    """Whether the words before an illness name a stay in hospital for it ("hospitalization for COVID-19"): what
    is done for it that the person knows of."""
    return bool(_STAY_FOR.search(before))


def done_for(before: str) -> bool:
    """Whether the words before a concept name what is done for it ("hospitalization for"), or for
    the list it is one of ("PCR test result for HIV, HBV or HCV")."""
    return bool(_DONE_FOR.search(before))


# Before an illness, a positive result of a test for it ("Confirmed PCR test result for HIV, HBV or HCV",
# "Positive test for COVID-19"): the criterion is the result, which a test of the illness holds
_POSITIVE_TEST_FOR = re.compile(
    r"\b(?:positive|confirmed|detectable|reactive)\s+(?:[\w()-]+\s+){0,3}?(?:tests?|results?|assays?|pcr|swabs?)\s+"
    r"(?:results?\s+)?for\s+(?:the\s+)?(?:[\w-]+(?:\s*,\s*|\s+or\s+|\s+and/or\s+))*$", re.IGNORECASE)


def positive_test_for(before: str) -> bool:
    """Whether the words before an illness say a test for it was positive (``done_for`` of a test,
    with its result)."""
    return bool(_POSITIVE_TEST_FOR.search(before))


def other_ways_in(line: str, start: int, end: int) -> bool:
    """Whether the clause of an inclusion's concept offers other ways in than the concept ("positive
    test ... or hospitalized for COVID-19"): reading the concept alone would turn the others away."""
    begin, stop = clause_bounds(line, start, end)
    after = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", line[end:stop])  # what brackets say is not another way
    how = _HOW_OR_EXAMPLES.search(after)
    # before it: "PaO2/FiO2 < 200 mmHg or FiO2 0.4 is required ... on HFNC" (not "male or female")
    before = _SEXES.sub(" ", re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", line[begin:start]))
    how_before = list(_HOW_OR_EXAMPLES.finditer(before))
    before = before[how_before[-1].end():] if how_before else before
    return bool(_OR_OTHER.search(after[:how.start()] if how else after) or _OR_OTHER.search(before))


def time_sense(kind: str, before: str, concept: str, procedure: bool = False, clause: str = "") -> str:
    """Whether a concept is meant now or ever: the words before it say so ("history of": ever;
    "active", "current": now; for an exclusion, "history of" anywhere in its clause too: "hepatitis
    B infection, history of"); otherwise an inclusion means now (a past illness must not pass an
    inclusion meant for a current one), and an exclusion means ever, unless the concept is a state
    of the moment (a symptom, an acute illness, a support like ventilation)."""
    words = f"{before} {concept}"
    if procedure and kind == "exclusion" and _DONE_ONCE.search(concept):
        return EVER  # "Current ... resection of the stomach": an operation is had once, and what it leaves lasts
    now = _NOW.search(words)
    # "received", "receipt of": a treatment had at some time, not one being had now
    ever = _EVER.search(words) or _RECEIVED.search(words)
    if now and not (ever and ever.start() > now.start()):
        return NOW  # (not "Active known secondary bacterial infection": "known" does not make it of the past)
    ever = ever or (_EVER_EXCLUSION.search(words) if kind == "exclusion" else None)
    if kind == "exclusion" and not ever and not now:
        ever = _EVER.search(clause) or _EVER_EXCLUSION.search(clause)
    if ever:
        return EVER
    if kind == "inclusion":
        return NOW
    if value_beside(clause, concept):
        return NOW  # "Rhabdomyolysis or CPK > 5x ULN": the episode of now, beside the value of now
    if re.search(r"\bchronic\b", words, re.I):
        return NOW if procedure else EVER  # "chronic hemodialysis" is ongoing; "chronic hepatitis" a diagnosis
    acute = _ACUTE_PROCEDURE if procedure else _ACUTE
    return NOW if acute.search(concept) else EVER


_MALIGNANT = re.compile(r"malignan|cancer|carcinoma|sarcoma|lymphoma|leuk(?:a)?emia|myeloma|melanoma|"
                        r"(?:neoplas|tumou?r)\w*\s*$", re.IGNORECASE)


def bare_malignancy(kind: str, before: str, concept: str, clause: str) -> bool:
    """Whether an exclusion names a malignancy with no word of when ("Intracranial malignancy", where the same list
    writes "History of ..." when it means the past): a cancer now is meant, or one ever, which only the study team
    can tell."""
    words = f"{before} {concept}"
    return kind == "exclusion" and bool(_MALIGNANT.search(concept)) and not (
        _NOW.search(words) or _EVER.search(words) or _RECEIVED.search(words) or _EVER_EXCLUSION.search(words)
        or _EVER.search(clause) or _EVER_EXCLUSION.search(clause) or _NOW.search(clause))


def value_beside(clause: str, concept: str) -> bool:
    """Whether a concept is followed, as another way to meet the criterion, by a value ("Rhabdomyolysis
    or CPK > 5x ULN"), not by a definition in brackets or another item of a list."""
    at = clause.lower().find(concept.lower()) if concept else -1
    after = clause[at + len(concept):] if at >= 0 else ""
    alternative = re.match(r"\s*,?\s*(?:or|and/or)\s+([^,;()]{0,40})", after, re.IGNORECASE)
    return bool(alternative and _VALUE.search(alternative.group(1)))


# Why a criterion was handed off, when only people with its concept meet it: its qualifier, exception,
# condition or population only narrows the concept ("uncontrolled", "except COVID-19", "requiring
# dialysis", "for patients with"), so a person without the concept does not meet it. Not a suspicion,
# a risk, a plan, a remission, a family's history, an absence, a count, a drug's washout, a definition
# by a value: a person without the concept (as its question asks it) may still meet those.
_NARROWS_ONLY = re.compile(
    r"^(?:it makes an exception|it applies to some people only|it is about some people only|"
    r"the investigator judges it|what follows narrows it|it needs the other with it|it says how long it lasted|"
    r"it says what it was given for)$|"
    r"^it qualifies the concept \(\"(?:severe(?:ly)?|uncontrolled|poorly\s+controlled|untreated|"
    r"(?:clinically\s+)?significant(?:ly)?|unstable|serious|major|moderate|decompensated|symptomatic|refractory|"
    r"progressive|advanced|end[-\s]stage|life[-\s]threatening|grade|class|stage|child[-\s]?pugh|nyha|ctcae|"
    r"multiple|repeated|recurrent|chronic|frequent|long-?standing|opinion|judg\w*|investigator|physician|"
    r"discretion|deemed|considered|interfere\w*|compromise\w*|"
    r"[^\"]*\d\s*(?:mg|g|mcg|µg|ug|iu|units?)\b[^\"]*|"  # a dose of the drug, in figures or in words
    rf"{DOSE_IN_WORDS}\w*)\s*\"\)$", re.IGNORECASE)


def narrows_only(reason: str) -> bool:
    """Whether a hand-off's reason (``hand_off``) only narrows the concept: nobody without the
    concept meets the criterion."""
    return bool(_NARROWS_ONLY.match(reason))


# For an inclusion, only a degree or a setting the concept is had in narrows it ("Moderate COVID-19", "ICU-based
# mechanical ventilation"): a judgement ("adequate organ function as assessed by the investigator"), an
# exception ("... are allowed") or a condition ("may include") does not make the concept required.
_NARROWS_AN_INCLUSION = re.compile(
    r"^it qualifies the concept \(\"(?:severe(?:ly)?|uncontrolled|poorly\s+controlled|untreated|"
    r"(?:clinically\s+)?significant(?:ly)?|unstable|serious|moderate|decompensated|symptomatic|refractory|"
    r"progressive|advanced|end[-\s]stage|life[-\s]threatening|[a-z]+-based)\s*\"\)$", re.IGNORECASE)


def narrows_an_inclusion(reason: str) -> bool:
    """Whether a hand-off's reason only narrows an inclusion's concept: nobody without the concept
    is let in (``narrows_only`` for an inclusion)."""
    return bool(_NARROWS_AN_INCLUSION.match(reason))


# "confirmed or suspected", "known or suspected": the concept, or the study team's suspicion of it
_OR_SUSPECTED = re.compile(r"\b(?:(?:known|confirmed|documented|proven|diagnosed)\s+(?:or|and/or)\s+suspected|"
                           r"suspected\s+(?:or|and/or)\s+(?:known|confirmed|documented|proven|diagnosed))\b",
                           re.IGNORECASE)


def suspected_too(line: str, start: int, end: int) -> bool:
    """Whether an exclusion of the concept at ``line[start:end]`` is of it "confirmed or suspected"
    and says nothing else the concept's fact cannot hold: without those words, it would be read as
    a rule."""
    begin = clause_bounds(line, start, end)[0]
    found = _OR_SUSPECTED.search(line, begin, start)
    if not found:
        return False
    blank = line[:found.start()] + " " * len(found.group()) + line[found.end():]
    return hand_off(blank, start, end, "exclusion") is None


def suspicion_before(line: str, start: int) -> bool:
    """Whether the concept's clause suspects it ("Known or suspected active viral (including ... HIV ...)
    infection other than COVID-19"): a person who does not know of it may still be excluded, so its absence
    settles nothing."""
    return bool(re.search(r"\bsuspect(?:ed|ion)\b", clause_before(line, start), re.IGNORECASE))


def known_to_the_person(line: str, start: int, end: int) -> bool:
    """Whether a person who does not have the concept at ``line[start:end]`` can say so, so that a
    "no" settles an exclusion whose qualifier only narrows it: not when a test or a value defines
    the criterion ("Significant screening ECG abnormalities, including AV block", "severe LV
    dysfunction (LVEF < 35%)": a finding the person may not know of), and not when the concept is
    what an exception names ("other than SARS-CoV-2", "with the exception of thyroid disease")."""
    clause = clause_around(line, start, end)
    if _DIAGNOSTIC.search(clause) or re.search(r"\blab(?:orator\w*|s)?\b", clause, re.IGNORECASE) \
            or _VALUE.search(clause):
        return False
    return not _EXCEPTION.search(clause_before(line, start))


def population(before: str) -> bool:
    """Whether the words before a concept say whom the criterion is about ("Immunocompromised
    patients with ..."): an exclusion of that population with the concept, not of the concept."""
    return bool(_POPULATION.search(before))


def past_value(before: str) -> bool:
    """Whether the words before a value say it is of the past ("History or clinical evidence of ...
    (LVEF <40%)"), which the most recent value does not hold. What a closed bracket says is another
    item's aside ("Severe chronic liver dysfunction (history of portal hypertension ...), AST, ALT
    ... 5 times"): the value is still the latest one."""
    aside = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
    while aside.search(before):  # brackets nest: "(history of portal hypertension (HTN), ...)"
        before = aside.sub(" ", before)
    return bool(_EVER.search(before))


# A body site: a concept that lacks the site its entity names is broader than the entity
# ("bleeding within brain" coded as any haemorrhage)
_SITES = [re.compile(p, re.IGNORECASE) for p in (
    r"\b(?:brain|cerebr\w*|intracran\w*|intra-cran\w*|cranial|cns)\b", r"\b(?:heart|cardi\w*|myocard\w*|coronar\w*)\b",
    r"\b(?:lungs?|pulmon\w*|pneum\w*|respirat\w*|bronch\w*)\b", r"\b(?:liver|hepat\w*)\b",
    r"\b(?:kidneys?|renal|nephr\w*)\b", r"\b(?:gastro\w*|intestin\w*|bowel|colon\w*|stomach|gastric|gi)\b",
    r"\b(?:skin|cutaneous|derm\w*)\b", r"\b(?:eyes?|ocular|retin\w*|ophthalm\w*)\b")]


def broader(entity: str, concept: str) -> bool:
    """Whether a concept lacks a body site its entity names ("bleeding within brain" coded as
    "hemorrhage"): a person with a nosebleed would answer "yes" to the concept's question."""
    return any(site.search(entity) and not site.search(concept) for site in _SITES)


# What a person can or cannot do ("Inability to swallow pills", "Unable to take oral medications", "Able to
# donate blood"): not a diagnosis, which a person who cannot swallow pills may never have had. (Not "cannot be
# corrected", what is done to a concept, nor "difficulty breathing", a symptom.)
_ABILITY = re.compile(r"\b(?:(?:in)?ability|(?:un)?able|incapable|impossib\w*)\s+(?:to|of)\b|"
                      r"\bcan(?:not|'t|\s+not)\b(?!\s+be\b)", re.IGNORECASE)
_ABILITY_BEFORE = re.compile(rf"(?:{_ABILITY.pattern})(?:\s+[\w-]+){{0,2}}\s*$", re.IGNORECASE)


def an_ability(before: str, concept: str) -> bool:
    """Whether a concept, in its own words or those just before it in its item ("Inability to " before
    "swallow pills"), names what a person can or cannot do rather than an illness or a treatment."""
    own = re.split(r"\s-|:", _ITEM.split(before)[-1])[-1]  # not "unable to consent -intubated": its reason
    # (the ability is the concept's when it leads to it: not "who cannot follow-up such as those with dementia")
    return bool(_ABILITY.search(concept) or _ABILITY_BEFORE.search(own))


def past_pregnancy(text: str) -> bool:
    """Whether the words speak of a pregnancy of the past, which the facts of the present
    ("pregnant", "breastfeeding") do not hold: "never been pregnant" is not "not pregnant now"."""
    return bool(_PAST_PREGNANCY.search(text))


def is_allergy(before: str, concept: str) -> bool:
    """ "hypersensitivity to tocilizumab", "allergic reactions to IVIG": the concept is what the
    person reacts to."""
    return bool(_ALLERGY.search(before[-40:]) or _ALLERGY.search(concept))


def own_condition(text: str, conditions: Iterable[str]) -> bool:
    """Whether an exclusion names a class of illness that the trial's own condition belongs to
    ("history of any malignancy" in a breast-cancer trial)."""
    conditions = list(conditions)
    if not conditions or names_own_condition(text, conditions):
        return False  # "Stage I or IV breast cancer" in a breast-cancer trial: about its own condition, asked
    conditions = " ".join(conditions)
    for in_text, in_condition in _CLASSES:
        if in_text.search(text) and in_condition.search(conditions):
            return True
    return False


def own_treatment(text: str, treatments: Iterable[str]) -> bool:
    """Whether an exclusion names a kind of treatment the trial itself gives ("concurrent hormone
    therapy" in a trial of adjuvant endocrine therapy)."""
    treatments = " ".join(treatments)
    return any(kind.search(text) and kind.search(treatments) for kind in _TREATMENTS)


def unreadable(clause: str) -> Optional[str]:
    """Why a clause, whatever concept it names, is the study team's (an exception, a condition, a
    judgement, a drug-dependent time frame, a count of findings, a prognosis or risk), or None."""
    found = next((why for pattern, why in _CLAUSE_REASONS if pattern.search(clause)), None)
    return found or ("it rests on a risk" if _RISK.search(clause) else None)


# A list heading that introduces its section's criteria, not a qualifier of its items ("Subjects will be
# excluded from entry if ANY of the criteria listed below are met:", "... must meet all of the following criteria")
_PREAMBLE = re.compile(r"\b(?:criteri(?:a|on)|(?:in|ex)clu(?:ded|sion)|(?:in)?eligib\w*|enrol\w*|all|each|both|every)\b",
                       re.IGNORECASE)
# A list heading whose items are themselves the exceptions: "Exceptions include the following noninvasive
# malignancies:", "... are ineligible for this study, with the following exceptions:"
_EXCEPTIONS_LISTED = re.compile(r"\bexceptions?\b[^:]*\b(?:following|below|include)\b|\bfollowing\s+exceptions?\b",
                                re.IGNORECASE)
_NOT_LIMITED = re.compile(r"\(?\s*\b(?:but\s+)?(?:is\s+|are\s+)?not\s+(?:be\s+)?limited(?:\s+or\s+\w+)?\s+to\b\s*\)?",
                          re.IGNORECASE)


# What a list's heading says its items were given for ("Received any of the following ... as treatment of
# COVID-19:", "... for the prevention of ..."): a drug taken for something else is not one of them
_PURPOSE = re.compile(r"\b(?:as|for)\s+(?:(?:the|a|an)\s+)?(?:treatment|therapy|management|prophylaxis|prevention)"
                      r"\s+(?:of|for|against)\b", re.IGNORECASE)


def heading_reason(heading: str, kind: str) -> Optional[str]:
    """Why the heading of a list leaves each of its items to the study team (``unreadable``: its
    exception, condition or judgement is each item's: "Patients currently using any of the following
    medications (unless willing to discontinue the medication during the study):"; what the items were
    given for; for an exclusion, a degree that narrows each item: "Participants who have any severe and/or
    uncontrolled medical conditions such as:"), or None: a section's preamble, "including but not limited
    to", or a risk its exclusion's items each carry ("high risk of bleeding due to conditions including ...
    any of the following:")."""
    if _EXCEPTIONS_LISTED.search(heading):
        return "its items are exceptions"
    if _PREAMBLE.search(heading):
        return None
    heading = _NOT_LIMITED.sub(" ", heading)
    reason = unreadable(heading)
    if kind == "exclusion" and reason == "it rests on a risk":
        return None
    if reason is None and _PURPOSE.search(heading):
        return "it says what it was given for"
    if reason is None and kind == "exclusion" and not re.search(r"\bdefin\w*", heading, re.IGNORECASE):
        # (not a degree its items define: "Patients with significant liver or renal dysfunction ... as defined as:")
        found = _DEGREE.search(heading)
        narrowing = f"it qualifies the concept (\"{found.group()}\")" if found else ""
        return narrowing if narrowing and narrows_only(narrowing) else None
    return reason


# A plan beside what is had now ("Received or plans to receive a ... vaccine", "breastfeeding or planning to
# breastfeed", "Currently prescribed ... or planned administration during the study of ..."): a person who has not
# begun may still be excluded, which no fact of what is had holds. (A plan alone, "Planned major surgery during the
# study", is not what is had: its qualifier hands it to the study team.)
_PLAN_BESIDE = re.compile(r"\b(?:or|and/or)\s+(?:\w+\s+){0,2}?(?:plan(?:s|ned|ning)?|intend(?:s|ing)?|intention|"
                          r"scheduled|expect(?:s|ed|ing)?\s+to)\b|\b(?:plann(?:ed|ing)|intended)\s+or\b", re.IGNORECASE)


def a_plan(text: str) -> bool:
    """Whether the words also speak of a plan beside what is had ("or plans to receive"), which an exclusion
    excludes too."""
    return bool(_PLAN_BESIDE.search(text))


def degree(text: str) -> Optional[str]:
    found = _DEGREE.search(text)
    return found.group() if found else None


def judged(text: str) -> bool:
    """Whether the words leave it to a clinician's judgement ("Skin process precludes cooling device",
    "in the opinion of the investigator"), which no patient can make."""
    return bool(_JUDGEMENT.search(text))


def conditional(text: str) -> bool:
    return bool(_CONDITIONAL.search(text))


def exception(text: str) -> bool:
    return bool(_EXCEPTION.search(text))


def said_before(text: str) -> bool:
    """Whether the words say "before" outright ("history of", "prior", "previous", "received")."""
    return bool(_EVER.search(text) or _RECEIVED.search(text))


def lasting(test: str) -> bool:
    """Whether a test finds what lasts once found (HIV, hepatitis B or C, an antibody), so that a
    positive result of any time is one now, unlike a COVID-19 swab's."""
    return bool(_LASTING.search(test))


def history_in(text: str) -> bool:
    """Whether the words speak of the past ("history of", "previous", "known", "documented")."""
    return bool(_EVER.search(text) or _EVER_EXCLUSION.search(text))


@dataclass(frozen=True)
class Said:
    """The words around a concept in its line: those before it in its clause (with the row's own
    time words when they are in the line), the concept, and its whole clause."""

    before: str
    concept: str
    clause: str
    line: str = ""

    def time_sense(self, kind: str, procedure: bool = False) -> str:
        return time_sense(kind, self.before, self.concept, procedure, self.clause)


_GENERIC = {"infection", "infections", "disease", "diseases", "syndrome", "acute", "severe", "respiratory", "virus",
            "viral", "illness", "disorder", "patients", "pneumonia", "mild", "moderate", "critical", "novel", "the",
            "and", "with", "due", "to", "of", "in", "has", "had", "have", "moment", "currently", "diagnosed",
            "last", "days", "ever", "positive", "recent", "test", "for", "been"}


def generic(name: str) -> bool:
    """Whether a concept's name says no more than "disease" or "severe illness": nothing to ask about."""
    return set(re.findall(r"[a-z]+", name.lower())) <= _GENERIC


_SAME = [(re.compile(r"^(?:covid|sars|coronavir|ncov|2019ncov)"), "covid")]  # one illness, many names


def _tokens(text: str) -> set:
    words = re.findall(r"[a-z0-9]+", re.sub(r"[-\s]+(?=\d)", "", text.lower()))
    found = set()
    for word in words:
        if len(word) > 2 and word not in _GENERIC:
            found.add(next((same for pattern, same in _SAME if pattern.match(word)), word))
    return found


def named_again(concept: str, text: str) -> bool:
    """Whether ``text`` names the concept again, by one of its own words ("TB" in "history of incompletely treated
    TB" for "tuberculosis (TB)"; not "infection" for "Influenza A infection")."""
    own = {w for w in re.findall(r"[a-z0-9]+", concept.lower()) if len(w) > 1 and w not in _GENERIC}
    return bool(own & set(re.findall(r"[a-z0-9]+", text.lower())))


def qualified_again(concept: str, history: str) -> bool:
    """Whether the item of the line that names the concept again in the past (``history``, from its time words: "history
    of incompletely treated TB", "history of TB of the following types") says more of it than when, which a fact
    of the concept had ever does not hold; not "prior history of cancer", nor one "within the past 12 months"."""
    item = re.split(r"[,;]|\b(?:and/)?or\b|\band\b", history, maxsplit=1, flags=re.IGNORECASE)[0]
    if _TIME_FRAME.search(item):
        return False
    own = {w for w in re.findall(r"[a-z0-9]+", concept.lower())}
    said = {w for w in re.findall(r"[a-z0-9]+", _EVER.sub(" ", item).lower())}
    return bool(said - own - {"of", "the", "a", "an", "with", "known", "documented"})


def names_own_condition(text: str, conditions: Iterable[str]) -> bool:
    """Whether a criterion names the trial's own condition ("COVID-19" in a COVID-19 trial)."""
    own = set().union(*(_tokens(c) for c in conditions)) if conditions else set()
    return bool(own & _tokens(text))


def now_in(text: str) -> bool:
    return bool(_NOW.search(text))


def said_now(before: str) -> bool:
    """Whether the words before a concept say it is of now ("Active", "current"; not "pre-existing", whose "existing"
    is of the past)."""
    return now_in(re.sub(r"\bpre-?existing\b", " ", before, flags=re.IGNORECASE))


def shares_words(a: str, b: str, ignored: Iterable[str] = ()) -> bool:
    """Whether two names share a word, by its first five letters (other than ``ignored``): "HCQ" and
    "hydroxychloroquine" do not, "cultures" and "culture" do."""
    return bool(_stems(a, ignored) & _stems(b, ignored))


def _stems(text: str, ignored: Iterable[str] = ()) -> set:
    """A name's words by their first five letters ("cultures" and "culture" are one)."""
    ignored = set(ignored)
    return {w[:5] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in ignored}


_PLAIN = {"disease", "diseases", "disorder", "disorders", "of", "the", "a", "an", "and", "in", "to", "with", "by",
          "finding", "procedure", "syndrome"}


def partial_match(entity: str, concept: str) -> bool:
    """Whether a concept was matched to an entity by some of its words only: they share a word, yet
    each has one the other lacks ("renal replacement therapy" coded as "gene replacement therapy"):
    another concept. Names with no word in common are synonyms the coders chose ("hepatitis",
    "inflammatory disease of liver"); a concept with a word more or less is kept (an own fact would
    be named by the annotation's words, which are often cut short: "neisseria meningitidis infectio")."""
    a, b = _stems(entity, _PLAIN), _stems(concept, _PLAIN)
    return bool(a & b) and bool(a - b) and bool(b - a)


def narrower(entity: str, concept: str, line: str) -> bool:
    """Whether a concept names less than its entity: it has words that neither the entity nor the
    criterion's line says ("nasal surgery" coded as "functional endoscopic nasal surgery"), so a
    person with another kind of what the criterion names would answer "no". A concept whose extra
    words are in the line is the line's own name for it, the annotation being cut short."""
    a, b = _stems(entity, _PLAIN), _stems(concept, _PLAIN)
    return bool(a) and a <= b and bool(b - a - _stems(line, _PLAIN))


def covered_by(a: str, b: str, ignored: Iterable[str] = ()) -> bool:
    """Whether every word of name ``a`` (other than ``ignored``) is in name ``b``, by its first five
    letters: "allergy to JAK inhibitor" is not covered by "allergy to enzyme inhibitor"."""
    return _stems(a, ignored) <= _stems(b, ignored)


def study_product(text: str) -> bool:
    """Whether the words are about the study's own product ("the investigational medications")."""
    return bool(_OWN_PRODUCT.search(text))


# Before an illness, an image or what it shows ("Radiologic findings compatible with diagnosis of SARS-CoV-2 pulmonary
# infection", "Chest CT showing pneumonia"): the criterion is the image's finding, which having the illness does not say
_IMAGED = re.compile(r"\b(?:radiolog\w*|radiograph\w*|imaging|x-?rays?|cxr|ct|tomograph\w*|scans?|ultraso\w*|mri)\b",
                     re.IGNORECASE)


def seen_on_imaging(before: str) -> bool:
    """Whether the words before an illness say it is what an image shows."""
    return bool(_IMAGED.search(before))


def diagnostic(concept: str) -> bool:
    """Whether a procedure is a test or an image, whose finding is what a criterion is about."""
    return bool(_DIAGNOSTIC.search(concept))
