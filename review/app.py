"""The review web app: inbox, conversation view, tags, notes, flags, "Save as test", exports, and
the Trials pages where a coordinator reviews and publishes trials (review/trials.py).

An aiohttp server on its own port (``review_port``, 5006 by default), separate from the
patient-facing servers. Every page and API route needs a login, except the login page itself (and
``/health``, which answers "ok" for a load balancer):
without a session, pages redirect to ``/login`` (302) and ``/api/...`` routes answer 401.

Security: the session cookie is HttpOnly and SameSite=Strict and expires (``session_ttl_minutes``),
and Secure (HTTPS only) when ``review_public_url`` is https or ``secure_cookies`` says so;
every POST carries the session's CSRF token (form field ``csrf`` or header ``X-CSRF-Token``) and a
cross-origin ``Origin`` is refused; the login form has its own double-submit token. A request
with text that is not valid Unicode in its path, query string or form (channels/guard.py) gets
HTTP 400 before anything reads it, logged in or not. Pages send a
strict Content-Security-Policy (scripts and styles only with the response's nonce), no caching
and no framing. Personal details are masked unless an admin unmasks (logged); every view and
export is written to the audit log. The server keeps no access log (URLs carry search words).
"""
from __future__ import annotations

import asyncio
import functools
import hmac
import logging
import re
import secrets
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterator, Optional
from urllib.parse import quote, unquote, urlsplit

from aiohttp import web

from channels.guard import REFUSAL, aiohttp_guard
from review import pages
from review.auth import Authenticator, Session
from review.export import conversation_record, csv_chunks, json_chunks, records, summary_record
from review.masking import mask_sender, mask_text
from review.store import STATUSES, InboxQuery, ReviewStore
from review.stories import Domain, apply_corrections, corrections, save, steps_from, validate
from review.transcript import masked

logger = logging.getLogger(__name__)

SESSION_COOKIE = "review_session"
LOGIN_CSRF_COOKIE = "review_login_csrf"
PUBLIC_ROUTES = {("GET", "/login"), ("HEAD", "/login"), ("POST", "/login"), ("GET", "/health"), ("HEAD", "/health")}
FACETS_TTL = 60.0  # seconds
INBOX_INDEX_BATCHES = 5  # an inbox request indexes at most this many batches; the background loop does the rest
NOTICES = {"status": "Review status saved.", "tag": "Tag added.", "untag": "Tag removed.", "note": "Note added.",
           "flag": "Message flagged.", "unflag": "Flag removed.", "erased": "The conversation was erased everywhere."}

STORE = web.AppKey("store", ReviewStore)
AUTH = web.AppKey("auth", Authenticator)
CONFIG = web.AppKey("config", dict)


async def run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Database work off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(function, *args, **kwargs))


def _session(request: web.Request) -> Session:
    return request["session"]


def _html(request: web.Request, body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def _error(request: web.Request, status: int, message: str) -> web.Response:
    if request.path.startswith("/api/"):
        return web.json_response({"error": message}, status=status)
    return _html(request, pages.error_page(request["nonce"], request.get("session"), status, message), status)


# Browsers drop tabs and newlines from a URL and read a backslash as a slash: "/\t/evil.example"
# is "//evil.example" to them, another site. A target with any of these is not taken.
_NOT_IN_A_TARGET = re.compile(r"[\x00-\x1f\x7f\\]")


def _safe_next(value: Optional[str]) -> str:
    """Where to go after the login: a path of this site, else the inbox. The target is checked as
    given (already decoded once from the query string or form) and decoded once more, so that no
    reading of it by a browser or a proxy leads to another site."""
    if not value:
        return "/"
    for form in (value, unquote(value)):
        if _NOT_IN_A_TARGET.search(form) or not form.startswith("/") or form.startswith("//") \
                or urlsplit(form).netloc or form.startswith("/login"):
            return "/"
    return value


def _same_token(sent: str, expected: str) -> bool:
    """A constant-time comparison that any text sent can go through (compare_digest refuses non-ASCII
    str, and a header's bytes that are not UTF-8 arrive as lone surrogates)."""
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


# -- middlewares -----------------------------------------------------------------------------------

@web.middleware
async def security_headers(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                           ) -> web.StreamResponse:
    nonce = secrets.token_urlsafe(16)
    request["nonce"] = nonce
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    headers = {
        "Content-Security-Policy": (f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
                                    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
    if not response.prepared:
        response.headers.update(headers)
    if isinstance(response, web.HTTPException):
        raise response
    return response


def sections(trials: bool) -> Callable:
    """A middleware telling the pages which sections this app serves, for their nav."""
    @web.middleware
    async def middleware(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                         ) -> web.StreamResponse:
        pages.TRIALS_SERVED.set(trials)
        return await handler(request)
    return middleware


@web.middleware
async def require_login(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                        ) -> web.StreamResponse:
    if (request.method, request.path) in PUBLIC_ROUTES:
        return await handler(request)
    token = request.cookies.get(SESSION_COOKIE)
    session = await run(request.app[AUTH].session, token) if token else None
    if session is None:
        if request.path.startswith("/api/"):
            return web.json_response({"error": "login required"}, status=401)
        target = "/login" + (f"?next={quote(request.path_qs, safe='')}" if request.method == "GET" else "")
        raise web.HTTPFound(target)
    request["session"] = session
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        origin = request.headers.get("Origin")
        if origin and origin != f"{request.scheme}://{request.host}":
            return _error(request, 403, "Cross-origin request refused.")
        sent = request.headers.get("X-CSRF-Token")
        if sent is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sent = (await request.post()).get("csrf")
        if not isinstance(sent, str) or not _same_token(sent, session.csrf):
            return _error(request, 403, "The form has expired or did not come from this site. Reload the page and try again.")
    return await handler(request)


# -- login -----------------------------------------------------------------------------------------

def _login_form(request: web.Request, error: Optional[str] = None, status: int = 200) -> web.Response:
    # One token per browser: other tabs (or the browser's own favicon request, which lands here too)
    # must not replace the token of a login form that is already open.
    existing = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    csrf = existing if 20 <= len(existing) <= 64 and existing.replace("-", "").replace("_", "").isalnum() \
        else secrets.token_urlsafe(24)
    response = _html(request, pages.login_page(request["nonce"], csrf, _safe_next(request.query.get("next")
                                                                                  or request.get("next")), error), status)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="Strict", path="/login", max_age=3600,
                        secure=_secure(request))
    return response


def _secure(request: web.Request) -> bool:
    """Cookies only over HTTPS: when configured (a TLS proxy in front), or when this request is HTTPS."""
    return request.app[CONFIG]["secure_cookies"] or request.secure


async def login_get(request: web.Request) -> web.StreamResponse:
    token = request.cookies.get(SESSION_COOKIE)
    if token and await run(request.app[AUTH].session, token):
        raise web.HTTPFound(_safe_next(request.query.get("next")))
    return _login_form(request)


async def login_post(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    request["next"] = str(form.get("next") or "")
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = str(form.get("csrf") or "")
    if not cookie or not _same_token(cookie, sent):
        return _login_form(request, "The login form expired. Please try again.", status=403)
    remote = request.remote or ""
    session = await run(request.app[AUTH].login, str(form.get("username") or "")[:64], str(form.get("password") or ""),
                        remote)
    if session is None:
        return _login_form(request, "Wrong user name or password (or too many attempts: wait 15 minutes).", status=401)
    response = web.HTTPFound(_safe_next(request["next"]))
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="Strict", path="/",
                        max_age=request.app[AUTH].ttl, secure=_secure(request))
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    session = _session(request)
    await run(request.app[AUTH].logout, session.token)
    await run(request.app[STORE].audit, session.user, "logout")
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


# -- inbox -----------------------------------------------------------------------------------------

async def _inbox(request: web.Request):
    store = request.app[STORE]
    query = InboxQuery.from_params(request.query)
    await run(store.index, max_batches=INBOX_INDEX_BATCHES)
    page = await run(store.inbox, query)
    await run(store.audit, _session(request).user, "inbox", None, filters=query.describe(), page=page.page,
              results=page.total, api=request.path.startswith("/api/"))
    return query, page


async def inbox(request: web.Request) -> web.StreamResponse:
    query, page = await _inbox(request)
    facets = await _facets(request.app)
    senders = {r["id"]: mask_sender(r["sender_id"]) for r in page.rows}
    notice = NOTICES.get(request.query.get("done", ""), "")
    return _html(request, pages.inbox_page(request["nonce"], _session(request), query, page, facets, senders, notice))


async def _facets(app: web.Application) -> Dict[str, Any]:
    """The filters' choices (channels, trials, tags), recomputed at most once a minute."""
    cache = app[CONFIG]
    at, value = cache.get("facets", (0.0, None))
    if value is None or time.monotonic() - at > FACETS_TTL:
        value = await run(app[STORE].facets)
        cache["facets"] = (time.monotonic(), value)
    return value


async def api_inbox(request: web.Request) -> web.StreamResponse:
    query, page = await _inbox(request)
    return web.json_response({"total": page.total, "total_is_capped": page.capped, "page": page.page,
                              "pages": page.pages, "per_page": page.per_page,
                              "conversations": [summary_record(r) for r in page.rows]})


async def api_me(request: web.Request) -> web.StreamResponse:
    session = _session(request)
    return web.json_response({"user": session.user, "role": session.role, "csrf": session.csrf,
                              "expires_at": session.expires_at})


# -- one conversation ------------------------------------------------------------------------------

def _conversation_id(request: web.Request) -> int:
    try:
        return int(request.match_info["cid"])
    except (KeyError, ValueError):
        raise web.HTTPNotFound()


def _unmask_requested(request: web.Request) -> bool:
    return request.query.get("unmask") in ("1", "true", "yes")


async def conversation(request: web.Request) -> web.StreamResponse:
    store, session = request.app[STORE], _session(request)
    cid = _conversation_id(request)
    unmask = _unmask_requested(request)
    if unmask and not session.is_admin:
        return _error(request, 403, "Only an admin may unmask personal details.")
    api = request.path.startswith("/api/")
    if api:
        record = await run(conversation_record, store, cid, not unmask)
        if record is None:
            return _error(request, 404, "No such conversation (it may have been erased).")
        await run(store.audit, session.user, "unmask" if unmask else "view", cid, api=True)
        return web.json_response(record)
    row = await run(store.conversation, cid)
    if row is None:
        return _error(request, 404, "No such conversation (it may have been erased).")
    messages = await run(store.messages, row["sender_id"])
    await run(store.audit, session.user, "unmask" if unmask else "view", cid, api=False)
    if not unmask:
        messages = [masked(m) for m in messages]
        row["notes"] = [{**n, "text": mask_text(n["text"])} for n in row["notes"]]
    sender = row["sender_id"] if unmask else mask_sender(row["sender_id"])
    notice = NOTICES.get(request.query.get("done", ""), "")
    return _html(request, pages.conversation_page(request["nonce"], session, row, sender, messages, unmask, notice,
                                                  store.threshold))


async def _existing(request: web.Request) -> Dict[str, Any]:
    row = await run(request.app[STORE].conversation, _conversation_id(request))
    if row is None:
        raise web.HTTPNotFound()
    return row


def _back(cid: int, done: str, anchor: str = "") -> web.HTTPException:
    return web.HTTPSeeOther(f"/conversations/{cid}?done={done}{anchor}")


async def set_status(request: web.Request) -> web.StreamResponse:
    row, form = await _existing(request), await request.post()
    status = str(form.get("status") or "")
    if status not in STATUSES:
        return _error(request, 400, "Unknown review status.")
    await run(request.app[STORE].set_status, row["id"], status, _session(request).user)
    raise _back(row["id"], "status")


async def add_tag(request: web.Request) -> web.StreamResponse:
    row, form = await _existing(request), await request.post()
    try:
        await run(request.app[STORE].add_tag, row["id"], str(form.get("tag") or ""), _session(request).user)
    except ValueError as exc:
        return _error(request, 400, str(exc))
    request.app[CONFIG].pop("facets", None)  # a new tag to filter on
    raise _back(row["id"], "tag")


async def remove_tag(request: web.Request) -> web.StreamResponse:
    row, form = await _existing(request), await request.post()
    await run(request.app[STORE].remove_tag, row["id"], str(form.get("tag") or ""), _session(request).user)
    raise _back(row["id"], "untag")


async def add_note(request: web.Request) -> web.StreamResponse:
    row, form = await _existing(request), await request.post()
    try:
        await run(request.app[STORE].add_note, row["id"], str(form.get("note") or ""), _session(request).user)
    except ValueError as exc:
        return _error(request, 400, str(exc))
    raise _back(row["id"], "note")


async def flag_message(request: web.Request) -> web.StreamResponse:
    row, form = await _existing(request), await request.post()
    try:
        event_id = int(str(form.get("event_id")))
    except ValueError:
        return _error(request, 400, "Which message?")
    on = str(form.get("on") or "1") != "0"
    await run(request.app[STORE].flag, row["id"], event_id, _session(request).user, str(form.get("reason") or ""), on)
    raise _back(row["id"], "flag" if on else "unflag", f"#m{event_id}")


async def erase(request: web.Request) -> web.StreamResponse:
    session = _session(request)
    if not session.is_admin:
        return _error(request, 403, "Only an admin may erase a conversation.")
    row = await _existing(request)
    await run(request.app[STORE].erase, row["sender_id"], session.user, "erased from the review app")
    raise web.HTTPSeeOther("/?done=erased")


async def api_update(request: web.Request) -> web.StreamResponse:
    """``{"status": ..., "add_tags": [...], "remove_tags": [...], "note": ..., "flag": {"event_id", "reason", "on"}}``"""
    store, user = request.app[STORE], _session(request).user
    row = await _existing(request)
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("send a JSON object")
        if body.get("status") is not None:
            await run(store.set_status, row["id"], str(body["status"]), user)
        if body.get("add_tags"):
            request.app[CONFIG].pop("facets", None)
        for tag in body.get("add_tags") or []:
            await run(store.add_tag, row["id"], str(tag), user)
        for tag in body.get("remove_tags") or []:
            await run(store.remove_tag, row["id"], str(tag), user)
        if body.get("note"):
            await run(store.add_note, row["id"], str(body["note"]), user)
        flag = body.get("flag")
        if isinstance(flag, dict):
            await run(store.flag, row["id"], int(flag["event_id"]), user, str(flag.get("reason") or ""),
                      bool(flag.get("on", True)))
    except (ValueError, KeyError, TypeError) as exc:
        return web.json_response({"error": str(exc)}, status=400)
    updated = await run(store.conversation, row["id"])
    return web.json_response(summary_record(updated))


# -- save as test ----------------------------------------------------------------------------------

async def story_form(request: web.Request) -> web.StreamResponse:
    row = await _existing(request)
    messages = await run(request.app[STORE].messages, row["sender_id"])
    domain: Domain = request.app[CONFIG]["domain"]()
    steps = steps_from(messages)
    await run(request.app[STORE].audit, _session(request).user, "view", row["id"], page="save as test")
    return _html(request, pages.story_page(request["nonce"], _session(request), row["id"], steps,
                                           sorted(domain.intents), f"reviewed conversation {row['id']}"))


async def story_save(request: web.Request) -> web.StreamResponse:
    session, row, form = _session(request), await _existing(request), await request.post()
    messages = await run(request.app[STORE].messages, row["sender_id"])
    domain: Domain = request.app[CONFIG]["domain"]()
    steps = apply_corrections(steps_from(messages), {k: str(v) for k, v in form.items()})
    name = str(form.get("name") or f"reviewed conversation {row['id']}")[:200]
    problems = validate(steps, domain)
    if problems:
        return _html(request, pages.story_page(request["nonce"], session, row["id"], steps, sorted(domain.intents),
                                               name, problems), 400)
    path = await run(save, request.app[CONFIG]["stories_dir"], row["id"], name, steps, session.user)
    await run(request.app[STORE].audit, session.user, "save_test", row["id"], path=str(path),
              corrections=corrections(steps))
    return _html(request, pages.story_saved_page(request["nonce"], session, row["id"], str(path),
                                                 path.read_text(encoding="utf-8")))


# -- exports ---------------------------------------------------------------------------------------

async def export(request: web.Request) -> web.StreamResponse:
    store, session = request.app[STORE], _session(request)
    fmt = request.match_info["fmt"]
    query = InboxQuery.from_params(request.query)
    unmask = _unmask_requested(request)
    if unmask and not session.is_admin:
        return _error(request, 403, "Only an admin may export unmasked conversations.")
    if request.query.get("selected") and not query.ids:
        return _error(request, 400, "Select conversations first (the boxes in the first column).")
    rows = request.query.get("rows", "conversations")
    await run(store.index, max_batches=INBOX_INDEX_BATCHES)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    exported = 0

    def counted() -> Iterator[Dict[str, Any]]:
        nonlocal exported
        for record in records(store, query, masked=not unmask):
            exported += 1
            yield record

    if fmt == "json":
        header = {"exported_at": stamp, "exported_by": session.user, "masked": not unmask, "filters": query.describe()}
        chunks, content_type = json_chunks(counted(), header), "application/json"
    else:
        chunks, content_type = csv_chunks(counted(), "messages" if rows == "messages" else "conversations"), "text/csv"
    response = web.StreamResponse(headers={
        "Content-Type": f"{content_type}; charset=utf-8",
        "Content-Disposition": f'attachment; filename="conversations-{stamp}.{fmt}"'})
    response.headers.update({"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
    await response.prepare(request)
    sentinel = object()
    try:
        while True:
            piece = await run(next, chunks, sentinel)
            if piece is sentinel:
                break
            await response.write(piece.encode("utf-8"))
    finally:
        await run(store.audit, session.user, "export", None, format=fmt, rows=rows if fmt == "csv" else None,
                  filters=query.describe(), conversations=exported, masked=not unmask)
    await response.write_eof()
    return response


async def audit_log(request: web.Request) -> web.StreamResponse:
    session = _session(request)
    if not session.is_admin:
        return _error(request, 403, "Only an admin may read the audit log.")
    entries = await run(request.app[STORE].audit_log, 500)
    await run(request.app[STORE].audit, session.user, "audit_view")
    return _html(request, pages.audit_page(request["nonce"], session, entries))


# -- the application -------------------------------------------------------------------------------

def _background(index_interval: float, retention_days: int, purge_interval: float):
    async def context(app: web.Application):
        async def loop() -> None:
            last_purge: Optional[float] = None  # the first sweep runs at start-up
            while True:
                try:
                    await run(app[STORE].index)
                    if retention_days > 0 and (last_purge is None or time.monotonic() - last_purge > purge_interval):
                        erased = await run(app[STORE].purge, retention_days)
                        last_purge = time.monotonic()
                        if erased:
                            logger.info("Retention: erased %d conversation(s) older than %d days.", erased,
                                        retention_days)
                except Exception:  # keep indexing after a database hiccup
                    logger.exception("Review indexing failed")
                await asyncio.sleep(index_interval)

        task = asyncio.create_task(loop()) if index_interval > 0 else None
        yield
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
    return context


async def health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def create_app(store: ReviewStore, authenticator: Authenticator, stories_dir: Path, domain_path: Path,
               retention_days: int = 0, index_interval: float = 5.0, purge_interval: float = 3600.0,
               secure_cookies: bool = False, trial_store: Any = None) -> web.Application:
    """``trial_store``: the trial database (bot.store.TrialStore) for the Trials pages."""
    def refuse(request: web.Request, field: str) -> web.Response:
        return _error(request, 400, f"{REFUSAL} (in {field})")

    app = web.Application(middlewares=[sections(trial_store is not None), security_headers, aiohttp_guard(refuse),
                                       require_login],
                          client_max_size=1024 ** 2)
    app[STORE] = store
    app[AUTH] = authenticator
    app[CONFIG] = {"stories_dir": stories_dir, "secure_cookies": secure_cookies,
                   "domain": functools.lru_cache(maxsize=1)(lambda: Domain.load(domain_path))}
    r = app.router
    r.add_get("/health", health)
    r.add_get("/login", login_get)
    r.add_post("/login", login_post)
    r.add_post("/logout", logout)
    r.add_get("/", inbox)
    r.add_get("/conversations/{cid}", conversation)
    r.add_post("/conversations/{cid}/status", set_status)
    r.add_post("/conversations/{cid}/tags", add_tag)
    r.add_post("/conversations/{cid}/tags/remove", remove_tag)
    r.add_post("/conversations/{cid}/notes", add_note)
    r.add_post("/conversations/{cid}/flags", flag_message)
    r.add_post("/conversations/{cid}/erase", erase)
    r.add_get("/conversations/{cid}/story", story_form)
    r.add_post("/conversations/{cid}/story", story_save)
    r.add_get("/export.{fmt:(json|csv)}", export)
    r.add_get("/audit", audit_log)
    r.add_get("/api/me", api_me)
    r.add_get("/api/conversations", api_inbox)
    r.add_get("/api/conversations/{cid}", conversation)
    r.add_post("/api/conversations/{cid}", api_update)
    if trial_store is not None:
        from review import trials  # imports this module's helpers

        trials.add_routes(app, trial_store)
    app.cleanup_ctx.append(_background(index_interval, retention_days, purge_interval))
    return app


def app_from_settings(settings: Any, index_interval: float = 5.0) -> web.Application:
    from bot.store import TrialStore
    from trialbot.config import PROJECT_ROOT

    store = ReviewStore(settings.tracker_store_url, settings.low_confidence_threshold)
    authenticator = Authenticator(store, settings.review_users, settings.session_ttl_minutes)
    if not authenticator.users():
        logger.warning("No review users yet: add one with `trialbot review add-user NAME --role admin`.")
    stories = Path(settings.review_stories_dir)
    return create_app(store, authenticator, stories if stories.is_absolute() else PROJECT_ROOT / stories,
                      PROJECT_ROOT / "domain.yml", settings.retention_days, index_interval,
                      secure_cookies=settings.review_cookies_secure, trial_store=TrialStore(settings.database_url))


def serve(settings: Any, host: Optional[str] = None, port: Optional[int] = None) -> None:
    host, port = host or settings.host, port or settings.review_port
    print(f"Transcript review on http://{host}:{port}/ (log in; users: `trialbot review add-user`)", flush=True)
    web.run_app(app_from_settings(settings), host=host, port=port, print=None, access_log=None)

