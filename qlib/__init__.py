"""qlib: the physics and the interactive figures behind the textbook
*Quantum Networks and Their Security*.

Physics modules (pure functions over ``qutip.Qobj``; no plotting):

- :mod:`qlib.states`    Bell, Werner and Bell-diagonal states
- :mod:`qlib.channels`  single-qubit noise channels applied to multi-qubit states
- :mod:`qlib.metrics`   fidelity, concurrence, negativity, CHSH, monogamy
- :mod:`qlib.links`     fibre, free-space and satellite links; detection, delays, memories
- :mod:`qlib.sources`   photon-pair statistics of parametric down-conversion
- :mod:`qlib.cloning`   the optimal universal quantum cloner
- :mod:`qlib.teleportation` teleportation through a noisy pair; the 2/3 classical limit
- :mod:`qlib.repeaters`  entanglement swapping, purification, memories, repeaterless bounds
- :mod:`qlib.chains`    repeater chains: rate, fidelity, Monte Carlo, key rate
- :mod:`qlib.keyrates`  secret-key rates of QKD: Shor–Preskill, six-state, finite keys; weak pulses and decoys over distance, satellites, tampering
- :mod:`qlib.qkd`       BB84, six-state, B92, E91, BBM92; intercept-resend and PNS attacks
- :mod:`qlib.postprocessing` Cascade, verification, Toeplitz privacy amplification, key budget
- :mod:`qlib.pqc`       ML-KEM, ML-DSA, the X25519+ML-KEM-768 hybrid, sizes, Mosca
- :mod:`qlib.tunnel`    a post-quantum tunnel over a loopback socket

Presentation modules (figures and controls):

- :mod:`qlib.plots`     the book's Plotly style and notebook renderer
- :mod:`qlib.explore`   explorables: one declaration, live and static renderings

Exercises:

- :mod:`qlib.checks`    ``qlib.check(label, answer)``: feedback on an exercise's answer
  (the checks themselves: one module per chapter in :mod:`qlib.exercises`)

Every public name is re-exported here, so ``from qlib import werner_state``
works.
"""

import warnings

with warnings.catch_warnings():
    # QuTiP warns at import that matplotlib, its plotting back end, is missing;
    # the book draws with Plotly, so the warning would only clutter every page.
    warnings.filterwarnings("ignore", message="matplotlib not found", category=UserWarning)
    import qutip  # noqa: F401

from . import (
    chains,
    channels,
    checks,
    cloning,
    explore,
    keyrates,
    links,
    metrics,
    plots,
    postprocessing,
    qkd,
    pqc,
    repeaters,
    sources,
    states,
    teleportation,
    tunnel,
)
from .chains import *  # noqa: F401,F403
from .channels import *  # noqa: F401,F403
from .checks import *  # noqa: F401,F403
from .cloning import *  # noqa: F401,F403
from .explore import *  # noqa: F401,F403
from .keyrates import *  # noqa: F401,F403
from .links import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .plots import *  # noqa: F401,F403
from .postprocessing import *  # noqa: F401,F403
from .qkd import *  # noqa: F401,F403
from .repeaters import *  # noqa: F401,F403
from .sources import *  # noqa: F401,F403
from .states import *  # noqa: F401,F403
from .teleportation import *  # noqa: F401,F403
from .pqc import *  # noqa: F401,F403
from .tunnel import *  # noqa: F401,F403

__version__ = "0.1.0"

__all__ = (
    states.__all__
    + channels.__all__
    + metrics.__all__
    + links.__all__
    + sources.__all__
    + cloning.__all__
    + teleportation.__all__
    + repeaters.__all__
    + chains.__all__
    + keyrates.__all__
    + qkd.__all__
    + postprocessing.__all__
    + pqc.__all__
    + tunnel.__all__
    + plots.__all__
    + explore.__all__
    + checks.__all__
)
