"""The reply contract: its schema is sound, agrees with the engine's names, is documented, and bites."""
from __future__ import annotations

import jsonschema
import pytest

from bot import reply_contract, staff_layout, staff_texts, texts
from bot.evaluation import Status, Verdict
from bot.facts import AnsweredBy, with_unit
from bot.trials import Kind
from review import pages, store as review_store
from tests.conftest import PROJECT
from tests.contract import problems
from scripts import reply_contract_table

DOCS = PROJECT / "docs" / "reply-contract.md"


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft7Validator.check_schema(reply_contract.schema())


def test_the_schema_names_what_the_engine_names():
    definitions = reply_contract.schema()["definitions"]
    custom = definitions["custom"]["properties"]
    assert definitions["verdict"]["properties"]["status"]["enum"] == [v.value for v in Verdict]
    assert definitions["criterion"]["properties"]["status"]["enum"] == [s.value for s in Status]
    assert definitions["criterion"]["properties"]["kind"]["enum"] == [k.value for k in Kind]
    assert definitions["answered_by"]["enum"] == [a.value for a in AnsweredBy]
    assert custom["answer_type"]["enum"] == list(reply_contract.ANSWER_TYPES)
    checklist_marks = definitions["checklist_item"]["properties"]["status"]["enum"]
    assert checklist_marks == [s.value for s in Status] + [reply_contract.TO_CONFIRM]


def test_every_table_keyed_by_a_verdict_or_a_status_names_them_all():
    """The verdict and status names are bot.evaluation's; the tables that word them miss none."""
    verdicts, statuses = {v.value for v in Verdict}, {s.value for s in Status}
    assert set(texts.VERDICT_HEADLINE) == set(texts.VERDICT_REASONS) == set(texts.STATUS_NAMES) == verdicts
    assert set(staff_texts.HEADLINES) == verdicts and set(staff_layout.ICONS) == statuses | {reply_contract.TO_CONFIRM}
    assert set(pages.VERDICT_NAMES) - {None} == set(pages.VERDICT_KINDS) == set(review_store.VERDICTS) == verdicts
    assert set(pages.CRITERION_NAMES) == set(pages.CRITERION_KINDS) == statuses


@pytest.mark.parametrize("value, unit, plain, compact", [
    (22, "10^9/L", "22 ×10^9/L", "22 ×10⁹/L"),
    (94, "%", "94%", "94%"),
    (62, "years", "62 years", "62 y"),
    (1.5, "xULN", "1.5 × the upper limit of normal", "1.5 xULN"),
    (450, None, "450", "450"),
])
def test_one_formatter_writes_a_number_in_its_unit(value, unit, plain, compact):
    assert with_unit(value, unit) == plain and with_unit(value, unit, compact=True) == compact


def test_the_documentation_s_table_is_the_schema_s():
    page = DOCS.read_text(encoding="utf-8")
    assert reply_contract_table.rewritten(page) == page, \
        "docs/reply-contract.md is behind the schema: run python scripts/reply_contract_table.py"
    for name in reply_contract.schema()["definitions"]["custom"]["properties"]:
        assert f"| `{name}` |" in page


@pytest.mark.parametrize("custom", [
    {"asks": ["platelet_count"], "answer_type": "number", "unit": "10^9/L"},
    {"asks": ["consent"], "answer_type": "yes_no", "unit": None, "language": "zh-CN"},
    {"deleted": True, "facts": {}},
    {"refused": "too_long", "limit": 1000},
])
def test_replies_as_the_engine_makes_them_pass(custom):
    assert problems({"recipient_id": "s", "text": "hello", "custom": custom}) == []


@pytest.mark.parametrize("custom, wrong", [
    ({"asks": ["platelet_count"], "answer_type": "numeric", "unit": None}, "answer_type"),
    ({"asks": ["platelet_count"]}, "answer_type"),  # a question says how it is answered
    ({"verdict": {"trial_id": "NCT1", "status": "maybe", "criteria": [],
                  "trial": {"title": "", "contact": "", "where": "", "url": ""}}}, "verdict"),
    ({"deleted": "yes"}, "deleted"),
    ({"language": "fr"}, "language"),
    ({"surprise": 1}, "surprise"),  # a new key is added to the schema (and the docs) first
])
def test_a_reply_that_breaks_the_contract_is_caught(custom, wrong):
    found = problems({"recipient_id": "s", "text": "hello", "custom": custom})
    assert found and any(wrong in problem for problem in found), found


def test_a_verdict_and_a_ranking_as_built_pass(engine, catalogue):
    from bot.evaluation import evaluate
    from tests.conftest import SEED_TRIAL, TODAY
    result = evaluate(catalogue.trials[SEED_TRIAL], {"platelet_count": 45}, catalogue.vocabulary, TODAY)
    ranked = reply_contract.ranking([reply_contract.ranked_verdict(result, "one reason")])
    for custom in (reply_contract.verdict(result), ranked):
        assert problems({"recipient_id": "s", "text": "verdict", "custom": custom}) == []


def test_a_webhook_reply_that_breaks_the_contract_fails_the_test_that_received_it():
    """tests/conftest.py checks every REST webhook reply any test receives, through any helper or none."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import requests

    class Bot(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.dumps([{"recipient_id": "s", "text": "hi", "custom": {"verdict": "maybe"}}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Bot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(AssertionError, match="breaks the reply contract"):
            requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "s", "message": "hi"}, timeout=10)
        assert requests.post(f"{url}/elsewhere", json={}, timeout=10).status_code == 200  # other routes: not replies
    finally:
        server.shutdown()
        server.server_close()
