"""Telegram updates translated into the engine's neutral events; no decisions made here."""

from __future__ import annotations

from telegram import Message, Update

from bot.service import Sender
from dialogues import Button, Command, Event, Text, Unsupported
from dialogues.actions import LeaveThread, decode

CHANNEL = "telegram"

# Message attributes that carry something other than text, and what the engine calls them.
_MEDIA = (
    ("sticker", "sticker"),
    ("photo", "photo"),
    ("voice", "voice"),
    ("video_note", "video"),
    ("audio", "audio"),
    ("video", "video"),
    ("animation", "video"),
    ("document", "document"),
    ("location", "location"),
    ("venue", "location"),
    ("contact", "contact"),
)


def sender_of(update: Update) -> Sender | None:
    """Who sent the update and where to answer, or None for updates from no one in particular."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    return Sender(CHANNEL, user.id, chat.id)


def event_of(update: Update) -> Event | None:
    """The event an update means to the engine, or None when it is not for the engine."""
    if update.callback_query is not None:
        return Button(update.callback_query.data or "")
    if update.edited_message is not None:
        return Unsupported("edited")
    message = update.message
    if message is None:
        return None  # channel posts, member changes, polls and the like are not conversation
    if message.text is not None:
        command = command_of(message)
        return command if command is not None else Text(message.text, team_reference(message))
    for attribute, what in _MEDIA:
        if getattr(message, attribute, None):
            return Unsupported(what)
    if message.new_chat_members or message.left_chat_member or message.pinned_message:
        return None
    return Unsupported("other")


def command_of(message: Message) -> Command | None:
    """A /command at the start of a message (Telegram marks it), without any @botname."""
    entities = message.entities or ()
    if not any(e.type == "bot_command" and e.offset == 0 for e in entities):
        return None
    word, _, args = (message.text or "").partition(" ")
    name = word[1:].split("@", 1)[0]
    return Command(name, args.strip()) if name else None


def team_reference(message: Message) -> str | None:
    """When a message is a Telegram reply to the team's message, that follow-up's reference.

    The team's messages carry a "Back to the bot" button (LeaveThread), and Telegram includes
    the replied-to message with its buttons, so no lookup is needed.
    """
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return None
    markup = replied.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            data = button.callback_data
            action = decode(data) if isinstance(data, str) else None
            if isinstance(action, LeaveThread):
                return action.reference
    return None
