"""Builders for the JSON objects Telegram puts in updates: users, chats, messages, media."""

from __future__ import annotations

import io
import re

from PIL import Image

from ._html import utf16_len

_NAMES = ("Amira", "Ben", "Chloe", "Dev", "Ellis", "Fatima", "George", "Hana", "Idris", "Jo")
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def user(
    user_id: int,
    first_name: str | None = None,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str = "en",
) -> dict:
    """A human Telegram user as it appears in `from`."""
    found: dict = {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name or _NAMES[user_id % len(_NAMES)],
        "language_code": language_code,
    }
    if last_name:
        found["last_name"] = last_name
    if username:
        found["username"] = username
    return found


def private_chat(person: dict) -> dict:
    """The private chat between the bot and this user (its id is the user's id)."""
    chat = {"id": person["id"], "type": "private", "first_name": person["first_name"]}
    for key in ("last_name", "username"):
        if key in person:
            chat[key] = person[key]
    return chat


def group_chat(chat_id: int, title: str | None = None, kind: str = "group") -> dict:
    """A group or supergroup chat (Telegram gives groups negative ids)."""
    return {"id": chat_id, "type": kind, "title": title or f"Group {abs(chat_id)}"}


def command_entities(text: str) -> list[dict]:
    """The bot_command entities Telegram adds to a text such as "/start" or "/show@bot REF"."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group(0)),
        }
        for match in _COMMAND.finditer(text)
    ]


def message(message_id: int, chat: dict, sender: dict, date: int, **content: object) -> dict:
    """A Message object with the given content fields (text, photo, sticker, ...)."""
    return {"message_id": message_id, "from": sender, "chat": chat, "date": date, **content}


def sticker(file_id: str, unique_id: str, emoji: str) -> dict:
    """A static regular sticker."""
    return {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
        "emoji": emoji,
        "file_size": 20_000,
    }


def photo_sizes(file_id: str, unique_id: str, data: bytes) -> list[dict]:
    """The PhotoSize list for an image (one size: the image as stored)."""
    width, height = image_size(data)
    return [
        {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "width": width,
            "height": height,
            "file_size": len(data),
        }
    ]


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of an image; ValueError if it is not one Telegram could process."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception as error:  # PIL raises several types for bad data
        raise ValueError("not an image") from error


def sample_png(width: int = 8, height: int = 6) -> bytes:
    """A small valid PNG, for photos users send."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()
