"""A server-rendered line chart of one instrument over time: each scored question a line from
the first assessment to the latest, on the question's scale. The page shows the same figures in
a table beside it, for anyone who cannot see the chart."""

import math
from dataclasses import dataclass

from resettle.outcomes.selectors import InstrumentHistory

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 56, 16, 56
# Gridline steps for a long scale (minutes): the first that needs no more than five lines.
STEPS = (10, 30, 60, 150, 300, 600, 1500)
# GOV.UK colours, dashes so lines differ without colour.
STYLES = (
    ("#1d70b8", ""),
    ("#d4351c", "6 4"),
    ("#00703c", "2 3"),
    ("#4c2c92", "10 4 2 4"),
    ("#f47738", "4 2"),
    ("#28a197", "8 3"),
    ("#b58840", "1 2"),
)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    dash: str
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class Tick:
    at: float
    label: str
    sub: str = ""


SHORT = {
    "baseline": "Baseline",
    "review": "Review",
    "exit": "Exit",
    "follow_up_3m": "3 months on",
    "follow_up_6m": "6 months on",
    "follow_up_12m": "12 months on",
}


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right_edge: int
    top: int
    bottom_edge: int
    lines: tuple[Line, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]


def chart_of(history: InstrumentHistory) -> Chart | None:
    """The chart, or None when no question has a scale to draw."""
    series = [s for s in history.series if s.question.low is not None]
    if not series:
        return None
    low = min(s.question.low or 0 for s in series)
    high = max(s.question.high or 0 for s in series)
    if high - low <= 10:
        step = 2 if high - low > 5 else 1
    else:
        # A long scale (minutes) is drawn up to the gridline above the highest answer.
        top = max([low + 10, *(v for s in series for _, v in s.points if v is not None)])
        step = next((n for n in STEPS if (top - low) / n <= 5), STEPS[-1])
        high = min(high, low + step * math.ceil((top - low) / step))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(history.assessments)

    def x_of(index: int) -> float:
        return LEFT + (plot_w * index / (n - 1) if n > 1 else plot_w / 2)

    def y_of(value: int) -> float:
        clipped = min(max(value, low), high)
        return TOP + plot_h * (1 - (clipped - low) / (high - low))

    index_of = {a.pk: i for i, a in enumerate(history.assessments)}
    lines = []
    for number, s in enumerate(series):
        colour, dash = STYLES[number % len(STYLES)]
        points = tuple(
            Point(x_of(index_of[a.pk]), y_of(v), v) for a, v in s.points if v is not None
        )
        lines.append(Line(s.question.short, colour, dash, points))
    y_ticks = tuple(Tick(y_of(v), str(v)) for v in range(low, high + 1, step))
    x_ticks = tuple(
        Tick(x_of(i), SHORT.get(a.timepoint, a.timepoint), f"{a.completed_on:%-d %b %Y}")
        for i, a in enumerate(history.assessments)
    )
    return Chart(
        WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM, tuple(lines), y_ticks, x_ticks
    )
