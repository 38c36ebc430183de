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
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from . import _updates
from ._core import BotApiCore, Pulse, commands_key, file_path
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

__all__ = [
    "DEFAULT_TOKEN",
    "REGISTERED_SECRET",
    "Call",
    "FakeBotAPI",
    "FaultKind",
    "SentMessage",
    "UploadedFile",
    "WaitTimeout",
    "main",
]

DEFAULT_TOKEN = "5555555555:AAFakeTokenForLocalTestsOnly-0123456789"
REGISTERED_SECRET: Any = object()  # deliver_webhook default: the secret given to setWebhook

_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
T = TypeVar("T")


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


class FakeBotAPI(BotApiCore):
    """A Bot API server for one bot token, on 127.0.0.1 and an ephemeral port by default."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        first_update_id: int = 700_000,
        latency: float = 0.0,
    ):
        """latency: seconds of network round trip to simulate, half before and half after
        each call is handled (api.telegram.org is some tens of ms away; loopback is not)."""
        super().__init__(token, first_update_id)
        self.host = host
        self.port = port
        self.latency = latency
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread_ident: int | None = None
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    # ---------------------------------------------------------------- lifecycle and addresses

    async def start(self) -> FakeBotAPI:
        """Listen on host:port (port 0 picks a free one, read it back from `port`)."""
        self._loop = asyncio.get_running_loop()
        self._closing = asyncio.Event()
        self._updates_pulse = Pulse()
        self._calls_pulse = Pulse()
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
        return self._register_user(user_id, **fields)

    @_on_server_thread
    def add_chat(self, chat_id: int, title: str | None = None, kind: str = "group") -> dict:
        """Make a group known, as if the bot had been added to it."""
        return self._register_group(chat_id, title, kind)

    @_on_server_thread
    def block(self, user_id: int) -> None:
        """The user blocks the bot: every later send to them gets 403."""
        self._blocked.add(user_id)

    @_on_server_thread
    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        self._blocked.discard(user_id)

    @_on_server_thread
    def migrate_chat(self, chat_id: int, moved_to: int) -> None:
        """A group is upgraded to a supergroup with a new id: every later call for the old id
        gets Telegram's 400 with parameters.migrate_to_chat_id; the new chat takes posts."""
        old = self._chats.get(chat_id) or self._register_group(chat_id)
        self._register_group(moved_to, old.get("title"), "supergroup")
        self._migrated[chat_id] = moved_to

    @_on_server_thread
    def remove_bot(self, chat_id: int) -> None:
        """The bot is removed from a group: every later post there gets 403."""
        self._kicked.add(chat_id)

    # ---------------------------------------------------------------- injecting updates

    @_on_server_thread
    def push_text(
        self, user_id: int, text: str, chat_id: int | None = None, chat_type: str = "private"
    ) -> int:
        """A user sends a text (a leading "/word" is a command, with its bot_command entity).

        In the user's private chat unless chat_id names another chat; one not seen before is
        created as a group, or as chat_type if that is "supergroup".
        """
        if chat_id not in (None, user_id) and chat_type == "private":
            chat_type = "group"
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
        """Queue any update dict as is; an update_id given must not be below the next one."""
        content = {key: value for key, value in update.items() if key != "update_id"}
        return self._enqueue(content, update.get("update_id"))

    @_on_server_thread
    def lose_confirmations(self, times: int = 1) -> None:
        """The next `times` getUpdates calls that would confirm updates do not: Telegram sends
        those updates again, as when the bot's confirmation never reached it."""
        self._lost_confirmations += times

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
        return list(self._commands.get(commands_key(scope, language_code), []))

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
        Request: chat not found"; refused: 400 "Bad Request: message is too long"; timeout:
        hold the request `hold` seconds (longer than the
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
            if self.latency:
                await asyncio.sleep(self.latency / 2)
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
        if self.latency:
            await asyncio.sleep(self.latency / 2)
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
        if fault.kind is FaultKind.REFUSED:
            raise bad_request("message is too long")
        with suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), fault.hold)
        if not fault.deliver:
            raise ApiError(504, "Gateway Timeout")

    async def _serve_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        stored = next((f for fid, f in self._files.items() if file_path(fid) == path), None)
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
            "migrate_chat": self.migrate_chat,
            "remove_bot": self.remove_bot,
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
