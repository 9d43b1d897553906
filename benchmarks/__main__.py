"""`python -m benchmarks [--quick] [--skip-training]`: our bot against the Rasa starter bot.

One run trains both bots from scratch, starts both (the starter bot first, then ours), sends both
the same number of scripted turns, alternating, and writes benchmarks/results/latest.{json,md}.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from platform import python_version
from typing import Any, Dict, List, Optional, Tuple

from benchmarks import baseline, latency, report
from benchmarks.processes import boot_clock, child_pid, peak_rss_mb, started_at
from benchmarks.training import train
from bot.store import TrialStore
from trialbot.config import PROJECT_ROOT, Settings, load_settings
from trialbot.servers import action_server_command, free_port, on_free_ports, rasa_server_command, running_bot, start

RESULTS = Path(__file__).resolve().parent / "results"
# The starter model kept between runs, for --skip-training.
CACHED_STARTER_MODEL = Path(tempfile.gettempdir()) / "trialbot-bench" / "starter.tar.gz"
GOAL_P95_RATIO = 1.5
SERVER_TIMEOUT = 300


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def figure(ours: Optional[float], baseline_value: Optional[float]) -> Dict[str, Optional[float]]:
    return {"ours": ours, "baseline": baseline_value, "ratio": report.ratio(ours, baseline_value)}


def train_models(args: argparse.Namespace, settings: Settings, starter: Path, tmp: Path, logs: Path,
                 notes: List[str]) -> Tuple[Path, Path, Dict[str, Optional[float]]]:
    """Our model and the starter model, and their training times (None: not trained in this run)."""
    training: Dict[str, Optional[float]] = {"ours": None, "baseline": None}
    models = tmp / "models"
    if args.skip_training:
        our_model = Path(settings.model)
        if not our_model.exists():
            raise SystemExit(f"{our_model} is missing: run without --skip-training, or `make bench`")
        notes.append(f"Our model not trained: reused {our_model}.")
    else:
        progress("training our bot")
        with open(logs / "train-ours.log", "w") as log:
            training["ours"] = train(PROJECT_ROOT, "data/rasa", models, "trialbot", log)
        our_model = models / "trialbot.tar.gz"
    if args.skip_training and CACHED_STARTER_MODEL.exists():
        starter_model = CACHED_STARTER_MODEL
        notes.append(f"Starter model not trained: reused {starter_model}.")
    else:
        progress("training the starter bot")
        with open(logs / "train-starter.log", "w") as log:
            training["baseline"] = train(starter, "data", models, "starter", log)
        starter_model = models / "starter.tar.gz"
        CACHED_STARTER_MODEL.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(starter_model, CACHED_STARTER_MODEL)
    return our_model, starter_model, training


def serve_and_measure(settings: Settings, starter_settings: Settings, starter: Path, logs: Path,
                      turns: int) -> Dict[str, Any]:
    """Start the starter bot, then ours; measure start times, turn latencies and peak memory."""
    with ExitStack() as stack:
        progress("starting the starter bot")
        starter_server = start(rasa_server_command(starter_settings, project=starter),
                               {"RASA_TELEMETRY_ENABLED": "false", "LOG_LEVEL": settings.log_level},
                               stack.enter_context(open(logs / "starter-server.log", "w")), "starter",
                               f"{starter_settings.rasa_url}/webhooks/rest/", SERVER_TIMEOUT, cwd=starter)
        stack.callback(starter_server.stop)
        starter_pid = starter_server.process.pid
        starter_start = boot_clock() - started_at(starter_pid)

        progress("starting our bot")
        stack.enter_context(running_bot(settings, stack.enter_context(open(logs / "our-servers.log", "w")),
                                        SERVER_TIMEOUT))
        ours_up = boot_clock()
        rasa_pid = child_pid(rasa_server_command(settings))
        actions_pid = child_pid(action_server_command(settings))
        rasa_start = ours_up - started_at(rasa_pid)
        # running_bot starts the Rasa server as soon as the action server answers.
        actions_start = started_at(rasa_pid) - started_at(actions_pid)

        progress(f"{turns} turns per bot")
        latencies = latency.measure([latency.Bot("ours", settings.rasa_url, latency.OUR_SCRIPT),
                                     latency.Bot("baseline", starter_settings.rasa_url, latency.STARTER_SCRIPT)],
                                    turns)
        memory = {"rasa": peak_rss_mb(rasa_pid), "actions": peak_rss_mb(actions_pid),
                  "starter": peak_rss_mb(starter_pid)}
        progress("stopping the servers")
    ours, theirs = latency.summary(latencies["ours"]), latency.summary(latencies["baseline"])
    figures = {
        "latency_p50_ms": figure(ours["p50"], theirs["p50"]),
        "latency_p95_ms": figure(ours["p95"], theirs["p95"]),
        "latency_mean_ms": figure(ours["mean"], theirs["mean"]),
        "start_rasa_s": figure(rasa_start, starter_start),
        "start_total_s": figure(actions_start + rasa_start, starter_start),
        "peak_rss_rasa_mb": figure(memory["rasa"], memory["starter"]),
        "peak_rss_actions_mb": figure(memory["actions"], None),
        "peak_rss_total_mb": figure(memory["rasa"] + memory["actions"], memory["starter"]),
    }
    return {"figures": figures, "latencies_ms": {name: [round(ms, 2) for ms in values]
                                                 for name, values in latencies.items()}}


def run(args: argparse.Namespace, tmp: Path, logs: Path) -> Dict[str, Any]:
    notes: List[str] = []
    settings = load_settings()
    starter = baseline.create_project(tmp / "starter")
    our_model, starter_model, training = train_models(args, settings, starter, tmp, logs, notes)

    settings = on_free_ports(replace(settings, model=str(our_model),
                                     tracker_store_url=f"sqlite:///{tmp / 'conversations.db'}",
                                     database_url=f"sqlite:///{tmp / 'trials.db'}"))
    TrialStore(settings.database_url).load_directory(PROJECT_ROOT / "data")
    starter_settings = replace(settings, model=str(starter_model), rasa_port=free_port())
    turns = 20 if args.quick else args.turns
    measured = serve_and_measure(settings, starter_settings, starter, logs, turns)

    figures = {**measured["figures"], "training_s": figure(training["ours"], training["baseline"])}
    notes += [
        "Latency: POST /webhooks/rest/webhook, whole scripted conversations with fresh sender ids, "
        "the bots alternating message by message.",
        "Start: from process start until GET /webhooks/rest/ answers; ours starts the action server "
        "first, then the Rasa server.",
        "Training: `rasa train` with an empty Rasa cache. Peak RSS: VmHWM of each server process.",
    ]
    return {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": len(os.sched_getaffinity(0)),
        "rasa": version("rasa"), "python": python_version(),
        "quick": args.quick, "skip_training": args.skip_training, "turns_per_bot": turns,
        "figures": figures,
        "goal": {"p95_ratio_max": GOAL_P95_RATIO, "met": figures["latency_p95_ms"]["ratio"] <= GOAL_P95_RATIO},
        "notes": notes,
        "latencies_ms": measured["latencies_ms"],
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 turns per bot: a smoke run")
    parser.add_argument("--turns", type=int, default=200, help="turns per bot (default: 200)")
    parser.add_argument("--skip-training", action="store_true",
                        help="reuse models/trialbot.tar.gz and the starter model of an earlier run")
    args = parser.parse_args(argv)
    began = time.monotonic()
    logs = RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="trialbot-bench-") as tmp:
        results = run(args, Path(tmp), logs)
    results["wall_s"] = time.monotonic() - began
    print(report.write(results, RESULTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
