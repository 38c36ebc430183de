"""Texts the adapters use outside the journeys (errors, group chats, staff), declared for `check`.

The adapters fill them with dialogues.fill(), which escapes every value.
"""

from __future__ import annotations

from dialogues._content import label, uses

ERROR = uses("error")
GROUP_CHAT = uses("group_chat", "bot")
STAFF_FOLLOWUP = uses("staff_followup", "reference", "note", "contact", "status", "when")
STAFF_FOLLOWUP_CLOSED = uses(
    "staff_followup_closed", "reference", "note", "status", "when", "close_note"
)
STAFF_STATUS = uses("staff_status", "stage", "who")
STAFF_STAGES = {
    stage: uses(f"staff_stage_{stage}")
    for stage in ("new", "taken", "waiting", "answered", "closed")
}
STAFF_WITH = uses("staff_with", "name")
STAFF_NOBODY = uses("staff_nobody")
STAFF_QUEUE = uses("staff_queue", "title", "count", "page", "items")
STAFF_QUEUE_TITLES = {which: uses(f"staff_queue_{which}") for which in ("open", "mine", "new")}
STAFF_QUEUE_PAGE = uses("staff_queue_page", "page", "pages")
STAFF_QUEUE_LINE = uses("staff_queue_line", "reference", "status", "waited", "note")
STAFF_QUEUE_EMPTY = uses("staff_queue_empty")
STAFF_TRANSCRIPT = uses(
    "staff_transcript", "reference", "status", "note", "contact", "notes", "lines"
)
STAFF_TRANSCRIPT_NOTE = uses("staff_transcript_note", "who", "when", "text")
STAFF_TRANSCRIPT_LINE = uses("staff_transcript_line", "when", "who", "text")
STAFF_NO_TRANSCRIPT = uses("staff_no_transcript")
STAFF_SENT = uses("staff_sent", "reference")
STAFF_NOT_DELIVERED = uses("staff_not_delivered", "reference")
STAFF_REFUSED = uses("staff_refused", "reference", "reason")
STAFF_NO_PERSON = uses("staff_no_person", "reference")
STAFF_NOTED = uses("staff_noted", "reference")
STAFF_TAKEN = uses("staff_taken", "reference", "name")
STAFF_CLOSE_ASK = uses("staff_close_ask", "reference")
STAFF_CLOSED = uses("staff_closed", "reference", "note")
STAFF_NO_NOTE = uses("staff_no_note")
STAFF_ALREADY_CLOSED = uses("staff_already_closed", "reference")
STAFF_REOPEN_ASK = uses("staff_reopen_ask", "reference")
STAFF_REOPENED = uses("staff_reopened", "reference")
STAFF_CANCELLED = uses("staff_cancelled")
STAFF_NOT_FOUND = uses("staff_not_found", "reference")
STAFF_USAGE = uses("staff_usage")
STAFF_STATS = uses("staff_stats", "week", "month")
STAFF_STATS_BLOCK = uses(
    "staff_stats_block",
    "days",
    "conversations",
    "messages",
    "new_users",
    "topics",
    "helpful",
    "unhelpful",
    "opened",
    "closed",
    "open_now",
    "rated_good",
    "rated_bad",
)
STAFF_CONVERSATION = uses("staff_conversation")
STAFF_WHO_USER = uses("staff_who_user")
STAFF_WHO_BOT = uses("staff_who_bot")
STAFF_WHO_TEAM = uses("staff_who_team")
STAFF_THREAD_IN = uses("staff_thread_in", "reference", "text")
STAFF_THREAD_REOPENED = uses("staff_thread_reopened", "reference", "text")
STAFF_THREAD_LEFT = uses("staff_thread_left", "reference")
STAFF_THREAD_SAFETY = uses("staff_thread_safety", "reference", "kind", "text")
STAFF_THREAD_QUIET = uses("staff_thread_quiet", "reference", "hours")
STAFF_RATED = uses("staff_rated", "reference", "rating")
CHART_SAVED = uses("terminal_chart_saved", "path")
DOCUMENT_SAVED = uses("terminal_document_saved", "path")
STAFF_SHOW = label("staff_show")
STAFF_CLOSE = label("staff_close")
STAFF_TAKE = label("staff_take")
STAFF_MORE = label("staff_more")
STAFF_NO_NOTE_BUTTON = label("staff_no_note")
STAFF_CANCEL = label("staff_cancel")
STAFF_REOPEN_SEND = label("staff_reopen_send")
RATE_GOOD = label("thread_good")
RATE_BAD = label("thread_bad")
STAFF_UNKNOWN_NAME = uses("staff_unknown_name", "name")
