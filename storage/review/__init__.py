"""Staff review in the browser: Datasette over the bot's live database, behind a login.

`python -m storage.review` (`make review`) serves it on 127.0.0.1; metadata.yaml holds its
titles, descriptions and canned queries, plugins/ and templates/ what Datasette lacks.
"""

from storage.review._config import (
    METADATA_FILE,
    PLUGINS_DIR,
    TEMPLATES_DIR,
    ReviewConfigError,
    load_base_metadata,
    password_hash_variable,
    review_content_problems,
    review_metadata,
    staff_logins,
)
from storage.review._door import SESSION_SECONDS, LoginGuard, session_value
from storage.review._passwords import MIN_LENGTH, WeakPassword, check_hash, hash_password
from storage.review._serve import (
    HOST,
    SETTINGS,
    main,
    prepare_database,
    review_port,
    serve_arguments,
)

__all__ = [
    "HOST",
    "METADATA_FILE",
    "MIN_LENGTH",
    "PLUGINS_DIR",
    "SESSION_SECONDS",
    "SETTINGS",
    "TEMPLATES_DIR",
    "LoginGuard",
    "ReviewConfigError",
    "WeakPassword",
    "check_hash",
    "hash_password",
    "load_base_metadata",
    "main",
    "password_hash_variable",
    "prepare_database",
    "review_content_problems",
    "review_metadata",
    "review_port",
    "serve_arguments",
    "session_value",
    "staff_logins",
]
