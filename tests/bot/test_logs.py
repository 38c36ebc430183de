"""The log guards: the token out of every part of a record, raw Telegram data described."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import RedactingFormatter, WithoutUserData

TOKEN = "7123456789:AAHx9-real_shaped_secret_part_0123456789"


@pytest.fixture
def log():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(RedactingFormatter(secrets=[TOKEN, TOKEN.partition(":")[2]]))
    handler.addFilter(WithoutUserData())
    for name in ("bot.test", "telegram.ext.Updater"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
    yield out
    for name in ("bot.test", "telegram.ext.Updater"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


def test_the_token_is_out_of_the_message_the_arguments_the_exception_and_the_stack(log):
    logger = logging.getLogger("bot.test")
    try:
        raise RuntimeError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        logger.exception("failed on %s", f"/bot{TOKEN}/getMe", stack_info=True)
    logger.warning("secret part alone: %s", TOKEN.partition(":")[2])
    logger.warning("escaped: %s", TOKEN.replace(":", "%3A"))
    text = log.getvalue()
    assert "RuntimeError" in text and "Stack (most recent call last)" in text
    assert TOKEN.partition(":")[2][:10] not in text
    assert text.count("<token>") == 4


def test_raw_updates_are_logged_by_id_and_type(log):
    update = {"update_id": 812, "message": {"text": "I am Mrs Quill, 4 Lilac Close"}}
    logging.getLogger("telegram.ext.Updater").critical("Received data was: %r", update)
    logging.getLogger("telegram.ext.Updater").critical("Received data was %r", [update, update])
    logging.getLogger("telegram.ext.Updater").error('invalid JSON: "%s"', '{"text": "Quill"}')
    logging.getLogger("bot.test").info("schema: %s", ["0001-tables", "0002-indexes"])
    text = log.getvalue()
    assert "Quill" not in text and "Lilac" not in text
    assert "update 812 (message)" in text and "updates 812, 812" in text
    assert "['0001-tables', '0002-indexes']" in text  # our own ids and names stay readable
