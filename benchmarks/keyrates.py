"""Speed of the key-rate-vs-distance curves (prints figures, asserts nothing).

Target (issue 5): a 1,000-point decoy-state key-rate curve, with mu optimised at
every distance, <= 20 ms.

Run: ``python benchmarks/keyrates.py``
"""

from __future__ import annotations

import numpy as np

from _timing import median_and_p95  # benchmarks/ is on sys.path when run as a script

from qlib import (
    decoy_bb84_key_rate,
    finite_decoy_key_rate,
    gllp_key_rate,
    max_distance_km,
    satellite_decoy_key_rate,
    tampered_key_rate,
    vacuum_weak_decoy_key_rate,
)


def main():
    distances = np.linspace(0.0, 200.0, 1000)
    elevations = np.linspace(10.0, 90.0, 1000)
    cases = [
        ("decoy BB84 (Lo-Ma-Chen), 1,000 distances, mu optimised (target <= 20 ms)",
         lambda: decoy_bb84_key_rate(distances), 50),
        ("decoy BB84, 1,000 distances, fixed mu = 0.5",
         lambda: decoy_bb84_key_rate(distances, mu=0.5), 50),
        ("GLLP (no decoys), 1,000 distances, mu optimised",
         lambda: gllp_key_rate(distances), 50),
        ("vacuum + weak decoy, 1,000 distances, mu optimised",
         lambda: vacuum_weak_decoy_key_rate(distances), 50),
        ("finite size (Lim et al.), N = 1e10, 1,000 distances, mu optimised",
         lambda: finite_decoy_key_rate(distances, 1e10), 20),
        ("satellite downlink, 1,000 elevations, mu optimised",
         lambda: satellite_decoy_key_rate(elevations), 20),
        ("tampering, 1,000 intercept fractions at 20 km, mu optimised",
         lambda: tampered_key_rate(20.0, np.linspace(0.0, 1.0, 1000)), 20),
        ("max_distance_km('decoy'), root finding", lambda: max_distance_km("decoy"), 10),
    ]
    for label, fn, repeats in cases:
        median, p95 = median_and_p95(fn, repeats)
        print(f"{label}: median {median * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms ({repeats} runs)")


if __name__ == "__main__":
    main()
