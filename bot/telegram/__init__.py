"""The Telegram edge: python-telegram-bot v22 around the advisor service."""

from bot.telegram._app import BotService, build_application, run_bot, webhook_path, webhook_secret

__all__ = ["BotService", "build_application", "run_bot", "webhook_path", "webhook_secret"]
