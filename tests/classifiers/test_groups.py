"""Which posts name a protected group (classifiers/groups.py): the condition under which
offensive's score may lift hate's."""

from __future__ import annotations

from gardien.classifiers import groups


def test_groups_are_found_through_case_accents_leet_and_hashtags() -> None:
    texts = [
        "Les IMMIGRÉS, dehors",
        "tr@ns people, again",
        "#BanMuslims now",
        "les f e m m e s au volant",
        "Ces gouines partout",
    ]
    langs = ["fr", "en", "en", "fr", "fr"]
    assert groups.named(texts, langs).tolist() == [True] * 5


def test_words_that_only_look_like_a_group_do_not_count() -> None:
    texts = [
        "Un café noir, s'il vous plaît",  # a colour, not people
        "Public transport is late again",  # "trans" inside a word
        "My order never arrived",
        "Les transports en commun sont en grève",
    ]
    assert not groups.named(texts, ["fr", "en", "en", "fr"]).any()


def test_a_language_without_a_word_list_names_no_group() -> None:
    assert "de" not in groups.languages()
    assert groups.named(["Die Frauen und die Muslime"], ["de"]).tolist() == [False]
    assert groups.spans("Die Frauen", "de") == ()


def test_spans_point_at_the_group_in_the_original_text() -> None:
    text = "Franchement, les Musulmans et les IMMIGRÉS..."
    found = groups.spans(text, "fr")
    assert [text[s.start : s.end] for s in found] == ["Musulmans", "IMMIGRÉS"]
    assert {s.label for s in found} == {groups.LABEL}
    leet = "all tr@ns people"
    assert [leet[s.start : s.end] for s in groups.spans(leet, "en")] == ["tr@ns"]


def test_ignored_groups_do_not_count_and_others_in_the_same_post_still_do() -> None:
    ignore = {"en": frozenset({"women"})}
    texts = ["women are the worst", "women and gays are the worst", "Les femmes"]
    assert groups.named(texts, ["en", "en", "fr"], ignore).tolist() == [False, True, True]
    assert {"women", "gay people", "muslims"} <= groups.groups_of("en")
    assert groups.groups_of("de") == frozenset()


def test_with_the_fast_tiers_repair_a_mistyped_or_run_together_group_still_counts() -> None:
    from gardien.classifiers.registry import fast_tier

    repair = fast_tier().encoder.featurizer.repair
    texts = ["muslms are filth", "blackpeople again"]
    assert not groups.named(texts, ["en", "en"]).any()
    assert groups.named(texts, ["en", "en"], repair=repair).all()
    assert [texts[1][s.start : s.end] for s in groups.spans(texts[1], "en", repair)] == [
        "blackpeople"
    ]
    assert not groups.named(["Ferme la porte, les guys"], ["fr"], repair=repair).any()


def test_a_group_named_only_inside_a_quoted_phrase_can_be_left_out() -> None:
    texts = [
        'Someone wrote "gays are scum" under my post, disgusting',
        "« Les immigrés sont des parasites » : ce genre de phrase est honteux",
        '"Refugees" my ass, these invaders',  # a scare quote still names the group
        "les gays « sont des malades »",  # named outside the quote
    ]
    langs = ["en", "fr", "en", "fr"]
    assert groups.named(texts, langs).all()
    assert groups.named(texts, langs, quoted=False).tolist() == [False, False, True, True]


def test_only_a_mention_of_the_group_as_a_whole_counts_when_asked() -> None:
    """Attacks speak of a group as a whole; the guard's posts that swear near a group mostly
    name one person or a thing (`groups.generic`)."""
    whole = [
        ("Gays are ruining everything", "en"),
        ("any Muslim who says that is lying", "en"),
        ("gay men act like they own the place", "en"),
        ("In my opinion trans people are a joke", "en"),  # "my" owns "opinion", not the group
        ("my friend said it, and gays are the problem", "en"),  # a clause apart
        ("you dyke", "en"),  # a slur speaks of the group whoever it names
        ("les trans sont une menace", "fr"),
        ("les personnes trans, j'en peux plus", "fr"),
        ("aucune femme ne devrait conduire", "fr"),
    ]
    one = [
        ("my gay brother just got married", "en"),
        ("Gay rugby club loses its pitch", "en"),
        ("a Muslim nurse harassed on her shift", "en"),
        ("Mec trans ici, quelle journée", "fr"),
        ("mes deux potes gays se marient", "fr"),
        ("ma cousine lesbienne se marie", "fr"),
    ]
    texts, langs = zip(*(whole + one), strict=True)
    found = groups.named(list(texts), list(langs), whole_group=True)
    assert found.tolist() == [True] * len(whole) + [False] * len(one)
    assert groups.named(list(texts), list(langs)).all(), "each names a group all the same"
