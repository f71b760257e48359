"""Speed of the repeater-chain model (prints figures, asserts nothing).

Targets (issue 4): a 1,024-segment chain with the compact Bell-diagonal
representation <= 100 ms; a Monte Carlo of 10,000 runs of an 8-segment chain <= 1 s.

Run: ``python benchmarks/repeaters.py``
"""

from __future__ import annotations


from qlib.network.chains import ChainParameters, repeater_chain, simulate_repeater_chain

from _timing import median_and_p95  # benchmarks/ is on sys.path when run as a script

#: The settings of the benchmarked chains (qlib's defaults otherwise).
LONG_CHAIN = ChainParameters(t2_s=1.0)
MONTE_CARLO = ChainParameters(t2_s=0.1)


def main():
    cases = [
        ("compact chain, 1,024 segments, 10,000 km, T2 = 1 s (target <= 100 ms)",
         lambda: repeater_chain(10_000.0, 1024, parameters=LONG_CHAIN), 30),
        ("compact chain, 1,024 segments, sequential, 10,000 km, T2 = 1 s (target <= 100 ms)",
         lambda: repeater_chain(10_000.0, 1024, scheme="sequential", parameters=LONG_CHAIN), 30),
        ("Monte Carlo, 10,000 runs, 8 segments, 800 km, T2 = 0.1 s (target <= 1 s)",
         lambda: simulate_repeater_chain(800.0, 8, runs=10_000, seed=1, parameters=MONTE_CARLO), 20),
        ("Monte Carlo, 10,000 runs, 8 segments, p_swap = 1/2 (target <= 1 s)",
         lambda: simulate_repeater_chain(800.0, 8, runs=10_000, seed=1, parameters=MONTE_CARLO,
                                         swap_success_probability=0.5), 10),
    ]
    for label, fn, repeats in cases:
        median, p95 = median_and_p95(fn, repeats)
        print(f"{label}: median {median * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms ({repeats} runs)")


if __name__ == "__main__":
    main()
