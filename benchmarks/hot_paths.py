"""Speed of qlib's density-matrix hot paths against plain numpy, printed (never asserted).

For each case the qlib call (QuTiP ``Qobj`` in and out, inputs checked) and a
plain-numpy reference doing the same physics on arrays (no checks, no ``Qobj``)
are timed in the same run; the table gives both medians, their ratio and the
target of the speed issue:

- ``werner_state``: <= 20 µs a call;
- a 4-link swap chain (three ``swap`` calls on Werner pairs): <= 3x numpy;
- 1,000 ``teleport(ket, werner)`` calls: <= 3x numpy;
- 1,000 ``bbpssw`` rounds on Werner pairs: <= 3x numpy.

Run ``python benchmarks/hot_paths.py`` (``--repeats N`` to change the number of
timed runs of each case).
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import median_and_p95  # benchmarks/ is on sys.path when run as a script

import qlib  # first: it imports qutip with its matplotlib warning silenced
import qutip  # noqa: E402

# --- plain-numpy references --------------------------------------------------

I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.diag([1.0, -1.0]).astype(complex)
S = 1 / np.sqrt(2)
# Bell amplitudes B[k, b, c] = <bc|B_k>, order phi+, phi-, psi+, psi-.
BELL = np.array([[[S, 0], [0, S]], [[S, 0], [0, -S]], [[0, S], [S, 0]], [[0, S], [-S, 0]]], dtype=complex)
PHI = BELL[0].reshape(4)
P_PHI = np.outer(PHI, PHI.conj())


def np_werner(f: float) -> np.ndarray:
    q = (1 - f) / 3
    return f * P_PHI + q * (np.eye(4) - P_PHI)


SWAP_CORR = np.array([I2, Z, X, Y])


def np_swap(r1: np.ndarray, r2: np.ndarray) -> np.ndarray:
    """Bell measurement on B, C of (A, B) x (C, D), Pauli correction on D, average over outcomes."""
    sub = np.einsum("kbc,abxy,cdzw,kyz->kadxw", BELL.conj(), r1.reshape(2, 2, 2, 2),
                    r2.reshape(2, 2, 2, 2), BELL)
    out = np.einsum("ked,kadxw,kfw->aexf", SWAP_CORR, sub, SWAP_CORR.conj()).reshape(4, 4)
    return out / np.trace(out).real


TELE_CORR = np.array([I2, Z, X, Z @ X])


def np_teleport(psi: np.ndarray, res: np.ndarray) -> np.ndarray:
    """Bob's corrected qubit averaged over Alice's four Bell outcomes."""
    joint = np.kron(np.outer(psi, psi.conj()), res).reshape(2, 2, 2, 2, 2, 2)
    unnorm = np.einsum("kab,abcxyz,kxy->kcz", BELL.conj(), joint, BELL)
    return np.einsum("kij,kjl,kml->im", TELE_CORR, unnorm, TELE_CORR.conj())


def _cnot(control, target):
    ops0, ops1 = [I2] * 4, [I2] * 4
    ops0[control], ops1[control], ops1[target] = np.diag([1, 0]), np.diag([0, 1]), X
    k0, k1 = ops0[0], ops1[0]
    for a, b in zip(ops0[1:], ops1[1:]):
        k0, k1 = np.kron(k0, a), np.kron(k1, b)
    return k0 + k1


BCNOT = _cnot(1, 3) @ _cnot(0, 2)


def np_bbpssw(r1: np.ndarray, r2: np.ndarray):
    """Twirl to Werner, bilateral CNOT, keep pair 1 when pair 2's Z outcomes agree."""
    w1 = np_werner(np.real(PHI.conj() @ r1 @ PHI))
    w2 = np_werner(np.real(PHI.conj() @ r2 @ PHI))
    m = (BCNOT @ np.kron(w1, w2) @ BCNOT.conj().T).reshape(4, 4, 4, 4)
    out = m[:, 0, :, 0] + m[:, 3, :, 3]
    p = np.trace(out).real
    return out / p, p


# --- the cases -----------------------------------------------------------------


def cases():
    w = [qlib.werner_state(f) for f in (0.95, 0.9, 0.92, 0.97)]
    wn = [x.full() for x in w]
    psi = (qutip.basis(2, 0) + 1j * qutip.basis(2, 1)).unit()
    psin = psi.full().ravel()
    w85, w85n = qlib.werner_state(0.85), np_werner(0.85)
    w8, w8n = qlib.werner_state(0.8), np_werner(0.8)

    def q_chain():
        s = w[0]
        for x in w[1:]:
            s = qlib.swap(s, x).state
        return s

    def n_chain():
        s = wn[0]
        for x in wn[1:]:
            s = np_swap(s, x)
        return s

    # same physics, checked once here (not timed)
    assert np.allclose(q_chain().full(), n_chain(), atol=1e-12)
    assert np.allclose(qlib.teleport(psi, w85).output.full(), np_teleport(psin, w85n), atol=1e-12)
    assert np.allclose(qlib.bbpssw(w8, w8)[0].full(), np_bbpssw(w8n, w8n)[0], atol=1e-12)
    assert np.allclose(qlib.werner_state(0.9).full(), np_werner(0.9), atol=1e-12)

    return [
        ("werner_state (one call)", 1, lambda: qlib.werner_state(0.9), lambda: np_werner(0.9),
         "<= 20 µs"),
        ("4-link swap chain (3 swaps)", 1, q_chain, n_chain, "<= 3x numpy"),
        ("1,000 teleport(ket, werner)", 1000, lambda: qlib.teleport(psi, w85),
         lambda: np_teleport(psin, w85n), "<= 3x numpy"),
        ("1,000 bbpssw rounds (Werner pairs)", 1000, lambda: qlib.bbpssw(w8, w8),
         lambda: np_bbpssw(w8n, w8n), "<= 3x numpy"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed runs of each case")
    args = parser.parse_args()
    print(f"{'case':<38} {'qlib':>12} {'numpy':>12} {'ratio':>7}  target")
    for label, n, q_fn, n_fn, target in cases():
        def loop(fn, n=n):
            return lambda: [fn() for _ in range(n)]

        tq, _ = median_and_p95(loop(q_fn), args.repeats)
        tn, _ = median_and_p95(loop(n_fn), args.repeats)
        if n == 1 and "µs" in target:
            shown_q, shown_n = f"{tq * 1e6:.1f} µs", f"{tn * 1e6:.1f} µs"
        else:
            shown_q, shown_n = f"{tq * 1e3:.2f} ms", f"{tn * 1e3:.2f} ms"
        print(f"{label:<38} {shown_q:>12} {shown_n:>12} {tq / tn:>6.1f}x  {target}")


if __name__ == "__main__":
    main()
