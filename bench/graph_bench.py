"""Per-group interaction graph analytics: igraph against rustworkx, by measurement.

qunzhu needs, per chat group, a small undirected weighted graph of members (nodes = senders,
edges = reply/mention interactions, weights summed) and a handful of metrics on it. This
script decides which library to use by timing each operation on both:

* ``build``        graph from already-aggregated numpy arrays (the numpy aggregation of
                   duplicate edges is shared and timed once, as ``aggregate (numpy)``);
* ``pagerank``     weighted PageRank (rustworkx only has it for ``PyDiGraph``, so its time
                   includes ``PyGraph.to_directed()``);
* ``betweenness``  node betweenness, **unweighted** (rustworkx has no weighted variant),
                   not normalised;
* ``clustering``   local clustering coefficient per node + global transitivity (rustworkx
                   has only the global one, so the local one is Python sets over its
                   adjacency — what production code would have to write);
* ``degree``       degree list + weighted degree (strength);
* ``eigenvector``  weighted eigenvector centrality;
* ``leiden`` / ``louvain``  community detection (igraph only: rustworkx 0.18 has none).

Graphs are generated with a seeded heavy-tailed (Pareto activity, Chung-Lu style) process so
that a few hubs dominate, as in real chat groups. They have no planted communities, so the
modularity found is low (~0.07-0.15); the community timings are for that unstructured case.
Each operation runs ``--repeats`` times (default 5, fewer once it has used a 15 s budget) on
a pre-built graph; the median is reported. Results of both libraries are cross-checked so
that a fast wrong answer cannot win.

Usage::

    .venv/bin/pip install igraph rustworkx
    .venv/bin/python bench/graph_bench.py [--sizes 50,500,2000,5000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib.metadata import version
from typing import Any

# Single-threaded unless the caller says otherwise, set before the libraries load their thread
# pools: igraph's PRPACK PageRank uses OpenMP and rustworkx's betweenness uses rayon, and on a
# 2-core box that is doing other work too, their threads stall each other (PRPACK swung
# between 8 and 650 ms on the same graph). Override with OMP_NUM_THREADS / RAYON_NUM_THREADS.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("RAYON_NUM_THREADS", "1")

import igraph as ig  # noqa: E402
import numpy as np  # noqa: E402
import rustworkx as rx  # noqa: E402

# nodes -> distinct undirected edges, from the brief (50 stands for a typical small group).
EDGE_TARGETS = {50: 400, 500: 8_000, 2000: 40_000, 5000: 120_000}
SEED = 20240611


@dataclass(frozen=True)
class Interactions:
    """Raw interaction events of one group: one row per reply or mention."""

    n: int
    src: np.ndarray  # int32
    dst: np.ndarray  # int32
    w: np.ndarray  # float64


@dataclass(frozen=True)
class EdgeArrays:
    """Aggregated undirected edges (lo < hi), weights summed: the input to both builders."""

    n: int
    lo: np.ndarray  # int64
    hi: np.ndarray  # int64
    w: np.ndarray  # float64


def generate(n: int, distinct_edges: int, seed: int = SEED) -> Interactions:
    """Heavy-tailed interaction events with exactly ``distinct_edges`` distinct member pairs.

    Each member gets a Pareto(1.1) activity; both ends of an event are drawn proportionally
    to activity, so hubs take part in most events (the top 1 % of members account for
    roughly 45 % of event endpoints) while most members have a few partners.
    """
    rng = np.random.default_rng(seed + n)
    activity = rng.pareto(1.1, n) + 1.0
    p = activity / activity.sum()
    srcs: list[np.ndarray] = []
    dsts: list[np.ndarray] = []
    while True:
        m = max(distinct_edges, 10_000)
        s = rng.choice(n, m, p=p).astype(np.int32)
        d = rng.choice(n, m, p=p).astype(np.int32)
        keep = s != d
        srcs.append(s[keep])
        dsts.append(d[keep])
        src, dst = np.concatenate(srcs), np.concatenate(dsts)
        keys = np.minimum(src, dst).astype(np.int64) * n + np.maximum(src, dst)
        _, first = np.unique(keys, return_index=True)
        if len(first) >= distinct_edges:
            break
    cut = int(np.sort(first)[distinct_edges - 1]) + 1
    w = rng.choice(np.array([1.0, 0.5]), cut, p=[0.8, 0.2])  # reply 1.0, mention 0.5
    return Interactions(n, src[:cut], dst[:cut], w)


def aggregate(ev: Interactions) -> EdgeArrays:
    """Fold direction and duplicates away in numpy: shared by both libraries, timed once."""
    lo = np.minimum(ev.src, ev.dst).astype(np.int64)
    hi = np.maximum(ev.src, ev.dst).astype(np.int64)
    keys, inverse = np.unique(lo * ev.n + hi, return_inverse=True)
    w = np.bincount(inverse, weights=ev.w, minlength=len(keys))
    return EdgeArrays(ev.n, keys // ev.n, keys % ev.n, w)


def numpy_degrees(e: EdgeArrays) -> tuple[np.ndarray, np.ndarray]:
    """Degree and strength straight from the arrays: the library-free baseline."""
    ends = np.concatenate([e.lo, e.hi])
    deg = np.bincount(ends, minlength=e.n)
    strength = np.bincount(ends, weights=np.concatenate([e.w, e.w]), minlength=e.n)
    return deg, strength


# ---------------------------------------------------------------- igraph


def ig_build(e: EdgeArrays) -> ig.Graph:
    """Edges as a list of int tuples: 2x faster than handing igraph the (m, 2) numpy array,
    which it walks element by element; weights as a list so it stores floats, not numpy
    scalars."""
    edges = list(zip(e.lo.tolist(), e.hi.tolist(), strict=True))
    return ig.Graph(n=e.n, edges=edges, directed=False, edge_attrs={"weight": e.w.tolist()})


def ig_build_raw(ev: Interactions) -> ig.Graph:
    """Alternative: let igraph sum duplicates itself (no numpy aggregation beforehand)."""
    edges = list(zip(ev.src.tolist(), ev.dst.tolist(), strict=True))
    g = ig.Graph(n=ev.n, edges=edges, directed=False, edge_attrs={"weight": ev.w.tolist()})
    g.simplify(multiple=True, loops=True, combine_edges="sum")
    return g


def ig_pagerank(g: ig.Graph) -> list[float]:
    return g.pagerank(weights="weight", directed=False)


def ig_pagerank_arpack(g: ig.Graph) -> list[float]:
    """Same scores through ARPACK instead of the default PRPACK (no OpenMP involved)."""
    return g.pagerank(weights="weight", directed=False, implementation="arpack")


def ig_betweenness(g: ig.Graph) -> list[float]:
    return g.betweenness(directed=False)


def ig_clustering(g: ig.Graph) -> tuple[list[float], float]:
    return g.transitivity_local_undirected(mode="zero"), g.transitivity_undirected()


def ig_degree(g: ig.Graph) -> tuple[list[int], list[float]]:
    return g.degree(), g.strength(weights="weight")


def ig_eigenvector(g: ig.Graph) -> list[float]:
    """No ``directed=False``: igraph 1.0.0 rejects it ("Invalid mode") even on undirected."""
    return g.eigenvector_centrality(weights="weight")


def ig_leiden(g: ig.Graph) -> ig.VertexClustering:
    return g.community_leiden(objective_function="modularity", weights="weight")


def ig_louvain(g: ig.Graph) -> ig.VertexClustering:
    return g.community_multilevel(weights="weight")


# ---------------------------------------------------------------- rustworkx


def rx_build(e: EdgeArrays) -> rx.PyGraph:
    """Edges are already unique, so ``multigraph=True`` skips rustworkx's duplicate lookup
    (``multigraph=False`` measured 5x slower to build at 5000 nodes)."""
    g = rx.PyGraph(multigraph=True, node_count_hint=e.n, edge_count_hint=len(e.w))
    g.add_nodes_from(range(e.n))
    g.add_edges_from(list(zip(e.lo.tolist(), e.hi.tolist(), e.w.tolist(), strict=True)))
    return g


def rx_pagerank(g: rx.PyGraph) -> list[float]:
    """rustworkx PageRank accepts only a PyDiGraph: each edge becomes two arcs."""
    scores = rx.pagerank(g.to_directed(), weight_fn=float)
    return [scores[i] for i in range(g.num_nodes())]


def rx_betweenness(g: rx.PyGraph) -> list[float]:
    scores = rx.betweenness_centrality(g, normalized=False)
    return [scores[i] for i in range(g.num_nodes())]


def rx_clustering(g: rx.PyGraph) -> tuple[list[float], float]:
    """No local clustering in rustworkx: count triangles per edge with set intersections."""
    n = g.num_nodes()
    adj = [set(g.neighbors(i)) for i in range(n)]
    twice_tri = [0] * n
    for u, v in g.edge_list():
        c = len(adj[u] & adj[v])
        twice_tri[u] += c
        twice_tri[v] += c
    local = [t / (len(a) * (len(a) - 1)) if len(a) > 1 else 0.0
             for t, a in zip(twice_tri, adj, strict=True)]
    return local, rx.transitivity(g)


def rx_degree(g: rx.PyGraph) -> tuple[list[int], list[float]]:
    """Degree per node from the graph; strength via numpy over its weighted edge list."""
    n = g.num_nodes()
    deg = [g.degree(i) for i in range(n)]
    el = np.array(g.weighted_edge_list(), dtype=np.float64).reshape(-1, 3)
    ends = np.concatenate([el[:, 0], el[:, 1]]).astype(np.int64)
    strength = np.bincount(ends, weights=np.concatenate([el[:, 2], el[:, 2]]), minlength=n)
    return deg, strength.tolist()


def rx_eigenvector(g: rx.PyGraph) -> list[float]:
    scores = rx.eigenvector_centrality(g, weight_fn=float, max_iter=1000)
    return [scores[i] for i in range(g.num_nodes())]


# ---------------------------------------------------------------- harness


BUDGET_S = 15.0  # per operation: stop repeating once this much time is spent (>= 1 run)
SHORT_RUNS: list[str] = []  # operations that got fewer than --repeats runs, for the notes


def median_ms(fn: Callable[[], Any], repeats: int, label: str = "") -> tuple[float, Any]:
    """Median wall time of up to ``repeats`` calls, and the last result (for cross-checking).

    The time budget keeps the whole script under 3 minutes: a single rustworkx betweenness
    run on 5000 nodes takes over half a minute, so it cannot be repeated 5 times.
    """
    times: list[float] = []
    result: Any = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
        if sum(times) > BUDGET_S * 1000:
            break
    if len(times) < repeats:
        SHORT_RUNS.append(f"{label}: {len(times)} run(s)")
    return statistics.median(times), result


def max_abs_diff(a: Any, b: Any) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))))


def unit(v: Any) -> np.ndarray:
    """Eigenvector scaling differs (igraph: max = 1, rustworkx: L2 = 1); compare directions."""
    a: np.ndarray = np.asarray(v, dtype=float)
    return a / float(np.linalg.norm(a))


Row = tuple[str, int, float | None, float | None]  # op, nodes, igraph ms, rustworkx ms


def bench_size(n: int, repeats: int) -> tuple[list[Row], list[str]]:
    """All operations for one graph size; returns table rows and cross-check notes."""
    ev = generate(n, EDGE_TARGETS.get(n, n * 20))
    agg_ms, e = median_ms(lambda: aggregate(ev), repeats)
    np_deg_ms, (np_deg, np_str) = median_ms(lambda: numpy_degrees(e), repeats)
    rows: list[Row] = [("aggregate (numpy, shared)", n, agg_ms, agg_ms)]

    ig_ms, g = median_ms(lambda: ig_build(e), repeats)
    rx_ms, h = median_ms(lambda: rx_build(e), repeats)
    rows.append(("build", n, ig_ms, rx_ms))
    raw_ms, g_raw = median_ms(lambda: ig_build_raw(ev), repeats)
    rows.append(("build from raw events (ig sums)", n, raw_ms, None))

    random.seed(SEED)  # igraph draws from Python's random module (Leiden, Louvain)
    pairs: dict[str, tuple[Callable[[ig.Graph], Any], Callable[[rx.PyGraph], Any]]] = {
        "pagerank (weighted)": (ig_pagerank, rx_pagerank),
        "betweenness (unweighted)": (ig_betweenness, rx_betweenness),
        "clustering local+global": (ig_clustering, rx_clustering),
        "degree + strength": (ig_degree, rx_degree),
        "eigenvector (weighted)": (ig_eigenvector, rx_eigenvector),
    }
    out: dict[str, tuple[Any, Any]] = {}
    for op, (ig_fn, rx_fn) in pairs.items():
        ig_ms, ig_res = median_ms(partial(ig_fn, g), repeats, f"igraph {op} {n}")
        rx_ms, rx_res = median_ms(partial(rx_fn, h), repeats, f"rustworkx {op} {n}")
        rows.append((op, n, ig_ms, rx_ms))
        out[op] = (ig_res, rx_res)
    arpack_ms, arpack = median_ms(lambda: ig_pagerank_arpack(g), repeats)
    rows.append(("pagerank, arpack (ig option)", n, arpack_ms, None))
    leiden_ms, leiden = median_ms(lambda: ig_leiden(g), repeats)
    louvain_ms, louvain = median_ms(lambda: ig_louvain(g), repeats)
    rows.append(("community leiden (modularity)", n, leiden_ms, None))
    rows.append(("community louvain (multilevel)", n, louvain_ms, None))
    todir_ms, _ = median_ms(h.to_directed, repeats)

    (ig_loc, ig_glob), (rx_loc, rx_glob) = out["clustering local+global"]
    (ig_deg, ig_str), (rx_deg, rx_str) = out["degree + strength"]
    ig_ev, rx_ev = out["eigenvector (weighted)"]
    notes = [
        f"{n} nodes: {len(ev.w):,} events -> {len(e.w):,} distinct edges "
        f"(igraph simplify agrees: {g_raw.ecount() == g.ecount()}); "
        f"max degree {int(np_deg.max())}, median {float(np.median(np_deg)):.0f}",
        "  max |igraph - rustworkx|: "
        f"pagerank {max_abs_diff(*out['pagerank (weighted)']):.1e} "
        f"(arpack {max_abs_diff(out['pagerank (weighted)'][0], arpack):.1e}), "
        f"betweenness {max_abs_diff(*out['betweenness (unweighted)']):.1e}, "
        f"local cc {max_abs_diff(ig_loc, rx_loc):.1e}, global {abs(ig_glob - rx_glob):.1e}, "
        f"eigenvector (unit-scaled) {max_abs_diff(unit(ig_ev), unit(rx_ev)):.1e}, "
        f"degree {max_abs_diff(ig_deg, rx_deg):.0f}, strength {max_abs_diff(ig_str, rx_str):.1e}"
        f" (numpy baseline {max_abs_diff(ig_str, np_str):.1e})",
        f"  communities: leiden Q={leiden.modularity:.4f} ({len(leiden)} groups), "
        f"louvain Q={louvain.modularity:.4f} ({len(louvain)} groups); "
        f"rx to_directed alone {todir_ms:.2f} ms; numpy degree+strength {np_deg_ms:.2f} ms",
    ]
    return rows, notes


def fmt(ms: float | None) -> str:
    return "n/a" if ms is None else f"{ms:,.2f}"


def print_table(rows: list[Row]) -> None:
    """Operation x size, both libraries side by side, then per-library totals."""
    print(f"{'operation':<34}{'nodes':>6}{'igraph ms':>13}{'rustworkx ms':>14}  faster")
    for op, n, a, b in rows:
        if a is not None and b is not None and op != "aggregate (numpy, shared)":
            lib = "igraph" if a <= b else "rustworkx"
            verdict = f"{lib} {max(a, b) / max(min(a, b), 1e-9):.1f}x"
        else:
            verdict = ""
        print(f"{op:<34}{n:>6}{fmt(a):>13}{fmt(b):>14}  {verdict}")
    common = [(a, b) for op, _, a, b in rows
              if a is not None and b is not None and op != "aggregate (numpy, shared)"]
    ig_total = sum(a for a, _ in common)
    rx_total = sum(b for _, b in common)
    ig_all = ig_total + sum(a for op, _, a, _ in rows
                            if a is not None and op.startswith("community"))
    print(f"\nTOTAL, operations both libraries have (build..eigenvector, all sizes): "
          f"igraph {ig_total:,.1f} ms, rustworkx {rx_total:,.1f} ms")
    print(f"TOTAL incl. igraph-only community detection: igraph {ig_all:,.1f} ms, "
          f"rustworkx n/a (no community detection)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,500,2000,5000")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"igraph {version('igraph')} (C core {ig.__version__}), "
          f"rustworkx {version('rustworkx')}, numpy {np.__version__}; "
          f"median of {args.repeats} runs; OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, "
          f"RAYON_NUM_THREADS={os.environ['RAYON_NUM_THREADS']}, {os.cpu_count()} CPUs\n")
    rows: list[Row] = []
    notes: list[str] = []
    t0 = time.perf_counter()
    for n in (int(s) for s in args.sizes.split(",")):
        r, nt = bench_size(n, args.repeats)
        rows += r
        notes += nt
    print_table(rows)
    print()
    print("\n".join(notes))
    if SHORT_RUNS:
        print(f"fewer than {args.repeats} runs (budget {BUDGET_S:.0f} s per operation): "
              + "; ".join(SHORT_RUNS))
    print(f"\nwall time {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
