"""Speed of qlib.quantum.teleportation, printed (never asserted).

Targets from issue 3 (teleportation and links):

- ``teleport`` of one input through one resource: <= 1 ms;
- ``teleportation_fidelity`` of 1,000 resources (a noise sweep): <= 50 ms,
  by vectorising over an ``(N, 4, 4)`` array.

Run ``python benchmarks/teleportation.py`` (``--repeats N`` to change the
number of timed calls).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import qlib  # first: it imports qutip with its matplotlib warning silenced
import qutip  # noqa: E402

TARGET_TELEPORT_MS = 1.0
TARGET_SWEEP_MS = 50.0


def timings(func, repeats: int) -> np.ndarray:
    """Milliseconds taken by each of ``repeats`` calls of ``func()`` (after one warm-up)."""
    func()
    times = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        func()
        times[i] = time.perf_counter() - start
    return times * 1e3


def noise_sweep(n: int = 1000) -> np.ndarray:
    """``n`` two-qubit resources: Φ+ whose qubits are depolarized (p) and amplitude-damped (γ).

    A 40 × 25 grid of (p, γ), built with qlib.quantum.channels (not timed), returned as
    an ``(n, 4, 4)`` array of density matrices.
    """
    ps = np.linspace(0.0, 1.0, 40)
    gammas = np.linspace(0.0, 1.0, max(1, n // 40))
    phi = qlib.bell_state("phi+")
    mats = [
        qlib.amplitude_damp(qlib.depolarize(phi, p), g, qubit=1).full() for p in ps for g in gammas
    ]
    return np.array(mats[:n])


def row(label: str, times: np.ndarray, target_ms: float) -> str:
    p95 = np.percentile(times, 95)
    ok = "yes" if p95 <= target_ms else "NO"
    return f"{label:<52} {np.median(times):>10.3f} {p95:>8.3f} {target_ms:>8.1f}  {ok}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=500, help="timed calls of teleport")
    args = parser.parse_args()

    rng = np.random.default_rng(2026)
    psi = qutip.rand_ket(2, seed=rng)
    werner = qlib.werner_state(0.9)
    noisy = qutip.rand_dm([2, 2], seed=rng)
    sweep = noise_sweep(1000)
    sweep_qobj = [qutip.Qobj(m, dims=[[2, 2], [2, 2]]) for m in sweep]
    sweep_repeats = max(20, args.repeats // 10)

    print("qlib.quantum.teleportation timings (ms; targets are p95; nothing asserted)")
    print(f"{'call':<52} {'median':>10} {'p95':>8} {'target':>8}  ok")
    print(row("teleport(ket) through Φ+ (default)", timings(lambda: qlib.teleport(psi), args.repeats), TARGET_TELEPORT_MS))
    print(row("teleport(ket, Werner 0.9)", timings(lambda: qlib.teleport(psi, werner), args.repeats), TARGET_TELEPORT_MS))
    print(
        row(
            "teleport(ket, random resource, both noises)",
            timings(
                lambda: qlib.teleport(psi, noisy, measurement_noise=0.1, correction_noise=0.05),
                args.repeats,
            ),
            TARGET_TELEPORT_MS,
        )
    )
    print(
        row(
            f"teleportation_fidelity, ({len(sweep)}, 4, 4) array",
            timings(lambda: qlib.teleportation_fidelity(sweep), sweep_repeats),
            TARGET_SWEEP_MS,
        )
    )
    print(
        row(
            f"standard_teleportation_fidelity, ({len(sweep)}, 4, 4) array",
            timings(lambda: qlib.standard_teleportation_fidelity(sweep), sweep_repeats),
            TARGET_SWEEP_MS,
        )
    )
    print(
        row(
            f"teleportation_fidelity, list of {len(sweep)} Qobj",
            timings(lambda: qlib.teleportation_fidelity(sweep_qobj), max(5, sweep_repeats // 4)),
            TARGET_SWEEP_MS,
        )
    )


if __name__ == "__main__":
    main()
