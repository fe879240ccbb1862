"""Text shapes: evasions and decoration do not change a fingerprint; small edits keep a text
close, other texts stay far; short texts have no shape at all."""

from __future__ import annotations

import pytest

from gardien.pipeline.shape import SKETCH, pack, shape_of, shapes, similarity, unpack

FLOOD = "Vélo Rouge never refunds anyone, avoid their shop at all costs"


@pytest.mark.parametrize(
    "variant",
    [
        FLOOD.upper(),
        "vélo   rouge never refunds anyone... avoid their shop at all costs!!! 😡😡",
        "V3l0 R0uge never refunds any0ne, av0id their shop at all c0sts",
        "V é l o Rouge never refunds anyone, avoid their shop at all costs",
        "Vеlo Rouge never refunds anyone, avoid their shop at all costs",  # Cyrillic е
        "Velo Rouge never refunds anyone, avoid their shop at all costs",
    ],
)
def test_case_spacing_emoji_punctuation_and_l33t_leave_the_fingerprint_alone(
    variant: str,
) -> None:
    original, changed = shapes([FLOOD, variant])
    assert changed.fingerprint == original.fingerprint
    assert similarity(original, changed) == 1.0


def test_numbers_are_set_aside_in_the_fingerprint_only() -> None:
    first, second = shapes(
        [
            "Free e-bike giveaway, only 26 left, claim yours now",
            "Free e-bike giveaway, only 9 left, claim yours now",
        ]
    )
    assert first.fingerprint == second.fingerprint
    assert first.sketch != second.sketch


def test_a_word_changed_stays_close_and_another_post_stays_far() -> None:
    flood, edited, other = shapes(
        [
            FLOOD,
            "Vélo Rouge never refunds anybody, avoid their shop at all costs",
            "My Vélo Rouge saddle squeaks after the rain, any idea how to fix it?",
        ]
    )
    assert 0.85 <= similarity(flood, edited) < 1.0
    assert similarity(flood, other) < 0.4


LONG = (
    "We rode from Lyon to Annecy last weekend on the Urbaine 3 with two panniers, and the "
    "battery held for the whole first day, about ninety kilometres with the hills around "
    "Chambéry. The second day was harder: the rain came back, the brakes squealed on every "
    "descent, and the app kept losing the connection. Still the best trip of the summer."
)
OTHER = (
    "Customer service promised a replacement charger three weeks ago and nothing has arrived; "
    "every call ends on hold music and the ticket number they gave me does not exist anymore. "
    "I paid for express delivery, I would like a refund of that at least, and an answer from "
    "someone who can actually see my order instead of a template."
)


def test_long_texts_are_compared_through_their_sketch() -> None:
    edited = LONG.replace("two panniers", "three panniers")
    long, near, far = shapes([LONG, edited, OTHER])
    assert len(long.sketch) == SKETCH  # a sample, not every 4-gram
    assert similarity(long, near) >= 0.85
    assert similarity(long, far) < 0.3


@pytest.mark.parametrize("text", ["thanks!", "+1", "lol", "Thank you so much!", "see xxurl", ""])
def test_short_texts_have_no_shape(text: str) -> None:
    shape = shape_of(text)
    assert not shape.counts and shape.sketch == ()
    assert similarity(shape, shape) == 0.0


def test_a_sketch_survives_storage() -> None:
    shape = shape_of(FLOOD)
    assert unpack(pack(shape.sketch)) == shape.sketch
    assert list(shape.sketch) == sorted(shape.sketch)
