"""Text that no database can store is refused at the door.

JSON can carry what is not Unicode text: ``"\\ud800"`` decodes to a lone surrogate, which no UTF-8
encoder accepts. SQLite's driver then raises ``UnicodeEncodeError`` (a ``ValueError``), which Rasa's
SQL tracker store takes for a missing PostgreSQL schema and exits on; PostgreSQL's driver refuses a
NUL character the same way. Non-characters (U+FFFE, U+FFFF, U+FDD0..U+FDEF and the last two code
points of every plane) are storable but are never text: Unicode reserves them for a program's
internal use, and no keyboard or messaging app sends them.

Every door (the REST channel, Slack, Teams, the web chat's server, the review app) checks each
request's whole payload with ``unreadable_field`` before anything is stored or handed to Rasa, and
refuses it with HTTP 400 and ``REFUSAL``. The review indexer uses ``is_storable`` on what was stored
before the doors checked.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Optional

from aiohttp import web

logger = logging.getLogger(__name__)

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr((plane << 16) | 0xFFFE) + chr((plane << 16) | 0xFFFF) for plane in range(17))
# Surrogates: Python decodes a valid pair in JSON to one code point, so any left in a str are lone.
UNREADABLE = re.compile(f"[\x00\ud800-\udfff{_NONCHARACTERS}]")

REFUSAL = ("I couldn't read that: the message contains characters that are not text (invalid Unicode). "
           "Please type it again.")


def is_storable(text: str) -> bool:
    return UNREADABLE.search(text) is None


def unreadable_field(value: Any, path: str = "") -> Optional[str]:
    """Where in ``value`` (parsed JSON, a form: dicts, lists, strings) the first text that is not
    storable is, as a path such as ``metadata.user[2]`` (the field, never its content); None when
    every key and string is storable."""
    if isinstance(value, str):
        return (path or "(the text)") if not is_storable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and not is_storable(key):
                return f"{path}.(a key)" if path else "(a key)"
            found = unreadable_field(item, where)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for position, item in enumerate(value):
            found = unreadable_field(item, f"{path}[{position}]")
            if found:
                return found
    return None


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _aiohttp_fields(request: web.Request) -> Any:
    """What an aiohttp request carries: its path, its query string and a form or JSON body."""
    fields: Any = {"path": request.path, "query": {key: request.query.getall(key) for key in request.query}}
    if request.method in ("POST", "PUT", "PATCH") and request.can_read_body:
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()  # kept by aiohttp for the handler
            fields["form"] = {key: [v for v in form.getall(key) if isinstance(v, str)] for key in form}
        elif request.content_type == "application/json":
            try:
                fields["body"] = await request.json()
            except ValueError:
                pass  # not JSON: the handler answers that
    return fields


def aiohttp_guard(refuse: Callable[[web.Request, str], web.StreamResponse]) -> Any:
    """An aiohttp middleware that answers ``refuse(request, field)`` (HTTP 400) to a request with
    text that is not storable anywhere in its path, query string or body."""
    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        field = unreadable_field(await _aiohttp_fields(request))
        if field:
            logger.warning("Refused a request to %s %s: invalid Unicode (content not logged).", request.method,
                           request.match_info.route.resource.canonical if request.match_info.route.resource
                           else "(unknown path)")
            return refuse(request, field)
        return await handler(request)
    return guard
