"""``python -m web [--host H] [--port P] [--bot-url URL] [--cors-origins A,B]``: same as ``trialbot web``."""
import sys

from bot.cli import main

sys.exit(main(["web", *sys.argv[1:]]))
