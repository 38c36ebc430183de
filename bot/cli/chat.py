"""Commands that run the bot: on Telegram, in the terminal, or whichever fits."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.cli._parser import PROG, add_command
from bot.config import ConfigError, Settings
from bot.logs import setup_logging
from bot.startup import StartupError, make_advisor


def register(commands: argparse._SubParsersAction) -> None:
    """Add `run` and `chat`; with no command at all, `run_default` decides between them."""
    run = add_command(
        commands,
        "run",
        help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)",
        description="Run the Telegram bot: long polling, or a webhook when WEBHOOK_URL is set. "
        "It refuses to start without a token.",
        example=f"TELEGRAM_BOT_TOKEN=... {PROG} run",
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="refuse to start unless WEBHOOK_URL is set (the Procfile's web: process)",
    )
    run.set_defaults(func=run_telegram)

    chat = add_command(
        commands,
        "chat",
        help="talk to the bot in the terminal (no token needed)",
        description="A terminal chat on the same engine and database. Options are numbered: "
        "type the number or the label; /help for commands; it ends at the end of input. "
        "Charts and PDFs are saved beside the database, readable by their owner only.",
        example=f"printf '1\\n/triage\\n' | {PROG} chat",
    )
    chat.add_argument(
        "--user", type=int, default=0, metavar="N", help="which terminal user to be (default 0)"
    )
    chat.set_defaults(func=run_chat)


def _settings() -> Settings | None:
    try:
        return Settings.from_env()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return None


def run_default(args: argparse.Namespace) -> int:
    """Telegram when a token is set, otherwise the terminal chat (saying so)."""
    settings = _settings()
    if settings is None:
        return 1
    if settings.token is not None:
        return run_telegram(args)
    print(
        "TELEGRAM_BOT_TOKEN is not set, so this is the terminal chat. "
        "Type /help for commands; Ctrl-D to leave.\n",
        file=sys.stderr,
    )
    args.user = 0
    return run_chat(args)


def run_chat(args: argparse.Namespace) -> int:
    """The terminal chat on stdin and stdout; ends at end of input."""
    # Imported here, not at the top: matplotlib and fpdf2 take a while to load, and
    # `python -m bot check` or `match` should not pay for them.
    from bot.charts import render_chart
    from bot.console import Console
    from bot.documents import render_document

    settings = _settings()
    if settings is None:
        return 1
    setup_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    try:
        advisor = make_advisor(settings)
    except StartupError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 1
    console = Console(
        advisor,
        files_dir=settings.db_path.parent / "files",
        user=args.user,
        render_chart=render_chart,
        render_document=render_document,
    )
    interactive = sys.stdin.isatty()
    lines = _prompted() if interactive else sys.stdin
    console.run(lines, echo=not interactive)
    return 0


def _prompted():
    """Lines typed at a "> " prompt, until end of input."""
    while True:
        try:
            yield input("> ")
        except EOFError:
            print()
            return


def run_telegram(args: argparse.Namespace) -> int:
    """The Telegram bot; a clear error without a token."""
    settings = _settings()
    if settings is None:
        return 1
    if settings.token is None:
        print(
            "TELEGRAM_BOT_TOKEN is not set: the Telegram bot needs a token from @BotFather. "
            "For the terminal chat, run: python -m bot chat",
            file=sys.stderr,
        )
        return 1
    if getattr(args, "webhook", False) and not settings.webhook_url:
        print(
            "--webhook: WEBHOOK_URL is not set. Set it to the bot's public HTTPS URL, "
            "or run the worker (long polling) instead: python -m bot run",
            file=sys.stderr,
        )
        return 1
    from bot.telegram import run_bot

    setup_logging(settings.log_level, secrets=[settings.token.get_secret_value()])
    try:
        return run_bot(settings)
    except StartupError as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 1
    except Exception:  # logged (redacted), never printed raw: a traceback can hold the token
        logging.getLogger("bot").critical("the bot stopped on an error", exc_info=True)
        return 1
