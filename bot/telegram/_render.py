"""The engine's replies as Bot API calls: HTML text, inline keyboards, photos and documents."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.warnings import PTBUserWarning

from dialogues import MESSAGE_LIMIT, Chart, Document, Reply, plain, split_text

# Charts and plans drawn at once. A plan being drawn holds some 40 MB over the process's
# ~130 MB of code and data: ten users asking at once took it to about 410 MB (`make bench`,
# render); two at a time, 229 MB; one at a time, 190 MB (the target is 200). Drawing holds the
# GIL for most of its time, so a second drawer buys little: ten plans took the same CPU (12.9 s)
# and 46 s against 42 s of wall time under a load of five on two cores.
RENDERS_AT_ONCE = 1
T = TypeVar("T")


def quiet_raw_send_hint() -> None:
    """Silence PTB's hint to use its methods for our raw sendMessage, editMessageText and
    getUpdates calls only."""
    warnings.filterwarnings(
        "ignore",
        message=r"Please use 'Bot\.(sendMessage|editMessageText|get_updates)'",
        category=PTBUserWarning,
    )


def raw_keyboard(reply: Reply) -> dict | None:
    """The reply's options as the Bot API's inline keyboard (callback ids are already short)."""
    if not reply.options:
        return None
    return {
        "inline_keyboard": [
            [{"text": o.label, "callback_data": o.data} for o in row] for row in reply.options
        ]
    }


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The same keyboard as python-telegram-bot's object, for send_photo and send_document."""
    raw = raw_keyboard(reply)
    return InlineKeyboardMarkup.de_json(raw, None) if raw else None


class Renderer:
    """Sends one reply; charts and documents are drawn off the event loop."""

    def __init__(
        self,
        render_chart: Callable[[Chart], bytes],
        render_document: Callable[[Document], bytes],
    ):
        self._render_chart = render_chart
        self._render_document = render_document
        # Two threads of their own: drawing waits for one, and never takes the default pool's
        # threads, which storage calls need.
        self._drawers = ThreadPoolExecutor(RENDERS_AT_ONCE, thread_name_prefix="draw")

    async def _draw(self, render: Callable[[T], bytes], what: T) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(self._drawers, render, what)

    async def send(
        self,
        bot: Bot,
        chat_id: int,
        reply: Reply,
        *,
        html: bool = True,
        reply_to: int | None = None,
    ) -> int:
        """Send a reply (a text one as a reply to message `reply_to`, if given); the id of the
        message Telegram made. html=False sends plain text."""
        text = reply.text if html else plain(reply.text)
        mode = ParseMode.HTML if html else None
        if reply.chart is not None:
            markup = keyboard(reply)
            png = await self._draw(self._render_chart, reply.chart)
            message = await bot.send_photo(
                chat_id, png, caption=text or None, parse_mode=mode, reply_markup=markup
            )
        elif reply.document is not None:
            markup = keyboard(reply)
            pdf = await self._draw(self._render_document, reply.document)
            message = await bot.send_document(
                chat_id,
                pdf,
                filename=reply.document.name,
                caption=text or None,
                parse_mode=mode,
                reply_markup=markup,
            )
        else:
            # Longer than Telegram allows (a staff reply with its header, say): in parts, the
            # buttons under the last.
            parts = split_text(text) if len(text) > MESSAGE_LIMIT else [text]
            for number, part in enumerate(parts, 1):
                markup = raw_keyboard(reply) if number == len(parts) else None
                message_id = await _send_text(bot, chat_id, part, mode, markup, reply_to)
            return message_id
        return message.message_id

    async def edit(self, bot: Bot, chat_id: int, message_id: int, reply: Reply) -> None:
        """Replace the text and buttons of a message the bot sent (a staff-chat notice)."""
        await bot.do_api_request(
            "editMessageText",
            api_kwargs={
                "chat_id": chat_id,
                "message_id": message_id,
                "text": reply.text,
                "parse_mode": ParseMode.HTML,
                "reply_markup": raw_keyboard(reply),
                "link_preview_options": {"is_disabled": True},
            },
        )


async def _send_text(
    bot: Bot,
    chat_id: int,
    text: str,
    mode: str | None,
    markup: dict | None,
    reply_to: int | None = None,
) -> int:
    # The hot path. A raw call spares PTB parsing the returned Message (every entity and
    # button) into objects we never read: measured at about 1.4 ms of 3.6 ms per reply under
    # load. PTB hints at send_message for this; see quiet_raw_send_hint.
    result = await bot.do_api_request(
        "sendMessage",
        api_kwargs={
            "chat_id": chat_id,
            "text": text,
            "parse_mode": mode,
            "reply_markup": markup,
            "link_preview_options": {"is_disabled": True},
            # A post under a notice deleted meanwhile is still sent, on its own.
            **(
                {"reply_parameters": {"message_id": reply_to, "allow_sending_without_reply": True}}
                if reply_to is not None
                else {}
            ),
        },
    )
    return int(result["message_id"])
