"""Transcript review: inbox query time with 100,000 stored conversations (goal: p95 < 300 ms a page).

``python -m benchmarks.review_inbox [--conversations N] [--repeat R] [--postgres] [--url URL]``

Seeds N synthetic conversation summaries (with their masked search text, trials and tags) into a
throw-away SQLite database through the review store (``--postgres``: a throw-away PostgreSQL
database on TRIALBOT_TEST_POSTGRES_URL's server; ``--url``: any database), then times inbox pages
(count + one page + its tags) with each filter, sort and free-text search, and the whole inbox
HTML page through the review web app (login, index check, audit entry, rendering). It also times
the incremental indexer over Rasa-shaped events. Writes benchmarks/results/review_inbox.{json,md}.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_MS = 300.0
TRIALS = [f"NCT0{5236582 + i * 7919}" for i in range(20)]
TAGS = ["nlu-gap", "wrong-answer", "unclear", "follow-up", "date-misread", "units", "consent", "praise"]
WORDS = ("platelets platelet count chemotherapy chemo weeks ago bleeding bruising nosebleeds diabetes heart "
         "pregnant breastfeeding aspirin clopidogrel doctor hospital tianjin lung breast colorectal cancer tumour "
         "radiotherapy ecg qtc liver kidney yes no not sure maybe mother father wife husband years old thousand "
         "understand question answer result trial study eligible criteria sorry rephrase again help why").split()


def progress(message: str) -> None:
    print(f"[review bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def synthetic(n: int, seed: int = 6) -> Iterator[tuple]:
    """Summaries shaped like real ones: a year of conversations, most short, a few long."""
    rng = random.Random(seed)
    now = time.time()
    for i in range(n):
        started = now - rng.random() * 365 * 86400
        turns = max(1, int(rng.expovariate(1 / 9)))
        fallbacks = sum(rng.random() < 0.05 for _ in range(turns))
        words = [rng.choice(WORDS) for _ in range(12 * turns + 20)]
        if rng.random() < 0.01:
            words.append("hospice")  # a rare word
        trials = [rng.choice(TRIALS)] if rng.random() < 0.95 else rng.sample(TRIALS, 3)
        row = {
            "sender_id": f"bench-{i:06d}-{uuid.UUID(int=rng.getrandbits(128)).hex[:8]}",
            "channel": rng.choices(["rest", "socketio", "slack"], [70, 20, 10])[0],
            "started_at": started, "last_at": started + turns * rng.uniform(5, 90), "turns": turns,
            "verdict": rng.choices(["likely_eligible", "uncertain", "not_eligible", None], [15, 35, 30, 20])[0],
            "trials": ",".join(trials), "fallbacks": fallbacks,
            "low_confidence": fallbacks + sum(rng.random() < 0.05 for _ in range(turns)),
            "misunderstood": fallbacks // 2, "asked_human": rng.random() < 0.03, "frustrated": rng.random() < 0.05,
            "status": rng.choices(["unreviewed", "reviewed", "needs_follow_up"], [80, 15, 5])[0],
            "flagged": int(rng.random() < 0.02), "preview": " ".join(words[:8]), "last_event_id": 0,
            "scratch": "{}",
        }
        tags = rng.sample(TAGS, rng.choice([1, 2])) if rng.random() < 0.10 else []
        yield row, " ".join(words), trials, tags


def seed(store: Any, n: int, batch: int = 5000) -> float:
    began = time.perf_counter()
    rows, bodies, trials, tags = [], [], [], []
    for row, body, trial_ids, tag_list in synthetic(n):
        rows.append(row), bodies.append(body), trials.append(trial_ids), tags.append(tag_list)
        if len(rows) == batch:
            store.seed(rows, bodies, trials, tags)
            rows, bodies, trials, tags = [], [], [], []
    if rows:
        store.seed(rows, bodies, trials, tags)
    # Statistics (and on PostgreSQL the visibility map), as autovacuum keeps them in a live database.
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("VACUUM ANALYZE" if store.dialect == "postgresql" else "ANALYZE")
    return time.perf_counter() - began


def queries() -> Dict[str, Dict[str, Any]]:
    last_month = (datetime.now(timezone.utc) - timedelta(days=30)).date()
    return {
        "default (newest first)": {},
        "page 1000 of 2000": {"page": 1000},
        "last page": {"page": 10 ** 6},
        "sort by turns": {"sort": "turns"},
        "sort by fallbacks, ascending": {"sort": "fallbacks", "desc": False},
        "verdict": {"verdict": "not_eligible"},
        "status + verdict": {"status": "needs_follow_up", "verdict": "uncertain"},
        "trial": {"trial": TRIALS[3]},
        "tag": {"tag": "wrong-answer"},
        "channel": {"channel": "slack"},
        "asked for a human": {"asked_human": True},
        "frustrated, sort by turns": {"frustrated": True, "sort": "turns"},
        "fallbacks >= 2": {"min_fallbacks": 2},
        "low confidence >= 3": {"min_low_confidence": 3},
        "turns 10-20": {"min_turns": 10, "max_turns": 20},
        "started in the last 30 days": {"started_from": last_month},
        "flagged": {"flagged": True},
        "free text: one word": {"q": "nosebleeds"},
        "free text: rare word": {"q": "hospice"},
        "free text: two words": {"q": "bleeding aspirin"},
        "free text: prefix": {"q": "chemo"},
        "free text + filters": {"q": "platelets", "verdict": "uncertain", "channel": "rest"},
        "all filters": {"channel": "rest", "verdict": "uncertain", "status": "unreviewed", "min_turns": 3,
                        "min_fallbacks": 1, "started_from": date(2000, 1, 1), "sort": "turns"},
    }


def timed(function: Callable[[], Any], repeat: int) -> Dict[str, float]:
    function()  # warm the caches once
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))], 2),
            "max_ms": round(samples[-1], 2)}


def bench_store(store: Any, repeat: int) -> Dict[str, Dict[str, Any]]:
    from review.store import InboxQuery

    results = {}
    for name, params in queries().items():
        query = InboxQuery(**params)
        first = store.inbox(query)
        results[name] = {**timed(lambda: store.inbox(query), repeat), "matching": first.total,
                         "matching_is_lower_bound": first.capped}
        progress(f"  {name}: p50 {results[name]['p50_ms']} ms, p95 {results[name]['p95_ms']} ms "
                 f"({first.total:,}{'+' if first.capped else ''})")
    return results


@contextmanager
def app_server(store: Any) -> Iterator[str]:
    """The review web app on a free port, in a thread (as the tests run it)."""
    from aiohttp import web

    from trialbot.config import PROJECT_ROOT
    from trialbot.servers import free_port
    from review.app import create_app
    from review.auth import Authenticator

    auth = Authenticator(store)
    auth.add_user("bench", "reviewer", "benchmark-password", "bench")
    app = create_app(store, auth, Path(tempfile.gettempdir()), PROJECT_ROOT / "domain.yml", index_interval=0)
    port, loop = free_port(), asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> None:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()

    asyncio.run_coroutine_threadsafe(start(), loop).result(30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)


def bench_http(store: Any, repeat: int) -> Dict[str, Dict[str, Any]]:
    import requests

    with app_server(store) as url:
        session = requests.Session()
        page = session.get(f"{url}/login", timeout=30)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        session.post(f"{url}/login", data={"username": "bench", "password": "benchmark-password", "csrf": csrf},
                     timeout=30).raise_for_status()
        results = {}
        for name, params in {"inbox page (HTML)": {}, "inbox page, filtered (HTML)": {"verdict": "uncertain",
                                                                                      "q": "platelets",
                                                                                      "sort": "turns"},
                             "inbox page 1000 (HTML)": {"page": 1000},
                             "inbox API (JSON)": {"_api": True}}.items():
            path = "/api/conversations" if params.pop("_api", False) else "/"

            def get() -> None:
                reply = session.get(url + path, params=params, timeout=30)
                reply.raise_for_status()

            results[name] = timed(get, repeat)
            progress(f"  {name}: p50 {results[name]['p50_ms']} ms, p95 {results[name]['p95_ms']} ms")
    return results


def bench_indexer(store: Any, conversations: int = 1000) -> Dict[str, Any]:
    """The incremental indexer over Rasa-shaped events: ~10 turns a conversation."""
    from sqlalchemy import insert

    from review.store.tables import events

    rng = random.Random(7)
    rows = []
    at = time.time() - 3600
    for n in range(conversations):
        sender = f"indexer-{n:05d}"
        for turn in range(10):
            at += 0.01
            text = " ".join(rng.choice(WORDS) for _ in range(8))
            parse = {"intent": {"name": "inform", "confidence": rng.random()}, "intent_ranking": []}
            rows.append({"sender_id": sender, "type_name": "user", "timestamp": at, "intent_name": "inform",
                         "data": json.dumps({"event": "user", "timestamp": at, "text": text, "parse_data": parse,
                                             "input_channel": "rest"})})
            rows.append({"sender_id": sender, "type_name": "action", "timestamp": at, "action_name": "action_screen",
                         "data": json.dumps({"event": "action", "timestamp": at, "name": "action_screen"})})
            rows.append({"sender_id": sender, "type_name": "bot", "timestamp": at,
                         "data": json.dumps({"event": "bot", "timestamp": at, "text": "Noted. " + text,
                                             "data": {"custom": {"asks": ["age"]}}})})
            rows.append({"sender_id": sender, "type_name": "slot", "timestamp": at, "action_name": "facts",
                         "data": json.dumps({"event": "slot", "timestamp": at, "name": "facts",
                                             "value": {"age": 40 + turn}})})
    columns = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
    with store.engine.begin() as c:
        c.execute(insert(events), [{k: r.get(k) for k in columns} for r in rows])
    report = store.index()
    idle = timed(lambda: store.index(), 20)
    return {"events": report.events, "conversations": report.conversations, "seconds": round(report.seconds, 2),
            "events_per_second": round(report.events / report.seconds) if report.seconds else None,
            "nothing_new_p50_ms": idle["p50_ms"]}


def markdown(results: Dict[str, Any]) -> str:
    lines = [f"# Transcript review: inbox with {results['conversations']:,} conversations ({results['backend']})", "",
             f"Goal: under {GOAL_MS:.0f} ms a page (p95). Seeding took {results['seed_seconds']} s. "
             f"{results['machine']}.", "",
             "Store queries: the count and one page of 50 with its tags. Free-text counts stop at 1,000 (\"1,000+\").",
             "", "| query | matching | p50 ms | p95 ms |", "|---|---:|---:|---:|"]
    for name, r in results["store"].items():
        matching = f"{r['matching']:,}" + ("+" if r.get("matching_is_lower_bound") else "")
        lines.append(f"| {name} | {matching} | {r['p50_ms']} | {r['p95_ms']} |")
    lines += ["", "Through the web app (HTTP, logged in: session check, index check, audit entry, rendering):", "",
              "| page | p50 ms | p95 ms |", "|---|---:|---:|"]
    for name, r in results["http"].items():
        lines.append(f"| {name} | {r['p50_ms']} | {r['p95_ms']} |")
    ix = results["indexer"]
    lines += ["", f"Indexer: {ix['events']:,} events of {ix['conversations']:,} conversations in {ix['seconds']} s "
              f"({ix['events_per_second']:,} events/s); a run with nothing new: {ix['nothing_new_p50_ms']} ms.",
              "", f"Worst p95: {results['worst_p95_ms']} ms: {'goal met' if results['goal_met'] else 'GOAL MISSED'}."]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.review_inbox", description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query (default: 30)")
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL database instead of SQLite")
    parser.add_argument("--url", help="benchmark this (empty) database instead")
    parser.add_argument("--output", help="results file, without extension (default: "
                                         "benchmarks/results/review_inbox[_postgresql])")
    args = parser.parse_args(argv)

    import platform
    import os

    from review.store import ReviewStore

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="review-bench-")))
        if args.url:
            url, backend = args.url, args.url.split(":", 1)[0]
        elif args.postgres:
            from sqlalchemy import create_engine, text

            admin_url = os.environ.get("TRIALBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
            name = f"trialbot_review_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))

            def drop() -> None:
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()

            stack.callback(drop)
            url, backend = f"{admin_url.rsplit('/', 1)[0]}/{name}", "postgresql"
        else:
            url, backend = f"sqlite:///{tmp / 'conversations.db'}", "sqlite"
        store = ReviewStore(url)
        stack.callback(store.engine.dispose)
        progress(f"seeding {args.conversations:,} conversations into {backend}")
        seconds = seed(store, args.conversations)
        progress(f"seeded in {seconds:.1f}s; timing inbox queries ({args.repeat} runs each)")
        store_results = bench_store(store, args.repeat)
        progress("timing the web app")
        http_results = bench_http(store, max(10, args.repeat // 2))
        progress("timing the indexer")
        indexer = bench_indexer(store)
    worst = max(r["p95_ms"] for r in list(store_results.values()) + list(http_results.values()))
    results = {"conversations": args.conversations, "backend": backend, "seed_seconds": round(seconds, 1),
               "machine": f"Python {platform.python_version()}, {os.cpu_count()} CPU(s), {platform.machine()}",
               "store": store_results, "http": http_results, "indexer": indexer, "worst_p95_ms": worst,
               "goal_ms": GOAL_MS, "goal_met": worst < GOAL_MS, "measured_at": datetime.now(timezone.utc).isoformat()}
    output = Path(args.output or RESULTS / ("review_inbox" + ("" if backend == "sqlite" else f"_{backend}")))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
    output.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))
    return 0 if results["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
