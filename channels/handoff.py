"""Handing a staff channel's message to Rasa in the background.

Slack and the Bot Framework retry a webhook call that is not answered within a few seconds, and a
screening turn can take longer; so the webhook answers at once and the message is handled in a
task of its own. A failure is logged without the message (it holds health information), and so
are Rasa's own log lines while it is handled (channels/redaction.py).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Set

from rasa.core.channels.channel import UserMessage

from channels.redaction import handling

logger = logging.getLogger(__name__)


class Handoff:
    def __init__(self, service: str) -> None:
        self.service = service
        self.tasks: Set[asyncio.Task] = set()  # kept referenced until done, as asyncio requires

    def start(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage) -> None:
        task = asyncio.create_task(self._handle(on_new_message, message))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage) -> None:
        try:
            with handling(message.text or ""):
                await on_new_message(message)
        except Exception as error:  # noqa: BLE001 - logged without the message
            logger.error("Could not handle a %s message in %s: %s", self.service, message.sender_id,
                         type(error).__name__)
            logger.debug("%s message handling failed", self.service, exc_info=True)
