"""Configuration of the staff channels: which channels are staff's, and which credentials file Rasa reads."""
from __future__ import annotations

from dataclasses import replace

import yaml

from trialbot.cli import staff_webhooks
from trialbot.config import PROJECT_ROOT, load_settings
from trialbot.servers import rasa_server_command

BASE = {"TRIALBOT_DATABASE_URL": "sqlite:///:memory:", "TRIALBOT_TRACKER_STORE_URL": "sqlite:///:memory:"}


def test_defaults_keep_rest_only_and_slack_and_teams_as_staff_channels(tmp_path):
    settings = load_settings(tmp_path / "absent.yml", environ=BASE)
    assert settings.staff_channels == ("slack", "botframework")
    command = rasa_server_command(settings)
    assert command[command.index("--credentials") + 1] == str(PROJECT_ROOT / "credentials.yml")
    assert staff_webhooks(settings) == []
    channels = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())
    assert list(channels) == ["channels.rest.RestChannel"]  # nothing that needs secrets or calls out


def test_credentials_and_staff_channels_from_the_environment(tmp_path):
    config = tmp_path / "trialbot.yml"
    config.write_text("database_url: sqlite:///t.db\ntracker_store_url: sqlite:///c.db\nstaff_channels: [slack]\n")
    settings = load_settings(config, environ={"TRIALBOT_CREDENTIALS": "credentials.staff.yml"})
    assert settings.credentials == str(tmp_path / "credentials.staff.yml")
    assert settings.staff_channels == ("slack",)
    assert settings.rasa_environment()["TRIALBOT_STAFF_CHANNELS"] == "slack"
    off = load_settings(config, environ={"TRIALBOT_STAFF_CHANNELS": "none"})
    assert off.staff_channels == ("none",)


def test_the_staff_example_enables_both_channels_with_secrets_from_the_environment():
    settings = replace(load_settings(environ={}), credentials=str(PROJECT_ROOT / "credentials.staff.yml"))
    assert [line.split(":")[0] for line in staff_webhooks(settings)] == ["Slack events", "Teams messaging endpoint"]
    text = (PROJECT_ROOT / "credentials.staff.yml").read_text()
    channels = yaml.safe_load(text)
    assert "channels.rest.RestChannel" in channels
    assert channels["channels.slack.SlackChannel"]["slack_signing_secret"] == "${TRIALBOT_SLACK_SIGNING_SECRET}"
    assert channels["channels.teams.TeamsChannel"]["app_password"] == "${TRIALBOT_TEAMS_APP_PASSWORD}"
