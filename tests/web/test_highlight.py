"""Highlighted reasons in the console (web/console/highlight.py)."""

from __future__ import annotations

from gardien.web.console.highlight import highlight, spans_of


def test_score_spans_are_titled_by_score_and_a_named_group_says_so() -> None:
    text = "les homos, ces merdes"
    signals = {
        "scores": {
            "hate": {
                "value": 0.8,
                "spans": [
                    {"start": 4, "end": 9, "label": "group", "weight": 1.0},
                    {"start": 15, "end": 21, "label": "", "weight": 0.4},
                ],
            }
        }
    }
    spans = spans_of([], signals)
    assert spans == [(4, 9, "hate: group"), (15, 21, "hate")]
    html = str(highlight(text, spans))
    assert '<mark title="hate: group">homos</mark>' in html
    assert '<mark title="hate">merdes</mark>' in html


def test_overlapping_spans_merge_and_text_is_escaped() -> None:
    html = str(highlight("<b>bad</b> word", [(0, 10, "offensive"), (3, 14, "hate")]))
    assert html.startswith('<mark title="offensive, hate">&lt;b&gt;bad&lt;/b&gt; wor</mark>')
