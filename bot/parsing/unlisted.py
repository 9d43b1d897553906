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

Chinese says it the same way ("都没有，就是血压有点高", "没有，只有哮喘", "别的没有，就是有点乏力"), with its own
names (``CONDITIONS_ZH``) and its own words around them: "有点" there says how high the blood pressure is,
not that the "no" is in doubt (``FILLER_ZH``).
"""
from __future__ import annotations

import re
from typing import Collection, Dict, FrozenSet, List, Optional

from bot.parsing.answers import classify_reply
from bot.parsing.chinese import HAS_HAN

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


# The same in Chinese: everyday names, what they might be taken for, and the words around them
CONDITIONS_ZH: Dict[str, FrozenSet[str]] = {
    r"高血压|血压(?:偏|有点|有些|稍微|比较)?高|降压药": frozenset({"uncontrolled_hypertension"}),
    r"高血脂|血脂(?:偏|有点|有些|稍微|比较)?高|胆固醇(?:偏|有点|有些|稍微|比较)?高|他汀": frozenset(),
    r"哮喘|慢阻肺|肺气肿|支气管炎|气管炎|鼻炎|过敏|花粉过敏": frozenset(),
    r"关节炎|骨关节炎|骨质疏松|痛风|腰椎间盘突出|腰间盘突出|颈椎病|腰疼|腰痛|腰不好|腿疼": frozenset(),
    r"甲减|甲亢|甲状腺(?:结节|功能减退|功能亢进)?": frozenset({"autoimmune_disease"}),
    r"偏头痛|头疼|头痛|青光眼|白内障|湿疹|耳鸣|失眠|便秘|痔疮": frozenset(),
    r"胃炎|反流|反酸|烧心|消化不良|胃不好|胃不舒服": frozenset({"stomach_ulcer"}),
    r"抑郁|焦虑": frozenset({"mental_disorder_limits_consent"}),
    r"癌|肿瘤|血小板低|贫血": frozenset({"uncontrolled_organ_disease"}),
    r"乏力|没劲|没力气|累|恶心|没胃口|食欲不好|掉头发|脱发": frozenset({"treatment_toxicity_unresolved"}),
    r"钙片|维生素|维生素D|铁剂|补铁": frozenset(),
    r"化疗": frozenset({"last_chemotherapy", "chemo_induced_thrombocytopenia", "treatment_toxicity_unresolved"}),
    r"放疗|放射治疗": frozenset({"last_radiotherapy", "treatment_toxicity_unresolved"}),
    r"输血|输血小板|输过血": frozenset(),
}
_CONDITION_ZH = re.compile("|".join(f"(?P<c{i}>{p})" for i, p in enumerate(CONDITIONS_ZH)))
_MIGHT_BE_ZH = list(CONDITIONS_ZH.values())
# "有点", "一点", "偏" say how much; "我", "的", "了", "吃药" say nothing of which condition it is
FILLER_ZH = re.compile(r"有点儿?|有些|一点儿?|稍微|稍|轻微|轻度|偏|比较|有|是|得了|得过|吃|在吃|药|的|了|我|她|他|还|也|就|吧|呢|啊|而已|罢了"
                       r"|[\s，,。.！!；;、~～…]")
# where a Chinese exception starts: "没有，就是...", "都没有，只有...", "除了..."
_EXCEPTION_ZH = re.compile(r"就是|只是|只有|除了|不过|但是|但|就")


def names_none_of(text: str, items: Collection[str]) -> bool:
    """Whether ``text`` is a denial (or nothing) followed by an exception that names only conditions
    that are none of ``items`` ("No, just high blood pressure", "only blood pressure tablets")."""
    head = before_exception(text)
    if head is None:
        return False
    if head and classify_reply(head) != "no":
        return False  # "diabetes, but only mild": something said before the exception
    if HAS_HAN.search(text):
        exception = _EXCEPTION_ZH.search(text)
        return _names_only_others(text[exception.end():], items, _CONDITION_ZH, _MIGHT_BE_ZH, FILLER_ZH)
    exception = _EXCEPTION.search(text)
    return _names_only_others(text[exception.end():], items, _CONDITION, _MIGHT_BE, _FILLER)


def excepted_after(text: str, end: int, items: Collection[str]) -> bool:
    """Whether a denial that ends at ``end`` ("no heart problems") is followed by an exception that may name an item
    ("... except an irregular beat", "... apart from the stents"), rather than nothing or only other conditions
    ("... except high cholesterol")."""
    exception = _EXCEPTION.search(text, end)
    if exception is None or HAS_HAN.search(text):
        return False
    named = text[exception.end():]
    return bool(re.search(r"\w", _FILLER.sub(" ", named))) and not names_none_of("no, " + text[exception.start():], items)


def before_exception(text: str) -> Optional[str]:
    """The words before an exception ("No" of "No, just high blood pressure", "都没有" of "都没有，就是血压有点高"),
    where a doubt would be about the "no"; None without an exception."""
    exception = (_EXCEPTION_ZH if HAS_HAN.search(text) else _EXCEPTION).search(text)
    if exception is None:
        return None
    return text[:exception.start()].strip(" ,.;:-，。；：")


def _names_only_others(words: str, items: Collection[str], conditions: re.Pattern, might_be: List[FrozenSet[str]],
                       filler: re.Pattern) -> bool:
    """Whether the words name one or more conditions, nothing else, and none that might be an item."""
    rest, at = [], 0
    for m in conditions.finditer(words):
        kind = next(int(name[1:]) for name, value in m.groupdict().items() if value)
        if might_be[kind] & set(items):
            return False
        rest.append(words[at:m.start()])
        at = m.end()
    if not rest:
        return False
    rest.append(words[at:])
    return not re.search(r"\w", filler.sub(" ", " ".join(rest)))
