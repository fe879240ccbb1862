"""The pure insights core: labels, catalogue matching, themes and rising trends, the funnel,
influencers and good discussions, each from plain values."""

from __future__ import annotations

from datetime import date, timedelta

from gardien.insights import discussions, funnel, influence
from gardien.insights.catalogue import Matcher, parse_catalogue
from gardien.insights.labels import label
from gardien.insights.themes import Doc, find_themes
from gardien.insights.trends import RisingRule, trend, weeks_between

CATALOGUE = parse_catalogue(
    {
        "products": [
            {"name": "Rhône E7", "terms": ["Rhône E7", "E7", "Rhône E7 Sport"]},
            {"name": "VR Connect", "terms": ["VR Connect", "app"]},
        ],
        "aspects": [{"name": "battery", "terms": ["battery", "batterie"]}],
    }
)


def test_labels_come_from_scores_and_unknown_without_them() -> None:
    praise = label({"intent.praise": 0.9, "sentiment.positive": 0.8})
    assert (praise.sentiment, praise.intent, praise.complaint) == ("positive", "praise", False)
    unsure = label({"intent.praise": 0.3, "intent.other": 0.2, "sentiment.positive": 0.4})
    assert (unsure.sentiment, unsure.intent) == ("neutral", "other")
    assert label({}).intent == "unknown"


def test_catalogue_matches_words_not_pieces_of_words_and_ignores_accents() -> None:
    matcher = Matcher(CATALOGUE)
    assert matcher.match("La BATTERIE de mon rhone e7 sport est morte") == ("Rhône E7", "battery")
    assert matcher.match("The app keeps crashing") == ("VR Connect", None)
    assert matcher.match("An apple a day, model E75") == (None, None)


def test_a_theme_that_grows_fast_is_rising() -> None:
    weeks = weeks_between(date(2026, 10, 5), date(2026, 11, 2))
    quiet = [weeks[0], weeks[1], weeks[2], weeks[3]]
    surge = [weeks[4]] * 9
    assert trend(quiet + surge, weeks).rising
    assert not trend(quiet * 3, weeks).rising
    assert trend([weeks[4]] * 5, weeks, RisingRule(min_count=5)).rising  # a new theme


def test_themes_group_posts_and_are_labelled_by_their_top_terms() -> None:
    start = date(2026, 11, 2)
    texts = [f"battery died after {n} km, battery warranty refused" for n in range(8)] + [
        f"delivery late again, order {n} stuck with the carrier delivery" for n in range(8)
    ]
    docs = [Doc(n, text, start + timedelta(days=n % 5)) for n, text in enumerate(texts)]
    themes = find_themes(docs, weeks_between(start, start + timedelta(days=6)), count=2)
    labels = sorted(theme.label for theme in themes)
    assert len(themes) == 2
    assert "battery" in labels[0] and "delivery" in labels[1]
    assert sorted(len(theme.post_ids) for theme in themes) == [8, 8]


def history(**fields: int | bool) -> funnel.MemberHistory:
    base: dict[str, object] = dict(
        author_id=1,
        handle="@ana",
        posts=1,
        threads=1,
        days=1,
        positive=0,
        negative=0,
        praise=0,
        complaints=0,
        customer=False,
    )
    base.update(fields)
    return funnel.MemberHistory(**base)  # type: ignore[arg-type]


def test_funnel_stages_follow_the_documented_rules() -> None:
    assert funnel.place(history()).stage == "newcomer"
    assert funnel.place(history(posts=4, threads=2)).stage == "engaged"
    assert funnel.place(history(customer=True)).stage == "customer"
    assert funnel.place(history(posts=5, positive=3, days=3)).stage == "advocate"
    assert funnel.place(history(posts=5, negative=3, complaints=2, positive=1)).stage == "detractor"
    strict = funnel.FunnelRules.from_settings({"advocate_requires_customer": True})
    assert funnel.place(history(posts=5, positive=3, days=3), strict).stage == "engaged"


def test_influencers_exclude_sanctioned_and_bot_like_accounts() -> None:
    def stats(author_id: int, followers: int, **extra: object) -> influence.AuthorStats:
        values: dict[str, object] = dict(
            author_id=author_id,
            handle=f"@a{author_id}",
            followers=followers,
            posts=4,
            interactions=40,
            polarity_sum=2.0,
            trust_level=2,
            sanctioned=False,
        )
        values.update(extra)
        return influence.AuthorStats(**values)  # type: ignore[arg-type]

    ranked = influence.rank(
        [
            stats(1, 500),
            stats(2, 48_000),
            stats(3, 90_000, sanctioned=True),
            stats(4, 9_000, spam_posts=3),
        ]
    )
    assert [item.author_id for item in ranked] == [2, 1]
    critics = influence.critics([stats(5, 48_200, polarity_sum=-3.2), stats(6, 100)])
    assert [item.handle for item in critics] == ["@a5"]


def test_good_discussions_need_people_and_a_constructive_tone() -> None:
    threads = [
        discussions.ThreadStats("t1", 1, 10, 8, positive=7, negative=0, flagged=0, off_topic=0),
        discussions.ThreadStats("t2", 2, 10, 8, positive=1, negative=6, flagged=3, off_topic=0),
        discussions.ThreadStats("t3", 3, 2, 2, positive=2, negative=0, flagged=0, off_topic=0),
    ]
    assert [d.thread for d in discussions.best(threads)] == ["t1", "t2"]
