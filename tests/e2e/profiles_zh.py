"""Whole conversations in Simplified Chinese (zh-CN), as data: who the person is, what they type when
each fact is asked, and the verdict a careful reader reaches from it, with the criteria behind it.

The shape follows tests/e2e/profiles.py (fact key -> what the person types when asked), in the words
Chinese patients and their families use. Dates are relative to today ("六周前"), because the servers
use the real date. A bundled question ("下面这些有吗?") is answered BUNDLE_YES when the profile says
yes to any of its facts, BUNDLE_NO when to none, as tests/e2e/conftest.py's ``complete`` does in English;
facts asked together ("您今年多大年纪？是男性还是女性？") get their answers in one message.

tests/unit/test_profiles_zh.py checks that every conversation names real facts and criteria and that
its expected verdict follows from what its answers mean (``meaning``); ``converse`` holds one conversation,
through the engine in words (tests/unit/test_chinese_conversations.py, no model) or through the REST
channel of the real servers (tests/e2e/test_chinese_conversations.py), to that verdict.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from tests.contract import asks_a_list

BUNDLE_YES = "有"
BUNDLE_NO = "没有"
DONT_KNOW = "不知道"
TOGETHER = "，"  # between the answers to facts asked together ("肺癌，62岁，女")


@dataclass(frozen=True)
class Ago:
    """A date given as "N days ago" in the answers, resolved against the day the test runs."""

    days: int


# The exclusions a fitting person says "no" to, and what that means.
EXCLUSIONS = ("uncontrolled_organ_disease", "infection_serology_positive", "ebv_cmv_dna_positive", "severe_bleeding",
              "heart_disease_treated", "heart_failure_severe", "heart_attack_or_angina_recent", "arrhythmia",
              "uncontrolled_hypertension", "bundle_branch_block", "thrombotic_disease", "transplant", "diabetes",
              "stomach_ulcer", "autoimmune_disease", "sepsis", "other_abnormal_bleeding", "antiplatelet_drugs",
              "treatment_toxicity_unresolved", "mental_disorder_limits_consent", "pregnant", "breastfeeding")
NO_EXCLUSIONS: Dict[str, str] = {
    **{key: "没有" for key in EXCLUSIONS},
    "antiplatelet_drugs": "没吃过这些药",
    "severe_bleeding": "没有，没吐血也没黑便",
    "transplant": "没做过移植",
    "infection_serology_positive": "都是阴性",
    "treatment_toxicity_unresolved": "没有，副作用都过去了",
    "mental_disorder_limits_consent": "没有，脑子清楚",
}
NO_EXCLUSIONS_MEANING: Dict[str, Any] = {key: False for key in EXCLUSIONS}

# A 62-year-old woman with lung cancer, past the menopause, who fits the trial, in her own words.
ELIGIBLE: Dict[str, str] = {
    **NO_EXCLUSIONS,
    "age": "62岁",
    "sex": "女",
    "cancer_type": "肺癌",
    "platelet_count": "血小板两万二",
    "bleeding_tendency": "有，身上老是青一块紫一块的",
    "chemo_induced_thrombocytopenia": "是，医生说是化疗引起的",
    "platelet_boosters_failed": "特比澳打了好几次，没什么用",
    "last_chemotherapy": "六周前",
    "last_radiotherapy": "没做过放疗",
    "survival_six_months": "医生说过，半年以上没问题",
    "willing_to_consent": "愿意",
    "liver_kidney_ok": "肝肾功能都正常",
    "uses_contraception": "不用，我绝经了",
    "childbearing_potential": "不能，已经绝经好几年了",
    "qtc_ms": "QTc 420",
}
ELIGIBLE_MEANING: Dict[str, Any] = {
    **NO_EXCLUSIONS_MEANING,
    "age": 62, "sex": "female", "cancer_type": "solid_tumour", "platelet_count": 22, "bleeding_tendency": True,
    "chemo_induced_thrombocytopenia": True, "platelet_boosters_failed": True, "last_chemotherapy": Ago(42),
    "last_radiotherapy": "never", "survival_six_months": True, "willing_to_consent": True, "liver_kidney_ok": True,
    "childbearing_potential": False, "qtc_ms": 420,
}

# What only a doctor can say, asked of someone who does not know.
CLINICIAN_FACTS = ("survival_six_months", "liver_kidney_ok", "uncontrolled_organ_disease", "ebv_cmv_dna_positive",
                   "uncontrolled_hypertension", "qtc_ms", "bundle_branch_block", "other_abnormal_bleeding",
                   "mental_disorder_limits_consent")
# The study team's own checks, open in every verdict and never counted as passed.
STUDY_TEAM_OPEN = ("exc-poor-compliance", "exc-investigator-judgement", "exc-serious-comorbidity")


@dataclass(frozen=True)
class Conversation:
    """One whole conversation: the answers, what they mean, and the verdict they lead to."""

    who: str  # in English: the test's id
    answers: Mapping[str, str]  # fact key -> what the person types when asked
    meaning: Mapping[str, Any]  # fact key -> what a careful reader records (None: not known)
    verdict: str  # likely_eligible | not_eligible | uncertain
    not_met: Tuple[str, ...] = ()  # exactly the criteria that rule the person out
    unknown: Tuple[str, ...] = ()  # criteria still open, beyond the study team's own
    volunteered: Tuple[str, ...] = ()  # said right after consent, before any question
    given: Tuple[str, ...] = ()  # facts the volunteered messages settle: never asked again
    corrections: Mapping[str, str] = field(default_factory=dict)  # fact key -> said right after answering it
    never_asked: Tuple[str, ...] = ()  # facts the bot must not ask about

    def facts(self, today: date) -> Dict[str, Any]:
        """The meaning with relative dates made real."""
        return {key: (today - timedelta(days=value.days)).isoformat() if isinstance(value, Ago) else value
                for key, value in self.meaning.items()}


def _changed(answers: Mapping[str, str], meaning: Mapping[str, Any], **kwargs: Any) -> Conversation:
    """A person like the eligible one except for ``answers``."""
    return Conversation(answers={**ELIGIBLE, **answers}, meaning={**ELIGIBLE_MEANING, **meaning}, **kwargs)


def _not_fitting(who: str, answers: Mapping[str, str], meaning: Mapping[str, Any], failing: str) -> Conversation:
    return _changed(answers, meaning, who=who, verdict="not_eligible", not_met=(failing,))


CONVERSATIONS: Tuple[Conversation, ...] = (
    # -- people who fit
    Conversation("fits, in her own words", ELIGIBLE, ELIGIBLE_MEANING, "likely_eligible"),
    _changed({"age": "五十六", "cancer_type": "乳腺癌，骨转移", "platelet_count": "PLT 1.8万",
              "platelet_boosters_failed": "rhTPO和IL-11都用过，血小板还是上不来",
              "last_chemotherapy": "两个月前", "bleeding_tendency": "刷牙牙龈出血"},
             {"age": 56, "platelet_count": 18, "last_chemotherapy": Ago(61)},
             who="fits, with numerals and abbreviations", verdict="likely_eligible"),
    _changed({"age": "她68了", "sex": "女的", "cancer_type": "我妈是结肠癌", "platelet_count": "她上周查的是十九",
              "bleeding_tendency": "她腿上好多出血点", "childbearing_potential": "不可能，她都绝经二十年了"},
             {"age": 68, "platelet_count": 19},
             who="a daughter for her mother", verdict="likely_eligible",
             volunteered=("我是替我妈问的",), given=("sex",)),
    _changed({"cancer_type": "胃癌", "uses_contraception": "有，用避孕套"},
             {"age": 58, "sex": "male", "childbearing_potential": None, "uses_contraception": True},
             who="a man who says who he is first", verdict="likely_eligible",
             volunteered=("我男的，58岁，胃癌",), given=("age", "sex", "cancer_type"),
             never_asked=("pregnant", "breastfeeding", "childbearing_potential")),
    # -- people who do not fit, one criterion each
    _not_fitting("blood cancer", {"cancer_type": "急性白血病"}, {"cancer_type": "blood_cancer"}, "scope-solid-tumour"),
    _not_fitting("aged 17", {"age": "17岁"}, {"age": 17}, "inc-age"),
    _not_fitting("platelets 45", {"platelet_count": "4.5万"}, {"platelet_count": 45}, "inc-platelets-bleeding"),
    _not_fitting("no bleeding tendency", {"bleeding_tendency": "没有，身上没青紫，也不流鼻血"},
                 {"bleeding_tendency": False}, "inc-platelets-bleeding"),
    _not_fitting("rhTPO and IL-11 never tried", {"platelet_boosters_failed": "没打过特比澳，也没用过白介素"},
                 {"platelet_boosters_failed": False}, "inc-cit-refractory"),
    _not_fitting("last chemotherapy two weeks ago", {"last_chemotherapy": "两周前"},
                 {"last_chemotherapy": Ago(14)}, "inc-treatment-break"),
    _not_fitting("radiotherapy three weeks ago", {"last_radiotherapy": "三个礼拜前放疗刚结束"},
                 {"last_radiotherapy": Ago(21)}, "inc-treatment-break"),
    _not_fitting("aspirin", {"antiplatelet_drugs": "每天吃一片阿司匹林"}, {"antiplatelet_drugs": True},
                 "exc-antiplatelet-drugs"),
    _not_fitting("diabetes", {"diabetes": "有糖尿病，打胰岛素"}, {"diabetes": True}, "exc-serious-comorbidity"),
    _not_fitting("hepatitis B", {"infection_serology_positive": "乙肝大三阳"}, {"infection_serology_positive": True},
                 "exc-infections"),
    _not_fitting("a clot in the leg", {"thrombotic_disease": "去年腿上长过血栓"}, {"thrombotic_disease": True},
                 "exc-thrombosis"),
    _not_fitting("a kidney transplant", {"transplant": "做过肾移植"}, {"transplant": True}, "exc-transplant"),
    _not_fitting("pregnant", {"age": "34", "childbearing_potential": "能", "uses_contraception": "有，上了环",
                              "pregnant": "怀孕了，两个多月"},
                 {"age": 34, "childbearing_potential": True, "uses_contraception": True, "pregnant": True},
                 "exc-pregnancy"),
    # -- not knowing
    _changed({"platelet_count": "不知道，化验单不在手边", "antiplatelet_drugs": "不清楚吃的药算不算"},
             {"platelet_count": None, "antiplatelet_drugs": None},
             who="does not know the count or the medicines", verdict="uncertain",
             unknown=("inc-platelets-bleeding", "exc-antiplatelet-drugs")),
    _changed({key: "不知道，得问医生" for key in CLINICIAN_FACTS}, {key: None for key in CLINICIAN_FACTS},
             who="leaves the doctor's questions to the doctor", verdict="likely_eligible",
             unknown=("inc-survival", "inc-organ-function", "exc-cardiac-qt")),
    # -- corrections
    _changed({"platelet_count": "35"}, {"platelet_count": 25},
             who="corrects the platelet count", verdict="likely_eligible",
             corrections={"platelet_count": "不好意思说错了，是25"}),
)


# What the person says to open the conversation and to agree to the screening
GREETING, CONSENT = "你好", "好的，开始吧"
MAX_TURNS = 80


def bundle_answer(conversation: Conversation, asks: List[str]) -> str:
    meanings = [conversation.meaning.get(k) for k in asks]
    if any(m is True for m in meanings):
        return BUNDLE_YES
    return BUNDLE_NO if all(m is False for m in meanings) else DONT_KNOW


def converse(conversation: Conversation, say: Callable[[str], List[Optional[Mapping[str, Any]]]],
             log: Callable[[], str]) -> Dict[str, Any]:
    """The whole conversation, the person typing every answer in words; the verdict payload it ends with.

    ``say`` sends one message and returns the ``custom`` payload (reply contract) of each of the bot's
    replies; ``log`` is the transcript so far, for failure messages. Every question is answered from
    the profile; a bundled list gets "有" when the profile says yes to any of its items (then each item
    is asked on its own), "没有" when to none; a check-back or read-back is confirmed, as the person
    would. A fact answered is never asked again (but for a correction), nor one in ``never_asked``.
    """
    customs = say(GREETING)
    customs = say(CONSENT)
    for message in conversation.volunteered:
        customs = say(message)
    answered = set(conversation.given)
    corrected = set()
    for _ in range(MAX_TURNS):
        verdicts = [c["verdict"] for c in customs if c and "verdict" in c]
        if verdicts:  # a decided "not eligible" is followed by the offer of the remaining questions
            return verdicts[-1]
        custom = customs[-1] if customs else None
        assert custom and "asks" in custom, f"neither a question nor a verdict\n{log()}"
        if "read_back" in custom or "confirm" in custom:
            customs = say("/affirm")
            continue
        asks = list(custom["asks"])
        if asks_a_list(custom):
            said = bundle_answer(conversation, asks)
            customs = say(said)
            if said != BUNDLE_YES:  # a "yes" to the list brings its items one by one
                answered.update(asks)
            continue
        if len(asks) > 1:  # facts asked together: each said; one the bot could not tell apart is asked alone
            assert not set(asks) & answered, f"{asks} asked again\n{log()}"
            customs = say(TOGETHER.join(conversation.answers[key] for key in asks))
            continue
        key = asks[0]
        assert key not in answered or key in conversation.corrections, f"{key} asked again\n{log()}"
        assert key not in conversation.never_asked, f"{key} must not be asked\n{log()}"
        customs = say(conversation.answers[key])
        answered.add(key)
        if key in conversation.corrections and key not in corrected:
            corrected.add(key)
            customs = say(conversation.corrections[key])
    raise AssertionError(f"no verdict after {MAX_TURNS} turns\n{log()}")


def check_verdict(conversation: Conversation, verdict: Mapping[str, Any], log: Callable[[], str]) -> None:
    """The verdict the conversation's answers lead to, with exactly the criteria behind it."""
    status = {c["id"]: c["status"] for c in verdict["criteria"]}
    assert verdict["status"] == conversation.verdict, f"{status}\n{log()}"
    assert sorted(k for k, s in status.items() if s == "not_met") == sorted(conversation.not_met), f"{status}\n{log()}"
    assert all(status[k] == "unknown" for k in conversation.unknown), f"{status}\n{log()}"
