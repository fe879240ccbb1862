"""Charts as small inline SVG strings, drawn on the server: no JavaScript, no CDN, and the same
markup in the console, the HTML report and the PDF. Every bar can link to the posts it counts.

Each function takes plain numbers and labels (already computed) and returns SVG text with
labels escaped; colours come from CSS-safe constants so print and screen agree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

COLOURS = {
    "positive": "#2e7d32",
    "neutral": "#9e9e9e",
    "negative": "#c62828",
    "praise": "#2e7d32",
    "improvement": "#ef6c00",
    "complaint": "#c62828",
    "feature_request": "#ef6c00",
    "volume": "#1565c0",
    "stage": "#6a1b9a",
}
FONT = 'font-family="sans-serif" font-size="11"'


@dataclass(frozen=True, slots=True)
class Segment:
    value: float
    colour: str
    href: str | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]
    note: str = ""


def _link(content: str, href: str | None) -> str:
    return f'<a href="{escape(href)}">{content}</a>' if href else content


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>" if text else ""


def bars(items: Sequence[Bar], title: str, width: int = 560, label_width: int = 150) -> str:
    """Horizontal (stacked) bars, one row per item, scaled to the largest total."""
    row, top = 22, 24
    height = top + row * max(len(items), 1) + 8
    largest = max((sum(s.value for s in bar.segments) for bar in items), default=0) or 1
    scale = (width - label_width - 70) / largest
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" class="chart">',
        f'<text x="0" y="14" {FONT} font-weight="bold">{escape(title)}</text>',
    ]
    for index, bar in enumerate(items):
        y = top + index * row
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" {FONT} text-anchor="end">'
            f"{escape(bar.label[:24])}</text>"
        )
        x = float(label_width)
        for segment in bar.segments:
            w = segment.value * scale
            if w <= 0:
                continue
            rect = (
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
                f'fill="{segment.colour}">{_title(segment.title)}</rect>'
            )
            parts.append(_link(rect, segment.href))
            x += w
        total = sum(s.value for s in bar.segments)
        note = bar.note or f"{total:g}"
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 14}" {FONT}>{escape(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    title: str,
    hrefs: Sequence[str | None] | None = None,
    width: int = 560,
    height: int = 180,
) -> str:
    """Stacked columns over time (one column per label, one colour per series)."""
    top, bottom, left = 24, 28, 36
    count = max(len(labels), 1)
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    largest = max(totals, default=0) or 1
    plot_h = height - top - bottom
    step = (width - left - 8) / count
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" class="chart">',
        f'<text x="0" y="14" {FONT} font-weight="bold">{escape(title)}</text>',
        f'<text x="{left - 4}" y="{top + 8}" {FONT} text-anchor="end">{largest:g}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="#666"/>',
    ]
    for i, label in enumerate(labels):
        x = left + i * step + 1
        y = float(top + plot_h)
        column = []
        for name, values in series:
            h = values[i] / largest * plot_h
            if h <= 0:
                continue
            y -= h
            colour = COLOURS.get(name, COLOURS["volume"])
            column.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(step - 2, 1):.1f}" height="{h:.1f}" '
                f'fill="{colour}">{_title(f"{label}: {name} {values[i]:g}")}</rect>'
            )
        parts.append(_link("".join(column), hrefs[i] if hrefs else None))
        if count <= 12 or i % max(count // 8, 1) == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 10}" {FONT} font-size="9">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def legend(names: Sequence[str]) -> str:
    """A one-line legend for the colours used by `columns` and `bars`."""
    width = 110 * max(len(names), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 16" width="{width}" '
        f'height="16" class="legend">'
    ]
    for i, name in enumerate(names):
        x = i * 110
        colour = COLOURS.get(name, COLOURS["volume"])
        parts.append(f'<rect x="{x}" y="3" width="10" height="10" fill="{colour}"/>')
        label = escape(name.replace("_", " "))
        parts.append(f'<text x="{x + 14}" y="12" {FONT}>{label}</text>')
    parts.append("</svg>")
    return "".join(parts)
