"""Users, roles, password hashes and sessions of the review app.

Users come from the configuration (``review_users`` in trialbot.yml: ``"name:role:<hash>"``, the
hash made by ``trialbot review hash-password``) and from the database (``trialbot review
add-user``). Passwords are hashed with scrypt from the standard library. A session is a random
token in an HttpOnly, SameSite=Strict cookie; the database keeps only its SHA-256, with the
user's role, a CSRF token and an absolute expiry (``session_ttl_minutes``).

Roles: ``reviewer`` sees masked conversations, tags, notes, flags, exports (masked) and saves
test stories, and reads the Trials page; ``coordinator`` may also review, edit, publish and
withdraw trials (review/trials.py); ``admin`` may unmask (each time logged), erase a conversation
and read the audit log, but not change trials.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional

from sqlalchemy import delete, insert, select, update

from review.store import ReviewStore
from review.store.tables import sessions, users

ROLES = ("reviewer", "coordinator", "admin")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
MAX_FAILURES = 5  # failed logins of one user name within FAILURE_WINDOW before logins are refused
FAILURE_WINDOW = 15 * 60


def hash_password(password: str, salt: Optional[bytes] = None) -> str:
    if not password:
        raise ValueError("empty password")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                  dklen=len(bytes.fromhex(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed.hex(), digest)


# A hash to compare against when the user does not exist, so that timing does not tell.
_DUMMY_HASH = hash_password("not a password", salt=b"\0" * 16)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str
    source: str  # "config" or "database"


@dataclass(frozen=True)
class Session:
    token: str
    user: str
    role: str
    csrf: str
    expires_at: float

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_coordinator(self) -> bool:
        """May change trials: review their criteria, publish and withdraw them."""
        return self.role == "coordinator"


def parse_config_users(entries: Iterable[str]) -> Dict[str, User]:
    """``"name:role:scrypt$..."`` entries from the configuration."""
    found: Dict[str, User] = {}
    for entry in entries:
        parts = str(entry).split(":", 2)
        if len(parts) != 3 or parts[1] not in ROLES or not parts[2].startswith("scrypt$"):
            raise ValueError(f"review_users: expected 'name:role:<hash>' with role {' or '.join(ROLES)}, "
                             f"got {str(entry)[:40]!r}")
        found[parts[0]] = User(parts[0], parts[1], parts[2], "config")
    return found


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", errors="replace")).hexdigest()


class Authenticator:
    def __init__(self, store: ReviewStore, config_users: Iterable[str] = (), ttl_minutes: int = 480) -> None:
        self.store = store
        self.config_users = parse_config_users(config_users)
        self.ttl = max(1, int(ttl_minutes)) * 60

    # -- users ---------------------------------------------------------------------------------------
    def user(self, name: str) -> Optional[User]:
        if name in self.config_users:
            return self.config_users[name]
        with self.store.engine.connect() as c:
            row = c.execute(select(users).where(users.c.name == name)).first()
        return User(row.name, row.role, row.password_hash, "database") if row else None

    def users(self) -> List[User]:
        with self.store.engine.connect() as c:
            stored = [User(r.name, r.role, r.password_hash, "database")
                      for r in c.execute(select(users).order_by(users.c.name))]
        return list(self.config_users.values()) + [u for u in stored if u.name not in self.config_users]

    def add_user(self, name: str, role: str, password: str, actor: str) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if not name or ":" in name or len(name) > 64:
            raise ValueError("a user name is 1-64 characters, without ':'")
        if len(password) < 10:
            raise ValueError("use a password of at least 10 characters")
        if name in self.config_users:
            raise ValueError(f"{name} is defined in the configuration (review_users)")
        encoded = hash_password(password)
        with self.store.engine.begin() as c:
            if c.execute(select(users.c.name).where(users.c.name == name)).first():
                c.execute(update(users).where(users.c.name == name).values(role=role, password_hash=encoded))
            else:
                c.execute(insert(users).values(name=name, role=role, password_hash=encoded, created_at=time.time()))
            c.execute(delete(sessions).where(sessions.c.user == name))  # a new password ends old sessions
        self.store.audit(actor, "add_user", user_name=name, role=role)

    def remove_user(self, name: str, actor: str) -> bool:
        with self.store.engine.begin() as c:
            removed = c.execute(delete(users).where(users.c.name == name)).rowcount
            c.execute(delete(sessions).where(sessions.c.user == name))
        self.store.audit(actor, "remove_user", user_name=name)
        return bool(removed)

    # -- sessions ------------------------------------------------------------------------------------
    def login(self, name: str, password: str, remote: str = "") -> Optional[Session]:
        """A new session, or None (wrong name or password, or too many recent failures)."""
        user = self.user(name)
        failures = len(self.store.audit_log(limit=MAX_FAILURES, user=name[:64], action="login_failed",
                                            since=time.time() - FAILURE_WINDOW))
        ok = verify_password(password, user.password_hash if user else _DUMMY_HASH) and user is not None
        if not ok:
            self.store.audit(name[:64] or "?", "login_failed", remote=remote)
            return None
        if failures >= MAX_FAILURES:  # logged apart, so that it does not prolong the window
            self.store.audit(user.name, "login_throttled", remote=remote)
            return None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        with self.store.engine.begin() as c:
            c.execute(delete(sessions).where(sessions.c.expires_at < now))
            c.execute(insert(sessions).values(token_hash=_token_hash(token), user=user.name, role=user.role,
                                              csrf=csrf, created_at=now, expires_at=now + self.ttl))
        self.store.audit(user.name, "login", remote=remote)
        return Session(token, user.name, user.role, csrf, now + self.ttl)

    def session(self, token: Optional[str]) -> Optional[Session]:
        if not token or len(token) > 200:
            return None
        with self.store.engine.connect() as c:
            row = c.execute(select(sessions).where(sessions.c.token_hash == _token_hash(token))).first()
        if row is None or row.expires_at <= time.time():
            return None
        user = self.user(row.user)
        if user is None:  # removed since
            return None
        return Session(token, row.user, user.role, row.csrf, row.expires_at)

    def logout(self, token: str) -> None:
        with self.store.engine.begin() as c:
            c.execute(delete(sessions).where(sessions.c.token_hash == _token_hash(token)))

