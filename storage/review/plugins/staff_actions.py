"""Datasette plugin: staff take, note, close, reopen or reply to a follow-up from the web review.

The page /-/review/act?reference=SA-… shows the follow-up and a form; posting it calls the
same StaffDesk verbs as Telegram and the command line, with the staff login as the name in the
audit trail. What the person is to be told and the staff-chat notice edits are handed over in
the outbox to the running bot, which looks every second and sends them at once.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

ACTIONS = ("take", "note", "close", "reopen", "reply")
DATABASE = "bot"
WORDS_PLUGIN = "scaling-advisor-review"  # the review's words live in its plugin block


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """The action page (GET shows the form, POST does it)."""
    return [(r"^/-/review/act$", act)]


@functools.cache
def _engine() -> Any:
    from dialogues import Engine

    return Engine.load()


def _run(
    path: str, login: str, action: str, reference: str, text: str, staff_chat: int | None
) -> str:
    """Do one action in one transaction on the bot's database; what to tell staff, as the
    name of its words in metadata.yaml (plugins: scaling-advisor-review: words).
    `staff_chat` is the bot's STAFF_CHAT_ID, handed to the review by `python -m bot review`."""
    from bot.service import Advisor
    from bot.staff import Staff, StaffDesk, StaffPosts
    from storage import AlreadyClosed, BadReference, NotFound, Store

    engine = _engine()
    with Store.open(path, create=False, handover=True) as store:
        # Where the staff chat is now, if Telegram moved it (the bot keeps that in the database).
        chat_id = store.chat_now(staff_chat) if staff_chat is not None else None
        posts = StaffPosts(store, engine.dialogues, chat_id)
        desk = StaffDesk(Advisor(engine, store, staff_chat=posts), posts)
        staff = Staff(None, login)
        try:
            if action == "take":
                desk.take(staff, reference, login)
                return "done_take"
            if action == "note":
                if not text.strip():
                    return "done_no_text"
                desk.note(staff, reference, text)
                return "done_note"
            if action == "close":
                desk.close(staff, reference, text.strip() or None)
                return "done_close"
            if action == "reply":
                return _reply(store, desk, staff, reference, text.strip())
            desk.reopen(staff, reference)
            return "done_reopen"
        except (NotFound, BadReference):
            return "done_not_found"
        except AlreadyClosed:
            return "done_already_closed"


def _reply(store: Any, desk: Any, staff: Any, reference: str, text: str) -> str:
    """Write to the person, as /reply does on Telegram (only while the follow-up is open)."""
    if not text:
        return "done_no_text"
    if store.followup(reference).status == "closed":
        return "done_reply_closed"
    if desk.write_to_person(staff, reference, text) is None:
        return "done_reply_nobody"
    return "done_reply"


def said(datasette: Any, name: str, reference: str, login: str) -> str:
    """The words for staff after an action, from metadata.yaml."""
    words = (datasette.plugin_config(WORDS_PLUGIN) or {}).get("words") or {}
    return str(words.get(name) or name).format(reference=reference, login=login)


async def act(datasette: Any, request: Any) -> Response:
    """Show the form for a follow-up, or do what it asks."""
    if not await datasette.permission_allowed(request.actor, "view-instance", default=False):
        return Response.text("Forbidden", status=403)
    login = str(request.actor.get("id", ""))[:100]
    if request.method == "POST":
        form = await request.post_vars()
        reference = (form.get("reference") or "").strip().upper()[:20]
        action = form.get("action") or ""
        if action not in ACTIONS:
            return Response.text("Unknown action", status=400)
        db = datasette.get_database(DATABASE) if DATABASE in datasette.databases else None
        db = db or next(iter(datasette.databases.values()))
        if action == "close" and form.get("confirm") != "yes" and await _is_open(db, reference):
            # Closing tells the person: it asks first, showing the note it will keep.
            return await _page(datasette, request, db, reference, closing=form.get("text") or "")
        chat = (datasette.plugin_config(WORDS_PLUGIN) or {}).get("staff_chat_id")
        done = await asyncio.to_thread(
            _run, db.path, login, action, reference, form.get("text") or "", chat
        )
        datasette.add_message(request, said(datasette, done, reference, login))
        back = f"/-/review/act?{urlencode({'reference': reference})}"
        return Response.redirect(datasette.urls.path(back))
    reference = (request.args.get("reference") or "").strip().upper()[:20]
    db = datasette.get_database(DATABASE) if DATABASE in datasette.databases else None
    db = db or next(iter(datasette.databases.values()))
    return await _page(datasette, request, db, reference)


async def _is_open(db: Any, reference: str) -> bool:
    found = (
        await db.execute("SELECT status FROM followups WHERE reference = ?", (reference,))
    ).first()
    return found is not None and found[0] == "open"


async def _page(
    datasette: Any, request: Any, db: Any, reference: str, closing: str | None = None
) -> Response:
    """The follow-up's page; with `closing`, the question whether to close it with that note."""
    row = (
        await db.execute(
            "SELECT f.reference, f.note, f.contact, f.status, f.stage, f.assigned_to,"
            " f.close_note FROM followups f WHERE f.reference = ?",
            (reference,),
        )
    ).first()
    notes = (
        await db.execute(
            "SELECT coalesce(n.staff_name, n.staff_id, 'command line') AS who,"
            " replace(substr(n.at, 1, 16), 'T', ' ') AS at, n.text FROM staff_notes n"
            " JOIN followups f ON f.id = n.followup_id WHERE f.reference = ? ORDER BY n.at",
            (reference,),
        )
    ).rows
    page = await datasette.render_template(
        "review_act.html",
        {
            "reference": reference,
            "followup": dict(row) if row else None,
            "notes": [dict(n) for n in notes],
            "database": db.name,
            "closing": closing.strip() if closing is not None else None,
        },
        request=request,
    )
    return Response.html(page)
