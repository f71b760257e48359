"""The optimal universal quantum cloner of Bužek and Hillery.

Perfect copying of an unknown qubit is impossible (Wootters & Zurek, Nature
299, 802 (1982); Dieks, Phys. Lett. A 92, 271 (1982)). The best universal
1 → 2 cloner produces two copies, each of fidelity 5/6 with a pure input.
"""

from __future__ import annotations

import numpy as np
import qutip
from scipy.linalg import null_space

from .._validation import check_density_matrix

__all__ = ["universal_clone"]


def _cloning_unitary() -> np.ndarray:
    """8x8 unitary on (input a) ⊗ (blank b) ⊗ (machine x), qubit a leftmost.

    On the subspace blank = |0>, machine = |0> it realises the Bužek–Hillery
    isometry (machine |↑> = |0>, |↓> = |1>)::

        |0>|0>|0> → √(2/3)|00>|0> + √(1/6)(|01> + |10>)|1>
        |1>|0>|0> → √(2/3)|11>|1> + √(1/6)(|01> + |10>)|0>

    The other six columns are an orthonormal completion (``null_space``).
    """
    a, b = np.sqrt(2.0 / 3.0), np.sqrt(1.0 / 6.0)

    def ket(bits: str) -> np.ndarray:
        v = np.zeros(8)
        v[int(bits, 2)] = 1.0
        return v

    col0 = a * ket("000") + b * (ket("011") + ket("101"))
    col1 = a * ket("111") + b * (ket("010") + ket("100"))
    iso = np.column_stack([col0, col1])
    rest = null_space(iso.conj().T)  # 8 x 6, orthonormal, orthogonal to iso
    u = np.zeros((8, 8))
    u[:, 0] = col0  # input |000> is basis index 0
    u[:, 4] = col1  # input |100> is basis index 4
    others = [i for i in range(8) if i not in (0, 4)]
    u[:, others] = np.real(rest)
    return u


_U = _cloning_unitary()
_U_QOBJ = qutip.Qobj(_U, dims=[[2, 2, 2], [2, 2, 2]])
_BLANK = qutip.ket2dm(qutip.basis(2, 0))


def universal_clone(state: qutip.Qobj) -> qutip.Qobj:
    r"""Two copies of a qubit made by the Bužek–Hillery universal cloner.

    The cloning unitary :math:`U` acts on input ⊗ blank ⊗ machine; on the
    relevant subspace (machine basis :math:`|{\uparrow}\rangle = |0\rangle`,
    :math:`|{\downarrow}\rangle = |1\rangle`)

    .. math::

        |0\rangle|0\rangle|{\uparrow}\rangle &\mapsto
            \sqrt{\tfrac23}\,|00\rangle|{\uparrow}\rangle
            + \sqrt{\tfrac16}\,(|01\rangle + |10\rangle)|{\downarrow}\rangle,\\
        |1\rangle|0\rangle|{\uparrow}\rangle &\mapsto
            \sqrt{\tfrac23}\,|11\rangle|{\downarrow}\rangle
            + \sqrt{\tfrac16}\,(|01\rangle + |10\rangle)|{\uparrow}\rangle .

    The output is :math:`\mathrm{tr}_x\,U(\rho\otimes|0\rangle\langle0|\otimes|0\rangle\langle0|)U^\dagger`.

    Parameters
    ----------
    state : qutip.Qobj
        One-qubit input: a normalised ket or a density matrix.

    Returns
    -------
    qutip.Qobj
        Two-qubit density matrix of the two copies (qubit 0 = the original's
        output port, qubit 1 = the blank's), dims ``[[2, 2], [2, 2]]``. It is
        symmetric under swapping the copies.

    Raises
    ------
    TypeError, ValueError
        If ``state`` is not a valid one-qubit state.

    Notes
    -----
    V. Bužek and M. Hillery, PRA 54, 1844 (1996). Each copy is
    :math:`\tfrac23\rho + \tfrac13\,\tfrac{I}{2}` (its Bloch vector shrinks
    by 2/3, whatever the input), so a pure input is copied with fidelity
    :math:`5/6`, the optimum for any universal 1 → 2 cloner (Gisin & Massar,
    PRL 79, 2153 (1997); Bruß et al., PRA 57, 2368 (1998)). The remaining
    six columns of :math:`U` are an arbitrary orthonormal completion; they
    never act because blank and machine start in :math:`|0\rangle`.
    Introduced in the chapter *Entanglement* (why a quantum signal
    cannot be amplified).

    Examples
    --------
    >>> import qutip
    >>> from qlib import universal_clone, fidelity
    >>> plus = (qutip.basis(2, 0) + qutip.basis(2, 1)).unit()
    >>> copies = universal_clone(plus)
    >>> round(fidelity(copies.ptrace(0), plus), 6), round(fidelity(copies.ptrace(1), plus), 6)
    (0.833333, 0.833333)
    """
    rho = check_density_matrix("state", state, n_qubits=1)
    full_in = qutip.tensor(rho, _BLANK, _BLANK)
    full_out = _U_QOBJ * full_in * _U_QOBJ.dag()
    out = full_out.ptrace([0, 1]).full()
    out = (out + out.conj().T) / 2.0
    return qutip.Qobj(out, dims=[[2, 2], [2, 2]])
