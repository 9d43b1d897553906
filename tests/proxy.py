"""A TCP proxy the fault tests can cut (tests/e2e/test_cluster.py, tests/unit/test_failures.py): the
servers reach PostgreSQL or Redis through it, so that the test can take the service away from them
without stopping it (the PostgreSQL and Redis servers of this machine are shared with other work).

``cut()`` is what the servers see when the service goes down or restarts: every open connection is
reset and new ones are refused (nothing listens on the port any more). ``restore()`` listens again
on the same port, and the servers reconnect as they would to a restarted service.
"""
from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any, Optional, Set

TIMEOUT_S = 10


class TcpProxy:
    """Forwards every connection to 127.0.0.1:``port`` (``target_port``), from a free local port, in a
    thread of its own with its own event loop."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True, name=f"proxy-{target_port}")
        self._server: Optional[asyncio.AbstractServer] = None
        self._transports: Set[asyncio.BaseTransport] = set()
        self.connections = 0  # accepted since the start, to tell that traffic went through

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(TIMEOUT_S)

    def __enter__(self) -> "TcpProxy":
        self._thread.start()
        self.restore()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cut()
        self._run(asyncio.sleep(0.1))  # the connections' tasks see their transports closed and end
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(TIMEOUT_S)

    @property
    def is_cut(self) -> bool:
        return self._server is None

    def restore(self) -> None:
        """Listen (again) and pass connections on."""
        self._run(self._listen())

    def cut(self) -> None:
        """Reset every connection through the proxy and refuse new ones."""
        self._run(self._cut())

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for transport in list(self._transports):
            transport.abort()  # a reset, as when the service's process dies
        self._transports.clear()

    async def _pipe(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        transports = {client_writer.transport, upstream_writer.transport}
        self._transports |= transports

        async def copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    data = await reader.read(65536)
                    if not data:
                        break
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()  # one side ended: so does the other

        try:
            await asyncio.gather(copy(client_reader, upstream_writer), copy(upstream_reader, client_writer))
        finally:
            self._transports -= transports
