"""The pure core, string in, answer out: the ladder, standing, trust, screening, evasion, notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gardien.members import evasion, notices, screening, trust
from gardien.members.ladder import SanctionFact, counted, rule_on, standing
from gardien.policy.schema import Strikes

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
LADDER = Strikes()  # warn → mute 24h → suspend 7d → ban, decay 90d


@pytest.mark.parametrize(
    ("before", "asked", "kind", "hours"),
    [
        (0, "warn", "warn", None),
        (1, "warn", "mute", 24),
        (2, "warn", "suspend", 168),
        (3, "warn", "ban", None),
        (0, "suspend", "suspend", 168),  # a moderator may go beyond the ladder …
        (2, "mute", "suspend", 168),  # … never below it
        (9, "warn", "ban", None),
    ],
)
def test_a_new_strike_brings_the_ladders_step(
    before: int, asked: str, kind: str, hours: int | None
) -> None:
    ruling = rule_on(before, LADDER, asked)
    assert (ruling.strike, ruling.kind) == (before + 1, kind)
    ends = ruling.ends_at(NOW)
    assert (None if ends is None else (ends - NOW) / timedelta(hours=1)) == hours


def test_strikes_decay_and_standing_is_the_strongest_restriction_in_force() -> None:
    assert counted([NOW - timedelta(days=100), NOW - timedelta(days=3)], NOW, LADDER) == 1
    facts = [
        SanctionFact("mute", NOW - timedelta(hours=30), NOW - timedelta(hours=6)),
        SanctionFact("suspend", NOW - timedelta(days=1), NOW + timedelta(days=6)),
        SanctionFact("ban", NOW, None, lifted=True),
    ]
    assert standing(facts, NOW) == standing(facts[1:2], NOW)
    assert standing(facts, NOW).state == "suspended"


def test_trust_rises_with_history_and_falls_with_strikes() -> None:
    assert trust.trust_level(trust.History(days=0.5, posts=1)) == 0
    assert trust.trust_level(trust.History(days=30, posts=40)) == 2
    assert trust.trust_level(trust.History(days=90, posts=200)) == 3
    assert trust.trust_level(trust.History(days=90, posts=200, removed_posts=1)) == 2
    assert trust.trust_level(trust.History(days=90, posts=200, active_strikes=2)) == 1
    assert trust.trust_level(trust.History(days=90, posts=200, banned=True)) == 0


def test_screening_adds_up_signals_with_reasons() -> None:
    seen = {screening.fingerprint("I love riding my bike on weekends!!")}
    applicant = screening.Applicant(
        "bot@mailinator.com",
        {"why": "i love riding my bike on weekends", "site": "http://a.example http://b.example"},
        account_age_days=2,
        scores={"spam": 0.9},
    )
    result = screening.screen(applicant, {s for s in seen if s}, 0.1, 0.9)
    assert [f.signal for f in result.findings] == [
        "disposable_email",
        "links",
        "copied_answers",
        "account_age",
        "spam",
    ]
    assert (result.score, result.verdict) == (1.0, "reject")
    clean = screening.screen(screening.Applicant("a@b.org", {"why": "Cycling"}), set(), 0.1, 0.9)
    assert (clean.score, clean.verdict, clean.findings) == (0.0, "approve", [])


def test_ban_evasion_finds_the_same_person_under_a_new_name() -> None:
    banned = evasion.Identity(
        emails=frozenset({"Jean.Dupont+velo@gmail.com"}),
        handles=frozenset({"@troll42"}),
        accounts=frozenset({("forum", "u-9")}),
        texts=("achetez mes vélos volés pas chers sur ce site incroyable",),
    )
    twin = evasion.Identity(
        emails=frozenset({"jeandupont@gmail.com"}),
        handles=frozenset({"troll_2025"}),
        texts=("Achetez mes vélos volés pas chers sur ce site incroyable !",),
    )
    found = evasion.resemblance(twin, banned)
    assert [e.hint for e in found.evidence] == ["email", "handle", "text"] and found.flagged
    stranger = evasion.Identity(handles=frozenset({"@marie"}), texts=("Bonjour à tous",))
    assert evasion.resemblance(stranger, banned).score == 0.0


def test_notices_cite_the_rule_the_content_and_the_appeal_in_the_members_language() -> None:
    text = notices.sanction_notice(
        notices.language_of("fr-FR"),
        "Vélo",
        "suspend",
        "respect",
        "Espèce de…",
        NOW + timedelta(days=7),
        "/appeal/abc",
        NOW + timedelta(days=30),
    )
    assert text.subject == "Vélo : une suspension"
    assert text.body.splitlines() == [
        "Communauté Vélo : une suspension jusqu'au 2026-11-08 12:00 UTC.",
        "Règle enfreinte : respect.",
        "Contenu concerné : « Espèce de… »",
        "Pour contester cette décision, faites appel avant le 2026-12-01 12:00 UTC : "
        "/appeal/abc (un autre modérateur examinera votre appel).",
    ]
    assert notices.language_of(None, "de", "en") == "en"
