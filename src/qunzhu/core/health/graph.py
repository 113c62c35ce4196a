"""Link degree 鏈接度 and shape: who talks with whom, and whether the group is a pyramid
around one person or a ring of several centres (DOMAIN.md "Shape").

Edges (undirected, weights summed): a reply the export recorded or a mention is a
**strong** edge (1.0); a reply inferred from timing and names (:mod:`qunzhu.core.replies`)
weighs its confidence. Only a history with no links at all (nothing to infer from) falls
back to **weak** edges (0.3) for answering another member within three minutes. Nodes are
the members who said something in the period.

The graph library is igraph: bench/graph_bench.py measured it against rustworkx (see
bench/RESULTS.md); igraph also has Leiden community detection built in, rustworkx has none.
"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass, replace

import igraph as ig
import numpy as np

from .history import F64, I64, History
from .reasons import Note, action, reason

STRONG, WEAK = 1.0, 0.3
WEAK_WINDOW = 3 * 60
EXACT_BETWEENNESS = 2000  #: above this many members, betweenness counts paths up to 4 steps
SHOWN_NODES, SHOWN_EDGES = 150, 400
#: a pyramid: degree centralization this high (star-like), or one member touching this share
#: of all interaction weight, or fewer than three centres (PageRank ≥ half the top's)
PYRAMID_CENTRALIZATION = 0.7
PYRAMID_SHARE = 0.3


@dataclass(frozen=True)
class Node:
    sender: int
    degree: int
    strength: float
    pagerank: float
    eigenvector: float
    betweenness: float
    clustering: float
    community: int


@dataclass(frozen=True)
class Graph:
    nodes: int
    edges: int
    density: float
    average_degree: float
    transitivity: float  #: global clustering
    centralization: float  #: Freeman degree centralization, 0 (ring) … 1 (star)
    top_share: float  #: share of all interaction weight that touches the most central member
    shape: str  #: pyramid | ring | sparse
    centres: tuple[int, ...]  #: by PageRank
    brokers: tuple[int, ...]  #: by betweenness
    bridges: tuple[int, ...]  #: articulation points: without them the graph falls apart
    isolates: tuple[int, ...]  #: spoke, but no interaction with anyone
    communities: int
    modularity: float
    top_nodes: tuple[Node, ...]  #: the SHOWN_NODES strongest, for the chart and tables
    top_edges: tuple[tuple[int, int, float], ...]  #: sender pairs among top_nodes
    notes: tuple[Note, ...]
    actions: tuple[Note, ...]


def edges(h: History) -> tuple[I64, I64, F64]:
    """Aggregated undirected edges (a < b) with summed weights."""
    speech = h.speech
    s = h.sender.astype(np.int64)
    parts_a, parts_b, parts_w = [], [], []
    to, weight = h.links
    rep = to >= 0
    parts_a.append(s[rep])
    parts_b.append(to[rep])
    parts_w.append(STRONG * weight[rep])
    if len(h.mention_to):
        owner = np.repeat(np.arange(len(h.ts)), np.diff(h.mention_ptr))
        ok = speech[owner] & (h.mention_to != h.sender[owner])
        parts_a.append(s[owner[ok]])
        parts_b.append(h.mention_to[ok].astype(np.int64))
        parts_w.append(np.full(int(ok.sum()), STRONG))
    rows = np.flatnonzero(speech)
    if len(rows) > 1 and not (h.inferred_to >= 0).any():
        prev, cur = rows[:-1], rows[1:]
        quick = ((s[cur] != s[prev]) & (h.ts[cur] - h.ts[prev] <= WEAK_WINDOW)
                 & (h.reply_to[cur] < 0))
        parts_a.append(s[cur[quick]])
        parts_b.append(s[prev[quick]])
        parts_w.append(np.full(int(quick.sum()), WEAK))
    a = np.concatenate(parts_a)
    b = np.concatenate(parts_b)
    w = np.concatenate(parts_w)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    m = h.members + 1
    keys, inverse = np.unique(lo * m + hi, return_inverse=True)
    weight = np.bincount(inverse, weights=w).astype(np.float64)
    return (keys // m).astype(np.int64), (keys % m).astype(np.int64), weight


def inferred_note(h: History) -> Note | None:
    """How much of who-answers-whom is inferred, and how sure (None: nothing inferred)."""
    n, confidence = h.inferred_links
    if n == 0:
        return None
    total = int((h.links[0] >= 0).sum())
    if n == total:
        return reason("graph.inferred_all", n=n, confidence=confidence)
    return reason("graph.inferred_some", n=n, share=n / total, confidence=confidence)


def analyse_graph(h: History, seed: int = 1) -> Graph:
    graph = _analyse_graph(h, seed)
    note = inferred_note(h)
    if note is None:
        return graph
    return replace(graph, notes=(*graph.notes, note))


def _analyse_graph(h: History, seed: int) -> Graph:
    a, b, w = edges(h)
    # members who spoke, and those someone replied to or mentioned (they may not have
    # spoken in this period)
    speakers = np.unique(np.concatenate([h.sender[h.speech].astype(np.int64), a, b]))
    speakers = speakers[speakers >= 0]
    n = len(speakers)
    index = np.full(h.members + 1, -1, np.int64)
    index[speakers] = np.arange(n)
    g = ig.Graph(n=n, edges=list(zip(index[a].tolist(), index[b].tolist(), strict=True)),
                 directed=False)
    g.es["weight"] = w.tolist()
    e = len(w)
    if n == 0:
        return _sparse(0, 0, ())
    strength = np.array(g.strength(weights="weight"), float)
    degree = np.array(g.degree(), np.int64)
    isolates = tuple(int(speakers[i]) for i in np.flatnonzero(degree == 0)[:50])
    if e < 3 or n < 4:
        return _sparse(n, e, isolates)
    pagerank = np.array(g.pagerank(weights="weight", implementation="arpack"), float)
    with warnings.catch_warnings():  # igraph warns on disconnected graphs; values stay usable
        warnings.simplefilter("ignore", RuntimeWarning)
        eig = np.array(g.eigenvector_centrality(weights="weight", scale=True), float)
    cutoff = None if n <= EXACT_BETWEENNESS else 4
    between = np.array(g.betweenness(cutoff=cutoff), float)
    if n > 2:
        between /= (n - 1) * (n - 2) / 2
    local_cc = np.nan_to_num(np.array(g.transitivity_local_undirected(mode="zero"), float))
    state = random.getstate()
    random.seed(seed)
    try:
        parts = g.community_leiden(objective_function="modularity", weights="weight",
                                   n_iterations=10)  # -1 (until stable) can cycle forever
    finally:
        random.setstate(state)
    membership = np.array(parts.membership, np.int64)
    modularity = float(g.modularity(membership.tolist(), weights="weight"))
    dmax = int(degree.max())
    central = float((dmax - degree).sum() / ((n - 1) * (n - 2))) if n > 2 else 0.0
    top = int(np.argmax(strength))
    top_share = float(strength[top] / w.sum()) if w.sum() else 0.0
    order = np.argsort(-pagerank, kind="stable")
    centres_mask = pagerank >= 0.5 * pagerank[order[0]]
    n_centres = int(centres_mask.sum())
    if central >= PYRAMID_CENTRALIZATION or top_share >= PYRAMID_SHARE or n_centres < 3:
        shape = "pyramid"
    else:
        shape = "ring"
    centres = tuple(int(speakers[i]) for i in order[:max(1, min(n_centres, 10))])
    brokers = tuple(int(speakers[i]) for i in np.argsort(-between, kind="stable")[:10]
                    if between[i] > 0)
    bridges = tuple(int(speakers[i]) for i in sorted(
        g.articulation_points(), key=lambda i: -between[i])[:10])
    shown = np.argsort(-strength, kind="stable")[:SHOWN_NODES]
    nodes = tuple(Node(int(speakers[i]), int(degree[i]), round(float(strength[i]), 2),
                       round(float(pagerank[i]), 5), round(float(eig[i]), 4),
                       round(float(between[i]), 5), round(float(local_cc[i]), 4),
                       int(membership[i])) for i in shown)
    shown_set = set(int(speakers[i]) for i in shown)
    shown_ids = np.fromiter(shown_set, np.int64, len(shown_set))
    keep = np.isin(a, shown_ids) & np.isin(b, shown_ids)
    ke = np.flatnonzero(keep)
    ke = ke[np.argsort(-w[ke], kind="stable")][:SHOWN_EDGES]
    top_edges = tuple((int(a[i]), int(b[i]), round(float(w[i]), 2)) for i in ke)
    name = h.names[int(speakers[top])]
    notes = [reason("graph.link_degree", degree=2 * e / n, density=2 * e / (n * (n - 1)))]
    actions: list[Note] = []
    if shape == "pyramid":
        notes.insert(0, reason("graph.pyramid", share=top_share, centre=name, c=central))
        actions.append(action("do.middle"))
    else:
        notes.insert(0, reason("graph.ring", centres=n_centres, c=central))
        actions.append(action("do.protect_centres",
                              names="、".join(h.names[c] for c in centres[:3])))
    if isolates:
        notes.append(reason("graph.isolates", n=int((degree == 0).sum())))
    return Graph(n, e, round(2 * e / (n * (n - 1)), 5), round(2 * e / n, 3),
                 round(float(g.transitivity_undirected(mode="zero")), 4), round(central, 4),
                 round(top_share, 4), shape, centres, brokers, bridges, isolates,
                 int(membership.max()) + 1, round(modularity, 4), nodes, top_edges,
                 tuple(notes), tuple(actions))


def _sparse(n: int, e: int, isolates: tuple[int, ...]) -> Graph:
    return Graph(n, e, 0.0, 2 * e / n if n else 0.0, 0.0, 0.0, 0.0, "sparse", (), (), (),
                 isolates, 0, 0.0, (), (), (reason("graph.sparse", edges=e),), ())
