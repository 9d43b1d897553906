"""The commands of staff mode, found in a message's text whatever the NLU made of it: "new patient",
"missing", "summary", "trials" and "help"."""
from __future__ import annotations

import re
from typing import Optional, Tuple

# A command may follow a short acknowledgement ("ok, next patient", "thanks - summary"). Only these
# words, so that a message which merely mentions a patient ("the patient is 58") is never a command.
COMMAND_LEAD = (r"^\W*(?:(?:ok(?:ay)?|k|thanks|thank\s+you|thx|ty|cheers|right|alright|all\s+right|great|good|cool"
                r"|fine|perfect|done|noted|got\s+it|so|and|now|then|yes|yep|sure|hi|hello|hey"
                r"|好的|好|行|嗯|谢谢|收到|那么|下面|接下来|你好)\b\W*){0,3}")
# "new patient", or "new patient: 58M SCLC, plt 40k" (the next patient's facts at once); "reset" and
# "clear" only alone ("clear lungs" is a finding).
NEW_PATIENT_COMMAND = re.compile(
    COMMAND_LEAD + r"(?:(?:(?:new|next|another)\s+(?:patient|pt)|start\s+over)\b|(?:新|下一个|下一位|另一个|另一位)(?:病人|患者)"
    r"|重新开始)[\s:;,.!：；，。！-]*(?P<rest>.*)$"
    r"|^\W*(?:reset|clear(?:\s+all)?|清空|清除)\W*$", re.IGNORECASE | re.DOTALL)
MISSING_COMMAND = re.compile(
    COMMAND_LEAD + r"(?:(?:what(?:'s|\s+is|\s+else\s+is)?\s+)?(?:still\s+)?(?:missing|left|outstanding|to\s+do)"
    r"(?:\s+(?:please|pls))?|还?(?:缺|差)(?:少)?(?:什么|哪些)(?:信息)?|缺少的?信息)\W*$", re.IGNORECASE)
SUMMARY_COMMAND = re.compile(
    COMMAND_LEAD + r"(?:(?:summary|summarise|summarize|status|recap)(?:\s+(?:please|pls))?|汇总|总结|小结)\W*$",
    re.IGNORECASE)
# "trials", "match", "which trials for COVID-19 in Boston?", "trials: 58M SCLC, plt 40k" (facts at once).
TRIALS_COMMAND = re.compile(
    COMMAND_LEAD + r"(?:match(?:\s+(?:him|her|them|the\s+patient|pt|patient))?|(?:which|what|find|any|list|rank)"
    r"\s+trials?|trials)\b[\s:;,.!?-]*(?P<rest>.*)$"
    r"|" + COMMAND_LEAD + r"(?:(?:哪些|匹配|有什么|列出)(?:临床)?试验|试验列表)[\s:;,.!?：；，。！？-]*(?P<rest_zh>.*)$",
    re.IGNORECASE | re.DOTALL)
HELP_COMMAND = re.compile(r"^\W*(?:help|commands|\?|hi|hello|hey|start|帮助|命令|你好|？)\W*$", re.IGNORECASE)


NEW_PATIENT, MISSING, SUMMARY, TRIALS, HELP = "new_patient", "missing", "summary", "trials", "help"


def command(text: str) -> Optional[Tuple[str, str]]:
    """The command a message gives, and what follows it (the next patient's facts, the trials' filter);
    None for a message of facts. Help only when asked for: an empty message is the engine's to answer."""
    for name, pattern in ((NEW_PATIENT, NEW_PATIENT_COMMAND), (MISSING, MISSING_COMMAND),
                          (SUMMARY, SUMMARY_COMMAND), (TRIALS, TRIALS_COMMAND), (HELP, HELP_COMMAND)):
        found = pattern.match(text)
        if found:
            groups = found.groupdict()
            return name, (groups.get("rest") or groups.get("rest_zh") or "")
    return None
