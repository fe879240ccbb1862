"""Facts, dashboard aggregates and a giveaway through the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from gardien.actions import giveaways
from gardien.actions import insights as actions
from gardien.app import reports
from gardien.app.runtime import Runtime
from gardien.insights import giveaway as draw_rules
from gardien.insights.catalogue import parse_catalogue
from gardien.insights.dashboard import assemble
from gardien.store import insights_animation as animation
from gardien.store.insights_dashboard import PostFilter, cube, posts_behind, resolve_scope
from gardien.store.insights_facts import backfill_facts, rebuild_daily
from gardien.store.tables_insights import (
    DAILY_CELL,
    WEEKLY_CELL,
    DailyCountRow,
    GiveawayEntryRow,
    WeeklyCountRow,
)
from gardien.store.tables_members import MemberRow
from tests.insights.cast import forum_week

NOW = datetime(2026, 11, 7, 12, 0, tzinfo=UTC)
CATALOGUE = parse_catalogue(
    {
        "products": [
            {"name": "Rhône E7", "terms": ["Rhône E7"]},
            {"name": "VR Connect", "terms": ["VR Connect", "app"]},
        ],
        "aspects": [{"name": "battery", "terms": ["battery"]}],
    }
)
CM = actions.Who("camille", NOW)
DAILY_COLUMNS = [*(getattr(DailyCountRow, name) for name in DAILY_CELL), DailyCountRow.posts]
WEEKLY_COLUMNS = [*(getattr(WeeklyCountRow, name) for name in WEEKLY_CELL), WeeklyCountRow.posts]


def test_praise_and_improvement_per_product_with_the_posts_behind_each_number(
    runtime: Runtime,
) -> None:
    with runtime.database.session() as session:
        actions.do_set_catalogue(session, CM, "velo", CATALOGUE)
    forum_week(runtime)
    with runtime.database.session() as session:
        scope = resolve_scope(session, "velo", date(2026, 11, 1), date(2026, 11, 7))
        board = assemble(cube(session, scope), scope.since, scope.until)
        products = {p.name: (p.praise, p.requests, p.complaints) for p in board.products}
        assert products == {"Rhône E7": (2, 0, 2), "VR Connect": (0, 1, 0)}
        assert board.total == 6 and board.complaints == 2
        assert board.queues == {"none": 5, "moderation": 1}
        behind = posts_behind(session, scope, PostFilter(product="Rhône E7", improvement=True))
        assert sorted(p.handle for p in behind) == ["@chloe", "@lena_rides"]


def test_backfill_recomputes_facts_after_the_catalogue_changes(runtime: Runtime) -> None:
    forum_week(runtime)
    with runtime.database.session() as session:
        actions.do_set_catalogue(session, CM, "velo", CATALOGUE)
    assert backfill_facts(runtime.database, "velo") == 6
    with runtime.database.session() as session:
        scope = resolve_scope(session, "velo", date(2026, 11, 1), date(2026, 11, 7))
        assert {
            p.name for p in assemble(cube(session, scope), scope.since, scope.until).products
        } == {
            "Rhône E7",
            "VR Connect",
        }


def daily_cells(runtime: Runtime) -> list[tuple[object, ...]]:
    """Both summaries' non-empty cells."""
    with runtime.database.session() as session:
        rows = session.execute(select(*DAILY_COLUMNS).where(DailyCountRow.posts > 0)).all()
        weeks = session.execute(select(*WEEKLY_COLUMNS).where(WeeklyCountRow.posts > 0)).all()
        return sorted(tuple(row) for row in rows) + sorted(tuple(row) for row in weeks)


def test_the_daily_summary_kept_by_triage_equals_a_recount_from_the_facts(
    runtime: Runtime,
) -> None:
    forum_week(runtime)
    with runtime.database.session() as session:
        actions.do_set_catalogue(session, CM, "velo", CATALOGUE)
    backfill_facts(runtime.database, "velo")  # every post re-recorded: its cells move
    kept = daily_cells(runtime)
    assert sum(int(str(row[-1])) for row in kept) == 6 * 2
    with runtime.database.session() as session:
        rebuild_daily(session)
    assert daily_cells(runtime) == kept


def test_a_long_period_reads_whole_weeks_weekly_and_its_edges_daily(runtime: Runtime) -> None:
    with runtime.database.session() as session:
        actions.do_set_catalogue(session, CM, "velo", CATALOGUE)
    forum_week(runtime)  # Monday 2 to Friday 6 November
    with runtime.database.session() as session:
        week = resolve_scope(session, "velo", date(2026, 11, 1), date(2026, 11, 7))
        quarter = resolve_scope(session, "velo", date(2026, 9, 2), date(2026, 11, 30))
        to_wednesday = resolve_scope(session, "velo", date(2026, 8, 1), date(2026, 11, 4))
        short = assemble(cube(session, week), week.since, week.until)
        long = assemble(cube(session, quarter), quarter.since, quarter.until)
        edge = assemble(cube(session, to_wednesday), to_wednesday.since, to_wednesday.until)
    assert long.bucket_days == 7 and long.total == short.total == 6
    assert long.sentiment == short.sentiment and long.queues == short.queues
    assert [(p.name, p.mentions) for p in long.products] == [
        (p.name, p.mentions) for p in short.products
    ]
    assert [(start, sum(n.values())) for start, n in long.buckets if any(n.values())] == [
        (date(2026, 11, 2), 6)
    ]
    assert edge.total == 3  # the 2nd, 3rd and 4th, counted per day
    assert [(start, sum(n.values())) for start, n in edge.buckets if any(n.values())] == [
        (date(2026, 11, 2), 3)
    ]


def test_the_batch_job_refreshes_only_funnels_gone_stale(runtime: Runtime) -> None:
    forum_week(runtime)
    assert reports.refresh_stale_funnels(runtime.database) >= 1  # never computed
    assert reports.refresh_stale_funnels(runtime.database) == 0  # fresh now
    assert reports.refresh_stale_funnels(runtime.database, timedelta(0)) >= 1


def run_giveaway(runtime: Runtime) -> int:
    with runtime.database.session() as session:
        giveaway = giveaways.do_create_giveaway(
            session,
            CM,
            "velo",
            "Win a saddle",
            NOW + timedelta(days=2),
            winners=2,
            eligibility=draw_rules.Eligibility(member_days=0),
        )
        giveaways.do_commit_giveaway(session, CM, giveaway, channel="forum")
        giveaway_id = giveaway.id
    for n, handle in enumerate(["@ana", "@bruno", "@chloe", "@lena_rides"]):
        with runtime.database.session() as session:
            giveaway = animation.access_giveaway(session, giveaway_id, None)
            later = actions.Who(handle, NOW + timedelta(minutes=n))
            giveaways.do_enter_giveaway(session, later, giveaway, handle)
    closing = actions.Who("camille", NOW + timedelta(days=2, minutes=1))
    with runtime.database.session() as session:
        giveaway = animation.access_giveaway(session, giveaway_id, None)
        giveaways.do_close_giveaway(session, closing, giveaway, channel="forum")
        giveaways.do_draw_giveaway(session, closing, giveaway, channel="forum")
    return giveaway_id


def test_a_giveaway_run_in_the_store_verifies_and_one_changed_entry_is_caught(
    runtime: Runtime,
) -> None:
    forum_week(runtime)
    giveaway_id = run_giveaway(runtime)
    with runtime.database.session() as session:
        document = animation.published(
            session, animation.access_giveaway(session, giveaway_id, None)
        )
    result = draw_rules.verify(document)
    assert result.ok, result.problems
    assert len(result.winners) == 2
    with runtime.database.session() as session:
        session.execute(
            update(GiveawayEntryRow)
            .where(GiveawayEntryRow.giveaway_id == giveaway_id, GiveawayEntryRow.n == 2)
            .values(handle="@mallory")
        )
    with runtime.database.session() as session:
        tampered = animation.published(
            session, animation.access_giveaway(session, giveaway_id, None)
        )
    assert not draw_rules.verify(tampered).ok


def test_one_entry_per_person_and_sanctioned_members_refused(runtime: Runtime) -> None:
    forum_week(runtime)
    with runtime.database.session() as session:
        giveaway = giveaways.do_create_giveaway(
            session, CM, "velo", "Win a bell", NOW + timedelta(days=1)
        )
        giveaways.do_commit_giveaway(session, CM, giveaway)
        giveaways.do_enter_giveaway(session, CM, giveaway, "@ana")
    with runtime.database.session() as session, pytest.raises(Exception, match="already entered"):
        giveaway = animation.access_giveaway(session, giveaway.id, None)
        giveaways.do_enter_giveaway(session, CM, giveaway, "@ana")
    with runtime.database.session() as session:
        members = session.scalars(select(MemberRow).order_by(MemberRow.id)).all()
        assert members, "ingest creates members"
    with (
        runtime.database.session() as session,
        pytest.raises(actions.InsightsError, match="closed"),
    ):
        giveaway = animation.access_giveaway(session, giveaway.id, None)
        giveaways.do_enter_giveaway(
            session, actions.Who("x", NOW + timedelta(days=2)), giveaway, "@bruno"
        )
