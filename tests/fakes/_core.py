"""Telegram's side of the fake: what it stores and how each Bot API method answers.

`BotApiCore` holds the state (users, chats, the update queue, the bot's messages, files,
commands, webhook) and one handler per Bot API method; `FakeBotAPI` adds the HTTP server and
the controls a test uses. Handlers return the `result` of an ok answer or raise `ApiError`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

from . import _checks, _updates
from ._params import Params
from ._records import ApiError, Call, Fault, SentMessage, UploadedFile, bad_request

BOT_USERNAME = "scaling_advisor_test_bot"


class Pulse:
    """Wakes everyone waiting on it; each wait sees only pulses fired after it began."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        """Wake the current waiters."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        """Return at the next fire, or after timeout seconds."""
        event = self._event
        with suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(0.0, timeout))


class BotApiCore:
    """The state of one bot at Telegram and the Bot API methods over it."""

    def __init__(self, token: str, first_update_id: int):
        self.token = token
        self.bot_user = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Scaling Advisor (test)",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._next_update_id = first_update_id  # Telegram's ids only ever increase
        self._query_ids = itertools.count(4_200_000_000)
        self._file_numbers = itertools.count(1)
        self._queue: deque[dict] = deque()
        self._poll_generation = 0
        self._lost_confirmations = 0  # getUpdates calls whose offset is not taken as confirming
        self._allowed_updates: list[str] | None = None
        self._users: dict[int, dict] = {}
        self._chats: dict[int, dict] = {}
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}  # groups upgraded to a supergroup: old id -> new
        self._kicked: set[int] = set()  # groups the bot was removed from
        self._message_ids: dict[int, Iterator[int]] = {}
        self._inbox: dict[int, list[dict]] = {}  # messages users sent, per chat
        self._sent: dict[int, list[SentMessage]] = {}  # messages the bot sent, per chat
        self._read: dict[int, int] = {}  # per chat: how many of _sent a wait has returned
        self._calls: list[Call] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._queries: dict[str, bool] = {}  # callback query id -> answered
        self._files: dict[str, UploadedFile] = {}
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._webhook: dict[str, Any] = {}
        self._closing = asyncio.Event()
        self._updates_pulse = Pulse()
        self._calls_pulse = Pulse()
        self._chat_pulses: dict[int, Pulse] = {}
        handlers: dict[str, Callable[[Params], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            "close": self._true,
            "logOut": self._true,
        }
        # Telegram matches method names case-insensitively; calls are logged by canonical name.
        self._methods = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # ---------------------------------------------------------------- Bot API methods

    def _true(self, params: Params) -> bool:
        return True

    def _get_me(self, params: Params) -> dict:
        return self.bot_user

    async def _get_updates(self, params: Params) -> list[dict]:
        if self._webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset", 0) or 0
        limit = min(100, max(1, params.integer("limit", 100) or 100))
        timeout = max(0.0, params.number("timeout", 0.0))
        if params.get("allowed_updates") is not None:
            self._allowed_updates = list(params.get("allowed_updates")) or None
        if self._lost_confirmations and self._queue and 0 < self._queue[0]["update_id"] < offset:
            self._lost_confirmations -= 1  # as if this request never reached Telegram
        else:
            self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_pulse.fire()  # an older poll still waiting ends with 409
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            ready = [u for u in self._queue if self._allowed(u)][:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._closing.is_set():
                return ready
            await self._updates_pulse.wait(remaining)

    def _delete_webhook(self, params: Params) -> bool:
        self._webhook = {}
        if params.flag("drop_pending_updates"):
            self._queue.clear()
        return True

    def _set_webhook(self, params: Params) -> bool:
        url = params.text("url") or ""
        if not url:
            return self._delete_webhook(params)
        secret = _checks.secret_token(params)
        if params.flag("drop_pending_updates"):
            self._queue.clear()
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": params.integer("max_connections", 40),
            "allowed_updates": params.get("allowed_updates"),
            "ip_address": params.text("ip_address"),
        }
        return True

    def _get_webhook_info(self, params: Params) -> dict:
        info: dict[str, Any] = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self._webhook:
            info["max_connections"] = self._webhook["max_connections"]
            if self._webhook.get("allowed_updates"):
                info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    def _set_my_commands(self, params: Params) -> bool:
        self._commands[_commands_key(params)] = _checks.bot_commands(params)
        return True

    def _get_my_commands(self, params: Params) -> list[dict]:
        return self._commands.get(_commands_key(params), [])

    def _delete_my_commands(self, params: Params) -> bool:
        self._commands.pop(_commands_key(params), None)
        return True

    def _send_message(self, params: Params) -> dict:
        chat = self._target_chat(params)
        text, entities = _checks.message_text(params)
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        sent = self._deliver(chat, "sendMessage", content, _checks.reply_markup(params), params)
        sent.text = params.text("text")
        return sent.result

    def _send_photo(self, params: Params) -> dict:
        chat = self._target_chat(params)
        upload = self._upload(params, "photo")
        try:
            _updates.image_size(upload.data)
        except ValueError:
            raise bad_request("IMAGE_PROCESS_FAILED") from None
        file_id, unique_id = self._store_file("photo", upload)
        content = {"photo": _updates.photo_sizes(file_id, unique_id, upload.data)}
        content.update(_checks.caption(params))
        sent = self._deliver(chat, "sendPhoto", content, _checks.reply_markup(params), params)
        sent.photo, sent.filename = upload.data, upload.filename
        return sent.result

    def _send_document(self, params: Params) -> dict:
        chat = self._target_chat(params)
        upload = self._upload(params, "document")
        file_id, unique_id = self._store_file("document", upload)
        document = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": upload.filename or "file",
            "mime_type": upload.content_type or "application/octet-stream",
            "file_size": len(upload.data),
        }
        content: dict[str, Any] = {"document": document}
        content.update(_checks.caption(params))
        sent = self._deliver(chat, "sendDocument", content, _checks.reply_markup(params), params)
        sent.document, sent.filename = upload.data, upload.filename
        return sent.result

    def _edit_message_text(self, params: Params) -> dict:
        target = self._editable(params, "message to edit not found")
        if "text" not in target.result:
            raise bad_request("there is no text in the message to edit")
        text, entities = _checks.message_text(params)
        updated = {k: v for k, v in target.result.items() if k not in ("entities", "reply_markup")}
        updated["text"] = text
        if entities:
            updated["entities"] = entities
        self._apply_edit(target, updated, _checks.reply_markup(params))
        target.text, target.parse_mode = params.text("text"), params.text("parse_mode")
        return target.result

    def _edit_message_reply_markup(self, params: Params) -> dict:
        target = self._editable(params, "message to edit not found")
        updated = {k: v for k, v in target.result.items() if k != "reply_markup"}
        self._apply_edit(target, updated, _checks.reply_markup(params))
        return target.result

    def _delete_message(self, params: Params) -> bool:
        self._editable(params, "message to delete not found").deleted = True
        return True

    def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.text("callback_query_id") or ""
        if self._queries.get(query_id, True):  # unknown, or answered already
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        _checks.callback_answer(params)
        self._queries[query_id] = True
        return True

    def _send_chat_action(self, params: Params) -> bool:
        self._target_chat(params)
        _checks.chat_action(params)
        return True

    def _get_chat(self, params: Params) -> dict:
        chat_id = params.chat_id()
        if chat_id not in self._chats:
            raise bad_request("chat not found")
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
        return {
            **self._chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {name: False for name in (*gifts, "gifts_from_channels")},
        }

    def _get_file(self, params: Params) -> dict:
        file_id = params.text("file_id") or ""
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": unique_file_id(file_id),
            "file_size": len(stored.data),
            "file_path": file_path(file_id),
        }

    # ---------------------------------------------------------------- state

    def _register_user(self, user_id: int, **fields: Any) -> dict:
        person = _updates.user(user_id, **fields)
        self._users[user_id] = person
        self._chats[user_id] = _updates.private_chat(person)
        return person

    def _register_group(self, chat_id: int, title: str | None = None, kind: str = "group") -> dict:
        chat = _updates.group_chat(chat_id, title, kind)
        self._chats[chat_id] = chat
        return chat

    def _user(self, user_id: int) -> dict:
        return self._users.get(user_id) or self._register_user(user_id)

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _enqueue(self, content: dict, update_id: int | None = None) -> int:
        """Queue an update with the next id, or with update_id if it is not below that."""
        if update_id is None:
            update_id = self._next_update_id
        elif update_id < self._next_update_id:
            raise ValueError(f"update_id {update_id} is below the next id, {self._next_update_id}")
        self._next_update_id = update_id + 1
        self._queue.append({"update_id": update_id, **content})
        self._updates_pulse.fire()
        return update_id

    def _confirm(self, offset: int) -> None:
        """Forget updates below offset (a negative offset keeps only the last -offset)."""
        if offset > 0:
            while self._queue and self._queue[0]["update_id"] < offset:
                self._queue.popleft()
        elif offset < 0:
            while len(self._queue) > -offset:
                self._queue.popleft()

    def _allowed(self, update: dict) -> bool:
        if not self._allowed_updates:
            return True
        return any(kind in update for kind in self._allowed_updates)

    def _push_message(
        self, user_id: int, content: dict, chat_id: int | None = None, chat_type: str = "group"
    ) -> int:
        """Queue a message from a user, in their private chat unless chat_id names a group."""
        sender = self._user(user_id)
        if chat_id is None or chat_id == user_id:
            chat = self._chats[user_id]
        else:
            chat = self._chats.get(chat_id) or self._register_group(chat_id, kind=chat_type)
        sent = _updates.message(
            self._next_message_id(chat["id"]), chat, sender, int(time.time()), **content
        )
        self._inbox.setdefault(chat["id"], []).append(sent)
        return self._enqueue({"message": sent})

    def _new_file_id(self, kind: str) -> tuple[str, str]:
        file_id = f"fake-{kind}-{next(self._file_numbers):06d}"
        return file_id, unique_file_id(file_id)

    def _store_file(self, kind: str, upload: UploadedFile) -> tuple[str, str]:
        file_id, unique_id = self._new_file_id(kind)
        self._files[file_id] = upload
        return file_id, unique_id

    def _upload(self, params: Params, field: str) -> UploadedFile:
        value = params.get(field)
        if isinstance(value, UploadedFile):
            return value
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if not value:
            raise bad_request(f"there is no {field} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _target_chat(self, params: Params) -> dict:
        chat_id = params.chat_id()
        self._check_reachable(chat_id)
        chat = self._chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _check_reachable(self, chat_id: int) -> None:
        """Telegram's answer for a chat the bot cannot post to (blocked, removed, moved)."""
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self._kicked:
            raise ApiError(403, "Forbidden: bot was kicked from the supergroup chat")
        if chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )

    def _deliver(
        self, chat: dict, method: str, content: dict, markup: dict | None, params: Params
    ) -> SentMessage:
        """Record a message the bot sent and wake whoever waits for it."""
        result = _updates.message(
            self._next_message_id(chat["id"]), chat, self.bot_user, int(time.time()), **content
        )
        if markup and "inline_keyboard" in markup:  # only inline keyboards show in a Message
            result["reply_markup"] = markup
        sent = SentMessage(
            chat_id=chat["id"],
            message_id=result["message_id"],
            method=method,
            text=None,
            parse_mode=params.text("parse_mode"),
            reply_markup=markup,
            received_at=time.perf_counter(),
            result=result,
            caption=params.text("caption"),
        )
        self._sent.setdefault(chat["id"], []).append(sent)
        self._chat_pulse(chat["id"]).fire()
        return sent

    def _bot_message(self, chat_id: int, message_id: int | None) -> SentMessage:
        for sent in reversed(self._sent.get(chat_id, [])):
            if message_id in (None, sent.message_id) and not sent.deleted:
                return sent
        raise ValueError(f"the bot has no message {message_id or ''} in chat {chat_id}")

    def _editable(self, params: Params, missing: str) -> SentMessage:
        if params.has("inline_message_id"):
            raise bad_request(missing)
        chat_id = params.chat_id()
        self._check_reachable(chat_id)
        message_id = params.integer("message_id")
        for sent in self._sent.get(chat_id, []):
            if sent.message_id == message_id and not sent.deleted:
                return sent
        raise bad_request(missing)

    def _apply_edit(self, target: SentMessage, updated: dict, markup: dict | None) -> None:
        if markup and "inline_keyboard" in markup:
            updated["reply_markup"] = markup
        current = {k: v for k, v in target.result.items() if k != "edit_date"}
        if current == {k: v for k, v in updated.items() if k != "edit_date"}:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        updated["edit_date"] = int(time.time())
        target.edits.append(target.result)
        target.result = updated
        target.reply_markup = markup

    def _chat_pulse(self, chat_id: int) -> Pulse:
        pulse = self._chat_pulses.get(chat_id)
        if pulse is None:
            pulse = self._chat_pulses[chat_id] = Pulse()
        return pulse


def _commands_key(params: Params) -> tuple[str, str]:
    return commands_key(params.get("scope"), params.text("language_code") or "")


def commands_key(scope: dict | None, language_code: str) -> tuple[str, str]:
    """The key a command list is stored under: its scope and language."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


def unique_file_id(file_id: str) -> str:
    """The file_unique_id that goes with a file_id."""
    return "U" + file_id.rsplit("-", 1)[-1]


def file_path(file_id: str) -> str:
    """Where getFile says the file can be downloaded, under base_file_url + token."""
    kind = file_id.split("-")[1] if file_id.count("-") >= 2 else "document"
    return f"{kind}s/{file_id}"
