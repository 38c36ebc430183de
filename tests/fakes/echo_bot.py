"""A minimal python-telegram-bot v22 echo bot: the yardstick for the real bot's throughput.

It replies to every text with the same text, and does nothing else: no storage, no rate
limiter, PTB's defaults everywhere else. Run it against any Bot API server with the same
environment variables as the real bot:

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot \\
        python -m tests.fakes.echo_bot

ECHO_CONCURRENT_UPDATES=n handles up to n updates at a time (unset: one at a time).
"""

from __future__ import annotations

import logging
import os

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the text the user sent."""
    await update.effective_message.reply_text(update.effective_message.text)


def build_echo_application(
    token: str,
    base_url: str,
    base_file_url: str | None = None,
    *,
    concurrent_updates: bool | int = False,
) -> Application:
    """An Application that echoes texts, talking to the Bot API at base_url.

    concurrent_updates is passed to PTB's builder when set (True means 256 at a time); by
    default updates are handled one at a time, as PTB does out of the box.
    """
    builder = ApplicationBuilder().token(token).base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if concurrent_updates:
        builder = builder.concurrent_updates(concurrent_updates)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return application


def file_url_for(base_url: str) -> str:
    """Telegram's convention: file downloads live at /file/bot beside /bot."""
    base = base_url.rstrip("/")
    return base[: -len("bot")] + "file/bot" if base.endswith("/bot") else base + "/file/bot"


def main() -> None:
    """Poll the Bot API named by the environment until SIGINT or SIGTERM."""
    logging.basicConfig(level=logging.WARNING)
    base_url = os.environ["TELEGRAM_API_BASE_URL"]
    application = build_echo_application(
        os.environ["TELEGRAM_BOT_TOKEN"],
        base_url,
        file_url_for(base_url),
        concurrent_updates=int(os.environ.get("ECHO_CONCURRENT_UPDATES") or 0),
    )
    application.run_polling()


if __name__ == "__main__":
    main()
