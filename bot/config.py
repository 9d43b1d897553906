"""Configuration: one YAML file (trialbot.yml) with TRIALBOT_* environment-variable overrides."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = PROJECT_ROOT / "trialbot.yml"
ENV_PREFIX = "TRIALBOT_"


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_store_url: str
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    model: str = "models/trialbot.tar.gz"
    default_trial: Optional[str] = None
    log_level: str = "INFO"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    def rasa_environment(self) -> Dict[str, str]:
        """The variables endpoints.yml and the action server read."""
        return {
            "TRIALBOT_ACTION_URL": self.action_url,
            "TRIALBOT_TRACKER_STORE_URL": self.tracker_store_url,
            "TRIALBOT_DATABASE_URL": self.database_url,
            "TRIALBOT_DEFAULT_TRIAL": self.default_trial or "",
            "RASA_TELEMETRY_ENABLED": "false",
            "LOG_LEVEL": self.log_level,
        }


def _absolute_sqlite(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        path = base / url[len(prefix):]
        path.parent.mkdir(parents=True, exist_ok=True)
        return prefix + str(path)
    return url


def load_settings(path: Optional[Path] = None, environ: Mapping[str, str] = os.environ) -> Settings:
    path = Path(environ.get(ENV_PREFIX + "CONFIG", path or DEFAULT_FILE))
    values: Dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.exists() else {}
    for f in fields(Settings):
        override = environ.get(ENV_PREFIX + f.name.upper())
        if override:
            values[f.name] = override
    for f in fields(Settings):
        if f.name in values and f.type == "int":
            values[f.name] = int(values[f.name])
    for key in ("database_url", "tracker_store_url"):
        if key in values:
            values[key] = _absolute_sqlite(values[key], path.parent)
    if "model" in values and not Path(values["model"]).is_absolute():
        values["model"] = str(path.parent / values["model"])
    return Settings(**values)
