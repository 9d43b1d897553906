"""Conversations as records for the API, exports (JSON and CSV) and the command line.

Masked by default: the sender id (a keyed hash when it holds a name, a phone number, an e-mail
address or a personal handle: ``review.masking.mask_sender``), every message and every fact string.
``masked=False`` is for roles allowed to unmask; callers log it.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional

from review.masking import mask_sender, mask_text
from review.store import InboxQuery, ReviewStore
from review.transcript import Message, Summary, masked as masked_message

CONVERSATION_COLUMNS = ["id", "sender", "channel", "started_at", "last_at", "turns", "trials", "verdict",
                        "fallbacks", "low_confidence", *Summary.READING_COUNTS, "asked_human", "frustrated",
                        "status", "tags", "flagged", "preview"]
READING_MARKS = ["not_understood", "check_back", "read_back", "corrected", "handoff", "repeated"]
MESSAGE_COLUMNS = ["conversation_id", "sender", "channel", "event_id", "at", "speaker", "text", "intent",
                   "confidence", "fallback", "low_confidence", "facts", "asks", "verdict_status", *READING_MARKS,
                   "actions", "flagged", "flag_reason"]


def iso(timestamp: Optional[float]) -> Optional[str]:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def summary_record(row: Mapping[str, Any], masked: bool = True) -> Dict[str, Any]:
    sender = row["sender_id"]
    return {
        "id": row["id"],
        "sender": mask_sender(sender) if masked else sender,
        "channel": row["channel"],
        "started_at": iso(row["started_at"]),
        "last_at": iso(row["last_at"]),
        "turns": row["turns"],
        "trials": [t for t in (row["trials"] or "").split(",") if t],
        "verdict": row["verdict"],
        "fallbacks": row["fallbacks"],
        "low_confidence": row["low_confidence"],
        **{name: row[name] for name in Summary.READING_COUNTS},
        "asked_human": bool(row["asked_human"]),
        "frustrated": bool(row["frustrated"]),
        "status": row["status"],
        "tags": list(row.get("tags") or []),
        "flagged": row["flagged"],
        "preview": row["preview"] if masked else row["preview"],  # stored masked
    }


def message_record(message: Message, masked: bool = True, flag: Optional[Mapping[str, Any]] = None
                   ) -> Dict[str, Any]:
    m = masked_message(message) if masked else message
    record = {k: v for k, v in m.to_dict().items() if v not in (None, [], {}, False) or k in ("kind", "event_id")}
    record["at"] = iso(message.at)
    if flag:
        record["flag"] = {"by": flag["author"], "reason": flag["reason"], "at": iso(flag["created_at"])}
    return record


def conversation_record(store: ReviewStore, conversation_id: int, masked: bool = True) -> Optional[Dict[str, Any]]:
    row = store.conversation(conversation_id)
    if row is None:
        return None
    record = summary_record(row, masked)
    record["notes"] = [{"by": n["author"], "at": iso(n["created_at"]), "event_id": n["event_id"],
                        "text": mask_text(n["text"]) if masked else n["text"]} for n in row["notes"]]
    record["messages"] = [message_record(m, masked, row["flags"].get(m.event_id))
                          for m in store.messages(row["sender_id"]) if m.kind in ("user", "bot")]
    return record


def records(store: ReviewStore, query: InboxQuery, masked: bool = True) -> Iterator[Dict[str, Any]]:
    for row in store.iter_selection(query):
        record = conversation_record(store, row["id"], masked)
        if record is not None:
            yield record


# -- formats ---------------------------------------------------------------------------------------

def json_chunks(items: Iterable[Dict[str, Any]], header: Mapping[str, Any]) -> Iterator[str]:
    """A JSON document ``{...header, "conversations": [...]}``, piece by piece (for streaming)."""
    head = json.dumps(dict(header), ensure_ascii=False)[:-1]
    yield head + (', ' if header else '') + '"conversations": [\n'
    first = True
    for item in items:
        yield ("" if first else ",\n") + json.dumps(item, ensure_ascii=False, default=str)
        first = False
    yield "\n]}\n"


def _csv_line(values: List[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str) if value else ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # no formulas when the file is opened in a spreadsheet
    return value


def csv_chunks(items: Iterable[Dict[str, Any]], rows: str = "conversations") -> Iterator[str]:
    """CSV: one row per conversation (``rows="conversations"``) or per message (``"messages"``)."""
    if rows == "messages":
        yield _csv_line(MESSAGE_COLUMNS)
        for item in items:
            for m in item["messages"]:
                verdict = m.get("verdict")
                status = ([v.get("status") for v in verdict] if isinstance(verdict, list)
                          else verdict.get("status") if isinstance(verdict, dict) else m.get("verdict_status"))
                values = {"conversation_id": item["id"], "sender": item["sender"], "channel": item["channel"],
                          "event_id": m["event_id"], "at": m.get("at"), "speaker": m["kind"], "text": m.get("text"),
                          "intent": m.get("intent"), "confidence": m.get("confidence"),
                          "fallback": m.get("fallback", False), "low_confidence": m.get("low_confidence", False),
                          "facts": m.get("facts"), "asks": m.get("asks"), "verdict_status": status,
                          **{mark: m.get(mark, False if mark in ("not_understood", "handoff", "repeated") else None)
                             for mark in READING_MARKS},
                          "actions": m.get("actions"), "flagged": bool(m.get("flag")),
                          "flag_reason": (m.get("flag") or {}).get("reason")}
                yield _csv_line([_cell(values[c]) for c in MESSAGE_COLUMNS])
        return
    yield _csv_line(CONVERSATION_COLUMNS + ["notes", "transcript"])
    for item in items:
        transcript = "\n".join(f"{'person' if m['kind'] == 'user' else 'bot'}: {m.get('text') or ''}"
                               for m in item["messages"])
        notes = "\n".join(f"{n['by']}: {n['text']}" for n in item["notes"])
        yield _csv_line([_cell(item[c]) for c in CONVERSATION_COLUMNS] + [_cell(notes), _cell(transcript)])
