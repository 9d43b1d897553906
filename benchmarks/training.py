"""Training a Rasa model from scratch, timed."""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import IO

from trialbot.servers import VENV_BIN


def train(project: Path, data: str, out: Path, name: str, log: IO) -> float:
    """Train the project's model into `out/<name>.tar.gz`; return the wall time in seconds.

    Rasa skips the graph components it finds in its training cache (.rasa/cache of the working
    directory), so each training gets an empty cache of its own to really start from scratch.
    """
    command = [str(VENV_BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
               "--data", data, "--out", str(out), "--fixed-model-name", name]
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "RASA_CACHE_DIRECTORY": str(out / f"cache-{name}")}
    start = time.monotonic()
    subprocess.run(command, cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, check=True)
    return time.monotonic() - start
