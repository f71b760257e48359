r"""Where a QKD scheme's key rate meets the PLOB repeaterless bound.

Introduced in the chapter *QKD beyond the repeaterless bound*:
:func:`plob_crossing_km` takes any of the fibre experiments of :mod:`qlib.qkd`
(decoy BB84, MDI, twin field, CV) and finds the distance beyond which its key
rate exceeds the PLOB bound :func:`qlib.plob_bound` of the same fibre;
:func:`experiment_key_rate` and :func:`experiment_max_distance_km` give any of
them its rate and reach, chosen by the experiment's type, so that a comparison
of schemes needs no dispatch of its own.

Conventions
-----------
Rates and the bound are compared per channel use: per pulse (BB84, CV) or per
pulse pair (MDI, twin field), the unit of each scheme's module; distances in km
(total Alice–Bob length). The bound is evaluated for the fibre's transmittance
:math:`10^{-\alpha L/10}` alone (``detectors="ideal"``, the *absolute* bound: a
point-to-point link could have perfect detectors), or for the fibre times the
scheme's detector efficiency (``detectors="same"``, the *relative* bound used by
several twin-field experiments: a point-to-point link with the same detectors).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_choice, check_positive
from ..network.bounds import plob_bound
from ..network.fibre import fiber_transmittance
from ._reach import _first_crossing_km
from .continuous_variable import CVExperiment, cv_max_distance_km, gg02_key_rate
from .decoy import QKDExperiment, decoy_bb84_key_rate, max_distance_km
from .mdi import MDIExperiment, mdi_key_rate, mdi_max_distance_km
from .twin_field import TwinFieldExperiment, phase_matching_key_rate, twin_field_max_distance_km

__all__ = [
    "experiment_key_rate",
    "experiment_max_distance_km",
    "plob_crossing_km",
]

#: Each experiment type's key rate (at its optimal or preset intensity) and reach.
_SCHEMES = {
    QKDExperiment: (decoy_bb84_key_rate, lambda exp: max_distance_km("decoy", experiment=exp)),
    MDIExperiment: (mdi_key_rate, lambda exp: mdi_max_distance_km(experiment=exp)),
    TwinFieldExperiment: (phase_matching_key_rate, lambda exp: twin_field_max_distance_km(experiment=exp)),
    CVExperiment: (gg02_key_rate, lambda exp: cv_max_distance_km(experiment=exp)),
}


def _scheme(experiment):
    scheme = _SCHEMES.get(type(experiment))
    if scheme is None:
        allowed = ", ".join(cls.__name__ for cls in _SCHEMES)
        raise TypeError(f"experiment must be one of {allowed}, got {type(experiment).__name__}")
    return scheme


def experiment_key_rate(distance_km, experiment):
    r"""The key rate of any fibre experiment of :mod:`qlib.qkd`, chosen by its type.

    Parameters
    ----------
    distance_km : float or array_like
        Total Alice–Bob fibre length in km, ``>= 0``.
    experiment : QKDExperiment, MDIExperiment, TwinFieldExperiment or CVExperiment
        Selects :func:`qlib.decoy_bb84_key_rate`, :func:`qlib.mdi_key_rate`,
        :func:`qlib.phase_matching_key_rate` or :func:`qlib.gg02_key_rate`, each
        at its optimal (or preset) intensity.

    Returns
    -------
    float or numpy.ndarray
        Secret bits per pulse (BB84), per pulse pair (MDI, twin field) or per
        channel use (CV), the unit of each scheme's module; scalar in, float out.

    Raises
    ------
    TypeError
        ``experiment`` of another type.
    ValueError
        A negative distance.

    Notes
    -----
    Introduced in the chapter *QKD beyond the repeaterless bound*.

    Examples
    --------
    >>> from qlib import experiment_key_rate, mdi_key_rate, LO_CURTY_QI_2012
    >>> experiment_key_rate(100.0, LO_CURTY_QI_2012) == mdi_key_rate(100.0, experiment=LO_CURTY_QI_2012)
    True
    """
    rate, _ = _scheme(experiment)
    return rate(distance_km, experiment=experiment)


def experiment_max_distance_km(experiment):
    r"""The reach of any fibre experiment of :mod:`qlib.qkd`, chosen by its type.

    Parameters
    ----------
    experiment : QKDExperiment, MDIExperiment, TwinFieldExperiment or CVExperiment
        Selects :func:`qlib.max_distance_km` (``"decoy"``),
        :func:`qlib.mdi_max_distance_km`, :func:`qlib.twin_field_max_distance_km`
        or :func:`qlib.cv_max_distance_km`, each with its default search range.

    Returns
    -------
    float
        The longest fibre in km with a positive key; ``inf`` if the key does not
        end within the search range (1,000 km; 2,000 km for twin field).

    Raises
    ------
    TypeError
        ``experiment`` of another type.

    Notes
    -----
    Introduced in the chapter *QKD beyond the repeaterless bound*.

    Examples
    --------
    >>> from qlib import experiment_max_distance_km, LODEWYCK_2007
    >>> round(experiment_max_distance_km(LODEWYCK_2007))
    36
    """
    _, reach = _scheme(experiment)
    return reach(experiment)


def plob_crossing_km(experiment, *, detectors="ideal", upper_km=1500.0):
    r"""The shortest distance beyond which a scheme's key rate exceeds the PLOB bound.

    Parameters
    ----------
    experiment : QKDExperiment, MDIExperiment, TwinFieldExperiment or CVExperiment
        The link; its type selects the rate: :func:`qlib.decoy_bb84_key_rate`,
        :func:`qlib.mdi_key_rate`, :func:`qlib.phase_matching_key_rate` or
        :func:`qlib.gg02_key_rate` (each at its optimal or preset intensity).
    detectors : {"ideal", "same"}, default "ideal"
        ``"ideal"``: the bound of the fibre alone (absolute); ``"same"``: of the
        fibre times the experiment's detector efficiency (relative).
    upper_km : float, default 1500.0
        Upper end of the search, ``> 0``.

    Returns
    -------
    float
        The distance in km where the rate first exceeds
        :math:`-\log_2(1-\eta)`; ``nan`` if it never does up to ``upper_km``
        (decoy BB84, MDI and CV never do: their rates are linear in the
        transmittance with a coefficient below 1.44).

    Raises
    ------
    TypeError
        ``experiment`` of another type.
    ValueError
        An unknown ``detectors``, ``upper_km <= 0``.

    Notes
    -----
    Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017) for
    the bound; the margin :math:`\log R - \log B` is scanned on 1,024
    intervals and the first bracket refined to 1 m. The two conventions for
    the detectors differ by a lot: Charlie's detectors in twin-field QKD are
    part of the loss between Alice and Bob, but a point-to-point link could
    use better ones. The relative bound is no bound for a scheme whose
    detector inefficiency is *trusted* (CV-QKD): GG02 with Lodewyck's 60 %
    detector exceeds it already at 0 km. Introduced in the chapter *QKD beyond the repeaterless
    bound*.

    Examples
    --------
    >>> from qlib import plob_crossing_km, LIU_2023_ASSUMED, LO_CURTY_QI_2012
    >>> round(plob_crossing_km(LIU_2023_ASSUMED))
    354
    >>> plob_crossing_km(LO_CURTY_QI_2012)
    nan
    """
    rate, _ = _scheme(experiment)
    check_choice("detectors", detectors, ("ideal", "same"))
    upper = check_positive("upper_km", upper_km)
    scale = 1.0 if detectors == "ideal" else experiment.detector_efficiency
    alpha = experiment.attenuation_db_per_km

    def margin(lengths):
        lengths = np.asarray(lengths, dtype=float)
        r = rate(lengths, experiment=experiment)
        bound = plob_bound(scale * fiber_transmittance(lengths, alpha))
        with np.errstate(divide="ignore"):
            return np.where(r > 0, np.log(np.where(r > 0, r, 1.0)) - np.log(bound), -np.inf)

    return _first_crossing_km(margin, upper)
