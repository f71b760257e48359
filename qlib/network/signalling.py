"""Classical signalling: how long a light signal takes over fibre or free space.

The constants :data:`qlib.constants.SPEED_OF_LIGHT_KM_S` (exact) and
:data:`qlib.constants.FIBER_GROUP_INDEX` (SMF-28 at 1550 nm) live in
:mod:`qlib.constants`; they are also flat names, ``qlib.SPEED_OF_LIGHT_KM_S``.

Introduced in the chapter *Teleportation* (the classical message cannot outrun light).
"""

from __future__ import annotations

import numpy as np

from .._linalg import float_or_array as _out
from .._validation import check_choice, check_nonnegative_array
from ..constants import FIBER_GROUP_INDEX, SPEED_OF_LIGHT_KM_S

__all__ = [
    "signalling_delay_s",
]

_MEDIA = ("fiber", "vacuum")


def signalling_delay_s(distance_km, medium="fiber"):
    r"""One-way travel time of a light signal (e.g. the classical bits of teleportation).

    .. math::

        t = \frac{n_g L}{c}, \qquad n_g = 1.4682 \text{ (fibre)},\ 1 \text{ (vacuum)}.

    Parameters
    ----------
    distance_km : float or array_like
        Path length L in km, ``>= 0``.
    medium : {"fiber", "vacuum"}, default "fiber"
        ``"fiber"``: standard single-mode fibre at 1550 nm; ``"vacuum"``: free
        space (air is within 0.03 % of vacuum).

    Returns
    -------
    float or numpy.ndarray
        Delay in s.

    Raises
    ------
    ValueError
        Negative, NaN or infinite distance, or an unknown ``medium`` (the
        message lists the allowed values).
    TypeError
        Non-numeric, complex or boolean distance, or a non-string ``medium``.

    Notes
    -----
    Information travels at the *group* velocity :math:`c/n_g`. The fibre value
    :data:`qlib.constants.FIBER_GROUP_INDEX` = 1.4682 is the effective group index Corning
    specifies for SMF-28 single-mode fibre at 1550 nm (1.4676 at 1310 nm), so
    a fibre link adds about 4.9 ms per 1000 km against 3.3 ms in vacuum.
    :data:`qlib.constants.SPEED_OF_LIGHT_KM_S` is exact. A real fibre route is also longer
    than the straight line between its ends. Introduced in the chapter
    *Teleportation* (the classical message cannot outrun light).

    Examples
    --------
    >>> from qlib import signalling_delay_s
    >>> round(signalling_delay_s(1000.0) * 1e3, 3)            # ms
    4.897
    >>> round(signalling_delay_s(1000.0, "vacuum") * 1e3, 3)
    3.336
    """
    check_choice("medium", medium, _MEDIA)
    length = check_nonnegative_array("distance_km", distance_km)
    index = FIBER_GROUP_INDEX if medium == "fiber" else 1.0
    return _out(np.asarray(length) * index / SPEED_OF_LIGHT_KM_S)
