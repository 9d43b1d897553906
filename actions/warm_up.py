"""The action server's warm-up: what a person's first message would load, loaded before the server
listens (actions/__main__.py), so that the first person after a (re)start does not wait for it.

The engine runs through a short conversation in English and in Chinese, in memory (nothing is
stored), and looks up a place: the reader's regular expressions (about a thousand, each compiled on
first use), jieba's Chinese dictionary and cn2an's numerals, dateparser and pint, and the place
gazetteer (GeoNames, loaded on the first place asked about). Without it, the first message after a
start took about 9 s. (The Rasa server needs none: Rasa runs the model once as it loads it.)
"""
from __future__ import annotations

import logging
import time

from actions.screening import fresh_screening
from bot.conversation import State, Turn
from bot.places import gazetteer

logger = logging.getLogger(__name__)

# Made-up answers: nobody's health information
CONVERSATION = ("hi", "yes", "I'm 62, my platelets were 22k last week and my last chemo was on 3 May",
                "血小板两万二，上次化疗是三周前", "what have I told you?")
PLACE = "London"


def warm_up() -> None:
    """Runs the engine through ``CONVERSATION`` and looks up ``PLACE``. A failure is logged, not
    raised: a server that could not warm up still answers, only more slowly at first."""
    began = time.monotonic()
    try:
        engine, state = fresh_screening(), State()
        for text in CONVERSATION:
            state = engine.respond(state, Turn(text=text)).state
        gazetteer().find(PLACE)
    except Exception:  # noqa: BLE001 - see the docstring
        logger.exception("The screening engine could not warm up: the first message will be slow.")
        return
    logger.info("The screening engine warmed up in %.1f s.", time.monotonic() - began)
