"""Stored policies: saving makes a version, the live one judges traffic, a shadow one is only
recorded, and a bad file changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from gardien.actions.policies import do_save_policy, do_stop_shadow
from gardien.app.policies import shadow_stats
from gardien.app.runtime import Runtime
from gardien.app.triage import triage_pending
from gardien.channels.file_import import ingest_stream
from gardien.channels.parse import iter_jsonl
from gardien.errors import PolicyError
from gardien.policy.defaults import default_policy_text
from gardien.store import policies, queries
from gardien.store.tables import AuditRow
from tests.factories import jsonl, post

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def policy_text(extra_terms: str = "") -> str:
    """The shipped French policy, named for community 'velo', with optional held words."""
    text = default_policy_text("fr").replace("community: default", "community: velo", 1)
    if extra_terms:
        text = text.replace(
            "watched_words:\n  lists:\n",
            "watched_words:\n  lists:\n    - name: strict\n      action: hold\n"
            f"      terms: [{extra_terms}]\n",
            1,
        )
    return text


def push(runtime: Runtime, *records: dict[str, object]) -> None:
    import io

    ingest_stream(
        runtime.database,
        "forum",
        "test",
        iter_jsonl(io.BytesIO(jsonl(list(records))), runtime.limits),
    )
    runtime.refresh()
    triage_pending(runtime.database, runtime.runner, runtime.context())


def test_the_live_version_judges_traffic_and_is_recorded_on_decisions(runtime: Runtime) -> None:
    with runtime.database.session() as session:
        saved = do_save_policy(session, "velo", policy_text("guidon"), "cm:ana", NOW)
    push(runtime, post("1", "Mon guidon est tordu"))
    with runtime.database.session() as session:
        [view] = queries.list_posts(session)
    assert view.action == "hold" and view.queue == "moderation"
    assert view.policy_version == saved.version
    assert any(reason["term"] == "guidon" for reason in view.reasons)


def test_saving_the_same_text_again_reuses_its_version(runtime: Runtime) -> None:
    with runtime.database.session() as session:
        first = do_save_policy(session, "velo", policy_text(), "cm:ana", NOW)
        again = do_save_policy(session, "velo", policy_text(), "cm:bob", NOW)
    assert (first.created, again.created, first.version == again.version) == (True, False, True)
    with runtime.database.session() as session:
        assert len(policies.versions(session, "velo")) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("community: velo\nthresholds: [}", r"velo.yaml:2: not valid YAML"),
        (policy_text().replace("action: hold", "action: hide", 1), r"velo.yaml:\d+: .*hide"),
        (default_policy_text("fr"), "this file is for 'default', not 'velo'"),
    ],
)
def test_a_bad_policy_is_refused_with_its_line_and_nothing_changes(
    runtime: Runtime, text: str, message: str
) -> None:
    with runtime.database.session() as session:
        do_save_policy(session, "velo", policy_text(), "cm:ana", NOW)
    with pytest.raises(PolicyError, match=message), runtime.database.session() as session:
        do_save_policy(session, "velo", text, "cm:ana", NOW)
    with runtime.database.session() as session:
        assert len(policies.versions(session, "velo")) == 1
        assert len(session.scalars(select(AuditRow)).all()) == 1


def test_a_shadow_version_is_recorded_beside_the_live_one_and_never_applied(
    runtime: Runtime,
) -> None:
    with runtime.database.session() as session:
        live = do_save_policy(session, "velo", policy_text(), "cm:ana", NOW)
        shadow = do_save_policy(session, "velo", policy_text("guidon"), "cm:ana", NOW, use="shadow")
    push(runtime, post("1", "Mon guidon est tordu"), post("2", "Belle sortie ce matin"))
    with runtime.database.session() as session:
        actions = {view.external_id: view.action for view in queries.list_posts(session)}
    assert actions == {"1": "allow", "2": "allow"}  # the live policy decided
    stats = shadow_stats(runtime.database, shadow.version)
    assert (stats.posts, stats.agree) == (2, 1)
    assert stats.changes == {("allow", "hold"): 1}
    assert stats.rule_hits["words:strict"] == 1
    with runtime.database.session() as session:
        live_now, shadow_now = policies.active(session, "velo")
        assert live_now is not None and live_now.version == live.version
        assert shadow_now is not None and shadow_now.version == shadow.version
        assert do_stop_shadow(session, "velo", "cm:ana", NOW)
        assert policies.active(session, "velo")[1] is None
