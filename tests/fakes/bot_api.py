"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests and load benchmarks.

It answers python-telegram-bot the way api.telegram.org does (the same JSON shapes, the same
errors for the limits that matter to us), records every call and every message the bot sends,
lets a test push updates as users would, and injects faults on demand.

Example:
    async with FakeBotAPI() as api:
        app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
               .base_file_url(api.base_file_url).build())
        ...  # start the app polling in the same loop, or as a subprocess with api.bot_env()
        api.push_text(1001, "hello")
        [reply] = await api.wait_for_messages(1001, 1)

Three ways to run it: `async with FakeBotAPI()` in the test's own loop; `with
FakeBotAPI.in_thread()` on a loop of its own in a background thread (every public method may
then be called from any thread); or `python -m tests.fakes.bot_api --port 8081` as a separate
process, driven over HTTP at /_fake/... (see `main`).

Deliberate differences from Telegram: webhook URLs may be plain http on any port (Telegram
wants https on 443, 80, 88 or 8443); MarkdownV2 is accepted but not checked; files given by
URL are refused, since nothing here may reach the network.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import functools
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from . import _updates
from ._html import HtmlError, parse_html, utf16_len
from ._params import Params
from ._records import (
    ApiError,
    Call,
    Fault,
    FaultKind,
    SentMessage,
    UploadedFile,
    WaitTimeout,
    bad_request,
)

__all__ = ["DEFAULT_TOKEN", "REGISTERED_SECRET", "FakeBotAPI", "main"]

DEFAULT_TOKEN = "5555555555:AAFakeTokenForLocalTestsOnly-0123456789"
BOT_USERNAME = "scaling_advisor_test_bot"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200

REGISTERED_SECRET: Any = object()  # deliver_webhook default: the secret given to setWebhook

_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_CHAT_ACTIONS = frozenset(
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

T = TypeVar("T")


class _Pulse:
    """Wakes everyone waiting on it; each wait sees only pulses fired after it began."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        event = self._event
        with suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(0.0, timeout))


def _on_server_thread(method: Callable[..., T]) -> Callable[..., T]:
    """Run a public method on the server's thread when the server lives in another one."""

    @functools.wraps(method)
    def wrapper(self: FakeBotAPI, *args: Any, **kwargs: Any) -> T:
        if self._thread_ident is None or threading.get_ident() == self._thread_ident:
            return method(self, *args, **kwargs)
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(method(self, *args, **kwargs))
            except BaseException as error:
                future.set_exception(error)

        self._loop.call_soon_threadsafe(run)
        return future.result()

    return wrapper


def _on_server_loop(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Run a public coroutine on the server's loop when the caller's loop is another one."""

    @functools.wraps(method)
    async def wrapper(self: FakeBotAPI, *args: Any, **kwargs: Any) -> T:
        if self._loop is None or asyncio.get_running_loop() is self._loop:
            return await method(self, *args, **kwargs)
        future = asyncio.run_coroutine_threadsafe(method(self, *args, **kwargs), self._loop)
        return await asyncio.wrap_future(future)

    return wrapper


class FakeBotAPI:
    """A Bot API server for one bot token, on 127.0.0.1 and an ephemeral port by default."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        first_update_id: int = 700_000,
    ):
        self.token = token
        self.host = host
        self.port = port
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
        self._update_ids = itertools.count(first_update_id)
        self._query_ids = itertools.count(4_200_000_000)
        self._file_numbers = itertools.count(1)
        self._queue: deque[dict] = deque()
        self._poll_generation = 0
        self._allowed_updates: list[str] | None = None
        self._users: dict[int, dict] = {}
        self._chats: dict[int, dict] = {}
        self._blocked: set[int] = set()
        self._message_ids: dict[int, Iterator[int]] = {}
        self._inbox: dict[int, list[dict]] = {}
        self._sent: dict[int, list[SentMessage]] = {}
        self._read: dict[int, int] = {}
        self._calls: list[Call] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._queries: dict[str, bool] = {}  # callback query id -> answered
        self._files: dict[str, UploadedFile] = {}
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._webhook: dict[str, Any] = {}
        self._methods: dict[str, tuple[str, Callable[[Params], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
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
            }.items()
        }
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread_ident: int | None = None
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._closing = asyncio.Event()
        self._updates_pulse = _Pulse()
        self._calls_pulse = _Pulse()
        self._chat_pulses: dict[int, _Pulse] = {}

    # ---------------------------------------------------------------- lifecycle and addresses

    async def start(self) -> FakeBotAPI:
        """Listen on host:port (port 0 picks a free one, read it back from `port`)."""
        self._loop = asyncio.get_running_loop()
        self._closing = asyncio.Event()
        self._updates_pulse = _Pulse()
        self._calls_pulse = _Pulse()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._serve_file)
        app.router.add_route("*", "/_fake/{action}", self._control)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Release waiting requests and stop listening."""
        self._closing.set()
        self._updates_pulse.fire()
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @classmethod
    @contextmanager
    def in_thread(cls, **kwargs: Any) -> Iterator[FakeBotAPI]:
        """Run a FakeBotAPI on its own event loop in a background thread."""
        api = cls(**kwargs)
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            api._thread_ident = threading.get_ident()
            started.set()
            loop.run_forever()

        thread = threading.Thread(target=serve, name="FakeBotAPI", daemon=True)
        thread.start()
        started.wait()
        asyncio.run_coroutine_threadsafe(api.start(), loop).result(timeout=10)
        try:
            yield api
        finally:
            asyncio.run_coroutine_threadsafe(api.stop(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()

    @property
    def url(self) -> str:
        """The server's root, e.g. http://127.0.0.1:40123."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What ApplicationBuilder().base_url() wants (the token is appended to it)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What ApplicationBuilder().base_file_url() wants."""
        return f"{self.url}/file/bot"

    def bot_env(self, **extra: str) -> dict[str, str]:
        """Environment variables pointing a bot process (design contract names) at this server."""
        return {
            "TELEGRAM_BOT_TOKEN": self.token,
            "TELEGRAM_API_BASE_URL": self.base_url,
            "BOT_RATE_LIMIT": "off",
            **extra,
        }

    # ---------------------------------------------------------------- people and chats

    @_on_server_thread
    def add_user(self, user_id: int, **fields: Any) -> dict:
        """Create or replace a user (first_name, last_name, username, language_code)."""
        person = _updates.user(user_id, **fields)
        self._users[user_id] = person
        self._chats[user_id] = _updates.private_chat(person)
        return person

    @_on_server_thread
    def add_chat(self, chat_id: int, title: str | None = None, kind: str = "group") -> dict:
        """Make a group known, as if the bot had been added to it."""
        chat = _updates.group_chat(chat_id, title, kind)
        self._chats[chat_id] = chat
        return chat

    @_on_server_thread
    def block(self, user_id: int) -> None:
        """The user blocks the bot: every later send to them gets 403."""
        self._blocked.add(user_id)

    @_on_server_thread
    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        self._blocked.discard(user_id)

    # ---------------------------------------------------------------- injecting updates

    @_on_server_thread
    def push_text(
        self, user_id: int, text: str, chat_id: int | None = None, chat_type: str = "private"
    ) -> int:
        """A user sends a text (a leading "/word" is a command, with its bot_command entity)."""
        content: dict[str, Any] = {"text": text}
        entities = _updates.command_entities(text)
        if entities:
            content["entities"] = entities
        return self._push_message(user_id, content, chat_id, chat_type)

    @_on_server_thread
    def push_group_text(self, chat_id: int, user_id: int, text: str) -> int:
        """A user writes in a group chat."""
        kind = self._chats.get(chat_id, {}).get("type", "group")
        return self.push_text(user_id, text, chat_id=chat_id, chat_type=kind)

    @_on_server_thread
    def push_sticker(self, user_id: int, emoji: str = "👍") -> int:
        """A user sends a sticker."""
        file_id, unique_id = self._new_file_id("sticker")
        return self._push_message(user_id, {"sticker": _updates.sticker(file_id, unique_id, emoji)})

    @_on_server_thread
    def push_photo(
        self, user_id: int, data: bytes | None = None, caption: str | None = None
    ) -> int:
        """A user sends a photo (a small PNG unless data is given)."""
        data = data if data is not None else _updates.sample_png()
        file_id, unique_id = self._store_file(
            "photo", UploadedFile(data, "photo.jpg", "image/jpeg")
        )
        content: dict[str, Any] = {"photo": _updates.photo_sizes(file_id, unique_id, data)}
        if caption:
            content["caption"] = caption
        return self._push_message(user_id, content)

    @_on_server_thread
    def push_voice(self, user_id: int, duration: int = 3, data: bytes = b"OggS\x00fake") -> int:
        """A user sends a voice note."""
        file_id, unique_id = self._store_file("voice", UploadedFile(data, None, "audio/ogg"))
        voice = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self._push_message(user_id, {"voice": voice})

    @_on_server_thread
    def push_location(
        self, user_id: int, latitude: float = 51.5072, longitude: float = -0.1276
    ) -> int:
        """A user shares a location."""
        return self._push_message(
            user_id, {"location": {"latitude": latitude, "longitude": longitude}}
        )

    @_on_server_thread
    def push_contact(
        self, user_id: int, phone_number: str = "+447700900123", first_name: str = "Sam"
    ) -> int:
        """A user shares a contact card."""
        contact = {"phone_number": phone_number, "first_name": first_name}
        return self._push_message(user_id, {"contact": contact})

    @_on_server_thread
    def push_document(
        self,
        user_id: int,
        data: bytes = b"notes from our pilot\n",
        filename: str = "notes.txt",
        mime_type: str = "text/plain",
        caption: str | None = None,
    ) -> int:
        """A user sends a file."""
        file_id, unique_id = self._store_file("document", UploadedFile(data, filename, mime_type))
        document = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        content: dict[str, Any] = {"document": document}
        if caption:
            content["caption"] = caption
        return self._push_message(user_id, content)

    @_on_server_thread
    def push_edited_text(self, user_id: int, text: str, message_id: int | None = None) -> int:
        """A user edits one of their texts (the latest one unless message_id is given)."""
        inbox = [m for m in self._inbox.get(user_id, []) if "text" in m]
        original = next((m for m in reversed(inbox) if message_id in (None, m["message_id"])), None)
        if original is None:
            raise ValueError(f"user {user_id} has sent no text with message_id {message_id}")
        edited = {**original, "text": text, "edit_date": int(time.time())}
        entities = _updates.command_entities(text)
        edited.pop("entities", None)
        if entities:
            edited["entities"] = entities
        return self._enqueue({"edited_message": edited})

    @_on_server_thread
    def push_callback(
        self, user_id: int, data: str, message_id: int | None = None, chat_id: int | None = None
    ) -> int:
        """A user presses an inline button carrying `data` on a message the bot sent.

        The message is the bot's latest in the chat unless message_id is given. Any data may be
        sent, so a test can forge or replay a stale button.
        """
        chat_id = user_id if chat_id is None else chat_id
        target = self._bot_message(chat_id, message_id)
        query_id = str(next(self._query_ids))
        self._queries[query_id] = False
        query = {
            "id": query_id,
            "from": self._user(user_id),
            "message": target.result,
            "chat_instance": f"-{abs(chat_id)}4242",
            "data": data,
        }
        return self._enqueue({"callback_query": query})

    @_on_server_thread
    def push_button(
        self, user_id: int, label: str, message_id: int | None = None, chat_id: int | None = None
    ) -> int:
        """A user presses the inline button labelled `label` (latest message showing one)."""
        chat_id = user_id if chat_id is None else chat_id
        candidates = [
            m
            for m in reversed(self._sent.get(chat_id, []))
            if not m.deleted and message_id in (None, m.message_id)
        ]
        for candidate in candidates:
            try:
                data = candidate.callback_data(label)
            except KeyError:
                continue
            return self.push_callback(user_id, data, candidate.message_id, chat_id)
        shown = [m.buttons() for m in candidates if m.buttons()]
        raise ValueError(f"no button {label!r} in chat {chat_id}; buttons shown: {shown}")

    @_on_server_thread
    def push_raw(self, update: dict) -> int:
        """Queue any update dict as is (an update_id is added when it has none)."""
        update = dict(update)
        update_id = update.setdefault("update_id", next(self._update_ids))
        self._queue.append(update)
        self._updates_pulse.fire()
        return update_id

    @_on_server_thread
    def pending_updates(self) -> list[dict]:
        """Updates not yet confirmed by getUpdates (or delivered to the webhook)."""
        return list(self._queue)

    # ---------------------------------------------------------------- what the bot did

    @_on_server_thread
    def sent(self, chat_id: int) -> list[SentMessage]:
        """Every message the bot delivered to this chat, oldest first (deleted ones included)."""
        return list(self._sent.get(chat_id, []))

    @_on_server_thread
    def calls(self, method: str | None = None) -> list[Call]:
        """Every call received (of one method, if given; case-insensitive), oldest first."""
        if method is None:
            return list(self._calls)
        wanted = method.lower()
        return [call for call in self._calls if call.method.lower() == wanted]

    @_on_server_thread
    def mark_read(self, chat_id: int) -> None:
        """Count every message so far in this chat as seen by wait_for_messages."""
        self._read[chat_id] = len(self._sent.get(chat_id, []))

    @_on_server_thread
    def unanswered_callbacks(self) -> list[str]:
        """Ids of callback queries pushed but never answered with answerCallbackQuery."""
        return [query_id for query_id, answered in self._queries.items() if not answered]

    @_on_server_thread
    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        """The command menu set with setMyCommands for this scope and language."""
        return list(self._commands.get(_commands_key(scope, language_code), []))

    @_on_server_thread
    def webhook(self) -> dict[str, Any]:
        """The webhook settings from setWebhook (empty when none is set)."""
        return dict(self._webhook)

    @_on_server_loop
    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least `count` new messages to the chat; return them all.

        "New" means not returned by an earlier wait_for_messages on this chat (see mark_read),
        so a reply that arrives before the wait begins is not missed.
        """
        deadline = time.monotonic() + timeout
        while True:
            sent = self._sent.get(chat_id, [])
            start = self._read.get(chat_id, 0)
            if len(sent) - start >= count:
                self._read[chat_id] = len(sent)
                return sent[start:]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(self._describe_wait(chat_id, count, timeout, sent[start:]))
            await self._chat_pulse(chat_id).wait(remaining)

    @_on_server_loop
    async def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until at least `count` calls of `method` have arrived in all; return them."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls(method)
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeout(
                    f"waited {timeout:g}s for {count} {method} call(s), got {len(found)}; "
                    f"calls received: {[c.method for c in self._calls[-20:]]}"
                )
            await self._calls_pulse.wait(remaining)

    # ---------------------------------------------------------------- faults and webhook

    @_on_server_thread
    def fail_next(
        self,
        method: str,
        kind: FaultKind | str,
        times: int = 1,
        retry_after: int = 1,
        *,
        hold: float = 6.0,
        deliver: bool = False,
    ) -> None:
        """Make the next `times` calls of `method` fail as `kind` says.

        flood: 429 with parameters.retry_after; server: 500; bad_gateway: 502 with an HTML
        body; blocked: 403 "Forbidden: bot was blocked by the user"; not_found: 400 "Bad
        Request: chat not found"; timeout: hold the request `hold` seconds (longer than the
        client's read timeout), then answer. A failed call records no message; a timeout with
        deliver=True is carried out after the hold, like a Telegram that got the request but
        answered too late (so a client that retries sends it twice).
        """
        fault = Fault(FaultKind(kind), times, retry_after, hold, deliver)
        self._faults.setdefault(method.lower(), deque()).append(fault)

    @_on_server_thread
    def clear_faults(self) -> None:
        """Disarm every fault not yet used."""
        self._faults.clear()

    @_on_server_loop
    async def deliver_webhook(self, update: dict | int, secret: Any = REGISTERED_SECRET) -> int:
        """POST an update (a dict, or the id of a pushed one) to the webhook; return the status.

        The X-Telegram-Bot-Api-Secret-Token header carries the secret given to setWebhook by
        default, `secret` if it is a string, and is left out if secret is None. A pushed update
        answered with 200 leaves the queue, as it does at Telegram.
        """
        url = self._webhook.get("url")
        if not url:
            raise RuntimeError("no webhook is set (the bot has not called setWebhook)")
        if isinstance(update, int):
            body = next((u for u in self._queue if u["update_id"] == update), None)
            if body is None:
                raise KeyError(f"update {update} is not pending")
        else:
            body = update
        headers = {"Content-Type": "application/json"}
        token = self._webhook.get("secret_token") if secret is REGISTERED_SECRET else secret
        if token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        if self._client is None:
            self._client = aiohttp.ClientSession()
        async with self._client.post(url, data=json.dumps(body), headers=headers) as response:
            await response.read()
            status = response.status
        if status == 200 and body in self._queue:
            self._queue.remove(body)
        return status

    # ---------------------------------------------------------------- HTTP plumbing

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        requested = request.match_info["method"]
        name, handler = self._methods.get(requested.lower(), (requested, None))
        call = Call(name, {}, time.perf_counter())
        self._calls.append(call)
        self._calls_pulse.fire()
        try:
            params = await Params.from_request(request)
            call.params = params.for_record()
            fault = self._take_fault(name)
            if fault is not None:
                call.fault = fault.kind
                await self._suffer(fault)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            call.status, call.error = error.status, error.description
            return web.json_response(error.body(), status=error.status)
        except _BadGateway:
            call.status, call.error = 502, "Bad Gateway"
            return web.Response(status=502, text=_BAD_GATEWAY_PAGE, content_type="text/html")
        call.status = 200
        return web.json_response({"ok": True, "result": result})

    def _take_fault(self, method: str) -> Fault | None:
        armed = self._faults.get(method.lower())
        if not armed:
            return None
        fault = armed[0]
        fault.times -= 1
        if fault.times <= 0:
            armed.popleft()
        return fault

    async def _suffer(self, fault: Fault) -> None:
        """Fail as the fault says; return only for a timeout that is then carried out."""
        if fault.kind is FaultKind.FLOOD:
            raise ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        if fault.kind is FaultKind.SERVER:
            raise ApiError(500, "Internal Server Error")
        if fault.kind is FaultKind.BAD_GATEWAY:
            raise _BadGateway
        if fault.kind is FaultKind.BLOCKED:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if fault.kind is FaultKind.NOT_FOUND:
            raise bad_request("chat not found")
        with suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), fault.hold)
        if not fault.deliver:
            raise ApiError(504, "Gateway Timeout")

    async def _serve_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        stored = next((f for fid, f in self._files.items() if _file_path(fid) == path), None)
        if stored is None:
            return web.Response(status=404)
        return web.Response(body=stored.data, content_type=stored.content_type or "binary/octet")

    async def _control(self, request: web.Request) -> web.Response:
        """/_fake/{action}: drive a FakeBotAPI that runs as a separate process."""
        action = request.match_info["action"]
        pushes = {
            "push_text": self.push_text,
            "push_group_text": self.push_group_text,
            "push_callback": self.push_callback,
            "push_button": self.push_button,
            "push_raw": self.push_raw,
            "fail_next": self.fail_next,
            "block": self.block,
            "add_chat": self.add_chat,
        }
        try:
            if action in pushes and request.method == "POST":
                return web.json_response(
                    {"ok": True, "result": pushes[action](**await request.json())}
                )
            if action == "sent":
                sent = self.sent(int(request.query["chat_id"]))
                return web.json_response({"ok": True, "result": [_summary(m) for m in sent]})
            if action == "calls":
                calls = [
                    {"method": c.method, "status": c.status, "error": c.error} for c in self._calls
                ]
                return web.json_response({"ok": True, "result": calls})
        except (TypeError, ValueError, KeyError) as error:
            return web.json_response({"ok": False, "description": str(error)}, status=400)
        return web.json_response({"ok": False, "description": "Not Found"}, status=404)

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
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_pulse.fire()  # an older poll ends with 409
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

    def _delete_webhook(self, params: Params) -> bool:
        self._webhook = {}
        if params.flag("drop_pending_updates"):
            self._queue.clear()
        return True

    def _set_webhook(self, params: Params) -> bool:
        url = params.text("url") or ""
        if not url:
            return self._delete_webhook(params)
        secret = params.text("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
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
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be an array of at most 100 BotCommand")
        for command in commands:
            if not _BOT_COMMAND.fullmatch(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description must be 1-256 characters")
        key = _commands_key(params.get("scope"), params.text("language_code") or "")
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: Params) -> list[dict]:
        key = _commands_key(params.get("scope"), params.text("language_code") or "")
        return self._commands.get(key, [])

    def _delete_my_commands(self, params: Params) -> bool:
        key = _commands_key(params.get("scope"), params.text("language_code") or "")
        self._commands.pop(key, None)
        return True

    def _send_message(self, params: Params) -> dict:
        chat = self._target_chat(params)
        text, entities = _formatted(
            params.text("text"), params, "parse_mode", TEXT_LIMIT, "message is too long"
        )
        if not text:
            raise bad_request("message text is empty")
        markup = _reply_markup(params)
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return self._deliver(
            chat, "sendMessage", content, markup, params, text=params.text("text")
        ).result

    def _send_photo(self, params: Params) -> dict:
        chat = self._target_chat(params)
        upload = self._upload(params, "photo")
        try:
            _updates.image_size(upload.data)
        except ValueError:
            raise bad_request("IMAGE_PROCESS_FAILED") from None
        file_id, unique_id = self._store_file("photo", upload)
        content = {"photo": _updates.photo_sizes(file_id, unique_id, upload.data)}
        content.update(self._caption(params))
        sent = self._deliver(chat, "sendPhoto", content, _reply_markup(params), params)
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
        content.update(self._caption(params))
        sent = self._deliver(chat, "sendDocument", content, _reply_markup(params), params)
        sent.document, sent.filename = upload.data, upload.filename
        return sent.result

    def _edit_message_text(self, params: Params) -> dict:
        target = self._editable(params, "message to edit not found")
        if "text" not in target.result:
            raise bad_request("there is no text in the message to edit")
        text, entities = _formatted(
            params.text("text"), params, "parse_mode", TEXT_LIMIT, "MESSAGE_TOO_LONG"
        )
        if not text:
            raise bad_request("message text is empty")
        markup = _reply_markup(params)
        updated = {k: v for k, v in target.result.items() if k not in ("entities", "reply_markup")}
        updated["text"] = text
        if entities:
            updated["entities"] = entities
        self._apply_edit(target, updated, markup)
        target.text, target.parse_mode = params.text("text"), params.text("parse_mode")
        return target.result

    def _edit_message_reply_markup(self, params: Params) -> dict:
        target = self._editable(params, "message to edit not found")
        markup = _reply_markup(params)
        updated = {k: v for k, v in target.result.items() if k != "reply_markup"}
        self._apply_edit(target, updated, markup)
        return target.result

    def _delete_message(self, params: Params) -> bool:
        target = self._editable(params, "message to delete not found")
        target.deleted = True
        return True

    def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.text("callback_query_id") or ""
        if self._queries.get(query_id, True):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(params.text("text") or "") > CALLBACK_ANSWER_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        self._queries[query_id] = True
        return True

    def _send_chat_action(self, params: Params) -> bool:
        self._target_chat(params)
        if params.text("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _get_chat(self, params: Params) -> dict:
        chat_id = params.chat_id()
        if chat_id not in self._chats:
            raise bad_request("chat not found")
        return {
            **self._chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_file(self, params: Params) -> dict:
        file_id = params.text("file_id") or ""
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": _unique_id(file_id),
            "file_size": len(stored.data),
            "file_path": _file_path(file_id),
        }

    # ---------------------------------------------------------------- helpers

    def _user(self, user_id: int) -> dict:
        if user_id not in self._users:
            self.add_user(user_id)
        return self._users[user_id]

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _enqueue(self, content: dict) -> int:
        update_id = next(self._update_ids)
        self._queue.append({"update_id": update_id, **content})
        self._updates_pulse.fire()
        return update_id

    def _push_message(
        self,
        user_id: int,
        content: dict,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        sender = self._user(user_id)
        if chat_id is None or chat_id == user_id:
            chat = self._chats[user_id]
        else:
            chat = self._chats.get(chat_id) or self.add_chat(chat_id, kind=chat_type)
        sent = _updates.message(
            self._next_message_id(chat["id"]), chat, sender, int(time.time()), **content
        )
        self._inbox.setdefault(chat["id"], []).append(sent)
        return self._enqueue({"message": sent})

    def _new_file_id(self, kind: str) -> tuple[str, str]:
        file_id = f"fake-{kind}-{next(self._file_numbers):06d}"
        return file_id, _unique_id(file_id)

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

    def _caption(self, params: Params) -> dict:
        caption, entities = _formatted(
            params.text("caption"),
            params,
            "parse_mode",
            CAPTION_LIMIT,
            "message caption is too long",
        )
        content: dict[str, Any] = {}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return content

    def _target_chat(self, params: Params) -> dict:
        chat_id = params.chat_id()
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        chat = self._chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _deliver(
        self,
        chat: dict,
        method: str,
        content: dict,
        markup: dict | None,
        params: Params,
        text: str | None = None,
    ) -> SentMessage:
        """Record a message the bot sent and wake whoever waits for it."""
        result = _updates.message(
            self._next_message_id(chat["id"]), chat, self.bot_user, int(time.time()), **content
        )
        if markup and "inline_keyboard" in markup:
            result["reply_markup"] = markup
        sent = SentMessage(
            chat_id=chat["id"],
            message_id=result["message_id"],
            method=method,
            text=text,
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
        raise ValueError(f"the bot has no message {message_id or ''} in chat {chat_id}".strip())

    def _editable(self, params: Params, missing: str) -> SentMessage:
        if params.has("inline_message_id"):
            raise bad_request(missing)
        chat_id = params.chat_id()
        message_id = params.integer("message_id")
        for sent in self._sent.get(chat_id, []):
            if sent.message_id == message_id and not sent.deleted:
                return sent
        raise bad_request(missing)

    def _apply_edit(self, target: SentMessage, updated: dict, markup: dict | None) -> None:
        if markup and "inline_keyboard" in markup:
            updated["reply_markup"] = markup
        unchanged = {k: v for k, v in target.result.items() if k != "edit_date"}
        if unchanged == {k: v for k, v in updated.items() if k != "edit_date"}:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        updated["edit_date"] = int(time.time())
        target.edits.append(target.result)
        target.result = updated
        target.reply_markup = markup

    def _chat_pulse(self, chat_id: int) -> _Pulse:
        pulse = self._chat_pulses.get(chat_id)
        if pulse is None:
            pulse = self._chat_pulses[chat_id] = _Pulse()
        return pulse

    def _describe_wait(
        self, chat_id: int, count: int, timeout: float, arrived: list[SentMessage]
    ) -> str:
        failed = [
            f"{c.method} -> {c.status} {c.error}" for c in self._calls if c.status not in (0, 200)
        ]
        return (
            f"waited {timeout:g}s for {count} new bot message(s) in chat {chat_id}, "
            f"got {len(arrived)}: {[m.visible_text for m in arrived]}; "
            f"failed calls: {failed[-10:]}; pending updates: {len(self._queue)}"
        )


class _BadGateway(Exception):
    """Answer with the front end's HTML 502 page instead of JSON."""


def _formatted(
    raw: str | None, params: Params, mode_field: str, limit: int, too_long: str
) -> tuple[str, list[dict]]:
    """The visible text and entities of a text or caption, validated as Telegram does."""
    if raw is None:
        return "", []
    mode = (params.text(mode_field) or "").lower()
    if mode == "html":
        try:
            text, entities = parse_html(raw)
        except HtmlError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    elif mode in ("", "markdown", "markdownv2"):
        text = raw.strip()
        given = params.get("entities") or params.get("caption_entities") or []
        entities = list(given) if not mode else []
    else:
        raise bad_request("unsupported parse_mode")
    if utf16_len(text) > limit:
        raise bad_request(too_long)
    return text, entities


def _reply_markup(params: Params) -> dict | None:
    """The reply_markup parameter, with inline keyboards checked the way Telegram checks them."""
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
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode())
                if not 1 <= size <= CALLBACK_DATA_LIMIT:
                    raise bad_request("BUTTON_DATA_INVALID")
    return markup


def _commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    scope = scope or {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code


def _unique_id(file_id: str) -> str:
    return "U" + file_id.rsplit("-", 1)[-1]


def _file_path(file_id: str) -> str:
    kind = file_id.split("-")[1] if file_id.count("-") >= 2 else "documents"
    return f"{kind}s/{file_id}"


def _summary(message: SentMessage) -> dict:
    return {
        "message_id": message.message_id,
        "method": message.method,
        "text": message.text,
        "visible_text": message.visible_text,
        "parse_mode": message.parse_mode,
        "reply_markup": message.reply_markup,
        "filename": message.filename,
        "deleted": message.deleted,
    }


def main(argv: list[str] | None = None) -> None:
    """Serve a FakeBotAPI until interrupted; drive it over HTTP.

    Example:
        python -m tests.fakes.bot_api --port 8081 &
        TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot TELEGRAM_BOT_TOKEN=<printed> \\
            python -m bot run &
        curl -d '{"user_id": 1001, "text": "/start"}' http://127.0.0.1:8081/_fake/push_text
        curl 'http://127.0.0.1:8081/_fake/sent?chat_id=1001'
    """
    parser = argparse.ArgumentParser(description="A fake Telegram Bot API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args(argv)

    async def serve() -> None:
        async with FakeBotAPI(args.token, port=args.port) as api:
            print(f"base_url {api.base_url}\ntoken {api.token}", flush=True)
            await asyncio.Event().wait()

    with suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
