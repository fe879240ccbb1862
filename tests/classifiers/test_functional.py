"""The hand-written functional cases and the identity templates that train hate and offensive."""

from __future__ import annotations

import numpy as np

from gardien.classifiers.functional import (
    FUNCTIONAL_SETS,
    functional_cases,
    functional_report,
    functional_split,
)
from gardien.classifiers.identity_seeds import (
    abuse_rows,
    counter_rows,
    fill,
    group_rows,
    identity_rows,
    identity_split,
    online_rows,
)


def test_every_functional_case_is_labelled_and_hate_implies_offensive() -> None:
    for name in FUNCTIONAL_SETS:
        cases = functional_cases(name)
        assert {c["lang"] for c in cases} == {"en", "fr"}
        assert len({c["text"] for c in cases}) == len(cases)
        for case in cases:
            assert case["hate"] in "01" and case["offensive"] in "01" and case["functionality"]
            assert case["hate"] <= case["offensive"], case["text"]
    split, kinds = functional_split("hate", "fr")
    assert 0 < sum(split.labels) < len(split) and len(kinds) == len(split)


def test_the_report_scores_each_task_and_language_and_names_what_fails() -> None:
    def says_hate_when_a_group_is_named(task: str, texts: list[str], lang: str) -> np.ndarray:
        groups = ("immigr", "muslim", "musulman", "women", "femme", "trans", "gay")
        return np.array([int(any(g in t.lower() for g in groups)) for t in texts])

    report = functional_report(says_hate_when_a_group_is_named, "keyword")
    assert {(r["set"], r["task"]) for r in report} == {
        (f"{name}_{lang}", t)
        for name in FUNCTIONAL_SETS
        for t in ("hate", "offensive")
        for lang in ("en", "fr")
    }
    hate_en = next(r for r in report if (r["task"], r["lang"]) == ("hate", "en"))
    assert 0.0 <= hate_en["macro_f1"] <= 1.0
    assert hate_en["accuracy"]["counter-speech"] < 0.5  # naming a group is not hate
    assert hate_en["accuracy"]["ordinary post"] == 1.0


def test_a_tier_that_does_not_serve_a_language_is_left_out() -> None:
    report = functional_report(lambda task, texts, lang: None if lang == "fr" else
                               np.zeros(len(texts), int), "english only")  # fmt: skip
    assert {r["lang"] for r in report} == {"en"}


def test_templates_fill_every_group_with_french_agreement() -> None:
    assert (
        fill("Les {g} sont les bienvenu{e}s.", "femmes", "f") == "Les femmes sont les bienvenues."
    )
    assert (
        fill("Je hais les {g}, {ils} me dégoûtent.", "juifs")
        == "Je hais les juifs, ils me dégoûtent."
    )
    assert fill("{G} deserve respect.", "gay people") == "Gay people deserve respect."


def test_identity_rows_are_fixed_balanced_and_slurs_only_attack() -> None:
    rows = identity_rows()
    assert rows == identity_rows() and len(rows) == len({r["text"] for r in rows})
    assert not any("{" in r["text"] or "}" in r["text"] for r in rows)
    for lang in ("en", "fr"):
        labels = [(r["hate"], r["offensive"]) for r in rows if r["lang"] == lang]
        assert labels.count(("1", "1")) == labels.count(("0", "0"))  # attacks vs kind mentions
        # every attack is also aimed at two non-protected groups: offensive, not hate
        assert labels.count(("0", "1")) == labels.count(("1", "1")) // 3
        assert ("1", "0") not in labels  # an attack on a group always offends
    kind = [r for r in rows if r["offensive"] == "0"]
    assert not any(slur in r["text"] for r in kind for slur in ("faggots", "pédés", "youpins"))
    others = {r["text"] for r in rows if (r["hate"], r["offensive"]) == ("0", "1")}
    assert "Landlords are parasites living off our taxes." in others
    assert not any(group in t for t in others for group in ("Muslims", "women", "immigrés"))
    hate, offensive = identity_split("hate"), identity_split("offensive")
    assert hate.texts[: len(rows)] == offensive.texts[: len(rows)] == [r["text"] for r in rows]
    assert sum(offensive.labels[: len(rows)]) - sum(hate.labels[: len(rows)]) == len(others)


def test_abuse_seeds_teach_hate_that_abuse_without_a_group_is_not_hate() -> None:
    abuse = abuse_rows()
    assert {(r["hate"], r["offensive"]) for r in abuse} == {("0", "1")}
    for lang in ("en", "fr"):
        assert sum(r["lang"] == lang for r in abuse) >= 20
    hate = identity_split("hate")
    texts = {r["text"] for r in abuse}
    labels = [label for text, label in zip(hate.texts, hate.labels, strict=True) if text in texts]
    assert labels == [0] * len(abuse)  # each abuse post once, as not hate
    assert not texts & set(identity_split("offensive").texts)


def test_group_seeds_are_balanced_and_learnt_by_both_harm_models() -> None:
    rows = group_rows()
    assert len(rows) == len({r["text"] for r in rows})
    assert all(r["hate"] <= r["offensive"] for r in rows)  # an attack on a group always offends
    for lang in ("en", "fr"):
        labels = [r["hate"] for r in rows if r["lang"] == lang]
        assert labels.count("1") == labels.count("0") >= 85
        abuse = [r for r in rows if r["lang"] == lang and (r["hate"], r["offensive"]) == ("0", "1")]
        assert len(abuse) >= 15  # abuse of persons, things and non-protected groups: not hate
    texts = {r["text"] for r in rows}
    assert texts <= set(identity_split("hate").texts)
    assert texts <= set(identity_split("offensive").texts)


def test_counter_speech_twins_are_balanced_and_learnt_by_hate_only() -> None:
    rows = counter_rows()
    assert all(r["hate"] == r["offensive"] for r in rows)
    for lang in ("en", "fr"):
        labels = [r["hate"] for r in rows if r["lang"] == lang]
        assert labels.count("1") == labels.count("0") >= 40
    texts = {r["text"] for r in rows}
    assert not texts & {r["text"] for r in group_rows()}
    assert texts <= set(identity_split("hate").texts)
    assert not texts & set(identity_split("offensive").texts)


def test_everyday_posts_are_harmless_and_learnt_by_both_harm_models() -> None:
    from gardien.classifiers.identity_seeds import everyday_rows

    rows = everyday_rows()
    assert len(rows) == len({r["text"] for r in rows}) >= 200
    assert {(r["hate"], r["offensive"]) for r in rows} == {("0", "0")}
    assert {r["lang"] for r in rows} == {"en", "fr"}
    for task in ("hate", "offensive"):
        split = identity_split(task)
        labels = dict(zip(split.texts, split.labels, strict=True))
        assert all(labels[r["text"]] == 0 for r in rows)


def test_online_posts_reach_the_fine_tuned_heads_only_when_asked() -> None:
    """The fast tier learns `identity_split(task)`; the heads add the online posts
    (finetune.WITH_ONLINE), each once and with its own label for the task."""
    from gardien.classifiers.finetune import WITH_ONLINE

    rows = online_rows()
    assert len(rows) == len({r["text"] for r in rows}) > 500
    assert all(r["hate"] <= r["offensive"] for r in rows)
    texts = {r["text"] for r in rows}
    for task in ("hate", "offensive"):
        plain, online = identity_split(task), identity_split(task, online=True)
        assert not texts & set(plain.texts)
        assert online.texts[: len(plain)] == plain.texts and len(online) == len(plain) + len(rows)
        added = zip(online.texts[len(plain) :], online.labels[len(plain) :], strict=True)
        assert [(t, str(label)) for t, label in added] == [(r["text"], r[task]) for r in rows]
    assert set(WITH_ONLINE) == {"hate", "offensive"}
