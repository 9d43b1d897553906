"""The review web app over HTTP: login on every route, masking, exports, review actions, audit."""
from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests
from sqlalchemy import update

from trialbot.config import PROJECT_ROOT, load_settings
from review.app import SESSION_COOKIE, create_app
from review.store.tables import sessions
from tests.review.helpers import (ADMIN_PASSWORD, REVIEWER_PASSWORD, AppServer, both_backends, csrf_of, login, misread,
                                  misread_continued)

PRIVATE = ["John", "Smith", "07700", "900123", "john.smith@example.com", "Baker", "1960", "+44 7700"]


def ids(server):
    return {r["sender_id"]: r["id"] for r in server.store.inbox(__import__("review.store").store.InboxQuery(
        per_page=200)).rows}


def routes(app, cid):
    """Every route of the app, with its placeholders filled in."""
    for route in app.router.routes():
        info = route.resource.get_info()
        path = info.get("path") or info["formatter"].replace("{cid}", str(cid)).replace("{fmt}", "json")
        yield route.method, path


@both_backends
def test_every_page_and_api_route_needs_a_login(server):
    cid = ids(server)["sender-eligible"]
    checked = 0
    anonymous = requests.Session()
    for method, path in routes(server.app, cid):
        if path in ("/login", "/health"):
            continue
        for cookies in ({}, {SESSION_COOKIE: "forged-or-expired"}):
            reply = anonymous.request(method, server.url + path, cookies=cookies, allow_redirects=False,
                                      data={"csrf": "x", "status": "reviewed", "tag": "x", "note": "x",
                                            "event_id": "1"}, timeout=10)
            if path.startswith("/api/"):
                assert reply.status_code == 401, (method, path)
            else:
                assert reply.status_code == 302, (method, path, reply.status_code)
                assert reply.headers["Location"].startswith("/login"), (method, path)
            assert "sender-" not in reply.text
            checked += 1
    assert checked >= 2 * 19
    # the login page is the only public page, and it shows nothing else
    page = anonymous.get(server.url + "/login", timeout=10)
    assert page.status_code == 200 and "sender-" not in page.text and "Log in" in page.text
    # a load balancer's health check gets "ok", and nothing else, without a login
    health = anonymous.get(server.url + "/health", allow_redirects=False, timeout=10)
    assert (health.status_code, health.text) == (200, "ok")
    assert SESSION_COOKIE not in health.cookies
    # an unknown path does not tell whether it exists
    assert anonymous.get(server.url + "/nothing-here", allow_redirects=False, timeout=10).status_code == 302


@both_backends
def test_login_cookie_logout_and_expiry(server):
    anonymous = requests.Session()
    page = anonymous.get(server.url + "/login?next=/conversations/1", timeout=10)
    wrong = anonymous.post(server.url + "/login", data={"username": "rita", "password": "nope", "csrf": csrf_of(page.text)},
                           allow_redirects=False, timeout=10)
    assert wrong.status_code == 401 and SESSION_COOKIE not in wrong.cookies
    no_csrf = requests.post(server.url + "/login", data={"username": "rita", "password": REVIEWER_PASSWORD},
                            allow_redirects=False, timeout=10)
    assert no_csrf.status_code == 403
    page = anonymous.get(server.url + "/login?next=/conversations/1", timeout=10)
    good = anonymous.post(server.url + "/login", data={"username": "rita", "password": REVIEWER_PASSWORD,
                                                       "csrf": csrf_of(page.text), "next": "/conversations/1"},
                          allow_redirects=False, timeout=10)
    assert good.status_code == 302 and good.headers["Location"] == "/conversations/1"
    cookie = good.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=3600" in cookie
    assert anonymous.get(server.url + "/", timeout=10).status_code == 200
    # an open redirect is refused
    page = requests.get(server.url + "/login", timeout=10)
    evil = requests.post(server.url + "/login", data={"username": "rita", "password": REVIEWER_PASSWORD,
                                                      "csrf": csrf_of(page.text), "next": "//evil.example/"},
                         cookies=page.cookies, allow_redirects=False, timeout=10)
    assert evil.headers["Location"] == "/"
    # the session expires
    with server.store.engine.begin() as c:
        c.execute(update(sessions).values(expires_at=time.time() - 1))
    assert anonymous.get(server.url + "/", allow_redirects=False, timeout=10).status_code == 302
    # logging out ends the session
    reviewer = login(server.url, "rita", REVIEWER_PASSWORD)
    out = reviewer.post(server.url + "/logout", data={"csrf": reviewer.csrf}, allow_redirects=False, timeout=10)
    assert out.status_code == 302
    assert reviewer.get(server.url + "/api/conversations", timeout=10).status_code == 401


OPEN_REDIRECTS = ["/%09/evil.example", "/%0A/evil.example", "/%0D%0A/evil.example", "%09//evil.example",
                  "/%5Cevil.example", "/%2F/evil.example", "/%252F%252Fevil.example", "//evil.example",
                  "https://evil.example/", "/%7F/evil.example", "/\\evil.example"]


def test_the_target_after_login_is_a_path_of_this_site_however_it_is_encoded(store, auth, tmp_path):
    """A tab or a newline is dropped by browsers ("/\t/evil.example" is "//evil.example", another site),
    a backslash read as a slash: the target is checked after decoding, for a reviewer already logged
    in (GET /login) as for the login form (POST)."""
    app = create_app(store, auth, stories_dir=tmp_path, domain_path=PROJECT_ROOT / "domain.yml", index_interval=0)
    with AppServer(app) as server:
        reviewer = login(server.url, "rita", REVIEWER_PASSWORD)
        for target in OPEN_REDIRECTS:
            reply = reviewer.get(f"{server.url}/login?next={target}", allow_redirects=False, timeout=10)
            assert reply.status_code == 302 and reply.headers["Location"] == "/", (target, reply.headers)
            page = requests.get(server.url + "/login", timeout=10)
            reply = requests.post(server.url + "/login", cookies=page.cookies, allow_redirects=False, timeout=10,
                                  data={"username": "rita", "password": REVIEWER_PASSWORD, "csrf": csrf_of(page.text),
                                        "next": unquote(target)})
            assert reply.status_code == 302 and reply.headers["Location"] == "/", (target, reply.headers)
        # NUL is no text at all: refused at the door (channels/guard.py)
        assert reviewer.get(f"{server.url}/login?next=/%00/evil.example", timeout=10).status_code == 400
        # a path of this site, with its own encoded query, is kept
        reply = reviewer.get(f"{server.url}/login", params={"next": "/conversations/1?q=john%20smith"},
                             allow_redirects=False, timeout=10)
        assert reply.headers["Location"] == "/conversations/1?q=john%20smith"


@both_backends
def test_repeated_wrong_passwords_are_throttled(server):
    for _ in range(5):
        page = requests.get(server.url + "/login", timeout=10)
        requests.post(server.url + "/login", data={"username": "rita", "password": "wrong", "csrf": csrf_of(page.text)},
                      cookies=page.cookies, timeout=10)
    page = requests.get(server.url + "/login", timeout=10)
    reply = requests.post(server.url + "/login", data={"username": "rita", "password": REVIEWER_PASSWORD,
                                                       "csrf": csrf_of(page.text)},
                          cookies=page.cookies, allow_redirects=False, timeout=10)
    assert reply.status_code == 401


@both_backends
def test_pages_mask_personal_details_unless_an_admin_unmasks(server):
    cid = ids(server)["+44 7700 900123"]
    reviewer = login(server.url, "rita", REVIEWER_PASSWORD)
    inbox = reviewer.get(server.url + "/", timeout=10)
    assert inbox.status_code == 200 and 'id="inbox"' in inbox.text
    page = reviewer.get(f"{server.url}/conversations/{cid}", timeout=10)
    assert page.status_code == 200 and "[name]" in page.text and "[phone]" in page.text
    for text in [inbox.text, page.text, json.dumps(reviewer.get(f"{server.url}/api/conversations/{cid}").json())]:
        for private in PRIVATE:
            assert private not in text, private
    assert reviewer.get(f"{server.url}/conversations/{cid}?unmask=1", timeout=10).status_code == 403
    assert reviewer.get(f"{server.url}/api/conversations/{cid}?unmask=1", timeout=10).status_code == 403
    admin = login(server.url, "ada", ADMIN_PASSWORD)
    unmasked = admin.get(f"{server.url}/conversations/{cid}?unmask=1", timeout=10)
    assert "John Smith" in unmasked.text and "+44 7700 900123" in unmasked.text
    log = server.store.audit_log()
    assert any(e["action"] == "unmask" and e["user"] == "ada" and e["conversation_id"] == cid for e in log)
    assert any(e["action"] == "view" and e["user"] == "rita" and e["conversation_id"] == cid for e in log)
    assert any(e["action"] == "inbox" and e["user"] == "rita" for e in log)
    # a search for a phone number is logged, but not the number
    found = reviewer.get(server.url + "/api/conversations", params={"q": "+44 7700 900123"}, timeout=10).json()
    assert found["conversations"], found
    searches = [e["detail"] for e in server.store.audit_log(action="inbox") if "[phone]" in (e["detail"] or "")]
    assert searches and not any("7700" in (e["detail"] or "") for e in server.store.audit_log()), searches


@both_backends
def test_conversation_page_shows_intents_facts_and_verdict_reasoning(server):
    reviewer = login(server.url, "rita", REVIEWER_PASSWORD)
    page = reviewer.get(f"{server.url}/conversations/{ids(server)['sender-eligible']}", timeout=10).text
    assert "intent <b>affirm</b> 99%" in page
    assert "<b>platelet_count</b>: 22.0" in page  # facts taken from the message
    assert "Verdict for NCT05236582" in page and "You are 18 or older." in page  # per-criterion reasoning
    fallback = reviewer.get(f"{server.url}/conversations/{ids(server)['sender-fallbacks']}", timeout=10).text
    assert fallback.count("badge bad\">fallback") == 2 and "low confidence" in fallback


@both_backends
def test_inbox_filters_and_api(server):
    reviewer = login(server.url, "rita", REVIEWER_PASSWORD)
    everything = reviewer.get(server.url + "/api/conversations", timeout=10).json()
    assert everything["total"] == 5
    first = everything["conversations"][0]
    assert set(first) >= {"id", "sender", "channel", "started_at", "turns", "trials", "verdict", "fallbacks",
                          "low_confidence", "asked_human", "frustrated", "status", "tags"}
    def senders(**params):
        reply = reviewer.get(server.url + "/api/conversations", params=params, timeout=10).json()
        return {c["id"] for c in reply["conversations"]}
    known = ids(server)
    assert senders(verdict="not_eligible", channel="socketio", asked_human="true") == {known["sender-human"]}
    assert senders(q="blorp") == {known["sender-fallbacks"]}
    assert senders(min_fallbacks=1, per_page=1) == {known["sender-fallbacks"]}
    html = reviewer.get(server.url + "/", params={"q": "useless", "frustrated": "true"}, timeout=10).text
    assert f'href="/conversations/{known["sender-human"]}"' in html
    assert f'href="/conversations/{known["sender-eligible"]}"' not in html
    assert re.search(r'id="total">1<', html)


@both_backends
def test_exports_are_masked_logged_and_follow_the_selection(server):
    reviewer = login(server.url, "rita", REVIEWER_PASSWORD)
    exported = reviewer.get(server.url + "/export.json", timeout=30)
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    document = exported.json()
    assert document["masked"] is True and len(document["conversations"]) == 5
    for private in PRIVATE:
        assert private not in exported.text
    some = ids(server)
    selection = reviewer.get(server.url + "/export.csv", params={"ids": [some["sender-human"], some["+44 7700 900123"]],
                                                                "selected": "1"}, timeout=30)
    rows = list(csv.DictReader(io.StringIO(selection.text)))
    assert {int(r["id"]) for r in rows} == {some["sender-human"], some["+44 7700 900123"]}
    assert all(p not in selection.text for p in PRIVATE)
    messages = reviewer.get(server.url + "/export.csv", params={"rows": "messages", "verdict": "not_eligible"},
                            timeout=30)
    message_rows = list(csv.DictReader(io.StringIO(messages.text)))
    assert {r["conversation_id"] for r in message_rows} == {str(some["sender-human"])}
    assert any(r["intent"] == "bot_challenge" for r in message_rows)
    assert reviewer.get(server.url + "/export.json", params={"selected": "1"}, timeout=10).status_code == 400
    assert reviewer.get(server.url + "/export.json", params={"unmask": "1"}, timeout=10).status_code == 403
    admin = login(server.url, "ada", ADMIN_PASSWORD)
    unmasked = admin.get(server.url + "/export.json", params={"ids": some["+44 7700 900123"], "unmask": "1"},
                         timeout=30)
    assert "John Smith" in unmasked.text and unmasked.json()["masked"] is False
    exports = [json.loads(e["detail"]) for e in server.store.audit_log(action="export")]
    assert [e["masked"] for e in exports] == [False, True, True, True]
    assert exports[-1]["conversations"] == 5 and exports[-2]["conversations"] == 2


@both_backends
def test_review_actions_with_csrf(server):
    cid = ids(server)["sender-fallbacks"]
    reviewer = login(server.url, "rita", REVIEWER_PASSWORD)
    base = f"{server.url}/conversations/{cid}"
    before = reviewer.get(f"{server.url}/api/conversations/{cid}", timeout=10).json()
    event_id = [m["event_id"] for m in before["messages"] if m["kind"] == "user"][1]
    forged = reviewer.post(base + "/status", data={"status": "reviewed", "csrf": "forged"}, timeout=10)
    assert forged.status_code == 403
    cross = reviewer.post(base + "/status", data={"status": "reviewed", "csrf": reviewer.csrf},
                          headers={"Origin": "http://evil.example"}, timeout=10)
    assert cross.status_code == 403
    for path, data in [("/status", {"status": "needs_follow_up"}), ("/tags", {"tag": "NLU gap"}),
                       ("/notes", {"note": "'maybe' is not understood"}),
                       ("/flags", {"event_id": str(event_id), "reason": "should rephrase"})]:
        reply = reviewer.post(base + path, data={**data, "csrf": reviewer.csrf}, allow_redirects=False, timeout=10)
        assert reply.status_code == 303, (path, reply.text[:300])
    record = reviewer.get(f"{server.url}/api/conversations/{cid}", timeout=10).json()
    assert record["status"] == "needs_follow_up" and record["tags"] == ["nlu-gap"] and record["flagged"] == 1
    assert record["notes"][0]["text"] == "'maybe' is not understood"
    assert [m.get("flag", {}).get("reason") for m in record["messages"] if m["event_id"] == event_id] == ["should rephrase"]
    updated = reviewer.post(f"{server.url}/api/conversations/{cid}", json={"status": "reviewed", "remove_tags": ["nlu-gap"],
                                                                          "add_tags": ["fixed"]},
                            headers={"X-CSRF-Token": reviewer.csrf}, timeout=10)
    assert updated.status_code == 200 and updated.json()["status"] == "reviewed" and updated.json()["tags"] == ["fixed"]
    assert reviewer.post(f"{server.url}/api/conversations/{cid}", json={"status": "x"},
                         headers={"X-CSRF-Token": reviewer.csrf}, timeout=10).status_code == 400
    assert reviewer.post(f"{server.url}/api/conversations/{cid}", json={"status": "reviewed"},
                         timeout=10).status_code == 403


@both_backends
def test_save_as_test_writes_a_rasa_test_story(server):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    cid = ids(server)["sender-fallbacks"]
    reviewer = login(server.url, "rita", REVIEWER_PASSWORD)
    form = reviewer.get(f"{server.url}/conversations/{cid}/story", timeout=10).text
    fields = dict(re.findall(r'name="((?:text|intent|actions|include)_\d+)"[^>]*value="([^"]*)"', form))
    turns = sorted({int(k.split("_")[1]) for k in fields})
    fallback_turn = turns[1]
    data = {"csrf": reviewer.csrf, "name": "fallback on gibberish should ask again"}
    for turn_id in turns:
        data[f"include_{turn_id}"] = "1"
        data[f"text_{turn_id}"] = fields[f"text_{turn_id}"]
        data[f"actions_{turn_id}"] = fields[f"actions_{turn_id}"]
        data[f"intent_{turn_id}"] = re.search(rf'name="intent_{turn_id}">.*?<option value="([^"]+)" selected',
                                              form).group(1)
    data[f"intent_{fallback_turn}"] = "dont_know"  # the correction
    bad = reviewer.post(f"{server.url}/conversations/{cid}/story", data={**data, f"actions_{turns[0]}": "utter_nothing"},
                        timeout=10)
    assert bad.status_code == 400 and "not actions of the domain" in bad.text
    saved = reviewer.post(f"{server.url}/conversations/{cid}/story", data=data, timeout=10)
    assert saved.status_code == 200, saved.text[:500]
    files = list(server.stories.glob("reviewed_*.yml"))
    assert len(files) == 1
    story = files[0].read_text()
    assert "intent: dont_know" in story and "asdkjh qwe" in story and "action: action_screen" in story
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    steps = YAMLStoryReader(domain).read_from_file(files[0])
    assert len(steps) == 1 and steps[0].block_name == "fallback on gibberish should ask again"
    assert any(e["action"] == "save_test" for e in server.store.audit_log())


@both_backends
def test_admin_erases_a_conversation(server):
    cid = ids(server)["sender-human"]
    reviewer = login(server.url, "rita", REVIEWER_PASSWORD)
    assert reviewer.post(f"{server.url}/conversations/{cid}/erase", data={"csrf": reviewer.csrf},
                         timeout=10).status_code == 403
    assert reviewer.get(server.url + "/audit", timeout=10).status_code == 403
    admin = login(server.url, "ada", ADMIN_PASSWORD)
    reply = admin.post(f"{server.url}/conversations/{cid}/erase", data={"csrf": admin.csrf}, allow_redirects=False,
                       timeout=10)
    assert reply.status_code == 303
    assert admin.get(f"{server.url}/conversations/{cid}", timeout=10).status_code == 404
    assert server.store.messages("sender-human") == []
    audit = admin.get(server.url + "/audit", timeout=10).text
    assert "erase" in audit and "export" not in audit.split("<tbody>")[0]


def test_security_headers(server):
    page = requests.get(server.url + "/login", timeout=10)
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Cache-Control"] == "no-store"
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    assert f'<style nonce="{nonce}">' in page.text and "style=" not in page.text.replace("<style", "")


def test_users_from_configuration(store, tmp_path):
    from review.auth import Authenticator, hash_password

    entry = f"cleo:admin:{hash_password('configured-password')}"
    authenticator = Authenticator(store, [entry], ttl_minutes=1)
    assert authenticator.login("cleo", "configured-password").role == "admin"
    assert authenticator.login("cleo", "wrong") is None
    with pytest.raises(ValueError):
        Authenticator(store, ["cleo:superuser:scrypt$1"])
    with pytest.raises(ValueError):
        authenticator.add_user("cleo", "reviewer", "long-enough-password", "test")
    with pytest.raises(ValueError):
        authenticator.add_user("bob", "reviewer", "short", "test")
    assert Path(tmp_path).exists()


def test_cookies_are_secure_when_the_app_is_served_over_https(store, auth, tmp_path):
    """Behind a TLS proxy the app sees plain HTTP; the configuration says it is HTTPS to its users."""
    for secure in (True, False):
        app = create_app(store, auth, stories_dir=tmp_path, domain_path=PROJECT_ROOT / "domain.yml", index_interval=0,
                         secure_cookies=secure)
        with AppServer(app) as server:
            page = requests.get(server.url + "/login", timeout=10)
            # (a dict: a client over HTTPS would send the cookie back; requests over HTTP would not)
            reply = requests.post(server.url + "/login", cookies=dict(page.cookies), allow_redirects=False, timeout=10,
                                  data={"username": "rita", "password": REVIEWER_PASSWORD, "csrf": csrf_of(page.text)})
            assert reply.status_code == 302
            for cookie in (page.headers["Set-Cookie"], reply.headers["Set-Cookie"]):
                assert ("; Secure" in cookie) is secure and "HttpOnly" in cookie, cookie


def test_secure_cookies_follow_the_public_url_unless_configured(tmp_path):
    config = tmp_path / "trialbot.yml"
    config.write_text("database_url: sqlite:///t.db\ntracker_store_url: sqlite:///c.db\n"
                      "review_public_url: https://review.clinic.example/\n", encoding="utf-8")
    assert load_settings(config, environ={}).review_cookies_secure is True
    assert load_settings(config, environ={"TRIALBOT_SECURE_COOKIES": "false"}).review_cookies_secure is False
    assert load_settings(config, environ={"TRIALBOT_REVIEW_PUBLIC_URL": "http://127.0.0.1:5006/"}
                         ).review_cookies_secure is False
    assert load_settings(config, environ={"TRIALBOT_REVIEW_PUBLIC_URL": "http://review.local/",
                                          "TRIALBOT_SECURE_COOKIES": "yes"}).review_cookies_secure is True
    config.write_text("database_url: sqlite:///t.db\ntracker_store_url: sqlite:///c.db\nsecure_cookies: true\n",
                      encoding="utf-8")
    assert load_settings(config, environ={}).review_cookies_secure is True
    # the shipped configuration: plain HTTP on localhost, no Secure flag (the browser would drop the cookie)
    assert load_settings(PROJECT_ROOT / "trialbot.yml", environ={}).review_cookies_secure is False
    with pytest.raises(ValueError):
        load_settings(config, environ={"TRIALBOT_SECURE_COOKIES": "maybe"})


@both_backends
def test_the_inbox_and_the_conversation_show_where_reading_went_wrong(server):
    misread_continued(misread("sender-misread")).save(server.store)
    reviewer = login(server.url, "rita", REVIEWER_PASSWORD)
    page = reviewer.get(server.url + "/", timeout=10).text  # the app indexes before the page
    cid = ids(server)["sender-misread"]
    for name in ("misunderstood", "check_backs", "read_backs", "corrections", "repeated_questions"):
        assert f"sort={name}" in page and f'name="min_{name}"' in page, name
    row = re.search(rf'<tr><td><input type="checkbox" name="ids" value="{cid}".*?</tr>', page).group(0)
    assert re.findall(r'data-count="(\w+)">(\d+)<', row) == [
        ("misunderstood", "2"), ("check_backs", "1"), ("read_backs", "1"), ("corrections", "2"),
        ("repeated_questions", "3")]
    filtered = reviewer.get(server.url + "/", params={"min_repeated_questions": "1"}, timeout=10).text
    assert re.findall(r'name="ids" value="(\d+)"', filtered) == [str(cid)]
    by_repeats = reviewer.get(server.url + "/", params={"sort": "repeated_questions"}, timeout=10).text
    assert re.findall(r'name="ids" value="(\d+)"', by_repeats)[0] == str(cid)
    api = reviewer.get(server.url + "/api/conversations", params={"min_misunderstood": "2"}, timeout=10).json()
    assert [(r["id"], r["misunderstood"], r["repeated_questions"], r["asked_human"]) for r in api["conversations"]] \
        == [(cid, 2, 3, True)]

    view = reviewer.get(f"{server.url}/conversations/{cid}", timeout=10).text
    marks = re.findall(r'data-mark="(\w+)"', view)
    assert {m: marks.count(m) for m in set(marks)} == {"not_understood": 2, "repeated": 3, "check_back": 1,
                                                      "read_back": 1, "correction": 2, "handoff": 1}
    assert "check-back: platelet_boosters_failed: true" in view

    exported = reviewer.get(server.url + "/export.csv", params={"ids": str(cid), "rows": "messages"}, timeout=10)
    messages = list(csv.DictReader(io.StringIO(exported.text)))
    assert sum(m["repeated"] == "True" for m in messages) == 3
    assert sum(m["not_understood"] == "True" for m in messages) == 2
    summary = list(csv.DictReader(io.StringIO(reviewer.get(server.url + "/export.csv", params={"ids": str(cid)},
                                                           timeout=10).text)))
    assert (summary[0]["repeated_questions"], summary[0]["check_backs"]) == ("3", "1")
