"""Datasette plugin for the staff review: people who are not logged in go to the login form,
references in canned query results become links, and the templates get their words.

Loaded with `--plugins-dir storage/review/plugins` (python -m storage.review does that). Its
words and links are configured in metadata.yaml, under plugins: scaling-advisor-review.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import Response
from markupsafe import Markup

PLUGIN = "scaling-advisor-review"
LOGIN_PATH = "/-/login"


@hookimpl
def forbidden(datasette: Any, request: Any, message: str) -> Response | None:
    """A browser that is not logged in goes to the login form; anything else gets the 403."""
    wants_page = "text/html" in request.headers.get("accept", "")
    if request.actor is None and wants_page:
        return Response.redirect(datasette.urls.path(LOGIN_PATH))
    return None


@hookimpl
def render_cell(
    value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    """A reference in a configured canned-query column links to the query it opens."""
    if table is not None or not isinstance(value, str) or not value:
        return None
    links = (datasette.plugin_config(PLUGIN) or {}).get("reference_links") or {}
    link = links.get(column)
    if not link:
        return None
    href = "{}/{}?{}".format(
        datasette.urls.database(database), link["query"], urlencode({"reference": value})
    )
    return Markup('<a href="{}">{}</a>').format(href, link.get("label") or value)


@hookimpl
def extra_template_vars(database: str | None, request: Any, datasette: Any) -> Any:
    """The templates' words, and on a canned query's page that query's metadata."""

    async def template_vars() -> dict[str, Any]:
        words = (datasette.plugin_config(PLUGIN) or {}).get("words") or {}
        query = None
        name = (request.url_vars or {}).get("table") if request is not None else None
        if database and name:
            query = await datasette.get_canned_query(database, tilde_decode(name), request.actor)
        return {"review_words": words, "review_query": query or {}}

    return template_vars
