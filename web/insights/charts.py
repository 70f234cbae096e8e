"""Charts for the Insights dashboards: SVG written here, on the server, by hand.

Why hand-written SVG and not a library: the pages run under a strict Content-Security-Policy (no inline
script, no inline style, which in a browser also blocks `style="..."` attributes and `<style>` elements
inside an inline SVG). The maintained Python charting libraries do not fit it: matplotlib's SVG output
styles every shape with `style` attributes and is a large dependency for a few bars; pygal writes a
`<style>` element and links a script for its tooltips; Vega-Lite, Chart.js and the like draw in the
browser with JavaScript, which the staff pages must not need. A bar chart is a few rectangles, so the
SVG is built here: colours come from classes in static/css/staff.css (with `fill` presentation
attributes as a fallback for printing without styles), and every chart is a `role="img"` with a
`<title>` and `<desc>` it is labelled by. Its figures also appear in words and in a data table next to
it, so nothing is known only from the picture.

A hidden count ("fewer than 5") is drawn as a dashed outline of fixed width, never as a bar with a
length, so the picture cannot give away what the table hides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_HEIGHT = 18
BAR_HEIGHT = 16
ROW_GAP = 12
HIDDEN_WIDTH = 44
VALUE_ROOM = 150  # room at the end of the longest bar for its value in words


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length (None: hidden, drawn as an outline) and its value in words."""

    label: str
    value: float | None
    text: str


@dataclass(frozen=True)
class Series:
    """One series of a column chart (its values are Bars, one per column label)."""

    name: str
    css: str  # "a" or "b": which colour (static/css/staff.css)
    bars: Sequence[Bar]


def _open(chart_id: str, title: str, desc: str, height: int, width: int = WIDTH) -> list[str]:
    return [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'data-testid="chart" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    *,
    reference: tuple[float, str] | None = None,
) -> Markup:
    """Horizontal bars, each under its label; `reference` draws a labelled line (a target) at a value."""
    scale_to = max([bar.value for bar in bars if bar.value is not None] + [reference[0] if reference else 0])
    row = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    top = 24 if reference else 4
    height = top + row * max(1, len(bars))
    room = WIDTH - VALUE_ROOM
    parts = _open(chart_id, title, desc, height)

    def length(value: float) -> float:
        return 0.0 if scale_to <= 0 else max(2.0, room * value / scale_to) if value > 0 else 0.0

    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(
            f'<text class="chart__label" x="0" y="{y + 13}" fill="#1b1f24">{escape(bar.label)}</text>'
        )
        bar_y = y + LABEL_HEIGHT
        if bar.value is None:
            parts.append(
                f'<rect class="chart__hidden" x="1" y="{bar_y}" width="{HIDDEN_WIDTH}" height="{BAR_HEIGHT}" '
                'fill="none" stroke="#4a5563" stroke-dasharray="4 3"/>'
            )
            end: float = HIDDEN_WIDTH + 6
        else:
            size = length(bar.value)
            parts.append(
                f'<rect class="chart__bar" x="0" y="{bar_y}" width="{size:.1f}" height="{BAR_HEIGHT}" fill="#1d4e89"/>'
            )
            end = size + 6
        parts.append(
            f'<text class="chart__value" x="{end:.1f}" y="{bar_y + 13}" fill="#1b1f24">{escape(bar.text)}</text>'
        )
    if reference and scale_to > 0:
        x = length(reference[0])
        parts.append(
            f'<line class="chart__reference" x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{height}" '
            'stroke="#b3261e" stroke-width="2" stroke-dasharray="6 3"/>'
        )
        parts.append(
            f'<text class="chart__reference-label" x="{x:.1f}" y="12" text-anchor="middle" fill="#b3261e">'
            f"{escape(reference[1])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text in it was escaped above


def column_chart(
    chart_id: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series]
) -> Markup:
    """Columns per period (weeks), one per series side by side, with a legend and a scale."""
    plot_top, plot_height, axis = 40, 180, 40
    # Columns share the width (never thinner than 8 px a series, never wider than 60 px a period).
    group = min(60, max(8 * len(series) + 6, (WIDTH - axis - 10) // max(1, len(labels))))
    width = max(WIDTH, axis + group * len(labels) + 10)
    height = plot_top + plot_height + 40
    values = [bar.value for s in series for bar in s.bars if bar.value is not None]
    peak = max(values, default=0)
    parts = _open(chart_id, title, desc, height, width)
    # Legend
    x = 0
    for s in series:
        parts.append(
            f'<rect class="chart__bar chart__bar--{s.css}" x="{x}" y="6" width="14" height="14" '
            f'fill="{"#1d4e89" if s.css == "a" else "#a65e00"}"/>'
        )
        parts.append(f'<text class="chart__label" x="{x + 20}" y="18" fill="#1b1f24">{escape(s.name)}</text>')
        x += 30 + 8 * len(s.name)
    base = plot_top + plot_height
    # Scale: 0, half and the peak.
    for fraction in (0.0, 0.5, 1.0):
        y = base - plot_height * fraction
        parts.append(
            f'<line class="chart__grid" x1="{axis}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="#c9d2dd"/>'
        )
        if peak:
            parts.append(
                f'<text class="chart__axis" x="{axis - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#4a5563">'
                f"{escape(_tick(peak * fraction))}</text>"
            )
    bar_width = max(4, (group - 6) // max(1, len(series)))
    every = max(1, -(-len(labels) * 60 // (width - axis)))  # a label every `every` columns, so they fit
    for index, label in enumerate(labels):
        left = axis + index * group + 3
        for number, s in enumerate(series):
            bar = s.bars[index]
            bx = left + number * bar_width
            if bar.value is None:
                parts.append(
                    f'<rect class="chart__hidden" x="{bx}" y="{base - 8}" width="{bar_width - 1}" height="8" '
                    'fill="none" stroke="#4a5563" stroke-dasharray="2 2"/>'
                )
            else:
                size = 0.0 if not peak else plot_height * bar.value / peak
                parts.append(
                    f'<rect class="chart__bar chart__bar--{s.css}" x="{bx}" y="{base - size:.1f}" '
                    f'width="{bar_width - 1}" height="{size:.1f}" '
                    f'fill="{"#1d4e89" if s.css == "a" else "#a65e00"}"/>'
                )
        if index % every == 0:
            parts.append(
                f'<text class="chart__axis" x="{left}" y="{base + 16}" fill="#4a5563">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text in it was escaped above


def _tick(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
