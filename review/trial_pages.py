"""The Trials pages of the review app: every trial with its state, one trial's criteria (the
original text beside the reading in plain words), and the form that edits a criterion. Every value
is escaped (``h``): criterion texts come from outside records."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence
from urllib.parse import quote

import yaml

from bot.facts import AnsweredBy, Vocabulary
from bot.importers.drafts import plain_rule
from bot.trials import Confidence, Criterion, Review, Trial, TrialState
from review.auth import Session
from review.pages import csrf_field, h, layout

STATE_BADGES = {TrialState.DRAFT: ("Draft", "warn"), TrialState.PUBLISHED: ("Published", "ok"),
                TrialState.WITHDRAWN: ("Withdrawn", "bad")}
CONFIDENCE_NAMES = {
    Confidence.COMPUTABLE: "computable: the importer read every word of it",
    Confidence.QUESTION: "asked from its text as a yes/no question",
    Confidence.UNSURE: "asked from its text, not sure: a “no” is left to the study team",
    Confidence.STUDY_TEAM: "not something to ask: handed to the study team",
}
REVIEW_BADGES = {None: ("To review", "warn"), Review.APPROVED: ("Approved", "ok"), Review.EDITED: ("Edited", "ok"),
                 Review.STUDY_TEAM: ("Study team confirms", "ok")}
WHO_NAMES = {AnsweredBy.PATIENT: "the patient", AnsweredBy.CLINICIAN: "their doctor",
             AnsweredBy.STUDY_TEAM: "the study team"}
NOTICES = {"approve": "Criterion approved.", "edit": "Criterion changed.", "study_team": "Handed to the study team.",
           "publish": "Published: patients and matching see this trial now.",
           "withdraw": "Withdrawn: nobody is screened on this trial any more."}


def trial_path(trial_id: str, *rest: str) -> str:
    return "/".join(["/trials", quote(trial_id, safe="")] + [quote(part, safe="") for part in rest])


def _badge(label: str, kind: str) -> str:
    return f'<span class="badge {h(kind)}">{h(label)}</span>'


def state_badge(state: TrialState) -> str:
    return _badge(*STATE_BADGES[state])


def origin(source: str) -> str:
    return "curated file" if source.endswith((".yml", ".yaml")) else "imported record"


def _notice(done: str, error: Optional[str]) -> str:
    if error:
        return f'<div class="error" role="alert">{h(error)}</div>'
    return f'<div class="notice" role="status">{h(NOTICES[done])}</div>' if done in NOTICES else ""


def trials_page(nonce: str, session: Session, summaries: Sequence[Mapping[str, Any]], state: Optional[str]) -> str:
    choices = "".join(f'<option value="{h(s.value)}"{" selected" if s.value == state else ""}>{h(STATE_BADGES[s][0])}'
                      f'</option>' for s in TrialState)
    rows = "".join(
        f'<tr><td><a href="{h(trial_path(t["id"]))}">{h(t["id"])}</a></td><td>{h(t["brief_title"])}</td>'
        f'<td>{h(origin(t["source"]))}</td><td>{state_badge(t["state"])}</td><td class="num">{h(t["criteria"])}</td></tr>'
        for t in summaries)
    body = (f'<h1>Trials</h1><p class="muted">Imported trials are drafts until a coordinator has reviewed each '
            f'criterion and published them; patients and matching see published trials only.</p>'
            f'<form class="toolbar" method="get" action="/trials"><label>State <select name="state">'
            f'<option value="">any</option>{choices}</select></label><button type="submit">Show</button></form>'
            f'<table id="trials"><thead><tr><th>Trial</th><th>Title</th><th>From</th><th>State</th>'
            f'<th class="num">Criteria</th></tr></thead><tbody>{rows}</tbody></table>'
            f'<p class="muted">{len(summaries)} trial(s).</p>')
    return layout("Trials", body, nonce, session)


def _source(criterion: Criterion) -> str:
    source = criterion.source
    if "segment" in source:
        return f"eligibility text, item {int(source['segment']) + 1}"
    if "rows" in source:
        return "corpus rows " + ", ".join(str(row) for row in source["rows"])
    if "registry" in source:
        return f"registry field: {source['registry']}"
    return "curated file"


def reading(criterion: Criterion, vocabulary: Vocabulary) -> str:
    """The criterion's reading in plain words: the rule, the questions asked, who answers."""
    asked = [vocabulary[key] for key in criterion.rule.facts if vocabulary[key].askable]
    questions = "".join(f'<li>{h(d.ask)} <span class="muted">({h(WHO_NAMES[d.answered_by])})</span></li>'
                        for d in asked)
    who = WHO_NAMES[criterion.answered_by(vocabulary)]
    settled = ("Settled by the study team at the screening visit; never asked." if not asked else
               f"Answered by {who}" + ("; the answer is then confirmed by the study team." if criterion.to_be_confirmed
                                       else "."))
    return (f'<div class="rule">{h("Must hold" if criterion.kind.value == "inclusion" else "Excludes")}: '
            f'{h(plain_rule(criterion.rule_spec, vocabulary))}</div>'
            + (f'<ul class="facts">{questions}</ul>' if questions else "")
            + f'<div class="muted">{h(settled)}</div>')


def trial_page(nonce: str, session: Session, trial: Trial, state: TrialState, source: str, vocabulary: Vocabulary,
               done: str = "", error: Optional[str] = None) -> str:
    waiting = sum(c.awaits_review for c in trial.criteria)
    actions: List[str] = [f'<a class="button secondary" href="{h(trial_path(trial.id, "export.yml"))}">Export YAML</a>']
    if session.is_coordinator:
        if state is not TrialState.PUBLISHED:
            actions.append(_post(trial_path(trial.id, "publish"), "Publish", session))
        if state is not TrialState.WITHDRAWN:
            actions.append(_post(trial_path(trial.id, "withdraw"), "Withdraw", session, "danger",
                                 "Withdraw this trial? Nobody will be screened on it."))
    rows = "".join(_criterion_row(trial, c, vocabulary, session) for c in trial.criteria)
    body = (f'<p><a href="/trials">← Trials</a></p>{_notice(done, error)}'
            f'<h1>{h(trial.id)}: {h(trial.brief_title)} <span id="state">{state_badge(state)}</span></h1>'
            f'<p class="muted">{h(trial.title)}<br>From: {h(origin(source))}. {len(trial.criteria)} criteria, '
            f'<span id="waiting">{waiting}</span> awaiting review.</p>'
            f'<div class="toolbar">{"".join(actions)}</div>'
            f'<table id="criteria" class="criteria"><thead><tr><th>Criterion</th><th>Original text</th>'
            f'<th>Reading in plain words</th><th>Importer</th><th>Review</th></tr></thead><tbody>{rows}</tbody></table>')
    return layout(trial.id, body, nonce, session)


def _post(action: str, label: str, session: Session, kind: str = "", confirm: str = "") -> str:
    confirm_attribute = f' data-confirm="{h(confirm)}"' if confirm else ""
    return (f'<form class="inline" method="post" action="{h(action)}"{confirm_attribute}>{csrf_field(session)}'
            f'<button type="submit" class="{h(kind)}">{h(label)}</button></form>')


def _criterion_row(trial: Trial, criterion: Criterion, vocabulary: Vocabulary, session: Session) -> str:
    importer = (f'{h(CONFIDENCE_NAMES[criterion.confidence])}<div class="muted">{h(_source(criterion))}</div>'
                if criterion.confidence else h(_source(criterion)))
    controls = ""
    if session.is_coordinator:
        controls = ('<div class="toolbar">'
                    + _post(trial_path(trial.id, "criteria", criterion.id, "approve"), "Approve", session)
                    + f'<a class="button secondary" href="{h(trial_path(trial.id, "criteria", criterion.id, "edit"))}">'
                      f'Edit</a>'
                    + _post(trial_path(trial.id, "criteria", criterion.id, "study-team"), "Study team confirms",
                            session, "secondary")
                    + '</div>')
    return (f'<tr id="c-{h(criterion.id)}"><td>{h(criterion.id)}<div class="muted">{h(criterion.kind.value)}</div></td>'
            f'<td class="text">{h(criterion.text)}</td><td>{reading(criterion, vocabulary)}</td><td>{importer}</td>'
            f'<td>{_badge(*REVIEW_BADGES[criterion.review])}{controls}</td></tr>')


def edit_page(nonce: str, session: Session, trial: Trial, criterion: Criterion, vocabulary: Vocabulary,
              values: Optional[Mapping[str, str]] = None, error: Optional[str] = None) -> str:
    """The rule as YAML, each asked fact's question and who answers it, and whether the study team
    confirms the answer; ``values``: what was sent, shown again beside the ``error``."""
    values = values or {}
    rule = values.get("rule", yaml.safe_dump(dict(criterion.rule_spec), default_flow_style=True, width=10_000,
                                             allow_unicode=True).strip())
    confirmed = values.get("confirmed_by_team") == "1" if values else criterion.to_be_confirmed
    facts = ""
    for key in criterion.rule.facts:
        definition = vocabulary[key]
        who = values.get(f"who:{key}", definition.answered_by.value)
        options = "".join(f'<option value="{h(a.value)}"{" selected" if a.value == who else ""}>{h(WHO_NAMES[a])}'
                          f'</option>' for a in AnsweredBy)
        facts += (f'<fieldset><legend>{h(key)}</legend>'
                  f'<label>Question ({h(definition.label.replace("{subject}", "the person"))})'
                  f'<input class="full" type="text" name="ask:{h(key)}" value="{h(values.get(f"ask:{key}", definition.ask))}">'
                  f'</label><label>Who answers <select name="who:{h(key)}">{options}</select></label></fieldset>')
    problem = f'<div class="error" role="alert">{h(error)}</div>' if error else ""
    body = (f'<p><a href="{h(trial_path(trial.id))}#c-{h(criterion.id)}">← {h(trial.id)}</a></p>{problem}'
            f'<h1>Edit {h(criterion.id)} of {h(trial.id)}</h1>'
            f'<div class="panel"><div class="muted">Original text</div><div id="original">{h(criterion.text)}</div></div>'
            f'<form method="post" action="{h(trial_path(trial.id, "criteria", criterion.id, "edit"))}">'
            f'{csrf_field(session)}<label>Rule (YAML, as in data/trials/*.yml: what must hold for an inclusion, '
            f'what excludes for an exclusion)<textarea class="full" name="rule" rows="3">{h(rule)}</textarea></label>'
            f'<p class="muted">The question and who answers it belong to the fact: every trial that reads it '
            f'asks it so.</p>{facts}'
            f'<label><input type="checkbox" name="confirmed_by_team" value="1"{" checked" if confirmed else ""}> '
            f'The study team confirms the answer</label>'
            f'<p><button type="submit">Save</button></p></form>')
    return layout(f"Edit {criterion.id}", body, nonce, session)


def form_values(form: Mapping[str, Any]) -> Dict[str, str]:
    return {str(k): str(v) for k, v in form.items() if k != "csrf"}
