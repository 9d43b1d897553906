"""Configuration: one YAML file (trialbot.yml) with TRIALBOT_* environment-variable overrides."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple
from urllib.parse import urlsplit

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = PROJECT_ROOT / "trialbot.yml"
ENV_PREFIX = "TRIALBOT_"
# The lock stores of one Rasa server and of several, named as endpoints.yml names them (channels/locks.py;
# named, not imported: the configuration sits above the channels and does not load Rasa).
IN_MEMORY_LOCK_STORE = "channels.locks.RenewingInMemoryLockStore"
REDIS_LOCK_STORE = "channels.locks.AtomicRedisLockStore"


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_store_url: str
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    model: str = "models/trialbot.tar.gz"
    default_trial: Optional[str] = None
    # How the site writes all-number dates: "DMY" (01/12/2026 is 1 December) or "MDY" (12 January).
    # None: a date whose day and month could be swapped is asked back.
    date_order: Optional[str] = None
    # Where the Rasa servers lock a conversation while they handle one of its messages: none (each
    # server's memory) for one server; "redis://host:port/db" for several behind a load balancer,
    # so that two messages of one conversation are never handled at once by two servers.
    lock_store_url: Optional[str] = None
    log_level: str = "INFO"
    web_port: int = 8080  # the website chat (web/): the page at / and the embeddable /chat.js
    web_bot_url: Optional[str] = None  # where browsers reach the REST channel; None: rasa_url
    cors_origins: Tuple[str, ...] = ()  # pages allowed to talk to the bot; empty: the chat page's own
    # Transcript review (review/): its web app's port, its users ("name:role:<scrypt hash>"), how long
    # a login lasts, how long conversations are kept (0: forever), and below which intent
    # confidence a turn counts as low-confidence.
    review_port: int = 5006
    review_users: Tuple[str, ...] = ()
    session_ttl_minutes: int = 480
    retention_days: int = 365
    low_confidence_threshold: float = 0.6
    review_stories_dir: str = "tests/stories/reviewed"  # where "Save as test" writes Rasa test stories
    # The review app's address as support teams open it (a TLS proxy in front: https://...), and
    # whether its cookies carry the Secure flag (never sent over plain HTTP); None: when that
    # address is https. Behind a proxy the app itself sees plain HTTP, so it cannot tell by itself.
    review_public_url: Optional[str] = None
    secure_cookies: Optional[bool] = None
    # Staff channels (README, "Staff channels"): the Rasa channels whose users are clinic staff, who get
    # the staff engine (bot/staff.py: multi-fact messages, checklists, third person); and the
    # credentials file naming the channels Rasa listens on (relative to this file's directory).
    staff_channels: Tuple[str, ...] = ("slack", "botframework")
    credentials: str = "credentials.yml"
    # Several Rasa servers behind nginx (`trialbot serve --rasa-servers N`, docs/deployment.md,
    # "Running several servers"): nginx listens on rasa_port, so that every address of the bot stays
    # the same, and the N Rasa servers on cluster_first_port, cluster_first_port + 1, ...
    rasa_servers: int = 1
    cluster_first_port: int = 5011
    nginx: str = "/usr/sbin/nginx"
    # Each Rasa server's SQLAlchemy pool on a PostgreSQL tracker store (Rasa reads SQL_POOL_SIZE and
    # SQL_MAX_OVERFLOW; its own defaults, 50 + 100, would let two servers exceed PostgreSQL's
    # usual max_connections of 100). A Rasa server calls the store synchronously from its one event
    # loop, so it uses one connection at a time; the rest is headroom. trialbot/cluster.py checks the
    # budget against the server's max_connections before starting.
    sql_pool_size: int = 2
    sql_max_overflow: int = 3
    # How long a conversation's lock outlives a Rasa server that died while holding it (Rasa's
    # TICKET_LOCK_LIFETIME, 60 s by default): the conversation's next message waits at most this.
    # It must exceed the slowest turn, or two turns of one conversation could overlap.
    lock_lifetime_seconds: int = 15

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        """The chat page, as printed for a person to open."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.web_port}/"

    @property
    def review_url(self) -> str:
        """The transcript review app (review/), as printed for a support team to open."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.review_port}/"

    @property
    def review_cookies_secure(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return urlsplit(self.review_public_url or "").scheme == "https"

    @property
    def bot_url(self) -> str:
        """The REST channel's base URL as the browser sees it (a load balancer, or the Rasa server)."""
        return (self.web_bot_url or self.rasa_url).rstrip("/")

    @property
    def allowed_origins(self) -> Tuple[str, ...]:
        """Origins whose pages may call the bot (CORS): configured, or the chat page's own."""
        if self.cors_origins:
            return tuple(self.cors_origins)
        hosts = [self.host] if self.host not in ("0.0.0.0", "::", "") else []
        hosts += [h for h in ("127.0.0.1", "localhost") if h not in hosts]
        return tuple(f"http://{h}:{self.web_port}" for h in hosts)

    def lock_store_environment(self) -> Dict[str, str]:
        """endpoints.yml's lock store: in-memory, or Redis at ``lock_store_url``."""
        if not self.lock_store_url:
            return {"TRIALBOT_LOCK_STORE_TYPE": IN_MEMORY_LOCK_STORE, "TRIALBOT_LOCK_STORE_HOST": "",
                    "TRIALBOT_LOCK_STORE_PORT": "0", "TRIALBOT_LOCK_STORE_DB": "0"}
        url = urlsplit(self.lock_store_url)
        if url.scheme != "redis" or not url.hostname:
            raise ValueError(f"lock_store_url must look like redis://host:port/db, not {self.lock_store_url!r}")
        return {"TRIALBOT_LOCK_STORE_TYPE": REDIS_LOCK_STORE, "TRIALBOT_LOCK_STORE_HOST": url.hostname,
                "TRIALBOT_LOCK_STORE_PORT": str(url.port or 6379),
                "TRIALBOT_LOCK_STORE_DB": url.path.strip("/") or "1"}

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    def rasa_environment(self) -> Dict[str, str]:
        """The variables endpoints.yml, Rasa and the action server read."""
        return {
            "TRIALBOT_ACTION_URL": self.action_url,
            "SANIC_HOST": self.host,  # the action server listens where the Rasa server does, not on 0.0.0.0
            "TRIALBOT_TRACKER_STORE_URL": self.tracker_store_url,
            "TRIALBOT_DATABASE_URL": self.database_url,
            "TRIALBOT_DEFAULT_TRIAL": self.default_trial or "",
            "RASA_TELEMETRY_ENABLED": "false",
            "LOG_LEVEL": self.log_level,
            "TRIALBOT_STAFF_CHANNELS": ",".join(self.staff_channels) or "none",  # read by the actions
            "TRIALBOT_CORS_ORIGINS": ",".join(self.allowed_origins),  # read by channels/rest.py
            "SQL_POOL_SIZE": str(self.sql_pool_size),  # read by Rasa's SQLTrackerStore (PostgreSQL only)
            "SQL_MAX_OVERFLOW": str(self.sql_max_overflow),
            "TICKET_LOCK_LIFETIME": str(self.lock_lifetime_seconds),  # read by Rasa's lock stores
            **self.lock_store_environment(),
        }


def _absolute_sqlite(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        path = base / url[len(prefix):]
        path.parent.mkdir(parents=True, exist_ok=True)
        return prefix + str(path)
    return url


def _as_tuple(value: Any) -> Tuple[str, ...]:
    """A list from YAML, or a comma- or space-separated string from the environment."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    return tuple(str(part).strip().rstrip("/") for part in value if str(part).strip())


def _as_bool(name: str, value: str) -> Optional[bool]:
    """A yes/no from the environment (YAML reads its own); empty: not set."""
    lowered = value.strip().lower()
    if lowered in ("", "auto"):
        return None
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


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
        if f.name in values and f.type == "float":
            values[f.name] = float(values[f.name])
        if f.name in values and str(f.type).startswith("Tuple"):
            values[f.name] = _as_tuple(values[f.name])
        if f.name in values and f.type == "Optional[bool]" and isinstance(values[f.name], str):
            values[f.name] = _as_bool(f.name, values[f.name])
    for key in ("database_url", "tracker_store_url"):
        if key in values:
            values[key] = _absolute_sqlite(values[key], path.parent)
    if "credentials" in values and not Path(values["credentials"]).is_absolute():
        values["credentials"] = str(path.parent / values["credentials"])
    if "model" in values and not Path(values["model"]).is_absolute():
        values["model"] = str(path.parent / values["model"])
    return Settings(**values)
