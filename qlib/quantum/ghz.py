r"""GHZ states, and a GHZ state shared by n users through a central switch.

Conventions (the book's, docs/architecture.md)
----------------------------------------------
- The n-qubit GHZ state is :math:`|\mathrm{GHZ}_n\rangle = (|0\cdots0\rangle +
  |1\cdots1\rangle)/\sqrt2` (``qutip.ghz_state``); for n = 2 it is Φ+, the
  book's target pair. Qubit 0 is the left factor of ``qutip.tensor``.
- A link between user k and the switch is a two-qubit density matrix with
  **qubit 0 the user's and qubit 1 the switch's**; a float stands for the
  Werner state of that fidelity (:func:`qlib.werner_state`).
- Fidelities are squared: :math:`F = \langle\mathrm{GHZ}_n|\rho|\mathrm{GHZ}_n\rangle`.
- Depolarised links: a Werner link of fidelity F is
  :math:`\lambda\,\Phi^+ + (1-\lambda) I/4` with :math:`\lambda = (4F-1)/3`,
  the same as depolarising the user's qubit of a perfect pair with probability
  :math:`p = 1-\lambda` (:func:`qlib.depolarize`).

The protocol (a star network)
-----------------------------
Each of n users shares a Bell pair with a switch node. The switch measures its
n halves in the GHZ basis: a CNOT from its first qubit to each of the others,
the others measured in Z (outcomes :math:`m_2..m_n`), the first in X
(outcome :math:`m_1`). It announces the n bits; user k (k ≥ 2) applies
:math:`X^{m_k}` and user 1 applies :math:`Z^{m_1}`. With perfect pairs every
one of the :math:`2^n` outcomes (each of probability :math:`2^{-n}`) leaves
the users in :math:`|\mathrm{GHZ}_n\rangle`: entanglement swapping with n
pairs instead of two. :func:`fuse_at_switch` does this on density matrices
with QuTiP, outcome by outcome.

What a GHZ state is for, stated honestly
----------------------------------------
- **Conference keys.** Measured by all users in Z, a GHZ state gives every
  user the same random bit; occasional X measurements test it. This is the
  N-BB84 protocol of conference key agreement reviewed by Murta, Grasselli,
  Kampermann and Bruß, Adv. Quantum Technol. 3, 2000025 (2020), with the
  asymptotic key fraction of :func:`conference_key_fraction`. The same
  conference key can be made from n − 1 Bell pairs and bipartite QKD; the
  review's point is that one GHZ state can cost fewer network uses where the
  network has bottlenecks, not that it is the only way.
- **Clock synchronisation.** Kómár et al., Nature Physics 10, 582 (2014)
  propose sharing GHZ states among the atomic clocks of a network, so that the
  network's phase is read with the precision of one clock holding all the
  atoms together (the Heisenberg limit) rather than of independent clocks.
  It is a proposal: it needs phase-stable links and GHZ states of high
  fidelity, which no network distributes today.

Introduced in the chapter *Many users and memories that wait*.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import qutip
from scipy.optimize import brentq

from .._linalg import binary_entropy_bits
from .._validation import (
    check_choice,
    check_density_matrix,
    check_int,
    check_probability_array,
    n_qubits_of,
)
from .bell_diagonal import werner_state

__all__ = [
    "GHZ_GENUINE_THRESHOLD",
    "FusionResult",
    "ghz_ket",
    "ghz_state",
    "fuse_at_switch",
    "switch_ghz_fidelity",
    "genuine_link_fidelity",
    "fusion_success_probability",
    "conference_key_fraction",
]

#: A state whose GHZ fidelity exceeds 1/2 is genuinely multipartite entangled
#: (the fidelity witness 1/2 − |GHZ⟩⟨GHZ|; Gühne & Tóth, Phys. Rep. 474, 1 (2009)).
GHZ_GENUINE_THRESHOLD = 0.5

_MAX_USERS = 5  # 2n = 10 qubits: a 1024 x 1024 density matrix
_FUSION_SCHEMES = ("deterministic", "linear optics")


def _check_users(name, n, minimum=2, maximum=None):
    n = check_int(name, n, minimum=minimum)
    if maximum is not None and n > maximum:
        raise ValueError(f"{name} must be an integer in [{minimum}, {maximum}], got {n}")
    return n


def ghz_ket(n_qubits: int) -> qutip.Qobj:
    r"""The GHZ ket :math:`(|0\cdots0\rangle + |1\cdots1\rangle)/\sqrt2` of ``n_qubits`` qubits.

    Parameters
    ----------
    n_qubits : int
        Number of qubits, ``>= 2`` (n = 2 gives Φ+).

    Returns
    -------
    qutip.Qobj
        Ket with dims ``[[2] * n_qubits, [1]]``.

    Raises
    ------
    TypeError
        ``n_qubits`` not an integer.
    ValueError
        ``n_qubits < 2``.

    Notes
    -----
    Built by ``qutip.ghz_state``, same convention. Greenberger, Horne,
    Shimony and Zeilinger, Am. J. Phys. 58, 1131 (1990). Introduced in the
    chapter *Many users and memories that wait*.

    Examples
    --------
    >>> from qlib import ghz_ket, bell_ket
    >>> round(abs(ghz_ket(2).overlap(bell_ket("phi+"))) ** 2, 12)
    1.0
    >>> ghz_ket(3).dims
    [[2, 2, 2], [1]]
    """
    n = _check_users("n_qubits", n_qubits)
    return qutip.ghz_state(n)


def ghz_state(n_qubits: int) -> qutip.Qobj:
    r"""The GHZ density matrix :math:`|\mathrm{GHZ}_n\rangle\langle\mathrm{GHZ}_n|`.

    Parameters
    ----------
    n_qubits : int
        Number of qubits, ``>= 2``.

    Returns
    -------
    qutip.Qobj
        Density matrix with dims ``[[2] * n, [2] * n]``.

    Raises
    ------
    TypeError, ValueError
        As :func:`ghz_ket`.

    Notes
    -----
    Introduced in the chapter *Many users and memories that wait*.

    Examples
    --------
    >>> from qlib import ghz_state
    >>> float(ghz_state(3).tr())
    1.0
    """
    return qutip.ket2dm(ghz_ket(n_qubits))


@dataclass(frozen=True)
class FusionResult:
    """The users' state after the switch's GHZ measurement (see :func:`fuse_at_switch`).

    Attributes
    ----------
    state : qutip.Qobj
        The n users' density matrix averaged over the switch's outcomes, after
        the corrections (if applied).
    fidelity : float
        :math:`\\langle\\mathrm{GHZ}_n|\\rho|\\mathrm{GHZ}_n\\rangle` of ``state``.
    outcome_probabilities : dict
        ``{(m_1, ..., m_n): probability}`` of the switch's announced bits.
    conditional_fidelities : dict
        ``{outcome: fidelity of the users' state given that outcome}``.
    corrected : bool
        Whether the users applied the Pauli corrections.
    """

    state: qutip.Qobj = field(repr=False)
    fidelity: float
    outcome_probabilities: dict = field(repr=False)
    conditional_fidelities: dict = field(repr=False)
    corrected: bool = True


def _link_state(k, link):
    if isinstance(link, qutip.Qobj):
        rho = check_density_matrix(f"links[{k}]", link)
        if n_qubits_of(rho) != 2:
            raise ValueError(
                f"links[{k}] must be a two-qubit state (user's qubit, switch's qubit), "
                f"got {n_qubits_of(rho)} qubits")
        return rho
    try:
        return werner_state(link)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"links[{k}] must be a two-qubit density matrix or a Werner fidelity in [0, 1]: {exc}"
        ) from None


@dataclass(frozen=True)
class _Switch:
    """The operators of the fusion for n users: the switch's unitary, its measurement and the corrections."""

    unitary: qutip.Qobj
    permutation: tuple
    projectors: dict
    corrections: dict


_SWITCHES: dict[int, _Switch] = {}


def _switch(n):
    if n in _SWITCHES:
        return _SWITCHES[n]
    eye, x, z = qutip.qeye(2), qutip.sigmax(), qutip.sigmaz()
    p0, p1 = qutip.basis(2, 0).proj(), qutip.basis(2, 1).proj()
    # order after the permutation: users u_1..u_n, then switch qubits s_1..s_n
    size = 2 * n

    def on(ops):  # {position: operator} -> operator on all 2n qubits
        return qutip.tensor([ops.get(j, eye) for j in range(size)])

    s1 = n
    hadamard = (x + z) / math.sqrt(2)
    unitary = on({s1: hadamard})
    for k in range(1, n):  # CNOT s_1 -> s_k (they commute), applied before the Hadamard
        unitary = unitary * (on({s1: p0}) + on({s1: p1, n + k: x}))
    user_eye = [eye] * n
    projectors, corrections = {}, {}
    for outcome in itertools.product((0, 1), repeat=n):
        bra = qutip.tensor(user_eye + [qutip.basis(2, m).dag() for m in outcome])
        # QuTiP keeps the measured qubits as dimension-1 factors: drop them
        projectors[outcome] = qutip.Qobj((bra * unitary).full(), dims=[[2] * n, [2] * size])
        ops = [z if (k == 0 and outcome[0]) else x if (k > 0 and outcome[k]) else eye for k in range(n)]
        corrections[outcome] = qutip.tensor(ops)
    # tensor(pair_1, ..., pair_n) is ordered u1 s1 u2 s2 ...; permute to u1..un s1..sn
    permutation = tuple([2 * k for k in range(n)] + [2 * k + 1 for k in range(n)])
    _SWITCHES[n] = _Switch(unitary, permutation, projectors, corrections)
    return _SWITCHES[n]


def fuse_at_switch(links, *, corrections: bool = True) -> FusionResult:
    r"""Fuse n user–switch pairs into an n-user GHZ state by the switch's GHZ measurement.

    The switch applies CNOTs from its first qubit to its others and a Hadamard
    to its first, measures all its qubits in Z and announces the bits
    :math:`m_1..m_n`; user 1 applies :math:`Z^{m_1}`, user k ≥ 2 applies
    :math:`X^{m_k}`. Computed exactly on the 2n-qubit density matrix with
    QuTiP, outcome by outcome, and averaged over the outcomes.

    Parameters
    ----------
    links : sequence of qutip.Qobj or float
        One link per user, ``2 <= len(links) <= 5``: a two-qubit density
        matrix (qubit 0 the user's, qubit 1 the switch's) or a Werner
        fidelity in [0, 1].
    corrections : bool, default True
        Whether the users apply the Pauli corrections the switch's bits call
        for (False shows what the classical feed-forward is worth).

    Returns
    -------
    FusionResult
        The averaged users' state, its GHZ fidelity and, per outcome, its
        probability and conditional fidelity.

    Raises
    ------
    TypeError
        ``links`` not a sequence; a link neither a Qobj nor a number.
    ValueError
        Fewer than 2 or more than 5 links; a link that is not a two-qubit
        density matrix or a fidelity outside [0, 1].

    Notes
    -----
    With perfect links each outcome has probability :math:`2^{-n}` and leaves
    :math:`|\mathrm{GHZ}_n\rangle` after its correction (module docstring).
    With Werner links of fidelities :math:`F_k`, :math:`\lambda_k = (4F_k-1)/3`,
    the corrected state's fidelity is

    .. math:: F_\mathrm{GHZ} = \tfrac12\prod_k\lambda_k
              + \tfrac12\prod_k\frac{1+\lambda_k}{2}
              + \tfrac12\prod_k\frac{1-\lambda_k}{2}

    (:func:`switch_ghz_fidelity`, derived there; tested against this
    function). For n = 2 this is the swapped pair of two Werner links. The
    switch's unitary and measurement are an ideal GHZ-basis measurement; a
    linear-optics switch succeeds only with
    :func:`fusion_success_probability`, and this function describes the
    successful events. Introduced in the chapter *Many users and memories
    that wait*.

    Examples
    --------
    >>> from qlib import fuse_at_switch, bell_state
    >>> round(fuse_at_switch([bell_state("phi+")] * 3).fidelity, 12)
    1.0
    >>> r = fuse_at_switch([0.9, 0.9, 0.9])
    >>> round(r.fidelity, 6), len(r.outcome_probabilities)
    (0.732148, 8)
    """
    if isinstance(links, (str, bytes, qutip.Qobj)) or not isinstance(links, Sequence):
        raise TypeError(
            f"links must be a sequence of two-qubit states or Werner fidelities, got {type(links).__name__}")
    n = len(links)
    if not 2 <= n <= _MAX_USERS:
        raise ValueError(f"links must hold between 2 and {_MAX_USERS} links (one per user), got {n}")
    if not isinstance(corrections, (bool, np.bool_)):
        raise TypeError(f"corrections must be True or False, got {corrections!r}")
    pairs = [_link_state(k, link) for k, link in enumerate(links)]
    sw = _switch(n)
    rho = qutip.tensor(pairs).permute(list(sw.permutation))
    target = ghz_state(n)
    total = 0
    probabilities, conditional = {}, {}
    for outcome, bra in sw.projectors.items():
        users = bra * rho * bra.dag()
        if corrections:
            c = sw.corrections[outcome]
            users = c * users * c.dag()
        prob = float(np.real(users.tr()))
        probabilities[outcome] = prob
        conditional[outcome] = (float(np.real((target * users).tr())) / prob) if prob > 1e-15 else float("nan")
        total = users if total == 0 else total + users
    state = qutip.Qobj(0.5 * (total.full() + total.full().conj().T), dims=[[2] * n, [2] * n])
    return FusionResult(
        state=state,
        fidelity=float(np.real((target * state).tr())),
        outcome_probabilities=probabilities,
        conditional_fidelities=conditional,
        corrected=bool(corrections),
    )


def switch_ghz_fidelity(link_fidelity, n_users: int):
    r"""GHZ fidelity of n users fused at a switch from Werner links, in closed form.

    .. math:: F_\mathrm{GHZ} = \tfrac12\lambda^n + \tfrac12\Bigl(\frac{1+\lambda}{2}\Bigr)^n
              + \tfrac12\Bigl(\frac{1-\lambda}{2}\Bigr)^n, \qquad \lambda = \frac{4F-1}{3}.

    Parameters
    ----------
    link_fidelity : float or array_like
        Werner fidelity F of every user–switch link, in [0, 1].
    n_users : int
        Number of users, ``>= 2``.

    Returns
    -------
    float or numpy.ndarray
        :math:`F_\mathrm{GHZ}` in :math:`[2^{-n}, 1]`, shaped as ``link_fidelity``.

    Raises
    ------
    ValueError
        A fidelity outside [0, 1] or NaN; ``n_users < 2``.
    TypeError
        Non-numeric input; ``n_users`` not an integer.

    Notes
    -----
    Derivation (this module's; tested against :func:`fuse_at_switch` on
    QuTiP density matrices). Write each link as :math:`\lambda\Phi^+ + (1-\lambda)I/4`
    and :math:`I/4` as Φ+ with a uniformly random Pauli on the user's qubit.
    The fusion and corrections act on the switch's qubits and commute with
    those Paulis up to sign, so a term in which the links of a set S of size m
    are replaced by :math:`I/4` yields :math:`|\mathrm{GHZ}\rangle` with a
    random Pauli string on S, whose fidelity is the fraction of Pauli strings
    on S in the GHZ stabiliser group: 1 for m = 0, :math:`2^{m-1}/4^m` for
    0 < m < n (even numbers of Z) and :math:`2^n/4^n` for m = n (with
    :math:`X^{\otimes n}`). Summing :math:`\binom nm \lambda^{n-m}(1-\lambda)^m`
    times these gives the formula. Checks: perfect links give 1, fully mixed
    links (F = 1/4) give :math:`2^{-n}`, and n = 2 gives
    :math:`(3\lambda^2+1)/4`, the swapped pair of two Werner links. Above
    :data:`GHZ_GENUINE_THRESHOLD` the users' state is genuinely multipartite
    entangled. Introduced in the chapter *Many users and memories that wait*.

    Examples
    --------
    >>> from qlib import switch_ghz_fidelity
    >>> float(switch_ghz_fidelity(1.0, 4))
    1.0
    >>> round(float(switch_ghz_fidelity(0.9, 3)), 6)
    0.732148
    """
    f = check_probability_array("link_fidelity", link_fidelity)
    n = _check_users("n_users", n_users)
    lam = (4.0 * np.asarray(f) - 1.0) / 3.0
    out = 0.5 * lam**n + 0.5 * ((1.0 + lam) / 2.0) ** n + 0.5 * ((1.0 - lam) / 2.0) ** n
    return float(out) if np.ndim(out) == 0 else out


def genuine_link_fidelity(n_users: int) -> float:
    r"""The smallest Werner link fidelity whose fused n-user GHZ state is certified genuine.

    The root in F of :func:`switch_ghz_fidelity` (F, n) =
    :data:`GHZ_GENUINE_THRESHOLD`: above it the fidelity witness certifies genuine
    multipartite entanglement.

    Parameters
    ----------
    n_users : int
        Number of users, ``>= 2``.

    Returns
    -------
    float
        The threshold link fidelity, in (1/4, 1).

    Raises
    ------
    ValueError
        ``n_users < 2``.
    TypeError
        ``n_users`` not an integer.

    Notes
    -----
    :func:`switch_ghz_fidelity` rises strictly with F on [1/4, 1], from
    :math:`2^{-n} < 1/2` to 1, so the root is unique (Brent's method to
    :math:`10^{-14}`). For two users it is :math:`(1+\sqrt3)/4`, where the
    swapped pair :math:`(3\lambda^2+1)/4` reaches 1/2.

    Examples
    --------
    >>> from qlib import genuine_link_fidelity
    >>> round(genuine_link_fidelity(2), 6)   # (1 + sqrt 3) / 4
    0.683013
    """
    n = _check_users("n_users", n_users)
    return float(brentq(lambda f: switch_ghz_fidelity(f, n) - GHZ_GENUINE_THRESHOLD, 0.25, 1.0, xtol=1e-14))


def fusion_success_probability(n_users: int, scheme: str = "deterministic") -> float:
    r"""Probability that the switch's GHZ measurement succeeds.

    Parameters
    ----------
    n_users : int
        Number of users, ``>= 2``.
    scheme : {"deterministic", "linear optics"}
        ``"deterministic"``: a switch with memories and gates (trapped ions,
        NV centres), the measurement always succeeds (1).
        ``"linear optics"``: the GHZ measurement made as n − 1 two-photon
        fusions, each a linear-optics Bell-type measurement that succeeds with
        probability 1/2: :math:`2^{1-n}`.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Unknown ``scheme``; ``n_users < 2``.
    TypeError
        ``n_users`` not an integer, ``scheme`` not a string.

    Notes
    -----
    The 1/2 is the limit of a linear-optics Bell measurement without
    ancillas (Calsamiglia & Lütkenhaus, Appl. Phys. B 72, 67 (2001)), the
    ``swap_success_probability`` the book uses for linear-optics repeaters.
    :math:`2^{1-n}` is the figure of this simplest scheme (n − 1 independent
    fusions), stated as a model, not as a bound on every linear-optics GHZ
    analyser. For n = 2 it is the Bell measurement's 1/2. Introduced in the
    chapter *Many users and memories that wait*.

    Examples
    --------
    >>> from qlib import fusion_success_probability
    >>> fusion_success_probability(3), fusion_success_probability(3, "linear optics")
    (1.0, 0.25)
    """
    n = _check_users("n_users", n_users)
    scheme = check_choice("scheme", scheme, _FUSION_SCHEMES)
    return 1.0 if scheme == "deterministic" else 0.5 ** (n - 1)


def conference_key_fraction(state: qutip.Qobj) -> float:
    r"""Asymptotic secret fraction of the N-BB84 conference key from an n-qubit state.

    .. math:: r = \max\Bigl(0,\ 1 - h(Q_X) - \max_{k\ge2} h(Q_{1k})\Bigr),

    with :math:`Q_{1k} = \mathrm{tr}\,\rho\,(I - Z_1Z_k)/2` the probability
    that user k's Z bit differs from user 1's and
    :math:`Q_X = \mathrm{tr}\,\rho\,(I - X^{\otimes n})/2` the probability that
    the parity of everyone's X outcomes is odd; h is the binary entropy.

    Parameters
    ----------
    state : qutip.Qobj
        n-qubit density matrix (n ≥ 2; a ket is accepted).

    Returns
    -------
    float
        Key bits per GHZ state measured in Z (sifting and finite size not
        counted), in [0, 1].

    Raises
    ------
    TypeError, ValueError
        ``state`` not a valid density matrix of at least 2 qubits.

    Notes
    -----
    The N-BB84 protocol: user 1 (Alice) corrects the others towards her Z
    bits (one-way error correction against the worst user), and the phase
    error is the X parity. Its asymptotic rate is the one of Grasselli,
    Kampermann and Bruß, New J. Phys. 20, 113014 (2018), reviewed by Murta et
    al., Adv. Quantum Technol. 3, 2000025 (2020) (section on the N-BB84
    protocol); for n = 2 it is the entanglement-based BB84 fraction
    :func:`qlib.secret_key_fraction`. A perfect GHZ state gives 1. Introduced
    in the chapter *Many users and memories that wait*.

    Examples
    --------
    >>> from qlib import conference_key_fraction, ghz_state
    >>> conference_key_fraction(ghz_state(3))
    1.0
    """
    rho = check_density_matrix("state", state)
    n = n_qubits_of(rho)
    if n < 2:
        raise ValueError(f"state must have at least 2 qubits, got {n}")
    eye, x, z = qutip.qeye(2), qutip.sigmax(), qutip.sigmaz()

    def expect(ops):
        return float(np.real((rho * qutip.tensor([ops.get(j, eye) for j in range(n)])).tr()))

    q_x = (1.0 - expect({j: x for j in range(n)})) / 2.0
    q_z = max((1.0 - expect({0: z, k: z})) / 2.0 for k in range(1, n))
    q_x, q_z = min(max(q_x, 0.0), 1.0), min(max(q_z, 0.0), 1.0)  # rounding of tr only
    r = 1.0 - float(binary_entropy_bits(q_x)) - float(binary_entropy_bits(q_z))
    return max(0.0, r)
