"""Fake Slack Web API and Bot Framework servers: real HTTP servers on free ports, in threads.

They record every request and answer as the real services do, as far as the bot uses them:

- Slack: ``POST /api/chat.postMessage`` (JSON, ``Authorization: Bearer xoxb-...``) -> ``{"ok": true, ...}``.
- Bot Framework: the OpenID metadata (``GET /openid``) naming the JWKS (``GET /keys``, an RSA key made
  for the test, endorsed for ``msteams``), the token endpoint (``POST /token``, client credentials),
  and the connector's ``POST /v3/conversations/{id}/activities``, which insists on the token it issued.
  ``token(...)`` signs a JWT with the fake's key exactly as the Bot Connector signs its requests.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs, unquote, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


@dataclass
class Recorded:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class FakeServer:
    """A threaded HTTP server whose ``route(method, path, request) -> (status, json)`` answers."""

    def __init__(self) -> None:
        self.requests: List[Recorded] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorded = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                    self.rfile.read(length) if length else b"")
                with server._lock:
                    server.requests.append(recorded)
                status, payload = server.route(recorded)
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def route(self, request: Recorded):
        return 404, {"error": "not found"}

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def recorded(self, predicate: Callable[[Recorded], bool] = lambda r: True) -> List[Recorded]:
        with self._lock:
            return [r for r in self.requests if predicate(r)]

    def wait_for(self, predicate: Callable[[Recorded], bool], count: int = 1, timeout: float = 60) -> List[Recorded]:
        """The matching requests once there are ``count`` of them (then a moment for stragglers)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.recorded(predicate)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"{len(self.recorded(predicate))} matching request(s) after {timeout:.0f}s, "
                             f"wanted {count}; all requests: {[(r.method, r.path) for r in self.recorded()]}")


class FakeSlack(FakeServer):
    """Slack's Web API at ``{url}/api/``."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.api_url = f"{self.url}/api/"

    def route(self, request: Recorded):
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 200, {"ok": False, "error": "invalid_auth"}
        if request.path == "/api/chat.postMessage":
            body = request.json()
            return 200, {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}",
                         "message": {"text": body.get("text")}}
        return 200, {"ok": False, "error": "unknown_method"}

    def posts(self, channel: str, thread: Optional[str] = None) -> List[Dict[str, Any]]:
        return [r.json() for r in self.recorded(lambda r: self._in(r, channel, thread))]

    def wait_for_posts(self, channel: str, thread: Optional[str], count: int) -> List[Dict[str, Any]]:
        return [r.json() for r in self.wait_for(lambda r: self._in(r, channel, thread), count)]

    @staticmethod
    def _in(request: Recorded, channel: str, thread: Optional[str]) -> bool:
        if request.path != "/api/chat.postMessage":
            return False
        body = request.json()
        return body.get("channel") == channel and body.get("thread_ts") == thread


class FakeBotFramework(FakeServer):
    """Microsoft's login (OpenID metadata, JWKS, token endpoint) and the Bot Connector, in one server."""

    def __init__(self, app_id: str, app_password: str) -> None:
        super().__init__()
        self.app_id = app_id
        self.app_password = app_password
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.key_id = f"test-key-{uuid.uuid4().hex[:8]}"
        self.access_token = f"connector-token-{uuid.uuid4().hex}"
        self.service_url = f"{self.url}/"

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/openid"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    def route(self, request: Recorded):
        path = urlparse(request.path).path
        if request.method == "GET" and path == "/openid":
            return 200, {"issuer": BOT_FRAMEWORK_ISSUER, "jwks_uri": f"{self.url}/keys",
                         "id_token_signing_alg_values_supported": ["RS256"]}
        if request.method == "GET" and path == "/keys":
            key = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return 200, {"keys": [{**key, "kid": self.key_id, "use": "sig", "endorsements": ["msteams"]}]}
        if request.method == "POST" and path == "/token":
            form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
            if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != \
                    ("client_credentials", self.app_id, self.app_password):
                return 401, {"error": "invalid_client"}
            return 200, {"token_type": "Bearer", "expires_in": 3600, "access_token": self.access_token}
        if request.method == "POST" and path.startswith("/v3/conversations/") and path.endswith("/activities"):
            if request.headers.get("authorization") != f"Bearer {self.access_token}":
                return 401, {"error": {"code": "Unauthorized"}}
            return 200, {"id": uuid.uuid4().hex}
        return 404, {"error": "not found"}

    def token(self, key: Any = None, kid: Optional[str] = None, **claims: Any) -> str:
        """A JWT as the Bot Connector sends it (claims may be overridden, or removed with None)."""
        now = int(time.time())
        payload = {"iss": BOT_FRAMEWORK_ISSUER, "aud": self.app_id, "nbf": now - 5, "exp": now + 3600,
                   "serviceurl": self.service_url, **claims}
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.key_id})

    def replies(self, conversation_id: str) -> List[Dict[str, Any]]:
        return [r.json() for r in self.recorded(lambda r: self._in(r, conversation_id))]

    def wait_for_replies(self, conversation_id: str, count: int) -> List[Dict[str, Any]]:
        return [r.json() for r in self.wait_for(lambda r: self._in(r, conversation_id), count)]

    @staticmethod
    def _in(request: Recorded, conversation_id: str) -> bool:
        path = urlparse(request.path).path
        return (request.method == "POST" and path.endswith("/activities") and request.headers.get("authorization")
                is not None and unquote(path[len("/v3/conversations/"):-len("/activities")]) == conversation_id
                and "Bearer connector-token-" in request.headers["authorization"])
