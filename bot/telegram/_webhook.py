"""Webhook mode: Telegram's POST is answered 200 only once the update is committed.

python-telegram-bot's own webhook server answers as soon as the update is queued in memory;
this one stores it in the inbox first. While storage cannot be written it answers 503, and
Telegram delivers the update again later.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web

from bot.telegram._inbox import Inbox
from storage import is_transient

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # bytes; an update is a few KB


async def start_webhook(inbox: Inbox, path: str, secret: str, host: str, port: int):
    """Listen for Telegram's POSTs on host:port/path; the runner, to clean up at the end."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403)
        try:
            update = json.loads(await request.read())
        except ValueError:
            logger.warning("webhook: a body that is not JSON, refused")
            return web.Response(status=400)
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            logger.warning("webhook: an update without an update id, ignored")
            return web.Response(status=200)
        try:
            await inbox.take_rows(
                [(update_id, json.dumps(update, ensure_ascii=True))], patient=False
            )
        except Exception as error:
            if not is_transient(error):
                raise
            logger.warning(
                "webhook: update %s not stored yet; Telegram will send it again", update_id
            )
            return web.Response(status=503)
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post("/" + path.lstrip("/"), receive)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
