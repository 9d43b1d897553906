"""What a message does, when it is not an answer: a question to the bot, a command, small talk.

The NLU model classifies every message, but a confident model can still be wrong ("yes, my ECG
showed a long QT interval" was read as "what have I told you?"). These patterns are the words that
say the act outright; the understanding step (bot/understanding.py) weighs them with the model's
intent and with what the message answers.
"""
from __future__ import annotations

import re
from typing import Optional

WHY = "why"
ASK_DRUG = "ask_drug"
ASK_LOCATION = "ask_location"
ASK_CONTACT = "ask_contact"
ASK_HUMAN = "ask_human"
START_OVER = "start_over"
DELETE_ANSWERS = "delete_answers"
WITHDRAW_CONSENT = "withdraw_consent"
SHOW_FACTS = "show_facts"
SHOW_VERDICT = "show_verdict"
GREET = "greet"
THANKS = "thanks"
GOODBYE = "goodbye"
BOT_CHALLENGE = "bot_challenge"

QUESTIONS_TO_THE_BOT = (WHY, ASK_DRUG, ASK_LOCATION, ASK_CONTACT, ASK_HUMAN)
# Acts that lose what was collected: only the words may ask for them, never the model alone.
DESTRUCTIVE = (START_OVER, DELETE_ANSWERS, WITHDRAW_CONSENT)

_I = re.IGNORECASE
# Checked in this order: the first that matches is the act.
PATTERNS = (
    (WITHDRAW_CONSENT, re.compile(
        r"\b(?:withdraw|revoke|take\s+back|cancel)\b[^.?!]{0,20}\bconsent\b|\bi\s+(?:no\s+longer|don'?t|do\s+not)\s+consent\b"
        r"|\bdon'?t\s+(?:want\s+you\s+to\s+)?(?:keep|store|save)\s+(?:my|any)\b|\bchanged\s+my\s+mind\b"
        r"|\b(?:don'?t|do\s+not)\s+want\s+to\s+(?:do\s+(?:this|the\s+screening)|continue|go\s+on|carry\s+on|take\s+part)\b"
        r"|\bdon'?t\s+agree\s+any\s*more\b|撤回.{0,4}同意|不再同意|我不同意了", _I)),
    (DELETE_ANSWERS, re.compile(
        r"\b(?:delete|erase|remove|wipe|clear|forget)\b[^.?!]{0,25}\b(?:answers?|data|information|info|details|everything"
        r"|what\s+i\s+(?:said|told\s+you)|it\s+all|me)\b"
        r"|\b(?:answers?|data|information|info|details)\s+(?:deleted|erased|removed|wiped)\b"
        r"|(?:删除|删掉|清除).{0,4}(?:回答|答案|资料|信息|数据|记录)", _I)),
    (START_OVER, re.compile(
        r"\b(?:start(?:ing)?\s+(?:over|again|afresh|from\s+scratch)|restart(?!\s+(?:the\s+|my\s+|her\s+|his\s+)?(?!screening|questions|chat)\w)|begin\s+again|from\s+the\s+(?:start|beginning|top)"
        r"|reset|new\s+screening|go\s+back\s+to\s+the\s+(?:start|beginning))\b", _I)),
    (BOT_CHALLENGE, re.compile(r"\b(?:are\s+you|is\s+this)\s+(?:a\s+)?(?:bot|robot|real|human|person|machine|computer|ai)\b", _I)),
    (ASK_HUMAN, re.compile(
        r"\b(?:real|actual|live)\s+(?:person|human|people|someone|nurse)\b"
        r"|\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|the\s+|your\s+)?(?:person|human|someone|somebody|nurse|doctor"
        r"|coordinator|team|staff|agent|operator)\b|\bhuman\s+please\b|\b(?:an?\s+)?(?:agent|operator)\s+please\b"
        r"|^\W*(?:human|a\s+human|person|agent|operator)\W*$|\bput\s+me\s+through\b|\bcall\s+me\s+back\b"
        r"|\bwith\s+a\s+(?:person|human|real\s+person)\b|\b(?:nurse|doctor|person|someone|somebody)\s+i\s+(?:can|could)\s+(?:speak|talk)",
        _I)),
    (SHOW_FACTS, re.compile(
        r"\bwhat\s+(?:have|did)\s+i\s+(?:told|tell|said|say|given|give)\b|\bwhat\s+do\s+you\s+(?:know|have)\s+(?:about|on)\s+"
        r"(?:me|her|him)\b|\b(?:my|the)\s+answers\s+so\s+far\b|\b(?:show|list|recap)\s+(?:me\s+)?(?:my|the)\s+answers\b"
        r"|\brecap\b|\bsummar(?:y|ise|ize)\s+(?:of\s+)?(?:my|the|what)\b|\bwhat\s+(?:info|information|details|data)\s+do\s+you\s+have"
        r"|\bwhat\s+you\s+know\s+about\s+(?:me|her|him)\b|\blist\s+what\s+i'?ve\s+(?:answered|said|told)", _I)),
    (SHOW_VERDICT, re.compile(
        r"\b(?:just\s+)?(?:tell|give|show)\s+me\s+(?:the\s+|my\s+)?(?:result|results|verdict|outcome|answer)\b"
        r"|\b(?:am\s+i|is\s+(?:she|he)|are\s+they)\s+(?:eligible|a\s+fit|suitable)\b|\bdo\s+i\s+qualify\b|\bskip\s+to\s+the\s+(?:end|result)"
        r"|\bskip\s+the\s+rest\b|\bwhat'?s\s+the\s+(?:verdict|outcome|result)|\bbottom\s+line\b|\bcan\s+(?:i|she|he)\s+get\s+in\b", _I)),
    (WHY, re.compile(
        r"^\W*why\W*$|\bwhy\s+(?:do|does|would|are|is|did)\s+(?:you|that|this|it)\b|\bwhat\s+(?:has|does)\s+(?:that|this)\s+got\s+to\s+do"
        r"|\bwhy\s+(?:does\s+)?(?:that|this|it)\s+matter|\bwhat(?:'s|\s+is)\s+(?:that|this)\s+(?:got\s+to\s+do\s+with|for)\b"
        r"|\bwhy\s+(?:the|this)\s+question\b|\bwhy\s+ask\b|\bhow\s+is\s+(?:this|that|it)\s+relevant\b"
        r"|\bwhat\s+(?:does|has)\s+(?:that|this|it)\s+(?:have|got)\s+to\s+do\b|\bwhat'?s\s+(?:that|this|it)\s+got\s+to\s+do\b"
        r"|\bwhy\s+would\b[^.?!]{0,40}\bmatter\b|\breason\s+you\s+(?:need|want|ask)|\bwhat'?s\s+the\s+point\s+of\b"
        r"|\bwhy\s+(?:do|does)\s+(?:you|it|the\s+study)\s+need\b", _I)),
    (ASK_DRUG, re.compile(
        r"\b(?:what(?:'s|\s+is|\s+are|\s+does)?|tell\s+me\s+(?:more\s+)?about|how\s+does|is)\s+(?:the\s+)?(?:herombopag|study\s+(?:drug|medicine"
        r"|medication|treatment)|new\s+(?:drug|medicine)|drug|medicine|medication|trial\s+drug)\b|\bherombopag\s*\?"
        r"|\bside\s+effects\s+of\s+(?:the\s+)?(?:herombopag|study\s+drug|drug|medicine)\b|\bwhat\s+(?:drug|medicine)\b"
        r"|\b\w*rombopag\b[^.!]*\?|\bwhat\s+are\s+they\s+testing\b|\bwhat\s+is\s+(?:this|the)\s+(?:trial|study)\s+(?:\w+\s+)?testing\b|\b(?:does|is)\s+(?:the|this|that)\s+(?:drug|medicine|medication|tablet)\b"
        r"|\b\w*rombopag\W+what", _I)),
    (GOODBYE, re.compile(r"^\W*(?:bye|goodbye|good\s+bye|see\s+you|see\s+ya|cya|ttyl|that'?s\s+all|gotta\s+go|i\s+(?:have|need)\s+to\s+go(?=\W*(?:$|now|talk|bye))"
                         r"|talk\s+later)\b[^?]*$", _I)),
    (ASK_LOCATION, re.compile(
        r"\b(?:where\s+(?:is|are|does|do|will|would)|where's)\b|\b(?:do|would|will|must)\s+(?:i|we|she|he)\s+(?:have|need)\s+to\s+(?:travel|go|fly)\b|\btravel\s+to\b[^.!]*\?"
        r"|\bhow\s+far\b|\b(?:which|what)\s+(?:hospital|city|country|site|clinic)\b|\bnear\s+(?:me|london|here)\b"
        r"|\b(?:is\s+it|is\s+there\s+one)\s+(?:in|near)\b|\bsites?\s+(?:in|near)\b", _I)),
    (ASK_CONTACT, re.compile(
        r"\bwho\s+(?:do|should|can|could)\s+i\s+(?:call|contact|ring|phone|email|speak|talk|ask)\b|\bcontact\s+(?:details|number|info"
        r"|information)\b|\bphone\s+number\b|\bhow\s+(?:do|can|would)\s+(?:i|we|she|he)\s+(?:join|sign\s+up|take\s+part|apply|enrol"
        r"|enroll|get\s+in|register)\b|\bwhat\s+happens\s+(?:next|now|after)\b|\bnext\s+steps?\b|\bhow\s+to\s+(?:join|apply|enrol)\b"
        r"|\bemail\s+address\b|\brefer\s+(?:me|her|him)\b|\breferral\b", _I)),
    (THANKS, re.compile(r"^\W*(?:thanks?(?:\s+you)?|thank\s+u|thx|ty|cheers|much\s+appreciated)(?:\s+(?:so\s+much|very\s+much|a\s+lot))?\W*$",
                        _I)),
    (GREET, re.compile(r"^\W*(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening)|greetings|howdy|yo|start)\W*$", _I)),
)


def act_in_words(text: str) -> Optional[str]:
    """The act the words state outright, or None."""
    for act, pattern in PATTERNS:
        if pattern.search(text):
            return act
    return None
