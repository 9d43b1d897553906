"""The short version of the understanding benchmark (benchmarks/understanding.py): the whole corpus
through the engine's reader, with the words alone (the full benchmark adds the trained NLU model).

The figures are a ratchet: they may only get better. Lowering one to make a change pass means the
change reads people worse. The Chinese corpus (zh-CN) has its own ratchet, as its figures are its own.
"""
from __future__ import annotations

import re
from collections import Counter

import pytest

from benchmarks import understanding as bench

# With the blind batches of six rounds (dev/fresh_*.yml, staff_notes_*.yml, fresh_lists_3.yml, fresh_patient_4.yml,
# fresh_patient_6.yml, staff_notes_6.yml: each written before the reader was read or run) and their fixes: 3409 dev
# cases, misread 0.23%, none unsafely (a "yes" to repeated rhTPO that failed needs the repeat said: `yes_needs` in
# data/facts.yml). Read right 72.9%: it was 85.7% until the seventh session, when a reading that would move a
# criterion towards passing, from a message with words left unread, became one offered back rather than stored
# (bot.parsing.left_unread), and readings told with consent were offered back after it. That moved 437 dev
# readings from "read right" to "confirmed back" by design, and on the held-out part took the unsafe misreadings
# from 19 to 7; the right figure is a ratchet again from here.
MAX_UNSAFE_DEV = 0
MIN_RIGHT_DEV = 0.729
MAX_MISREAD_DEV = 0.0024
# Chinese (issue 15), with the sixth blind batches (zh-CN/dev/fresh_round_6.yml, staff_notes_6.yml; 1493 dev cases):
# read right 77.5% (89.6% before readings with words left unread were offered back), misread 0.27%, none unsafely.
MAX_UNSAFE_DEV_ZH = 0
MIN_RIGHT_DEV_ZH = 0.775
MAX_MISREAD_DEV_ZH = 0.0027


def _tally(language: str):
    engine, staff = bench.engines()
    nlu = bench.NLU(None)
    counts = {part: Counter() for part in bench.PARTS}
    for case in bench.load_cases(language=language):
        counts[case.part][bench.score(case, bench.observe(case, engine, staff, nlu), engine)] += 1
    return counts


@pytest.fixture(scope="module")
def tallies():
    return _tally(bench.ENGLISH)


@pytest.fixture(scope="module")
def chinese_tallies():
    return _tally("zh-CN")


def test_the_corpus_is_large_and_a_fifth_of_it_is_held_out(tallies):
    total = sum(sum(t.values()) for t in tallies.values())
    assert total >= 1500
    assert sum(tallies["test"].values()) >= total / 5


def test_no_more_dev_cases_are_misread_unsafely_than_the_known_ones(tallies):
    assert tallies["dev"][bench.UNSAFE] <= MAX_UNSAFE_DEV


def test_dev_cases_are_read_right_and_rarely_misread(tallies):
    total = sum(tallies["dev"].values())
    assert tallies["dev"][bench.RIGHT] / total >= MIN_RIGHT_DEV
    assert (tallies["dev"][bench.MISREAD] + tallies["dev"][bench.UNSAFE]) / total <= MAX_MISREAD_DEV


def test_no_more_chinese_dev_cases_are_misread_unsafely_than_the_known_ones(chinese_tallies):
    assert chinese_tallies["dev"][bench.UNSAFE] <= MAX_UNSAFE_DEV_ZH


def test_chinese_dev_cases_are_read_right_and_rarely_misread(chinese_tallies):
    dev = chinese_tallies["dev"]
    total = sum(dev.values())
    assert dev[bench.RIGHT] / total >= MIN_RIGHT_DEV_ZH
    assert (dev[bench.MISREAD] + dev[bench.UNSAFE]) / total <= MAX_MISREAD_DEV_ZH


HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def test_unreadable_text_never_gives_consent_or_a_fact(tallies):
    engine, staff = bench.engines()
    nlu = bench.NLU(None)
    for case in bench.load_cases():
        # Chinese is read since issue 15: Han text is not unreadable, and its readings are scored as cases
        if case.act == "unreadable" and not case.facts and not HAN.search(case.text):
            observed = bench.observe(case, engine, staff, nlu)
            assert not observed.consent and not {k: v for k, v in observed.facts.items() if v is not None}, case.text


def test_the_chinese_corpus_is_large_and_a_fifth_of_it_is_held_out():
    parts = Counter(case.part for case in bench.load_cases(language="zh-CN"))
    assert parts["dev"] >= 380 and parts["test"] >= 160
    assert sum(parts.values()) >= 500
    assert parts["test"] >= sum(parts.values()) / 5


@pytest.mark.parametrize("language", bench.LANGUAGES)
def test_every_case_names_facts_and_acts_that_exist(language):
    engine, _ = bench.engines()
    for case in bench.load_cases(language=language):
        asked = case.question if isinstance(case.question, list) else [case.question] if case.question else []
        named = [*asked, *case.facts, *case.check, *case.unknown, *case.known]
        unknown_names = [name for name in named if name not in engine.vocabulary and name != "consent"]
        assert not unknown_names, f"{case.source}: {case.text!r} names {unknown_names}"
        assert case.act in bench.ACTS, f"{case.source}: {case.text!r} expects the act {case.act!r}"
        assert case.mode in ("patient", "staff"), f"{case.source}: {case.text!r}"


def test_a_file_in_another_languages_folder_is_refused(tmp_path, monkeypatch):
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "platelet_count.yml").write_text(
        'language: zh-CN\nquestion: platelet_count\ncases:\n  - text: "两万二"\n    expect: {facts: {platelet_count: 22}}\n',
        encoding="utf-8")
    monkeypatch.setattr(bench, "CORPUS", tmp_path)
    with pytest.raises(ValueError, match="zh-CN"):
        list(bench.load_cases(("dev",)))


def test_the_report_shows_which_questions_are_misread_most_without_listing_held_out_cases():
    results = {"language": "en", "today": "2026-12-01", "model": None, "per_case_ms": 1.0,
               "parts": {"test": {bench.RIGHT: 3, bench.MISREAD: 2}},
               "by_question": {"test": {"age": {bench.RIGHT: 3}, "a list": {bench.MISREAD: 1, bench.UNSAFE: 1}}}}
    report = bench.markdown(results)
    rows = [line for line in report.splitlines() if line.startswith("| a list") or line.startswith("| age")]
    assert rows == ["| a list | 2 | 0 | 0 | 1 | 1 |", "| age | 3 | 3 | 0 | 0 | 0 |"]
    staff_note = bench.Case("test", "en", "x.yml", "64M plt 18", None, "staff", {}, "answer", {}, [], [])
    assert bench.asked(staff_note) == "staff notes"


def test_a_date_expected_as_days_ago_counts_when_judging_a_misreading_unsafe():
    case = bench.Case("dev", "en", "x.yml", "one more dose last week", "last_chemotherapy", "patient", {}, "answer",
                      {"last_chemotherapy": {"days_ago": 7}}, [], [])
    engine, _ = bench.engines()
    assert bench.expected_values(case) == {"last_chemotherapy": "2026-11-24"}
    assert bench.unsafe(case, bench.Observed("answer", {"last_chemotherapy": "2026-08-15"}), engine)
    assert not bench.unsafe(case, bench.Observed("answer", {"last_chemotherapy": "2026-11-20"}), engine)
