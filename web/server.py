"""The website chat's server: the chat page at ``/`` and the embeddable ``/chat.js``.

It serves files only and keeps no state: the widget in the browser talks to the bot's REST
channel itself (see README, "Website chat"). What it adds to the files in ``static/``:

- ``/`` is ``index.html`` with its text from ``i18n/<lang>.json`` (``?lang=``, else the browser's
  Accept-Language, else English) and the bot's address;
- ``/chat.js`` carries the configured bot address as its default, so that a page needs only
  ``<script src=".../chat.js"></script>``; ``data-bot-url`` on the tag overrides it;
- ``/i18n/<lang>.json`` is the closest language there is (``zh`` gets zh-CN), named in its
  Content-Language header;
- ``/i18n/<lang>.json`` and the other assets answer cross-origin requests only from the configured
  origins (a clinic's site that embeds the chat), like the bot itself;
- a request whose path or query string holds text that is not valid Unicode (channels/guard.py)
  gets HTTP 400, like a message with such text sent to the bot.
"""
from __future__ import annotations

import html
import json
import logging
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Mapping, Optional, Sequence
from urllib.parse import urlsplit

import langcodes
from aiohttp import web
from langcodes.tag_parser import LanguageTagError
from werkzeug.http import parse_accept_header

from channels.guard import REFUSAL, aiohttp_guard

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
I18N = STATIC / "i18n"
DEFAULT_LANG = "en"
BOT_URL_PLACEHOLDER = '"__TRIALBOT_BOT_URL__"'
ASSETS = {"chat.js": "application/javascript", "page.js": "application/javascript", "chat.css": "text/css",
          "page.css": "text/css"}
LANG_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def languages() -> List[str]:
    """The languages the chat's own text is available in: one file per language in i18n/."""
    return sorted(path.stem for path in I18N.glob("*.json"))


def closest(tag: str, available: Sequence[str] = ()) -> Optional[str]:
    """The available language closest to ``tag`` by CLDR's language distances (langcodes), if any is
    close enough: "zh", "zh-Hans" and "zh-SG" get zh-CN and "en-GB" gets en, while French, or
    Traditional Chinese ("zh-TW") with only Simplified available, get none."""
    try:
        return langcodes.closest_supported_match(tag, list(available or languages()))
    except LanguageTagError:
        return None


def negotiate(wanted: Optional[str], accept_language: str = "", available: Sequence[str] = ()) -> str:
    """The page's language: ``?lang=`` if available, else the best of Accept-Language, else English."""
    available = list(available or languages())
    if wanted and closest(wanted, available):
        return closest(wanted, available)  # type: ignore[return-value]
    for tag, quality in parse_accept_header(accept_language):  # best first, in the header's order
        if quality > 0 and tag != "*" and closest(tag, available):
            return closest(tag, available)  # type: ignore[return-value]
    return DEFAULT_LANG


def _merged(fallback: Mapping[str, Any], strings: Mapping[str, Any]) -> Dict[str, Any]:
    out = dict(fallback)
    for key, value in strings.items():
        out[key] = _merged(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) \
            else value
    return out


def strings(lang: str) -> Dict[str, Any]:
    """The chat's text in a language, English where a translation is missing a key."""
    english = json.loads((I18N / f"{DEFAULT_LANG}.json").read_text(encoding="utf-8"))
    if lang == DEFAULT_LANG:
        return english
    return _merged(english, json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8")))


def _flat(tree: Mapping[str, Any], prefix: str = "") -> Dict[str, str]:
    flat: Dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


def render_index(lang: str, bot_url: str) -> str:
    values = {**_flat(strings(lang)), "lang": lang, "bot_url": bot_url}
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    return PLACEHOLDER.sub(lambda m: html.escape(values.get(m.group(1), m.group(0)), quote=True), template)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def create_app(bot_url: str, cors_origins: Iterable[str]) -> web.Application:
    bot_url = bot_url.rstrip("/")
    allowed = {o.rstrip("/") for o in cors_origins if o}
    page_policy = "; ".join([
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        f"connect-src 'self' {origin(bot_url)}".rstrip(), "base-uri 'none'", "form-action 'none'",
        "frame-ancestors 'none'",
    ])

    @web.middleware
    async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-cache")
        if request.path == "/":
            response.headers["Content-Security-Policy"] = page_policy
            response.headers["X-Frame-Options"] = "DENY"
        else:
            response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"  # embeddable assets
        request_origin = request.headers.get("Origin")
        if request_origin and request_origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = request_origin
        response.headers["Vary"] = "Origin, Accept-Language"
        if isinstance(response, web.HTTPException):
            raise response
        return response

    async def index(request: web.Request) -> web.Response:
        lang = negotiate(request.query.get("lang"), request.headers.get("Accept-Language", ""))
        return web.Response(text=render_index(lang, bot_url), content_type="text/html", charset="utf-8")

    async def asset(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in ASSETS:
            raise web.HTTPNotFound()
        text = (STATIC / name).read_text(encoding="utf-8")
        if name == "chat.js":
            text = text.replace(BOT_URL_PLACEHOLDER, json.dumps(bot_url), 1)
        return web.Response(text=text, content_type=ASSETS[name], charset="utf-8")

    async def translation(request: web.Request) -> web.Response:
        # The closest language there is ("zh" gets zh-CN), named in Content-Language for the widget.
        lang = closest(request.match_info["lang"]) if LANG_PATTERN.match(request.match_info["lang"]) else None
        if lang is None:
            raise web.HTTPNotFound()
        return web.Response(body=(I18N / f"{lang}.json").read_bytes(), content_type="application/json",
                            charset="utf-8", headers={"Content-Language": lang})

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    def refuse(request: web.Request, field: str) -> web.Response:
        return web.Response(status=400, text=f"{REFUSAL} (in {field})", content_type="text/plain", charset="utf-8")

    app = web.Application(middlewares=[headers, aiohttp_guard(refuse)], client_max_size=1024)
    app.router.add_get("/", index)
    app.router.add_get("/health", health)
    app.router.add_get("/i18n/{lang}.json", translation)
    app.router.add_get("/{name}", asset)
    return app


def serve(host: str, port: int, bot_url: str, cors_origins: Iterable[str]) -> None:
    """Serve the chat until interrupted (SIGINT or SIGTERM)."""
    origins = list(cors_origins)
    log.info("Web chat on http://%s:%s/ talking to %s; allowed origins: %s", host, port, bot_url,
             ", ".join(origins) or "(none)")
    web.run_app(create_app(bot_url, origins), host=host, port=port, print=None, access_log=None)
