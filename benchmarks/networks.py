"""Speed of the graph library (prints figures, asserts nothing).

Target (issue 14): the max-flow key rate between two users of a 100-node,
300-link network <= 20 ms. The node cut, the XOR shares over disjoint paths and
the search for the best added fibre of the attacks chapter are timed beside it.

Run: ``python benchmarks/networks.py``
"""

from __future__ import annotations

import time

import networkx as nx
import numpy as np

from qlib.graphs import (FibreLink, QuantumNetwork, best_added_link, minimum_link_cut, minimum_relay_cut,
                         relay_max_flow, relay_over_disjoint_paths, relay_path)

from _timing import median_and_p95  # benchmarks/ is on sys.path when run as a script


def random_network(nodes=100, links=300, seed=1):
    """A connected random network: ``nodes`` trusted relays (two of them users), ``links`` fibres of 5-100 km."""
    rng = np.random.default_rng(seed)
    graph = nx.gnm_random_graph(nodes, links, seed=seed)
    while not nx.is_connected(graph):
        seed += 1
        graph = nx.gnm_random_graph(nodes, links, seed=seed)
    kinds = {f"n{i}": "trusted relay" for i in range(nodes)}
    kinds["n0"] = kinds[f"n{nodes - 1}"] = "user"
    fibres = [(f"n{u}", f"n{v}", FibreLink(float(rng.uniform(5.0, 100.0)))) for u, v in graph.edges()]
    return QuantumNetwork(kinds, fibres, name="random 100/300")


def main():
    t0 = time.perf_counter()
    net = random_network()
    build = time.perf_counter() - t0
    print(f"building a 100-node, 300-link network (300 decoy key rates and chains): {build * 1e3:.0f} ms")
    source, target = "n0", "n99"
    missing = [(u, v) for u in net.nodes for v in net.nodes if u < v and not net.has_link(u, v)]
    candidates = [(u, v, FibreLink(30.0)) for u, v in missing[:10]]
    cases = [
        ("max-flow key rate between two users, 100 nodes, 300 links (target <= 20 ms)",
         lambda: relay_max_flow(net, source, target), 200),
        ("widest single relay path, same network", lambda: relay_path(net, source, target), 200),
        ("minimum link cut (count), same network", lambda: minimum_link_cut(net, source, target), 50),
        ("minimum relay cut (node cut), same network", lambda: minimum_relay_cut(net, source, target), 50),
        ("XOR shares over every node-disjoint path, 64-bit key, same network",
         lambda: relay_over_disjoint_paths(net, source, target, seed=0), 20),
        ("best of 10 candidate fibres (a max flow and a link cut each), same network",
         lambda: best_added_link(net, source, target, candidates), 5),
    ]
    for label, fn, repeats in cases:
        median, p95 = median_and_p95(fn, repeats)
        print(f"{label}: median {median * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms ({repeats} runs)")


if __name__ == "__main__":
    main()
