"""``python -m trialbot ...``: the same as the ``trialbot`` command (how `trialbot serve` starts the
website chat and the review app as processes of their own)."""
import sys

from trialbot.cli import main

sys.exit(main())
