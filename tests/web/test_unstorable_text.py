"""The website chat's server refuses a path or query string with text that is not valid Unicode
(channels/guard.py), as the REST channel does (tests/e2e/test_bad_input.py), and goes on serving."""
from __future__ import annotations

import requests

from channels.guard import REFUSAL
from tests.review.helpers import AppServer
from web.server import create_app


def test_the_chat_server_refuses_invalid_unicode_in_its_query_string():
    with AppServer(create_app("http://127.0.0.1:5005", ["http://127.0.0.1:8080"])) as server:
        for query in ("lang=%EF%BF%BE", "lang=en&x=%EF%B7%90", "lang=%F4%8F%BF%BF", "lang=%00"):
            reply = requests.get(f"{server.url}/?{query}", timeout=10)
            assert reply.status_code == 400 and REFUSAL in reply.text, (query, reply.status_code)
        assert requests.get(f"{server.url}/chat.js?v=%EF%BF%BF", timeout=10).status_code == 400
        page = requests.get(f"{server.url}/?lang=en", timeout=10)
        assert page.status_code == 200 and "<html" in page.text
        # invalid UTF-8 is not refused: it arrives as U+FFFD, which is text (and changes nothing here)
        assert requests.get(f"{server.url}/?lang=%ED%A0%80", timeout=10).status_code == 200
