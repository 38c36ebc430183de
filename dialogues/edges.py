"""Texts the adapters use outside the journeys (errors, group chats, staff), declared for `check`.

The adapters fill them with dialogues.fill(), which escapes every value.
"""

from __future__ import annotations

from dialogues._content import label, uses

ERROR = uses("error")
GROUP_CHAT = uses("group_chat", "bot")
STAFF_FOLLOWUP = uses("staff_followup", "reference", "note", "contact", "user", "when")
STAFF_QUEUE = uses("staff_queue", "count", "items")
STAFF_QUEUE_LINE = uses("staff_queue_line", "reference", "when", "note")
STAFF_QUEUE_EMPTY = uses("staff_queue_empty")
STAFF_TRANSCRIPT = uses("staff_transcript", "reference", "status", "note", "contact", "lines")
STAFF_TRANSCRIPT_LINE = uses("staff_transcript_line", "when", "who", "text")
STAFF_NO_TRANSCRIPT = uses("staff_no_transcript")
STAFF_TO_USER = uses("staff_to_user", "reference", "text")
STAFF_SENT = uses("staff_sent", "reference")
STAFF_NOT_DELIVERED = uses("staff_not_delivered", "reference")
STAFF_REFUSED = uses("staff_refused", "reference", "reason")
STAFF_NOT_YET = uses("staff_not_yet", "reference")
STAFF_NOTED = uses("staff_noted", "reference")
STAFF_CLOSED = uses("staff_closed", "reference")
STAFF_ALREADY_CLOSED = uses("staff_already_closed", "reference")
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
)
STAFF_CONVERSATION = uses("staff_conversation")
STAFF_WHO_USER = uses("staff_who_user")
STAFF_WHO_BOT = uses("staff_who_bot")
STAFF_WHO_TEAM = uses("staff_who_team")
CHART_SAVED = uses("terminal_chart_saved", "path")
DOCUMENT_SAVED = uses("terminal_document_saved", "path")
STAFF_SHOW = label("staff_show")
STAFF_CLOSE = label("staff_close")
