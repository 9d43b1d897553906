"""Second-person English turned into the third person, for a screening about someone else.

The trials' explanations are written to the person screened ("Your platelet count is below 30 and
you have signs of easy bleeding."). When a carer screens a relative ("your mother"), the verdict
speaks of that person instead: "Her platelet count is below 30 and she has signs of easy bleeding."
The pronoun follows the relative's word where it says a sex (mother: she, father: he) and is
"they" otherwise (partner, friend, patient). Chinese explanations ("您的血小板...") get 她/他, or
"TA" where the relative's word says no sex.
"""
from __future__ import annotations

import re
from typing import Optional, Tuple

SHE = ("she", "her", "her")  # subject, object, possessive
HE = ("he", "him", "his")
THEY = ("they", "them", "their")
FEMALE = re.compile(r"\b(?:mother|mum|mom|wife|daughter|sister|grandmother|grandma|aunt)\b", re.IGNORECASE)
MALE = re.compile(r"\b(?:father|dad|husband|son|brother|grandfather|grandpa|uncle)\b", re.IGNORECASE)
# verbs whose third person singular is not the base form with -s
IRREGULAR = {"are": "is", "have": "has", "were": "was", "do": "does", "don't": "doesn't", "aren't": "isn't",
             "haven't": "hasn't", "weren't": "wasn't", "'re": "'s", "'ve": "'s", "go": "goes"}
MODALS = frozenset("can cannot can't could couldn't will won't would wouldn't shall should shouldn't may might must "
                   "need-not also still already only never not".split())
# "you" followed by one of these is the object ("expects you to live", "with you"): a verb follows a subject
NOT_A_VERB = frozenset("to and or as at in on for with about from the a an of if that who which".split())
YOU = re.compile(r"\b(you|your|yours|yourself)\b('re\b|'ve\b)?(?:(\s+)([a-z']+))?", re.IGNORECASE)


def pronouns(subject: Optional[str]) -> Tuple[str, str, str]:
    if subject and FEMALE.search(subject):
        return SHE
    if subject and MALE.search(subject):
        return HE
    return THEY


def third_person(text: str, subject: Optional[str]) -> str:
    """``text`` about ``subject`` ("your mother") instead of "you"; unchanged without a subject."""
    if not subject:
        return text
    he, him, his = pronouns(subject)
    if "您" in text:  # Chinese has one form for subject, object and (with 的) possessive
        return text.replace("您", {"she": "她", "he": "他"}.get(he, "TA"))

    def swap(m: re.Match) -> str:
        word, contraction, gap, following = m.group(1), m.group(2), m.group(3) or "", m.group(4) or ""
        lower = word.lower()
        if lower in ("your", "yours", "yourself"):
            new = {"your": his, "yours": "hers" if his == "her" else his,
                   "yourself": {"she": "herself", "he": "himself"}.get(he, "themselves")}[lower]
            rest = gap + following
        elif contraction:
            new, rest = he, (IRREGULAR[contraction] if he != "they" else contraction) + gap + following
        elif following and following.lower() not in NOT_A_VERB:
            new, rest = he, gap + (_agree(following) if he != "they" else following)
        else:
            subject_position = re.search(r"(?:^|[.;:!?]\s*|\b(?:and|or|but|that|if|whether)\s+)$", text[:m.start()])
            new, rest = (he if subject_position else him), gap + following
        if word[0].isupper():
            new = new[0].upper() + new[1:]
        return new + rest

    return YOU.sub(swap, text)


def _agree(verb: str) -> str:
    """The verb after "she" or "he": "are" -> "is", "use" -> "uses"; modals and adverbs stay."""
    lower = verb.lower()
    if lower in IRREGULAR:
        return IRREGULAR[lower]
    if lower in MODALS or lower.endswith("ed") or lower.endswith("'t"):
        return verb
    if re.search(r"(?:s|sh|ch|x|z|o)$", lower):
        return verb + "es"
    if re.search(r"[^aeiou]y$", lower):
        return verb[:-1] + "ies"
    return verb + "s"
