"""The normaliser never crashes, and every character of every view points back inside the text
as received (a match is always reported as a real span of the original)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gardien.pipeline.normalise import normalise_text
from gardien.policy.normalize import NormalizeOptions, Normalizer

#: Text with the evasions users try: look-alikes, zero-width and bidi characters, l33t, runs.
TRICKY = st.sampled_from(
    [*"aeiou ctrl1|!$@0 .-_'’\u200b\u200d\u202e\ufeff\u00ad", "ﬁ", "ß", "İ", "ǅ", "𝐟", "🖕🏽"]
)
TEXT = st.one_of(st.text(max_size=200), st.lists(TRICKY, max_size=80).map("".join))
OPTIONS = st.builds(NormalizeOptions, st.booleans(), st.booleans(), st.booleans())


@given(TEXT, OPTIONS)
def test_every_view_maps_back_into_the_original(text: str, options: NormalizeOptions) -> None:
    normalizer = Normalizer(options)
    folded, scan = normalizer.views(text)
    for view in [folded, *scan]:
        for position in range(len(view.text)):
            assert 0 <= view.origin(position) < max(len(text), 1)
        if view.text:
            start, end = view.span(0, len(view.text))
            assert 0 <= start < end <= len(text)


@given(TEXT, OPTIONS)
def test_term_keys_and_stage_text_never_fail(text: str, options: NormalizeOptions) -> None:
    key = Normalizer(options).term_key(text)
    assert key == key.strip()
    assert isinstance(normalise_text(text), str)
