"""The words lab results are read by: the Chinese names of the liver and kidney tests (facts.zh-CN.yml `times_normal`,
added to the English groups when the vocabulary is loaded), and the test named between a phrase and its result."""
from __future__ import annotations

import pytest

from bot.parsing import chinese
from bot.store import load_vocabulary
from trialbot.config import PROJECT_ROOT


def test_the_chinese_test_names_join_the_english_groups():
    groups = load_vocabulary(PROJECT_ROOT / "data" / "facts.yml")["liver_kidney_ok"].times_normal["groups"]
    assert {"alt", "bili", "转氨酶", "胆红素", "肝功"} <= set(groups["liver"])
    assert {"creat", "cr", "肌酐", "肾功"} <= set(groups["kidney"])
    assert "肝肾功能" in groups["liver"] and "肝肾功能" in groups["kidney"]  # both groups in one name


@pytest.mark.parametrize("after", ["DNA阴性", "-DNA阴性", "五项阴性", "抗体阴性", "阴性", " 无"])
def test_a_result_after_the_test_named_denies_the_phrase(after):
    assert chinese.POST_NEGATION.match(after)


@pytest.mark.parametrize("after", ["DNA阳性", "抗体", "五项"])
def test_the_test_named_alone_or_positive_denies_nothing(after):
    assert not chinese.POST_NEGATION.match(after)
