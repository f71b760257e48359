"""Figures of merit for entangled states: fidelity, concurrence, negativity,
CHSH, fully entangled fraction, correlations and CKW monogamy.

Conventions (fixed for the whole book, see docs/architecture.md):

- fidelity is the *squared* one, :math:`F = \\langle\\psi|\\rho|\\psi\\rangle`
  for a pure target and :math:`(\\mathrm{tr}\\sqrt{\\sqrt\\rho\\,\\sigma\\sqrt\\rho})^2`
  for two density matrices; ``qutip.fidelity`` returns the square root
  :math:`\\sqrt F` — never mix the two;
- measurement directions lie in the x–z plane: the observable at angle ``a``
  (radians) is :math:`\\cos a\\,Z + \\sin a\\,X`.
"""

from __future__ import annotations

import numpy as np
import qutip

from .._validation import (
    check_broadcastable,
    check_density_matrix,
    check_ket,
    check_real_array,
    n_qubits_of,
)
from .._linalg import clip_unit
from .states import BELL_NAMES, bell_ket

__all__ = [
    "fidelity",
    "concurrence",
    "negativity",
    "chsh_value",
    "fully_entangled_fraction",
    "correlation",
    "chsh_expectation",
    "monogamy_tangles",
]

_PAULIS = (qutip.sigmax(), qutip.sigmay(), qutip.sigmaz())
_SY_SY = np.kron(qutip.sigmay().full(), qutip.sigmay().full())

# Magic basis (Hill & Wootters, PRL 78, 5022 (1997)) as columns:
# |e1> = |Phi+>, |e2> = i|Phi->, |e3> = i|Psi+>, |e4> = |Psi->.
# Maximally entangled two-qubit states are exactly the global phases of REAL
# unit combinations of these vectors.
_S2 = 1.0 / np.sqrt(2.0)
_MAGIC = np.array(
    [
        [_S2, 1j * _S2, 0, 0],
        [0, 0, 1j * _S2, _S2],
        [0, 0, 1j * _S2, -_S2],
        [_S2, -1j * _S2, 0, 0],
    ],
    dtype=complex,
)


# Eigenvalues of a density matrix below this are treated as round-off zeros.
# eigh's absolute error is ~1e-16, and quantities built from square roots of
# eigenvalues (fidelity, concurrence) would otherwise pick up ~1e-8 noise.
_EIG_CUTOFF = 1e-13


def _ensemble(mat: np.ndarray) -> np.ndarray:
    """Columns sqrt(p_k)|v_k> of the eigen-ensemble of a PSD matrix (rank-truncated).

    W @ W^dagger equals the matrix up to eigenvalues below ``_EIG_CUTOFF``.
    """
    vals, vecs = np.linalg.eigh((mat + mat.conj().T) / 2)
    keep = vals > _EIG_CUTOFF
    return vecs[:, keep] * np.sqrt(vals[keep])


def fidelity(rho: qutip.Qobj, target) -> float:
    r"""Fidelity of a state with a target, in the squared convention.

    .. math::

        F(\rho, |\psi\rangle) = \langle\psi|\rho|\psi\rangle, \qquad
        F(\rho, \sigma) = \left(\mathrm{tr}\sqrt{\sqrt{\rho}\,\sigma\sqrt{\rho}}\right)^2 .

    Parameters
    ----------
    rho : qutip.Qobj
        Density matrix (or normalised ket) of qubits.
    target : str or qutip.Qobj
        A Bell name from :data:`~qlib.quantum.states.BELL_NAMES` (then ``rho`` must be
        a two-qubit state), a normalised ket, or a density matrix (Uhlmann
        fidelity). Must have the same dims as ``rho``.

    Returns
    -------
    float
        :math:`F \in [0, 1]`.

    Raises
    ------
    TypeError, ValueError
        Invalid ``rho`` or ``target``, unknown Bell name, or mismatched dims.

    Notes
    -----
    **Convention differs from QuTiP**: ``qutip.fidelity(rho, sigma)`` returns
    :math:`\sqrt F` (Nielsen & Chuang's convention); this function returns
    :math:`F`, the convention of the quantum-networking literature, so
    ``fidelity(rho, sigma) == qutip.fidelity(rho, sigma) ** 2``. Symmetric in
    its two arguments. Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import fidelity, werner_state, bell_state
    >>> round(fidelity(werner_state(0.8), "phi+"), 6)
    0.8
    >>> round(fidelity(bell_state("phi+"), bell_state("phi-")), 6)
    0.0
    """
    rho_q = check_density_matrix("rho", rho)
    if isinstance(target, str):
        if n_qubits_of(rho_q) != 2:
            raise ValueError(
                "target given as a Bell name needs a two-qubit rho, "
                f"got a {n_qubits_of(rho_q)}-qubit rho"
            )
        target = bell_ket(target) if target in BELL_NAMES else _bad_bell(target)
    if not isinstance(target, qutip.Qobj):
        raise TypeError(
            "target must be a Bell name, a ket or a density matrix (qutip.Qobj), "
            f"got {type(target).__name__}"
        )
    if target.isket:
        target = check_ket("target", target)
        if target.dims[0] != rho_q.dims[0]:
            raise ValueError(
                f"target must have the same dims as rho, got {target.dims} and {rho_q.dims}"
            )
        return clip_unit(float(np.real(qutip.expect(rho_q, target))))
    sigma = check_density_matrix("target", target)
    if sigma.dims != rho_q.dims:
        raise ValueError(
            f"target must have the same dims as rho, got {sigma.dims} and {rho_q.dims}"
        )
    if isinstance(rho, qutip.Qobj) and rho.isket:
        return clip_unit(float(np.real(qutip.expect(sigma, rho))))
    # F = ||sqrt(rho) sqrt(sigma)||_1^2 = (sum of singular values of W_rho^dag W_sigma)^2
    overlap = _ensemble(rho_q.full()).conj().T @ _ensemble(sigma.full())
    return clip_unit(float(np.sum(np.linalg.svd(overlap, compute_uv=False)) ** 2))


def _bad_bell(name):
    # Reuse the standard message listing the allowed names.
    from .._validation import check_choice

    check_choice("target", name, BELL_NAMES)


def concurrence(rho: qutip.Qobj) -> float:
    r"""Wootters concurrence of a two-qubit state.

    .. math::

        C(\rho) = \max(0, \lambda_1 - \lambda_2 - \lambda_3 - \lambda_4),

    with :math:`\lambda_i` the decreasing eigenvalues of
    :math:`\sqrt{\sqrt\rho\,\tilde\rho\,\sqrt\rho}`, where
    :math:`\tilde\rho = (Y\otimes Y)\rho^*(Y\otimes Y)`.

    Parameters
    ----------
    rho : qutip.Qobj
        Two-qubit density matrix (a ket is accepted).

    Returns
    -------
    float
        :math:`C \in [0, 1]`; 0 iff the state is separable.

    Raises
    ------
    TypeError, ValueError
        If ``rho`` is not a valid two-qubit state.

    Notes
    -----
    W. K. Wootters, PRL 80, 2245 (1998). Same quantity as
    ``qutip.concurrence``; computed here, as in Wootters' paper, from the
    singular values of :math:`\tau_{ij} = \langle w_i|\tilde w_j\rangle` over
    the eigen-ensemble :math:`|w_i\rangle = \sqrt{p_i}\,|v_i\rangle` of ρ
    (eigenvalues below 1e-13 count as zero), which avoids the ~1e-8
    round-off that square roots of tiny eigenvalues would add.
    Werner state: :math:`C = \max(0, 2F-1)`. Introduced in the chapter
    *Entanglement*.

    Examples
    --------
    >>> from qlib import concurrence, werner_state
    >>> round(concurrence(werner_state(0.9)), 6)
    0.8
    """
    rho = check_density_matrix("rho", rho, n_qubits=2).full()
    # Wootters' form: lambda_i are the singular values of tau = W^T (Y⊗Y) W,
    # W the (rank-truncated) eigen-ensemble of rho (columns sqrt(p_k)|v_k>).
    w = _ensemble(rho)
    lam = np.zeros(4)
    sv = np.linalg.svd(w.T @ _SY_SY @ w, compute_uv=False)
    lam[: sv.size] = np.sort(sv)[::-1]
    # Wootters: C = max(0, l1 - l2 - l3 - l4); the max is part of the definition.
    return clip_unit(max(0.0, float(lam[0] - lam[1] - lam[2] - lam[3])))


def negativity(rho: qutip.Qobj) -> float:
    r"""Negativity of a two-qubit state.

    .. math::

        \mathcal{N}(\rho) = \frac{\lVert\rho^{T_B}\rVert_1 - 1}{2}
        = \sum_{\mu_i < 0} |\mu_i| ,

    with :math:`\mu_i` the eigenvalues of the partial transpose on qubit 1.

    Parameters
    ----------
    rho : qutip.Qobj
        Two-qubit density matrix (a ket is accepted).

    Returns
    -------
    float
        :math:`\mathcal{N} \in [0, 1/2]`; positive iff entangled (Peres–Horodecki).

    Raises
    ------
    TypeError, ValueError
        If ``rho`` is not a valid two-qubit state.

    Notes
    -----
    G. Vidal and R. F. Werner, PRA 65, 032314 (2002). Some authors use
    :math:`\lVert\rho^{T_B}\rVert_1 - 1` (twice this) or the logarithmic
    negativity :math:`\log_2\lVert\rho^{T_B}\rVert_1`; this is the
    Vidal–Werner normalisation, 1/2 for a Bell state. Uses
    ``qutip.partial_transpose``. Werner state:
    :math:`\max(0, (2F-1)/2)`. Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import negativity, bell_state
    >>> round(negativity(bell_state("phi+")), 6)
    0.5
    """
    rho = check_density_matrix("rho", rho, n_qubits=2)
    pt = qutip.partial_transpose(rho, [0, 1]).full()
    eig = np.linalg.eigvalsh((pt + pt.conj().T) / 2)
    return float(max(0.0, (np.sum(np.abs(eig)) - 1.0) / 2.0))


def _correlation_matrix(rho: np.ndarray) -> np.ndarray:
    """T_ij = tr(rho sigma_i ⊗ sigma_j), i, j in (x, y, z)."""
    t = np.empty((3, 3))
    for i, si in enumerate(_PAULIS):
        for j, sj in enumerate(_PAULIS):
            t[i, j] = np.real(np.trace(rho @ np.kron(si.full(), sj.full())))
    return t


def chsh_value(rho: qutip.Qobj) -> float:
    r"""Maximal CHSH value of a two-qubit state over all measurement settings.

    .. math::

        S_{\max}(\rho) = 2\sqrt{u_1 + u_2},

    with :math:`u_1 \ge u_2` the two largest eigenvalues of :math:`T^{T}T`,
    :math:`T_{ij} = \mathrm{tr}\,\rho\,(\sigma_i\otimes\sigma_j)`.

    Parameters
    ----------
    rho : qutip.Qobj
        Two-qubit density matrix (a ket is accepted).

    Returns
    -------
    float
        :math:`S_{\max} \in [0, 2\sqrt2]`; the CHSH inequality is violated
        iff :math:`S_{\max} > 2`. Tsirelson's bound :math:`2\sqrt 2` is
        reached by Bell states.

    Raises
    ------
    TypeError, ValueError
        If ``rho`` is not a valid two-qubit state.

    Notes
    -----
    R. Horodecki, P. Horodecki and M. Horodecki, Phys. Lett. A 200, 340
    (1995). The maximum is over all directions in 3D, not only the x–z plane
    used by :func:`chsh_expectation`. Werner state:
    :math:`2\sqrt2\,(4F-1)/3`, violating CHSH iff
    :math:`F > (1 + 3/\sqrt2)/4 \approx 0.78`. Introduced in the chapter
    *Entanglement*.

    Examples
    --------
    >>> from qlib import chsh_value, bell_state
    >>> round(chsh_value(bell_state("phi+")), 6)
    2.828427
    """
    rho = check_density_matrix("rho", rho, n_qubits=2).full()
    t = _correlation_matrix(rho)
    u = np.sort(np.linalg.eigvalsh(t.T @ t))[::-1]
    return float(2.0 * np.sqrt(max(0.0, u[0] + u[1])))


def fully_entangled_fraction(rho: qutip.Qobj) -> float:
    r"""Fully entangled fraction of a two-qubit state.

    .. math::

        f(\rho) = \max_{|\phi\rangle\ \text{max. entangled}}
                  \langle\phi|\rho|\phi\rangle
                = \lambda_{\max}\!\left(\mathrm{Re}\,\rho_M\right),

    where :math:`\rho_M` is ρ written in the magic basis
    :math:`\{|\Phi^+\rangle, i|\Phi^-\rangle, i|\Psi^+\rangle, |\Psi^-\rangle\}`.

    Parameters
    ----------
    rho : qutip.Qobj
        Two-qubit density matrix (a ket is accepted).

    Returns
    -------
    float
        :math:`f \in [1/4, 1]` (the lower bound holds because the four Bell
        fidelities sum to 1). The optimal teleportation fidelity with this
        resource is :math:`(2f+1)/3` (Horodecki, PRA 60, 1888 (1999)).

    Raises
    ------
    TypeError, ValueError
        If ``rho`` is not a valid two-qubit state.

    Notes
    -----
    J. Grondalski, D. M. Etlinger and D. F. V. James, Phys. Lett. A 300,
    573 (2002): every maximally entangled two-qubit state is a global phase
    times a *real* unit vector in the magic basis, so the maximum of the
    quadratic form is the top eigenvalue of the real part of :math:`\rho_M`.
    Unlike :func:`fidelity` to Φ+, this is invariant under local unitaries.
    Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> from qlib import fully_entangled_fraction, bell_state
    >>> round(fully_entangled_fraction(bell_state("psi-")), 6)
    1.0
    """
    rho = check_density_matrix("rho", rho, n_qubits=2).full()
    rho_m = _MAGIC.conj().T @ rho @ _MAGIC
    re = np.real(rho_m)
    return clip_unit(float(np.max(np.linalg.eigvalsh((re + re.T) / 2))))


def correlation(rho: qutip.Qobj, angle_a, angle_b):
    r"""Correlation :math:`E(a, b) = \langle A\otimes B\rangle` of ±1-valued measurements.

    .. math::

        A = \cos a\,Z + \sin a\,X, \qquad B = \cos b\,Z + \sin b\,X .

    Parameters
    ----------
    rho : qutip.Qobj
        Two-qubit density matrix (a ket is accepted).
    angle_a, angle_b : float or array_like
        Measurement angles in radians, in the x–z plane (0 = Z, π/2 = X).
        Arrays broadcast against each other.

    Returns
    -------
    float or numpy.ndarray
        :math:`E \in [-1, 1]`; a float when both angles are scalars.

    Raises
    ------
    TypeError, ValueError
        Invalid ``rho`` or non-finite / non-real angles.

    Notes
    -----
    For Φ+, :math:`E(a, b) = \cos(a-b)`. Polarisation experiments use the
    polariser angle θ with :math:`a = 2\theta`. Introduced in the chapter
    *Entanglement*.

    Examples
    --------
    >>> import numpy as np
    >>> from qlib import correlation, bell_state
    >>> round(correlation(bell_state("phi+"), 0.0, np.pi / 3), 6)
    0.5
    """
    rho = check_density_matrix("rho", rho, n_qubits=2).full()
    a = check_real_array("angle_a", angle_a)
    b = check_real_array("angle_b", angle_b)
    check_broadcastable(angle_a=a, angle_b=b)
    t = _correlation_matrix(rho)
    tzz, tzx, txz, txx = t[2, 2], t[2, 0], t[0, 2], t[0, 0]
    ca, sa, cb, sb = np.cos(a), np.sin(a), np.cos(b), np.sin(b)
    e = ca * cb * tzz + ca * sb * tzx + sa * cb * txz + sa * sb * txx
    if np.ndim(e) == 0:
        return float(e)
    return np.asarray(e, dtype=float)


def chsh_expectation(rho: qutip.Qobj, a0, a1, b0, b1):
    r"""CHSH combination for given measurement angles (x–z plane, radians).

    .. math::

        S = E(a_0, b_0) - E(a_0, b_1) + E(a_1, b_0) + E(a_1, b_1).

    Parameters
    ----------
    rho : qutip.Qobj
        Two-qubit density matrix (a ket is accepted).
    a0, a1 : float or array_like
        Alice's two measurement angles.
    b0, b1 : float or array_like
        Bob's two measurement angles.

    Returns
    -------
    float or numpy.ndarray
        :math:`S`; local hidden-variable models obey :math:`|S| \le 2`, quantum
        mechanics :math:`|S| \le 2\sqrt2` (Tsirelson).

    Notes
    -----
    J. F. Clauser, M. A. Horne, A. Shimony and R. A. Holt, PRL 23, 880
    (1969). For Φ+ the optimal settings are ``a0=0, a1=π/2, b0=π/4,
    b1=3π/4``, giving :math:`2\sqrt2`. :func:`chsh_value` gives the maximum
    over all settings. See :func:`correlation` for the angle convention.
    Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> import numpy as np
    >>> from qlib import chsh_expectation, bell_state
    >>> s = chsh_expectation(bell_state("phi+"), 0, np.pi / 2, np.pi / 4, 3 * np.pi / 4)
    >>> round(s, 6)
    2.828427
    """
    rho = check_density_matrix("rho", rho, n_qubits=2)
    for name, val in (("a0", a0), ("a1", a1), ("b0", b0), ("b1", b1)):
        check_real_array(name, val)
    check_broadcastable(a0=a0, a1=a1, b0=b0, b1=b1)
    return (
        correlation(rho, a0, b0)
        - correlation(rho, a0, b1)
        + correlation(rho, a1, b0)
        + correlation(rho, a1, b1)
    )


def monogamy_tangles(state: qutip.Qobj) -> dict[str, float]:
    r"""CKW monogamy quantities of a pure three-qubit state A, B, C.

    .. math::

        C^2_{AB} + C^2_{AC} \le \tau_{A|BC} = 4\det\rho_A, \qquad
        \tau_{ABC} = \tau_{A|BC} - C^2_{AB} - C^2_{AC} \ge 0 .

    Parameters
    ----------
    state : qutip.Qobj
        Pure three-qubit state: a normalised ket, or a density matrix of
        purity 1 (within 1e-8). Qubit 0 is A.

    Returns
    -------
    dict
        ``{"C2_AB": ..., "C2_AC": ..., "tau_A_BC": ..., "residual": ...}``:
        squared concurrences of the reduced pairs, the tangle of A with BC,
        and the residual (three-)tangle.

    Raises
    ------
    TypeError, ValueError
        Not a valid three-qubit state, or a mixed state.

    Notes
    -----
    V. Coffman, J. Kundu and W. K. Wootters, PRA 61, 052306 (2000). For
    GHZ the residual tangle is 1 and both pairs are unentangled; for W,
    :math:`C^2_{AB} = C^2_{AC} = 4/9`, :math:`\tau_{A|BC} = 8/9` and the
    residual is 0. Introduced in the chapter *Entanglement*.

    Examples
    --------
    >>> import qutip
    >>> from qlib import monogamy_tangles
    >>> ghz = (qutip.basis([2, 2, 2], [0, 0, 0]) + qutip.basis([2, 2, 2], [1, 1, 1])).unit()
    >>> {k: round(v, 6) for k, v in monogamy_tangles(ghz).items()}
    {'C2_AB': 0.0, 'C2_AC': 0.0, 'tau_A_BC': 1.0, 'residual': 1.0}
    """
    rho = check_density_matrix("state", state, n_qubits=3)
    purity = float(np.real((rho * rho).tr()))
    if abs(purity - 1.0) > 1e-8:
        raise ValueError(f"state must be pure (purity tr(rho^2) = 1), got purity {purity:.6g}")
    rho_a = rho.ptrace(0).full()
    tau = 4.0 * float(np.real(np.linalg.det(rho_a)))
    c_ab = concurrence(rho.ptrace([0, 1]))
    c_ac = concurrence(rho.ptrace([0, 2]))
    tau = clip_unit(tau)
    c2_ab, c2_ac = c_ab**2, c_ac**2
    residual = tau - c2_ab - c2_ac
    if abs(residual) < 1e-12:
        residual = 0.0
    return {"C2_AB": c2_ab, "C2_AC": c2_ac, "tau_A_BC": tau, "residual": residual}
