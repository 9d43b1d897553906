"""The twenty whole Chinese conversations of tests/e2e/profiles_zh.py through the REST channel of the
real servers (the NLU model, the action server, the tracker store), all on the one pair of servers the
session starts: each typed in words, as ``profiles_zh.converse`` holds it, to the verdict its answers
lead to, with the criteria behind it. Every reply is in Chinese and says so (``custom.language``).

No page metadata is sent: the first message, "你好", chooses Chinese, and the conversation keeps it.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

from tests.e2e.profiles_zh import CONVERSATIONS, check_verdict, converse

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.who for c in CONVERSATIONS])
def test_a_whole_chinese_conversation_through_rest_reaches_its_verdict(conversation, chat):
    c = chat()

    def say(text: str) -> List[Optional[Dict[str, Any]]]:
        messages = c.say(text)
        languages = {(m.get("custom") or {}).get("language") for m in messages}
        assert languages == {"zh-CN"}, f"{languages}\n{c.log()}"
        return [m.get("custom") for m in messages]

    check_verdict(conversation, converse(conversation, say, c.log), c.log)
