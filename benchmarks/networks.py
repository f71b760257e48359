"""Speed of the graph library (prints figures, asserts nothing).

Target (issue 14): the max-flow key rate between two users of a 100-node,
300-link network <= 20 ms.

Run: ``python benchmarks/networks.py``
"""

from __future__ import annotations

import time

import networkx as nx
import numpy as np

from qlib.graphs import FibreLink, QuantumNetwork, minimum_link_cut, relay_max_flow, relay_path

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
    cases = [
        ("max-flow key rate between two users, 100 nodes, 300 links (target <= 20 ms)",
         lambda: relay_max_flow(net, source, target), 200),
        ("widest single relay path, same network", lambda: relay_path(net, source, target), 200),
        ("minimum link cut (count), same network", lambda: minimum_link_cut(net, source, target), 50),
    ]
    for label, fn, repeats in cases:
        median, p95 = median_and_p95(fn, repeats)
        print(f"{label}: median {median * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms ({repeats} runs)")


if __name__ == "__main__":
    main()
