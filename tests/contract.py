"""The reply contract in the tests: every bot message a test receives is checked against the schema.

``tests/conftest.py`` checks every REST webhook reply any test receives (``requests``, whatever
the test); the browser tests check what the widget receives (``tests/web/conftest.py``) and the
staff and engine tests the engines' replies (``follows_contract``).
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Iterable, Mapping

import jsonschema

from bot import reply_contract

WEBHOOK = "/webhooks/rest/webhook"


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft7Validator:
    schema = reply_contract.schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def problems(message: Any) -> list:
    """What is wrong with one bot message (empty when it follows the contract)."""
    return [f"{'/'.join(map(str, error.absolute_path)) or '(message)'}: {error.message}"
            for error in _validator().iter_errors(message)]


def check_messages(messages: Any, where: str = "") -> None:
    """Fails unless ``messages`` is a list of bot messages that each follow the contract."""
    assert isinstance(messages, list), f"a reply{where} is not a list of bot messages: {messages!r:.300}"
    for message in messages:
        found = problems(message)
        assert not found, f"a bot message{where} breaks the reply contract: {found}\n{message!r:.1500}"


def follows_contract(replies: Iterable[Any]) -> list:
    """The engines' ``Reply`` objects as the REST channel would send them, checked; returns them."""
    replies = list(replies)
    check_messages([as_message(reply) for reply in replies], " of the engine")
    return replies


def as_message(reply: Any) -> Mapping[str, Any]:
    """A ``bot.conversation.Reply`` as the REST channel sends it (Rasa leaves out what is empty)."""
    message = {"recipient_id": "test", "text": reply.text}
    if reply.buttons:
        message["buttons"] = list(reply.buttons)
    if reply.custom:
        message["custom"] = reply.custom
    return json.loads(json.dumps(message))  # as it travels: whatever JSON cannot carry fails here


def check_dispatched(messages: Iterable[Mapping[str, Any]]) -> None:
    """What a Rasa action handed its dispatcher, as the REST channel would send it, checked."""
    sent = []
    for message in messages:
        rest = {"recipient_id": "test", "text": message.get("text") or ""}  # a domain response is worded by Rasa
        if message.get("buttons"):
            rest["buttons"] = message["buttons"]
        if message.get("custom"):
            rest["custom"] = message["custom"]
        sent.append(json.loads(json.dumps(rest)))
    check_messages(sent, " of an action")


def asks_a_list(custom: Mapping[str, Any]) -> bool:
    """A yes/no list ("Do you have any of these?"), not facts asked together ("How old are you, and are
    you a man or a woman?"), which a person answers each in words."""
    return len(custom["asks"]) > 1 and custom["answer_type"] == "yes_no"
