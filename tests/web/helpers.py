"""Test stand-ins for what sits around the bot in production, run in a background thread each:

- ``RoundRobin``: a load balancer in front of several Rasa servers, sending each request to the
  next one in turn (so consecutive turns of one conversation land on different servers);
- ``StaticSite``: another website (a clinic's) that embeds the chat with one script tag.
"""
from __future__ import annotations

import asyncio
import itertools
import re
import threading
from typing import List, Optional, Sequence, Tuple

import aiohttp
from aiohttp import web

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length", "content-encoding"}


class _ThreadedServer:
    """An aiohttp application served from its own event loop in a daemon thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> web.Application:
        raise NotImplementedError

    async def _teardown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _setup(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def __enter__(self):
        ready = threading.Event()
        failure: List[BaseException] = []

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._setup())
            except BaseException as exc:  # report it to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._teardown())
            self._loop.close()

        self._thread = threading.Thread(target=run, name=type(self).__name__, daemon=True)
        self._thread.start()
        ready.wait(30)
        if failure:
            raise failure[0]
        return self

    def __exit__(self, *exc_info) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(15)


class RoundRobin(_ThreadedServer):
    """A round-robin reverse proxy; ``hits`` records (upstream, method, path) of every request."""

    def __init__(self, port: int, upstreams: Sequence[str]) -> None:
        super().__init__(port)
        self.upstreams = [u.rstrip("/") for u in upstreams]
        self._next = itertools.cycle(self.upstreams)
        self.hits: List[Tuple[str, str, str]] = []
        self._session: Optional[aiohttp.ClientSession] = None

    async def _teardown(self) -> None:
        if self._session is not None:
            await self._session.close()
        await super()._teardown()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1024 ** 2)
        app.router.add_route("*", "/{tail:.*}", self.forward)
        return app

    async def forward(self, request: web.Request) -> web.StreamResponse:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90))
        upstream = next(self._next)
        self.hits.append((upstream, request.method, request.path))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        body = await request.read()
        async with self._session.request(request.method, upstream + request.path_qs, headers=headers,
                                         data=body or None, allow_redirects=False) as reply:
            body = await reply.read()
            out = web.Response(status=reply.status, body=body)
            for key, value in reply.headers.items():
                if key.lower() not in HOP_BY_HOP:
                    out.headers.add(key, value)
            return out

    def webhook_hits(self) -> List[str]:
        return [upstream for upstream, method, path in self.hits
                if method == "POST" and path.endswith("/webhooks/rest/webhook")]


class StaticSite(_ThreadedServer):
    """A website of its own origin with one page at ``/``; ``{lang}`` in it is ``?lang=`` (default en)."""

    def __init__(self, port: int, page: str) -> None:
        super().__init__(port)
        self.page = page

    def app(self) -> web.Application:
        async def index(request: web.Request) -> web.Response:
            lang = request.query.get("lang", "en")
            lang = lang if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang) else "en"
            return web.Response(text=self.page.replace("{lang}", lang), content_type="text/html")

        app = web.Application()
        app.router.add_get("/", index)
        return app
