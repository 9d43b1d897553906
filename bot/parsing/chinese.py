"""How Chinese says yes, no and "I don't know", negates, hedges, and names the person it is about.

Chinese writes no spaces between words and puts its negation in the word itself ("没有", "不是",
"无效"), so the English patterns of bot/parsing/answers.py and bot/extraction.py, built on words and
word boundaries, read none of it. These are their Chinese counterparts, used by the same functions
whenever a message holds Han characters, so that one reading step serves both languages. Clinical
vocabulary (cancer, drug and condition names) is data, in data/facts.zh-CN.yml.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional, Sequence

from wordfreq.chinese import SIMPLIFIED_MAP

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAS_HAN = re.compile(f"[{HAN}]")


def simplified(text: str) -> str:
    """The text in Simplified characters: "化療上個月底", "沒有", "兩萬二", typed on a phone set to Traditional,
    read as "化疗上个月底", "没有", "两万二". Character by character, by wordfreq's table (which looks its Chinese
    words up this way); no common Simplified character is in it, so Simplified text stays as it is."""
    return text.translate(SIMPLIFIED_MAP) if HAS_HAN.search(text) else text
# The edges of a whole word or phrase: Chinese has no spaces, so a phrase that starts or ends with a
# Han character, or stands beside one ("rhTPO无效", "血小板22", "没有糖尿病"), is whole there.
LEFT_EDGE = rf"(?:(?<![\w-])|(?<=[{HAN}])|(?=[{HAN}]))"
RIGHT_EDGE = rf"(?:(?!\w)|(?<=[{HAN}])|(?=[{HAN}]))"

PUNCTUATION = "，。；！？、：,.;!?:~～…"
_OPENING = rf"^[\s{PUNCTUATION}]*"
# Sounds and words that open a reply without saying anything: "嗯，没有", "呃…不记得了"
_FILLER = rf"(?:(?:嗯|恩|呃|额|哦|噢|喔|啊|唔|那个|这个|其实|说实话|老实说)+[\s{PUNCTUATION}]*)*"
# A "no" said of everything asked together: "都没做过", "两个都没有", "全都没"
SAID_OF_ALL = re.compile(r"(?:都|全都|全|两个都|两样都|哪个都|一个都)(?:没|没有|无|不是|未)")
# Whom a reply is about, before its yes or no: "我没有", "她有", "我妈没有"
RELATIVES = {
    "mother": "妈妈|妈|母亲|老妈|老母亲|娘", "father": "爸爸|爸|父亲|老爸|老父亲|爹",
    "husband": "老公|丈夫|先生|爱人(?=.{0,3}(?:他|男))", "wife": "老婆|妻子|太太|媳妇|爱人",
    "son": "儿子", "daughter": "女儿|闺女", "brother": "哥哥|弟弟|哥|弟", "sister": "姐姐|妹妹|姐|妹",
    "grandmother": "奶奶|外婆|姥姥", "grandfather": "爷爷|外公|姥爷", "aunt": "阿姨|姑姑|姨妈|舅妈",
    "uncle": "叔叔|舅舅|伯伯|姑父", "friend": "朋友", "patient": "病人|患者", "partner": "老伴儿|老伴",
    "mother-in-law": "婆婆|岳母|丈母娘", "father-in-law": "公公|岳父|老丈人",
}
RELATIVE_WORDS = "|".join(sorted((w for ws in RELATIVES.values() for w in ws.split("|")), key=len, reverse=True))
_WHO = rf"(?:(?:我|她|他|我们|他们|她们|病人|患者)(?:的)?(?:{RELATIVE_WORDS})?|(?:{RELATIVE_WORDS})|医生|大夫)?"
# What a reply to a list says it is about: "以上都没有", "这些都没有", "上面的都没有"
_THE_LIST = r"(?:以上(?:的|这些|几项|几种)?|上面(?:的|这些|说的)?|这些|这几个|这几样|这几种|这几项)?"
_LEAD = rf"{_OPENING}{_FILLER}{_WHO}{_THE_LIST}(?:也|都|倒|还|先|确实|一直|目前|现在|暂时|好像|应该|可能|大概|也许|估计|似乎|貌似|我觉得|我想|感觉|基本(?:上)?|几乎)*"

# "I don't know" anywhere wins: "不知道", "记不清了", "没查过" (never tested is no negative result)
UNKNOWN = re.compile(
    r"不(?:是)?(?:很|太|大)?(?:知道|清楚|记得|确定|晓得|了解情况)|记不(?:太|大)?(?:得|清|住)|说不(?:准|清|好|上来)|不好说|难说"
    r"|忘(?:了|记)|搞不(?:清|懂)|弄不清|没(?:有)?(?:注意|留意)|天知道|谁知道|没(?:有)?(?:人)?(?:告诉|说过|讲过)(?:我)?(?!.{0,2}没)"
    r"|没(?:有)?(?:测|查|检查|化验|验|做检查)过?|(?:要|得|需要|我再|再)(?:去)?问(?:一下|问)?(?:医生|大夫|主治)|问问(?:医生|大夫)"
    r"|不一定|没概念|没印象|🤷")
# "医生没说", "这个医生没提过": to a question of what a doctor found or said, not told, so not known (to one the person
# can answer, "Do you have diabetes?", a doubt, asked back); not "医生没说有问题", which says something
DOCTOR_UNTOLD = re.compile(r"(?:医生|大夫)(?:也|都|从来)?(?:没(?:有)?|未)(?:说|讲|提|告诉)(?:过|起过|到过|起)?(?:这个|这些|我们|我)?"
                           r"(?=[\s，。,.!！;；、]|$)")
_NO = re.compile(
    _LEAD + r"(?:不是|不对|不用|不要|不需要|不会|不行|不想|不愿意|不同意|不了|不必"
    r"|没有(?!(?:用|效|升|涨|变化|反应|起色|改善|多久|几|问题|错))|没(?!(?:用|效|啥|什么|反应|多久|几|升|涨|变|起|错|问题|关系))"
    r"|无(?!效|所谓)|否|木有|从(?:来)?(?:没|不|未)|未(?!来)|并(?:没|不|未)|(?:一个|一样|一项|啥|什么|全)(?:都|也)(?:没|不)"
    r"|不(?!过|错|少|到|久|太|一定|仅|只|管|多|但|然|知|清|记|确|晓|好|是很|用谢|客气|见|大))")
_YES = re.compile(
    _LEAD + r"(?:是(?!不是|否|男|女)|对(?!不起|于)|有(?!没有|没|点儿?不|可能|时候)|没错|没问题|好(?!像|久|多|几)|可以|行|同意|愿意|当然|确实|肯定"
    r"|必须的|开始|ok|OK|yes|嗯|恩)", re.IGNORECASE)
# The person denying it of themselves after a relative's mention: "我老公是乙肝，我没有"
_NOT_ME_REPLY = re.compile(r"[，,。；;\s]我(?:本人|自己)?(?:也|都|倒|可)?(?:没有|没|不是|不)[\s，,。！!]*$")
# Said alone, "应该没有" and "我觉得是" are how people say no and yes, as "I don't think so" and "I think
# so" are: the hedge is in the words of something more ("应该没有吧", "应该没有，不太清楚")
BELIEF_ALONE = re.compile(rf"^[\s{PUNCTUATION}]*(?:我)?(?:应该|觉得|我觉得)(?:是)?(?:没有|没|不是|有|是)(?:的)?[\s。.!！]*$")
_ONLY_ASSENT = re.compile(rf"^[\s{PUNCTUATION}]*(?:嗯+|恩+|嗯哼|对对|是是)[\s{PUNCTUATION}]*$")


def classify(text: str) -> Optional[str]:
    """"yes", "no" or "unknown" for a Chinese reply to a yes/no question, or None."""
    if UNKNOWN.search(text):
        return "unknown"
    if _NOT_ME_REPLY.search(text):
        return "no"
    if _ONLY_ASSENT.match(text):
        return "yes"
    if _NO.match(text):
        return "no"
    if _YES.match(text):
        return "yes"
    return None


# What may close a bare reply: "没有了", "有的", "没有啊"
_REPLY_CLOSE = re.compile(rf"(?:有|了|的|啊|吧|呢|过|哦|呀|[\s{PUNCTUATION}])*")


def only_a_reply(text: str) -> bool:
    """Whether a Chinese clause is a bare yes or no and nothing more ("都没有", "我也没有"), not one that names
    something beside it ("有起搏器")."""
    said = _NO.match(text) or _YES.match(text)
    return said is not None and _REPLY_CLOSE.fullmatch(text, said.end()) is not None


# Negation before a phrase in its clause: "没有糖尿病", "无房颤", "不是肺癌", "没得过血栓", "否认乙肝".
# The clause ends at a full stop, a comma or a "but", not at the enumeration comma: "没有糖尿病、胃溃疡".
# In shorthand a space parts the items ("特比澳无效 无出血倾向", "PLT 22 出血倾向"), except right after a
# negation, which still speaks for the item it opens ("无 出血倾向", "否认 糖尿病").
_CLAUSE_BREAK = re.compile(rf"[，。；！？,.;!?\n]|但是|但|不过|可是|只是|就是|除了|而且|并且|(?<![没无不未认非])(?<!没有)\s+")
_NEGATION = re.compile(r"没|无|不|未|否认|排除|非")
# Words with a negation character that negate nothing after them: "有没有" (whether), "不知道"
# ("不太" is a hedge, "not very sure", except before what it denies: "不太能自己做决定"); a verdict on
# what stands before it ("特比澳无效、出血倾向": the drug failed, the bleeding is not denied)
_NOT_NEGATION = re.compile(r"有没有|有没$|是不是|是否|会不会|不知道|不清楚|不记得|不确定|不太(?!能|会|可以|行|愿意|$)|不久|不少|不过|不到|不止|不仅|无论|并非只|不稳定"
                           r"|无效|不(?:管|顶)用|不见效")
NEGATION_WINDOW = 8  # characters before the phrase


def is_negated(text: str, start: int) -> bool:
    before = text[max(0, start - 40):start]
    clause = _CLAUSE_BREAK.split(before)[-1][-NEGATION_WINDOW:]
    return bool(_NEGATION.search(_NOT_NEGATION.sub("", clause)))


# Never tested is no negative result: "没查过乙肝"
UNTESTED = re.compile(r"没(?:有)?(?:测|查|检查|化验|验|筛查)过?|未(?:查|检查|检测)")
# Said of something over, for a fact about now: "以前有过房颤，现在没了", "阿司匹林停了"
RESOLVED = re.compile(r"以前|之前|过去|曾经|早年|去年|前年|(?:[0-9]+|[一二两三四五六七八九十]+|几|好几|多)年(?:前|以前)|小时候|(?:已经|早就|已)?(?:好了|治好|治愈|痊愈|消失|没了)|没再(?:犯|发作|有)|不再|消融|恢复期|已经恢复|止住了")
# ... and said to be over now, or long ago, in so many words: "现在没有了", "三年前的事了", "去年有过一次": a "no" for
# a question about now, as the person says it (a bare "以前有过" may still hold, and a cure "治好了" is offered back
# as no longer there: asked), unless something
# says it goes on ("去年开始老流鼻血", "以前不会，现在还流")
_SAID_OVER = re.compile(r"现在(?:已经|都)?(?:没(?:有)?(?:了)?|没事(?:了)?|好了|正常(?:了)?)(?=[\s，。,.!！;；]|$)"
                        r"|没再(?:犯|发作|有|出)|不再|(?:(?:[0-9]+|[一二两三四五六七八九十]+|好几|多)年(?:前|以前)|去年|前年|小时候)(?!开始|以来|起|到现在|至今)"
                        r"|的事(?:情)?了")
_GOES_ON = re.compile(r"现在(?:还|也|又|仍|依然)|还在|一直|至今|到现在|最近|这几天|这两天|又(?:开始|有|出|流|犯)")


def said_over(text: str) -> bool:
    return bool(_SAID_OVER.search(text)) and not _GOES_ON.search(text)


# A bare answer that it was so once and is over now: "以前有，现在好了", "以前得过，现在没了" (to a question about now, a no;
# not "现在好多了", which is better, not over)
PAST_THEN_OVER = re.compile(rf"^[\s{PUNCTUATION}]*(?:以前|之前|过去|曾经|早年|原来)(?:是|也)?(?:有|得|犯|出现|发作)(?:过)?(?:的|一次|几次|一阵)?"
                            rf"[\s{PUNCTUATION}]*(?:但是|不过|可)?(?:现在|目前|如今)?(?:已经|早就|都)?(?:好了|治好了|没(?:有)?了|没事了|正常了|痊愈了)"
                            rf"[\s{PUNCTUATION}]*$")
CEASED = re.compile(r"停(?:了|药|用|掉)|已停|不(?:吃|用)了|没(?:再)?(?:吃|用)了|以前(?:吃|用)|之前(?:吃|用)")
# "没有化疗过", "从没做过放疗", "无": before a treatment, it never happened
# (not after a length of time or a time: "两个多月没化疗了", "好久没做了", "这个月还没化疗" say since when, not never)
NEVER_HAD = re.compile(r"(?<![天日周期拜月年久近])(?<![天日周期拜月年久近][还都也])(?:没(?:有)?|从(?:来)?(?:没|未)|未|无)(?:做|接受|打|用|进行)?(?:过)?$")
# "3月份以后就没化疗了", "从国庆开始没再打": none since a time, which is when the last one was (as "since March")
# (not after a length or a count: "打了两个月以后就没打了", "做了6个疗程以后" say how long it went on, not when)
COUNTED_SINCE = re.compile(r"(?<![天周期拜年次程])(?<!个月)(?:以后|之后|后|起|开始|以来)\s*(?:就|都|也|便|一直)*\s*(?:没|未)(?:有)?(?:再)?(?:做|打|接受|用|进行)?(?:过)?$")
# A number said as a bound, before or after it: "超过两万", "不到30", "两万多", "二十几"
# an age to come next year or later ("明年满18", "后年三月就满60"): 16 or 17 now, not sure which
# the lowest or highest ever reached ("最低的时候1万", "最低到过8"): a bound on the counts, no latest one
BOUND_BEFORE = re.compile(r"(?:(?:最低|最高|最少|最多)(?:的)?(?:时候|时|那次|那会儿?|一次)?(?:是|有|才|只有|掉到|降到|到过|到)?"
                          r"|超过|大于|高于|多于|不到|低于|少于|小于|不足|不超过|至少|最少|最多|将近|接近|快要|快|虚岁"
                          r"|(?:明年|后年)[^\d，。,;；]{0,4}满)\s*$")
# "64年生的", "1964年出生": a birth year says the age only to a year
BIRTH_YEAR = re.compile(r"(?:(?:19)?\d{2})\s*年\s*(?:出生|生(?:的|人)?)|属(?:鼠|牛|虎|兔|龙|蛇|马|羊|猴|鸡|狗|猪)")  # a zodiac sign: not "家属"
BOUND_AFTER = re.compile(r"^\s*(?:多|几|来|余|以上|以下|出头|不到)")

# A body site that names no primary cancer: where one spread ("肺转移", "骨髓侵犯"), the marrow ("骨髓"), or where a
# cancer named right after it sits ("胃淋巴瘤" is a lymphoma)
SITE_NOT_PRIMARY = re.compile(r"(?:部|上)?(?:的)?(?:多发)?(?:转移|侵犯|浸润|受累|累及)|髓")
SITE_OF_NAMED = re.compile(r"(?:部)?(?:的)?$")
# What follows a phrase and denies it: "糖尿病没有", "乙肝阴性", "血栓：无", "糖尿病 无". Past a space only
# as an item of its own: in "特比澳无效 无出血倾向" the 无 opens the next item and denies the bleeding.
_DENIAL_AFTER = r"(?:也|都|倒是|是|的话)?(?:没有|没|无|否|阴性|转阴|不是|未见|排除|正常)"
# A denial said of several named together after them: "乙肝丙肝都是阴性", "糖尿病、高血压都没有" (each is denied; not
# past "其他", "别的": "高血压别的都没有" denies the rest, not the blood pressure)
LIST_DENIED_AFTER = re.compile(rf"^(?:\s*[、和跟与及/]?\s*(?!其他|其它|别的|其余|剩下|我|她|他)[{HAN}A-Za-z0-9-]{{1,6}}?){{1,3}}?\s*"
                               rf"(?:都|也都|全都|全)(?:是|为)?(?:没有|没|无|阴性|转阴|不是)")
# The test said between the phrase and its result: "EB病毒DNA阴性", "乙肝五项阴性", "丙肝抗体阴性", "CMV-DNA阴性"
_TEST_BETWEEN = r"(?:\s*[-－]?\s*(?:(?i:dna|rna|pcr)|抗体|抗原|表面抗原|核酸|定量|五项|两对半|检测|筛查))*"
POST_NEGATION = re.compile(rf"^(?:\s*[:：=]\s*)?{_TEST_BETWEEN}{_DENIAL_AFTER}|^\s+{_DENIAL_AFTER}(?=\s|$|[{PUNCTUATION}])")

# A kind said as the one before and another as the one now: "我妈以前得过乳腺癌，现在是淋巴瘤" (the question asks
# what is treated now); both said of now ("肺癌和淋巴瘤") stay for the person to say
FORMERLY = re.compile(r"以前|之前|过去|曾经|早年|年前|原来|当年|那时")
NOWADAYS = re.compile(r"现在|目前|这次|这回|正在|如今|最近(?:又)?(?:查出|确诊)|又(?:查出|得了|确诊)")

# A phrase naming a time, not a state: "妊娠期有过血栓", "怀孕的时候血小板就低" tell of something during a
# pregnancy, past or in general, and say nothing of whether she is pregnant now
DURING = re.compile(r"期间|期(?=[^，。；,.;!?！？\s]{0,8}过)|的时候|时候|时(?!间)|那会儿?|那时")
# A verdict said of the drug before it, which shorthand may set apart by a space or the dose and course
# given: "特比澳 无效", "IL-11 无效", "特比澳2疗程无效", "特比澳15000U×7天 无效"
VERDICT = re.compile(r"(?<=.)(?:无效|没用|没效果|效果不好|不管用|有效)$")
DOSE_BETWEEN = r"(?:\s*[×xX*]?\s*(?:[0-9.]+|[一二两三四五六七八九十几]+(?=\s*个?(?:疗程|次|针|天|周)))\s*万?个?(?:疗程|次|针|天|周|U|IU|单位)?)*\s*"

# A verb and its object stand apart as people write them: "流了好几次鼻血", "吐了点血", "咳过血" are 流鼻血, 吐血, 咳血
SEPARABLE_VERB = "流吐咳咯呕拉"
APART = r"(?:了|过|着)?(?:一?点|一些|些|好几次|几次|一次|好多|很多|不少|一口|几口|口)?"


def verb_apart(phrase: str, body: str) -> str:
    """The regex ``body`` of a phrase with its verb allowed to stand apart from its object."""
    if len(phrase) >= 2 and phrase[0] in SEPARABLE_VERB and HAS_HAN.match(phrase[1]):
        return re.escape(phrase[0]) + APART + body[len(re.escape(phrase[0])):]
    return body


# Doubt: "好像没有", "应该没有", "可能有", "我觉得是", "是吧?", "算吗?"
HEDGE = re.compile(r"好像|应该|基本(?:上)?(?=没|不|无|是|有)|几乎|可能|大概|也许|估计|似乎|貌似|我觉得|我感觉|感觉|我认为|我想是|我记得好像|不太确定|印象中|算吗|算不算"
                   r"|(?:还)?(?:没|未)(?:有)?确诊|待查|还在查|怀疑|有(?:一)?点(?!点)|一点点"
                   r"|医生没(?:有)?(?:说|讲|提)|(?:吧|吗)[\s？?。.!！]*$|[？?]\s*$")
# An approximate value is a value, not a doubt: "大概两万左右", "大概是二十", "22左右吧", "八个星期前吧", "10月底吧"
# (大概 before a number, 左右 or a closing 吧 after a number or a time); doubt is in other words ("好像是17吧", "可能有吧")
_NUMERAL = "0-9零〇一二两三四五六七八九十百千万半"
APPROXIMATE = re.compile(rf"(?:大概|大约|差不多)(?:是|在|有)?(?=\s*[{_NUMERAL}])|(?<=[{_NUMERAL}])\s*(?:左右|上下)"
                         rf"|(?<=[{_NUMERAL}天周月年前右下号日底初旬末份])\s*吧(?=[\s。.!！]*$)")
# Two values side by side, a range: "一两个月前吧", "二三十吧", "6-8周" (its 吧 stays a doubt)
_RANGE = re.compile(r"[一二两三四五六七八九]{2}(?:个|十|百|千|万|天|周|星期|月|年|次)|[0-9]+\s*[-~～到至]\s*[0-9]+")


def without_approximation(text: str) -> str:
    """The text less the words that make one value approximate, for the doubt in the rest to be seen."""
    return text if _RANGE.search(text) else APPROXIMATE.sub(" ", text)


# When a value was found, said before it in its clause: "上周是45，昨天复查掉到19了", "上次4万，这次1万" (the value a change
# came to is the latest; "掉到过" is a low once reached)
_WHEN_FOUND = ((3, re.compile(r"今天|这次|这回|现在|目前|最新|复查|(?:掉|降|跌|升|涨|回)(?:到|至)(?!过)")), (2, re.compile(r"昨天|昨日")),
               (1, re.compile(r"前天|上(?:个)?(?:周|星期|礼拜)|上次|上回|之前|以前|原来|本来|刚开始|一开始")))


def when_found(clause: str) -> int:
    """How late the clause before a value says it was found: 3 for now or the latest, 2 for yesterday, 1 for before,
    0 when it does not say."""
    return next((rank for rank, pattern in _WHEN_FOUND if pattern.search(clause)), 0)


# Another lab test's name right before a number: "白细胞3.2，血小板28" (the 3.2 is no platelet count)
LAB_NAME = re.compile(r"(?:白细胞|红细胞|血红蛋白|中性粒细胞|淋巴细胞|血糖|肌酐|转氨酶|谷丙|谷草|胆红素|尿素氮|尿酸|白蛋白)"
                      r"(?:计数|绝对值)?(?:是|为)?\s*[:：=]?\s*$")
EXCEPTION = re.compile(r"除了|除非|如果|要是|只要|只有在|假如|就是(?!说)|(?:不过|但是|可是).{0,6}(?:又|还是|再)")
CONTRAST = re.compile(r"但是|但|不过|可是|只是|就是|只有|只(?=是|打|用|有|做)")
CORRECTION = re.compile(r"说错|打错|写错|搞错|弄错|更正|纠正|我的意思是|我是说|不好意思|抱歉")
# Words that take back what was just said in the same message: "22，打错了，是12", "67岁，不对，是76", "有…不对，
# 没有" ("对不对" asks, "不对劲" is unwell; a "不对" that opens the reply is its "no")
TAKE_BACK = re.compile(r"(?:(?:说|打|写|输|按|搞|弄)错了?|(?:哦|噢|喔|啊|呃)?(?<!对)不对(?:不对)?(?![劲称])|(?:哦|噢|喔)不(?=[\s，,。]|是)"
                       r"|更正(?:一下)?|纠正(?:一下)?)"
                       # with the "是" that brings the number said instead ("是12"), lest it read as a yes
                       r"(?:[\s，,：:]*(?:应该|其实)?是(?=\s*[0-9一二两三四五六七八九十]))?")
REST_DENIED = re.compile(r"(?:其他|其它|别的|其余|剩下)(?:的)?(?:都|也)?(?:没有|没|无|不是)|没(?:有)?别的|就(?:这|这个|这些|这一个)(?:了)?$"
                         r"|只有这(?:个|一个|些)")


# Characters typed for another of the same sound by a pinyin keyboard (the right one first): read as meant only in a
# phrase of the question asked ("飞癌" to the cancer question, "血小扳", "方疗"), a lone character only as the whole
# answer ("难" to the sex question)
SLIPS = {"肺": "飞", "瘤": "流", "病": "并", "板": "扳版", "血": "雪", "龈": "银", "化": "花", "放": "方", "澳": "奥", "男": "难"}


@lru_cache(maxsize=256)
def _slipped(phrase: str) -> Optional[re.Pattern]:
    if not any(ch in SLIPS for ch in phrase):
        return None
    body = "".join(f"[{ch}{SLIPS[ch]}]" if ch in SLIPS else re.escape(ch) for ch in phrase)
    return re.compile(rf"^[\s{PUNCTUATION}]*{body}[\s{PUNCTUATION}]*$" if len(phrase) == 1 else body)


def mended(text: str, phrases: Sequence[str]) -> str:
    """The text with the question's own phrases typed with a slip of the same sound put right (lengths kept)."""
    if not HAS_HAN.search(text):
        return text
    for phrase in phrases:
        pattern = _slipped(phrase) if HAS_HAN.search(phrase) else None
        if pattern is None:
            continue
        if len(phrase) == 1:
            text = pattern.sub(lambda m: m.group().replace(m.group().strip(f" {PUNCTUATION}"), phrase), text)
        else:
            text = pattern.sub(phrase, text)
    return text


def relative(word: str) -> Optional[str]:
    """The English name of a Chinese kinship word ("妈妈" -> "mother"), or None."""
    for name, words in RELATIVES.items():
        if re.fullmatch(words, word):
            return name
    return None


# The relative the message is about: "我妈妈62岁", "替我爸问", "我老公是肺癌"; not one who helps
# ("我老公帮我打字"), tells ("我爸说我容易出血") or gave something ("我哥哥捐的骨髓").
RELATIVE_SUBJECT = re.compile(
    rf"(?:^|[{PUNCTUATION}\s]|是|就是)(?:帮|替|给|为)?我(?:的|家)?(?P<who>{RELATIVE_WORDS})"
    rf"(?![^{PUNCTUATION}]{{0,6}}?(?:帮|替|陪|给|带|送)我|(?:也)?(?:说|讲|告诉|觉得|认为|问|让|叫|捐|给的|提供))")
RELATIVE_MENTION = re.compile(rf"我(?:的|家)?(?:{RELATIVE_WORDS})")
# Said of a relative, not of the person: "我爸有冠心病，我没有" (to the end of the clause)
OF_A_RELATIVE = re.compile(rf"我(?:的|家)?(?:{RELATIVE_WORDS})[^{PUNCTUATION}]*")
# ... or says what the writer has, now, beside a relative's past: "我爸以前是白血病，我现在是结肠癌"
# ... or answers no first and then names the relative who has it: "没有，是我爸有糖尿病", "不是，我妈才是"
NOT_ME = re.compile(rf"不是我|我自己(?:没|不)|(?:^|[{PUNCTUATION}\s])我(?:本人)?(?:也|都|倒|可)?(?:没|不是)"
                    rf"|(?:^|[{PUNCTUATION}\s])我(?:本人|自己)?(?:现在|目前)(?:是|有|得了|得的是)"
                    rf"|^[\s{PUNCTUATION}]*(?:没有|没|不是|无|没得)[\s{PUNCTUATION}]+(?:是|就是|只有|倒是)?我(?:的|家)?(?:{RELATIVE_WORDS})"
                    rf"(?:才|倒是|也)?(?:有|得|是)")
# "快绝经了": a phrase that says no ("绝经") said as not yet so
NEARLY = re.compile(r"(?:快|快要|将要|接近|还没|尚未|未)$")
# The typist describing themselves beside the person asked about: "我是男的，是替我老婆问的", and their own age
# ("我今年45，我老伴50，是我老伴生病", "我是她女儿，我35，我妈72")
TYPIST = re.compile(r"我(?:本人)?是(?:男|女)(?:的|性)?|我(?:本人|自己)?(?:今年|现在|已经)?(?:才|都)?\d{1,3}(?:周岁|岁|了)?(?![\d.万千]|\s*(?:月|号|日|年|周|个|天|次))")
# A phrase asked about, not said: "不知道有没有怀孕", "是不是房颤"
WHETHER = re.compile(r"(?:有没有|是不是|是否|会不会|算不算)(?:得过|有过|有)?$")
# ... or said whom it is about: "我问的是我爸", "患者是我外婆"
EXPLICIT_SUBJECT = re.compile(rf"(?:(?:帮|替|给|为)(?=我(?:的|家)?(?:{RELATIVE_WORDS})(?:问|咨询|查|看))|(?:问|说|填)的是|(?:患者|病人|病号)是)"
                              rf"我(?:的|家)?(?P<who>{RELATIVE_WORDS})")
# "今年62", "年龄：62", "62周岁": an age said as one (a bare "62岁" is read by its unit)
_NOT_AN_AGE_AFTER = r"(?![\d.万千]|\s*(?:月|号|日|年|周|个|天|次|星期|礼拜|-))"
AGE_STATED = re.compile(rf"(?:今年|年龄|岁数|年纪)[:：是有]?\s*(?P<n>\d{{1,3}}){_NOT_AN_AGE_AFTER}"
                        rf"|(?:^|[我她他]|{RELATIVE_WORDS})(?:今年|已经|现在)?都?(?P<n2>\d{{1,3}})(?:周岁|岁|了)")
# Staff shorthand: "女62", "男，58岁", "62岁女"
AGE_SEX = re.compile(r"(?P<sex>女|男)(?:性)?[,，\s]*(?P<n>\d{1,3})(?:岁)?(?![\d.万千])|(?P<n2>\d{1,3})(?:岁)?[,，\s]*(?P<sex2>女|男)(?:性)?(?!\w)")
