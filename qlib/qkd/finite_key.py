r"""Finite-key BB84: the length in bits of a key distilled from one finite block.

:func:`finite_key_length` is the bound of Tomamichel, Lim, Gisin and Renner,
Nat. Commun. 3, 634 (2012), for a block of ``n`` key bits and ``k`` test bits.

Conventions
-----------
The result is a key length in bits for the whole block, not a rate: divide by
``n`` for bits per sifted key bit, the unit of :mod:`qlib.qkd.asymptotic`, to
which it tends as the block grows. Entropies in bits; a QBER lies in [0, 0.5];
a negative bound is returned as 0. Introduced in the chapter *QKD: from
photons to a secret key*.
"""

from __future__ import annotations

import math

from .._linalg import binary_entropy_bits
from .._validation import (
    check_int,
    check_nonnegative,
    check_qber,
    check_real,
)

__all__ = ["finite_key_length"]


def finite_key_length(n, k, qber, *, leak_ec, eps_sec=1e-10, eps_cor=1e-15):
    r"""Length of an ε-secure key from a finite BB84 block (Tomamichel et al. 2012).

    .. math::
        \ell = n\,\bigl[1 - h(Q + \mu)\bigr] - \mathrm{leak_{EC}}
               - \log_2\frac{2}{\varepsilon_\mathrm{sec}^2\,\varepsilon_\mathrm{cor}},
        \qquad
        \mu = \sqrt{\frac{n + k}{n k}\,\frac{k + 1}{k}\,\ln\frac{4}{\varepsilon_\mathrm{sec}}}

    Parameters
    ----------
    n : int
        Raw key bits kept for the key (after sifting and after the test bits
        were removed), ``n >= 1``.
    k : int
        Bits disclosed to estimate the error rate, ``k >= 1``.
    qber : float
        Error rate :math:`Q` accepted on the test bits, in [0, 0.5] (the
        protocol aborts above it).
    leak_ec : float
        Bits revealed by error correction (and verification), ``>= 0``: for
        Cascade the parities actually disclosed.
    eps_sec : float, optional
        Secrecy parameter in (0, 1): the final key is :math:`\varepsilon_\mathrm{sec}`-close
        to one Eve knows nothing about. Default 1e-10.
    eps_cor : float, optional
        Correctness parameter in (0, 1): the probability that Alice's and
        Bob's final keys differ undetected. Default 1e-15.

    Returns
    -------
    float
        :math:`\max(0, \ell)` in bits (not rounded down: callers that need a
        key take ``floor``). 0 when the statistical margin
        :math:`Q + \mu` reaches 1/2 or the bound is negative.

    Raises
    ------
    ValueError, TypeError
        On a non-integer or too small ``n`` or ``k``, a QBER outside [0, 0.5],
        a negative leakage, or ε outside (0, 1).

    Notes
    -----
    Tomamichel, Lim, Gisin, Renner, "Tight finite-key analysis for quantum
    cryptography", Nat. Commun. 3, 634 (2012), Eq. (2), for BB84 with
    preparation quality :math:`q = 1` (perfectly unbiased bases), valid against
    general (coherent) attacks. The phase-error rate of the key bits is not
    measured; it is bounded by the test bits' error rate plus the
    sampling margin :math:`\mu` (Serfling's inequality), which shrinks as
    :math:`1/\sqrt{k}`: that is why small blocks give no key. The
    logarithm in :math:`\mu` is :math:`\ln(4/\varepsilon_\mathrm{sec})`, as in
    the paper's Eq. (2): the secrecy budget splits as
    :math:`2\varepsilon + \tilde\varepsilon \le \varepsilon_\mathrm{sec}` with
    :math:`\varepsilon = \varepsilon_\mathrm{sec}/4` (smoothing) and
    :math:`\tilde\varepsilon = \varepsilon_\mathrm{sec}/2` (privacy amplification), and
    Serfling's tail bound
    :math:`\exp(-2\mu^2 n k^2/((n + k)(k + 1)))` set to :math:`\varepsilon^2`
    gives that :math:`\mu`. (An earlier version of this module used
    :math:`\ln(2/\varepsilon_\mathrm{sec})`, which allowed a few hundred
    bits too many on a block of :math:`2\cdot 10^5`.) As
    :math:`n, k \to \infty` the length per bit tends to
    :func:`qlib.shor_preskill_rate` when ``leak_ec`` is :math:`n\,h(Q)`.
    Introduced in the chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import finite_key_length, binary_entropy
    >>> n, k, q = 10**6, 10**5, 0.02
    >>> round(finite_key_length(n, k, q, leak_ec=1.1 * n * binary_entropy(q)))
    618824
    >>> finite_key_length(1000, 100, q, leak_ec=1.1 * 1000 * binary_entropy(q))
    0.0
    """
    n = check_int("n", n, minimum=1)
    k = check_int("k", k, minimum=1)
    q = check_qber("qber", qber)
    leak = check_nonnegative("leak_ec", leak_ec)
    for name, eps in (("eps_sec", eps_sec), ("eps_cor", eps_cor)):
        value = check_real(name, eps)
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    eps_sec, eps_cor = float(eps_sec), float(eps_cor)
    mu = math.sqrt((n + k) / (n * k) * (k + 1) / k * math.log(4.0 / eps_sec))
    phase = q + mu
    if phase >= 0.5:
        return 0.0
    length = (
        n * (1.0 - float(binary_entropy_bits(phase)))
        - leak
        - math.log2(2.0 / (eps_sec**2 * eps_cor))
    )
    return max(0.0, length)
