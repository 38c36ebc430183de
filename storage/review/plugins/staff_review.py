"""Datasette plugin for the staff review: people who are not logged in go to the login form,
references in canned query results become links, the templates get their words and the home
page its counts, the queries get plain_text() and topic_titles(), and
/-/review/chart/NAME.png draws the home page's small charts.

Loaded with `--plugins-dir storage/review/plugins` (python -m storage.review does that). Its
words and links are configured in metadata.yaml, under plugins: scaling-advisor-review.
"""

from __future__ import annotations

import asyncio
import functools
import html
import io
import json
import re
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import Response
from markupsafe import Markup

from storage import register_clock, utc_now

PLUGIN = "scaling-advisor-review"
LOGIN_PATH = "/-/login"
DATABASE = "bot"
# The bot's messages are Telegram's small HTML subset; the review shows them as words.
_TAG = re.compile(r"</?(?:b|i|u|s|code|pre|a|tg-spoiler|blockquote)(?:\s[^>]*)?>")


def plain_text(text: str | None) -> str | None:
    """A bot message without its markup: what the person saw, as words."""
    return None if text is None else html.unescape(_TAG.sub("", text))


@functools.cache
def _titles() -> dict[str, str]:
    """Topic ids to their short titles, from the knowledge base (ids when it cannot load)."""
    try:
        from knowledge import load_knowledge  # the review is an app over the bot's records

        kb = load_knowledge()
    except Exception:  # a broken content edit must not take the review down
        return {}
    topics = {**kb.factors, **kb.frameworks}
    return {topic_id: topic.short_title for topic_id, topic in topics.items()}


def topic_title(topic_id: str | None) -> str | None:
    """A topic's short title (its id if unknown)."""
    return None if topic_id is None else _titles().get(topic_id, topic_id)


def topic_titles(matched: str | None) -> str | None:
    """A message's matched topics (a JSON list of ids) as titles, comma-separated."""
    if not matched:
        return None
    try:
        ids = json.loads(matched)
    except ValueError:
        return matched
    return ", ".join(topic_title(str(i)) or "" for i in ids) if isinstance(ids, list) else matched


def set_clock(datasette: Any, clock: Any) -> None:
    """The time this review's pages count from (UTC now unless a test sets another)."""
    datasette._review_clock = clock


def _now(datasette: Any) -> Any:
    return (getattr(datasette, "_review_clock", None) or utc_now)()


@hookimpl
def startup(datasette: Any) -> None:
    """Read the topic titles before the first query: loading the knowledge base inside one
    (about 0.4 s, more on a busy machine) could run into Datasette's SQL time limit."""
    _titles()


@hookimpl
def prepare_connection(conn: Any, datasette: Any) -> None:
    """SQL functions the canned queries use to read well, and clock_now() for "how long ago"
    (a WHERE reads it as (SELECT ...), once, so that an index on the time can serve it)."""
    register_clock(conn, lambda: _now(datasette))
    conn.create_function("plain_text", 1, plain_text, deterministic=True)
    conn.create_function("topic_title", 1, topic_title, deterministic=True)
    conn.create_function("topic_titles", 1, topic_titles, deterministic=True)


@hookimpl
def forbidden(datasette: Any, request: Any, message: str) -> Response | None:
    """A browser that is not logged in goes to the login form, and after it to the page it
    asked for; anything else gets the 403."""
    wants_page = "text/html" in request.headers.get("accept", "")
    if request.actor is None and wants_page:
        login = datasette.urls.path(LOGIN_PATH)
        if request.method == "GET" and request.path != login:
            login += "?" + urlencode({"next": request.full_path})
        return Response.redirect(login)
    return None


@functools.lru_cache(maxsize=16)
def _reference_links(datasette: Any) -> dict[str, Any]:
    """The configured reference columns, read once per Datasette: plugin_config() copies the
    whole block on every call, which for every cell of a long queue was most of its time."""
    return (datasette.plugin_config(PLUGIN) or {}).get("reference_links") or {}


@hookimpl
def render_cell(
    value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    """A reference in a configured canned-query column links to the query it opens."""
    if table is not None or not isinstance(value, str) or not value:
        return None
    link = _reference_links(datasette).get(column)
    if not link:
        return None
    if link.get("path"):  # a page of the review's own, e.g. the follow-up's actions
        href = "{}?{}".format(datasette.urls.path(link["path"]), urlencode({"reference": value}))
    else:
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
        home = await _home_counts(datasette) if request is not None and request.path == "/" else {}
        paging = {}
        if query and query.get("paging") and request is not None:
            paging = await _paging(datasette, database, query["paging"], request)
        return {
            "review_words": words,
            "review_query": query or {},
            "review_home": home,
            "review_paging": paging,
        }

    return template_vars


async def _paging(
    datasette: Any, database: str, paging: dict[str, Any], request: Any
) -> dict[str, Any]:
    """Where a paged canned query's page stands: its rows' numbers, the total, the links."""
    param, per_page = paging["param"], int(paging["per_page"])
    db = datasette.get_database(database)
    # The page as the query's own SQL reads it (anything but a number from 1 is page 1).
    asked = request.args.get(param) or ""
    page = (await db.execute("SELECT max(CAST(:page AS INTEGER), 1)", {"page": asked})).first()[0]
    total = (await db.execute(paging["count"])).first()[0] or 0
    pages = max(1, -(-total // per_page))
    kept = [
        (key, value) for key in request.args if key != param for value in request.args.getlist(key)
    ]

    def link(number: int) -> str:
        args = kept + ([(param, str(number))] if number > 1 else [])
        return request.path + ("?" + urlencode(args) if args else "")

    return {
        "param": param,
        "page": page,
        "pages": pages,
        "total": total,
        "first": min(total, (page - 1) * per_page + 1),
        "last": min(total, page * per_page),
        "previous": link(min(page, pages + 1) - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
        "first_page": link(1),
    }


HOME_COUNTS = """
SELECT
  (SELECT count(*) FROM followups WHERE status = 'open' AND stage = 'new') AS waiting,
  (SELECT count(*) FROM followups WHERE status = 'open' AND stage != 'new') AS taken,
  (SELECT count(*) FROM followups WHERE status = 'open' AND stage = 'answered') AS answered,
  (SELECT count(*) FROM followups WHERE status = 'closed'
     AND closed_at >= (SELECT date(clock_now(), '-6 days'))) AS closed_week,
  (SELECT coalesce(sum(n), 0) FROM counts WHERE metric = 'unanswered'
     AND day >= (SELECT date(clock_now(), '-6 days'))) AS unanswered_week
"""


async def _home_counts(datasette: Any) -> dict[str, int]:
    """The figures on the home page: follow-ups by where they are, this week's closures."""
    try:
        db = datasette.get_database(DATABASE) if DATABASE in datasette.databases else None
        db = db or next(iter(datasette.databases.values()))
        row = (await db.execute(HOME_COUNTS)).first()
    except Exception:  # a database without the bot's tables: no figures, still a page
        return {}
    return dict(row) if row else {}


CHARTS = {
    "topics": (
        "SELECT substr(day, 1, 7) AS month, key, sum(n) AS n FROM counts WHERE metric = 'topic'"
        " AND day >= (SELECT date(clock_now(), 'start of month', '-5 months'))"
        " GROUP BY month, key"
    ),
    "followups": (
        "SELECT substr(day, 1, 7) AS month, metric AS key, sum(n) AS n FROM counts"
        " WHERE metric IN ('followups_opened', 'followups_closed')"
        " AND day >= (SELECT date(clock_now(), 'start of month', '-11 months'))"
        " GROUP BY month, metric"
    ),
}


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """The home page's small charts, as PNG images (behind the login like everything else)."""
    return [(r"^/-/review/chart/(?P<name>topics|followups)\.png$", _chart)]


async def _chart(datasette: Any, request: Any) -> Response:
    if not await datasette.permission_allowed(request.actor, "view-instance", default=False):
        return Response.text("Forbidden", status=403)
    name = request.url_vars["name"]
    db = datasette.get_database(DATABASE) if DATABASE in datasette.databases else None
    db = db or next(iter(datasette.databases.values()))
    rows = [dict(row) for row in (await db.execute(CHARTS[name])).rows]
    words = (datasette.plugin_config(PLUGIN) or {}).get("words") or {}
    png = await asyncio.to_thread(_draw, name, rows, words)  # ~100 ms: off the loop
    return Response(png, content_type="image/png", headers={"Cache-Control": "no-store"})


def _draw(name: str, rows: list[dict[str, Any]], words: dict[str, str]) -> bytes:
    """A small bar chart: topics by month (the five most raised), or follow-ups opened and
    closed by month. Okabe-Ito colours with hatching, so it reads without colour too."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    months = sorted({row["month"] for row in rows})
    if name == "topics":
        totals: dict[str, int] = {}
        for row in rows:
            totals[row["key"]] = totals.get(row["key"], 0) + row["n"]
        keys = sorted(totals, key=lambda k: -totals[k])[:5]
        labels = [topic_title(k) or k for k in keys]
        title = words["chart_topics_title"]
    else:
        keys = ["followups_opened", "followups_closed"]
        labels = [words["chart_opened"], words["chart_closed"]]
        title = words["chart_followups_title"]
    value = {(row["month"], row["key"]): row["n"] for row in rows}
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]
    hatches = ["", "//", "..", "xx", "\\\\"]
    figure, axes = pyplot.subplots(figsize=(5.2, 2.6), dpi=100)
    width = 0.8 / max(1, len(keys))
    for n, (key, label) in enumerate(zip(keys, labels, strict=True)):
        axes.bar(
            [i + n * width for i in range(len(months))],
            [value.get((month, key), 0) for month in months],
            width,
            label=label,
            color=colours[n % len(colours)],
            hatch=hatches[n % len(hatches)],
            edgecolor="white",
        )
    axes.set_xticks([i + width * (len(keys) - 1) / 2 for i in range(len(months))], months)
    axes.set_title(title, fontsize=10)
    axes.tick_params(labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    if not months:
        axes.text(0.5, 0.5, words["chart_empty"], ha="center", va="center")
    # Beside the bars, not over them; whole numbers only (these are counts).
    axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.yaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    pyplot.close(figure)
    return out.getvalue()
