"""Dashboard queries at 1,000,000 posts on SQLite and PostgreSQL, each against a baseline: a
plain COUNT(*) over the same rows (the same community and period).

Goal (issue 10): every dashboard query under 200 ms. Rows are generated straight through the
driver's bulk path (executemany on SQLite, COPY on PostgreSQL): a year of posts over 6 communities, the largest holding
40 % of them, with per-post facts as the triage path writes them. Set
GARDIEN_BENCH_DASHBOARD_POSTS to try another size."""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text

from gardien.app import reports
from gardien.domain import Channel, Community
from gardien.store import insights_dashboard as dash
from gardien.store import insights_people as people
from gardien.store import migrate
from gardien.store.bulk import insert_many
from gardien.store.communities import ensure_channel, ensure_community
from gardien.store.db import Database, make_engine
from gardien.store.insights_facts import catalogue_of, rebuild_daily
from gardien.store.tables import AuthorRow, CommunityRow

POSTS = int(os.environ.get("GARDIEN_BENCH_DASHBOARD_POSTS", "1000000"))
PG_ADMIN_URL = os.environ.get("GARDIEN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
COMMUNITIES = 6
AUTHORS = 60_000
END = date(2026, 11, 20)
DAYS = 365
CHUNK = 50_000
PRODUCTS = [
    "Rhône E7",
    "Urbaine 3",
    "Gravel Ardèche",
    "VR Connect",
    "Cargo Croix-Rousse",
    None,
    None,
]
WORDS = [
    "battery",
    "delivery",
    "warranty",
    "love",
    "great",
    "broken",
    "app",
    "update",
    "ride",
    "saddle",
    "brakes",
    "order",
]
INTENTS = ["praise", "feature_request", "complaint", "question", "other", "other"]
SENTIMENT = {"praise": "positive", "complaint": "negative", "feature_request": "neutral"}
BRAND = ["@VeloRouge", "@RedVelo"]
LIMIT_MS = 200
#: Not dashboard queries: a periodic job, and a computation cached once per period.
JOB_FUNNEL = "job: funnel refresh (whole history)"
JOB_THEMES = "batch job: themes clustering"


def community_of(n: int) -> int:
    """40 % of the posts in community 0, the rest spread over the others."""
    return 0 if n % 10 < 4 else 1 + n % (COMMUNITIES - 1)


def setup(database: Database) -> None:
    """Communities, channels (2 each), authors (brand accounts first) — the small tables."""
    with database.session() as session:
        for c in range(COMMUNITIES):
            ensure_community(session, Community(slug=f"c{c}", name=f"Community {c}"))
            for k in range(2):
                ensure_channel(
                    session, Channel(name=f"c{c}-ch{k}", kind="social", community=f"c{c}")
                )
        for row in session.query(CommunityRow):
            catalogue = {"products": [{"name": p} for p in PRODUCTS if p], "brand_accounts": BRAND}
            row.settings = {**row.settings, "insights": catalogue}
    rng = random.Random(1)
    created = datetime(2020, 1, 1, tzinfo=UTC)
    for start in range(0, AUTHORS, CHUNK):
        rows = [
            {
                "id": a + 1,
                "channel_id": a % (COMMUNITIES * 2) + 1,
                "external_id": f"u{a}",
                "handle": BRAND[a] if a < len(BRAND) else f"@rider{a}",
                "display_name": "",
                "followers": int(rng.paretovariate(1.2) * 40),
                "created_at": created,
                "extra": {},
            }
            for a in range(start, min(start + CHUNK, AUTHORS))
        ]
        with database.session() as session:
            insert_many(session, AuthorRow, rows, skip_duplicates=False)


def _write(session: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """The driver's bulk path on ready-made tuples: executemany on SQLite (what `insert_many`
    does after converting), COPY on PostgreSQL (executemany there is ~5x slower, and the bench
    must fit in a few minutes)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        marks = ", ".join(["?"] * len(columns))
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        connection.exec_driver_sql(statement, rows)
        return
    raw = connection.connection.driver_connection
    names = ", ".join(columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


POST_COLUMNS = [
    "id",
    "channel_id",
    "external_id",
    "author_id",
    "thread_id",
    "parent_id",
    "text",
    "original_text",
    "created_at",
    "received_at",
    "likes",
    "replies",
    "shares",
    "visibility",
    "extra",
    "triaged_at",
]
FACT_COLUMNS = [
    "post_id",
    "community_id",
    "channel_id",
    "author_id",
    "thread",
    "day",
    "language",
    "sentiment",
    "intent",
    "complaint",
    "polarity",
    "product",
    "aspect",
    "queue",
    "interactions",
    "spam",
    "off_topic",
]


def generate(database: Database) -> None:
    """POSTS posts and their facts, in chunks, each chunk one transaction; values are drawn
    once into tables so the generator costs less than the inserts it feeds."""
    rng = random.Random(7)
    sqlite = database.dialect == "sqlite"
    first = datetime.combine(END - timedelta(days=DAYS - 1), datetime.min.time(), UTC)
    minutes = DAYS * 24 * 60
    stamp = [first + timedelta(minutes=m) for m in range(0, minutes, 5)]
    stamps: list[Any] = (
        [t.replace(tzinfo=None).isoformat(sep=" ") for t in stamp] if sqlite else stamp
    )
    days: list[Any] = [t.date().isoformat() if sqlite else t.date() for t in stamp]
    per_stamp = POSTS / len(stamp)
    pool = 4096
    r_reply = [rng.random() < 0.35 for _ in range(pool)]
    r_brand = [rng.random() < 0.2 for _ in range(pool)]
    r_back = [rng.randint(1, 60) for _ in range(pool)]
    r_author = [rng.randrange(2, AUTHORS) + 1 for _ in range(pool + 7)]
    r_intent = [rng.choice(INTENTS) for _ in range(pool + 3)]
    r_product = [rng.choice(PRODUCTS) for _ in range(pool + 11)]
    r_feel = [rng.choice(["positive", "neutral", "negative"]) for _ in range(pool + 13)]
    r_text = [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(pool + 17)]
    r_small = [rng.randrange(20) for _ in range(pool + 19)]
    r_polarity = [round(rng.uniform(-1, 1), 3) for _ in range(pool + 23)]
    empty = "{}"
    for start in range(0, POSTS, CHUNK):
        posts, facts = [], []
        for n in range(start, min(start + CHUNK, POSTS)):
            community = community_of(n)
            channel = community * 2 + 1 + n % 2
            k = int(n / per_stamp)
            at, i = stamps[k], n % pool
            reply = n > 100 and r_reply[i]
            thread = f"p{n - r_back[(n * 7) % pool]}" if reply else f"p{n}"
            brand = reply and r_brand[(n * 3) % pool]
            author = (n % len(BRAND)) + 1 if brand else r_author[n % (pool + 7)]
            intent = "other" if brand else r_intent[n % (pool + 3)]
            product = r_product[n % (pool + 11)]
            small = r_small[n % (pool + 19)]
            posts.append(
                (
                    n + 1,
                    channel,
                    f"p{n}",
                    author,
                    thread,
                    thread if reply else None,
                    f"{product or ''} {r_text[n % (pool + 17)]}",
                    "",
                    at,
                    at,
                    small,
                    0,
                    0,
                    "public",
                    empty,
                    at,
                )
            )
            facts.append(
                (
                    n + 1,
                    community + 1,
                    channel,
                    author,
                    thread,
                    days[k],
                    "fr" if n % 3 else "en",
                    SENTIMENT.get(intent) or r_feel[n % (pool + 13)],
                    intent,
                    intent == "complaint",
                    r_polarity[n % (pool + 23)],
                    product,
                    None,
                    "care" if intent == "complaint" else ("moderation" if n % 29 == 0 else "none"),
                    small,
                    n % 53 == 0,
                    n % 31 == 0,
                )
            )
        with database.session() as session:
            if not sqlite:
                session.execute(text("SET LOCAL synchronous_commit = off"))
            _write(session, "posts", POST_COLUMNS, posts)
            _write(session, "post_facts", FACT_COLUMNS, facts)
    began = time.perf_counter()
    with database.session() as session:
        cells = rebuild_daily(session)
    print(
        f"  daily and weekly summaries backfilled from the facts: {cells:,} daily cells "
        f"in {time.perf_counter() - began:.1f} s",
        flush=True,
    )
    # What autovacuum does on a live PostgreSQL (statistics, and the visibility map that lets
    # covering indexes answer alone); SQLite only needs the statistics.
    statement = "ANALYZE" if sqlite else "VACUUM ANALYZE"
    with database.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text(statement))


def timed_ms(action: Callable[[], Any], runs: int = 5) -> float:
    """The median of `runs` timings (after one warm-up run), in milliseconds."""
    action()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def measure(database: Database) -> dict[str, tuple[float, float]]:
    """(query ms, baseline COUNT(*) ms) per dashboard query, on the largest community."""
    results: dict[str, tuple[float, float]] = {}
    now = datetime.now(UTC)

    def with_session(
        call: Callable[[Any, dash.Scope], object], scope: dash.Scope
    ) -> Callable[[], object]:
        def run() -> object:
            with database.session() as session:
                return call(session, scope)

        return run

    for days in (28, 90, 365):
        with database.session() as session:
            scope = dash.resolve_scope(session, "c0", END - timedelta(days=days - 1), END)
        base = timed_ms(with_session(dash.baseline_count, scope))
        results[f"count cube, {days} days"] = (timed_ms(with_session(dash.cube, scope)), base)
        if days == 28:
            four_weeks, base28 = scope, base
    probe = dash.PostFilter(product="VR Connect", improvement=True)
    results["posts behind a number (page)"] = (
        timed_ms(with_session(lambda s, sc: dash.posts_behind(s, sc, probe), four_weeks)),
        base28,
    )
    results["response times, 28 days"] = (
        timed_ms(with_session(lambda s, sc: dash.response_times(s, sc, tuple(BRAND)), four_weeks)),
        base28,
    )
    results["good discussions, 28 days"] = (
        timed_ms(with_session(people.thread_stats, four_weeks)),
        base28,
    )
    results["influencers, 28 days"] = (
        timed_ms(with_session(lambda s, sc: people.author_stats(s, sc, now), four_weeks)),
        base28,
    )
    with database.session() as session:
        year = dash.resolve_scope(session, "c0", END - timedelta(days=DAYS - 1), END)
    year_base = timed_ms(with_session(dash.baseline_count, year))

    def refresh() -> object:
        with database.session() as session:
            catalogue = catalogue_of(session.get_one(CommunityRow, year.community_id).settings)
            return reports.refresh_funnel(session, year.community_id, catalogue, END, now)

    results[JOB_FUNNEL] = (timed_ms(refresh, 1), year_base)
    results["funnel (stored stages + lists)"] = (
        timed_ms(
            with_session(
                lambda s, sc: (
                    people.stage_counts(s, sc.community_id),
                    people.stage_members(s, sc.community_id, "advocate", 10),
                    people.stage_members(s, sc.community_id, "detractor", 10),
                ),
                year,
            )
        ),
        year_base,
    )
    results[JOB_THEMES] = (
        timed_ms(with_session(lambda s, sc: reports.compute_themes(s, sc, now), four_weeks), 3),
        base28,
    )
    results["themes (stored by the job)"] = (
        timed_ms(with_session(lambda s, sc: reports.cached_themes(s, sc, now), four_weeks)),
        base28,
    )
    results["whole dashboard, 28 days"] = (
        timed_ms(
            lambda: reports.build_report(database, "c0", four_weeks.since, four_weeks.until), 3
        ),
        base28,
    )
    return results


def run(url: str, label: str) -> dict[str, tuple[float, float]]:
    database = Database(make_engine(url))
    try:
        migrate.upgrade(database)
        began = time.perf_counter()
        setup(database)
        generate(database)
        print(
            f"{label}: {POSTS:,} posts and facts written in {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        return measure(database)
    finally:
        database.dispose()


def main() -> None:
    print(
        f"{POSTS:,} posts over {DAYS} days, {COMMUNITIES} communities; queries on the largest "
        f"({POSTS * 4 // 10:,} posts); median of 5 runs; baseline = COUNT(*) over the same rows"
    )
    with tempfile.TemporaryDirectory() as folder:
        sqlite = run(f"sqlite:///{Path(folder) / 'dashboard.db'}", "SQLite")
    name = f"gardien_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        postgres = run(f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}", "PostgreSQL")
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"\n{'query':<34} {'SQLite ms':>10} {'×COUNT':>7} {'PostgreSQL ms':>14} {'×COUNT':>7}")
    for query, (lite, lite_base) in sqlite.items():
        pg, pg_base = postgres[query]
        limited = query not in (JOB_FUNNEL, JOB_THEMES)
        mark = "" if not limited or max(lite, pg) < LIMIT_MS else f"  over {LIMIT_MS} ms"
        print(
            f"{query:<34} {lite:>10.1f} {lite / max(lite_base, 0.01):>7.1f} "
            f"{pg:>14.1f} {pg / max(pg_base, 0.01):>7.1f}{mark}"
        )
