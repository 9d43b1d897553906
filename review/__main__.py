"""``python -m review <command>``: the same as ``trialbot review <command>``."""
import sys

from review.cli import main

sys.exit(main())
