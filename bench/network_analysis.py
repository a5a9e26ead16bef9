"""Key players and groups at scale: ``network.analysis`` (igraph + Leiden) vs networkx.

    PYTHONPATH=src .venv/bin/python bench/network_analysis.py                  # 100k nodes
    PYTHONPATH=src .venv/bin/python bench/network_analysis.py --nodes 20000    # quicker
    PYTHONPATH=src .venv/bin/python bench/network_analysis.py --pivots 50 --seed 7

The graph (fictional, seeded): ``--nodes`` entities in communities whose sizes
follow a power law (exponent 2, 20 to 2,000 members), each node with an
expected degree drawn from a power law (exponent 2.5, at least 2, at most
1,000); edges are drawn Chung–Lu style in proportion to those degrees, a
share ``--mixing`` (default 0.15) between communities and the rest within.
Each smaller component is then joined to the giant one by one edge, so the
graph is one connected component of exactly ``--nodes`` nodes.

Both sides compute on the same graph, in the same run, each in its own child
process (so that each one's peak memory is its own), with the same settings:

- degree;
- betweenness from the same ``--pivots`` source nodes (chosen with the seed)
  to every node, scaled by n / k: igraph's ``betweenness(sources=…)`` through
  ``network.analysis`` against networkx's ``betweenness_centrality_subset``
  (exact betweenness is O(n·m): hours at 100k nodes on either side);
- PageRank (damping 0.85, edge weights);
- communities: ours Leiden (``leidenalg``, modularity) against networkx's
  Louvain (``louvain_communities``), each seeded; both partitions scored by
  modularity (igraph's, same weights) and by NMI against the planted
  communities.

Printed: each side's seconds per measure, the ratio networkx ÷ ours, peak RSS
of each child above its RSS once the graph was made, and how far the two
sides' figures differ (they should agree to rounding for degree, betweenness
and PageRank). Needs the ``bench`` extra for networkx (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(n: int, mixing: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Edges (as an m×2 array of node numbers) and each node's planted community."""
    rng = np.random.default_rng(seed)
    sizes: list[int] = []
    while sum(sizes) < n:
        size = int(min(2000, 20 * (1 - rng.random()) ** (-1 / (2 - 1))))
        sizes.append(min(size, n - sum(sizes)))
    community = np.repeat(np.arange(len(sizes)), sizes)
    degree = np.minimum(2 * (1 - rng.random(n)) ** (-1 / (2.5 - 1)), 1000.0)
    edges = []
    start = 0
    for size in sizes:  # within each community, Chung–Lu on the expected degrees
        members = np.arange(start, start + size)
        weight = degree[members]
        m = int(round(weight.sum() * (1 - mixing) / 2))
        p = weight / weight.sum()
        edges.append(np.column_stack([rng.choice(members, m, p=p), rng.choice(members, m, p=p)]))
        start += size
    m = int(round(degree.sum() * mixing / 2))
    p = degree / degree.sum()
    edges.append(np.column_stack([rng.choice(n, m, p=p), rng.choice(n, m, p=p)]))
    pairs = np.sort(np.concatenate(edges), axis=1)
    pairs = np.unique(pairs[pairs[:, 0] != pairs[:, 1]], axis=0)
    return _connect(n, pairs, rng), community


def _connect(n: int, pairs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Join every component to the giant one with one edge (igraph only finds them)."""
    import igraph as ig

    graph = ig.Graph(n=n, edges=pairs.tolist(), directed=False)
    parts = sorted(graph.connected_components(), key=len, reverse=True)
    giant = np.array(parts[0])
    extra = [(part[0], int(rng.choice(giant))) for part in parts[1:]]
    if not extra:
        return pairs
    return np.concatenate([pairs, np.array(extra)])


def pivots(n: int, k: int, seed: int) -> list[int]:
    return sorted(np.random.default_rng(seed + 1).choice(n, size=min(k, n), replace=False).tolist())


class Clock:
    """Wall and CPU seconds of each step: on a shared, loaded machine CPU is the fair figure."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def __call__(self, key: str, step: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        out = step()
        self.wall[key] = time.perf_counter() - wall
        self.cpu[key] = time.process_time() - cpu
        return out


def run_ours(edges: np.ndarray, n: int, sources: list[int], seed: int) -> dict[str, Any]:
    from jointprobe.network import analysis

    names = [str(i) for i in range(n)]
    pairs = [(str(a), str(b)) for a, b in edges.tolist()]
    named = [str(s) for s in sources]
    clock = Clock()
    graph = clock("build", lambda: analysis.build_graph(names, pairs))
    degree = clock("degree", graph.degree)
    between = clock("betweenness", lambda: analysis._betweenness(graph, named))
    pagerank = clock("pagerank", lambda: graph.pagerank(
        directed=False, damping=analysis.DAMPING, weights="weight"))  # fmt: skip
    membership, _ = clock("communities", lambda: analysis.communities(graph, seed=seed))
    clock("analyse()", lambda: analysis.analyse(names, pairs, seed=seed, betweenness_sources=named))
    index = {name: i for i, name in enumerate(graph.vs["name"])}
    order = [index[str(i)] for i in range(n)]
    return {
        "wall": clock.wall,
        "cpu": clock.cpu,
        "degree": [degree[v] for v in order],
        "betweenness": [between[v] for v in order],
        "pagerank": [pagerank[v] for v in order],
        "membership": [membership[v] for v in order],
    }


def run_networkx(edges: np.ndarray, n: int, sources: list[int], seed: int) -> dict[str, Any]:
    import networkx as nx

    def build() -> Any:
        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from(edges.tolist(), weight=1.0)
        return graph

    clock = Clock()
    graph = clock("build", build)
    degree = clock("degree", lambda: dict(graph.degree()))
    raw = clock("betweenness", lambda: nx.betweenness_centrality_subset(
        graph, sources, list(graph), normalized=False))  # fmt: skip
    pagerank = clock("pagerank", lambda: nx.pagerank(graph, alpha=0.85, weight="weight"))
    groups = clock("communities", lambda: nx.community.louvain_communities(
        graph, weight="weight", seed=seed))  # fmt: skip
    scale = n / len(sources) / ((n - 1) * (n - 2) / 2)
    membership = [0] * n
    for number, group in enumerate(groups):
        for node in group:
            membership[node] = number
    return {
        "wall": clock.wall,
        "cpu": clock.cpu,
        "degree": [degree[i] for i in range(n)],
        "betweenness": [raw[i] * scale for i in range(n)],
        "pagerank": [pagerank[i] for i in range(n)],
        "membership": membership,
    }


def child(side: str, args: argparse.Namespace) -> None:
    if side == "ours":  # libraries loaded before the baseline RSS: it is the analysis we measure
        import jointprobe.network.analysis  # noqa: F401
    else:
        import networkx  # noqa: F401
    edges, _community = generate(args.nodes, args.mixing, args.seed)
    base = rss_mb()
    sources = pivots(args.nodes, args.pivots, args.seed)
    run = run_ours if side == "ours" else run_networkx
    out = run(edges, args.nodes, sources, args.seed)
    out["rss_base_mb"], out["rss_peak_mb"] = base, peak_mb()
    json.dump(out, sys.stdout)


def score(edges: np.ndarray, n: int, membership: list[int], planted: np.ndarray) -> dict[str, Any]:
    import igraph as ig

    graph = ig.Graph(n=n, edges=edges.tolist(), directed=False)
    return {
        "groups": len(set(membership)),
        "modularity": graph.modularity(membership),
        "nmi": ig.compare_communities(membership, planted.tolist(), method="nmi"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--mixing", type=float, default=0.15)
    parser.add_argument("--pivots", type=int, default=100, help="betweenness sources, both sides")
    parser.add_argument("--seed", type=int, default=20171124)
    parser.add_argument("--child", choices=["ours", "networkx"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args)
        return
    t = time.perf_counter()
    edges, planted = generate(args.nodes, args.mixing, args.seed)
    made = time.perf_counter() - t
    print(f"graph (fictional, seed {args.seed}): {args.nodes:,} nodes, {len(edges):,} edges, "
          f"{len(set(planted.tolist()))} planted communities, one component; made in {made:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    results = {}
    for side in ("ours", "networkx"):
        command = [sys.executable, __file__, "--child", side, "--nodes", str(args.nodes),
                   "--mixing", str(args.mixing), "--pivots", str(args.pivots),
                   "--seed", str(args.seed)]  # fmt: skip
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        results[side] = json.loads(done.stdout)
        print(f"  {side} done; load average {os.getloadavg()[0]:.1f}")
    ours, nx = results["ours"], results["networkx"]
    measures = ("degree", "betweenness", "pagerank", "communities")
    print(f"\n{'CPU seconds (wall)':<26}{'ours':>18}{'networkx':>20}{'networkx ÷ ours (CPU)':>24}")
    for key in ("build", *measures):
        a, b = ours["cpu"][key], nx["cpu"][key]
        print(f"{key:<26}{a:>9.2f} ({ours['wall'][key]:>6.2f}){b:>11.2f} ({nx['wall'][key]:>6.2f})"
              f"{b / a if a else float('inf'):>23.1f}×")  # fmt: skip
    a, b = (sum(r["cpu"][k] for k in measures) for r in (ours, nx))
    wa, wb = (sum(r["wall"][k] for k in measures) for r in (ours, nx))
    row = "centrality + communities"
    print(f"{row:<26}{a:>9.2f} ({wa:>6.2f}){b:>11.2f} ({wb:>6.2f}){b / a:>23.1f}×")
    cpu, wall = ours["cpu"]["analyse()"], ours["wall"]["analyse()"]
    print(f"{'analyse() in one call':<26}{cpu:>9.2f} ({wall:>6.2f})")
    for side, r in results.items():
        above = r["rss_peak_mb"] - r["rss_base_mb"]
        print(f"peak RSS {side}: {r['rss_peak_mb']:.0f} MB ({above:.0f} MB above the "
              f"{r['rss_base_mb']:.0f} MB of libraries and the generated graph)")  # fmt: skip
    print(f"degree identical: {ours['degree'] == nx['degree']}")
    for key in ("betweenness", "pagerank"):
        x, y = np.array(ours[key]), np.array(nx[key])
        gap = np.abs(x - y).max()
        print(f"{key}: max |ours − networkx| = {gap:.2e} (largest value {x.max():.3e})")
    for side, r in results.items():
        s = score(edges, args.nodes, r["membership"], planted)
        name = "Leiden" if side == "ours" else "Louvain"
        print(f"{name:<8} ({side}): {s['groups']} groups, modularity {s['modularity']:.4f}, "
              f"NMI vs planted {s['nmi']:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
