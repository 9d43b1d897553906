"""The words of a patient's message that nothing was read from.

A reading is only as sure as the message is fully read: "No, just my sugar, I take metformin" to a list of
illnesses reads a "no" and leaves "sugar" and "metformin" over; "yes, I had rhTPO and my platelets came back
up after it" reads a "yes" and leaves "came back up" over. What is left over may take back, narrow or
contradict what was read, so bot.conversation offers such a reading back rather than storing it unless it
rules the person out (bot.understanding keeps the rest of the reading's doubts).

A word counts as read when it is part of what bot.understanding.read_spans finds read (a value, a phrase
naming a fact read or asked, the question's own answer wording, a time, whose fact it is, the reply), when
it repeats the question's own words, or when it carries no fact on its own: a function word (scikit-learn's
English stop words, less those that carry a fact, a time or a limit here), a reply ("yep", "nope") or a
filler ("honestly", "um"). Chinese is cut into words by jieba, as Rasa's JiebaTokenizer cuts it, and its
function words are set aside the same way.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, List, Sequence, Tuple

import jieba
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS


# scikit-learn's list holds words that carry a health fact in a patient's answer ("serious bleeding", "side
# effects", "thin blood"), a time ("last", "since") or a limit ("only", "except", "over", "still"): content here
CLINICAL_STOP_WORDS = frozenset({"serious", "side", "back", "thick", "thin", "full", "empty", "fire",
                                 "still", "yet", "again", "until", "except", "besides", "but", "only", "though",
                                 "although", "however", "otherwise", "perhaps", "less", "more", "most", "least",
                                 "over", "under", "few", "several", "without", "before", "after", "since",
                                 "next", "once"})
# Words of a reply and of the talk around it, which say no fact on their own. Who said it is read apart (a
# belief, a doctor's word: bot.parsing.answers.said_as_belief), as are a correction ("I meant") and a number
# in words (bot.parsing.numbers); "x" is a count's ("rhTPO x3"); a treatment "finished" or "stopped" is read
# by the date and current-only readers; a "problem" or a "condition" names nothing without the word beside it (medicines
# do: "lupus, quiet for years, no meds").
REPLY_WORDS = frozenset("""
    yes yeah yea yep yup ya yah ye aye sure correct right true ok okay k kk alright fine
    no nope nah nay none nothing not never negative
    um umm erm er uh hmm oh ah well so honestly actually really definitely certainly absolutely indeed
    hi hello hey thanks thank please sorry lol haha
    i i'm im i've ive i'd id me my mine myself we we've our us
    you you're your he he's she she's her hers his him they they're them their it it's its
    do does did don't dont doesn't doesnt didn't didnt have has had haven't havent hasn't hasnt hadn't
    am is are was were isn't isnt aren't wasn't wasnt weren't be been being
    can can't cant cannot could couldn't will won't would wouldn't should shouldn't
    get got gotten any anything just think
    said say says told tell doctor doctors dr oncologist consultant nurse gp team
    mean meant wait oops correction mistake typo x
    finished completed ended stopped
    problem problems issue issues trouble troubles condition conditions stuff thing things
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand
""".split())
EMPTY_ENGLISH = (ENGLISH_STOP_WORDS - CLINICAL_STOP_WORDS) | REPLY_WORDS
# What is said around an answer in more than one word: "of course", "thank god", "no problem"
REPLY_PHRASES = re.compile(r"\b(?:of\s+course|for\s+sure|thank\s+(?:god|goodness|heavens)|no\s+(?:problem|worries|way)"
                           r"|not\s+at\s+all|all\s+good|as\s+far\s+as\s+i\s+know|(?:like|of)\s+(?:that|this|those|the\s+sort|that\s+sort))\b",
                           re.IGNORECASE)
CONTRACTION = re.compile(r"['’](?:s|ll|re|ve|d|m)$", re.IGNORECASE)
# Chinese function words, particles, pronouns and replies: 的 了 吗 我 是 没有 ...
EMPTY_CHINESE = frozenset("""
    的 了 吗 呢 吧 啊 呀 啦 哦 嗯 哈 喔 噢 嘛 么 着 过 地 得 之
    我 我们 你 你们 他 她 他们 她们 它 自己 本人 咱
    是 不是 对 对的 是的 有 没有 没 无 不 不会 不用 也 都 就 还 又 才 只 很 太 挺 比较 已经 一直 一下 一些 一点
    在 和 跟 与 及 或 或者 还是 但 但是 可是 不过 而且 所以 因为 然后 如果 那 这 那个 这个 这些 那些 个 些
    好 好的 行 可以 能 会 要 去 知道 不知道 谢谢 请 您 呗 啥 什么 怎么 哪 哪个 应该 大概 估计
    说 说过 医生 大夫 问 问的 帮 替 代 做 做过 打 吃 用
    今年 去年 前年 现在 以前 之前 之后 以后 后来 目前 当时 最近 刚 刚刚 早就 年 月 号 日 周 星期 天 前 后 岁 周岁 次 上
""".split())
CHINESE_NUMERALS = frozenset("零一二三四五六七八九十百千万两半几")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
HAN = re.compile(r"[\u3400-\u9fff]")


def left_unread(text: str, read: Sequence[Tuple[int, int]], echoed: Iterable[str] = ()) -> List[str]:
    """The words of ``text`` outside the spans ``read`` that say something of their own. ``echoed``: the
    question's own text, whose words the answer may repeat ("no heart problems" to "Do you have heart
    problems ...?") without saying more than its reply."""
    echo = {word.lower() for question in echoed for _, word in _words(question)}
    read = [*read, *(m.span() for m in REPLY_PHRASES.finditer(text))]
    left = []
    for start, word in _words(text):
        end = start + len(word)
        if any(s < end and start < e for s, e in read):
            continue
        plain = word.lower().replace("’", "'")
        if CONTRACTION.sub("", plain) in EMPTY_ENGLISH or plain in echo or plain[:-1] in echo and plain.endswith("s"):
            continue  # "there's", "that'll"; "problems" to a question of a "problem"
        if plain in EMPTY_ENGLISH or plain in EMPTY_CHINESE or (HAN.search(plain) and _all_empty(plain)):
            continue
        left.append(word)
    return left


def _words(text: str) -> List[Tuple[int, str]]:
    words: List[Tuple[int, str]] = []
    for match in WORD.finditer(text):
        if HAN.search(match.group()):
            offset = match.start()
            for token in _cut(match.group()):
                words.append((offset, token))
                offset += len(token)
        else:
            words.append((match.start(), match.group()))
    return words


@lru_cache(maxsize=1024)
def _cut(run: str) -> Tuple[str, ...]:
    return tuple(jieba.lcut(run, HMM=False))


def _all_empty(token: str) -> bool:
    """A Chinese token jieba left whole whose characters are each a function word or a numeral ("我也", "四个")."""
    return all(ch in EMPTY_CHINESE or ch in CHINESE_NUMERALS for ch in token)
