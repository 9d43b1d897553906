"""channels/redaction.py: while a message is handled, its words are hidden in every log record."""
from __future__ import annotations

import asyncio
import json
import logging
import warnings

from channels.redaction import REDACTED, handling, redaction_for


def test_the_words_of_the_message_are_hidden_whole_in_any_case_and_as_json_escapes_them():
    hide = redaction_for("/hello my name is Wang Fang 13800138000")
    assert hide("Failed to parse arguments in line '/hello my name is Wang Fang 13800138000'.") == \
        "Failed to parse arguments in line '/… … … … … … …'."
    assert hide('{"text": "WANG fang"} Wangfang') == '{"text": "… …"} Wangfang'  # whole words only
    chinese = redaction_for("我叫王芳，电话13800138000")
    assert chinese(f"user text: 我叫王芳，电话13800138000 {json.dumps('王芳')}") == \
        "user text: …………，……… " + '"……"'
    assert redaction_for("José Núñez")(json.dumps("José Núñez")) == '"… …"'
    assert redaction_for("/affirm") is None and redaction_for("  ") is None  # nothing to hide


def test_records_of_the_handled_message_are_redacted_and_others_are_not(caplog):
    logger = logging.getLogger("rasa.core.processor")

    async def turn(text: str, started: asyncio.Event, other_started: asyncio.Event) -> None:
        with handling(text):
            started.set()
            await other_started.wait()  # both messages are being handled at once
            logger.warning("Received user message %r", text)
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.warn(f"Failed to parse arguments in line '{text}'")

    async def both() -> None:
        a, b = asyncio.Event(), asyncio.Event()
        await asyncio.gather(turn("Wang Fang 13800138000", a, b), turn("Li Wei 13900000000", b, a))

    with caplog.at_level(logging.DEBUG):
        asyncio.run(both())
        logger.warning("Li Wei, outside any message")
    text = caplog.text
    for word in ("Wang", "Fang", "13800138000", "13900000000"):
        assert word not in text
    assert text.count(f"Received user message '{REDACTED} {REDACTED} {REDACTED}'") == 2
    assert text.count(f"Failed to parse arguments in line '{REDACTED} {REDACTED} {REDACTED}'") == 2  # py.warnings
    assert "Li Wei, outside any message" in text  # lines of no message are untouched


def test_a_logging_set_up_made_after_the_first_message_does_not_undo_the_redaction(caplog):
    """Rasa or a library may set up logging again (a new record factory, warnings no longer routed into
    the log): the next message's words are still hidden."""
    with handling("first message"):
        pass
    logging.setLogRecordFactory(logging.LogRecord)
    logging.captureWarnings(False)
    with caplog.at_level(logging.DEBUG), handling("Wang Fang 13800138000"):
        logging.getLogger("rasa.core.processor").warning("Received user message 'Wang Fang 13800138000'")
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("Failed to parse arguments in line 'Wang Fang'")
    assert "Wang" not in caplog.text and "13800138000" not in caplog.text
    assert f"Received user message '{REDACTED} {REDACTED} {REDACTED}'" in caplog.text
    assert f"Failed to parse arguments in line '{REDACTED} {REDACTED}'" in caplog.text  # py.warnings
