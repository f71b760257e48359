"""Physical constants and the book's default link parameters, each with its source.

One place for every number that more than one module (or a chapter) needs, so the
Earth's radius or the fibre's group index is written once. A constant that only one
function uses as a default stays a keyword default there, stated in its docstring.

Units are in the names: km, s, dB, nm.
"""

from __future__ import annotations

__all__ = [
    "SPEED_OF_LIGHT_KM_S",
    "FIBER_GROUP_INDEX",
    "FIBER_ATTENUATION_DB_PER_KM",
    "EARTH_RADIUS_KM",
    "GM_EARTH_KM3_S2",
]

#: Speed of light in vacuum in km/s: exact, by the SI definition of the metre
#: (BIPM, *The International System of Units*, 9th edition, 2019).
SPEED_OF_LIGHT_KM_S = 299_792.458

#: Effective group index of standard single-mode fibre (Corning SMF-28) at
#: 1550 nm (1.4676 at 1310 nm), from Corning's SMF-28 product information: light
#: pulses travel at c/1.4682, about 204,000 km/s (4.9 µs per km).
FIBER_GROUP_INDEX = 1.4682

#: The book's default fibre attenuation, dB/km: standard telecom fibre at 1550 nm
#: (Corning SMF-28 specifies at most 0.18-0.20 dB/km; the QKD literature uses 0.2,
#: e.g. Gobby, Yuan & Shields, APL 84, 3762, 2004).
FIBER_ATTENUATION_DB_PER_KM = 0.2

#: Mean radius of the Earth in km (IUGG mean radius R1 = 6371.0088 km, rounded as
#: is usual in link budgets; Moritz, *Geodetic Reference System 1980*).
EARTH_RADIUS_KM = 6371.0

#: Standard gravitational parameter of the Earth, km³/s² (IERS Conventions 2010,
#: GM = 3.986004418e14 m³/s², the WGS 84 value).
GM_EARTH_KM3_S2 = 398_600.4418
