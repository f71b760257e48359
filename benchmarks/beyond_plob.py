"""Speed of the rate curves of MDI, twin-field and CV-QKD, printed (never asserted).

Target from issue 15 (QKD beyond the repeaterless bound): a 1,000-point rate
curve over distance for each scheme <= 20 ms (the intensity optimised at every
distance where the scheme has one). Also printed: each scheme's reach and PLOB
crossing with its preset, and how long those searches take. The live update of
the chapter's explorable is timed by ``benchmarks/run.py``, which finds every
chapter in the table of contents. Each figure is the median of ``--repeats``
timed calls after one warm-up. Run ``python benchmarks/beyond_plob.py``.
"""

from __future__ import annotations

import argparse

import numpy as np

import qlib
from _timing import timed

TARGET_CURVE_MS = 20.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    d = np.linspace(0.0, 1000.0, 1000)
    schemes = [
        ("decoy BB84 (GYS 2004)", lambda: qlib.decoy_bb84_key_rate(d), qlib.GYS_2004,
         lambda: qlib.max_distance_km("decoy")),
        ("MDI (Lo-Curty-Qi 2012)", lambda: qlib.mdi_key_rate(d), qlib.LO_CURTY_QI_2012,
         qlib.mdi_max_distance_km),
        ("PM twin field (Ma-Zeng-Zhou 2018)", lambda: qlib.phase_matching_key_rate(d),
         qlib.MA_ZENG_ZHOU_2018, qlib.twin_field_max_distance_km),
        ("GG02 CV (Lodewyck 2007)", lambda: qlib.gg02_key_rate(d), qlib.LODEWYCK_2007,
         qlib.cv_max_distance_km),
    ]
    print(f"1,000-point rate curve, 0-1000 km (target <= {TARGET_CURVE_MS:.0f} ms)")
    print(f"{'scheme':<36} {'curve ms':>9} {'ok':>4} {'reach km':>9} {'reach ms':>9} "
          f"{'PLOB km':>8} {'cross ms':>9}")
    for name, curve, preset, reach in schemes:
        t, _ = timed(curve, args.repeats)
        t_reach, km = timed(reach, max(3, args.repeats // 4))
        t_cross, cross = timed(lambda: qlib.plob_crossing_km(preset), max(3, args.repeats // 4))
        ok = "yes" if 1e3 * t <= TARGET_CURVE_MS else "NO"
        print(f"{name:<36} {1e3 * t:>9.2f} {ok:>4} {km:>9.1f} {1e3 * t_reach:>9.1f} "
              f"{cross:>8.1f} {1e3 * t_cross:>9.1f}")


if __name__ == "__main__":
    main()
