"""`python -m benchmarks.turn_cost [--turns 300]`: does a turn cost more late in a long conversation?

One REST conversation of ``--turns`` messages, sent back to back (no pause, so no session expires
for want of activity): a greeting and consent, then the same six messages over and over
(corrections, "what have you noted?", "why do you ask?"), so that the engine's own work stays the
same and only the history grows (after a short warm-up conversation). It reports the median turn
latency over turns 3-20 (around turn 10) and over the last 18, their ratio (goal: at most 1.2), and
how many events Rasa loads for the conversation on a turn (``retrieve``: the current session)
against all it holds (``retrieve_full_tracker``). Both windows hold the same messages (three
rounds of the six) at the same places in their sessions (every 20 messages: actions/sessions.py).
Writes benchmarks/results/turn_cost.{json,md}.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from itertools import cycle, islice
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from benchmarks import latency
from bot.store import TrialStore
from trialbot.config import PROJECT_ROOT, Settings, load_settings
from trialbot.servers import on_free_ports, running_bot

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_RATIO = 1.2
WINDOW = 18  # turns per measured window: three rounds of REPEATED, after OPENING
SERVER_TIMEOUT = 300
OPENING = ["hi", "yes"]
REPEATED = ["I'm 63", "what have you noted?", "my platelets were 25 thousand", "why do you ask?",
            "sorry, I'm 62", "thanks"]


def progress(message: str) -> None:
    print(f"[turn_cost {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def messages(turns: int) -> Iterator[str]:
    return islice(OPENING + list(islice(cycle(REPEATED), max(turns - len(OPENING), 0))), turns)


def stored_events(settings: Settings, sender: str) -> Dict[str, int]:
    """Events Rasa's SQL tracker store loads for a turn of this conversation, and all it holds."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    store = SQLTrackerStore(Domain.load(str(PROJECT_ROOT / "domain.yml")),
                            dialect="sqlite", db=settings.tracker_store_url.split("sqlite:///", 1)[1])
    session = asyncio.run(store.retrieve(sender))
    everything = asyncio.run(store.retrieve_full_tracker(sender))
    return {"loaded_per_turn": len(session.events), "stored": len(everything.events)}


def measure(settings: Settings, turns: int) -> Dict[str, Any]:
    for message in OPENING:  # warm-up, unmeasured: the servers' lazy loading is no cost of the history
        latency.turn(settings.rasa_url, f"turn-cost-warm-up-{uuid.uuid4().hex}", message)
    sender = f"turn-cost-{uuid.uuid4().hex}"
    latencies: List[float] = []
    for n, message in enumerate(messages(turns), start=1):
        latencies.append(latency.turn(settings.rasa_url, sender, message))
        if n % 50 == 0:
            progress(f"turn {n}: {latencies[-1]:.0f} ms")
    window = min(WINDOW, turns // 2 - len(OPENING))
    early = statistics.median(latencies[len(OPENING):len(OPENING) + window])
    late = statistics.median(latencies[-window:])
    return {"turns": turns, "window": window, "early_median_ms": early, "late_median_ms": late,
            "ratio": late / early, "goal_ratio": GOAL_RATIO, "latencies_ms": latencies,
            **stored_events(settings, sender)}


def run(turns: int, tmp: Path, log_path: Path, model: Optional[str] = None) -> Dict[str, Any]:
    settings = load_settings()
    settings = on_free_ports(replace(settings, database_url=f"sqlite:///{tmp / 'trials.db'}",
                                     tracker_store_url=f"sqlite:///{tmp / 'conversations.db'}",
                                     model=model or settings.model, log_level="WARNING"))
    TrialStore(settings.database_url).load_directory(PROJECT_ROOT / "data")
    with open(log_path, "w") as log, running_bot(settings, log, SERVER_TIMEOUT):
        progress(f"{turns} turns of one conversation")
        measured = measure(settings, turns)
    return {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), **measured}


def markdown(results: Dict[str, Any]) -> str:
    met = "met" if results["ratio"] <= results["goal_ratio"] else "NOT met"
    w, n = results["window"], results["turns"]
    return "\n".join([
        "# A turn's cost late in a long conversation", "",
        f"{results['when']}: one REST conversation of {n} turns sent back to back.", "",
        f"| median turn, turns {len(OPENING) + 1}-{len(OPENING) + w} (ms) | median turn, turns {n - w + 1}-{n} (ms) | "
        "ratio | "
        "events loaded per turn / stored |", "|---:|---:|---:|---|",
        f"| {results['early_median_ms']:.1f} | {results['late_median_ms']:.1f} | {results['ratio']:.2f} | "
        f"{results['loaded_per_turn']} / {results['stored']} |", "",
        f"Goal: ratio at most {results['goal_ratio']}: **{met}**.", ""])


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.turn_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--model", help="the trained model (default: the configured one)")
    args = parser.parse_args(argv)
    logs = RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="trialbot-turn-cost-") as tmp:
        results = run(args.turns, Path(tmp), logs / "turn-cost-servers.log", args.model)
    (RESULTS / "turn_cost.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "turn_cost.md").write_text(markdown(results))
    print(markdown(results))
    return 0 if results["ratio"] <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
