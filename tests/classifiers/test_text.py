"""Canonical text: evasions undone, and every character traceable back to the original."""

from __future__ import annotations

import pytest

from gardien.classifiers.text import canonical, canonical_with_offsets, original_span


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("You 1d10t", "you idiot"),
        ("f u c k off", "fuck off"),
        ("Ｆｕｃｋ", "fuck"),
        ("іdіot", "idiot"),  # Cyrillic і
        ("st\u200bupid", "stupid"),
        ("stuuuuupid", "stuupid"),
        ("Réputé, aujourd\u2019hui", "repute, aujourd'hui"),
        ("sh!t happens!", "shit happens!"),
    ],
)
def test_evasions_are_undone(written: str, read: str) -> None:
    assert canonical(written) == read


def test_innocent_words_are_left_alone() -> None:
    assert canonical("Scunthorpe classe 2019") == "scunthorpe classe 2019"


def test_links_handles_and_phones_become_placeholders() -> None:
    assert canonical("call +33 6 12 34 56 78 or see www.x.com/a @bob").split() == [
        "call", "xxphone", "or", "see", "xxurl", "xxuser",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text", ["Tu es un 1d10t !", "f.u.c.k y0u", "Ｃａｆé \u200bnul", "", "ok #B4nTh3Gays #MAGA!"]
)
def test_offsets_point_into_the_original(text: str) -> None:
    canon, offsets = canonical_with_offsets(text)
    assert canon == canonical(text)
    assert len(offsets) == len(canon)
    assert all(0 <= i < len(text) for i in offsets)


def test_a_canonical_span_maps_back_to_the_written_word() -> None:
    text = "you are an 1d10t"
    canon, offsets = canonical_with_offsets(text)
    start = canon.index("idiot")
    begin, end = original_span(offsets, start, start + 5, len(text))
    assert text[begin:end] == "1d10t"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("#BanTheGays!", "#banthegays ban the gays!"),
        ("#LesFemmesALaCuisine", "#lesfemmesalacuisine les femmes a la cuisine"),
        ("#NoDACA", "#nodaca no daca"),
        ("#PédésDehors", "#pedesdehors pedes dehors"),
        ("#MAGA #paris #Paris", "#maga #paris #paris"),  # nothing to split
        ("C#Sharp", "c#sharp"),  # not a hashtag
    ],
)
def test_camel_case_hashtags_are_followed_by_their_words(written: str, read: str) -> None:
    assert canonical(written) == read


def test_a_hashtags_words_map_back_into_the_hashtag() -> None:
    text = "so #BanTheGays now"
    canon, offsets = canonical_with_offsets(text)
    start = canon.index(" gays ") + 1
    begin, end = original_span(offsets, start, start + 4, len(text))
    assert text[begin:end] == "Gays"
