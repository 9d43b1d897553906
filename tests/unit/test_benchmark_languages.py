"""The short version of the languages benchmark (benchmarks/languages.py): its baseline is the bot's
own training data without the Chinese examples, and nothing else left out or changed."""
from __future__ import annotations

import yaml

from benchmarks.languages import english_only, examples, project_copy
from bot.parsing.chinese import HAS_HAN
from trialbot.config import PROJECT_ROOT

NLU = (PROJECT_ROOT / "data" / "rasa" / "nlu.yml").read_text()


def intents(nlu_text: str) -> dict:
    """Each intent's examples (the file's regexes and synonyms are no intent)."""
    return {item["intent"]: examples(yaml.safe_dump({"nlu": [item]}))
            for item in yaml.safe_load(nlu_text)["nlu"] if "intent" in item}


def test_the_english_only_training_data_has_no_chinese_and_every_intent():
    english = english_only(NLU)
    assert not HAS_HAN.search(english)
    assert intents(english).keys() == intents(NLU).keys()
    assert all(intents(english).values())  # no intent had Chinese examples alone


def test_only_the_chinese_examples_are_left_out():
    chinese = [example for example in examples(NLU) if HAS_HAN.search(example)]
    assert chinese, "the bot's training data holds Chinese examples"
    assert examples(english_only(NLU)) == [example for example in examples(NLU) if not HAS_HAN.search(example)]


def test_both_projects_train_from_the_same_files_but_the_nlu_examples(tmp_path):
    bilingual = project_copy(tmp_path / "both", english=False, epochs=None)
    english = project_copy(tmp_path / "english", english=True, epochs=None)
    for name in ("config.yml", "domain.yml", "data/rasa/rules.yml"):
        assert (english / name).read_text() == (bilingual / name).read_text() == (PROJECT_ROOT / name).read_text()
    assert (bilingual / "data/rasa/nlu.yml").read_text() == NLU
    assert (english / "data/rasa/nlu.yml").read_text() == english_only(NLU)


def test_a_quick_check_changes_only_the_epochs(tmp_path):
    config = yaml.safe_load((project_copy(tmp_path, english=True, epochs=2) / "config.yml").read_text())
    assert config == {**yaml.safe_load((PROJECT_ROOT / "config.yml").read_text()),
                      "pipeline": [{**c, "epochs": 2} if c["name"] == "DIETClassifier" else c
                                   for c in yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]]}
