"""Geometry of the KPI page's two charts, drawn as inline SVG by `console/charts.html`
(no chart library, no script, no inline style: colours come from console.css classes).
Each chart carries its text alternative, the same figures in words."""
from __future__ import annotations

from dataclasses import dataclass

from bot.staff.kpis import SATISFACTION_LABELS, Kpis
from bot.web.console.formats import percent

WIDTH = 480
BAR_TOP, BAR_BOTTOM = 24, 44  # room for the values above and the labels below the bars
BAR_HEIGHT = 200
STACK_HEIGHT = 36


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    summary: str


@dataclass(frozen=True)
class Segment:
    key: str  # for the CSS class
    label: str
    count: int
    share: str  # "33,3%"
    x: float
    width: float


@dataclass(frozen=True)
class StackedBar:
    width: int
    height: int
    segments: list[Segment]  # every rating, the empty ones with no width
    summary: str


def bar_chart(items: list[tuple[str, int]], *, unit: str, empty: str) -> BarChart:
    """Vertical bars, one per (label, value), scaled to the largest value."""
    slot = WIDTH / max(len(items), 1)
    top = max((value for _label, value in items), default=0)
    area = BAR_HEIGHT - BAR_TOP - BAR_BOTTOM
    baseline = BAR_HEIGHT - BAR_BOTTOM
    bars = []
    for n, (label, value) in enumerate(items):
        height = area * value / top if top else 0.0
        bars.append(Bar(label, value, n * slot + slot * 0.2, baseline - height, slot * 0.6, height))
    summary = "; ".join(f"{label}: {value} {unit}" for label, value in items) + "." if top else empty
    return BarChart(WIDTH, BAR_HEIGHT, baseline, bars, summary)


def satisfaction_bar(k: Kpis) -> StackedBar:
    """The shares of satisfied, accepting and unsatisfied citizens among those who rated."""
    segments, x = [], 0.0
    for key, label in SATISFACTION_LABELS.items():
        share = k.satisfaction_share(key) or 0.0
        segments.append(Segment(key, label, k.satisfaction.get(key, 0), percent(k.satisfaction_share(key)),
                                x, WIDTH * share))
        x += WIDTH * share
    if not k.rated:
        return StackedBar(WIDTH, STACK_HEIGHT, segments, "Chưa có người dân nào đánh giá kết quả xử lý.")
    parts = "; ".join(f"{s.label}: {s.share} ({s.count})" for s in segments)
    return StackedBar(WIDTH, STACK_HEIGHT, segments, f"Trong {k.rated} lượt đánh giá — {parts}.")
