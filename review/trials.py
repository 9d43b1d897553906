"""The review app's Trials routes: a coordinator reviews a trial before patients are screened on it.

Every logged-in user reads the Trials pages and exports a trial's YAML; only a coordinator
(review/auth.py) approves, edits or hands a criterion to the study team, publishes or withdraws
(bot/importers/drafts.py does the work on the trial database). Every change and export is in the
audit log, with the trial and criterion; an edit with the rule and questions before and after.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from aiohttp import web

from bot.importers import drafts
from bot.importers.drafts import ReviewRefused
from bot.store import TrialStore
from bot.trials import Criterion, TrialState
from review import pages, trial_pages
from review.app import STORE, run
from review.auth import Session

TRIALS = web.AppKey("trials", TrialStore)


def _html(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def _refused(request: web.Request, status: int, message: str) -> web.Response:
    return _html(pages.error_page(request["nonce"], request["session"], status, message), status)


def _coordinator(request: web.Request) -> Optional[web.Response]:
    """The refusal for anyone but a coordinator, or None."""
    if request["session"].is_coordinator:
        return None
    return _refused(request, 403, "Only a coordinator may change trials.")


async def _audit(request: web.Request, action: str, **detail: Any) -> None:
    session: Session = request["session"]
    await run(request.app[STORE].audit, session.user, action, None, trial=request.match_info["tid"], **detail)


async def _trial(request: web.Request):
    store = request.app[TRIALS]
    vocabulary = await run(store.vocabulary)
    trial = await run(store.trial, request.match_info["tid"], vocabulary)
    if trial is None:
        raise web.HTTPNotFound()
    return trial, vocabulary


def _back(trial_id: str, done: str, criterion_id: str = "") -> web.HTTPException:
    anchor = f"#c-{criterion_id}" if criterion_id else ""
    return web.HTTPSeeOther(f"{trial_pages.trial_path(trial_id)}?done={done}{anchor}")


async def trials(request: web.Request) -> web.StreamResponse:
    state = request.query.get("state") or None
    summaries = await run(request.app[TRIALS].summaries)
    if state in {s.value for s in TrialState}:
        summaries = [t for t in summaries if t["state"].value == state]
    return _html(trial_pages.trials_page(request["nonce"], request["session"], summaries, state))


async def _trial_page(request: web.Request, error: Optional[str] = None, status: int = 200) -> web.Response:
    store = request.app[TRIALS]
    trial, vocabulary = await _trial(request)
    state, source = await run(store.state, trial.id), (await run(store.sources)).get(trial.id, "")
    return _html(trial_pages.trial_page(request["nonce"], request["session"], trial, state, source, vocabulary,
                                        request.query.get("done", ""), error), status)


async def trial(request: web.Request) -> web.StreamResponse:
    return await _trial_page(request)


async def export(request: web.Request) -> web.StreamResponse:
    trial_id = (await _trial(request))[0].id
    text = await run(drafts.trial_yaml, request.app[TRIALS], trial_id, "export")
    await _audit(request, "trial_export")
    return web.Response(text=text, content_type="application/yaml", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="{trial_id}.yml"'})


def _criterion_id(request: web.Request) -> str:
    return request.match_info["cid"]


async def _decide(request: web.Request, action: str, decide) -> web.StreamResponse:
    refusal = _coordinator(request)
    if refusal is not None:
        return refusal
    trial_id, criterion_id = request.match_info["tid"], _criterion_id(request)
    try:
        decided: Criterion = await run(decide, request.app[TRIALS], trial_id, criterion_id)
    except ReviewRefused as refused:
        return _refused(request, 404, str(refused))
    await _audit(request, f"trial_{action}", criterion=criterion_id, rule=dict(decided.rule_spec))
    raise _back(trial_id, action, criterion_id)


async def approve(request: web.Request) -> web.StreamResponse:
    return await _decide(request, "approve", drafts.approve)


async def study_team(request: web.Request) -> web.StreamResponse:
    return await _decide(request, "study_team", drafts.hand_to_study_team)


async def _criterion(request: web.Request) -> Tuple[Any, Criterion, Any]:
    trial, vocabulary = await _trial(request)
    criterion = trial.criterion(_criterion_id(request))
    if criterion is None:
        raise web.HTTPNotFound()
    return trial, criterion, vocabulary


async def edit_form(request: web.Request) -> web.StreamResponse:
    refusal = _coordinator(request)
    if refusal is not None:
        return refusal
    trial, criterion, vocabulary = await _criterion(request)
    return _html(trial_pages.edit_page(request["nonce"], request["session"], trial, criterion, vocabulary))


async def edit(request: web.Request) -> web.StreamResponse:
    refusal = _coordinator(request)
    if refusal is not None:
        return refusal
    trial, criterion, vocabulary = await _criterion(request)
    values = trial_pages.form_values(await request.post())
    questions: Dict[str, Tuple[str, str]] = {
        key: (values.get(f"ask:{key}", vocabulary[key].ask), values.get(f"who:{key}", vocabulary[key].answered_by.value))
        for key in criterion.rule.facts}
    before = {"rule": dict(criterion.rule_spec), "checked_by": criterion.checked_by.value,
              "questions": {key: [vocabulary[key].ask, vocabulary[key].answered_by.value] for key in criterion.rule.facts}}
    try:
        edited = await run(drafts.edit, request.app[TRIALS], trial.id, criterion.id, values.get("rule", ""), questions,
                           values.get("confirmed_by_team") == "1")
    except ReviewRefused as refused:
        return _html(trial_pages.edit_page(request["nonce"], request["session"], trial, criterion, vocabulary, values,
                                           str(refused)), 400)
    after = await run(request.app[TRIALS].vocabulary)
    await _audit(request, "trial_edit", criterion=criterion.id, before=before,
                 after={"rule": dict(edited.rule_spec), "checked_by": edited.checked_by.value,
                        "questions": {key: [after[key].ask, after[key].answered_by.value] for key in edited.rule.facts}})
    raise _back(trial.id, "edit", criterion.id)


async def _set_state(request: web.Request, action: str, change) -> web.StreamResponse:
    refusal = _coordinator(request)
    if refusal is not None:
        return refusal
    trial_id = (await _trial(request))[0].id
    try:
        await run(change, request.app[TRIALS], trial_id)
    except ReviewRefused as refused:
        return await _trial_page(request, str(refused), 409)
    await _audit(request, f"trial_{action}")
    raise _back(trial_id, action)


async def publish(request: web.Request) -> web.StreamResponse:
    return await _set_state(request, "publish", drafts.publish)


async def withdraw(request: web.Request) -> web.StreamResponse:
    return await _set_state(request, "withdraw", drafts.withdraw)


def add_routes(app: web.Application, store: TrialStore) -> None:
    app[TRIALS] = store
    r = app.router
    r.add_get("/trials", trials)
    r.add_get("/trials/{tid}", trial)
    r.add_get("/trials/{tid}/export.yml", export)
    r.add_post("/trials/{tid}/publish", publish)
    r.add_post("/trials/{tid}/withdraw", withdraw)
    r.add_post("/trials/{tid}/criteria/{cid}/approve", approve)
    r.add_post("/trials/{tid}/criteria/{cid}/study-team", study_team)
    r.add_get("/trials/{tid}/criteria/{cid}/edit", edit_form)
    r.add_post("/trials/{tid}/criteria/{cid}/edit", edit)
