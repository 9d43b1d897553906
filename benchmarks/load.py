"""`python -m benchmarks.load [--quick]`: conversations under load, measured with Locust.

Simulated people hold screening conversations (benchmarks/latency.py's scripts, each message with
its ``message_id``) with a think time between messages, against three targets started in the same
run: one Rasa server of ours, N of ours behind nginx (the topology of `trialbot serve
--rasa-servers N`: PostgreSQL tracker store, Redis locks), and Rasa's `rasa init` starter bot
served the same way. The load rises step by step; for each target it reports the most simultaneous
conversations (and their messages per second) held with a p95 under 1 s and no error, and the p95
at one fixed load. Writes benchmarks/results/load.{json,md}.

Locust runs headless from Python, in a process of its own (``drive``): it patches the standard
library for gevent on import, which the servers' process control must not see.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any, Dict, List, Optional

from benchmarks import baseline, latency
from benchmarks.training import train
from bot.store import TrialStore
from trialbot import cluster
from trialbot.config import PROJECT_ROOT, load_settings
from trialbot.servers import free_port, on_free_ports, rasa_server_command, running_bot, start

RESULTS = Path(__file__).resolve().parent / "results"
CACHED_STARTER_MODEL = Path(tempfile.gettempdir()) / "trialbot-bench" / "starter.tar.gz"  # shared with benchmarks/__main__
SERVER_TIMEOUT = 300
P95_GOAL_MS = 1000
# Simultaneous conversations. Each target stops at its first step over the goal, so the steps past 48 (where
# two servers and the starter bot both still held, p95 800 and 580 ms on 2026-12-07) cost only where
# they are still held; they are finer where the knee was expected.
STEPS = (4, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 128)
FIXED_LOAD = 16
THINK_S = 1.0  # between a reply and the next message
POSTGRES = "postgresql://postgres@127.0.0.1:5432/trialbot_load"
REDIS_LOCKS = "redis://127.0.0.1:6379/1"
SCRIPTS = {"ours": latency.OUR_SCRIPT, "starter": latency.STARTER_SCRIPT}


def progress(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the load itself: Locust, in its own process ----------------------------------------------------
def drive(url: str, users: int, seconds: float, script: str, think: float) -> Dict[str, Any]:
    """``users`` people at once, each holding conversations of ``script`` one after the other for
    ``seconds``. Every message that gets no 200 with at least one bot message is an error."""
    import uuid

    import gevent
    from locust import HttpUser, constant, task
    from locust.env import Environment

    conversations = SCRIPTS[script]
    finished = []

    class Person(HttpUser):
        host = url
        wait_time = constant(think)

        @task
        def converse(self) -> None:
            sender = f"load-{uuid.uuid4().hex}"
            for n, message in enumerate(conversations[len(finished) % len(conversations)]):
                if n:
                    gevent.sleep(think)
                with self.client.post("/webhooks/rest/webhook", name="turn", catch_response=True, timeout=60,
                                      json={"sender": sender, "message": message, "message_id": f"m{n}"}) as reply:
                    if reply.status_code != 200 or not reply.json():
                        reply.failure(f"HTTP {reply.status_code}" if reply.status_code != 200 else "no reply")
            finished.append(sender)

    environment = Environment(user_classes=[Person])
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    turns = environment.stats.get("turn", "POST")
    return {"users": users, "seconds": seconds, "messages": turns.num_requests, "errors": turns.num_failures,
            "messages_per_s": turns.num_requests / seconds, "conversations_finished": len(finished),
            "p50_ms": turns.get_response_time_percentile(0.5), "p95_ms": turns.get_response_time_percentile(0.95),
            "errors_seen": sorted({str(e.error) for e in environment.stats.errors.values()})[:5],
            "load_average": os.getloadavg()[0]}  # the machine's, over the last minute: other work on the cores


def run_drive(url: str, users: int, seconds: float, script: str, think: float = THINK_S) -> Dict[str, Any]:
    """``drive`` in a process of its own; its figures."""
    command = [sys.executable, "-m", "benchmarks.load", "drive", "--url", url, "--users", str(users),
               "--seconds", str(seconds), "--script", script, "--think", str(think)]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, timeout=seconds + 120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the Locust run failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(lines[-1])


# -- the targets and the steps ----------------------------------------------------------------------
def ramp(name: str, url: str, script: str, steps: List[int], seconds: float) -> Dict[str, Any]:
    """Raise the load step by step until the p95 goal or zero errors is missed."""
    measured = []
    for users in steps:
        progress(f"{name}: {users} conversations at once for {seconds:.0f} s")
        figures = run_drive(url, users, seconds, script)
        measured.append(figures)
        progress(f"{name}: {figures['messages_per_s']:.1f} messages/s, p95 {figures['p95_ms']:.0f} ms, "
                 f"{figures['errors']} errors")
        if figures["errors"] or figures["p95_ms"] >= P95_GOAL_MS:
            break
    held = [m for m in measured if not m["errors"] and m["p95_ms"] < P95_GOAL_MS]
    if FIXED_LOAD not in [m["users"] for m in measured]:  # measured past the goal too, to compare
        progress(f"{name}: {FIXED_LOAD} conversations at once, the fixed load")
        measured.append(run_drive(url, FIXED_LOAD, seconds, script))
    fixed = next((m for m in measured if m["users"] == FIXED_LOAD), None)
    return {"target": name, "url": url, "steps": measured,
            "sustained_conversations": held[-1]["users"] if held else 0,
            "sustained_messages_per_s": held[-1]["messages_per_s"] if held else 0.0,
            "p95_ms_at_fixed_load": fixed["p95_ms"] if fixed else None}


def starter_model(tmp: Path, starter: Path, logs: Path) -> Path:
    if CACHED_STARTER_MODEL.exists():
        return CACHED_STARTER_MODEL
    progress("training the starter bot")
    with open(logs / "load-train-starter.log", "w") as log:
        train(starter, "data", tmp / "models", "starter", log)
    CACHED_STARTER_MODEL.parent.mkdir(parents=True, exist_ok=True)
    (tmp / "models" / "starter.tar.gz").replace(CACHED_STARTER_MODEL)
    return CACHED_STARTER_MODEL


def run(args: argparse.Namespace, tmp: Path, logs: Path) -> Dict[str, Any]:
    if cluster.ensure_database(POSTGRES):
        progress("created the benchmark's PostgreSQL database")
    settings = on_free_ports(replace(load_settings(), database_url=f"sqlite:///{tmp / 'trials.db'}",
                                     tracker_store_url=POSTGRES, lock_store_url=REDIS_LOCKS,
                                     rasa_servers=args.servers, log_level="WARNING"))
    settings = replace(settings, cluster_first_port=free_port())
    while settings.cluster_first_port + 1 in (settings.rasa_port, settings.action_port):
        settings = replace(settings, cluster_first_port=free_port())
    TrialStore(settings.database_url).load_directory(PROJECT_ROOT / "data")
    starter = baseline.create_project(tmp / "starter")
    starter_settings = replace(settings, model=str(starter_model(tmp, starter, logs)), rasa_port=free_port())
    steps = [FIXED_LOAD] if args.quick else list(STEPS)
    with ExitStack() as stack:
        progress(f"starting the action server, {args.servers} Rasa servers and nginx")
        stack.enter_context(running_bot(settings, stack.enter_context(open(logs / "load-servers.log", "w")),
                                        SERVER_TIMEOUT))
        progress("starting the starter bot")
        server = start(rasa_server_command(starter_settings, project=starter),
                       {"RASA_TELEMETRY_ENABLED": "false", "LOG_LEVEL": "WARNING"},
                       stack.enter_context(open(logs / "load-starter.log", "w")), "starter",
                       f"{starter_settings.rasa_url}/webhooks/rest/", SERVER_TIMEOUT, cwd=starter)
        stack.callback(server.stop)
        one = cluster.rasa_server_settings(settings)[0]
        targets = [ramp("one Rasa server", one.rasa_url, "ours", steps, args.seconds),
                   ramp(f"{args.servers} Rasa servers behind nginx", settings.rasa_url, "ours", steps, args.seconds),
                   ramp("starter bot, one Rasa server", starter_settings.rasa_url, "starter", steps, args.seconds)]
    return {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpus": len(os.sched_getaffinity(0)),
            "rasa": version("rasa"), "locust": version("locust"), "quick": args.quick,
            "seconds_per_step": args.seconds, "think_s": THINK_S, "fixed_load": FIXED_LOAD,
            "p95_goal_ms": P95_GOAL_MS, "targets": targets}


def knee(target: Dict[str, Any], goal_ms: float) -> str:
    """The first step over the goal, which the sustained load is just below, or that the ramp ended first."""
    missed = next((s for s in target["steps"] if s["errors"] or s["p95_ms"] >= goal_ms), None)
    if missed is None:
        return f"none: held to the ramp's last step ({max(s['users'] for s in target['steps'])})"
    return (f"{missed['users']} conversations: {missed['messages_per_s']:.1f} messages/s, p95 {missed['p95_ms']:.0f} ms, "
            f"{missed['errors']} errors")


def machine_load(step: Dict[str, Any]) -> str:
    # not measured before 2026-12-07 02:23 (the run of that day began earlier)
    return "n/a" if step.get("load_average") is None else f"{step['load_average']:.1f}"


def busy_machine(results: Dict[str, Any]) -> List[str]:
    """A warning when other work kept the CPUs busy during the run: its figures do not measure the bot."""
    loads = [s["load_average"] for t in results["targets"] for s in t["steps"] if s.get("load_average") is not None]
    if not loads or max(loads) <= results["cpus"]:
        return []
    return [f"**The machine was busy with other work during this run** (a 1-minute load average of {min(loads):.1f} to "
            f"{max(loads):.1f} on {results['cpus']} CPUs, the servers and Locust included): these figures say how "
            "busy the machine was, not what the bot can hold.", ""]


def markdown(results: Dict[str, Any]) -> str:
    lines = [f"# Load: conversations at once, measured with Locust {results['locust']}", "",
             f"{results['when']}, {results['cpus']} CPUs, Rasa {results['rasa']}"
             f"{' (quick run)' if results['quick'] else ''}. Each simulated person holds screening conversations "
             f"(benchmarks/latency.py) with {results['think_s']:g} s of think time between a reply and the next "
             f"message; the load rises in steps of {results['seconds_per_step']:.0f} s. Sustained: the most "
             f"conversations at once with p95 under {results['p95_goal_ms']} ms and no error.", "",
             *busy_machine(results),
             "| target | sustained conversations | messages/s there | the next step | p95 at "
             f"{results['fixed_load']} conversations (ms) |", "|---|---|---|---|---|"]
    for t in results["targets"]:
        fixed = "n/a" if t["p95_ms_at_fixed_load"] is None else f"{t['p95_ms_at_fixed_load']:.0f}"
        lines.append(f"| {t['target']} | {t['sustained_conversations']} | {t['sustained_messages_per_s']:.1f} | "
                     f"{knee(t, results['p95_goal_ms'])} | {fixed} |")
    lines += ["", "How to read it:", "",
              "- One Rasa server is the first of the cluster's, reached directly (the second one idle); the "
              "cluster is reached through nginx. Both use the PostgreSQL tracker store and the Redis locks.",
              "- A Rasa server handles messages on one event loop, so on 2 cores a second server adds some "
              "throughput (the action server and PostgreSQL share the same cores).",
              "- The starter bot (`rasa init`) answers from 4 short stories, with no action server, Rasa's own "
              "REST channel and a SQLite tracker store (benchmarks/baseline.py), in-memory locks.",
              f"- The machine is shared with other work: steps of {results['seconds_per_step']:.0f} s are noisy (a few "
              "hundred ms of p95). Locust itself runs on the same cores, and takes more of them the more people it "
              "simulates.",
              f"- Machine load: the 1-minute load average at the end of each step, of {results['cpus']} CPUs; above "
              f"{results['cpus']}, processes wait for a CPU, and the servers' figures are the machine's, not the bot's.",
              "", "Every step:", "",
              "| target | conversations | messages/s | p50 ms | p95 ms | errors | machine load |",
              "|---|---|---|---|---|---|---|"]
    for t in results["targets"]:
        for s in t["steps"]:
            lines.append(f"| {t['target']} | {s['users']} | {s['messages_per_s']:.1f} | {s['p50_ms']:.0f} | "
                         f"{s['p95_ms']:.0f} | {s['errors']} | {machine_load(s)} |")
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    one = commands.add_parser("drive", help="one Locust run against one URL; prints its figures as JSON")
    one.add_argument("--url", required=True)
    one.add_argument("--users", type=int, required=True)
    one.add_argument("--seconds", type=float, required=True)
    one.add_argument("--script", choices=sorted(SCRIPTS), default="ours")
    one.add_argument("--think", type=float, default=THINK_S)
    parser.add_argument("--quick", action="store_true", help=f"one step of {FIXED_LOAD} conversations per target")
    parser.add_argument("--seconds", type=float, default=20, help="length of each step (default: 20)")
    parser.add_argument("--servers", type=int, default=2, help="Rasa servers behind nginx (default: 2)")
    args = parser.parse_args(argv)
    if args.command == "drive":
        print(json.dumps(drive(args.url, args.users, args.seconds, args.script, args.think)), flush=True)
        os._exit(0)  # gevent's patched threads make the interpreter's own exit noisy
    logs = RESULTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="trialbot-load-") as tmp:
        results = run(args, Path(tmp), logs)
    (RESULTS / "load.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "load.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
