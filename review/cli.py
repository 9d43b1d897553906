"""``trialbot review ...``: the command-line twin of the review app, for scripts.

    trialbot review list [filters] [--json]        the inbox (same filters as the web app)
    trialbot review show ID [--unmask] [--json]    one conversation, turn by turn
    trialbot review export --format json|csv [filters] [--ids 1,2] [--rows messages] [-o FILE]
    trialbot review erase ID | --sender SENDER     erase a conversation everywhere
    trialbot review index | purge                  update the index | apply the retention period
    trialbot review add-user NAME --role admin     add or change a user (password asked, or --password-stdin)
    trialbot review remove-user NAME | users | hash-password
    trialbot review serve [--host H] [--port P]    the web app alone

Output is masked unless ``--unmask`` (logged in the audit log as the OS user, like every view and
export from here).
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any, Dict, Optional

from channels.guard import unreadable_field
from review.export import conversation_record, csv_chunks, iso, json_chunks, records, summary_record
from review.store import STATUSES, VERDICTS, InboxQuery, ReviewStore

FILTERS = [
    ("--q", "q", "free text (words of the conversation, masked)"),
    ("--channel", "channel", "channel, e.g. rest"),
    ("--verdict", "verdict", ", ".join(VERDICTS) + " or none"),
    ("--trial", "trial", "trial id, e.g. NCT05236582"),
    ("--status", "status", ", ".join(STATUSES[:-1]) + " or " + STATUSES[-1]),
    ("--tag", "tag", "a tag"),
    ("--since", "started_from", "started on or after (YYYY-MM-DD)"),
    ("--until", "started_to", "started on or before (YYYY-MM-DD)"),
    ("--min-turns", "min_turns", "at least this many messages from the person"),
    ("--max-turns", "max_turns", "at most this many messages from the person"),
    ("--min-fallbacks", "min_fallbacks", "at least this many fallbacks"),
    ("--min-low-confidence", "min_low_confidence", "at least this many low-confidence turns"),
    ("--min-not-understood", "min_misunderstood", "at least this many answers not understood"),
    ("--min-check-backs", "min_check_backs", "at least this many readings offered back for confirmation"),
    ("--min-read-backs", "min_read_backs", "at least this many read-backs before a verdict"),
    ("--min-corrections", "min_corrections", "at least this many facts changed after they were answered"),
    ("--min-repeated-questions", "min_repeated_questions", "at least this many questions asked again"),
    ("--asked-human", "asked_human", "yes or no"),
    ("--frustrated", "frustrated", "yes or no"),
    ("--flagged", "flagged", "yes or no: has flagged messages"),
    ("--sort", "sort", "started, last, turns, fallbacks, low_confidence, misunderstood, check_backs, read_backs, "
                       "corrections, repeated_questions, verdict, channel, status, id"),
]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli"


def _store(settings: Any):
    return ReviewStore(settings.tracker_store_url, settings.low_confidence_threshold)


def _refuse_unreadable(args: argparse.Namespace) -> None:
    """Bytes that are not UTF-8 on the command line arrive as lone surrogates, which no database takes."""
    where = unreadable_field({k: v for k, v in vars(args).items() if isinstance(v, str)})
    if where:
        raise SystemExit(f"--{where.replace('_', '-')}: not valid text (invalid Unicode).")


def _query(args: argparse.Namespace, **extra: Any):
    _refuse_unreadable(args)
    params: Dict[str, Any] = {dest: getattr(args, dest) for _, dest, _ in FILTERS if getattr(args, dest, None)}
    if getattr(args, "asc", False):
        params["order"] = "asc"
    if getattr(args, "ids", None):
        params["ids"] = args.ids
    params.update({k: v for k, v in extra.items() if v is not None})
    return InboxQuery.from_params(params)


def _resolve(store: Any, args: argparse.Namespace) -> Optional[int]:
    _refuse_unreadable(args)
    if getattr(args, "sender", None):
        return store.conversation_id_of(args.sender)
    return int(args.id) if args.id is not None and str(args.id).isdigit() else None


# -- commands --------------------------------------------------------------------------------------

def list_command(settings: Any, args: argparse.Namespace) -> int:
    store = _store(settings)
    store.index()
    query = _query(args, page=str(args.page), per_page=str(args.per_page))
    page = store.inbox(query)
    store.audit(_actor(), "inbox", None, filters=query.describe(), page=page.page, results=page.total, cli=True)
    if args.json:
        print(json.dumps({"total": page.total, "total_is_capped": page.capped, "page": page.page, "pages": page.pages,
                          "conversations": [summary_record(r) for r in page.rows]}, ensure_ascii=False, indent=1))
        return 0
    print(f"{page.total:,}{'+' if page.capped else ''} conversation(s); page {page.page} of {page.pages}")
    print(f"{'id':>7}  {'started (UTC)':<17} {'channel':<8} {'turns':>5} {'verdict':<15} {'fb':>3} {'low':>3} "
          f"{'flags':<12} {'status':<15} trials / tags")
    for r in page.rows:
        record = summary_record(r)
        signals = ",".join(k for k in ("asked_human", "frustrated") if record[k]).replace("asked_human", "human")
        print(f"{r['id']:>7}  {(iso(r['started_at']) or '')[:16]:<17} {(r['channel'] or '-'):<8} {r['turns']:>5} "
              f"{(r['verdict'] or '-'):<15} {r['fallbacks']:>3} {r['low_confidence']:>3} {signals or '-':<12} "
              f"{r['status']:<15} {','.join(record['trials']) or '-'} {' '.join('#' + t for t in record['tags'])}")
    return 0


def show_command(settings: Any, args: argparse.Namespace) -> int:
    store = _store(settings)
    store.index()
    cid = _resolve(store, args)
    record = conversation_record(store, cid, masked=not args.unmask) if cid is not None else None
    if record is None:
        print("No such conversation.", file=sys.stderr)
        return 1
    store.audit(_actor(), "unmask" if args.unmask else "view", cid, cli=True)
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=1, default=str))
        return 0
    print(f"Conversation #{record['id']}  sender {record['sender']}  channel {record['channel']}  "
          f"started {record['started_at']}  turns {record['turns']}")
    print(f"trials {', '.join(record['trials']) or '-'}  verdict {record['verdict'] or '-'}  fallbacks "
          f"{record['fallbacks']}  low confidence {record['low_confidence']}  status {record['status']}  "
          f"tags {', '.join(record['tags']) or '-'}")
    for m in record["messages"]:
        if m["kind"] == "user":
            confidence = f"{m['confidence']:.2f}" if isinstance(m.get("confidence"), (int, float)) else "-"
            marks = " ".join(x for x, on in (("FALLBACK", m.get("fallback")), ("LOW", m.get("low_confidence")),
                                             ("FLAGGED", m.get("flag"))) if on)
            print(f"\n[{m['event_id']}] person> {m.get('text') or ''}\n      intent {m.get('intent')} ({confidence}) {marks}")
            if m.get("facts"):
                print("      facts: " + "; ".join(f"{k}={v}" for k, v in m["facts"].items()))
        else:
            print(f"[{m['event_id']}] bot> {m.get('text') or ''}")
            verdict = m.get("verdict")
            for v in (verdict if isinstance(verdict, list) else [verdict] if verdict else []):
                print(f"      verdict {v.get('trial_id')}: {v.get('status')}")
                for c in v.get("criteria") or []:
                    print(f"        - [{c.get('status')}] {c.get('id')}: {c.get('explanation')}")
    for n in record["notes"]:
        print(f"\nnote by {n['by']} at {n['at']}: {n['text']}")
    return 0


def export_command(settings: Any, args: argparse.Namespace) -> int:
    store = _store(settings)
    store.index()
    query = _query(args)
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout
    count = 0

    def counted():
        nonlocal count
        for record in records(store, query, masked=not args.unmask):
            count += 1
            yield record

    try:
        if args.format == "json":
            chunks = json_chunks(counted(), {"exported_by": _actor(), "masked": not args.unmask,
                                             "filters": query.describe()})
        else:
            chunks = csv_chunks(counted(), args.rows)
        for piece in chunks:
            out.write(piece)
    finally:
        if out is not sys.stdout:
            out.close()
        store.audit(_actor(), "export", None, format=args.format, filters=query.describe(), conversations=count,
                    masked=not args.unmask, cli=True)
    if args.output:
        print(f"Exported {count} conversation(s) to {args.output}", file=sys.stderr)
    return 0


def erase_command(settings: Any, args: argparse.Namespace) -> int:
    store = _store(settings)
    store.index()
    sender = args.sender
    if sender is None:
        row = store.conversation(int(args.id)) if args.id and str(args.id).isdigit() else None
        if row is None:
            print("No such conversation.", file=sys.stderr)
            return 1
        sender = row["sender_id"]
    if not args.yes:
        answer = input("Erase this conversation everywhere (events and review data)? Type 'erase': ")
        if answer.strip() != "erase":
            print("Nothing erased.")
            return 1
    deleted = store.erase(sender, _actor(), args.reason)
    print(f"Erased: {deleted} event(s) and the conversation's review data.")
    return 0


def index_command(settings: Any, args: argparse.Namespace) -> int:
    store = _store(settings)
    report = store.index()
    print(f"Indexed {report.events} event(s) of {report.conversations} conversation(s) in {report.seconds:.2f}s"
          f"{f'; erased {report.erased} at the person' + chr(39) + 's request' if report.erased else ''}"
          f"{f'; set aside {len(report.set_aside)}' if report.set_aside else ''}.")
    aside = store.set_aside_events()
    if aside:
        print(f"{len(aside)} event(s) set aside: their text cannot be stored (invalid Unicode, stored before the "
              "channels refused it). Every other event is indexed; erase a conversation to remove them.")
        for event in aside:
            where = f"conversation {event['conversation_id']}" if event["conversation_id"] else "no indexed conversation"
            print(f"  event {event['event_id']} ({where}): {event['field']}")
    return 0


def purge_command(settings: Any, args: argparse.Namespace) -> int:
    days = settings.retention_days if args.days is None else args.days
    if days <= 0:
        print("Retention is off (retention_days: 0): nothing erased.")
        return 0
    erased = _store(settings).purge(days, actor=_actor())
    print(f"Erased {erased} conversation(s) older than {days} days.")
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("The passwords differ.")
    return first


def add_user_command(settings: Any, args: argparse.Namespace) -> int:
    from review.auth import Authenticator

    try:
        Authenticator(_store(settings), settings.review_users).add_user(args.name, args.role, _password(args), _actor())
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"User {args.name} ({args.role}) saved.")
    return 0


def remove_user_command(settings: Any, args: argparse.Namespace) -> int:
    from review.auth import Authenticator

    removed = Authenticator(_store(settings), settings.review_users).remove_user(args.name, _actor())
    print(f"User {args.name} removed." if removed else f"No user {args.name} in the database.")
    return 0 if removed else 1


def users_command(settings: Any, args: argparse.Namespace) -> int:
    from review.auth import Authenticator

    for user in Authenticator(_store(settings), settings.review_users).users():
        print(f"{user.name}  {user.role}  ({user.source})")
    return 0


def hash_password_command(settings: Any, args: argparse.Namespace) -> int:
    from review.auth import hash_password

    print(hash_password(_password(args)))
    return 0


def serve_command(settings: Any, args: argparse.Namespace) -> int:
    from review.app import serve

    serve(settings, args.host, args.port)
    return 0


# -- the parser ------------------------------------------------------------------------------------

def _filters(parser: argparse.ArgumentParser) -> None:
    for flag, dest, help_text in FILTERS:
        parser.add_argument(flag, dest=dest, help=help_text)
    parser.add_argument("--asc", action="store_true", help="ascending order (default: descending)")


def add_commands(commands: "argparse._SubParsersAction") -> None:
    """Adds ``review`` and its sub-commands to the ``trialbot`` parser."""
    review = commands.add_parser("review", help="transcript review: list, show, export, erase, users, serve")
    sub = review.add_subparsers(dest="review_command", required=True)

    listing = sub.add_parser("list", help="conversations, filtered and sorted like the inbox")
    _filters(listing)
    listing.add_argument("--page", type=int, default=1)
    listing.add_argument("--per-page", type=int, default=50)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_command)

    show = sub.add_parser("show", help="one conversation, turn by turn")
    show.add_argument("id", nargs="?", help="the conversation number (see list)")
    show.add_argument("--sender", help="find it by its sender id instead")
    show.add_argument("--unmask", action="store_true", help="show personal details (logged)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_command)

    export = sub.add_parser("export", help="conversations as JSON or CSV (all matching the filters, or --ids)")
    _filters(export)
    export.add_argument("--ids", help="comma-separated conversation numbers")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("--rows", choices=("conversations", "messages"), default="conversations",
                        help="CSV: one row per conversation or per message")
    export.add_argument("--unmask", action="store_true", help="include personal details (logged)")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.set_defaults(handler=export_command)

    erase = sub.add_parser("erase", help="erase a conversation everywhere (tracker events and review data)")
    erase.add_argument("id", nargs="?", help="the conversation number")
    erase.add_argument("--sender", help="the sender id instead")
    erase.add_argument("--reason", default="erased from the command line")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(handler=erase_command)

    sub.add_parser("index", help="bring the review index up to date").set_defaults(handler=index_command)
    purge = sub.add_parser("purge", help="erase conversations older than the retention period")
    purge.add_argument("--days", type=int, help="default: retention_days from the configuration")
    purge.set_defaults(handler=purge_command)

    add = sub.add_parser("add-user", help="add a review user, or change a user's role and password")
    add.add_argument("name")
    add.add_argument("--role", choices=("reviewer", "coordinator", "admin"), default="reviewer")  # review.auth.ROLES
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(handler=add_user_command)
    remove = sub.add_parser("remove-user", help="remove a review user (and end their sessions)")
    remove.add_argument("name")
    remove.set_defaults(handler=remove_user_command)
    sub.add_parser("users", help="list the review users").set_defaults(handler=users_command)
    hashing = sub.add_parser("hash-password", help="a password hash for review_users in trialbot.yml")
    hashing.add_argument("--password-stdin", action="store_true")
    hashing.set_defaults(handler=hash_password_command)

    serve = sub.add_parser("serve", help="run the review web app alone")
    serve.add_argument("--host", help="interface (default: host from the configuration)")
    serve.add_argument("--port", type=int, help="port (default: review_port)")
    serve.set_defaults(handler=serve_command)
