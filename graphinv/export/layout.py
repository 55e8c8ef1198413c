"""Where the nodes of a drawn graph go, how big they are, which carry a label and
their colour: one deterministic layout shared by the app's graphs and the HTML export,
so a graph reads the same wherever it is drawn and the same graph is drawn the same
way twice.

Positions are pixels, y pointing down (as Cytoscape and vis-network take them). Each
connected component is laid out on its own by networkx's spring layout with a fixed
seed, then the components are packed in rows, largest first, the lone nodes in a grid
last: a force layout of the whole graph would fling the lone nodes to its edges and
leave the middle unreadable.

>>> where = positions(["a", "b", "c"], [("a", "b")])
>>> where == positions(["c", "b", "a"], [("b", "a")])  # the same graph, the same drawing
True
>>> sizes = node_sizes(degrees(["a", "b", "c"], [("a", "b"), ("a", "c")]))
>>> sizes["a"] > sizes["b"] == sizes["c"]
True
"""

from __future__ import annotations

import math
from typing import Hashable, Iterable, Mapping, Sequence

import networkx as nx
import numpy as np

from ..schema import SCHEMA

SEED = 7
SPACING = 110.0  # px: the length an edge tends to
SMALLEST, LARGEST = 14.0, 48.0  # node diameters in px, for the least and the best connected node
TOP_LABELS = 30  # at most this many labels are drawn at once; the others show on hover
LABEL_FONT = 11.0  # px, the labels' font size (the app's stylesheet and the HTML export use it)
LABEL_CHARS = 28  # a drawn label is cut to this many characters (the full name is in the tooltip)
# A component with more nodes than this is laid out spectrally: the spring layout of
# networkx turns to a slow path from 500 nodes and would take seconds there.
SPRING_LIMIT = 400
DENSE_FROM = 5  # a component of more nodes than this, most pairs linked, is drawn on a circle
NODE_GAP = 8.0  # px kept between two nodes' discs
UNKNOWN_COLOUR = "#999999"

Position = tuple[float, float]


def kind_colour(kind: str) -> str:
    """The colour of a node kind, as the schema declares it (grey for anything else).

    >>> kind_colour("NotAKind")
    '#999999'
    """
    node = SCHEMA.nodes.get(kind)
    return node.colour if node else UNKNOWN_COLOUR


def degrees(nodes: Iterable[Hashable], edges: Iterable[Sequence]) -> dict:
    """How many other drawn nodes each node is linked to (parallel edges and self loops
    count once and not at all: the size of a node says how connected it is here).

    >>> degrees(["a", "b", "c"], [("a", "b"), ("b", "a"), ("c", "c")])
    {'a': 1, 'b': 1, 'c': 0}
    """
    neighbours: dict = {n: set() for n in nodes}
    for src, dst, *_ in edges:
        if src != dst and src in neighbours and dst in neighbours:
            neighbours[src].add(dst)
            neighbours[dst].add(src)
    return {n: len(linked) for n, linked in neighbours.items()}


def node_sizes(degree: Mapping, smallest: float = SMALLEST, largest: float = LARGEST) -> dict:
    """Node diameters in px on a square-root scale of the degree (the area of a disc
    grows with its degree), from ``smallest`` (no link) to ``largest`` (the best
    connected node of this graph).

    >>> node_sizes({"a": 0, "b": 1, "c": 4})
    {'a': 14.0, 'b': 31.0, 'c': 48.0}
    """
    top = max(degree.values(), default=0)
    if top <= 0:
        return {n: smallest for n in degree}
    return {n: round(smallest + (largest - smallest) * math.sqrt(d / top), 1) for n, d in degree.items()}


def positions(nodes: Iterable[Hashable], edges: Iterable[Sequence], fixed: Mapping | None = None,
              sizes: Mapping | None = None, seed: int = SEED, spacing: float = SPACING) -> dict:
    """Pixel positions ``{node: (x, y)}`` of ``nodes`` linked by ``edges`` ((src, dst)
    or (src, dst, weight) tuples; heavier edges pull harder). With ``sizes`` (node
    diameters in px) nodes that would overlap are pushed apart.
    Nodes named in ``fixed`` keep those positions and the others are placed around
    them, near the node they are linked to: how a drawing grows without moving what the
    user already arranged."""
    graph = _graph(nodes, edges)
    fixed = {n: (float(p[0]), float(p[1])) for n, p in (fixed or {}).items() if n in graph}
    if fixed:
        return _around(graph, fixed, sizes, seed, spacing)
    rng = np.random.default_rng(seed)
    parts = sorted((sorted(c, key=str) for c in nx.connected_components(graph)), key=lambda c: (-len(c), str(c[0])))
    boxes = [_separate(_component(graph.subgraph(c), rng, seed), sizes, spacing) for c in parts if len(c) > 1]
    lone = [c[0] for c in parts if len(c) == 1]
    if lone:
        # a grid wide enough for a label under each node
        side = math.ceil(math.sqrt(len(lone)))
        boxes.append({n: (1.3 * (i % side), 0.8 * (i // side)) for i, n in enumerate(lone)})
    return {n: (round(x * spacing, 1), round(y * spacing, 1)) for n, (x, y) in _pack(boxes).items()}


def _graph(nodes: Iterable[Hashable], edges: Iterable[Sequence]) -> nx.Graph:
    """An undirected graph, nodes in a fixed order (by name) so that the input order does
    not change the drawing; weights of parallel edges add up."""
    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(nodes), key=str))
    for src, dst, *rest in sorted(edges, key=lambda e: (str(e[0]), str(e[1]))):
        if src == dst or src not in graph or dst not in graph:
            continue
        weight = float(rest[0]) if rest and rest[0] is not None else 1.0
        if graph.has_edge(src, dst):
            graph[src][dst]["weight"] += weight
        else:
            graph.add_edge(src, dst, weight=weight)
    return graph


def _component(part: nx.Graph, rng: np.random.Generator, seed: int) -> dict:
    """One connected component in edge-length units (an edge is about 1 long). A dense
    one (most pairs linked, as in a campaign whose members all co-acted) goes on a
    circle, where every node has room for its label: a force layout piles it into a
    ball in which no position means anything."""
    n = part.number_of_nodes()
    if n > DENSE_FROM and nx.density(part) > 0.5:
        radius = n / (2 * math.pi)  # one edge length between neighbours on the circle
        return {v: (radius * math.cos(2 * math.pi * i / n), radius * math.sin(2 * math.pi * i / n))
                for i, v in enumerate(part)}
    if n > SPRING_LIMIT:
        return {v: (float(x), float(y)) for v, (x, y) in
                nx.spectral_layout(part, weight="weight", scale=math.sqrt(n)).items()}
    side = math.sqrt(n)
    start = {v: tuple(rng.random(2) * side) for v in part}
    found = nx.spring_layout(part, k=1.0, pos=start, iterations=100, seed=seed, scale=None, method="force")
    return {v: (float(x), float(y)) for v, (x, y) in found.items()}


def _separate(box: dict, sizes: Mapping | None, spacing: float, pinned: Iterable = (), rounds: int = 80) -> dict:
    """``box`` (edge-length units) with overlapping nodes pushed apart, pair by pair,
    until no two discs of ``sizes`` (diameters in px) are closer than
    :data:`NODE_GAP` or ``rounds`` run out: the layout keeps its shape and loses its
    pile-ups (a force layout draws a tight group of big nodes as one blot). Nodes in
    ``pinned`` do not move."""
    if not sizes or len(box) < 2:
        return box
    names, pinned = list(box), set(pinned)
    where = np.array([box[n] for n in names], dtype=float) * spacing
    # Nodes at one point have no direction to part in: a tiny spiral gives them one.
    turn = np.arange(len(names)) * 2.399963
    where += 1e-3 * np.column_stack([np.cos(turn), np.sin(turn)])
    radius = np.array([float(sizes.get(n, SMALLEST)) / 2 for n in names])
    needed = radius[:, None] + radius[None, :] + NODE_GAP
    free = np.array([0.0 if n in pinned else 1.0 for n in names])
    for _ in range(rounds):
        delta = where[:, None, :] - where[None, :, :]
        apart = np.sqrt((delta ** 2).sum(-1))
        np.fill_diagonal(apart, np.inf)
        short = np.clip(needed - apart, 0.0, None)
        if short.max() < 0.5:
            break
        # each node of an overlapping pair moves away from the other by half the
        # shortfall, or all of it when the other one is pinned
        share = np.where(free[None, :] > 0, 0.5, 1.0) * short / apart
        where += free[:, None] * (delta * share[:, :, None]).sum(1)
    return {n: (float(x) / spacing, float(y) / spacing) for n, (x, y) in zip(names, where)}


def _pack(boxes: list[dict]) -> dict:
    """Components side by side in rows (shelf packing), a gap of one edge length between
    them; rows are about as wide as the whole is tall."""
    bounds = []
    for box in boxes:
        xs, ys = [p[0] for p in box.values()], [p[1] for p in box.values()]
        bounds.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    area = sum((w + 1) * (h + 1) for *_, w, h in bounds)
    row_width = max([math.sqrt(area) * 1.3] + [w for *_, w, _ in bounds])
    placed, x, y, row_height = {}, 0.0, 0.0, 0.0
    for box, (left, top, w, h) in zip(boxes, bounds):
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + 1, 0.0
        placed.update({n: (px - left + x, py - top + y) for n, (px, py) in box.items()})
        x, row_height = x + w + 1, max(row_height, h)
    return placed


def _around(graph: nx.Graph, fixed: dict, sizes: Mapping | None, seed: int, spacing: float) -> dict:
    """The spring layout with the ``fixed`` nodes pinned; each new node starts next to a
    pinned neighbour (or the middle), on a spiral so that no two start at one place."""
    unit = {n: (x / spacing, y / spacing) for n, (x, y) in fixed.items()}
    middle = tuple(np.mean(list(unit.values()), axis=0))
    start = dict(unit)
    golden = math.pi * (3 - math.sqrt(5))
    for i, node in enumerate(n for n in graph if n not in unit):
        anchor = next((unit[m] for m in sorted(graph[node], key=str) if m in unit), middle)
        radius = 1.0 + 0.15 * math.sqrt(i)
        start[node] = (anchor[0] + radius * math.cos(i * golden), anchor[1] + radius * math.sin(i * golden))
    if len(start) > len(unit) and graph.number_of_nodes() > 1:
        start = nx.spring_layout(graph, k=1.0, pos=start, fixed=list(unit), iterations=50, seed=seed,
                                 scale=None, method="force")
        start = _separate(start, sizes, spacing, pinned=unit)
    return {n: fixed[n] if n in fixed else (round(float(p[0]) * spacing, 1), round(float(p[1]) * spacing, 1))
            for n, p in start.items()}


def short_label(text, limit: int = LABEL_CHARS) -> str:
    """A label cut to ``limit`` characters.

    >>> short_label("a-very-long-handle-of-someone-online", 12)
    'a-very-long…'
    """
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def labelled(where: Mapping, sizes: Mapping, labels: Mapping, degree: Mapping, limit: int = TOP_LABELS,
             font: float = LABEL_FONT) -> set:
    """The nodes whose label is drawn: the best connected first, each only where its
    label (under the node) overlaps no label already chosen and no other node, and at
    most ``limit`` of them. The rest show their label on hover or when selected.

    >>> where = {"hub": (0, 0), "near": (5, 0), "far": (300, 0)}
    >>> sorted(labelled(where, dict.fromkeys(where, 14), {n: n for n in where}, {"hub": 2, "near": 1, "far": 1}))
    ['far', 'hub']
    """
    def node_box(n):
        x, y = where[n]
        r = sizes[n] / 2
        return (x - r, y - r, x + r, y + r)

    def label_box(n):
        x, y = where[n]
        width = 0.6 * font * len(str(labels.get(n) or "")) + 4
        top = y + sizes[n] / 2 + 2
        return (x - width / 2, top, x + width / 2, top + 1.4 * font)

    def overlaps(a, b):
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    nodes = [n for n in where if labels.get(n)]
    boxes = {n: node_box(n) for n in where}
    chosen, taken = set(), []
    for n in sorted(nodes, key=lambda n: (-degree.get(n, 0), str(labels[n]), str(n))):
        if len(chosen) >= limit:
            break
        box = label_box(n)
        if any(overlaps(box, t) for t in taken) or any(overlaps(box, b) for m, b in boxes.items() if m != n):
            continue
        chosen.add(n)
        taken.append(box)
    return chosen
