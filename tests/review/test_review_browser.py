"""The review app in headless Chromium (Debian's, driven by Playwright): log in, filter the inbox,
open a conversation, tag, flag a message, mark reviewed, save as test, export, log out."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.review.helpers import REVIEWER_PASSWORD

pytestmark = pytest.mark.e2e
CHROMIUM = Path(os.environ.get("TRIALBOT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"No Chromium at {CHROMIUM} (apt-get install chromium, or set TRIALBOT_CHROMIUM)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def app_url(server):
    return server.url


def test_a_reviewer_works_through_the_inbox(browser, app_url, store, tmp_path):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.set_default_timeout(15_000)

    page.goto(app_url + "/")
    assert "/login" in page.url  # not reachable without logging in
    page.get_by_label("User name").fill("rita")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").is_visible()
    problems.clear()  # the wrong password's 401 is logged by the browser as a failed load
    page.get_by_label("User name").fill("rita")
    page.get_by_label("Password").fill(REVIEWER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("#inbox")
    assert page.locator("#inbox tbody tr").count() == 5
    assert "John" not in page.content() and "+44 7700" not in page.content()

    # filter on free text and a flag, then open the conversation
    page.get_by_label("Text").fill("blorp")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**q=blorp**")
    assert page.locator("#inbox tbody tr").count() == 1 and page.locator("#total").inner_text() == "1"
    page.locator("#inbox tbody tr a").first.click()
    page.wait_for_selector("#transcript")
    assert page.locator(".msg.user").count() == 4
    assert page.locator(".badge.bad", has_text="fallback").count() == 2

    # tag, flag a message, mark reviewed
    page.get_by_label("new tag").fill("nlu-gap")
    page.get_by_role("button", name="Add tag").click()
    page.wait_for_selector("#tags .badge")
    assert "nlu-gap" in page.locator("#tags").inner_text()
    second = page.locator(".msg.user").nth(1)
    second.get_by_label("reason").fill("should have asked again")
    second.get_by_role("button", name="Flag").click()
    page.wait_for_selector(".msg.flagged")
    assert "should have asked again" in page.locator(".msg.flagged").inner_text()
    page.locator("#mark-reviewed").click()
    page.wait_for_selector(".notice")
    assert "Reviewed" in page.locator("table").first.inner_text()

    # save as test, correcting the intent of the fallback turn
    page.get_by_role("link", name="Save as test…").click()
    page.wait_for_selector("select[name^=intent_]")
    page.locator("select[name^=intent_]").nth(1).select_option("dont_know")
    page.get_by_role("button", name="Save test story").click()
    page.wait_for_selector("#story")
    story = page.locator("#story").inner_text()
    assert "intent: dont_know" in story and "asdkjh qwe" in story
    assert len(list((tmp_path / "stories").glob("*.yml"))) == 1

    # export the selection from the inbox
    page.goto(app_url + "/?status=reviewed")
    page.locator("[data-select-all]").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export JSON").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert [c["status"] for c in exported["conversations"]] == ["reviewed"] and exported["masked"] is True

    # a masked conversation with personal details
    page.goto(app_url + "/?q=born")
    page.locator("#inbox tbody tr a").first.click()
    page.wait_for_selector("#transcript")
    text = page.locator("body").inner_text()
    assert "[name]" in text and "[date of birth]" in text and "John" not in text and "Baker" not in text

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto(app_url + "/")
    assert "/login" in page.url
    assert not problems, problems  # no script error, no Content-Security-Policy violation
    actions = {e["action"] for e in store.audit_log(user="rita")}
    assert {"login", "inbox", "view", "tag", "flag", "status", "save_test", "export", "logout"} <= actions
    context.close()
