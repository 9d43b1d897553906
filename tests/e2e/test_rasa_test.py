"""Rasa's own test commands against the trained model: test stories (rules pick the right action
for each kind of turn) and a held-out set of everyday phrasings for the intent classifier."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from trialbot.config import PROJECT_ROOT
from trialbot.servers import VENV_BIN

pytestmark = pytest.mark.e2e

STORIES = PROJECT_ROOT / "tests" / "stories"
NLU_HOLDOUT = STORIES / "nlu_holdout.yml"
NLU_HOLDOUT_CHINESE = STORIES / "nlu_holdout_zh.yml"
MIN_INTENT_ACCURACY = 0.85


def run_rasa(args, settings, out: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, **settings.rasa_environment()}
    result = subprocess.run([str(VENV_BIN / "rasa"), *args, "--out", str(out)], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    assert result.returncode == 0, f"rasa {' '.join(args)} exited with {result.returncode}:\n{result.stdout[-4000:]}"
    return result


def test_test_stories_pass_with_the_action_server_running(bot, bot_settings, tmp_path):
    run_rasa(["test", "core", "--stories", str(STORIES), "--model", bot_settings.model,
              "--endpoints", str(PROJECT_ROOT / "endpoints.yml"), "--no-plot"], bot_settings, tmp_path)
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "None of the test stories failed" in failed, failed
    report = json.loads((tmp_path / "story_report.json").read_text(encoding="utf-8"))
    accuracy = report["conversation_accuracy"]
    assert accuracy["correct"] == accuracy["total"] >= 8, accuracy


@pytest.mark.parametrize("holdout", [NLU_HOLDOUT, NLU_HOLDOUT_CHINESE], ids=["english", "chinese"])
def test_everyday_phrasings_are_classified_into_the_right_intent(bot_settings, tmp_path, holdout):
    run_rasa(["test", "nlu", "--nlu", str(holdout), "--model", bot_settings.model, "--no-plot"],
             bot_settings, tmp_path)
    report = json.loads((tmp_path / "intent_report.json").read_text(encoding="utf-8"))
    errors_path = tmp_path / "intent_errors.json"
    errors = json.loads(errors_path.read_text(encoding="utf-8")) if errors_path.exists() else []
    shown = "\n".join(f"  {e['text']!r}: {e['intent']} -> {e['intent_prediction']['name']}" for e in errors)
    assert report["accuracy"] >= MIN_INTENT_ACCURACY, f"intent accuracy {report['accuracy']:.2f}:\n{shown}"
