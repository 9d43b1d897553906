"""Masking of personal identifiers in review screens and exports.

Names, phone numbers, e-mail addresses, dates of birth and street addresses are replaced by a
bracketed label (``[name]``, ``[phone]``...). Clinical values (platelet counts, dates of the last
chemotherapy, ages) are left alone: reviewers need them, and they do not identify a person by
themselves. The patterns favour masking too much over too little.
"""
from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

EMAIL = "[email]"
PHONE = "[phone]"
NAME = "[name]"
DOB = "[date of birth]"
ADDRESS = "[address]"

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (rf"(?:\d{{4}}[/.-]\d{{1,2}}[/.-]\d{{1,2}}|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}"
         rf"|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{2,4}}|{_MONTH}\s+{_DAY},?\s+\d{{2,4}}"
         rf"|{_MONTH}\s+\d{{4}}|(?:19|20)\d{{2}})")

_EMAIL_RE = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Birth cues followed by a date; the cue is kept so that a reviewer sees what was said.
_DOB_RE = re.compile(
    rf"(?P<cue>\b(?:born(?:\s+(?:on|in))?|date\s+of\s+birth(?:\s+is)?|d\.?o\.?b\.?|birth\s*date(?:\s+is)?"
    rf"|birthday(?:\s+is)?)\s*[:\-]?\s*)(?P<date>{_DATE})",
    re.IGNORECASE)
_STREET_SUFFIX = (r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|"
                  r"terrace|close|crescent|square|sq|highway|hwy|parkway|pkwy|row|gardens|grove|hill|walk)")
_STREET_RE = re.compile(
    rf"\b\d{{1,5}}[a-z]?,?\s+(?:[a-z][\w'-]*\.?\s+){{1,4}}{_STREET_SUFFIX}\b\.?"
    r"(?:,?\s+(?:apt|apartment|unit|flat|suite)\.?\s*#?\s*\w+)?",
    re.IGNORECASE)
# "I live at ...", "my address is ...": the rest of the clause.
_ADDRESS_CUE_RE = re.compile(
    r"(?P<cue>\b(?:i\s+live\s+(?:at|on)|my\s+(?:home\s+|postal\s+)?address\s+is|address\s*:|"
    r"(?:i'?m|i\s+am)\s+at\s+home\s+at)\s*)(?P<rest>[^.;!?\n]{3,80})",
    re.IGNORECASE)
_POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b")  # UK postcodes (upper case)
_PHONE_CANDIDATE_RE = re.compile(r"(?<![\w/^.,])(?:\+|00)?\(?\d[\d\s().-]{5,}\d(?![\w/^])")
_DATE_ONLY_RE = re.compile(r"^\s*(?:\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})\s*$")

# Words after "I'm" / "I am" that are not names.
_NOT_NAMES = {
    "a", "an", "the", "not", "no", "yes", "ok", "okay", "fine", "good", "well", "sure", "sorry", "here",
    "done", "back", "ready", "afraid", "worried", "scared", "confused", "pregnant", "male", "female", "man",
    "woman", "asking", "calling", "writing", "trying", "looking", "on", "in", "at", "from", "taking", "still",
    "also", "just", "really", "very", "so", "too", "feeling", "having", "interested", "unsure", "sick", "ill",
    "tired", "diabetic", "allergic", "breastfeeding", "over", "under", "about", "currently", "now", "using",
    "getting", "going", "being", "living", "english", "chinese", "married", "single", "old", "young",
    "thinking", "wondering", "caring", "his", "her", "their", "my", "your", "sixty", "seventy", "fifty",
    "forty", "thirty", "twenty", "eighty", "ninety", "i", "it", "this", "that", "what", "who", "hoping",
}
_NAME_WORD = r"[A-Z][a-z'’][a-zA-Z'’-]*"  # Capitalised; acronyms (NSCLC, HER2) are not names
_NAMED_RE = re.compile(  # "my name is john smith": any case
    r"(?P<cue>\b(?:my\s+name\s+is|my\s+name's|name\s*:|i\s+am\s+called|i'?m\s+called|"
    r"(?:his|her|their)\s+name\s+is|call\s+me(?!\s+(?:on|at|back|please|if|when|later|tomorrow)\b))\s+)"
    r"(?P<name>[^\W\d_][\w'’-]*(?:\s+(?!(?:and|i|my|im|i'm|but|or|from|here|on|at|in)\b)[^\W\d_][\w'’-]*){0,2})",
    re.IGNORECASE)
_INTRO_RE = re.compile(  # "I'm Anna", "this is Tom Jones": capitalised words only
    rf"(?P<cue>\b(?:[Ii]'?m|[Ii]\s+am|[Tt]his\s+is)\s+)(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})")
_TITLE_RE = re.compile(rf"(?P<cue>\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+)(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)")
_SIGNED_RE = re.compile(rf"(?P<cue>\b(?:[Rr]egards|[Tt]hanks|[Cc]heers|[Ss]incerely|[Bb]est),?\s*\n?\s*)"
                        rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)\s*$")
_RELATIVE_RE = re.compile(  # "my mother Mary", "my husband, John Smith,"
    rf"(?P<cue>\b(?:my|her|his)\s+(?:mother|mum|mom|father|dad|wife|husband|partner|son|daughter|sister|brother|"
    rf"aunt|uncle|grandmother|grandfather|friend|doctor|oncologist|nurse),?\s+)(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)")


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _phone(match: "re.Match[str]") -> str:
    candidate = match.group(0)
    digits = _digits(candidate)
    if _DATE_ONLY_RE.match(candidate):
        return candidate
    international = candidate.startswith(("+", "00", "("))
    local = re.fullmatch(r"\d{3}[\s.-]\d{4}", candidate.strip()) is not None
    if digits >= 9 or (digits >= 7 and (international or local)):
        return PHONE
    return candidate


def _is_name(value: str) -> bool:
    first = value.split()[0].strip("'’-").lower()
    return first not in _NOT_NAMES


def _trim_name(match: "re.Match[str]") -> str:
    """"I'm Anna and I have..." masks only the capitalised words that look like a name."""
    words = match.group("name").split()
    kept: List[str] = []
    for word in words:
        if word.lower() in _NOT_NAMES:
            break
        kept.append(word)
    if not kept:
        return match.group(0)
    rest = match.group("name")[len(" ".join(kept)):]
    return match.group("cue") + NAME + rest


_RULES: List[Tuple["re.Pattern[str]", Any]] = [
    (_EMAIL_RE, EMAIL),
    (_DOB_RE, lambda m: m.group("cue") + DOB),
    (_ADDRESS_CUE_RE, lambda m: m.group("cue") + ADDRESS),
    (_STREET_RE, ADDRESS),
    (_POSTCODE_RE, ADDRESS),
    (_PHONE_CANDIDATE_RE, _phone),
    (_NAMED_RE, _trim_name),
    (_INTRO_RE, _trim_name),
    (_TITLE_RE, lambda m: m.group("cue") + NAME),
    (_RELATIVE_RE, lambda m: m.group("cue") + NAME if _is_name(m.group("name")) else m.group(0)),
    (_SIGNED_RE, lambda m: m.group("cue") + NAME),
]


def mask_text(text: Optional[str]) -> Optional[str]:
    """The text with personal identifiers replaced by labels; None stays None."""
    if not text:
        return text
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def mask_value(value: Any) -> Any:
    """Masks every string inside a JSON-like value (facts, custom payloads)."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    return value


def mask_sender(sender_id: str) -> str:
    """Sender ids are mostly random, but some channels use a phone number (SMS, WhatsApp) or an
    e-mail address: those are masked whole. Free-text rules are not applied, since an id is what a
    reviewer looks a conversation up by, and a random one can hold a run of digits that reads as a
    phone number ("web-766249431125")."""
    phone_like = _digits(sender_id) >= 7 and re.fullmatch(r"[\d\s()+.-]+|(?:whatsapp|tel|sms):.*", sender_id)
    if _EMAIL_RE.search(sender_id) or phone_like:
        return f"[masked …{sender_id[-2:]}]"
    return sender_id


def contains_identifiers(text: str) -> bool:
    return mask_text(text) != text
