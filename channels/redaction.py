"""No message text in the servers' logs, at any level.

Rasa writes what people type into its log in several places: a message that starts with "/" and
is not a known intent gets a WARNING quoting it ("Failed to parse arguments in line '/hello my name
is ...'", a Python warning), and at DEBUG the parsed message, the tracker's states and more carry
the text. Those lines are Rasa's, formatted before any handler sees them, so they cannot be
reworded; instead, while a channel hands a message to Rasa (``handling``), every log record made
in that task has the message's words replaced by "…": whole words (and each CJK character, since
such text has no spaces), whatever their case, as typed or as JSON escapes them. Python warnings
are routed into the log (``logging.captureWarnings``) so that the same applies to them.

The words are those of the message being handled, so lines about other conversations, made in
other tasks, are untouched; a bare button payload ("/affirm") hides nothing and is left alone.
"""
from __future__ import annotations

import functools
import json
import logging
import re
import unicodedata
import warnings
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterable, Iterator, Optional

REDACTED = "…"
_BUTTON_PAYLOAD = re.compile(r"/\w+")
_ALONE = r"(?<![^\W_])(?:{})(?![^\W_])"  # not within a longer run of letters and digits
_message_text: ContextVar[Optional[str]] = ContextVar("message_text", default=None)


def _is_wide(char: str) -> bool:
    """CJK (and other wide) characters: each is a word, as such text has no spaces."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _alternatives(words: Iterable[str]) -> str:
    """The words, as typed and as JSON escapes them (structlog's lines are JSON), longest first."""
    forms = {form for word in words for form in (word, json.dumps(word)[1:-1])}
    return "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))


@functools.lru_cache(maxsize=32)  # made when the message's first log record is, once for all its records
def redaction_for(text: str) -> Optional[Callable[[str], str]]:
    """What hides the words of ``text`` in a log line, or None when it has none to hide."""
    if _BUTTON_PAYLOAD.fullmatch(text.strip()):
        return None
    tokens = re.findall(r"[^\W_]+", text)
    wide = {char for token in tokens for char in token if _is_wide(char)}
    narrow = {word for token in tokens for word in "".join(" " if _is_wide(c) else c for c in token).split()
              if len(word) > 1}
    # Wide characters first: "电话13800138000" is then "……13800138000", where the number stands alone.
    patterns = [re.compile(_alternatives(wide))] if wide else []
    if narrow:
        patterns.append(re.compile(_ALONE.format(_alternatives(narrow)), re.IGNORECASE))
    if not patterns:
        return None

    def redact(line: str) -> str:
        for pattern in patterns:
            line = pattern.sub(REDACTED, line)
        return line
    return redact


def _redacting_factory(make_record: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        text = _message_text.get()
        redact = redaction_for(text) if text else None
        if redact is not None:
            line = record.getMessage()
            hidden = redact(line)
            if hidden != line:
                record.msg, record.args = hidden, None
        return record
    return factory


def install() -> None:
    """Hide message text in every log record of this process. Checked at every message, not once:
    whatever replaced the record factory or stopped routing warnings into the log since (a logging
    set-up of Rasa's or a library's) is undone."""
    if warnings.showwarning is not logging._showwarning:  # type: ignore[attr-defined]
        # Someone put their own back since (``warnings.catch_warnings`` does, on leaving): logging still
        # believes it routes warnings, and would not route them again on being asked.
        logging.captureWarnings(False)
        logging.captureWarnings(True)
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacts_message_text", False):
        redacting = _redacting_factory(factory)
        redacting.redacts_message_text = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(redacting)


@contextmanager
def handling(text: str) -> Iterator[None]:
    """While a message with ``text`` is handled (in this task), its words are not logged."""
    install()
    token = _message_text.set(text)
    try:
        yield
    finally:
        _message_text.reset(token)
