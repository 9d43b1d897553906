"""The `trialbot` command: load and inspect trials, run the servers, chat in a terminal."""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import urllib.request
import uuid
from pathlib import Path
from typing import List, Optional

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.rules import describe_rule
from bot.store import TrialStore


def trials_load(settings: Settings, args: argparse.Namespace) -> int:
    loaded = TrialStore(settings.database_url).load_directory(Path(args.data_dir))
    print(f"Loaded {len(loaded)} trial(s): {', '.join(loaded)}")
    return 0


def trials_list(settings: Settings, args: argparse.Namespace) -> int:
    for trial in TrialStore(settings.database_url).trials().values():
        print(f"{trial.id}  {trial.brief_title}  [{trial.where}]  {len(trial.criteria)} criteria")
    return 0


def trials_show(settings: Settings, args: argparse.Namespace) -> int:
    store = TrialStore(settings.database_url)
    vocabulary = store.vocabulary()
    trial = store.trials(vocabulary).get(args.trial_id)
    if trial is None:
        print(f"No trial {args.trial_id} in the database.", file=sys.stderr)
        return 1
    print(f"{trial.id}: {trial.title}\n")
    for c in trial.criteria:
        who = c.answered_by(vocabulary).value.replace("_", " ")
        print(f"[{c.kind.value}] {c.id}\n  text:    {c.text}\n  checked: {describe_rule(c.rule_spec)}"
              f"\n  settled by: {who}\n")
    return 0


def serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.servers import running_bot

    with running_bot(settings, log=sys.stdout):
        print(f"\nThe bot is running. Chat in a terminal with: .venv/bin/trialbot chat\n"
              f"or POST to {settings.rasa_url}/webhooks/rest/webhook "
              '{"sender": "<any id>", "message": "hi"}\nPress Ctrl-C to stop.', flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
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
    load = trials.add_parser("load", help="load data/facts.yml and data/trials/*.yml into the database")
    load.add_argument("data_dir", nargs="?", default=str(PROJECT_ROOT / "data"))
    load.set_defaults(handler=trials_load)
    trials.add_parser("list", help="list the trials in the database").set_defaults(handler=trials_list)
    show = trials.add_parser("show", help="every criterion of a trial and how it is checked")
    show.add_argument("trial_id")
    show.set_defaults(handler=trials_show)
    commands.add_parser("serve", help="run the action server and the Rasa server").set_defaults(handler=serve)
    talk = commands.add_parser("chat", help="chat with the running bot in this terminal")
    talk.add_argument("--url", help="the Rasa server (default: from the configuration)")
    talk.add_argument("--sender", help="conversation id to continue (default: a new one)")
    talk.set_defaults(handler=chat)
    return top


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    settings = load_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.handler(settings, args)


if __name__ == "__main__":
    sys.exit(main())
