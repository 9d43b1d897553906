"""The review app's Trials pages over real HTTP: who may change a trial, what the audit log keeps,
and that criterion texts from outside records cannot inject a script."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest
import yaml

from bot.importers import import_path
from bot.store import Catalogue
from bot.trials import Confidence, Review, TrialState
from review.app import create_app
from tests.review.helpers import REVIEWER_PASSWORD, AppServer, login
from tests.unit.test_importers import RECORD, RECORD_ID, fresh_store
from trialbot.config import PROJECT_ROOT

SEED_TRIAL = "NCT05236582"
COORDINATOR_PASSWORD = "coordinator-password-1"
SCRIPT = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


@pytest.fixture
def trial_store(tmp_path):
    store = fresh_store(tmp_path, "trials.db")
    import_path(RECORD, store)
    return store


@pytest.fixture
def site(store, auth, trial_store, tmp_path):
    auth.add_user("cora", "coordinator", COORDINATOR_PASSWORD, "test")
    app = create_app(store, auth, stories_dir=tmp_path / "stories", domain_path=PROJECT_ROOT / "domain.yml",
                     index_interval=0, trial_store=trial_store)
    with AppServer(app) as running:
        yield running


def post(session, url, **data):
    return session.post(url, data={"csrf": session.csrf, **data}, allow_redirects=False, timeout=30)


def trial_actions(store, user):
    return [(e["action"], yaml.safe_load(e["detail"])) for e in reversed(store.audit_log(user=user))
            if e["action"].startswith("trial_")]


def test_a_reviewer_reads_the_trials_but_cannot_change_them(site, store, trial_store):
    rita = login(site.url, "rita", REVIEWER_PASSWORD)
    listing = rita.get(f"{site.url}/trials", timeout=30)
    assert listing.status_code == 200
    rows = re.findall(r'<tr><td><a href="/trials/(NCT\d+)">.*?badge (\w+)">(\w+)<', listing.text)
    assert rows == [(RECORD_ID, "warn", "Draft"), (SEED_TRIAL, "ok", "Published")]
    assert "imported record" in listing.text and "curated file" in listing.text
    drafts_only = rita.get(f"{site.url}/trials?state=draft", timeout=30).text
    assert RECORD_ID in drafts_only and f"/trials/{SEED_TRIAL}" not in drafts_only
    page = rita.get(f"{site.url}/trials/{RECORD_ID}", timeout=30).text
    assert "Postmenopausal" in page or "postmenopausal" in page  # the original texts are shown
    assert ">Approve<" not in page and ">Publish<" not in page  # no controls for a reviewer
    for path in ("criteria/reg-age/approve", "criteria/reg-age/study-team", "criteria/reg-age/edit", "publish",
                 "withdraw"):
        refused = post(rita, f"{site.url}/trials/{RECORD_ID}/{path}", rule="{fact: age, op: '>=', value: 1}")
        assert refused.status_code == 403 and "Only a coordinator" in refused.text, path
    assert rita.get(f"{site.url}/trials/{RECORD_ID}/criteria/reg-age/edit", timeout=30).status_code == 403
    assert trial_store.state(RECORD_ID) is TrialState.DRAFT
    assert all(c.review is None for c in trial_store.trial(RECORD_ID).criteria)
    assert trial_actions(store, "rita") == []


def test_the_nav_links_to_the_trials_only_where_the_app_serves_them(site, store, auth, tmp_path):
    """An app without a trial database has no Trials pages: its nav must not offer a link to a 404."""
    nav = re.compile(r"<nav>(.*?)</nav>")
    rita = login(site.url, "rita", REVIEWER_PASSWORD)
    for path in ("/", "/trials", f"/trials/{RECORD_ID}", "/conversations/999999"):  # the last: an error page
        assert '<a href="/trials">Trials</a>' in nav.search(rita.get(site.url + path, timeout=30).text).group(1), path
    without = create_app(store, auth, stories_dir=tmp_path / "stories", domain_path=PROJECT_ROOT / "domain.yml",
                         index_interval=0)
    with AppServer(without) as other:
        rita = login(other.url, "rita", REVIEWER_PASSWORD)
        assert rita.get(other.url + "/trials", timeout=30).status_code == 404
        for path in ("/", "/conversations/999999"):
            assert "/trials" not in nav.search(rita.get(other.url + path, timeout=30).text).group(1), path


def test_a_coordinator_reviews_each_criterion_and_publishes_and_every_change_is_audited(site, store, trial_store):
    cora = login(site.url, "cora", COORDINATOR_PASSWORD)
    base = f"{site.url}/trials/{RECORD_ID}"
    early = post(cora, f"{base}/publish")
    assert early.status_code == 409 and "34 criteria still await review" in early.text
    assert post(cora, f"{base}/criteria/reg-age/approve").status_code == 303
    assert post(cora, f"{base}/criteria/inc-01/study-team").status_code == 303

    asked = next(c.id for c in trial_store.trial(RECORD_ID).criteria if c.confidence is Confidence.QUESTION)
    form = cora.get(f"{base}/criteria/{asked}/edit", timeout=30)
    [fact] = re.findall(r'name="ask:([^"]+)"', form.text)
    bad = post(cora, f"{base}/criteria/{asked}/edit", rule="{fact: nothing_known, is: true}")
    assert bad.status_code == 400 and "does not fit the vocabulary" in bad.text
    assert "nothing_known" in bad.text  # what was sent is shown again
    good = post(cora, f"{base}/criteria/{asked}/edit", rule=f"{{fact: '{fact}', is: true}}",
                **{f"ask:{fact}": "Are you taking hormone therapy other than for breast cancer?",
                   f"who:{fact}": "clinician", "confirmed_by_team": "1"})
    assert good.status_code == 303 and good.headers["Location"].endswith(f"?done=edit#c-{asked}")

    trial = trial_store.trial(RECORD_ID)
    for c in trial.criteria:
        if c.review is None:
            assert post(cora, f"{base}/criteria/{c.id}/approve").status_code == 303
    assert post(cora, f"{base}/publish").status_code == 303
    page = cora.get(f"{base}?done=publish", timeout=30).text
    assert "Published: patients and matching see this trial now." in page
    assert RECORD_ID in Catalogue(trial_store).refresh().trials

    trial = trial_store.trial(RECORD_ID)
    assert trial.criterion("inc-01").review is Review.STUDY_TEAM and trial.criterion(asked).review is Review.EDITED
    assert trial_store.vocabulary()[fact].ask == "Are you taking hormone therapy other than for breast cancer?"

    exported = cora.get(f"{base}/export.yml", timeout=30)
    assert exported.headers["Content-Disposition"] == f'attachment; filename="{RECORD_ID}.yml"'
    assert yaml.safe_load(exported.text)["state"] == "published"
    assert post(cora, f"{base}/withdraw").status_code == 303
    assert trial_store.state(RECORD_ID) is TrialState.WITHDRAWN

    actions = trial_actions(store, "cora")
    assert [a for a, _ in actions][:3] == ["trial_approve", "trial_study_team", "trial_edit"]
    assert [a for a, _ in actions][-3:] == ["trial_publish", "trial_export", "trial_withdraw"]
    assert sum(a == "trial_approve" for a, _ in actions) == 32  # every criterion but the two decided otherwise
    edit = dict(actions)["trial_edit"]
    assert edit["trial"] == RECORD_ID and edit["criterion"] == asked
    assert edit["before"]["questions"][fact][1] == "patient" and edit["after"]["questions"][fact] == \
        ["Are you taking hormone therapy other than for breast cancer?", "clinician"]
    assert edit["after"]["checked_by"] == "question"


def test_criterion_texts_from_outside_records_are_escaped(site, trial_store):
    trial = trial_store.trial(RECORD_ID)
    trial_store.save_criterion(RECORD_ID, replace(trial.criterion("inc-01"), text=SCRIPT))
    cora = login(site.url, "cora", COORDINATOR_PASSWORD)
    for path in ("", "/criteria/inc-01/edit"):
        page = cora.get(f"{site.url}/trials/{RECORD_ID}{path}", timeout=30).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in page


def test_changes_need_the_sessions_csrf_token_and_this_site_as_origin(site, trial_store):
    cora = login(site.url, "cora", COORDINATOR_PASSWORD)
    url = f"{site.url}/trials/{RECORD_ID}/criteria/reg-age/approve"
    assert cora.post(url, allow_redirects=False, timeout=30).status_code == 403
    assert cora.post(url, data={"csrf": "not the token"}, allow_redirects=False, timeout=30).status_code == 403
    assert cora.post(url, data={"csrf": cora.csrf}, headers={"Origin": "https://evil.example"},
                     allow_redirects=False, timeout=30).status_code == 403
    assert trial_store.trial(RECORD_ID).criterion("reg-age").review is None
