"""The checks Telegram makes on what a bot sends, with Telegram's wording when they fail."""

from __future__ import annotations

import re

from ._html import HtmlError, parse_html, utf16_len
from ._params import Params
from ._records import bad_request

TEXT_LIMIT = 4096  # UTF-16 code units of visible text, after the markup is parsed
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
CALLBACK_ANSWER_LIMIT = 200
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BOT_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def message_text(params: Params) -> tuple[str, list[dict]]:
    """The visible text and entities of sendMessage / editMessageText; 400 if Telegram refuses."""
    text, entities = _formatted(params, "text", TEXT_LIMIT, "message is too long")
    if not text:
        raise bad_request("message text is empty")
    return text, entities


def caption(params: Params) -> dict:
    """The caption and caption_entities fields for a media message (empty when none)."""
    text, entities = _formatted(params, "caption", CAPTION_LIMIT, "message caption is too long")
    fields: dict = {}
    if text:
        fields["caption"] = text
    if entities:
        fields["caption_entities"] = entities
    return fields


def reply_markup(params: Params) -> dict | None:
    """The reply_markup parameter, inline keyboards checked as Telegram checks them."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("can't parse inline keyboard button: Text must be non-empty")
        if not set(button) - {"text", "style", "icon_custom_emoji_id"}:
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the "
                "inline keyboard"
            )
        if "callback_data" in button:
            size = len(str(button["callback_data"]).encode())
            if not 1 <= size <= CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def bot_commands(params: Params) -> list[dict]:
    """The commands of setMyCommands: at most 100, lower-case names, 1-256 character texts."""
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an array of at most 100 BotCommand")
    for command in commands:
        if not _BOT_COMMAND.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description must be 1-256 characters")
    return [{"command": c["command"], "description": c["description"]} for c in commands]


def secret_token(params: Params) -> str | None:
    """The secret_token of setWebhook: 1-256 of A-Z, a-z, 0-9, _ and -."""
    secret = params.text("secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    return secret


def chat_action(params: Params) -> str:
    """The action of sendChatAction, one of Telegram's list."""
    action = params.text("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return action


def callback_answer(params: Params) -> None:
    """The optional text of answerCallbackQuery, at most 200 characters."""
    if len(params.text("text") or "") > CALLBACK_ANSWER_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")


def _formatted(params: Params, field: str, limit: int, too_long: str) -> tuple[str, list[dict]]:
    """Visible text and entities of a text or caption under its parse_mode."""
    raw = params.text(field)
    if raw is None:
        return "", []
    mode = (params.text("parse_mode") or "").lower()
    if mode == "html":
        try:
            text, entities = parse_html(raw)
        except HtmlError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    elif mode in ("markdown", "markdownv2"):
        text, entities = raw.strip(), []  # accepted unchecked: we only send HTML
    elif not mode:
        text = raw.strip()
        entities = list(params.get("entities" if field == "text" else "caption_entities") or [])
    else:
        raise bad_request("unsupported parse_mode")
    if utf16_len(text) > limit:
        raise bad_request(too_long)
    return text, entities
