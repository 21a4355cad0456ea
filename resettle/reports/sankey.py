"""A flow picture of the referral network: where referrals came from (left), which organisation
received them (middle) and what became of them (right), each band as wide as its count. Drawn
from the report as the viewer may see it: flows hidden as small numbers are not drawn (the tables
below the picture give every row). Server-rendered SVG, so it works without JavaScript."""

from collections import defaultdict
from dataclasses import dataclass

from resettle.reports.figures import Report
from resettle.reports.network import ARROW, STATES

WIDTH, HEIGHT = 1100, 420
NODE_WIDTH = 14
GAP = 10
COLUMNS = (300, 600, 900)  # x of each column's nodes; labels sit beside them


@dataclass(frozen=True)
class Node:
    key: tuple[int, str]
    label: str
    total: int
    x: float
    y: float
    height: float

    @property
    def label_x(self) -> float:
        return self.x - 6 if self.key[0] == 0 else self.x + NODE_WIDTH + 6

    @property
    def anchor(self) -> str:
        return "end" if self.key[0] == 0 else "start"

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Band:
    path: str
    width: float
    title: str


@dataclass(frozen=True)
class Sankey:
    width: int
    height: int
    nodes: tuple[Node, ...]
    bands: tuple[Band, ...]
    hidden: int  # flows not drawn because their counts are hidden


def _links(report: Report, states: dict[str, str]) -> tuple[list[tuple], int]:
    links, hidden = [], 0
    for row in report.breakdown("flows").rows:
        source, _, destination = row.value.partition(ARROW)
        if isinstance(row.cell.count, int) and row.cell.count > 0:
            links.append(((0, source), (1, destination), row.cell.count))
        elif row.cell.suppressed:
            hidden += 1
    for row in report.breakdown("outcomes_by_destination").rows:
        destination, _, state = row.value.rpartition(ARROW)
        if isinstance(row.cell.count, int) and row.cell.count > 0:
            links.append(((1, destination), (2, states.get(state, state)), row.cell.count))
        elif row.cell.suppressed:
            hidden += 1
    return links, hidden


def sankey(report: Report) -> Sankey | None:
    links, hidden = _links(report, STATES)
    if not links:
        return Sankey(WIDTH, HEIGHT, (), (), hidden) if hidden else None
    outgoing: dict[tuple, int] = defaultdict(int)
    incoming: dict[tuple, int] = defaultdict(int)
    for source, target, count in links:
        outgoing[source] += count
        incoming[target] += count
    totals = {key: max(outgoing[key], incoming[key]) for key in {*outgoing, *incoming}}
    columns: dict[int, list[tuple]] = defaultdict(list)
    for key in sorted(totals, key=lambda k: (k[0], -totals[k], k[1])):
        columns[key[0]].append(key)
    scale = min(
        (HEIGHT - GAP * (len(keys) - 1)) / sum(totals[k] for k in keys) for keys in columns.values()
    )
    nodes: dict[tuple, Node] = {}
    for column, keys in columns.items():
        y = 0.0
        for key in keys:
            height = max(totals[key] * scale, 1.0)
            nodes[key] = Node(key, key[1], totals[key], COLUMNS[column], y, height)
            y += height + GAP
    sent: dict[tuple, float] = defaultdict(float)
    received: dict[tuple, float] = defaultdict(float)
    bands = []
    for source, target, count in sorted(
        links, key=lambda link: (nodes[link[0]].y, nodes[link[1]].y)
    ):
        width = max(count * scale, 1.0)
        start, end = nodes[source], nodes[target]
        y0 = start.y + sent[source] + width / 2
        y1 = end.y + received[target] + width / 2
        sent[source] += width
        received[target] += width
        x0, x1 = start.x + NODE_WIDTH, end.x
        bend = (x1 - x0) / 2
        path = (
            f"M{x0:.1f},{y0:.1f} C{x0 + bend:.1f},{y0:.1f} "
            f"{x1 - bend:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
        )
        bands.append(Band(path, width, f"{source[1]} to {target[1]}: {count:,}"))
    return Sankey(WIDTH, HEIGHT, tuple(nodes.values()), tuple(bands), hidden)
