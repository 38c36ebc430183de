"""python-telegram-bot's requests over aiohttp instead of httpx.

PTB talks HTTP through a pluggable `BaseRequest`. Under load most of the bot's CPU went to
httpx/httpcore bookkeeping per request (connection-pool scans, anyio task checks); aiohttp does
the same job with far less per request. PTB keeps everything else: building the call, mapping
Telegram's answers to exceptions, the rate limiter.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0  # seconds for connect, read and getting a connection from the pool
HEADERS = {"User-Agent": BaseRequest.USER_AGENT}


class AiohttpRequest(BaseRequest):
    """A BaseRequest on one aiohttp session with a bounded connection pool."""

    __slots__ = ("_pool_size", "_session", "_timeout")

    def __init__(self, connection_pool_size: int = 8, timeout: float = DEFAULT_TIMEOUT):
        self._pool_size = connection_pool_size
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """The default read timeout; PTB adds the long-polling time to it for getUpdates."""
        return self._timeout

    async def initialize(self) -> None:
        """Open the session (in the running event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                timeout=aiohttp.ClientTimeout(total=None),
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; (status, body). Transport failures become TimedOut / NetworkError."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=self._value(pool_timeout),
            sock_connect=self._value(connect_timeout),
            sock_read=self._value(read_timeout),
        )
        # Files go as multipart; everything else as one JSON body, which the Bot API accepts
        # and which costs far less to build than URL-encoding every field.
        body: dict[str, object] = {}
        if request_data is not None and request_data.multipart_data:
            form = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mime_type) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            body["data"] = form
        elif request_data is not None:
            body["data"] = json.dumps(request_data.parameters, ensure_ascii=False).encode()
            body["headers"] = {**HEADERS, "Content-Type": "application/json"}
        try:
            async with self._session.request(
                method,
                url,
                headers=body.pop("headers", HEADERS),
                timeout=timeout,
                **body,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut(f"aiohttp timed out: {type(error).__name__}") from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        except asyncio.CancelledError:
            raise

    def _value(self, value: float | None) -> float | None:
        return self._timeout if value is BaseRequest.DEFAULT_NONE else value
