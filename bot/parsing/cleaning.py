"""Input hygiene: what reaches the reader is text a person meant to type, nothing more.

A message can carry things a person never sees: terminal colour codes ("\x1b[31m", or "[31m" once a
client dropped the escape), direction overrides that show "22,000" for the characters "000,22",
zero-width and other format characters, markup and code ("<script>alert(1)</script>"). Left in,
their digits become facts (age 31 from a colour code, platelets 1 from "alert(1)"). They are removed
here, with the digits of a message that holds a direction override, and the reader is told, so that
it asks for numbers again rather than trusting the order of their digits.

Unicode is composed (NFC), not made compatible (NFKC): compatibility folding would turn "×10⁹/L"
into "×109/L".

``visible`` is the first step, for every reader (the patient reader through ``clean``, the staff
reader directly): what cannot be seen goes, nothing else. ``clean`` then takes out markup and code,
which only the patient reader refuses to take as said (a nurse's "Hb (g/dL) 10" is no code).
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Terminal codes (ECMA-48): a control sequence ("\x1b[31m", "\x1b[0;1m", "\x1b[?25l", or C1's "\x9b31m"),
# "[31m" whose escape character a client or a copy-paste dropped, an operating-system command with its
# text ("\x1b]0;title\x07", "\x1b]8;;url\x1b\\"), and any other escape with its one character.
_TERMINAL_CODE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?<![\w\]])\[[0-9;]{1,12}[A-Za-z]"
                            r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]{0,500}(?:\x07|\x1b\\|\x9c)?"
                            r"|\x1b[ -/]*[0-~]?")
# a carriage return ("\r\n" of Windows, a lone "\r" of old Macs) is a line break, not nothing, else
# "line one\rline two" would read as "line oneline two"
_LINE_BREAK = re.compile("\r\n?")
# bidirectional embeddings, overrides and isolates: they reorder what is shown, not what is stored
_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MARKUP = re.compile(r"<\s*(script|style)\b.*?(?:<\s*/\s*\1\s*>|$)|<[^<>]{0,200}>"
                     r"|\{\{.{0,200}?\}\}|[$#%]\{.{0,200}?\}|<%.{0,200}?%>", re.IGNORECASE | re.DOTALL)  # tags and templates
# "alert(1)", "print(22)", "SELECT 1": code, not an answer
_CODE_CALL = re.compile(r"\b[A-Za-z_][\w.]*\s*\([^()]{0,40}\)\s*;?")
_SQL = re.compile(r"\b(?:select|drop|insert|delete|update|union)\b[^.?!]{0,40}\b(?:from|table|into|set|select)\b.*$|--\s*$|;\s*--"
                  r"|\S*'\s*(?:or|and)\s+'?\w+'?\s*=\s*'?\w*'?"
                  r"|\b(?:or|and)\s+(?P<side>\w+)\s*=\s*(?P=side)\b", re.IGNORECASE)  # "1 OR 1=1": always true
# "/affirm{\"age\": 30}": a payload with entities, which no button of the bot sends
_PAYLOAD = re.compile(r"^\s*/\w+\s*[\[{].*$", re.DOTALL)
_KEEP_FORMAT = frozenset("\u200d")  # the zero-width joiner holds emoji sequences together


@dataclass(frozen=True)
class Cleaned:
    text: str
    direction_override: bool = False  # digits may be shown in another order than typed
    code: bool = False  # markup, code, SQL or terminal codes were removed: what is left is not taken as said


def _is_kept(ch: str) -> bool:
    if ch in "\n\t":
        return True
    category = unicodedata.category(ch)
    if category == "Cf":
        return ch in _KEEP_FORMAT
    return category not in ("Cc", "Cs", "Co", "Cn")


def visible(text: str) -> Cleaned:
    """The text as a person sees it: without terminal codes, control, format and direction characters,
    line breaks made "\n", composed (NFC). ``code`` says whether terminal codes were taken out."""
    direction = any(ch in _DIRECTION_CONTROLS for ch in text)
    terminal = bool(_TERMINAL_CODE.search(text))
    text = _LINE_BREAK.sub("\n", _TERMINAL_CODE.sub(" ", text))
    text = "".join(ch for ch in text if _is_kept(ch))
    if direction:  # "age \u202e26" shows "age 62": which order was meant no reader can know, so no digit is kept
        text = re.sub(r"[0-9０-９]", "", text)
    return Cleaned(unicodedata.normalize("NFC", text), direction_override=direction, code=terminal)


def clean(text: str) -> Cleaned:
    """The text a person meant to type, and what was taken out of it."""
    shown = visible(text)
    text, direction, terminal = shown.text, shown.direction_override, shown.code
    if re.search(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});", text, re.IGNORECASE):
        text = html.unescape(text)  # "&#60;script&#62;" is "<script>" to whatever shows it
    without_code = _SQL.sub(" ", _CODE_CALL.sub(" ", _MARKUP.sub(" ", _PAYLOAD.sub(" ", text))))
    code = terminal or without_code != text
    text = re.sub(r"[ \t]+", " ", without_code).strip()
    return Cleaned(text, direction_override=direction, code=code)
