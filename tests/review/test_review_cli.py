"""`trialbot review ...`: the command-line twin, on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
import json

import pytest

from review.store import InboxQuery
from tests.review.helpers import both_backends, standard_conversations
from trialbot.cli import main


@pytest.fixture
def cli(store, database_url, monkeypatch, capsys):
    monkeypatch.setenv("TRIALBOT_TRACKER_STORE_URL", database_url)
    standard_conversations(store)

    def run(*args: str, stdin: str = "") -> str:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["review", *args])
        out = capsys.readouterr().out
        assert code == 0, out
        return out
    return run


@both_backends
def test_list_show_export_erase(cli, store, tmp_path):
    listing = json.loads(cli("list", "--json"))
    assert listing["total"] == 5
    assert "+44 7700 900123" not in json.dumps(listing)  # masked
    human = json.loads(cli("list", "--json", "--asked-human", "yes", "--verdict", "not_eligible"))
    assert [c["sender"] for c in human["conversations"]] == ["sender-human"]
    table = cli("list", "--min-fallbacks", "1")
    assert "1 conversation(s)" in table and "unreviewed" in table
    cid = store.conversation_id_of("+44 7700 900123")
    shown = cli("show", str(cid))
    assert "[name]" in shown and "John" not in shown and "07700" not in shown
    assert "John Smith" in cli("show", str(cid), "--unmask")
    assert any(e["action"] == "unmask" and e["user"].startswith("cli") for e in store.audit_log())
    out = tmp_path / "export.csv"
    cli("export", "--format", "csv", "--rows", "messages", "--trial", "NCT05236582", "-o", str(out))
    rows = list(csv.DictReader(out.open()))
    assert {r["sender"] for r in rows} == {"sender-eligible", "sender-human"}
    exported = json.loads(cli("export", "--ids", f"{cid}"))
    assert len(exported["conversations"]) == 1 and exported["masked"] is True
    assert "john.smith" not in json.dumps(exported)
    assert "Erased" in cli("erase", str(cid), "--yes")
    assert store.conversation(cid) is None and store.messages("+44 7700 900123") == []
    cli("erase", "--sender", "sender-human", "--yes")
    assert store.inbox(InboxQuery()).total == 3
    assert {e["action"] for e in store.audit_log()} >= {"inbox", "view", "unmask", "export", "erase"}


@both_backends
def test_users_and_index(cli, store):
    assert "alice (admin) saved" in cli("add-user", "alice", "--role", "admin", "--password-stdin",
                                        stdin="a-long-password\n")
    assert "alice  admin  (database)" in cli("users")
    assert cli("hash-password", "--password-stdin", stdin="another-password\n").startswith("scrypt$")
    assert "Indexed" in cli("index")
    assert "Retention is off" in cli("purge", "--days", "0")
    assert "removed" in cli("remove-user", "alice")
