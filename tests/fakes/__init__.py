"""Test doubles for Telegram: a fake Bot API server, an echo-bot baseline and a load harness."""

from ._records import Call, FaultKind, SentMessage, UploadedFile, WaitTimeout
from .bot_api import DEFAULT_TOKEN, REGISTERED_SECRET, FakeBotAPI
from .echo_bot import build_echo_application
from .load import LoadResult, closed_loop
from .runners import ECHO_BOT, REAL_BOT, BotProcess, bot_process, in_process

__all__ = [
    "DEFAULT_TOKEN",
    "ECHO_BOT",
    "REAL_BOT",
    "REGISTERED_SECRET",
    "BotProcess",
    "Call",
    "FakeBotAPI",
    "FaultKind",
    "LoadResult",
    "SentMessage",
    "UploadedFile",
    "WaitTimeout",
    "bot_process",
    "build_echo_application",
    "closed_loop",
    "in_process",
]
