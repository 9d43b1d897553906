"""An exception to a "no" that names none of a list's items: "No, just high blood pressure".

Asked "Do you have any of these?", people deny the list and name what they do have: "no, just
asthma", "nothing like that, only my cholesterol", "only blood pressure tablets". When what they
name is recognisably none of the items asked about, the "no" stands for every item (and a single
question's "no, just chemo" to radiotherapy is a plain no). What is, or
may be, an item ("no, just my sugar", "only my thyroid" beside an autoimmune question) is not
read here: the item's own cues read it, or the list is asked back.

``CONDITIONS`` names everyday conditions and medicines with the facts each might be taken for
(the hypertension question is about blood pressure; an underactive thyroid is often autoimmune):
it is none of the items only when none of those facts is on the list asked.
"""
from __future__ import annotations

import re
from typing import Collection, Dict, FrozenSet

from bot.parsing.answers import classify_reply

# everyday names -> the facts they might be taken for (none: recognisably none of any question)
CONDITIONS: Dict[str, FrozenSet[str]] = {
    r"(?:high\s+)?blood\s+pressure|hypertension|high\s+bp|bp": frozenset({"uncontrolled_hypertension"}),
    r"(?:high\s+)?cholesterol|statins?": frozenset(),
    r"asthma|copd|emphysema|bronchitis|sleep\s+apn(?:o|)ea|hay\s*fever|allergies": frozenset(),
    r"osteoarthritis|wear\s+and\s+tear|osteoporosis|gout|sciatica|bad\s+back|back\s+(?:pain|problems)": frozenset(),
    r"(?:underactive\s+|overactive\s+)?thyroid|hypothyroidism|hyperthyroidism": frozenset({"autoimmune_disease"}),
    r"migraines?|headaches|glaucoma|cataracts?|eczema|tinnitus|ibs|acne": frozenset(),
    r"(?:acid\s+)?reflux|heartburn|indigestion": frozenset({"stomach_ulcer"}),
    r"depression|anxiety": frozenset({"mental_disorder_limits_consent"}),
    r"(?:the\s+)?cancer|(?:low\s+)?platelets|an(?:a|)emia": frozenset({"uncontrolled_organ_disease"}),
    r"(?:leg|foot|venous)\s+ulcers?|ulcers?\s+on\s+(?:my|her|his)\s+(?:leg|legs|foot|feet|ankle)": frozenset(),
    r"paracetamol|acetaminophen|tylenol|panadol|vitamins?(?:\s+d)?|calcium|iron\s+tablets": frozenset(),
    # treatments, each only what it names: "no, just chemo" to the radiotherapy question
    r"chemo(?:therapy)?": frozenset({"last_chemotherapy", "chemo_induced_thrombocytopenia", "treatment_toxicity_unresolved"}),
    r"radio(?:therapy)?|radiation": frozenset({"last_radiotherapy", "treatment_toxicity_unresolved"}),
    r"(?:platelet\s+|blood\s+)?transfusions?": frozenset(),
}
_CONDITION = re.compile(r"\b(?:" + "|".join(f"(?P<c{i}>{p})" for i, p in enumerate(CONDITIONS)) + r")\b", re.IGNORECASE)
_MIGHT_BE = list(CONDITIONS.values())
# words around a condition's name that say nothing of which it is: "a bit of", "my", "tablets for"
_FILLER = re.compile(r"\b(?:my|her|his|the|a|an|bit|of|little|some|mild|slight|tablets?|pills?|meds|medication|medicine"
                     r"|for|and|in|on|obviously|though|too|also|that'?s|all|it|i|i'?m|have|take|taking|get|got|had"
                     r"|knees?|hips?|joints?|which|is|really|well|so)\b", re.IGNORECASE)
# where the exception starts: "no, just ...", "none of those, apart from ...", "only ..."
_EXCEPTION = re.compile(r"\b(?:just|only|apart\s+from|except(?:\s+for)?|other\s+than|besides|but|bar)\b", re.IGNORECASE)


def names_none_of(text: str, items: Collection[str]) -> bool:
    """Whether ``text`` is a denial (or nothing) followed by an exception that names only conditions
    that are none of ``items`` ("No, just high blood pressure", "only blood pressure tablets")."""
    exception = _EXCEPTION.search(text)
    if exception is None:
        return False
    head = text[:exception.start()].strip(" ,.;:-")
    if head and classify_reply(head) != "no":
        return False  # "diabetes, but only mild": something said before the exception
    return _names_only_others(text[exception.end():], items)


def _names_only_others(words: str, items: Collection[str]) -> bool:
    """Whether the words name one or more conditions, nothing else, and none that might be an item."""
    rest, at = [], 0
    for m in _CONDITION.finditer(words):
        kind = next(int(name[1:]) for name, value in m.groupdict().items() if value)
        if _MIGHT_BE[kind] & set(items):
            return False
        rest.append(words[at:m.start()])
        at = m.end()
    if not rest:
        return False
    rest.append(words[at:])
    return not re.search(r"\w", _FILLER.sub(" ", " ".join(rest)))
