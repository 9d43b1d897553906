"""A trial goes from import to patients, end to end: the real record NCT02513394 imported as a
draft is invisible to patients through the REST channel; a coordinator reviews it in the review app
in headless Chromium (Debian's, driven by Playwright): publishing is refused while criteria await
review, one question is reworded, one criterion handed to the study team, the rest approved, then
published; a patient is then screened on it through REST, asked the reworded question."""
from __future__ import annotations

import time
import uuid
from dataclasses import replace

import pytest
import requests

from bot.importers import import_path
from bot.store import Catalogue, TrialStore
from bot.trials import Confidence, Kind
from review.auth import hash_password
from tests.review.helpers import REVIEWER_PASSWORD
from tests.review.test_review_browser import browser  # noqa: F401  (Debian's Chromium, one per module)
from tests.unit.test_importers import RECORD, RECORD_ID
from trialbot.config import PROJECT_ROOT, load_settings
from trialbot.servers import on_free_ports, running_bot

pytestmark = pytest.mark.e2e
MODEL = PROJECT_ROOT / "models" / "trialbot.tar.gz"
SEED_TRIAL = "NCT05236582"
COORDINATOR_PASSWORD = "coordinator-password-1"
REWORDED = "Are you taking any hormone medicine now that is not for your breast cancer?"
SAID = {"age": "55", "sex": "female"}  # what the patient types when asked; "I don't know" to the rest but yes/no


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: make models/trialbot.tar.gz", pytrace=False)
    tmp = tmp_path_factory.mktemp("trial-review")
    trials = f"sqlite:///{tmp / 'trials.db'}"
    store = TrialStore(trials)
    store.load_directory(PROJECT_ROOT / "data")
    assert import_path(RECORD, store).new == [RECORD_ID]
    users = (f"cora:coordinator:{hash_password(COORDINATOR_PASSWORD)}",
             f"rita:reviewer:{hash_password(REVIEWER_PASSWORD)}")
    settings = on_free_ports(replace(load_settings(), database_url=trials,
                                     tracker_store_url=f"sqlite:///{tmp / 'conversations.db'}", model=str(MODEL),
                                     default_trial=SEED_TRIAL, host="127.0.0.1", review_users=users,
                                     review_stories_dir=str(tmp / "stories")))
    log_path = tmp / "servers.log"
    try:
        with open(log_path, "w") as log, running_bot(settings, log=log, timeout=240, review=True):
            yield {"settings": settings, "store": store, "log": log_path}
    except Exception as exc:
        tail = log_path.read_text(errors="replace")[-4000:] if log_path.exists() else ""
        pytest.fail(f"servers failed: {exc}\n{tail}", pytrace=False)


class Patient:
    """One conversation through the REST channel."""

    def __init__(self, live) -> None:
        self.url = f"{live['settings'].rasa_url}/webhooks/rest/webhook"
        self.sender = f"trial-review-{uuid.uuid4().hex[:12]}"
        self.transcript = []

    def say(self, text):
        reply = requests.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        assert reply.status_code == 200, reply.text
        messages = reply.json()
        self.transcript += [f"you> {text}"] + [f"bot> {m.get('text')}  {m.get('custom') or ''}" for m in messages]
        return messages

    def log(self):
        return "\n".join(self.transcript)


def question(messages):
    found = [m["custom"] for m in messages if "asks" in (m.get("custom") or {})]
    return found[-1] if found else None


def verdict(messages):
    found = [m["custom"]["verdict"] for m in messages if isinstance((m.get("custom") or {}).get("verdict"), dict)]
    return found[-1] if found else None


def test_a_draft_is_reviewed_in_the_browser_and_then_screened_over_rest(live, browser):  # noqa: F811
    store, settings = live["store"], live["settings"]
    # 1. the draft is invisible to patients: the engine's catalogue and a conversation over REST
    assert RECORD_ID not in Catalogue(store).refresh().trials
    patient = Patient(live)
    unknown = " ".join(m.get("text") or "" for m in patient.say(f"can I join {RECORD_ID}?"))
    assert f"I don't have information about {RECORD_ID}" in unknown, patient.log()

    trial = store.trial(RECORD_ID)
    vocabulary = store.vocabulary()
    asked = next(c for c in trial.criteria if c.confidence is Confidence.QUESTION and c.kind is Kind.EXCLUSION)
    [asked_fact] = asked.rule.facts
    handed = next(c for c in trial.criteria if c.confidence is Confidence.UNSURE)

    # 2. the coordinator reviews and publishes it in Chromium
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.set_default_timeout(30_000)
    page.goto(settings.review_url + "trials")
    page.get_by_label("User name").fill("cora")
    page.get_by_label("Password").fill(COORDINATOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("#trials")
    row = page.locator("#trials tbody tr", has_text=RECORD_ID)
    assert "Draft" in row.inner_text() and "imported record" in row.inner_text()
    row.get_by_role("link", name=RECORD_ID).click()
    page.wait_for_selector("#criteria")
    assert page.locator("#criteria tbody tr").count() == len(trial.criteria)
    assert page.locator("#waiting").inner_text() == str(len(trial.criteria))

    problems_before = len(problems)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_selector("[role=alert]")
    assert "still await review" in page.locator("[role=alert]").inner_text()
    del problems[problems_before:]  # the refusal's 409 is logged by the browser as a failed load

    page.locator(f"#c-{asked.id}").get_by_role("link", name="Edit").click()
    page.wait_for_selector("#original")
    assert page.locator("#original").inner_text() == asked.text
    page.locator(f'input[name="ask:{asked_fact}"]').fill(REWORDED)
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("[role=status]")
    assert "Criterion changed." in page.locator("[role=status]").inner_text()
    assert REWORDED in page.locator(f"#c-{asked.id}").inner_text()

    page.locator(f"#c-{handed.id}").get_by_role("button", name="Study team confirms").click()
    page.wait_for_selector("[role=status]")
    assert "Settled by the study team" in page.locator(f"#c-{handed.id}").inner_text()

    for c in trial.criteria:
        if c.id not in (asked.id, handed.id):
            page.locator(f"#c-{c.id}").get_by_role("button", name="Approve").click()
            page.wait_for_selector(f"#c-{c.id} .badge.ok")
    assert page.locator("#waiting").inner_text() == "0"
    page.get_by_role("button", name="Publish").click()
    page.wait_for_selector("[role=status]")
    assert "Published" in page.locator("#state").inner_text()
    assert not problems, problems  # no script error, no Content-Security-Policy violation
    context.close()

    # 3. a patient is screened on it through REST
    time.sleep(1.5)  # the action server re-reads the trial database at most once a second
    patient = Patient(live)
    welcome = patient.say(f"can I join {RECORD_ID}?")
    assert "PALbociclib CoLlaborative Adjuvant Study" in " ".join(m.get("text") or "" for m in welcome), patient.log()
    assert question(welcome)["asks"] == ["consent"], patient.log()
    messages = patient.say("/affirm")
    kinds = {key: c.kind for c in store.trial(RECORD_ID).criteria for key in c.rule.facts}
    asked_texts = []
    for _ in range(60):
        if verdict(messages) is not None:
            break
        current = question(messages)
        assert current is not None, patient.log()
        if "read_back" in current or "confirm" in current:
            messages = patient.say("/affirm")
            continue
        asked_texts.append(next(m.get("text") or "" for m in messages if m.get("custom") is current))
        key = current["asks"][0]
        if current["answer_type"] == "yes_no":
            answer = "yes" if kinds.get(key) is Kind.INCLUSION and len(current["asks"]) == 1 else "no"
        else:  # one fact, or facts asked together ("55, female"): each said
            answer = ", ".join(SAID.get(k, "I don't know") for k in current["asks"])
        messages = patient.say(answer)
    result = verdict(messages)
    assert result is not None and result["trial_id"] == RECORD_ID, patient.log()
    assert result["status"] != "not_eligible", patient.log()
    assert any(REWORDED in text for text in asked_texts), patient.log()  # the coordinator's wording
    by_id = {c["id"]: c for c in result["criteria"]}
    assert by_id[handed.id]["status"] == "unknown", patient.log()  # for the study team, never asked
    assert not any(handed.text[:40] in text for text in asked_texts), patient.log()
    assert vocabulary[asked_fact].ask != REWORDED
