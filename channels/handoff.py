"""Handing a staff channel's message to Rasa in the background.

Slack and the Bot Framework retry a webhook call that is not answered within a few seconds, and a
screening turn can take longer; so the webhook answers at once and the message is handled in a
task of its own. A failure is logged without the message (it holds health information), and so
are Rasa's own log lines while it is handled (channels/redaction.py).

A message whose turn posted nothing (the action server down: Rasa logs it and goes on with nothing
to say) or failed with an error (the tracker store or the conversation locks out of reach) gets the
reply the REST channel gives then (channels/failures.py): "please send your message again", in the
language staff mode would have answered it in (``bot.language_choice.message_language``: the
message's own, else the conversation's), posted in the message's thread. The output channel counts
what it posted (``sent``). So does a message that must not be handled (``not_handled``: the replay
guard could not tell whether it was handled before, channels/replay.py), without reaching Rasa.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Optional, Set

from rasa.core.channels.channel import UserMessage

from bot.language_choice import message_language
from channels.failures import log_failure, not_answered
from channels.redaction import handling

logger = logging.getLogger(__name__)


class Handoff:
    def __init__(self, service: str) -> None:
        self.service = service
        self.tasks: Set[asyncio.Task] = set()  # kept referenced until done, as asyncio requires

    def start(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage,
              conversations: Any = None, not_handled: Optional[Exception] = None) -> None:
        """Handle ``message`` in the background; ``conversations``: the tracker store, where the
        conversation's language is read should the turn fail. With ``not_handled`` (why it must not
        be), ``message`` is only asked for again."""
        task = asyncio.create_task(self._handle(on_new_message, message, conversations, not_handled))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _handle(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage,
                      conversations: Any = None, not_handled: Optional[Exception] = None) -> None:
        error = not_handled
        try:
            if not_handled is None:
                with handling(message.text or ""):
                    await on_new_message(message)
        except Exception as failed:  # noqa: BLE001 - logged without the message
            error = failed
            logger.debug("%s message handling failed", self.service, exc_info=True)
        if error is None and getattr(message.output_channel, "sent", 1):
            return
        log_failure(self.service, error)
        try:
            with handling(message.text or ""):
                language = message_language(message.text or "", await self._language(message, conversations))
                await message.output_channel.send_response(message.sender_id, not_answered(language))
        except Exception as failed:  # noqa: BLE001
            logger.error("Could not ask for a %s message again: %s", self.service, type(failed).__name__)

    @staticmethod
    async def _language(message: UserMessage, conversations: Any) -> Optional[str]:
        """The conversation's language (its ``language`` slot), if its store can be read."""
        if conversations is None:
            return None
        try:
            tracker = await conversations.retrieve(message.sender_id)
        except Exception:  # noqa: BLE001 - the store may be what failed
            return None
        return tracker.get_slot("language") if tracker is not None else None
