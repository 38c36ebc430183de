"""`python -m bot`: see bot.cli."""

import sys

from bot.cli import PROG, main

sys.exit(main(prog=PROG))
