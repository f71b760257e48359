r"""Asymptotic secret-key rates of QKD, in secret bits per sifted bit.

The entropy bookkeeping shared by the QKD chapters:

- :func:`binary_entropy`, :math:`h(p)` in bits;
- :func:`shor_preskill_rate` and :func:`six_state_rate`, the asymptotic
  secret fractions of BB84 and of the six-state protocol with one-way
  post-processing, as functions of the quantum bit error rate (QBER), and the
  QBERs where they reach zero, :data:`SHOR_PRESKILL_THRESHOLD` and
  :data:`SIX_STATE_THRESHOLD`.

Conventions
-----------
Entropies are in bits. A QBER lies in [0, 0.5]: above one half Bob would
simply flip his bits. Rates are per sifted bit (no sifting factor and no
channel loss here: the rates per emitted pulse over a lossy link are in
:mod:`qlib.qkd.decoy`); a negative bound means that no key can be distilled
and is returned as 0, never as a negative rate. Introduced in the chapter
*QKD: from photons to a secret key*.
"""

from __future__ import annotations

import numpy as np

from .._linalg import binary_entropy_bits
from .._validation import (
    check_qber_array,
    check_real_array,
)

__all__ = [
    "binary_entropy",
    "shor_preskill_rate",
    "six_state_rate",
    "SHOR_PRESKILL_THRESHOLD",
    "SIX_STATE_THRESHOLD",
]


def _as_result(values, like):
    out = np.asarray(values, dtype=float)
    return float(out) if np.ndim(like) == 0 else out


def binary_entropy(p):
    r"""Binary entropy :math:`h(p) = -p\log_2 p - (1-p)\log_2(1-p)`, in bits.

    Parameters
    ----------
    p : float or array_like
        Probabilities in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        :math:`h(p)` in [0, 1] bits, with :math:`h(0) = h(1) = 0`.

    Raises
    ------
    ValueError
        If any ``p`` is outside [0, 1] or not finite.

    Notes
    -----
    The entropy of a biased coin: the bits per symbol that error correction
    must reveal about a key with error rate ``p`` (Shannon's limit), and the
    bits per symbol an eavesdropper may know after phase errors ``p``.
    Introduced in the chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import binary_entropy
    >>> binary_entropy(0.5)
    1.0
    >>> round(binary_entropy(0.11), 4)
    0.4999
    """
    q = check_real_array("p", p)
    arr = np.asarray(q)
    bad = (arr < 0.0) | (arr > 1.0)
    if np.any(bad):
        first = float(arr[bad].flat[0]) if arr.ndim else float(arr)
        raise ValueError(f"p must be in [0, 1], got {first!r}")
    return _as_result(binary_entropy_bits(arr), q)


def shor_preskill_rate(qber):
    r"""Asymptotic secret fraction of BB84: :math:`\max(0,\ 1 - 2h(Q))`.

    Parameters
    ----------
    qber : float or array_like
        Quantum bit error rate :math:`Q` in [0, 0.5], equal in both bases.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per sifted bit; 0 at and beyond
        :data:`SHOR_PRESKILL_THRESHOLD` (≈ 11.0 %).

    Raises
    ------
    ValueError
        If any ``qber`` is outside [0, 0.5].

    Notes
    -----
    Shor & Preskill, PRL 85, 441 (2000): one :math:`h(Q)` is paid for error
    correction at the Shannon limit, one for privacy amplification against
    the phase errors, which equal the bit errors in a symmetric channel.
    Sifting (a factor 1/2 for BB84 with equal basis probabilities) and the
    inefficiency of real error correction are not included: see the key-rate
    functions of the chapter *QKD over distance, and its attacks*.
    Introduced in the chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import shor_preskill_rate
    >>> round(shor_preskill_rate(0.01), 4)
    0.8384
    >>> shor_preskill_rate(0.12)
    0.0
    """
    q = check_qber_array("qber", qber)
    rate = np.maximum(0.0, 1.0 - 2.0 * binary_entropy_bits(q))
    return _as_result(rate, q)


def six_state_rate(qber):
    r"""Asymptotic secret fraction of the six-state protocol, one-way post-processing.

    .. math::
        r(Q) = \max\Bigl(0,\ 1 + \bigl(1 - \tfrac{3Q}{2}\bigr)\log_2\bigl(1 - \tfrac{3Q}{2}\bigr)
               + \tfrac{3Q}{2}\log_2\tfrac{Q}{2}\Bigr)

    Parameters
    ----------
    qber : float or array_like
        Quantum bit error rate :math:`Q` in [0, 0.5].

    Returns
    -------
    float or numpy.ndarray
        Secret bits per sifted bit; 0 at and beyond
        :data:`SIX_STATE_THRESHOLD` (≈ 12.6 %).

    Raises
    ------
    ValueError
        If any ``qber`` is outside [0, 0.5].

    Notes
    -----
    Lo, QIC 1, 81 (2001). Measuring in all three bases tells Alice and Bob the
    whole Bell-diagonal state, :math:`(1 - 3Q/2, Q/2, Q/2, Q/2)`, so the
    phase errors are no longer bounded by the bit errors alone but known, and
    Eve's information is :math:`H(\lambda) - h(Q)`; the rate is
    :math:`1 - H(\lambda)`. Introduced in the chapter *QKD: from photons to a
    secret key*.

    Examples
    --------
    >>> from qlib import six_state_rate
    >>> round(six_state_rate(0.05), 4)
    0.4968
    """
    q = check_qber_array("qber", qber)
    a = 1.0 - 1.5 * np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        term_a = np.where(a > 0, a * np.log2(np.where(a > 0, a, 1.0)), 0.0)
        half = np.asarray(q, dtype=float) / 2.0
        term_b = np.where(half > 0, 3.0 * half * np.log2(np.where(half > 0, half, 1.0)), 0.0)
    rate = np.maximum(0.0, 1.0 + term_a + term_b)
    return _as_result(rate, q)


def _threshold(rate) -> float:
    """The QBER where ``rate`` reaches 0, by bisection on [0.05, 0.2]."""
    lo, hi = 0.05, 0.2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if rate(mid) > 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


#: QBER at which :func:`shor_preskill_rate` reaches 0 (≈ 0.110028).
SHOR_PRESKILL_THRESHOLD = _threshold(shor_preskill_rate)

#: QBER at which :func:`six_state_rate` reaches 0 (≈ 0.126193).
SIX_STATE_THRESHOLD = _threshold(six_state_rate)
