"""`trialbot serve` watches its servers (trialbot/servers.py, ``supervise``), here with small HTTP
servers standing in for the bot's (Python's http.server: they start in a fraction of a second).
tests/e2e/test_supervision.py does it with the real servers."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import List, Optional

import pytest

from tests.conftest import PROJECT
from trialbot.servers import Server, ServerFailed, Supervision, free_port, started, supervise

QUICK = Supervision(max_failures=3, first_pause=0.1, longest_pause=0.4, poll=0.05)


def stand_in(name: str, refuse_while: Optional[Path] = None) -> Server:
    """A server answering on its own port; with ``refuse_while``, one that exits with code 3
    at once while that file exists (a server that cannot start)."""
    port = free_port()
    serve = f"exec {sys.executable} -m http.server {port} --bind 127.0.0.1"
    command = f"test -e {refuse_while} && exit 3; {serve}" if refuse_while else serve
    return Server(name, ["sh", "-c", command], {}, f"http://127.0.0.1:{port}/", log=subprocess.DEVNULL)


class Watch:
    """``supervise`` in a thread, as `trialbot serve` runs it in its main thread."""

    def __init__(self, servers: List[Server]) -> None:
        self.stop = threading.Event()
        self.failure: Optional[ServerFailed] = None
        self.thread = threading.Thread(target=self._run, args=(servers,))
        self.thread.start()

    def _run(self, servers: List[Server]) -> None:
        try:
            supervise(servers, self.stop, timeout=20, policy=QUICK)
        except ServerFailed as exc:
            self.failure = exc

    def end(self, timeout: float = 30) -> None:
        self.stop.set()
        self.thread.join(timeout)
        assert not self.thread.is_alive()


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_server_that_was_killed_is_started_again_and_the_restart_is_logged(caplog):
    caplog.set_level(logging.INFO, logger="trialbot.servers")
    with started([stand_in("chat"), stand_in("review")], timeout=20) as servers:
        chat, review = servers
        first, other, since = chat.process.pid, review.process.pid, chat.up_since
        watch = Watch(servers)
        try:
            os.kill(first, signal.SIGKILL)
            wait_for(lambda: chat.up_since > since)  # up again: its health URL answered
            assert chat.process.pid != first and chat.ended() is None
        finally:
            watch.end()
        assert watch.failure is None
        assert review.process.pid == other and review.ended() is None  # the others are left alone
    restarts = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert restarts == [f"The chat server (pid {first}) was killed by SIGKILL; starting it again in 0.1 s "
                        "(failure 1 of at most 3 in a row)."]


def test_a_server_that_cannot_come_back_ends_the_watch_with_the_reason(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="trialbot.servers")
    broken = tmp_path / "broken"
    with pytest.raises(ServerFailed) as failed:
        with started([stand_in("action", refuse_while=broken), stand_in("web")], timeout=20) as servers:
            action, web = servers
            watch = Watch(servers)
            try:
                broken.touch()
                action.process.kill()
                watch.thread.join(30)
            finally:
                watch.end()
            assert watch.failure is not None
            raise watch.failure
    assert str(failed.value) == (f"the action server did not start: it exited with code 3 before {action.health_url} "
                                 "answered: 3 failures in a row, so it is not started again")
    assert web.ended() is not None, "the other servers are stopped when the block ends"
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2  # two restarts, then it gave up


def test_serve_refuses_a_model_path_that_holds_no_model(tmp_path):
    for model in (tmp_path / "missing.tar.gz", PROJECT / "README.md"):
        result = subprocess.run([sys.executable, "-m", "trialbot", "serve"], cwd=PROJECT, capture_output=True,
                                text=True, timeout=120,
                                env={**os.environ, "PYTHONPATH": str(PROJECT), "TRIALBOT_MODEL": str(model)})
        assert result.returncode == 1
        assert result.stderr.strip().splitlines()[-1] == (
            f"trialbot serve stopped every server: there is no trained model at {model} (train one with "
            "`make models/trialbot.tar.gz`, or set `model` in trialbot.yml or TRIALBOT_MODEL).")
