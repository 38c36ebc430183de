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
    review_metadata,
    staff_logins,
)
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
    "PLUGINS_DIR",
    "SETTINGS",
    "TEMPLATES_DIR",
    "ReviewConfigError",
    "load_base_metadata",
    "main",
    "password_hash_variable",
    "prepare_database",
    "review_metadata",
    "review_port",
    "serve_arguments",
    "staff_logins",
]
