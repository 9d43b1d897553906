"""What a message does, when it is not an answer: a question to the bot, a command, small talk.

The NLU model classifies every message, but a confident model can still be wrong ("yes, my ECG
showed a long QT interval" was read as "what have I told you?"). These patterns are the words that
say the act outright; the understanding step (bot/understanding.py) weighs them with the model's
intent and with what the message answers.
"""
from __future__ import annotations

import re
from typing import Optional, Tuple

from bot.parsing.chinese import HAS_HAN

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
        r"|reset|new\s+screening|go\s+back\s+to\s+the\s+(?:start|beginning)|forget\s+(?:that|this|the)\s+(?:patient|pt))\b", _I)),
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
        # not what others do or do not tell: "they never tell me the results"
        r"\b(?<!never\s)(?<!they\s)(?<!nt\s)(?<!n't\s)(?<!not\s)(?:just\s+)?(?:tell|give|show)\s+me\s+(?:the\s+|my\s+)?(?:result|results|verdict|outcome|answer)\b"
        r"|\b(?:am\s+i|is\s+(?:she|he)|are\s+they)\s+(?:eligible|a\s+fit|suitable)\b|\b(?:do|does|would|will|can)\s+(?:i|she|he|they|my\s+\w+)\s+qualify\b"
        # "just tell me if I qualify or not", "let me know whether she can take part"
        r"|\b(?:tell|let)\s+me\s+(?:know\s+)?(?:if|whether)\s+(?:i|she|he|they|we|my\s+\w+)\s+(?:qualif\w*|(?:am|is|are|'m|'s)\s+"
        r"(?:eligible|suitable|a\s+fit)|(?:can|could)\s+(?:join|take\s+part|get\s+in|do\s+it))|\bskip\s+to\s+the\s+(?:end|result)"
        r"|\bskip\s+the\s+rest\b|\bwhat'?s\s+the\s+(?:verdict|outcome|result)|\bbottom\s+line\b|\bcan\s+(?:i|she|he)\s+get\s+in\b", _I)),
    (WHY, re.compile(
        r"^\W*why\W*$|\bwhy\s+(?:do|does|would|are|is|did)\s+(?:you|that|this|it)\b|\bwhat\s+(?:has|does)\s+(?:that|this)\s+got\s+to\s+do"
        r"|\bwhy\s+(?:does\s+)?(?:that|this|it)\s+matter|\bwhat(?:'s|\s+is)\s+(?:that|this)\s+(?:got\s+to\s+do\s+with|for)\b"
        r"|\bwhy\s+(?:the|this)\s+question\b|\bwhy\s+ask\b|\bhow\s+is\s+(?:this|that|it)\s+relevant\b"
        r"|\bwhat\s+(?:does|has)\s+(?:that|this|it)\s+(?:have|got)\s+to\s+do\b|\bwhat'?s\s+(?:that|this|it)\s+got\s+to\s+do\b"
        r"|\bwhy\s+would\b[^.?!]{0,40}\bmatter\b|\breason\s+you\s+(?:need|want|ask)|\bwhat'?s\s+the\s+point\s+of\b"
        r"|\bwhy\s+(?:do|does)\s+(?:you|it|the\s+study)\s+need\b"
        # "why does diabetes matter?", "why do my periods matter": a named thing's relevance
        r"|\bwhy\s+(?:does|do|would|is|are)\s+(?:[\w'-]+\s+){1,4}?(?:matter|count|relevant|important)\b", _I)),
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
        # "how would I even get to China?", "how do we get there?"
        r"|\bhow\s+(?:would|do|will|can|could|should)\s+(?:i|we|she|he|they)\s+(?:even\s+)?(?:get|travel|go)\s+(?:to|there)\b"
        r"|\b(?:is\s+it|is\s+there\s+one)\s+(?:in|near)\b|\bsites?\s+(?:in|near)\b"
        r"|\bis\s+(?:the|this|that|your)\s+(?:hospital|study|trial|clinic|site|centre|center)\s+(?:in|near|far)\b", _I)),
    (ASK_CONTACT, re.compile(
        r"\bwho\s+(?:do|should|can|could)\s+i\s+(?:call|contact|ring|phone|email|speak|talk|ask)\b|\bcontact\s+(?:details|number|info"
        r"|information)\b|\bphone\s+number\b|\bhow\s+(?:do|can|would)\s+(?:i|we|she|he)\s+(?:join|sign\s+up|take\s+part|apply|enrol"
        r"|enroll|get\s+in|register)\b|\bwhat\s+happens\s+(?:next|now|after)\b|\bnext\s+steps?\b|\bhow\s+to\s+(?:join|apply|enrol)\b"
        r"|\bemail\s+address\b|\brefer\s+(?:me|her|him)\b"
        # a referral asked for ("do I need a referral?"), not one told of ("he wrote it on the referral")
        r"|\b(?:need|get|want|ask\s+for)\s+(?:a\s+|the\s+)?referral\b|\breferral\b[^.!]*\?", _I)),
    (THANKS, re.compile(r"^\W*(?:thanks?(?:\s+you)?|thank\s+u|thx|ty|cheers|much\s+appreciated)(?:\s+(?:so\s+much|very\s+much|a\s+lot))?\W*$",
                        _I)),
    (GREET, re.compile(r"^\W*(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening)|greetings|howdy|yo|start)\W*$", _I)),
)


# The same acts in Chinese, checked in the same order as PATTERNS when a message holds Han characters.
_ZH_QUESTION = r"(?:吗|呢|么|嘛)?\s*[？?]?\s*$"
CHINESE = {
    WITHDRAW_CONSENT: re.compile(r"不想(?:再)?(?:继续|做了|填了|参加了|筛查了|聊了)|我不(?:做|填|参加)了|不要(?:保存|保留|记录)我|反悔"),
    DELETE_ANSWERS: re.compile(r"把我.{0,10}(?:删|清除|清空)|(?:说的|填的|回答|信息|资料|记录|数据)(?:都|全)?(?:删|清除|清空)"
                               r"|(?:帮|给)我(?:都|全)?(?:删|清除|清空)(?:了|掉|除)?|不想(?:再)?(?:留|保留|保存)(?:下)?(?:我的)?(?:信息|资料|记录|数据)"),
    START_OVER: re.compile(r"重新开始|从头(?:开始|再来|来过)|重来|重新(?:来|做|填|回答|问|筛查)|再来一(?:次|遍)|重置"),
    BOT_CHALLENGE: re.compile(r"你是(?:不是)?(?:机器人|真人|人工智能|AI|ai|人吗|电脑|程序)|(?:是|是不是)(?:机器人|真人|人工智能)" + _ZH_QUESTION),
    ASK_HUMAN: re.compile(r"(?:医生|护士|真人|工作人员)(?:跟|和|同)我(?:聊|说|谈|联系|通话)|转人工|人工(?:客服|服务|坐席)|(?:找|要|跟|和|同)(?:个)?(?:真人|人工|活人)|^\W*(?:人工|真人|人工客服|客服)\W*$|(?:跟|和|同|找)(?:一?个)?(?:真正的)?(?:人|医生|护士"
                          r"|工作人员|研究人员|研究团队|客服|协调员)(?:直接)?(?:说话|聊|谈|沟通|讲|通话|联系)|我想(?:跟|和|找)(?:一?个)?(?:人|医生|护士|工作人员)"
                          r"|(?:有|找)没有(?:真)?人(?:可以|能)(?:聊|说|谈)|让(?:医生|护士|工作人员)(?:联系|打电话给)我|给我回(?:个)?电话"
                          r"|(?:医生|护士|工作人员|研究人员|大夫)(?:能|可以)?(?:给|跟)我打(?:个|一个)?电话"),
    SHOW_FACTS: re.compile(r"看看我(?:的|填的|说的)|我填的(?:信息|内容|资料)|你(?:都)?记(?:了|下了|录了)(?:哪些|什么|啥)|我(?:都|之前|刚才|前面|已经)*(?:说|讲|告诉你|填|回答|提供)(?:过|了)(?:些|哪些)?(?:什么|啥|哪些)|(?:你|您)(?:都|现在)?(?:知道|记录|记下|掌握)(?:了)?"
                           r"(?:我|她|他|我妈|我爸)?(?:的)?(?:哪些|什么|啥)|(?:看|查看|列出|显示)(?:一下)?我的(?:回答|答案|信息)|总结一下|汇总一下|回顾一下"),
    SHOW_VERDICT: re.compile(r"能不能参加|可不可以参加|直接(?:告诉|给|说)(?:我)?(?:结果|结论)|(?:告诉|给)我(?:结果|结论)|(?:结果|结论)(?:是什么|怎么样|如何|呢)|跳过|别问了"
                             r"|(?:我|她|他|我妈|我爸|我妈妈|我爸爸)(?:能|可以|能不能|可不可以)(?:参加|入组|入选)" + _ZH_QUESTION
                             + r"|(?:符合|够)(?:条件|资格|要求)(?:吗|没有|不)|(?:合不合适|适不适合|符不符合)"),
    WHY: re.compile(r"问(?:我|她|他)?(?:的)?[^，。？?]{0,6}?(?:干嘛|做什么|干什么|有什么用|有啥用)|为(?:什么|啥)(?:要|你要|需要|你需要)?(?:问|知道|了解)|问(?:这个|这些|这)(?:干(?:嘛|什么|啥|吗)|做什么|搞啥|有什么用|为什么|是为了什么)"
                    r"|^\W*为(?:什么|啥)\W*$|(?:跟|和|与)(?:这个|试验|研究|这)?.{0,12}有(?:什么|啥)关系|有什么关系|为什么(?:这个)?(?:重要|有关系|要紧)"),
    ASK_DRUG: re.compile(r"^\W*海曲泊帕\W*$|(?:海曲泊帕|艾曲(?:波|泊)帕|阿伐曲泊帕|罗(?:米|普)司亭)[^，。]{0,6}(?:吗|？|\?|什么|啥|贵不贵|多少钱|怎么样|安全|副作用)|吃的还是打(?:针|的)|口服还是|药(?:是)?(?:吃的|口服的|打针的?)(?:吗|么|嘛)|(?:这个|研究|试验|新)?药[^，。]{0,3}(?:副作用|安全吗|贵吗|要钱吗|免费吗)|什么药|啥药|(?:研究|试验|这个|新)(?:的)?(?:药|药物)(?:是)?(?:什么|啥|叫什么|怎么样|安全|有什么副作用)|药(?:是|叫)(?:什么|啥)"
                         r"|试验(?:在)?(?:测试|研究)(?:什么|啥)"),
    GOODBYE: re.compile(r"^\W*(?:再见|拜拜|拜|回头见|下次(?:再)?聊|先这样|就这样吧|bye)\W*$"),
    ASK_LOCATION: re.compile(r"(?:在|去)(?:天津|北京|上海|中国)(?:吗|做吗|进行吗)|(?:北京|上海|广州|深圳|外地|本地|当地|我们这|附近)(?:能|可以|有)(?:做|参加)?吗|在哪(?:里|儿)?(?:做|进行|开展)?|哪(?:个|家|所)(?:医院|城市|地方|中心)|什么(?:医院|地方)|(?:必须|需要|要|得)(?:去|到)(?:天津|中国|医院)"
                             r"|地址|多远|(?:北京|上海|广州|我们这|附近|本地)有(?:吗|没有)|能不能在(?:北京|上海|本地|当地)"),
    ASK_CONTACT: re.compile(r"(?:有|留个?|给我)(?:个)?(?:电话|联系方式|邮箱)|(?:怎么|如何|怎样)(?:参加|报名|加入|联系|入组|申请)|联系(?:方式|电话|人|谁)|电话(?:是)?多少|找谁|接下来(?:怎么办|做什么|要做什么|怎么做)"
                            r"|下一步|怎么报名|转诊"),
    THANKS: re.compile(r"^\W*(?:谢谢|多谢|感谢|谢了|非常感谢|太感谢)(?:你|您|啦|了|你们)?(?:了|啦)?\W*$"),
    GREET: re.compile(r"^\W*(?:你好|您好|嗨|哈喽|哈啰|在吗|在不在|早上好|上午好|下午好|晚上好|早|喂)(?:啊|呀)?\W*$"),
}


# An answer said on a condition ("depends how far I have to travel", "only if it's near", "看要跑多远"): the
# condition names the place or the drug, but asks nothing; the answer is followed up as conditional
CONDITION = re.compile(r"^\W*(?:(?:it|that)\s+)?depends\b|^\W*(?:only\s+)?(?:if|as\s+long\s+as|provided|unless)\b"
                       r"|^\W*(?:要|得|那得|那要)?看|^\W*取决于|^\W*(?:如果|要是|只要)", _I)
# Where one sentence ends and the next begins: "why does diabetes matter? I do have it"
# or a dash between spaces, or a comma before a question word: "60 - what have I told you so far?", "39, why does it matter?"
ZH_CLAUSE = re.compile(r"[^。？！?!\n，,；;]+(?:[。？！?!\n，,；;]+|$)")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
SENTENCE = re.compile(r"(?:[^.?!。？！\n\s,]|\s(?![-–—]\s)|,(?!\s*(?:why|what|where|who|how|which|is|are|can|could|do|does)\b))+"
                      r"(?:[.?!。？！\n]+|\s[-–—]\s|,|$)", re.IGNORECASE)


def act_in_words(text: str) -> Optional[str]:
    """The act the words state outright, or None."""
    han = HAS_HAN.search(text) is not None
    for act, pattern in PATTERNS:
        if pattern.search(text) or (han and act in CHINESE and CHINESE[act].search(text)):
            if act in QUESTIONS_TO_THE_BOT and act != WHY and CONDITION.search(text) and not re.search(r"[?？]", text):
                return None  # "depends how far I have to travel": a conditional answer, not a question
            return act
    return None


def said_apart(text: str, act: str) -> Optional[Tuple[str, bool]]:
    """When a question to the bot is a sentence of its own beside others ("why does diabetes matter? I do have
    it, type 1"): the message with the question's sentences blanked (offsets kept), and whether the question
    opens the message. None when every sentence asks it, or it is not a sentence of its own."""
    # Chinese sets a question beside an answer with a comma as often as with a full stop: "26，这药安全吗"
    pattern = ZH_CLAUSE if HAN.search(text) else SENTENCE
    sentences = [m for m in pattern.finditer(text) if m.group().strip()]
    asking = [m for m in sentences if act_in_words(m.group()) == act]
    if not asking or len(asking) == len(sentences):
        return None
    rest = list(text)
    for m in asking:
        rest[m.start():m.end()] = " " * (m.end() - m.start())
    return "".join(rest), asking[0].start() == sentences[0].start()
