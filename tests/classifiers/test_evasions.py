"""The evasions the robustness report applies: seeded, and each one really rewrites the text."""

from __future__ import annotations

from gardien.classifiers.evasions import NAMES, joined_words, missing, rewrite, swapped

TEXT = "those people are ruining this lovely country"


def test_every_evasion_rewrites_some_words_and_is_reproducible() -> None:
    for name in NAMES:
        if name == "accents_removed":  # nothing to remove in plain ASCII
            continue
        assert rewrite(TEXT, name) != TEXT, name
        assert rewrite(TEXT, name) == rewrite(TEXT, name), name


def test_typos_and_joined_words_look_like_hatecheck_spelling_variations() -> None:
    assert swapped("women") == "wmoen"
    assert missing("women") == "woen"
    joined = joined_words(TEXT)
    assert joined.replace(" ", "") == TEXT.replace(" ", "")
    assert len(joined.split()) < len(TEXT.split())
    assert joined_words("a b c d") == "a b c d"  # only after words of 4+ letters
