"""Starting and stopping the bot's servers: the action server and the Rasa server.

Used by `trialbot serve`, the end-to-end tests and the benchmarks, so that all of them run the
bot exactly the same way.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Dict, Iterator, List, Optional

from trialbot.config import PROJECT_ROOT, Settings

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not come up within {timeout:.0f}s")


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    health_url: str

    def stop(self, timeout: float = 20) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start(command: List[str], env: Dict[str, str], log: Optional[IO], name: str, health_url: str,
          timeout: float, cwd: Path = PROJECT_ROOT) -> Server:
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env},
                               stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    server = Server(name, process, health_url)
    try:
        wait_until_up(health_url, process, timeout)
    except Exception:
        server.stop()
        raise
    return server


def action_server_command(settings: Settings) -> List[str]:
    return [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions",
            "--port", str(settings.action_port)]


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
    return [sys.executable, "-m", "trialbot", "review", "serve", "--host", settings.host, "--port", str(settings.review_port)]


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


@contextmanager
def running_bot(settings: Settings, log: Optional[IO] = None, timeout: float = 180,
                web: bool = False, review: bool = False, project: Path = PROJECT_ROOT) -> Iterator[Settings]:
    """Run the action server and the Rasa server (and with ``web``, the chat page; with ``review``,
    the transcript review app) until the block ends. ``project``: where endpoints.yml and
    credentials.yml are read from (tests may use other ones)."""
    env = settings.rasa_environment()
    servers = []
    try:
        servers.append(start(action_server_command(settings), env, log, "actions",
                             f"http://{settings.host}:{settings.action_port}/health", timeout))
        servers.append(start(rasa_server_command(settings, project), env, log, "rasa",
                             f"{settings.rasa_url}/webhooks/rest/", timeout))
        if web:
            servers.append(start(web_server_command(settings), env, log, "web",
                                 f"{settings.web_url}health", timeout))
        if review:
            servers.append(start(review_server_command(settings), {**env, **review_environment(settings)}, log,
                                 "review", f"{settings.review_url}login", timeout))
        yield settings
    finally:
        for server in reversed(servers):
            server.stop()


def on_free_ports(settings: Settings) -> Settings:
    return replace(settings, rasa_port=free_port(), action_port=free_port(), web_port=free_port(),
                   review_port=free_port())
