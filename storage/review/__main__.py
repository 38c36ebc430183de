"""python -m storage.review: the same as `python -m bot review` (what `make review` runs), which
reads the bot's settings (bot/config.py) and hands the review the staff chat."""

import sys

from bot.cli import main

sys.exit(main(["review", *sys.argv[1:]], prog="python -m bot"))
