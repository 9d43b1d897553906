"""The review app's pages: server-rendered HTML, every value escaped.

No template engine is installed with Rasa, so pages are built here with ``html.escape`` on every
dynamic value (``h``). Styles and the one small script carry the response's CSP nonce; forms work
without the script.
"""
from __future__ import annotations

import html
import json
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlencode

from bot.evaluation import Status, Verdict
from review.auth import Session
from review.store import STATUSES, VERDICTS, InboxPage, InboxQuery
from review.stories import Step

# Whether the app serves the Trials pages (review/trials.py, only with a trial database): the nav links
# to them only then. The app sets it for each request it handles (review/app.py, ``sections``).
TRIALS_SERVED: ContextVar[bool] = ContextVar("trials_served", default=False)
STATUS_NAMES = {"unreviewed": "Unreviewed", "needs_follow_up": "Needs follow-up", "reviewed": "Reviewed"}
VERDICT_NAMES = {Verdict.LIKELY_ELIGIBLE.value: "Likely eligible", Verdict.UNCERTAIN.value: "Uncertain",
                 Verdict.NOT_ELIGIBLE.value: "Not eligible", None: "—"}
CRITERION_NAMES = {Status.MET.value: "met", Status.NOT_MET.value: "not met", Status.UNKNOWN.value: "unknown"}
# The badge colour of a verdict and of a criterion's status
VERDICT_KINDS = {Verdict.LIKELY_ELIGIBLE.value: "ok", Verdict.NOT_ELIGIBLE.value: "bad", Verdict.UNCERTAIN.value: "warn"}
CRITERION_KINDS = {Status.MET.value: "ok", Status.NOT_MET.value: "bad", Status.UNKNOWN.value: "warn"}
# Where reading went wrong: each count's column heading, filter label and meaning.
READING_NAMES = {"misunderstood": ("Not underst.", "Min. not understood", "answers not understood"),
                 "check_backs": ("Check-backs", "Min. check-backs", "readings offered back for confirmation"),
                 "read_backs": ("Read-backs", "Min. read-backs", "facts read back before a verdict"),
                 "corrections": ("Corrections", "Min. corrections", "facts already answered, changed"),
                 "repeated_questions": ("Asked again", "Min. asked again", "the same question asked again")}

CSS = """
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--accent:#1f5fbf;--warn:#a35b00;--bad:#b3261e;--ok:#1b7f3b}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header.top{display:flex;gap:1rem;align-items:center;padding:.6rem 1rem;background:#fff;border-bottom:1px solid var(--line)}
header.top .brand{font-weight:600}header.top nav{display:flex;gap:1rem;flex:1}header.top form{margin:0}
main{padding:1rem;max-width:1400px;margin:0 auto}a{color:var(--accent)}h1{font-size:1.3rem;margin:.2rem 0 1rem}
h2{font-size:1.05rem;margin:1rem 0 .5rem}table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{font-weight:600;background:#eef1f5;white-space:nowrap}td.num,th.num{text-align:right}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:.5rem;background:#fff;padding:.75rem;border:1px solid var(--line);margin-bottom:.75rem}
.filters label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted)}.filters .wide{grid-column:span 2}
input,select,textarea,button{font:inherit}input[type=text],input[type=search],input[type=date],input[type=number],input[type=password],select,textarea{padding:.3rem .4rem;border:1px solid #b9c0cc;border-radius:4px;background:#fff;color:var(--fg)}
button,.button{display:inline-block;padding:.3rem .7rem;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:4px;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}button.danger{background:var(--bad);border-color:var(--bad)}
.badge{display:inline-block;padding:0 .4rem;border-radius:9px;font-size:.75rem;background:#e7eaf0;color:var(--fg);margin:0 .15rem .15rem 0;white-space:nowrap}
.badge.warn{background:#fff0d9;color:var(--warn)}.badge.bad{background:#fde4e1;color:var(--bad)}.badge.ok{background:#ddf3e4;color:var(--ok)}
.muted{color:var(--muted)}.pager{display:flex;gap:.5rem;align-items:center;margin:.75rem 0}.toolbar{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center;margin:.5rem 0}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 320px;gap:1rem}@media(max-width:900px){.layout{grid-template-columns:1fr}}
.panel{background:#fff;border:1px solid var(--line);padding:.75rem;margin-bottom:.75rem}.panel form{margin:.3rem 0}
.msg{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.5rem .7rem;margin:.4rem 0;max-width:900px}
.msg.user{border-left:4px solid var(--accent);margin-right:3rem}.msg.bot{border-left:4px solid #8a94a6;margin-left:3rem}
.msg.flagged{outline:2px solid var(--bad)}.msg .text{white-space:pre-wrap;word-wrap:break-word}.msg .meta{font-size:.8rem;color:var(--muted);margin-top:.3rem}
.action{font-size:.8rem;color:var(--muted);margin:.1rem 0 .1rem 3rem}.session{text-align:center;color:var(--muted);font-size:.8rem;margin:.6rem 0}
.facts{font-size:.85rem;margin:.3rem 0 0;padding-left:1.2rem}.criteria td{font-size:.85rem}.flagform{display:flex;gap:.3rem;margin-top:.3rem}
.flagform input{flex:1;font-size:.8rem}.error{background:#fde4e1;border:1px solid var(--bad);padding:.5rem .75rem;margin-bottom:.75rem}
.notice{background:#ddf3e4;border:1px solid var(--ok);padding:.5rem .75rem;margin-bottom:.75rem}
.login{max-width:360px;margin:10vh auto;background:#fff;border:1px solid var(--line);padding:1.5rem}.login label{display:block;margin:.6rem 0}.login input{width:100%}
.inline{display:inline}.grow{flex:1}.full{width:100%}
pre.yaml{background:#fff;border:1px solid var(--line);padding:.75rem;overflow:auto}td.preview{max-width:380px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
"""

SCRIPT = """
document.querySelectorAll('[data-select-all]').forEach(function(box){box.addEventListener('change',function(){
  document.querySelectorAll('input[name=ids]').forEach(function(c){c.checked=box.checked;});});});
document.querySelectorAll('form[data-confirm]').forEach(function(f){f.addEventListener('submit',function(e){
  if(!window.confirm(f.getAttribute('data-confirm'))){e.preventDefault();}});});
"""


def h(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def when(timestamp: Optional[float]) -> str:
    if timestamp is None:
        return "—"
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M")


def url(path: str, params: Optional[Mapping[str, Any]] = None) -> str:
    return path + ("?" + urlencode(params) if params else "")


def csrf_field(session: Session) -> str:
    return f'<input type="hidden" name="csrf" value="{h(session.csrf)}">'


def layout(title: str, body: str, nonce: str, session: Optional[Session] = None) -> str:
    nav = ""
    if session is not None:
        trials = '<a href="/trials">Trials</a>' if TRIALS_SERVED.get() else ""
        audit = '<a href="/audit">Audit log</a>' if session.is_admin else ""
        nav = (f'<nav><a href="/">Inbox</a>{trials}{audit}</nav>'
               f'<span class="muted">{h(session.user)} ({h(session.role)})</span>'
               f'<form method="post" action="/logout">{csrf_field(session)}'
               f'<button class="secondary" type="submit">Log out</button></form>')
    meta = f'<meta name="csrf-token" content="{h(session.csrf)}">' if session else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">{meta}'
            f'<title>{h(title)} · Transcript review</title><style nonce="{h(nonce)}">{CSS}</style></head>'
            f'<body><header class="top"><span class="brand">Transcript review</span>{nav}</header>'
            f'<main>{body}</main><script nonce="{h(nonce)}">{SCRIPT}</script></body></html>')


def login_page(nonce: str, csrf: str, next_url: str, error: Optional[str] = None) -> str:
    problem = f'<div class="error" role="alert">{h(error)}</div>' if error else ""
    body = (f'<form class="login" method="post" action="/login"><h1>Log in</h1>{problem}'
            f'<input type="hidden" name="csrf" value="{h(csrf)}"><input type="hidden" name="next" value="{h(next_url)}">'
            f'<label>User name<input type="text" name="username" autocomplete="username" required autofocus></label>'
            f'<label>Password<input type="password" name="password" autocomplete="current-password" required></label>'
            f'<button type="submit">Log in</button></form>')
    return layout("Log in", body, nonce)


def error_page(nonce: str, session: Optional[Session], status: int, message: str) -> str:
    return layout(f"Error {status}", f'<h1>{h(status)}</h1><div class="error">{h(message)}</div>'
                                     f'<p><a href="/">Back to the inbox</a></p>', nonce, session)


def _select(name: str, options: Iterable[Any], chosen: Any, labels: Optional[Mapping[Any, str]] = None,
            blank: str = "any") -> str:
    items = [f'<option value="">{h(blank)}</option>'] if blank is not None else []
    for value in options:
        label = (labels or {}).get(value, value)
        selected = " selected" if str(value) == str(chosen if chosen is not None else "") else ""
        items.append(f'<option value="{h(value)}"{selected}>{h(label)}</option>')
    return f'<select name="{h(name)}" id="f-{h(name)}">{"".join(items)}</select>'


def _min_input(name: str, label: str, value: Optional[int]) -> str:
    return (f'<label>{h(label)}<input type="number" min="0" name="{h(name)}" '
            f'value="{h(value if value is not None else "")}"></label>')


def _bool_select(name: str, chosen: Optional[bool]) -> str:
    value = "" if chosen is None else ("true" if chosen else "false")
    return _select(name, ["true", "false"], value, {"true": "yes", "false": "no"})


def _badges(row: Mapping[str, Any]) -> str:
    out = []
    if row["asked_human"]:
        out.append('<span class="badge bad" title="asked for a human">human</span>')
    if row["frustrated"]:
        out.append('<span class="badge warn" title="sounded frustrated">frustrated</span>')
    if row.get("flagged"):
        out.append(f'<span class="badge bad" title="flagged messages">{h(row["flagged"])} flagged</span>')
    return "".join(out)


def _verdict_badge(verdict: Optional[str]) -> str:
    kind = VERDICT_KINDS.get(verdict or "", "")
    return f'<span class="badge {kind}">{h(VERDICT_NAMES.get(verdict, verdict))}</span>'


def inbox_page(nonce: str, session: Session, query: InboxQuery, page: InboxPage,
               facets: Mapping[str, Sequence[str]], masked_sender: Mapping[int, str], notice: str = "") -> str:
    def sort_link(key: str, label: str, numeric: bool = False, title: str = "") -> str:
        current = query.sort == key
        desc = not query.desc if current else True
        arrow = (" ▼" if query.desc else " ▲") if current else ""
        href = url("/", query.to_params(sort=key, desc=desc, page=1))
        hint = f' title="{h(title)}"' if title else ""
        return f'<th class="{"num" if numeric else ""}"{hint}><a href="{h(href)}">{h(label)}{arrow}</a></th>'

    filters = (
        f'<form class="filters" method="get" action="/" role="search">'
        f'<label class="wide">Text<input type="search" name="q" value="{h(query.q)}" placeholder="words in the conversation"></label>'
        f'<label>Channel{_select("channel", facets.get("channel", []), query.channel)}</label>'
        f'<label>Trial{_select("trial", facets.get("trial", []), query.trial)}</label>'
        f'<label>Verdict{_select("verdict", list(VERDICTS) + ["none"], query.verdict, {**VERDICT_NAMES, "none": "no verdict"})}</label>'
        f'<label>Review status{_select("status", STATUSES, query.status, STATUS_NAMES)}</label>'
        f'<label>Tag{_select("tag", facets.get("tag", []), query.tag)}</label>'
        f'<label>Started from<input type="date" name="started_from" value="{h(query.started_from or "")}"></label>'
        f'<label>Started to<input type="date" name="started_to" value="{h(query.started_to or "")}"></label>'
        f'<label>Min. turns<input type="number" min="0" name="min_turns" value="{h(query.min_turns if query.min_turns is not None else "")}"></label>'
        f'<label>Max. turns<input type="number" min="0" name="max_turns" value="{h(query.max_turns if query.max_turns is not None else "")}"></label>'
        f'<label>Min. fallbacks<input type="number" min="0" name="min_fallbacks" value="{h(query.min_fallbacks if query.min_fallbacks is not None else "")}"></label>'
        f'<label>Min. low-confidence<input type="number" min="0" name="min_low_confidence" value="{h(query.min_low_confidence if query.min_low_confidence is not None else "")}"></label>'
        + "".join(_min_input(f"min_{name}", label, getattr(query, f"min_{name}"))
                  for name, (_, label, _) in READING_NAMES.items()) +
        f'<label>Asked for a human{_bool_select("asked_human", query.asked_human)}</label>'
        f'<label>Frustrated{_bool_select("frustrated", query.frustrated)}</label>'
        f'<label>Flagged messages{_bool_select("flagged", query.flagged)}</label>'
        f'<label>Per page{_select("per_page", [25, 50, 100, 200], query.per_page, blank=None)}</label>'
        f'<input type="hidden" name="sort" value="{h(query.sort)}"><input type="hidden" name="order" value="{"desc" if query.desc else "asc"}">'
        f'<div class="toolbar"><button type="submit">Filter</button><a class="button secondary" href="/">Clear</a></div></form>')
    rows = []
    for r in page.rows:
        trials = [t for t in (r["trials"] or "").split(",") if t]
        trial_text = ", ".join(trials[:3]) + (f" +{len(trials) - 3}" if len(trials) > 3 else "")
        tags = "".join(f'<span class="badge">{h(t)}</span>' for t in r["tags"])
        rows.append(
            f'<tr><td><input type="checkbox" name="ids" value="{h(r["id"])}" aria-label="select conversation {h(r["id"])}"></td>'
            f'<td><a href="/conversations/{h(r["id"])}">#{h(r["id"])}</a> <span class="muted">{h(masked_sender[r["id"]])}</span></td>'
            f'<td>{h(r["channel"] or "—")}</td><td>{h(when(r["started_at"]))}</td><td class="num">{h(r["turns"])}</td>'
            f'<td>{h(trial_text or "—")}</td><td>{_verdict_badge(r["verdict"])}</td>'
            f'<td class="num">{h(r["fallbacks"])}</td><td class="num">{h(r["low_confidence"])}</td>'
            + "".join(f'<td class="num" data-count="{name}">{h(r[name])}</td>' for name in READING_NAMES) +
            f'<td>{_badges(r)}</td><td>{h(STATUS_NAMES.get(r["status"], r["status"]))}</td><td>{tags}</td>'
            f'<td class="preview muted" title="{h(r["preview"])}">{h(r["preview"] or "")}</td></tr>')
    if not rows:
        rows.append(f'<tr><td colspan="{13 + len(READING_NAMES)}" class="muted">No conversation matches these filters.</td></tr>')
    params = query.to_params(page=1)
    shown_total = f"{page.total:,}" + ("+" if page.capped else "")
    export_all = (f'<span class="muted">All {h(shown_total)} matching:</span>'
                  f'<a class="button secondary" href="{h(url("/export.json", params))}">JSON</a>'
                  f'<a class="button secondary" href="{h(url("/export.csv", params))}">CSV</a>'
                  f'<a class="button secondary" href="{h(url("/export.csv", {**params, "rows": "messages"}))}">CSV (messages)</a>')
    pager = _pager(query, page)
    table = (
        f'<form method="get" action="/export.json" id="selection"><input type="hidden" name="selected" value="1">'
        f'<div class="toolbar"><span class="muted">Selected:</span>'
        f'<button class="secondary" type="submit" formaction="/export.json">Export JSON</button>'
        f'<button class="secondary" type="submit" formaction="/export.csv">Export CSV</button>'
        f'<span class="grow"></span>{export_all}</div>'
        f'<table id="inbox"><thead><tr><th><input type="checkbox" data-select-all aria-label="select all"></th>'
        f'{sort_link("id", "Conversation")}{sort_link("channel", "Channel")}{sort_link("started", "Started")}'
        f'{sort_link("turns", "Turns", True)}<th>Trial(s)</th>{sort_link("verdict", "Verdict")}'
        f'{sort_link("fallbacks", "Fallbacks", True)}{sort_link("low_confidence", "Low conf.", True)}'
        + "".join(sort_link(name, heading, True, meaning) for name, (heading, _, meaning) in READING_NAMES.items()) +
        f'<th>Signals</th>{sort_link("status", "Review")}<th>Tags</th><th>First message</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></form>')
    note = f'<div class="notice">{h(notice)}</div>' if notice else ""
    body = (f'<h1>Conversations <span class="muted" id="total">{h(shown_total)}</span></h1>{note}{filters}'
            f'{pager}{table}{pager}')
    return layout("Inbox", body, nonce, session)


def _pager(query: InboxQuery, page: InboxPage) -> str:
    prev_link = (f'<a class="button secondary" rel="prev" href="{h(url("/", query.to_params(page=page.page - 1)))}">‹ Previous</a>'
                 if page.page > 1 else "")
    next_link = (f'<a class="button secondary" rel="next" href="{h(url("/", query.to_params(page=page.page + 1)))}">Next ›</a>'
                 if page.page < page.pages else "")
    more = "+ (refine the search to see more)" if page.capped else ""
    return (f'<div class="pager">{prev_link}<span class="muted">Page {h(page.page)} of {h(f"{page.pages:,}")}{h(more)}</span>'
            f'{next_link}</div>')


def _reading_badges(m: Any) -> List[str]:
    """What a bot message says about the reading of the answers, as badges."""
    def shown(values: Mapping[str, Any]) -> str:
        return "; ".join(f"{k}: {json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}"
                         for k, v in values.items())

    badges = []
    if m.not_understood:
        badges.append('<span class="badge bad" data-mark="not_understood">not understood</span>')
    if m.repeated:
        badges.append('<span class="badge bad" data-mark="repeated" title="the question before asked the same">'
                      'asked again</span>')
    if m.check_back:
        badges.append(f'<span class="badge warn" data-mark="check_back">check-back: {h(shown(m.check_back))}</span>')
    if m.read_back:
        badges.append(f'<span class="badge" data-mark="read_back" title="{h(shown(m.read_back))}">read-back</span>')
    if m.corrected:
        badges.append(f'<span class="badge warn" data-mark="correction" title="{h(", ".join(m.corrected))}">'
                      f'correction</span>')
    if m.handoff:
        badges.append('<span class="badge bad" data-mark="handoff">asked for a human</span>')
    return badges


def _verdict_table(verdict: Any) -> str:
    items = verdict if isinstance(verdict, list) else [verdict]
    parts = []
    for v in items:
        if not isinstance(v, dict):
            continue
        rows = "".join(
            f'<tr><td>{h(c.get("kind"))}</td><td>{_criterion_badge(c.get("status"))}</td>'
            f'<td>{h(c.get("text"))}</td><td>{h(c.get("explanation"))}</td>'
            f'<td>{h(c.get("to_confirm_by") or "")}</td></tr>'
            for c in v.get("criteria") or [] if isinstance(c, dict))
        title = f'{h(v.get("trial_id"))} {h(v.get("title") or "")}'
        reason = f'<div class="muted">{h(v.get("reason"))}</div>' if v.get("reason") else ""
        parts.append(f'<details class="verdict" open><summary>Verdict for {title}: {_verdict_badge(v.get("status"))}'
                     f'</summary>{reason}<table class="criteria"><thead><tr><th>Kind</th><th>Status</th><th>Criterion</th>'
                     f'<th>Reasoning</th><th>To confirm by</th></tr></thead><tbody>{rows}</tbody></table></details>')
    return "".join(parts)


def _criterion_badge(status: Any) -> str:
    kind = CRITERION_KINDS.get(str(status), "")
    return f'<span class="badge {kind}">{h(CRITERION_NAMES.get(str(status), status))}</span>'


def _percent(value: Optional[float]) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _user_details(m: Any, threshold: float) -> Tuple[List[str], str]:
    """What the model and the engine made of a person's message: (meta badges, facts taken)."""
    meta = [f'intent <b>{h(m.intent)}</b> {h(_percent(m.confidence))}']
    if m.fallback:
        meta.append('<span class="badge bad">fallback</span>')
    if m.low_confidence:
        meta.append(f'<span class="badge warn" title="below {h(_percent(threshold))}">low confidence</span>')
    if m.asked_human:
        meta.append('<span class="badge bad">asked for a human</span>')
    if m.frustrated:
        meta.append('<span class="badge warn">frustrated</span>')
    ranking = ", ".join(f"{h(n)} {h(_percent(c))}" for n, c in m.ranking)
    if ranking:
        meta.append(f'<details><summary>ranking</summary>{ranking}</details>')
    extra = ""
    if m.facts:
        extra += '<ul class="facts" aria-label="facts taken">' + "".join(
            f'<li><b>{h(k)}</b>: {h(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v)}</li>'
            for k, v in m.facts.items()) + "</ul>"
    if m.facts_cleared:
        extra += '<div class="badge warn">facts cleared</div>'
    if m.verdict_status:
        meta.append(f'verdict {_verdict_badge(m.verdict_status)}')
    return meta, extra


def _bot_details(m: Any) -> Tuple[List[str], str]:
    """What a bot message offered and said in its reply contract: (meta badges, buttons and verdict)."""
    meta: List[str] = []
    extra = ""
    if m.buttons:
        extra += "<div>" + "".join(f'<span class="badge">{h(b.get("title"))}</span>' for b in m.buttons) + "</div>"
    if m.asks:
        meta.append(f'asks {h(", ".join(m.asks))}')
    meta += _reading_badges(m)
    if m.verdict:
        extra += _verdict_table(m.verdict)
    return meta, extra


def _flag_form(cid: Any, token: str, event_id: Any, flag: Optional[Mapping[str, Any]]) -> str:
    """Flag a message with what went wrong, or, once flagged, who flagged it and why, and unflag it."""
    if flag:
        on, inside = "0", (f'<span class="badge bad">flagged by {h(flag["author"])}: {h(flag["reason"])}</span>'
                           f'<button class="secondary" type="submit">Unflag</button>')
    else:
        on, inside = "1", ('<input type="text" name="reason" placeholder="what went wrong here?" aria-label="reason">'
                           '<button class="secondary" type="submit">Flag</button>')
    return (f'<form class="flagform" method="post" action="/conversations/{h(cid)}/flags">{token}'
            f'<input type="hidden" name="event_id" value="{h(event_id)}"><input type="hidden" name="on" value="{on}">'
            f'{inside}</form>')


def _transcript_item(m: Any, cid: Any, token: str, flag: Optional[Mapping[str, Any]], threshold: float) -> str:
    if m.kind == "session":
        return f'<div class="session">— {h(m.action.replace("_", " "))} · {h(when(m.at))} —</div>'
    if m.kind == "action":
        return f'<div class="action">→ {h(m.action)} <span>({h(m.policy or "")})</span></div>'
    details, extra = _user_details(m, threshold) if m.kind == "user" else _bot_details(m)
    meta = [h(when(m.at)), *details]
    classes = f"msg {m.kind}" + (" flagged" if flag else "")
    speaker = "Person" if m.kind == "user" else "Bot"
    return (f'<div class="{classes}" id="m{h(m.event_id)}" data-event-id="{h(m.event_id)}">'
            f'<div class="muted"><b>{speaker}</b></div><div class="text">{h(m.text or "")}</div>{extra}'
            f'<div class="meta">{" · ".join(meta)}</div>{_flag_form(cid, token, m.event_id, flag)}</div>')


def conversation_page(nonce: str, session: Session, row: Mapping[str, Any], sender: str, messages: Sequence[Any],
                      unmasked: bool, notice: str = "", threshold: float = 0.6) -> str:
    cid = row["id"]
    token = csrf_field(session)
    flags: Mapping[int, Mapping[str, Any]] = row["flags"]
    items = [_transcript_item(m, cid, token, flags.get(m.event_id), threshold) for m in messages]
    trials = ", ".join(t for t in (row["trials"] or "").split(",") if t) or "—"
    summary = (f'<table><tbody><tr><th>Sender</th><td id="sender">{h(sender)}</td><th>Channel</th><td>{h(row["channel"])}</td>'
               f'<th>Started</th><td>{h(when(row["started_at"]))}</td><th>Last</th><td>{h(when(row["last_at"]))}</td></tr>'
               f'<tr><th>Turns</th><td>{h(row["turns"])}</td><th>Trial(s)</th><td>{h(trials)}</td>'
               f'<th>Verdict</th><td>{_verdict_badge(row["verdict"])}</td><th>Signals</th><td>{_badges(row)}</td></tr>'
               f'<tr><th>Fallbacks</th><td>{h(row["fallbacks"])}</td><th>Low confidence</th><td>{h(row["low_confidence"])}</td>'
               f'<th>Not understood</th><td>{h(row["misunderstood"])}</td><th>Review</th>'
               f'<td>{h(STATUS_NAMES.get(row["status"], row["status"]))}</td></tr>'
               f'<tr><th>Check-backs</th><td>{h(row["check_backs"])}</td><th>Read-backs</th><td>{h(row["read_backs"])}</td>'
               f'<th>Corrections</th><td>{h(row["corrections"])}</td><th>Asked again</th>'
               f'<td>{h(row["repeated_questions"])}</td></tr></tbody></table>')
    tags = "".join(
        f'<form method="post" action="/conversations/{h(cid)}/tags/remove" class="inline">{token}'
        f'<input type="hidden" name="tag" value="{h(t)}"><span class="badge">{h(t)} '
        f'<button class="secondary" type="submit" aria-label="remove tag {h(t)}">×</button></span></form>'
        for t in row["tags"])
    notes = "".join(f'<li><b>{h(n["author"])}</b> <span class="muted">{h(when(n["created_at"]))}</span><br>'
                    f'{h(n["text"])}</li>' for n in row["notes"])
    admin = ""
    if session.is_admin:
        toggle = (f'<a class="button secondary" href="/conversations/{h(cid)}">Mask again</a>' if unmasked else
                  f'<a class="button secondary" href="/conversations/{h(cid)}?unmask=1">Unmask (logged)</a>')
        admin = (f'<div class="panel"><h2>Admin</h2>{toggle}'
                 f'<form method="post" action="/conversations/{h(cid)}/erase" data-confirm="Erase this conversation everywhere? This cannot be undone.">'
                 f'{token}<button class="danger" type="submit">Erase conversation</button></form></div>')
    side = (
        f'<div class="panel"><h2>Review</h2><form method="post" action="/conversations/{h(cid)}/status">{token}'
        f'{_select("status", STATUSES, row["status"], STATUS_NAMES, blank=None)} <button type="submit">Save</button></form>'
        f'<form method="post" action="/conversations/{h(cid)}/status">{token}<input type="hidden" name="status" value="reviewed">'
        f'<button type="submit" id="mark-reviewed">Mark reviewed</button></form></div>'
        f'<div class="panel"><h2>Tags</h2><div id="tags">{tags or "<span class=muted>none</span>"}</div>'
        f'<form method="post" action="/conversations/{h(cid)}/tags">{token}'
        f'<input type="text" name="tag" placeholder="e.g. misunderstood-date" aria-label="new tag" required> '
        f'<button type="submit">Add tag</button></form></div>'
        f'<div class="panel"><h2>Notes</h2><ul id="notes">{notes}</ul>'
        f'<form method="post" action="/conversations/{h(cid)}/notes">{token}'
        f'<textarea name="note" rows="3" class="full" aria-label="note" required></textarea>'
        f'<button type="submit">Add note</button></form></div>'
        f'<div class="panel"><h2>Use</h2><a class="button secondary" href="/conversations/{h(cid)}/story">Save as test…</a> '
        f'<a class="button secondary" href="/export.json?ids={h(cid)}{"&amp;unmask=1" if unmasked else ""}">JSON</a> '
        f'<a class="button secondary" href="/export.csv?ids={h(cid)}&amp;rows=messages{"&amp;unmask=1" if unmasked else ""}">CSV</a></div>'
        f'{admin}')
    note = f'<div class="notice">{h(notice)}</div>' if notice else ""
    masked_note = ('<span class="badge bad">unmasked: this view is logged</span>' if unmasked
                   else '<span class="badge">personal details masked</span>')
    body = (f'<p><a href="/">‹ Inbox</a></p><h1>Conversation #{h(cid)} {masked_note}</h1>{note}{summary}'
            f'<div class="layout"><section aria-label="transcript" id="transcript">{"".join(items)}</section>'
            f'<aside>{side}</aside></div>')
    return layout(f"Conversation #{cid}", body, nonce, session)


def story_page(nonce: str, session: Session, cid: int, steps: Sequence[Step], intents: Sequence[str], name: str,
               problems: Sequence[str] = ()) -> str:
    token = csrf_field(session)
    rows = []
    for s in steps:
        options = "".join(f'<option value="{h(i)}"{" selected" if i == s.intent else ""}>{h(i)}</option>'
                          for i in sorted(set(intents) | {s.intent}))
        changed = ' <span class="badge warn">corrected</span>' if (s.intent != s.original_intent or
                                                                   s.actions != s.original_actions) else ""
        read_changed = ' <span class="badge warn">corrected</span>' if (s.reading != s.original_reading or
                                                                        s.verdict != s.original_verdict) else ""
        recorded = json.dumps(s.original_reading, ensure_ascii=False) if s.original_reading else "nothing"
        cleared = ' <span class="badge warn">facts cleared</span>' if s.cleared else ""
        rows.append(
            f'<tr><td><input type="checkbox" name="include_{h(s.event_id)}" value="1"{" checked" if s.include else ""} '
            f'aria-label="keep turn {h(s.event_id)}"></td>'
            f'<td><input type="text" name="text_{h(s.event_id)}" value="{h(s.text)}" class="full"></td>'
            f'<td><select name="intent_{h(s.event_id)}">{options}</select><div class="muted">model: {h(s.original_intent)}</div></td>'
            f'<td><input type="text" name="actions_{h(s.event_id)}" value="{h(", ".join(s.actions))}" class="full">'
            f'<div class="muted">bot ran: {h(", ".join(s.original_actions) or "—")}</div>{changed}</td>'
            f'<td><input type="text" name="reading_{h(s.event_id)}" value="{h(json.dumps(s.reading, ensure_ascii=False) if s.reading else "")}" '
            f'class="full" aria-label="facts read from turn {h(s.event_id)}">'
            f'<div class="muted">bot read: {h(recorded)}</div>{cleared}'
            f'{_select(f"verdict_{s.event_id}", VERDICTS, s.verdict, VERDICT_NAMES, blank="no verdict")}{read_changed}</td></tr>')
    errors = ("<div class=\"error\" role=\"alert\"><ul>" + "".join(f"<li>{h(p)}</li>" for p in problems) + "</ul></div>"
              if problems else "")
    body = (f'<p><a href="/conversations/{h(cid)}">‹ Conversation #{h(cid)}</a></p><h1>Save as test</h1>{errors}'
            f'<p class="muted">Correct the intent, the actions, the facts read (a JSON object) and the verdict where '
            f'the bot was wrong; the text is masked. The story is written for <code>rasa test</code> beside the '
            f'project\'s test stories, with the facts and verdict of each turn, which a replay against the bot '
            f'checks.</p>'
            f'<form method="post" action="/conversations/{h(cid)}/story">{token}'
            f'<label>Story name <input type="text" name="name" value="{h(name)}" size="60" required></label>'
            f'<table><thead><tr><th>Keep</th><th>What the person said</th><th>Intent</th><th>Actions</th><th>Facts read · verdict</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table><div class="toolbar"><button type="submit">Save test story</button></div></form>')
    return layout("Save as test", body, nonce, session)


def story_saved_page(nonce: str, session: Session, cid: int, path: str, content: str) -> str:
    body = (f'<p><a href="/conversations/{h(cid)}">‹ Conversation #{h(cid)}</a></p><h1>Test story saved</h1>'
            f'<div class="notice">Written to <code id="story-path">{h(path)}</code></div>'
            f'<pre class="yaml" id="story">{h(content)}</pre>')
    return layout("Test story saved", body, nonce, session)


def audit_page(nonce: str, session: Session, entries: Sequence[Mapping[str, Any]]) -> str:
    rows = "".join(f'<tr><td>{h(when(e["at"]))}</td><td>{h(e["user"])}</td><td>{h(e["action"])}</td>'
                   f'<td>{h(e["conversation_id"] or "")}</td><td><code>{h(e["detail"])}</code></td></tr>' for e in entries)
    body = (f'<h1>Audit log</h1><p class="muted">The latest {len(entries)} entries.</p>'
            f'<table><thead><tr><th>When (UTC)</th><th>User</th><th>Action</th><th>Conversation</th><th>Detail</th></tr>'
            f'</thead><tbody>{rows}</tbody></table>')
    return layout("Audit log", body, nonce, session)

