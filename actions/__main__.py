"""`python -m actions --port N`: the action server, as `rasa run actions --actions actions` runs it,
but warmed up (actions/warm_up.py) before it listens: its health URL answers once the first
message would be answered at once (trialbot/servers.py waits for it)."""
from __future__ import annotations

import os
import sys
from typing import List, Optional

from rasa_sdk import utils
from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser

from actions.warm_up import warm_up


def main(argv: Optional[List[str]] = None) -> None:
    parser = create_argument_parser()
    # as `rasa run` does: the level from LOG_LEVEL (trialbot/config.py sets it for every server)
    parser.set_defaults(actions="actions", loglevel=os.environ.get("LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    utils.configure_colored_logging(args.loglevel)  # for the warm-up's line; the server configures its own
    warm_up()
    main_from_args(args)


if __name__ == "__main__":
    main(sys.argv[1:])
