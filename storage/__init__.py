"""Everything the bot remembers, in one SQLite file; the only place with SQL."""

from storage._clock import utc_now
from storage._errors import (
    AlreadyClosed,
    BadReference,
    DuplicateUpdate,
    NoDatabase,
    NotFound,
    ReferenceTaken,
    StorageError,
)
from storage._files import BUSY_TIMEOUT_MS, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, open_private
from storage._records import (
    ASSESSMENT_KINDS,
    CHANNELS,
    DELIVERY_STATUSES,
    FOLLOWUP_STATUSES,
    INBOUND_KINDS,
    OUTBOUND_KINDS,
    STAFF_ACTIONS,
    Assessment,
    FollowUp,
    Inbound,
    Message,
    Outbound,
    Queued,
    Session,
    StaffAction,
    StaffNote,
    Stats,
    TopicCount,
    User,
)
from storage._references import normalise_reference
from storage._sample import fill_with_sample_data
from storage._schema import MIGRATIONS
from storage._store import SESSION_GAP, Store
from storage._text import MAX_TEXT_CHARS, TRUNCATION_MARKER, safe_text

__all__ = [
    "ASSESSMENT_KINDS",
    "BUSY_TIMEOUT_MS",
    "CHANNELS",
    "DELIVERY_STATUSES",
    "FOLLOWUP_STATUSES",
    "INBOUND_KINDS",
    "MAX_TEXT_CHARS",
    "MIGRATIONS",
    "OUTBOUND_KINDS",
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "SESSION_GAP",
    "STAFF_ACTIONS",
    "TRUNCATION_MARKER",
    "AlreadyClosed",
    "Assessment",
    "BadReference",
    "DuplicateUpdate",
    "FollowUp",
    "Inbound",
    "Message",
    "NoDatabase",
    "NotFound",
    "Outbound",
    "Queued",
    "ReferenceTaken",
    "Session",
    "StaffAction",
    "StaffNote",
    "Stats",
    "StorageError",
    "Store",
    "TopicCount",
    "User",
    "fill_with_sample_data",
    "normalise_reference",
    "open_private",
    "safe_text",
    "utc_now",
]
