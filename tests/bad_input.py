"""The bad-input corpus (tests/corpora/bad_input.json): hostile and malformed messages, sent through
every door by tests/e2e/test_bad_input.py (REST, the website chat's server, the review app) and
tests/staff/test_bad_input_staff.py (Slack, Teams)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Tuple

CORPUS = Path(__file__).resolve().parent / "corpora" / "bad_input.json"


@dataclass(frozen=True)
class BadInput:
    number: int  # its place in the corpus, for the failure messages (the text may not print)
    category: str
    text: str
    refused: bool  # text no database can store: every door refuses it
    misread: bool  # the reader may take a fact from it today (listed to be fixed)
    silent: bool  # the bot answers it with no message today


@lru_cache(maxsize=1)
def corpus() -> Tuple[BadInput, ...]:
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    refused = set(data["refused"])
    misread, silent = set(data["known_misreadings"]["inputs"]), set(data["known_silent"]["inputs"])
    return tuple(BadInput(number, entry["category"],
                          entry["text"] if "text" in entry else entry["repeat"] * entry["times"],
                          entry["category"] in refused, number in misread, number in silent)
                 for number, entry in enumerate(data["inputs"]))


def batches(size: int, misread: bool = True) -> List[Tuple[BadInput, ...]]:
    """The corpus in batches of ``size``, one conversation each: a few hundred turns in all, not a
    conversation (three turns) per input. ``misread=False`` leaves out the known misreadings."""
    inputs = tuple(item for item in corpus() if misread or not item.misread)
    return [inputs[start:start + size] for start in range(0, len(inputs), size)]
