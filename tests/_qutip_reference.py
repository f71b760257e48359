"""Independent QuTiP constructions for the tests of qlib's numpy fast paths (swapping,
teleportation, purification): every expected state is built here from qutip primitives
(basis, tensor, ptrace, permute, projectors), never by calling the code under test."""

from __future__ import annotations

import qutip

_B0, _B1 = qutip.basis(2, 0), qutip.basis(2, 1)

#: Bell kets in the book's order phi+, phi-, psi+, psi- (docs/architecture.md).
BELL_KETS = [
    (qutip.tensor(_B0, _B0) + qutip.tensor(_B1, _B1)).unit(),
    (qutip.tensor(_B0, _B0) - qutip.tensor(_B1, _B1)).unit(),
    (qutip.tensor(_B0, _B1) + qutip.tensor(_B1, _B0)).unit(),
    (qutip.tensor(_B0, _B1) - qutip.tensor(_B1, _B0)).unit(),
]
BELL_PROJECTORS = [k * k.dag() for k in BELL_KETS]


def as_dm(state: qutip.Qobj) -> qutip.Qobj:
    return qutip.ket2dm(state) if state.isket else state


def depolarize_qubit(rho: qutip.Qobj, qubit: int, p: float) -> qutip.Qobj:
    """rho -> (1-p) rho + p (I/2 on ``qubit``) ⊗ tr_qubit(rho), by ptrace, tensor and permute."""
    n = len(rho.dims[0])
    if n == 1:
        return (1 - p) * rho + p * qutip.qeye(2) / 2 * rho.tr()
    rest = [j for j in range(n) if j != qubit]
    replaced = qutip.tensor(rho.ptrace(rest), qutip.qeye(2) / 2)  # order: rest..., qubit
    order = rest + [qubit]
    back = [order.index(j) for j in range(n)]
    return (1 - p) * rho + p * replaced.permute(back)


def werner(f: float) -> qutip.Qobj:
    """Werner state F P+ + (1-F)/3 (I - P+) (Bennett et al., PRA 54, 3824 (1996), rotated to phi+)."""
    return f * BELL_PROJECTORS[0] + (1 - f) / 3 * (qutip.qeye([2, 2]) - BELL_PROJECTORS[0])
