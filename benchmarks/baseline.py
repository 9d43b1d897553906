"""The baseline: Rasa's own starter bot (the project `rasa init` creates), served like ours."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

# The starter project as `rasa init` writes it. It is copied from the installed Rasa instead of
# running `rasa init --no-prompt`, because that command also trains a model, untimed and unwanted.
SCAFFOLD = Path(importlib.util.find_spec("rasa").submodule_search_locations[0]) / "cli" / "initial_project"

# Like our endpoints.yml minus the action server: the starter bot has no custom actions.
ENDPOINTS = """tracker_store:
  type: SQL
  url: sqlite:///{db}
"""


def create_project(directory: Path) -> Path:
    """Write the starter project into `directory`, with a SQLite tracker store next to it."""
    shutil.copytree(SCAFFOLD, directory, ignore=shutil.ignore_patterns("__pycache__"))
    (directory / "endpoints.yml").write_text(ENDPOINTS.format(db=directory / "conversations.db"))
    return directory
