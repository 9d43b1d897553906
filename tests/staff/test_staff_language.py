"""Staff mode answers in the language of the message: a Chinese message gets a Chinese checklist
(bot/staff_texts_zh.py beside bot/staff_texts.py, the trial's and the vocabulary's zh-CN wording)."""
from __future__ import annotations

import re

import pytest

from bot import i18n, staff_texts
from bot.conversation import State, Turn
from bot.staff import StaffScreening, message_language
from tests.staff.test_staff_engine import Desk, items
from tests.unit.test_i18n import shape, wording_names

ENGLISH = vars(staff_texts)
CHINESE = vars(i18n.wording(staff_texts.__name__, i18n.CHINESE))
EXAMPLE_ZH = "女62 肺癌 PLT 22 化疗后6周 特比澳无效"
# English words of staff mode's own wording: none may show in a reply to a Chinese message
ENGLISH_WORDS = re.compile(r"\b(?:Read|Not read|Patient|Clinician|Study team|met|unknown|to confirm|need|clinical|"
                           r"Can't tell|Not eligible|Likely eligible|Decides most|ago|wk|summary)\b")


@pytest.fixture
def staff(engine) -> StaffScreening:
    return StaffScreening(engine)


def test_every_staff_text_has_its_chinese_wording_with_the_same_placeholders():
    assert [n for n in wording_names(ENGLISH) if n not in CHINESE] == []
    assert [n for n in wording_names(CHINESE) if n not in ENGLISH] == []
    for name in wording_names(CHINESE):
        if ENGLISH[name] != {}:  # a lookup the translation fills (COMPACT_UNITS): no shape to keep
            assert shape(CHINESE[name]) == shape(ENGLISH[name]), name
    assert set(CHINESE["STAFF_LABELS"]) == set(ENGLISH["STAFF_LABELS"])


def test_a_chinese_message_gets_a_chinese_checklist_that_fits_a_phone(staff):
    desk = Desk(staff)
    [reply] = desk.say(EXAMPLE_ZH)
    assert desk.state.language == i18n.CHINESE
    facts = desk.state.facts
    assert facts["platelet_count"] == 22 and facts["platelet_boosters_failed"] is True and facts["age"] == 62
    lines = reply.text.splitlines()
    assert lines[0] == "❓ 暂无法判断：16条标准因缺少患者信息而未定。"
    assert lines[1] == "NCT05236582 · 海曲泊帕治疗化疗后血小板减少的研究"
    assert lines[2].startswith("最关键：出血倾向；CIT；")
    assert lines[3] == "✅ 符合2（I1, I2） · ❓ 未知16 · 🩺 待确认6"
    assert lines[4].startswith("❓ 患者：末次放疗；") and lines[5].startswith("🩺 临床医生：")
    assert lines[6] == "🩺 研究团队：E2, E15筛选时确认。"
    assert lines[7].startswith("已读取：性别：女性；年龄：62岁；肿瘤类型：实体瘤；")
    assert "最近一次化疗：2026年10月12日（6周前）" in lines[7]
    assert not ENGLISH_WORDS.search(reply.text), reply.text
    assert len(reply.text) < 1500
    listed = [label for line in lines[2:7] for label in re.split("[；：]", line.rstrip("。"))[1:]]
    assert len(listed) == len(set(listed))  # each open fact once
    # each criterion with its Chinese explanation (the trial's zh-CN why), for the clients and the summary
    age = items(reply)["inc-age"]
    assert age["line"] == "✅ I2 只有年满18周岁的成年人才能参加 — 年龄：62岁"


def test_a_settled_criterion_not_met_says_why_in_chinese(staff):
    desk = Desk(staff)
    [reply] = desk.say("女62 肺癌 PLT 45 化疗后6周")
    lines = reply.text.splitlines()
    assert lines[0] == "❌ 不符合：I5不符合。"
    assert lines[2].startswith("❌ I5 这项研究面向血小板计数低于30×10⁹/L") and lines[2].endswith("— 血小板计数：45 ×10⁹/L")


def test_the_commands_in_chinese_and_the_language_of_each_message(staff):
    desk = Desk(staff)
    desk.say(EXAMPLE_ZH)
    [reply] = desk.say("PLT 40")  # shorthand alone says no language: the last one stays
    assert "已更新血小板计数：22 ×10⁹/L → 40 ×10⁹/L。" in reply.custom["notes"]
    [reply] = desk.say("汇总")
    assert reply.text.startswith("患者汇总，NCT05236582（海曲泊帕治疗化疗后血小板减少的研究）：")
    assert "- 血小板计数：40 ×10⁹/L" in reply.text and reply.text.endswith("仅为筛查辅助；是否入选由研究团队确认。")
    [reply] = desk.say("还缺什么")
    assert reply.text.startswith("NCT05236582（海曲泊帕治疗化疗后血小板减少的研究）仍缺少（按决定作用排序）：")
    [reply] = desk.say("summary")  # English now
    assert reply.text.startswith("Patient summary, NCT05236582 (Using Herombopag")
    assert desk.state.language == i18n.ENGLISH
    [reply] = desk.say("新病人：男58 小细胞肺癌 PLT 40")
    assert desk.state.facts["age"] == 58 and "62" not in reply.text
    assert reply.custom["notes"][0].startswith("已读取：性别：男性；年龄：58岁；")


def test_what_is_not_read_in_a_chinese_message_is_said_in_chinese(staff):
    [reply] = Desk(staff).say(EXAMPLE_ZH + " 啦啦啦")
    assert "未读取：“啦啦啦”。" in reply.custom["notes"]


@pytest.mark.parametrize("text, current, language", [
    (EXAMPLE_ZH, None, i18n.CHINESE),
    ("62F NSCLC, plt 22k, last chemo 6w ago", i18n.CHINESE, i18n.ENGLISH),  # "last", "chemo": English words
    ("PLT 18, rhTPO x2", i18n.CHINESE, i18n.CHINESE),
    ("62F NSCLC", None, None),
    ("请用中文", i18n.ENGLISH, i18n.CHINESE),
    ("summary", i18n.CHINESE, i18n.ENGLISH),
])
def test_the_language_of_a_message(text, current, language):
    assert message_language(text, current) == language


def test_slack_and_teams_lay_a_chinese_checklist_out_in_chinese(staff):
    """The channels lay a reply out from its ``custom`` alone, outside the turn: in the language it carries."""
    from channels.formatting import slack_messages, teams_activities

    [reply] = staff.handle(State(), Turn(EXAMPLE_ZH)).replies
    custom = {**reply.custom, "language": i18n.CHINESE}  # as the action sends it (actions/screening.py)
    for messages in (slack_messages(reply.text, custom=custom), teams_activities(reply.text, custom=custom)):
        shown = "\n".join(shown_texts(messages))
        assert "✅ 符合2（I1, I2） · ❓ 未知16 · 🩺 待确认6" in shown and "❓ 患者：" in shown, shown
        assert not ENGLISH_WORDS.search(shown), shown


def shown_texts(value):
    """Every text a Slack message or a Teams activity shows."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("text", "summary") and isinstance(item, str):
                yield item
            else:
                yield from shown_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from shown_texts(item)
