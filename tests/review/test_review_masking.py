"""Masking of personal identifiers, and what must stay visible to reviewers."""
from __future__ import annotations

import csv
import io
import json
import re
import stat
import time

import pytest

from trialbot.cli import main
from review import masking
from review.export import conversation_record, csv_chunks, json_chunks, summary_record
from review.masking import mask_sender, mask_text, mask_value
from review.signals import asks_for_human, sounds_frustrated
from review.store import InboxQuery
from tests.review.helpers import Conversation, both_backends


@pytest.mark.parametrize("text, hidden, shown", [
    ("my name is John Smith, call me on 07700 900123", ["John", "Smith", "07700", "900123"], ["my name is", "call me"]),
    ("My name's anna maria", ["anna", "maria"], []),
    ("I'm Anna and I have lung cancer", ["Anna"], ["lung cancer"]),
    ("this is Tom Jones speaking", ["Tom", "Jones"], ["speaking"]),
    ("my mother Mary Brown is 67", ["Mary", "Brown"], ["my mother", "67"]),
    ("Dr. Chen said my platelets are low", ["Chen"], ["platelets are low"]),
    ("email me at jo.bloggs+trial@example.co.uk", ["jo.bloggs", "example.co.uk"], ["email me at"]),
    ("phone +44 20 7946 0958 or 555-1234", ["7946", "0958", "555-1234"], []),
    ("my number is (212) 555-0199", ["555-0199"], []),
    ("born on 3 March 1960", ["1960", "March"], ["born on"]),
    ("DOB: 12/04/1958", ["12/04/1958"], ["DOB"]),
    ("my date of birth is 1958-04-12", ["1958-04-12"], []),
    ("I live at 12 Baker Street, London NW1 6XE", ["Baker", "NW1"], ["I live at"]),
    ("send it to 221b baker street please", ["baker street"], ["please"]),
    ("Thanks,\nMargaret Thatcher", ["Margaret"], ["Thanks"]),
    # what people type (issue 13): Chinese names and numbers touching Chinese text
    ("我叫王芳，电话13800138000", ["王芳", "13800138000"], ["我叫", "电话"]),
    ("我是王芳", ["王芳"], ["我是"]),
    ("姓名：王芳 性别：女", ["王芳"], ["姓名", "性别：女"]),
    ("患者王芳，女，62岁，肺癌", ["王芳"], ["患者", "女", "62岁", "肺癌"]),
    ("我妈妈叫李秀英，今年67岁", ["李秀英"], ["我妈妈叫", "今年67岁"]),
    ("我丈夫王伟陪我来的", ["王伟"], ["我丈夫"]),
    ("王医生说血小板太低", ["王"], ["医生说血小板太低"]),
    ("叫我小王就行", ["小王"], ["叫我"]),
    ("my name is 王芳", ["王芳"], ["my name is"]),
    ("电话是138 0013 8000", ["0013", "8000"], ["电话是"]),
    ("手机号：+86-138-0013-8000", ["0013", "8000"], ["手机号"]),
    ("1380 013 8000 is my mobile", ["1380", "8000"], ["my mobile"]),
    ("身份证号11010519491231002X", ["11010519491231002X", "1949"], ["身份证号"]),
    ("ID 110105194912310", ["110105194912310"], ["ID"]),
    ("QQ 123456789", ["123456789"], ["QQ"]),
    ("my wechat is wang_fang_1961", ["wang_fang", "1961"], ["my wechat is"]),
    ("my wechat is wangfang", ["wangfang"], ["my wechat is"]),
    ("微信号：wangfang1961", ["wangfang1961"], ["微信号"]),
    ("王芳，女，62岁，肺癌", ["王芳"], ["女", "62岁", "肺癌"]),
    ("她的名字是李秀英", ["李秀英"], ["她的名字是"]),
    ("call me at 555-1234 or +1 (212) 555-0199 ext. 12", ["1234", "0199", "ext. 12"], ["call me at"]),
    # Chinese addresses
    ("天津市南开区卫津路88号3栋501室", ["南开区", "卫津路", "88号", "3栋", "501室"], []),
    ("我住在天津市南开区卫津路88号3栋501室，电话022-27401234", ["卫津路", "501室", "27401234"], ["我住在", "电话"]),
    ("住址：北京市朝阳区建国路88号", ["朝阳区", "建国路"], ["住址"]),
    ("我家在和平区南京路", ["和平区", "南京路"], ["我家在"]),
    ("3号楼2单元501室", ["3号楼", "2单元", "501室"], []),
    ("天津市河西区成都道12号", ["河西区", "成都道", "12号"], []),
    # lower-case and cue-less names, where a cue or a known name stands beside them
    ("this is li wei speaking", ["li wei"], ["this is", "speaking"]),
    ("It's Zhang Wei speaking", ["Zhang", "Wei"], ["speaking"]),
    ("Anna speaking", ["Anna"], ["speaking"]),
    ("Wang Fang here", ["Wang", "Fang"], ["here"]),
    ("Hi, Wang Fang here, my platelets are 22k", ["Wang", "Fang"], ["Hi,", "here", "22k"]),
    ("Fang Wang here", ["Fang", "Wang"], ["here"]),
    ("my husband wang wei", ["wang", "wei"], ["my husband"]),
    ("my husband's name is wang wei", ["wang", "wei"], ["my husband's name is"]),
    ("i'm wang fang, 62, lung cancer", ["wang", "fang"], ["i'm", "62", "lung cancer"]),
    ("hello li wei how are you", ["li wei"], ["hello", "how are you"]),
    ("xiao ming has low platelets", ["xiao", "ming"], ["has low platelets"]),
    ("my son Tom is 12", ["Tom"], ["my son", "12"]),
    ("dr wang said my platelets are low", ["wang"], ["dr", "said my platelets are low"]),
    # a name found once is masked wherever else it appears in the message
    ("I'm Wang Fang. Fang is tired", ["Wang", "Fang"], ["is tired"]),
    ("我叫王芳。王芳的血小板很低", ["王芳"], ["的血小板很低"]),
    # spelled-out e-mail addresses
    ("email wangfang at example dot com", ["wangfang", "example"], ["email"]),
    ("wang.fang at gmail dot com", ["wang", "fang", "gmail"], []),
    ("write to wangfang(at)163.com please", ["wangfang", "163"], ["write to", "please"]),
    ("wf [at] qq [dot] cn", ["wf", "qq"], []),
    ("邮箱wangfang@example.com", ["wangfang", "example"], ["邮箱"]),
])
def test_identifiers_are_masked(text, hidden, shown):
    masked = mask_text(text)
    for word in hidden:
        assert word not in masked, masked
    for word in shown:
        assert word in masked, masked
    assert "[" in masked


@pytest.mark.parametrize("text", [
    "my platelets were 22,000 on 2026-10-12",
    "plt 22k, last chemo 6w ago, failed rhTPO x3",
    "platelet count 150000 per microlitre and QTc 450 ms",
    "I'm 62 and female", "I'm not sure", "I am Pregnant", "I'm NSCLC stage 4",
    "my last chemotherapy was on 12/10/2026", "22 x10^9/L", "ALT 2.5 times the upper limit",
    "I had radiotherapy in March 2026", "she is 67 years old", "HbA1c 7.2%",
    # numbers and words that look a little like identifiers
    "plt 22k", "22,000", "QTc 440", "2026-11-03", "platelets 22 25 30 28 32", "my counts were 150 180 200 220",
    "last chemotherapy: 2026-10-12 (6 wk ago)", "NCT05236582", "herombopag 7.5 mg once a day",
    "I take aspirin and clopidogrel", "lung cancer", "I'm fine", "I'm 62", "my husband he said no",
    "my mother is 67", "my doctor said lung cancer", "Generally speaking, I feel fine", "Same here",
    "Bleeding here", "I'm at St. Mary's. It was fine", "so long and thanks", "this is not medical advice",
    "Hello, I'm the clinical trial screening assistant.", "I can run but he can't", "the doctor said so",
    "my doctor he said no",
    # Chinese clinical text: no name after 我是 without a surname, dates with 号, floors, the city
    "我是高血压患者", "我是病人", "我是女的，62岁，肺癌", "我11月3号做的化疗，血小板22", "上个月3号化疗，住院在3楼",
    "医生叫我停药", "我住在天津市", "我知道了", "白血病", "一种名叫赫曲泊帕的药", "药的名字是赫曲泊帕",
    "wechat me tomorrow", "my wechat is the same as my phone", "line 3 of the form", "Han Chinese", "血小板计数22×10^9/L",
])
def test_clinical_values_stay(text):
    assert mask_text(text) == text


@pytest.mark.parametrize("text, number", [
    ("身份证 110105 19491231 002X", "110105 19491231 002X"),  # grouped as printed on the card
    ("身份证：110105-19491231-002X", "110105-19491231-002X"),
    ("证件号 4403 0419 8506 1234 55", "4403 0419 8506 1234 55"),
    ("my id card is 320102 1990 0101 1232", "320102 1990 0101 1232"),
    ("身份证号１１０１０５１９４９１２３１００２Ｘ。", "１１０１０５１９４９１２３１００２Ｘ"),  # full-width digits
    ("身份证号码：110105 194912 31002x，电话13800138000", "110105 194912 31002x"),
])
def test_id_card_numbers_are_masked_whole_however_written(text, number):
    masked = mask_text(text)
    assert masked == text.replace(number, "[id number]").replace("13800138000", "[phone]"), masked


def test_the_check_character_tells_an_id_card_number_from_other_grouped_digits():
    assert masking.is_id_card_number("11010519491231002X") and masking.is_id_card_number("110105 19491231 002x")
    assert masking.is_id_card_number("４４０３０４１９８５０６１２３４５５")
    assert not masking.is_id_card_number("110105 19491231 0021")  # a wrong check character
    assert not masking.is_id_card_number("1101051949123100")  # too short
    grouped = "platelets 110 105 194 912 310 021 over the last weeks"  # 18 digits, no identity card
    assert "[id number]" not in mask_text(grouped)


def test_nested_values_and_senders():
    assert mask_value({"note": "call 07700 900123", "n": 3, "l": ["me@x.org"]}) == \
        {"note": "call [phone]", "n": 3, "l": ["[email]"]}
    assert "900123" not in mask_sender("+44 7700 900123")
    assert "x.org" not in mask_sender("me@x.org")
    assert "900123" not in mask_sender("whatsapp:+447700900123")
    assert mask_sender("e2e-0f3a9c") == "e2e-0f3a9c"
    # a random id whose hex digits happen to be all decimal is not a phone number
    assert mask_sender("review-e2e-766249431125") == "review-e2e-766249431125"
    assert mask_text(None) is None and mask_text("") == ""


@pytest.mark.parametrize("unit", ["天津市南开区", "1.", "1-", "1 ", "1", "ab.", "a.b at c.d ", "Wang Fang here ",
                                  "我叫王芳 13800138000 wang fang at example dot com "])
def test_long_hostile_text_is_masked_in_linear_time(unit):
    """A long message of one repeated piece once took minutes (place names, "1.1.1...", and the
    e-mail patterns backtracked), and the indexer stopped with it."""
    text = (unit * (60_000 // len(unit) + 1))[:60_000] + " at x"
    started = time.monotonic()
    mask_text(text)
    assert time.monotonic() - started < 5


HASHED = re.compile(r"\[sender [0-9a-f]{8}\]")


@pytest.mark.parametrize("sender", [
    "Wang Fang 13800138000", "wechat:wang_fang_1961", "wang_fang_1961", "王芳", "web-13800138000", "John Smith",
    "+44 7700 900123", "me@x.org", "whatsapp:+447700900123", "tel:+8613800138000", "wangfang at example dot com",
])
def test_identifying_sender_ids_are_hashed(sender):
    shown = mask_sender(sender)
    assert HASHED.fullmatch(shown), shown
    assert mask_sender(sender) == shown  # stable: the same in the inbox, the exports and the audit log


@pytest.mark.parametrize("sender", [
    "e2e-0f3a9c", "review-e2e-766249431125", "sender-human", "U0123ABCD", "29:1AbCdEfGhIjK", "a1B2c3D4e5F6g7H8i9J0",
    "0f9d5b5e-8a39-4c1e-9b1a-3c2d4e5f6a7b",
])
def test_opaque_sender_ids_are_shown(sender):
    assert mask_sender(sender) == sender


def test_sender_hashes_are_keyed(tmp_path, monkeypatch):
    """Without a key, a reviewer could hash every mobile number until one matched."""
    monkeypatch.setattr(masking, "_SENDER_KEY_FILE", tmp_path / "var" / "review-sender.key")
    monkeypatch.delenv(masking._SENDER_KEY_ENV, raising=False)
    masking._sender_key.cache_clear()
    try:
        first = mask_sender("13800138000")
        key_file = tmp_path / "var" / "review-sender.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_bytes()) == 32
        masking._sender_key.cache_clear()
        assert mask_sender("13800138000") == first  # the key is kept: hashes survive a restart
        assert mask_sender("13800138001") != first
        monkeypatch.setenv(masking._SENDER_KEY_ENV, "a key shared by several hosts")
        masking._sender_key.cache_clear()
        assert HASHED.fullmatch(mask_sender("13800138000")) and mask_sender("13800138000") != first
    finally:
        masking._sender_key.cache_clear()


@both_backends
def test_identifying_sender_is_masked_wherever_it_shows(store, database_url, monkeypatch, capsys):
    """Inbox records, the conversation record, JSON and CSV exports, the command line and the audit
    log show the hash; the transcript its labels; an admin still finds it by the real sender id."""
    sender = "wechat:wang_fang_1961"
    Conversation(sender).start().turn("我叫王芳，电话13800138000，住天津市南开区卫津路88号3栋501室",
                                      "Noted.").turn("my platelets are 22,000", "Thank you.").save(store)
    store.index()
    secret = ["wang_fang", "1961", "王芳", "13800138000", "卫津路", "501室"]
    shown = mask_sender(sender)

    found = store.inbox(InboxQuery.from_params({"q": sender}))
    assert [r["sender_id"] for r in found.rows] == [sender]  # the search by sender id still works
    logged = InboxQuery.from_params({"q": sender}).describe()["q"]  # what the audit log keeps of the search
    assert HASHED.fullmatch(logged) and "wang" not in logged, logged
    assert summary_record(found.rows[0])["sender"] == shown
    record = conversation_record(store, found.rows[0]["id"])
    assert record["sender"] == shown and "22,000" in json.dumps(record, ensure_ascii=False)
    exported = "".join(json_chunks([record], {})) + "".join(csv_chunks([record])) + \
        "".join(csv_chunks([record], rows="messages"))
    assert shown in exported and not any(s in exported for s in secret), exported
    rows = list(csv.DictReader(io.StringIO("".join(csv_chunks([record], rows="messages")))))
    assert {r["sender"] for r in rows} == {shown} and "我叫[name]，电话[phone]" in rows[0]["text"]
    assert store.inbox(InboxQuery.from_params({"q": "13800138000"})).total == 0  # not in the search index

    monkeypatch.setenv("TRIALBOT_TRACKER_STORE_URL", database_url)
    for args in (["list", "--json"], ["show", str(record["id"])], ["show", "--sender", sender]):
        assert main(["review", *args]) == 0
        out = capsys.readouterr().out
        assert shown in out and not any(s in out for s in secret), out


@pytest.mark.parametrize("text, human, frustrated", [
    ("can I talk to a real person? this is useless", True, True),
    ("please have someone call me back", True, False),
    ("I want to speak to the study team", True, False),
    ("human", True, False),
    ("I will ask my doctor", False, False),
    ("call me Bob", False, False),
    ("I ALREADY TOLD YOU THAT", False, True),
    ("you don't understand me", False, True),
    ("what???", False, True),
    ("my platelets are 22000", False, False),
])
def test_signals(text, human, frustrated):
    assert asks_for_human(text) is human
    assert sounds_frustrated(text) is frustrated
