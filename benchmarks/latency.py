"""Turn latency through POST /webhooks/rest/webhook, for whole scripted conversations."""
from __future__ import annotations

import json
import statistics
import time
import urllib.request
import uuid
from dataclasses import dataclass
from itertools import cycle, islice
from typing import Dict, Iterator, List, Tuple

Conversation = List[str]

# A full screening for the seed trial (NCT05236582): facts given out of turn, a date, a number
# with a unit, "why do you ask?", the verdict, the remaining questions and "what have you noted?";
# then a short one that stops early.
OUR_SCRIPT: List[Conversation] = [
    ["hi", "yes", "I'm 62", "my platelets were 22 thousand", "yes", "yes", "yes", "six weeks ago",
     "never", "lung cancer", "no", "why do you ask?", "no", "no", "no", "no", "no", "yes", "yes",
     "no", "no", "no", "yes", "no", "I don't know", "no", "I don't know", "what have you noted?", "bye"],
    ["hello", "yes", "I am 45 years old", "my platelets were 80 x10^9/L", "thanks", "bye"],
]

# The starter bot's own stories: happy path, both sad paths, the bot challenge.
STARTER_SCRIPT: List[Conversation] = [
    ["hi", "great", "bye"],
    ["hello", "I am sad", "yes", "bye"],
    ["hey", "very sad", "no", "bye"],
    ["are you a bot?", "bye"],
]


@dataclass
class Bot:
    name: str
    url: str
    script: List[Conversation]


def turn(url: str, sender: str, message: str) -> float:
    """Send one message and return the time (ms) until the whole reply is read."""
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook",
                                     json.dumps({"sender": sender, "message": message}).encode(),
                                     {"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as reply:
        replies = json.load(reply)
    elapsed = (time.perf_counter() - start) * 1000
    if not replies:  # a bot that stopped answering would look fast
        raise RuntimeError(f"no reply to {message!r} at {url}")
    return elapsed


def messages(script: List[Conversation]) -> Iterator[Tuple[str, str]]:
    """(sender, message) for the script's conversations over and over, each with a fresh sender id."""
    for conversation in cycle(script):
        sender = uuid.uuid4().hex
        for message in conversation:
            yield sender, message


def measure(bots: List[Bot], turns: int) -> Dict[str, List[float]]:
    """`turns` turn latencies (ms) per bot.

    Each bot first goes once through its script unmeasured (warm-up: lazy loading, caches). Then
    the bots take turns message by message, each going on with its own conversations, so that the
    load of this shared machine, which drifts within seconds, hits all of them alike.
    """
    for bot in bots:
        for sender, message in islice(messages(bot.script), sum(map(len, bot.script))):
            turn(bot.url, sender, message)
    streams = {bot.name: messages(bot.script) for bot in bots}
    latencies: Dict[str, List[float]] = {bot.name: [] for bot in bots}
    for _ in range(turns):
        for bot in bots:
            latencies[bot.name].append(turn(bot.url, *next(streams[bot.name])))
    return latencies


def summary(latencies: List[float]) -> Dict[str, float]:
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50": percentiles[49], "p95": percentiles[94], "mean": statistics.fmean(latencies),
            "turns": len(latencies)}
