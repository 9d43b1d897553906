"""`trialbot serve` watches the servers it starts: the real command, in a process of its own on
free ports (its own trial database and tracker store), as a person or a service manager runs it.

A killed Rasa server is started again and answers; while a killed action server is down, a message
gets a request to send it again, and the conversation goes on once it is back; an action server
that cannot come back stops `serve`, which exits with 1 and says why; so does one that cannot start
at all.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import requests

from bot import texts
from tests.e2e.conftest import TURN_TIMEOUT
from tests.e2e.serve import Serve
from trialbot.config import Settings, load_settings
from trialbot.servers import on_free_ports

pytestmark = pytest.mark.e2e

START_TIMEOUT = 480  # seconds for all four servers to come up on a busy 2-core machine
SERVERS = ("action", "rasa", "web", "review")  # as serve names them, in the order it starts them
FIRST_MESSAGE_S = 3.0  # generous for one turn (tens of ms when warm) on 2 cores shared with other work


class Serving(Serve):
    """`trialbot serve` on the ports of ``settings``, with a tracker store of its own."""

    def __init__(self, tmp: Path, settings: Settings) -> None:
        self.settings = settings
        super().__init__(tmp, {"TRIALBOT_TRACKER_STORE_URL": f"sqlite:///{tmp / 'conversations.db'}",
                               **{f"TRIALBOT_{name.upper()}": str(getattr(settings, name))
                                  for name in ("rasa_port", "action_port", "web_port", "review_port")}})

    def say(self, sender: str, message: str) -> list:
        reply = requests.post(f"{self.settings.rasa_url}/webhooks/rest/webhook",
                              json={"sender": sender, "message": message}, timeout=TURN_TIMEOUT)
        assert reply.status_code == 200, f"HTTP {reply.status_code}\n{self.tail()}"
        return reply.json()


@contextmanager
def serving(tmp: Path, settings: Settings) -> Iterator[Serving]:
    """``settings``: the ports it is given (the rest comes from the configuration)."""
    serve = Serving(tmp, settings)
    try:
        yield serve
    finally:
        serve.stop()


@contextmanager
def port_taken(port: int, timeout: float = 5) -> Iterator[None]:
    """Something else listens on ``port`` (taken as soon as it is free, within ``timeout``)."""
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past the connections the server left in TIME_WAIT
    deadline = time.monotonic() + timeout
    while True:
        try:
            blocker.bind(("127.0.0.1", port))
            break
        except OSError:
            assert time.monotonic() < deadline, f"port {port} did not become free"
            time.sleep(0.01)
    blocker.listen()
    try:
        yield
    finally:
        blocker.close()


def running(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_serve_starts_a_killed_rasa_server_again_and_stops_everything_when_a_server_cannot_come_back(tmp_path):
    with serving(tmp_path, on_free_ports(load_settings())) as serve:
        serve.wait_until_running(START_TIMEOUT)
        sender = f"supervision-{uuid.uuid4().hex}"
        # The first person after a start does not wait for the action server to load what reading a
        # message needs (about 9 s before actions/warm_up.py): it is loaded before the server is up.
        began = time.monotonic()
        assert serve.say(sender, "hi"), serve.tail()
        assert time.monotonic() - began < FIRST_MESSAGE_S, f"the first message took {time.monotonic() - began:.1f} s"
        for name in SERVERS:  # each answers its health URL, the review's without a login
            url = {"action": f"http://127.0.0.1:{serve.settings.action_port}/health",
                   "rasa": f"{serve.settings.rasa_url}/webhooks/rest/",
                   "web": f"{serve.settings.web_url}health", "review": f"{serve.settings.review_url}health"}[name]
            assert requests.get(url, timeout=10, allow_redirects=False).status_code == 200, (name, url)

        [rasa] = serve.pids("rasa")
        os.kill(rasa, signal.SIGKILL)
        serve.wait_for(lambda: len(serve.pids("rasa")) == 2, "the Rasa server to be started again", START_TIMEOUT)
        assert (f"The rasa server (pid {rasa}) was killed by SIGKILL; starting it again in 1 s "
                "(failure 1 of at most 5 in a row).") in serve.said()
        reply = serve.say(sender, "/affirm")  # the same conversation goes on: the consent is taken
        assert any(m.get("text") for m in reply) and all("Sorry" not in (m.get("text") or "") for m in reply), reply
        assert reply[-1]["custom"]["asks"] == ["platelet_count"], reply

        # The action server dies: the person is asked to send the message again (not silence), and once
        # serve has started it again the conversation goes on where it was.
        [action] = serve.pids("action")
        os.kill(action, signal.SIGKILL)
        assert serve.say(sender, "my platelets were 22k") == [
            {"recipient_id": sender, "text": texts.NOT_ANSWERED, "custom": {"failed": True, "language": "en"}}]
        serve.wait_for(lambda: len(serve.pids("action")) == 2, "the action server to be started again", START_TIMEOUT)
        reply = serve.say(sender, "my platelets were 22k")
        assert reply[-1]["custom"]["asks"] == ["bleeding_tendency"], reply  # the count is read, the consent kept

        # The action server dies again, and its port is taken before it can be started again.
        action = serve.pids("action")[-1]
        others = [serve.pids(name)[-1] for name in ("rasa", "web", "review")]
        os.kill(action, signal.SIGKILL)
        with port_taken(serve.settings.action_port):
            serve.wait_for(lambda: serve.process.poll() is not None, "serve to give up", START_TIMEOUT, exits=True)
        assert serve.process.returncode == 1, serve.tail()
        assert re.search(r"^trialbot serve stopped every server: the action server did not start: it exited with "
                         r"code \d+ before \S+ answered: 5 failures in a row, so it is not started again\.$", serve.said(), re.M), serve.tail()
        assert len(serve.pids("action")) == 2  # the first start and the restart after the first kill: no other came up
        assert not [pid for pid in others if running(pid)], "the other servers were left running"
        assert sender not in serve.said() and "/affirm" not in serve.said()  # nothing of the conversation logged


def test_serve_exits_with_the_reason_when_a_server_cannot_start(tmp_path):
    settings = on_free_ports(load_settings())
    with port_taken(settings.action_port), serving(tmp_path, settings) as serve:
        serve.wait_for(lambda: serve.process.poll() is not None, "serve to exit", START_TIMEOUT, exits=True)
    assert serve.process.returncode == 1, serve.tail()
    assert re.search(r"^trialbot serve stopped every server: the action server did not start: it exited with "
                     r"code \d+ before http://127\.0\.0\.1:\d+/health answered\.$", serve.said(), re.M), serve.tail()
    assert not serve.pids("action") and not serve.pids("rasa")  # nothing came up, nothing was left behind
