"""Request parameters the way Telegram reads them: query string, JSON, urlencoded or multipart.

Form bodies carry every value as a string, objects JSON-encoded (python-telegram-bot sends
`reply_markup` that way); JSON bodies carry real types. `Params` hides the difference.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ._records import UploadedFile, bad_request

# Parameters whose value is a JSON object or array when it arrives as a form field.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "reply_parameters",
        "link_preview_options",
        "media",
    }
)


class Params:
    """The parameters of one Bot API call, with typed accessors."""

    def __init__(self, values: dict[str, Any]):
        self.values = values

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        """Read the query string and the body, whichever encoding the client chose."""
        values: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("can't parse JSON object") from None
                if isinstance(body, dict):
                    values.update(body)
            else:
                form = await request.post()
                for name, value in form.items():
                    if isinstance(value, web.FileField):
                        values[name] = UploadedFile(
                            value.file.read(), value.filename, value.content_type
                        )
                    else:
                        values[name] = value
        for name in JSON_FIELDS & values.keys():
            if isinstance(values[name], str):
                try:
                    values[name] = json.loads(values[name])
                except ValueError:
                    raise bad_request(f"can't parse {name} JSON object") from None
        return cls(values)

    def get(self, name: str, default: Any = None) -> Any:
        """The raw value, or default."""
        return self.values.get(name, default)

    def has(self, name: str) -> bool:
        """Whether the parameter was given and is not empty."""
        return self.values.get(name) not in (None, "")

    def text(self, name: str) -> str | None:
        """A string parameter (numbers given as JSON are turned into their text)."""
        value = self.values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter; 400 if it is not one."""
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str, default: float = 0.0) -> float:
        """A numeric parameter; 400 if it is not one."""
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        """A boolean parameter ("true"/"false" in forms, true/false in JSON)."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in {"true", "1"}
        return bool(value)

    def chat_id(self) -> int:
        """The chat_id parameter as an integer (400 if missing; @usernames are not known)."""
        value = self.values.get("chat_id")
        if value in (None, ""):
            raise bad_request("chat_id is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None

    def for_record(self) -> dict[str, Any]:
        """A copy to keep in the call log."""
        return dict(self.values)
