"""The `trialbot` command: load and inspect trials, run and watch the servers, chat in a terminal."""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import urllib.request
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, List, Optional

from bot.rules import describe_rule
from bot.store import TrialStore
from trialbot.config import PROJECT_ROOT, Settings, load_settings

SERVER_TIMEOUT = 180  # seconds for a server to come up on a busy 2-core machine


def trials_load(settings: Settings, args: argparse.Namespace) -> int:
    """A data directory (facts.yml and trials/*.yml), or one trial file (``trials draft`` writes them)."""
    path = Path(args.data_dir)
    store = TrialStore(settings.database_url)
    if path.is_file():
        try:
            trial = store.load_file(path)
        except (ValueError, KeyError, TypeError) as error:  # RuleError is a ValueError
            print(f"{path}: not loaded: {error}", file=sys.stderr)
            return 1
        print(f"Loaded {trial.id} ({store.state(trial.id).value}) from {path}")
        return 0
    loaded = store.load_directory(path)
    print(f"Loaded {len(loaded)} trial(s): {', '.join(loaded)}")
    return 0


def _write_trial_yaml(settings: Settings, args: argparse.Namespace, command: str) -> int:
    from bot.importers.drafts import trial_yaml
    from bot.trials import TrialState

    store = TrialStore(settings.database_url)
    state = store.state(args.trial_id)
    if state is None:
        print(f"No trial {args.trial_id} in the database.", file=sys.stderr)
        return 1
    if command == "draft" and state is not TrialState.DRAFT:
        print(f"{args.trial_id} is {state.value}, not a draft: `trialbot trials export {args.trial_id}` writes it.",
              file=sys.stderr)
        return 1
    text = trial_yaml(store, args.trial_id, command)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Wrote {args.trial_id} ({state.value}) to {args.out}; load it back with: trialbot trials load {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def trials_draft(settings: Settings, args: argparse.Namespace) -> int:
    return _write_trial_yaml(settings, args, "draft")


def trials_export(settings: Settings, args: argparse.Namespace) -> int:
    return _write_trial_yaml(settings, args, "export")


def trials_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.importers import import_path

    curated = None if args.no_curated else Path(args.curated_dir)
    report = import_path(Path(args.path), TrialStore(settings.database_url), curated_dir=curated,
                         publish=args.publish)
    print(report.summary(limit=args.limit))
    return 1 if report.problems and not report.imported else 0


def _places(locations: List[dict], shown: int = 2) -> str:
    names = [", ".join(p for p in (loc.get("city"), loc.get("region"), loc.get("country")) if p) or loc.get("facility", "")
             for loc in locations]
    names = list(dict.fromkeys(n for n in names if n))
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return "; ".join(names[:shown]) + more


def trials_list(settings: Settings, args: argparse.Namespace) -> int:
    found = TrialStore(settings.database_url).summaries(condition=args.condition, status=args.status,
                                                        place=args.place)
    for trial in found:
        details = trial["details"]
        status = f"  ({details['status'].replace('_', ' ')})" if details.get("status") else ""
        print(f"{trial['id']}  {trial['brief_title']}{status}  [{_places(details.get('locations') or [])}]"
              f"  {trial['criteria']} criteria  {trial['state'].value}")
    if args.condition or args.status or args.place:
        print(f"{len(found)} trial(s) found.")
    return 0


def trials_show(settings: Settings, args: argparse.Namespace) -> int:
    store = TrialStore(settings.database_url)
    vocabulary = store.vocabulary()
    trial = store.trial(args.trial_id, vocabulary)
    if trial is None:
        print(f"No trial {args.trial_id} in the database.", file=sys.stderr)
        return 1
    print(f"{trial.id}: {trial.title}")
    print(f"  state: {store.state(trial.id).value}")
    for key in ("status", "phase", "conditions", "sex", "minimum_age", "maximum_age"):
        if trial.info.get(key):
            value = trial.info[key]
            print(f"  {key.replace('_', ' ')}: {', '.join(value) if isinstance(value, list) else value}")
    if trial.locations:
        print(f"  where: {_places([loc.to_dict() for loc in trial.locations], shown=3)}")
    questions = sum(c.to_be_confirmed for c in trial.criteria)
    print(f"\n{len(trial.criteria)} criteria: {len(trial.criteria) - questions} checked by a rule over facts, "
          f"{questions} asked as a question and to be confirmed by the study team.\n")
    for c in trial.criteria:
        who = c.answered_by(vocabulary).value.replace("_", " ")
        if c.to_be_confirmed:
            asked = " / ".join(vocabulary[key].ask for key in c.rule.facts)
            print(f"[{c.kind.value}] {c.id}  (question, to be confirmed by the study team)\n  text:    {c.text}"
                  f"\n  asked:   {asked}\n")
        else:
            print(f"[{c.kind.value}] {c.id}\n  text:    {c.text}\n  checked: {describe_rule(c.rule_spec)}"
                  f"\n  settled by: {who}\n")
    return 0


def staff_webhooks(settings: Settings) -> List[str]:
    """The staff channels' webhooks (README, "Staff channels"), when the credentials file enables them."""
    import yaml

    path = Path(settings.credentials)
    path = path if path.is_absolute() else PROJECT_ROOT / path
    try:
        channels = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    names = {"channels.slack.SlackChannel": ("Slack events", "slack"),
             "channels.teams.TeamsChannel": ("Teams messaging endpoint", "botframework")}
    return [f"{label}: POST <public https address>/webhooks/{name}/webhook (Rasa listens on {settings.rasa_url})"
            for key, (label, name) in names.items() if key in channels]


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGINT (Ctrl-C) and SIGTERM set ``stop``, from another thread: Event.set takes a lock that
    the interrupted main thread may be holding inside Event.wait."""
    def handler(signum: int, frame: Any) -> None:
        threading.Thread(target=stop.set).start()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handler)


def serve(settings: Settings, args: argparse.Namespace) -> int:
    """Run every server and watch them until Ctrl-C or SIGTERM: one that stops is started again
    (trialbot/servers.py, ``supervise``); one that cannot be brought back stops them all, and the
    command exits with 1 and the reason."""
    from trialbot.cluster import prepare
    from trialbot.servers import ServerFailed, bot_servers, started, supervise

    if args.rasa_servers is not None:
        settings = replace(settings, rasa_servers=args.rasa_servers)
    problem = prepare(settings)
    if problem:
        print(f"trialbot serve did not start: {problem}", file=sys.stderr, flush=True)
        return 2
    stop = threading.Event()
    _stop_on_signals(stop)
    try:
        with started(bot_servers(settings, log=sys.stdout, web=True, review=True), SERVER_TIMEOUT, stop) as servers:
            if stop.is_set():
                return 0
            print(f"\nThe bot is running.\n"
                  f"Chat in a browser:  {settings.web_url}\n"
                  f"Transcript review:  {settings.review_url} (log in; add users with "
                  f".venv/bin/trialbot review add-user NAME --role admin)\n"
                  f"Chat in a terminal: .venv/bin/trialbot chat\n"
                  f"Over HTTP: POST {settings.rasa_url}/webhooks/rest/webhook "
                  '{"sender": "<any id>", "message": "hi"}\n'
                  f'Embed the chat on another site (add its origin to cors_origins): '
                  f'<script src="{settings.web_url}chat.js" data-bot-url="{settings.bot_url}"></script>\n'
                  "Health, for a load balancer: " + ", ".join(server.health_url for server in servers) + "\n"
                  "Press Ctrl-C to stop.", flush=True)
            for line in staff_webhooks(settings):
                print(line, flush=True)
            supervise(servers, stop, SERVER_TIMEOUT)
    except ServerFailed as exc:
        print(f"trialbot serve stopped every server: {exc}.", file=sys.stderr, flush=True)
        return 1
    return 0


def run_server(settings: Settings, args: argparse.Namespace) -> int:
    """Become one of the servers `serve` starts, with the same command and environment: for a
    service manager that runs and restarts each on its own (deploy/systemd/)."""
    from trialbot.cluster import prepare
    from trialbot.servers import ServerFailed, bot_servers

    try:
        servers = {server.name: server for server in bot_servers(settings, web=True, review=True)}
    except ServerFailed as exc:
        print(f"trialbot run-server: {exc}", file=sys.stderr)
        return 2
    server = servers.get(args.server)
    if server is None:
        print(f"trialbot run-server: no server {args.server!r} with rasa_servers={settings.rasa_servers}; "
              f"there are: {', '.join(servers)}", file=sys.stderr)
        return 2
    problem = prepare(settings) if server.name.startswith("rasa") else None
    if problem:
        print(f"trialbot run-server: {problem}", file=sys.stderr)
        return 2
    os.chdir(server.cwd)
    os.execve(server.command[0], server.command, {**os.environ, **server.env})


def web(settings: Settings, args: argparse.Namespace) -> int:
    """Only the chat page's server, for a bot that runs elsewhere (or behind a load balancer)."""
    from web.server import serve as serve_web

    serve_web(host=args.host or settings.host, port=args.port or settings.web_port,
              bot_url=(args.bot_url or settings.bot_url),
              cors_origins=settings.allowed_origins if args.cors_origins is None
              else [o for o in args.cors_origins.split(",") if o])
    return 0


def chat(settings: Settings, args: argparse.Namespace) -> int:
    url = f"{args.url or settings.rasa_url}/webhooks/rest/webhook"
    sender = args.sender or uuid.uuid4().hex
    print("Type your messages; an empty line or Ctrl-D ends the chat.")
    message = "hi"
    while True:
        request = urllib.request.Request(url, json.dumps({"sender": sender, "message": message}).encode(),
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as reply:
            for bot_message in json.load(reply):
                if bot_message.get("text"):
                    print(f"bot> {bot_message['text']}")
                if bot_message.get("buttons"):
                    print("     [" + " | ".join(b["title"] for b in bot_message["buttons"]) + "]")
        try:
            message = input("you> ").strip()
        except EOFError:
            return 0
        if not message:
            return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="trialbot", description="Clinical trial screening assistant.")
    commands = top.add_subparsers(dest="command", required=True)
    trials = commands.add_parser("trials", help="load and inspect the trial database").add_subparsers(
        dest="trials_command", required=True)
    load = trials.add_parser("load", help="load data/facts.yml and data/trials/*.yml into the database, "
                                           "or one trial file (as `trials draft` writes it)")
    load.add_argument("data_dir", nargs="?", default=str(PROJECT_ROOT / "data"), metavar="DIR_OR_FILE")
    load.set_defaults(handler=trials_load)
    for name, handler, what in (("draft", trials_draft, "an imported draft trial as editable YAML, each criterion "
                                                       "with its source and how sure the importer was"),
                                ("export", trials_export, "a trial (published or not) as YAML, for version control")):
        writing = trials.add_parser(name, help=what)
        writing.add_argument("trial_id")
        writing.add_argument("--out", help="write to this file (default: standard output)")
        writing.set_defaults(handler=handler)
    listing = trials.add_parser("list", help="list the trials in the database")
    listing.add_argument("--condition", help="only trials for this condition (part of a name, any case)")
    listing.add_argument("--status", help="only trials with this status (recruiting, not yet recruiting, completed...)")
    listing.add_argument("--place", help="only trials with a site in this city, region or country")
    listing.set_defaults(handler=trials_list)
    importing = trials.add_parser(
        "import", help="import ClinicalTrials.gov API v2 records (.json, or a directory of them) or an OMOP "
                       "criteria corpus (a directory with all_criteria_corpus.csv)")
    importing.add_argument("path")
    importing.add_argument("--curated-dir", default=str(PROJECT_ROOT / "data" / "trials"),
                           help="hand-curated trials (<id>.yml) that are kept, not imported (default: data/trials)")
    importing.add_argument("--no-curated", action="store_true", help="import even trials that have a curated file")
    importing.add_argument("--limit", type=int, default=20, help="how many skipped trials and problems to list")
    importing.add_argument("--publish", action="store_true",
                           help="publish the trials as imported, without a coordinator's review (default: drafts)")
    importing.set_defaults(handler=trials_import)
    show = trials.add_parser("show", help="every criterion of a trial and how it is checked")
    show.add_argument("trial_id")
    show.set_defaults(handler=trials_show)
    serving = commands.add_parser("serve", help="run the action server, the Rasa server(s), the web chat and "
                                                "transcript review")
    serving.add_argument("--rasa-servers", type=int, metavar="N",
                         help="run N Rasa servers behind nginx on rasa_port (default: rasa_servers, 1)")
    serving.set_defaults(handler=serve)
    one = commands.add_parser("run-server", help="run one of the servers serve starts (for systemd: deploy/systemd/)")
    one.add_argument("server", help="action, rasa (rasa-1, rasa-2... with rasa_servers > 1), nginx, web or review")
    one.set_defaults(handler=run_server)
    page = commands.add_parser("web", help="serve only the website chat (the page and chat.js)")
    page.add_argument("--host", help="interface to listen on (default: from the configuration)")
    page.add_argument("--port", type=int, help="port (default: web_port)")
    page.add_argument("--bot-url", help="the REST channel as browsers reach it (default: web_bot_url)")
    page.add_argument("--cors-origins", help="comma-separated origins allowed to load the chat (default: cors_origins)")
    page.set_defaults(handler=web)
    talk = commands.add_parser("chat", help="chat with the running bot in this terminal")
    talk.add_argument("--url", help="the Rasa server (default: from the configuration)")
    talk.add_argument("--sender", help="conversation id to continue (default: a new one)")
    talk.set_defaults(handler=chat)
    from review.cli import add_commands as add_review_commands  # `trialbot review ...` (review/cli.py)

    add_review_commands(commands)
    return top


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.handler(settings, args)


if __name__ == "__main__":
    sys.exit(main())
