"""What the fake Bot API remembers: calls, the bot's messages, uploaded files, injected faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FaultKind(StrEnum):
    """The failures `FakeBotAPI.fail_next` can inject, each shaped as Telegram sends it."""

    FLOOD = "flood"  # 429, parameters.retry_after
    SERVER = "server"  # 500
    BAD_GATEWAY = "bad_gateway"  # 502 with nginx's HTML page, as Telegram's front end sends
    BLOCKED = "blocked"  # 403 "Forbidden: bot was blocked by the user"
    NOT_FOUND = "not_found"  # 400 "Bad Request: chat not found"
    REFUSED = "refused"  # 400 "Bad Request: message is too long": never accepted, however sent
    TIMEOUT = "timeout"  # held past the client's read timeout, then answered


@dataclass
class Fault:
    """One armed fault: how it fails and how many more calls it will fail."""

    kind: FaultKind
    times: int
    retry_after: int = 1
    hold: float = 6.0
    deliver: bool = False


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot sent in a multipart body (or referred to by file_id or URL)."""

    data: bytes
    filename: str | None
    content_type: str | None = None


@dataclass
class Call:
    """One request to the Bot API as the fake received it, and how it was answered."""

    method: str
    params: dict[str, Any]
    at: float  # time.perf_counter() on arrival
    status: int = 0  # HTTP status of the answer; 0 while still being handled
    error: str | None = None  # Telegram's description when the call failed
    fault: FaultKind | None = None

    @property
    def ok(self) -> bool:
        """Whether Telegram would have answered {"ok": true}."""
        return self.status == 200


@dataclass
class SentMessage:
    """A message the bot delivered to a chat, kept up to date by edits and deletes."""

    chat_id: int
    message_id: int
    method: str  # sendMessage, sendPhoto or sendDocument
    text: str | None  # exactly as the bot sent it (markup included); None for media
    parse_mode: str | None
    reply_markup: dict | None
    received_at: float  # time.perf_counter() when the fake accepted it
    result: dict  # the Message object the bot got back (current version)
    caption: str | None = None
    photo: bytes | None = None
    document: bytes | None = None
    filename: str | None = None
    edits: list[dict] = field(default_factory=list)  # earlier versions of `result`
    deleted: bool = False

    @property
    def visible_text(self) -> str | None:
        """The text or caption as the user sees it, markup removed."""
        return self.result.get("text", self.result.get("caption"))

    def buttons(self) -> list[list[str]]:
        """Labels of the inline keyboard, row by row (empty when there is none)."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[button.get("text", "") for button in row] for row in rows]

    def callback_data(self, label: str) -> str:
        """The callback_data of the inline button with this label; KeyError if there is none."""
        for row in (self.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") == label and "callback_data" in button:
                    return button["callback_data"]
        raise KeyError(f"no button {label!r} in message {self.message_id}: {self.buttons()}")


class WaitTimeout(AssertionError):
    """A wait on the fake Bot API ran out of time; the message says what did arrive."""


class ApiError(Exception):
    """An answer with ok=false, as Telegram would give it."""

    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict:
        """The JSON body Telegram sends for this error."""
        body: dict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: ..." wording."""
    return ApiError(400, f"Bad Request: {detail}")
