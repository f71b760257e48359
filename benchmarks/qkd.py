"""Speed of qlib.qkd and qlib.qkd.postprocessing, printed (never asserted).

Targets from issue 5 (quantum key distribution):

- BB84 Monte Carlo of 10^6 pulses through sifting and error estimation: <= 0.5 s;
- Cascade on a 10^5-bit key at 2 % QBER: <= 2 s, with efficiency f <= 1.25.

Also printed: Toeplitz privacy amplification of 10^5 bits and the whole pipeline
(``distill_key``) on a 10^6-pulse run. Each figure is the median of ``--repeats``
timed calls after one warm-up. Run ``python benchmarks/qkd.py``.
"""

from __future__ import annotations

import argparse

import numpy as np

import qlib
from _timing import timed

TARGET_BB84_S = 0.5
TARGET_CASCADE_S = 2.0
TARGET_EFFICIENCY = 1.25


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    link = dict(transmittance=qlib.fiber_transmittance(25.0), detector_efficiency=0.6,
                dark_count_probability=1e-5, depolarizing=0.04)
    t, run = timed(lambda: qlib.simulate_bb84(10**6, seed=1, **link), args.repeats)
    print(f"BB84 Monte Carlo, 10^6 pulses (25 km, sifting + estimation): {t:.3f} s "
          f"(target <= {TARGET_BB84_S} s); sifted {run.counts['sifted']}, "
          f"QBER estimate {run.qber_estimate:.4f}")

    rng = np.random.default_rng(2)
    alice = rng.integers(0, 2, 10**5, dtype=np.uint8)
    bob = alice ^ (rng.random(10**5) < 0.02).astype(np.uint8)
    t, res = timed(lambda: qlib.cascade(alice, bob, 0.02, seed=3), args.repeats)
    print(f"Cascade (opt. 8), 10^5 bits at 2 %: {t:.3f} s (target <= {TARGET_CASCADE_S} s), "
          f"efficiency f = {res.efficiency:.3f} (target <= {TARGET_EFFICIENCY}), "
          f"leaked {res.leaked_bits} bits, residual errors {res.residual_errors}")
    t, res = timed(lambda: qlib.cascade(alice, bob, 0.02, schedule="original", seed=3), args.repeats)
    print(f"Cascade (original, 4 passes), 10^5 bits at 2 %: {t:.3f} s, f = {res.efficiency:.3f}, "
          f"residual errors {res.residual_errors}")
    effs = [qlib.cascade(*_pair(10**5, 0.02, s), 0.02, seed=s).efficiency for s in range(10)]
    print(f"Cascade (opt. 8) efficiency over 10 keys of 10^5 bits at 2 %: mean {np.mean(effs):.3f}, "
          f"max {np.max(effs):.3f}")

    t, _ = timed(lambda: qlib.toeplitz_hash(alice, 60_000, seed=4), args.repeats)
    print(f"Toeplitz hash, 10^5 -> 6 x 10^4 bits: {1e3 * t:.1f} ms")
    t, out = timed(lambda: qlib.distill_key(run, seed=5), args.repeats)
    print(f"distill_key on the 10^6-pulse run: {t:.3f} s, final key {out.budget.final_length} bits "
          f"from {out.budget.sifted:.0f} sifted")


def _pair(n, q, seed):
    rng = np.random.default_rng(100 + seed)
    a = rng.integers(0, 2, n, dtype=np.uint8)
    return a, a ^ (rng.random(n) < q).astype(np.uint8)


if __name__ == "__main__":
    main()
