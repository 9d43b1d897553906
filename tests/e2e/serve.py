"""`trialbot serve`, the real command, in a process of its own as a person or a service manager runs
it (tests/e2e/test_supervision.py, tests/e2e/test_cluster.py): the seed trials in a database of its
own, the trained model; what it prints is kept in files."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import pytest

from bot.store import TrialStore
from tests.e2e.conftest import MODEL, TRIAL_ID
from trialbot.config import PROJECT_ROOT

STOP_TIMEOUT = 90  # seconds serve has to stop its servers once told to


class Serve:
    """`trialbot serve` running in a subprocess. ``settings``: more TRIALBOT_* variables (ports,
    stores); ``args``: serve's options."""

    def __init__(self, tmp: Path, settings: Dict[str, str], *args: str) -> None:
        if not MODEL.exists():
            pytest.fail(f"No trained model at {MODEL}: train it first with: make models/trialbot.tar.gz",
                        pytrace=False)
        trials = f"sqlite:///{tmp / 'trials.db'}"
        assert TRIAL_ID in TrialStore(trials).load_directory(PROJECT_ROOT / "data")
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TRIALBOT_HOST": "127.0.0.1",
               "TRIALBOT_DATABASE_URL": trials, "TRIALBOT_MODEL": str(MODEL), "TRIALBOT_DEFAULT_TRIAL": TRIAL_ID,
               "TRIALBOT_LOG_LEVEL": "INFO", **settings}
        self.output, self.errors = tmp / "serve.out", tmp / "serve.err"
        with self.output.open("w") as out, self.errors.open("w") as err:
            self.process = subprocess.Popen([sys.executable, "-m", "trialbot", "serve", *args], cwd=PROJECT_ROOT,
                                            env=env, stdout=out, stderr=err)

    def said(self) -> str:
        """What serve wrote to standard error: its own log lines, and why it stopped."""
        return self.errors.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 40) -> str:
        text = self.output.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        return "--- serve's output ---\n" + "\n".join(text) + "\n--- its log ---\n" + self.said()[-4000:]

    def pids(self, server: Optional[str] = None) -> List[int]:
        """The process of each start of ``server`` (as serve names it: action, rasa, rasa-1, web,
        review), or of every server."""
        name = re.escape(server) if server else r"\S+"
        return [int(pid) for pid in re.findall(rf"The {name} server is up \(pid (\d+)\)", self.said())]

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float, exits: bool = False) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if not exits and self.process.poll() is not None:
                pytest.fail(f"serve exited with {self.process.returncode} while waiting for {what}\n{self.tail()}",
                            pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}\n{self.tail()}", pytrace=False)
            time.sleep(0.5)

    def wait_until_running(self, timeout: float) -> None:
        self.wait_for(lambda: "The bot is running." in self.output.read_text(), "the servers", timeout)

    def stop(self) -> None:
        """As a service manager stops it (SIGTERM); killed, with its servers, if that fails."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                for pid in [self.process.pid, *self.pids()]:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.process.wait()
