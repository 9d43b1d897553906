"""Second-person explanations turned into the third person for a screening about someone else."""
from __future__ import annotations

import pytest

from bot.person import third_person


@pytest.mark.parametrize("subject, text, expected", [
    ("your mother", "You are 18 or older, as the study requires.", "She is 18 or older, as the study requires."),
    ("your mother", "Your platelet count is below 30 and you have signs of easy bleeding.",
     "Her platelet count is below 30 and she has signs of easy bleeding."),
    ("your father", "Your doctor expects you to live at least six more months.",
     "His doctor expects him to live at least six more months."),
    ("your husband", "You cannot become pregnant, or you use reliable contraception.",
     "He cannot become pregnant, or he uses reliable contraception."),
    ("your dad", "You're not pregnant and you've had no clots.", "He's not pregnant and he's had no clots."),
    ("your mum", "If you are bleeding now, please seek urgent care.", "If she is bleeding now, please seek urgent care."),
    ("your partner", "You have had no blood clots; your doctor can confirm.",
     "They have had no blood clots; their doctor can confirm."),
    ("your son", "The study team will talk with you about the plan.", "The study team will talk with him about the plan."),
])
def test_third_person(subject, text, expected):
    assert third_person(text, subject) == expected


def test_without_a_subject_the_text_is_unchanged():
    assert third_person("You are 18 or older.", None) == "You are 18 or older."


def test_chinese_explanations_speak_of_the_relative():
    assert third_person("您的血小板低于30×10⁹/L，并且您有出血倾向。", "your mother") == "她的血小板低于30×10⁹/L，并且她有出血倾向。"
    assert third_person("您已满18岁。", "your friend") == "TA已满18岁。"
