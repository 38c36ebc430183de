"""The python-telegram-bot Application: built from the settings, one handler for every update."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from datetime import timedelta
from urllib.parse import urlparse

from telegram import Bot, BotCommand, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot.charts import render_chart
from bot.config import Settings
from bot.documents import render_document
from bot.service import Advisor
from bot.startup import make_advisor
from bot.telegram._aiohttp import AiohttpRequest
from bot.telegram._delivery import Deliverer
from bot.telegram._order import PerUserOrder
from bot.telegram._render import Renderer, quiet_raw_send_hint
from bot.telegram._staff import StaffDesk, is_staff_command
from bot.telegram._updates import command_of, event_of, sender_of
from dialogues import Button, Command, fill
from dialogues import edges as texts
from dialogues.actions import Staff, decode

logger = logging.getLogger(__name__)

# Updates handled at once (one at a time per user). Real Telegram answers in 50-100 ms, so 16
# in flight is well past its 30 messages a second; more only adds bookkeeping.
CONCURRENT_UPDATES = 16
CONNECTIONS = 8  # HTTP connections to the Bot API for sending (long polling has its own)
SWEEP_EVERY = 30.0  # seconds between outbox sweeps while running
SWEEP_MIN_AGE = timedelta(seconds=20)  # leave fresh replies to the handler sending them
PURGE_EVERY = 24 * 3600.0  # seconds between retention purges
# Seconds between checks that the write-ahead log holds no text that is no longer kept (replies
# to people whose messages are not kept, once delivered): well within "gone in seconds".
SCRUB_EVERY = 1.0
FLOOD_RETRIES = 3  # the rate limiter's own retries on a 429


class BotService:
    """What the handlers need: the advisor, delivery, the staff desk, background jobs."""

    def __init__(self, settings: Settings, advisor: Advisor, bot: Bot):
        self.settings = settings
        self.advisor = advisor
        self.deliverer = Deliverer(bot, advisor, Renderer(render_chart, render_document))
        self.staff = StaffDesk(
            bot, advisor, self.deliverer, settings.staff_user_ids, settings.staff_chat_id
        )
        self._tasks: list[asyncio.Task] = []

    # --- life cycle ------------------------------------------------------------------------

    async def post_init(self, application: Application) -> None:
        """Set the command menu, send what the last run left unsent, start background jobs."""
        bot = application.bot
        commands = [BotCommand(c, d) for c, d in self.advisor.engine.commands()]
        try:
            await bot.set_my_commands(commands)
        except Exception as error:  # the menu is a nicety; never fail start-up over it
            logger.warning("could not set the command menu: %s", type(error).__name__)
        await self.deliverer.sweep()
        self._tasks = [
            asyncio.create_task(self._every(SWEEP_EVERY, self._sweep), name="outbox sweep"),
            asyncio.create_task(self._every(PURGE_EVERY, self._purge), name="retention purge"),
            asyncio.create_task(self._every(SCRUB_EVERY, self._scrub), name="log scrub"),
        ]

    async def post_shutdown(self, application: Application) -> None:
        """Stop the background jobs, write down what was sent, close the database."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.deliverer.flush()
        self.advisor.store.close()

    async def _every(self, seconds: float, job) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await job()
            except Exception:
                logger.exception("background job failed")

    async def _sweep(self) -> None:
        await self.deliverer.sweep(SWEEP_MIN_AGE)

    async def _scrub(self) -> None:
        if self.advisor.store.log_scrub_due:
            await asyncio.to_thread(self.advisor.store.scrub_log)

    async def _purge(self) -> None:
        purged = await asyncio.to_thread(self.advisor.store.purge, self.settings.retention_days)
        logger.info("retention purge: %s", {k: v for k, v in purged.items() if v})

    # --- every update --------------------------------------------------------------------------

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Route one update: staff chat, other groups, staff commands, or the advisor."""
        if update.callback_query is not None:
            # Answer at once so the button stops spinning; a failure here changes nothing.
            with contextlib.suppress(Exception):
                await update.callback_query.answer()
        sender = sender_of(update)
        chat = update.effective_chat
        if sender is None or chat is None:
            return  # channel posts, service messages and bots: not a conversation
        if chat.id == self.settings.staff_chat_id:
            await self._staff_chat(update, sender.external_id)
            return
        if chat.type != ChatType.PRIVATE:
            await self._group(update, context)
            return
        event = event_of(update)
        if event is None:
            return
        staff = self.staff.is_staff(sender.external_id)
        if isinstance(event, Command) and staff and is_staff_command(event.name):
            await self.staff.command(sender.external_id, chat.id, event.name, event.args)
            return
        handled = await asyncio.to_thread(self.advisor.handle, sender, event, update.update_id)
        await self.deliverer.deliver_all(handled.replies)
        for followup in handled.followups:
            await self.staff.notify(followup)
        await self.staff.remove_posts(handled.erased_posts)

    async def _staff_chat(self, update: Update, user_id: int) -> None:
        """In the staff chat only staff are listened to; everything else is ignored on purpose."""
        if not self.staff.is_staff(user_id):
            return
        chat_id = update.effective_chat.id
        event = event_of(update)
        if isinstance(event, Button) and isinstance(action := decode(event.data), Staff):
            await self.staff.button(user_id, chat_id, action)
            return
        message = update.message
        if message is None or message.text is None:
            return
        command = command_of(message)
        if command is not None and is_staff_command(command.name):
            await self.staff.command(user_id, chat_id, command.name, command.args)
        elif message.reply_to_message is not None and command is None:
            await self.staff.reply_to_notice(
                user_id, chat_id, message.reply_to_message.message_id, message.text
            )

    async def _group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In any other group: a pointer to a private chat, once per message."""
        if update.message is None:
            return
        text = fill(self.advisor.engine.dialogues.text(texts.GROUP_CHAT), bot=context.bot.username)
        with contextlib.suppress(Exception):
            await update.message.reply_text(text, parse_mode=ParseMode.HTML)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log with the traceback (ids only), then apologise to the user if there is one."""
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("update %s failed", update_id, exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if update.effective_chat.type != ChatType.PRIVATE:
            return
        text = self.advisor.engine.dialogues.text(texts.ERROR)
        with contextlib.suppress(Exception):
            await context.bot.send_message(update.effective_chat.id, text)


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram sends with each webhook call: set, or derived from the token."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    assert settings.token is not None
    token = settings.token.get_secret_value().encode()
    return hashlib.sha256(b"scaling-advisor webhook:" + token).hexdigest()


def build_application(settings: Settings, advisor: Advisor) -> Application:
    """The Application, wired to the advisor; not yet started."""
    # Without this PTB warns on every 429 about a change to how retry_after is given.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    quiet_raw_send_hint()
    assert settings.token is not None
    builder = (
        Application.builder()
        .token(settings.token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .concurrent_updates(PerUserOrder(CONCURRENT_UPDATES))
        .request(AiohttpRequest(CONNECTIONS))
        .get_updates_request(AiohttpRequest(1))
    )
    if settings.rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=FLOOD_RETRIES))
    application = builder.build()
    service = BotService(settings, advisor, application.bot)
    application.post_init = service.post_init
    application.post_shutdown = service.post_shutdown
    application.add_handler(TypeHandler(Update, service.on_update))
    application.add_error_handler(service.on_error)
    application.bot_data["service"] = service
    return application


def run_bot(settings: Settings) -> int:
    """Run until stopped: long polling, or a webhook when WEBHOOK_URL is set."""
    advisor = make_advisor(settings)
    application = build_application(settings, advisor)
    if settings.webhook_url:
        logger.info(
            "starting in webhook mode on %s port %s", settings.listen_address, settings.port
        )
        application.run_webhook(
            listen=settings.listen_address,
            port=settings.port,
            url_path=webhook_path(settings),
            webhook_url=settings.webhook_url,
            secret_token=webhook_secret(settings),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        logger.info("starting with long polling")
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def webhook_path(settings: Settings) -> str:
    """The URL path the webhook listens on: the path of WEBHOOK_URL."""
    assert settings.webhook_url is not None
    return urlparse(settings.webhook_url).path.lstrip("/")
