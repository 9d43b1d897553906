"""Starting, stopping and watching the bot's servers: the action server, the Rasa server, the
website chat and the transcript review app.

Used by `trialbot serve`, the end-to-end tests and the benchmarks, so that all of them run the
bot exactly the same way. `trialbot serve` also watches them (``supervise``): a server whose
process ends is started again after a pause that doubles with each failure in a row, and one
that fails ``Supervision.max_failures`` times in a row ends the watch with ``ServerFailed``.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Dict, Iterator, List, Optional

from trialbot import cluster
from trialbot.config import PROJECT_ROOT, Settings

VENV_BIN = Path(sys.executable).parent

logger = logging.getLogger(__name__)


class ServerFailed(RuntimeError):
    """A server did not come up, or stopped and could not be brought back."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def how_it_ended(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with code {returncode}"


@dataclass
class Server:
    """One server process, and how to start it (again). Up means: its health URL answers 200."""

    name: str
    command: List[str]
    env: Dict[str, str]
    health_url: str
    log: Optional[IO] = None
    cwd: Path = PROJECT_ROOT
    process: Optional[subprocess.Popen] = None
    up_since: float = 0.0  # time.monotonic() when it last came up

    def start(self, timeout: float, stop: Optional[threading.Event] = None) -> None:
        """Start the process and wait until it is up; ServerFailed if it ends or is not up within
        ``timeout`` seconds. Returns at once, up or not, when ``stop`` is set (shutting down)."""
        stop = stop or threading.Event()
        self.process = subprocess.Popen(self.command, cwd=self.cwd, env={**os.environ, **self.env},
                                        stdout=self.log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            self._wait_until_up(timeout, stop)
        except BaseException:
            self.stop()
            raise
        if not stop.is_set():
            self.up_since = time.monotonic()
            logger.info("The %s server is up (pid %d).", self.name, self.process.pid)

    def _wait_until_up(self, timeout: float, stop: threading.Event) -> None:
        deadline = time.monotonic() + timeout
        while not stop.is_set():
            if self.process.poll() is not None:
                raise ServerFailed(f"the {self.name} server did not start: it {how_it_ended(self.process.returncode)} "
                                   f"before {self.health_url} answered")
            if time.monotonic() > deadline:
                raise ServerFailed(f"the {self.name} server did not start: {self.health_url} did not answer "
                                   f"within {timeout:.0f} s")
            try:
                with urllib.request.urlopen(self.health_url, timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                stop.wait(0.3)

    def ended(self) -> Optional[int]:
        """The process's exit code if it ended, else None."""
        return self.process.poll()

    def stop(self, timeout: float = 20) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(command: List[str], env: Dict[str, str], log: Optional[IO], name: str, health_url: str,
          timeout: float, cwd: Path = PROJECT_ROOT) -> Server:
    server = Server(name, command, env, health_url, log, cwd)
    server.start(timeout)
    return server


def action_server_command(settings: Settings) -> List[str]:
    """rasa_sdk's action server with this project's actions, warmed up before it listens (actions/__main__.py)."""
    return [sys.executable, "-m", "actions", "--port", str(settings.action_port)]


def rasa_server_command(settings: Settings, project: Path = PROJECT_ROOT) -> List[str]:
    # --cors: browsers may call the REST channel only from these pages (the web chat's own by
    # default); a page from any other origin gets no Access-Control-Allow-Origin header.
    return [str(VENV_BIN / "rasa"), "run", "--model", settings.model,
            "--endpoints", str(project / "endpoints.yml"), "--credentials", str(project / settings.credentials),
            "--interface", settings.host, "--port", str(settings.rasa_port),
            "--cors", *settings.allowed_origins]


def web_server_command(settings: Settings) -> List[str]:
    """The website chat's server (web/): the chat page and the embeddable chat.js."""
    return [sys.executable, "-m", "trialbot", "web", "--host", settings.host, "--port", str(settings.web_port),
            "--bot-url", settings.bot_url, "--cors-origins", ",".join(settings.allowed_origins)]


def review_server_command(settings: Settings) -> List[str]:
    """The transcript review app (review/): its own port, behind a login."""
    return [sys.executable, "-m", "trialbot", "review", "serve", "--host", settings.host,
            "--port", str(settings.review_port)]


def review_environment(settings: Settings) -> Dict[str, str]:
    """The review app reads the configuration itself; these carry what the caller changed."""
    env = {"TRIALBOT_TRACKER_STORE_URL": settings.tracker_store_url,
           "TRIALBOT_LOW_CONFIDENCE_THRESHOLD": str(settings.low_confidence_threshold),
           "TRIALBOT_SESSION_TTL_MINUTES": str(settings.session_ttl_minutes),
           "TRIALBOT_RETENTION_DAYS": str(settings.retention_days),
           "TRIALBOT_REVIEW_STORIES_DIR": settings.review_stories_dir}
    if settings.review_users:
        env["TRIALBOT_REVIEW_USERS"] = ",".join(settings.review_users)
    return env


def check_model(path: str) -> None:
    """ServerFailed unless ``path`` is a model archive. Rasa itself, given a path that does not
    exist, silently serves the newest model in models/ instead, and given a file that is not a
    model, serves none (every message then fails while its health URL answers)."""
    if not (Path(path).is_file() and tarfile.is_tarfile(path)):
        raise ServerFailed(f"there is no trained model at {path} (train one with `make models/trialbot.tar.gz`, "
                           "or set `model` in trialbot.yml or TRIALBOT_MODEL)")


def bot_servers(settings: Settings, log: Optional[IO] = None, web: bool = False, review: bool = False,
                project: Path = PROJECT_ROOT) -> List[Server]:
    """The bot's servers in the order they start (the Rasa server calls the action server), each
    with the health URL a load balancer can poll too. ``project``: where endpoints.yml and
    credentials.yml are read from (tests may use other ones)."""
    check_model(settings.model)
    env = settings.rasa_environment()
    servers = [Server("action", action_server_command(settings), env,
                      f"http://{settings.host}:{settings.action_port}/health", log)]
    servers += rasa_servers(settings, env, log, project)
    if web:
        servers.append(Server("web", web_server_command(settings), env, f"{settings.web_url}health", log))
    if review:
        servers.append(Server("review", review_server_command(settings), {**env, **review_environment(settings)},
                              f"{settings.review_url}health", log))
    return servers


def rasa_servers(settings: Settings, env: Dict[str, str], log: Optional[IO], project: Path) -> List[Server]:
    """One Rasa server on ``rasa_port``; or ``rasa_servers`` of them behind nginx, which then takes
    ``rasa_port`` (trialbot/cluster.py; nginx's files are in var/nginx-<rasa_port>)."""
    if settings.rasa_servers <= 1:
        return [Server("rasa", rasa_server_command(settings, project), env, f"{settings.rasa_url}/webhooks/rest/", log)]
    servers = [Server(f"rasa-{n}", rasa_server_command(one, project), env, f"{one.rasa_url}/webhooks/rest/", log)
               for n, one in enumerate(cluster.rasa_server_settings(settings), start=1)]
    nginx = cluster.nginx_command(settings, project / "var" / f"nginx-{settings.rasa_port}")
    return servers + [Server("nginx", nginx, {}, f"{settings.rasa_url}{cluster.HEALTH_PATH}", log)]


@contextmanager
def started(servers: List[Server], timeout: float, stop: Optional[threading.Event] = None) -> Iterator[List[Server]]:
    """Start ``servers`` one after the other (each up before the next starts; none once ``stop``
    is set) and stop them, the last first, when the block ends."""
    running: List[Server] = []
    try:
        for server in servers:
            if stop is not None and stop.is_set():
                break
            server.start(timeout, stop)
            running.append(server)
        yield running
    finally:
        for server in reversed(running):
            server.stop()


@contextmanager
def running_bot(settings: Settings, log: Optional[IO] = None, timeout: float = 180,
                web: bool = False, review: bool = False, project: Path = PROJECT_ROOT) -> Iterator[Settings]:
    """Run the action server and the Rasa server (and with ``web``, the chat page; with ``review``,
    the transcript review app) until the block ends."""
    with started(bot_servers(settings, log, web, review, project), timeout):
        yield settings


@dataclass(frozen=True)
class Supervision:
    """How `trialbot serve` brings back a server that stopped."""

    max_failures: int = 5  # in a row (an exit, or a start that did not come up); then it gives up
    first_pause: float = 1.0  # seconds before starting it again, doubled for each failure in a row
    longest_pause: float = 30.0
    recovered_after: float = 60.0  # up this long since it last started: its earlier failures are forgotten
    poll: float = 0.5  # how often the processes are looked at

    def pause(self, failures: int) -> float:
        return min(self.first_pause * 2 ** (failures - 1), self.longest_pause)


def supervise(servers: List[Server], stop: threading.Event, timeout: float = 180,
              policy: Supervision = Supervision()) -> None:
    """Watch ``servers`` until ``stop`` is set, starting again each one whose process ended.
    Raises ServerFailed when one has failed ``policy.max_failures`` times in a row. Logs which
    server, its process and how it ended; never what it was handling."""
    failures = {server.name: 0 for server in servers}
    while not stop.wait(policy.poll):
        for server in servers:
            returncode = server.ended()
            if returncode is None or stop.is_set():  # Ctrl-C in a terminal reaches the servers too
                continue
            if time.monotonic() - server.up_since >= policy.recovered_after:
                failures[server.name] = 0
            reason = f"the {server.name} server (pid {server.process.pid}) {how_it_ended(returncode)}"
            while not stop.is_set():
                failures[server.name] += 1
                if failures[server.name] >= policy.max_failures:
                    raise ServerFailed(f"{reason}: {failures[server.name]} failures in a row, so it is not "
                                       "started again")
                pause = policy.pause(failures[server.name])
                logger.warning("%s; starting it again in %g s (failure %d of at most %d in a row).",
                               reason[0].upper() + reason[1:], pause, failures[server.name], policy.max_failures)
                if stop.wait(pause):
                    return
                try:
                    server.start(timeout, stop)
                    break
                except ServerFailed as exc:
                    reason = str(exc)


def on_free_ports(settings: Settings) -> Settings:
    return replace(settings, rasa_port=free_port(), action_port=free_port(), web_port=free_port(),
                   review_port=free_port())
