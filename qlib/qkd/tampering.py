r"""Tampering and denial of service: the QBER, key rate and abort decision under attack.

Introduced in the chapter *QKD over distance, and its attacks*: an adversary
who intercepts a fraction of the pulses or adds loss to the weak-pulse link of
:mod:`qlib.qkd.decoy` (:func:`tampered_qber`, :func:`tampered_key_rate`), and
the test that makes Alice and Bob stop (:func:`qkd_aborts`).

Conventions
-----------
:func:`tampered_key_rate` is in secret bits per emitted pulse (sifting factor
1/2 included), the unit of :mod:`qlib.qkd.decoy`; QBERs lie in [0, 0.5];
distances in km, losses in dB; scalar in, ``float`` out, array in, array out.
"""

from __future__ import annotations

import numpy as np

from .._validation import (
    check_broadcastable,
    check_nonnegative_array,
    check_probability_array,
    check_qber,
    check_qber_array,
)
from ._pulses import _check_mu, _h, _h_half, _maximise, _out, _signal, _single
from .asymptotic import SHOR_PRESKILL_THRESHOLD
from .decoy import GYS_2004, _experiment
from .prepare_measure import intercept_resend_qber

__all__ = ["tampered_qber", "tampered_key_rate", "qkd_aborts"]


def _flip(a, b):
    """Error probability of two independent bit flips: a(1-b) + b(1-a)."""
    return a + b - 2.0 * a * b


def _tamper_inputs(distance_km, intercept_fraction, extra_loss_db, experiment, overrides):
    exp = _experiment(GYS_2004 if experiment is None else experiment, overrides)
    length = check_nonnegative_array("distance_km", distance_km)
    f = check_probability_array("intercept_fraction", intercept_fraction)
    extra = check_nonnegative_array("extra_loss_db", extra_loss_db)
    check_broadcastable(distance_km=length, intercept_fraction=f, extra_loss_db=extra)
    loss = exp.attenuation_db_per_km * np.asarray(length) + exp.extra_loss_db + np.asarray(extra)
    eta = exp.detector_efficiency * np.power(10.0, -loss / 10.0)
    scalar = all(np.ndim(x) == 0 for x in (length, f, extra))
    return exp, np.asarray(eta, float), np.asarray(f, float), scalar


def tampered_qber(distance_km, intercept_fraction=0.0, extra_loss_db=0.0, mu=0.5, *, experiment=None,
                  **overrides):
    r"""QBER of the signal pulses when an adversary tampers with the quantum channel.

    .. math::

        E'_\mu = E_\mu \oplus \frac{f}{4} = E_\mu + \frac{f}{4} - 2E_\mu\frac{f}{4},

    with :math:`E_\mu` the QBER of :func:`qlib.gllp_key_rate` at the tampered
    transmittance :math:`\eta\,10^{-\text{extra}/10}` and f the intercepted
    fraction.

    Parameters
    ----------
    distance_km : float or array_like
        Fibre length in km, ``>= 0``.
    intercept_fraction : float or array_like, default 0.0
        Fraction f in [0, 1] of the detected pulses on which the adversary
        measured in a random basis and resent what she found.
    extra_loss_db : float or array_like, default 0.0
        Loss in dB, ``>= 0``, the adversary adds (a bend, a splice, a cut: a
        large value).
    mu : float, default 0.5
        Signal mean photon number, ``> 0``.
    experiment : QKDExperiment, optional
        The link; default :data:`qlib.GYS_2004`.
    **overrides
        Any :class:`qlib.QKDExperiment` field.

    Returns
    -------
    float or numpy.ndarray
        The QBER Bob and Alice measure, in [0, 1/2].

    Raises
    ------
    ValueError
        Negative distance or loss, ``intercept_fraction`` outside [0, 1],
        ``mu <= 0``.

    Notes
    -----
    Intercept–resend in a random basis errs on a quarter of the intercepted
    detections (half the time Eve picks the wrong basis, then Bob's result is
    random; :func:`qlib.intercept_resend_qber`), independently of the link's
    own errors; the two flips combine
    as :math:`a \oplus b`. The model assumes Eve resends so that Bob's click
    rate is unchanged (only the errors betray her); added loss changes only
    the click rate, and raises the QBER through the dark counts, which weigh
    more as the signal fades. Introduced in the chapter *QKD over distance,
    and its attacks*.

    Examples
    --------
    >>> from qlib import tampered_qber
    >>> round(tampered_qber(0.0, intercept_fraction=1.0, error_floor=0.0,
    ...                     dark_count_probability=0.0), 6)
    0.25
    """
    exp, eta, f, scalar = _tamper_inputs(distance_km, intercept_fraction, extra_loss_db, experiment,
                                         overrides)
    m = _check_mu("mu", mu)
    _, qber = _signal(eta, m, exp)
    return _out(_flip(qber, intercept_resend_qber(f)), scalar and np.ndim(mu) == 0)


def tampered_key_rate(distance_km, intercept_fraction=0.0, extra_loss_db=0.0, mu=None, *, experiment=None,
                      **overrides):
    r"""Decoy-state key rate (bits per pulse) when an adversary tampers with the channel.

    As :func:`qlib.decoy_bb84_key_rate`, with the transmittance reduced by the
    added loss and every error rate raised by the intercepted fraction f:

    .. math::

        R' = q\left\{-Q'_\mu f(E'_\mu) h(E'_\mu) + Q'_1\left[1 - h(e_1 \oplus f/4)\right]\right\}.

    Parameters
    ----------
    distance_km, intercept_fraction, extra_loss_db
        As in :func:`tampered_qber`.
    mu : float, optional
        Signal μ ``> 0``; ``None`` lets Alice and Bob re-optimise μ for what
        they observe.
    experiment, **overrides
        As in :func:`qlib.decoy_bb84_key_rate`.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per emitted pulse, ``>= 0``: zero means the protocol
        aborts (no key, but nothing leaked either).

    Raises
    ------
    ValueError
        As :func:`tampered_qber`.

    Notes
    -----
    The decoy analysis attributes the intercept errors to every photon
    number alike (Eve's resent pulses are indistinguishable from Alice's),
    so :math:`e_1` rises with E. Neither the added loss nor the intercept
    lets the adversary learn the final key: privacy amplification removes
    what the estimated errors allow her to know, and when the rate reaches
    zero the protocol stops. What she *can* do is stop it: denial of service.
    Introduced in the chapter *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import tampered_key_rate
    >>> tampered_key_rate(20.0, intercept_fraction=0.5)   # QBER ~ 16 %: aborted
    0.0
    >>> tampered_key_rate(20.0, extra_loss_db=40.0)        # 40 dB more: too far
    0.0
    """
    exp, eta, f, scalar = _tamper_inputs(distance_km, intercept_fraction, extra_loss_db, experiment,
                                         overrides)
    eta, f = np.broadcast_arrays(eta, np.asarray(intercept_resend_qber(f), dtype=float))

    def raw(e, m, eve):
        gain, qber = _signal(e, m, exp)
        y1, e1 = _single(e, exp)
        q1 = y1 * m * np.exp(-m)
        return 0.5 * (q1 * (1.0 - _h_half(_flip(e1, eve)))
                      - exp.ec_efficiency * gain * _h(_flip(qber, eve)))

    if mu is None:
        flat_f = f.reshape(-1)
        value, _ = _maximise(lambda e, m: raw(e, m, flat_f[None, :] if np.ndim(m) == 2 else flat_f),
                             eta.reshape(-1))
        value = value.reshape(eta.shape)
    else:
        value = raw(eta, _check_mu("mu", mu), f)
    return _out(np.maximum(value, 0.0), scalar and np.ndim(mu) == 0)


def qkd_aborts(qber, qber_threshold=None):
    r"""Whether Alice and Bob abort: the measured QBER is above the threshold.

    Parameters
    ----------
    qber : float or array_like
        Measured QBER in [0, 0.5].
    qber_threshold : float, optional
        The largest QBER at which they continue, in [0, 0.5]; ``None`` (the
        default) uses :data:`qlib.SHOR_PRESKILL_THRESHOLD` (1 − 2h(Q) = 0 at
        Q ≈ 11.0 %).

    Returns
    -------
    bool or numpy.ndarray of bool
        ``True`` where the protocol aborts.

    Raises
    ------
    ValueError
        ``qber`` or ``qber_threshold`` outside [0, 0.5].

    Notes
    -----
    An abort is the protocol working as designed: a tampered channel yields
    no key, so the adversary learns nothing, but the parties have no key
    either until they re-establish a clean channel. Introduced in the chapter
    *QKD over distance, and its attacks*.

    Examples
    --------
    >>> from qlib import qkd_aborts
    >>> qkd_aborts(0.03), qkd_aborts(0.25)
    (False, True)
    """
    q = check_qber_array("qber", qber)
    if qber_threshold is None:
        t = SHOR_PRESKILL_THRESHOLD
    else:
        t = check_qber("qber_threshold", qber_threshold)
    out = np.asarray(q) > t
    return bool(out) if np.ndim(q) == 0 else out
