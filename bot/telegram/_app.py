"""The python-telegram-bot Application: built from the settings, one handler for every update."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import signal
import threading
from urllib.parse import urlparse

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot.charts import render_chart
from bot.config import Settings
from bot.documents import render_document
from bot.service import Advisor
from bot.staff import STAFF_COMMANDS
from bot.startup import make_advisor, make_desk
from bot.telegram._aiohttp import AiohttpRequest
from bot.telegram._delivery import Deliverer, with_retries
from bot.telegram._inbox import Inbox
from bot.telegram._patience import patiently
from bot.telegram._polling import PollingStopped, poll
from bot.telegram._render import Renderer, quiet_raw_send_hint
from bot.telegram._updates import command_of, event_of, sender_of
from bot.telegram._webhook import start_webhook
from dialogues import Button, Command, fill
from dialogues import edges as texts
from dialogues.actions import STAFF_ACTIONS, decode
from storage import DatabaseGone

logger = logging.getLogger(__name__)

CONNECTIONS = 8  # HTTP connections to the Bot API for sending (long polling has its own)
PURGE_EVERY = 24 * 3600.0  # seconds between retention purges
# Seconds between checks that the write-ahead log holds no text that is no longer kept (replies
# to people whose messages are not kept, once delivered): well within "gone in seconds".
SCRUB_EVERY = 1.0
FLOOD_RETRIES = 3  # the rate limiter's own retries on a 429
# A slow Telegram can take many seconds to answer a send; giving up sooner and trying again
# sends the message twice when Telegram did get it.
SEND_TIMEOUT = 20.0
FILE_CHECK_EVERY = 1.0  # seconds between checks that the database file is still the one opened
STAFF_CHAT_POSTS_PER_MINUTE = 20  # Telegram's limit for a group
HANDLING_GRACE = 3.0  # seconds updates being handled get to finish when the bot stops
SENDING_GRACE = 3.0  # seconds the send under way then gets to finish and be written down
FLUSH_GRACE = 1.5  # seconds to close the HTTP sessions
STOP_DEADLINE = 9.0  # seconds from the stop signal to the end of the process, whatever happens


class BotService:
    """What the handlers need: the advisor, delivery, the staff desk, the inbox, background
    jobs; and the life cycle of the whole bot (start, run until stopped, stop in time)."""

    def __init__(self, settings: Settings, advisor: Advisor, application: Application):
        self.settings = settings
        self.advisor = advisor
        self.application = application
        bot = application.bot
        self.bot = bot
        self.deliverer = Deliverer(bot, advisor, Renderer(render_chart, render_document))
        self.staff = make_desk(settings, advisor)
        self.inbox = Inbox(advisor.store, bot, self._handle)
        self._claimed: set[int] = set()  # updates marked done by their own handling
        self._tasks: list[asyncio.Task] = []
        self._intake: asyncio.Task | None = None
        self._webhook = None
        self._stopped: asyncio.Future[int] | None = None

    @property
    def staff_chat_id(self) -> int | None:
        """The staff chat's id now: STAFF_CHAT_ID, or where Telegram moved that chat to."""
        return self.staff.posts.chat_id

    # --- life cycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Set the command menu, send what the last run left unsent, handle what it left
        unhandled, start the background jobs, then start taking updates."""
        loop = asyncio.get_running_loop()
        self._stopped = loop.create_future()
        await self.application.initialize()
        bot = self.application.bot
        await self._set_command_menus(bot)
        self._tasks = [
            asyncio.create_task(self._every(PURGE_EVERY, self._purge), name="retention purge"),
            asyncio.create_task(self._every(SCRUB_EVERY, self._scrub), name="log scrub"),
            asyncio.create_task(self._watch_file(), name="database file watch"),
        ]
        # The sender first reads what the last run left in the outbox: older, so sent first.
        self.deliverer.start().add_done_callback(self._sender_ended)
        await self.inbox.resume()
        if self.settings.webhook_url:
            logger.info(
                "starting in webhook mode on %s port %s",
                self.settings.listen_address,
                self.settings.port,
            )
            self._webhook = await start_webhook(
                self.inbox,
                webhook_path(self.settings),
                webhook_secret(self.settings),
                self.settings.listen_address,
                self.settings.port,
            )
            await bot.set_webhook(
                self.settings.webhook_url,
                secret_token=webhook_secret(self.settings),
                allowed_updates=list(Update.ALL_TYPES),
            )
        else:
            logger.info("starting with long polling")
            await bot.delete_webhook()
            self._intake = asyncio.create_task(poll(bot, self.inbox), name="polling")
            self._intake.add_done_callback(self._intake_ended)

    async def _set_command_menus(self, bot: Bot) -> None:
        """Everyone's menu; for each member of staff's private chat, theirs and the staff
        commands; in the staff chat, the staff commands alone."""
        dialogues = self.advisor.engine.dialogues
        everyone = [BotCommand(c, d) for c, d in self.advisor.engine.commands()]
        staff = [
            BotCommand(c, dialogues.messages.staff_commands[c])
            for c in STAFF_COMMANDS
            if c in dialogues.messages.staff_commands
        ]
        menus: list[tuple[list[BotCommand], object]] = [(everyone, None)]
        menus += [(everyone + staff, BotCommandScopeChat(i)) for i in sorted(self.staff.staff_ids)]
        if self.staff_chat_id is not None:
            menus.append((staff, BotCommandScopeChat(self.staff_chat_id)))
        for commands, scope in menus:
            try:
                await bot.set_my_commands(commands, scope=scope)
            except Exception as error:  # the menu is a nicety; never fail start-up over it
                logger.warning("could not set a command menu: %s", type(error).__name__)

    def _intake_ended(self, task: asyncio.Task) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, PollingStopped):
            self.fail(str(error))
        elif error is not None:
            self.fail(f"polling failed: {type(error).__name__}: {error}")

    def _sender_ended(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.fail(f"sending stopped: {task.exception()}")

    def stop(self, why: str = "asked to stop") -> None:
        """Begin a clean stop (SIGTERM, SIGINT); the exit code is 0."""
        if self._stopped is not None and not self._stopped.done():
            logger.info("stopping: %s", why)
            self._stopped.set_result(0)

    def fail(self, why: str) -> None:
        """Stop because the bot cannot go on; the exit code is 1 (a supervisor restarts it)."""
        if self._stopped is not None and not self._stopped.done():
            logger.error("%s", why)
            self._stopped.set_result(1)

    async def until_stopped(self) -> int:
        """Wait for stop() or fail(); the exit code."""
        assert self._stopped is not None, "start() first"
        return await self._stopped

    async def close(self) -> None:
        """Stop taking updates, give those being handled and the send under way a moment,
        keep the rest for the next start (in the inbox and the outbox), close everything."""
        if self._intake is not None:
            self._intake.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._intake
        if self._webhook is not None:
            await self._webhook.cleanup()
        cut = await self.inbox.stop(HANDLING_GRACE)
        if cut:
            logger.info("%d update(s) left in the inbox for the next start", cut)
        await self.deliverer.stop(SENDING_GRACE)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.application.shutdown(), FLUSH_GRACE)
        self.advisor.store.close()

    async def _every(self, seconds: float, job) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await job()
            except DatabaseGone as error:
                self.fail(f"{error}; stopping")
            except Exception:
                logger.exception("background job failed")

    async def _watch_file(self) -> None:
        while True:
            await asyncio.sleep(FILE_CHECK_EVERY)
            try:
                self.advisor.store.check_file()
            except DatabaseGone as error:
                self.fail(f"{error}; stopping")
                return

    async def _scrub(self) -> None:
        if self.advisor.store.log_scrub_due:
            await patiently(self.advisor.store.scrub_log, what="scrubbing the log")

    async def _purge(self) -> None:
        purged = await patiently(
            self.advisor.store.purge, self.settings.retention_days, what="the retention purge"
        )
        logger.info("retention purge: %s", {k: v for k, v in purged.items() if v})

    async def _handle(self, update: Update) -> bool:
        """Handle one update from the inbox; True if its handling marked it done."""
        await self.application.process_update(update)
        if update.update_id in self._claimed:
            self._claimed.discard(update.update_id)
            return True
        return False

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
        if chat.id == self.staff_chat_id:
            await self._staff_chat(update, sender.external_id)
            return
        if chat.type != ChatType.PRIVATE:
            await self._group(update, context)
            return
        event = event_of(update)
        if event is None:
            return
        staff = self.staff.is_staff(sender.external_id)
        if isinstance(event, Command) and staff and event.name in STAFF_COMMANDS:
            await self._staff_command(sender.external_id, chat.id, event, update.update_id)
            return
        handled = await patiently(
            self.advisor.handle, sender, event, update.update_id, what="handling an update"
        )
        self._claimed.add(update.update_id)
        self.deliverer.wake(handled.replies)  # the sender sends them (and the posts), in order
        await self._remove_posts(handled.erased_posts)
        if staff and isinstance(event, Command) and event.name == "help":
            # Staff's help goes on with the staff commands (not tied to the update: it is done).
            await self._staff_command(sender.external_id, chat.id, Command("staff"), None)

    async def _staff_command(
        self, staff_id: int, chat_id: int, command: Command, update_id: int | None
    ) -> None:
        outgoing = await patiently(
            self.staff.command,
            staff_id,
            chat_id,
            command.name,
            command.args,
            update_id,
            what="a staff command",
        )
        await self._staff_done(update_id, outgoing)

    async def _staff_done(self, update_id: int | None, outgoing) -> None:
        """The desk committed a staff update's work (and marked it done): send what it made."""
        if update_id is not None:
            self._claimed.add(update_id)
        if outgoing:
            self.deliverer.wake()  # the sender sends what it queued

    async def _remove_posts(self, posts) -> None:
        """Delete staff-chat notices about a user who asked to be forgotten (best effort)."""
        for chat_id, message_id in posts:
            try:
                await with_retries(
                    lambda c=chat_id, m=message_id: self.bot.delete_message(c, m), "delete post"
                )
            except Exception as error:  # e.g. older than 48 hours: Telegram refuses
                logger.warning("could not delete a staff post: %s", type(error).__name__)

    async def _staff_chat(self, update: Update, user_id: int) -> None:
        """In the staff chat only staff are listened to; everything else is ignored on purpose."""
        if not self.staff.is_staff(user_id):
            return
        chat_id = update.effective_chat.id
        event = event_of(update)
        if isinstance(event, Button) and isinstance(action := decode(event.data), STAFF_ACTIONS):
            outgoing = await patiently(
                self.staff.button, user_id, chat_id, action, update.update_id, what="a staff button"
            )
            await self._staff_done(update.update_id, outgoing)
            return
        message = update.message
        if message is None or message.text is None:
            return
        command = command_of(message)
        if command is not None and command.name in (*STAFF_COMMANDS, "help"):
            name = "staff" if command.name == "help" else command.name
            await self._staff_command(
                user_id, chat_id, Command(name, command.args), update.update_id
            )
        elif message.reply_to_message is not None and command is None:
            outgoing = await patiently(
                self.staff.reply_to_post,
                user_id,
                chat_id,
                message.reply_to_message.message_id,
                message.text,
                update.update_id,
                what="a staff reply",
            )
            await self._staff_done(update.update_id if outgoing is not None else None, outgoing)

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
        if isinstance(context.error, DatabaseGone):
            self.fail(f"{context.error}; stopping")
            return
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
    """The Application, wired to the advisor; not yet started (see BotService.start)."""
    # Without this PTB warns on every 429 about a change to how retry_after is given.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    quiet_raw_send_hint()
    assert settings.token is not None
    builder = (
        Application.builder()
        .token(settings.token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .updater(None)  # our own polling (bot/telegram/_polling.py) or webhook
        .request(AiohttpRequest(CONNECTIONS, SEND_TIMEOUT))
        .get_updates_request(AiohttpRequest(1))
    )
    if settings.rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=FLOOD_RETRIES))
    else:
        # Load tests turn the overall limit off; the staff chat's 20 a minute stays.
        builder = builder.rate_limiter(
            AIORateLimiter(
                overall_max_rate=0,
                group_max_rate=STAFF_CHAT_POSTS_PER_MINUTE,
                max_retries=FLOOD_RETRIES,
            )
        )
    application = builder.build()
    service = BotService(settings, advisor, application)
    application.add_handler(TypeHandler(Update, service.on_update))
    application.add_error_handler(service.on_error)
    application.bot_data["service"] = service
    return application


async def serve(settings: Settings) -> int:
    """Run the bot until SIGTERM or SIGINT (exit 0) or until it cannot go on (exit 1)."""
    advisor = make_advisor(settings)
    service: BotService = build_application(settings, advisor).bot_data["service"]
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, service.stop, signal.Signals(signum).name)
    try:
        await service.start()
        code = await service.until_stopped()
    except DatabaseGone as error:
        logger.error("%s; stopping", error)
        code = 1
    _exit_by(STOP_DEADLINE, code)
    await service.close()
    return code


def _exit_by(seconds: float, code: int) -> None:
    """Make sure the process ends within `seconds` even if closing hangs (a thread stuck on a
    locked database, say): everything that matters is committed, so nothing is lost."""

    def expire() -> None:
        logging.getLogger(__name__).warning("stopping took too long; exiting now")
        logging.shutdown()
        os._exit(code)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


def run_bot(settings: Settings) -> int:
    """Run until stopped: long polling, or a webhook when WEBHOOK_URL is set; the exit code."""
    return asyncio.run(serve(settings))


def webhook_path(settings: Settings) -> str:
    """The URL path the webhook listens on: the path of WEBHOOK_URL."""
    assert settings.webhook_url is not None
    return urlparse(settings.webhook_url).path.lstrip("/")
