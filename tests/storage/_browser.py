"""Drive Debian's headless Chromium over the DevTools protocol (CDP), with aiohttp's websocket.

No browser download and no driver binary: Chromium is started with a fresh profile and
`--remote-debugging-port=0`, and its page is driven with a handful of CDP commands (navigate,
type, click, read, screenshot). Used by the review's browser test and docs.make_review_image.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)
# Wide enough for the tables; short, so the screenshot of a short page has no empty band.
WINDOW = (1280, 600)
STARTUP_SECONDS = 20
STEP_SECONDS = 15


def chromium_path() -> str | None:
    """Debian's Chromium, if it is installed."""
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(
    command: list[str], port: int, env: Mapping[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends, once it accepts connections on `port`."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=dict(env), stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(process, port, log)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_port(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {STARTUP_SECONDS}s:\n{log.read_text()}")


class Page:
    """One browser tab, driven by CDP commands over its websocket."""

    def __init__(self, socket_: aiohttp.ClientWebSocketResponse) -> None:
        self._socket = socket_
        self._ids = itertools.count(1)
        self._replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._loads = 0
        self._loaded = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self._socket:
            message = json.loads(frame.data)
            if "id" in message:
                future = self._replies.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message)
            elif message.get("method") == "Page.loadEventFired":
                self._loads += 1
                self._loaded.set()

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Run one CDP command; its result, or RuntimeError with the browser's error."""
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._replies[ident] = future
        await self._socket.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        reply = await asyncio.wait_for(future, STEP_SECONDS)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def _until_loaded(self, loads_before: int) -> None:
        deadline = time.monotonic() + STEP_SECONDS
        while self._loads <= loads_before:
            self._loaded.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the page did not finish loading")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._loaded.wait(), remaining)

    async def goto(self, url: str) -> None:
        """Open a URL and wait until the page has loaded."""
        before = self._loads
        result = await self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise RuntimeError(f"cannot open {url}: {result['errorText']}")
        await self._until_loaded(before)

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def type_into(self, selector: str, text: str) -> None:
        """Focus a field and type text into it, as a keyboard would."""
        await self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        await self.send("Input.insertText", text=text)

    async def click_and_wait(self, selector: str) -> None:
        """Click the middle of an element with the mouse and wait for the next page to load."""
        box = await self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        before = self._loads
        for kind in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box[0],
                y=box[1],
                button="left",
                clickCount=1,
            )
        await self._until_loaded(before)

    async def text(self, selector: str = "body") -> str:
        """The visible text of the first element matching `selector`."""
        return await self.evaluate(f"document.querySelector({json.dumps(selector)}).innerText")

    async def table(self) -> list[dict[str, str]]:
        """The rows of the page's results table, as {column heading: cell text}."""
        return await self.evaluate(
            "(() => { const t = document.querySelector('table.rows-and-columns');"
            " if (!t) return [];"
            " const heads = [...t.querySelectorAll('thead th')].map(h => h.innerText.trim());"
            " return [...t.querySelectorAll('tbody tr')].map(tr => Object.fromEntries("
            "[...tr.querySelectorAll('td')].map((td, i) => [heads[i], td.innerText.trim()]))); })()"
        )

    async def set_width(self, width: int) -> None:
        """Make the window `width` CSS pixels wide (under 600: a phone, touch and all)."""
        self.width = width
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=WINDOW[1],
            deviceScaleFactor=1,
            mobile=width < 600,
        )

    async def scrolls_sideways(self) -> bool:
        """Whether the page is wider than the window (a horizontal scroll bar)."""
        return bool(
            await self.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        )

    async def screenshot(self, path: Path) -> bytes:
        """Save a PNG of the whole page (not just the window) at `path`; its bytes."""
        metrics = await self.send("Page.getLayoutMetrics")
        size = metrics["cssContentSize"]
        width = getattr(self, "width", WINDOW[0])
        clip = {"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1}
        shot = await self.send(
            "Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True
        )
        data = base64.b64decode(shot["data"])
        path.write_bytes(data)
        return data


@contextlib.asynccontextmanager
async def chromium_page(executable: str) -> AsyncIterator[Page]:
    """Start headless Chromium with a fresh profile; yield its first tab; stop it afterwards."""
    with tempfile.TemporaryDirectory(prefix="chromium-", ignore_cleanup_errors=True) as profile:
        command = [
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            "about:blank",
        ]
        # Its own process group, so stopping it stops its renderer and helper processes too.
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            port = await _devtools_port(Path(profile), process)
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{port}/json/list") as response:
                    targets = await response.json()
                url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
                async with http.ws_connect(url, max_msg_size=0) as socket_:
                    page = Page(socket_)
                    await page.send("Page.enable")
                    await page.send(
                        "Emulation.setDeviceMetricsOverride",
                        width=WINDOW[0],
                        height=WINDOW[1],
                        deviceScaleFactor=1,
                        mobile=False,
                    )
                    yield page
        finally:
            _stop_group(process)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started in its own group, and every process in that group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    # Helpers may outlive the browser by a moment; make sure none is left.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


async def _devtools_port(profile: Path, process: subprocess.Popen[bytes]) -> int:
    """Chromium writes the port it chose to DevToolsActivePort in its profile folder."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with {process.returncode}")
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(marker.read_text().splitlines()[0])
        await asyncio.sleep(0.1)
    raise RuntimeError(f"chromium did not open its DevTools port in {STARTUP_SECONDS}s")


def python_command(*args: str) -> list[str]:
    """This interpreter running `args` (e.g. -m storage.review)."""
    return [sys.executable, *args]


async def log_in(page: Page, base_url: str, login: str, password: str, start: str = "/") -> None:
    """Open `start`, which sends a stranger to the login form, and log in there as staff."""
    await page.goto(base_url + start)
    if not (await page.evaluate("location.pathname")).endswith("/-/login"):
        raise AssertionError(f"{start} did not send a stranger to the login form")
    await page.type_into("#id_username", login)
    await page.type_into("#id_password", password)
    await page.click_and_wait("form.password-login input[type=submit]")
