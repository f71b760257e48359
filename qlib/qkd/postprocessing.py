r"""Classical post-processing of a QKD key: Cascade, verification, privacy amplification.

Run on the actual simulated bits (for instance those of :func:`qlib.simulate_bb84`):

- :func:`cascade`: the interactive error correction of Brassard & Salvail
  (EUROCRYPT '93, LNCS 765, 410 (1994)), with the block sizes of
  :func:`cascade_block_sizes`; it corrects Bob's key and counts every parity
  bit Alice discloses, returning a :class:`CascadeResult`;
- :func:`verify_keys`: a keyed BLAKE2b tag of both keys, so that residual
  errors are detected and the key discarded (:class:`Verification`);
- :func:`toeplitz_hash` (and :func:`toeplitz_matrix`): privacy amplification by
  a random Toeplitz matrix over GF(2), a 2-universal family, computed with one
  FFT convolution;
- :func:`key_budget` (a :class:`KeyBudget`) and :func:`distill_key`, the whole
  pipeline from pulses to a final key with the finite-key length of
  :func:`qlib.finite_key_length`.

Keys are 1-d ``numpy.uint8`` arrays of 0/1. Introduced in the chapter *QKD: from
photons to a secret key*.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import toeplitz
from scipy import fft as _fft

from .._validation import (
    check_bit_array,
    check_bit_pair,
    check_choice,
    check_generator,
    check_int,
    check_qber,
    check_real,
)
from .asymptotic import binary_entropy
from .finite_key import finite_key_length
from .prepare_measure import PrepareMeasureRun

__all__ = [
    "CASCADE_SCHEDULES",
    "cascade_block_sizes",
    "CascadeResult",
    "cascade",
    "Verification",
    "verify_keys",
    "toeplitz_matrix",
    "toeplitz_hash",
    "KeyBudget",
    "key_budget",
    "DistilledKey",
    "distill_key",
]

#: Block-size schedules :func:`cascade_block_sizes` knows.
CASCADE_SCHEDULES = ("original", "opt7", "opt8")
_MIN_QBER = 1e-5  # below this the first block is as if Q were 1e-5 (a block of 2^17 bits)


# --------------------------------------------------------------------------- #
# Cascade
# --------------------------------------------------------------------------- #
def cascade_block_sizes(qber, key_length, schedule="opt8", passes=None) -> tuple[int, ...]:
    r"""Block size of every Cascade pass for an estimated error rate.

    Parameters
    ----------
    qber : float
        Estimated error rate Q in [0, 0.5] (values below 1e-5 are treated as 1e-5).
    key_length : int
        Key length n ``>= 2``; no block is longer than n (passes after the
        second use n/2 in the optimised schedules).
    schedule : {"opt8", "opt7", "original"}
        ``"original"``: 4 passes, :math:`k_1 = \lceil 0.73/Q\rceil`,
        :math:`k_{i+1} = 2k_i` (Brassard & Salvail 1993). ``"opt7"``: 14 passes,
        :math:`k_1 = 2^{\lceil\log_2(1/Q)\rceil}`, :math:`k_2 = 4k_1`, then n/2.
        ``"opt8"`` (default): 14 passes, :math:`\alpha = \log_2(1/Q) - 1/2`,
        :math:`k_1 = 2^{\lceil\alpha\rceil}`, :math:`k_2 = 2^{\lceil(\alpha+12)/2\rceil}`,
        :math:`k_3 = 4096`, then n/2. The last two are "Cascade opt. (7)" and
        "(8)" of Martinez-Mateo, Pacher, Peev, Ciurana & Martin, Quantum Inf.
        Comput. 15, 453 (2015).
    passes : int, optional
        Override the number of passes (``>= 1``).

    Returns
    -------
    tuple of int

    Raises
    ------
    ValueError
        Q outside [0, 0.5], n < 2, an unknown schedule, passes < 1.

    Notes
    -----
    Introduced in the chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import cascade_block_sizes
    >>> cascade_block_sizes(0.02, 100_000)[:4]
    (64, 512, 4096, 50000)
    >>> cascade_block_sizes(0.02, 100_000, "original")
    (37, 74, 148, 296)
    """
    q = check_qber("qber", qber)
    n = check_int("key_length", key_length, minimum=2)
    schedule = check_choice("schedule", schedule, CASCADE_SCHEDULES)
    if passes is not None:
        passes = check_int("passes", passes, minimum=1)
    q = max(q, _MIN_QBER)
    half = n // 2
    if schedule == "original":
        count = 4 if passes is None else passes
        k1 = math.ceil(0.73 / q)
        sizes = [k1 * 2**i for i in range(count)]
    elif schedule == "opt7":
        count = 14 if passes is None else passes
        k1 = 2 ** math.ceil(math.log2(1.0 / q))
        sizes = [k1, 4 * k1] + [half] * (count - 2)
    else:
        count = 14 if passes is None else passes
        alpha = math.log2(1.0 / q) - 0.5
        sizes = [2 ** math.ceil(alpha), 2 ** math.ceil((alpha + 12.0) / 2.0), 4096] + [half] * (count - 3)
    return tuple(int(min(max(k, 1), n)) for k in sizes[:count])


@dataclass(frozen=True)
class CascadeResult:
    """What :func:`cascade` returns.

    Attributes
    ----------
    corrected : numpy.ndarray of uint8
        Bob's key after correction.
    leaked_bits : int
        Parity bits Alice disclosed (each counted once: a sub-block parity that
        Bob can infer from earlier disclosures is not counted again).
    errors_before, errors_corrected, residual_errors : int
        Disagreements before; bits Bob flipped; disagreements left. These use
        Alice's key, which the simulation knows and Bob does not.
    qber : float
        Actual error fraction before correction.
    efficiency : float
        :math:`f = \\text{leaked} / (n\\,h(Q))` with the actual Q (``inf`` if
        Q = 0 and bits were disclosed); the Shannon limit is f = 1.
    block_sizes : tuple of int
        Block size of each pass.
    """

    corrected: np.ndarray
    leaked_bits: int
    errors_before: int
    errors_corrected: int
    residual_errors: int
    qber: float
    efficiency: float
    block_sizes: tuple

    @property
    def success(self) -> bool:
        """No residual error (known to the simulation; Alice and Bob learn it by :func:`verify_keys`)."""
        return self.residual_errors == 0


def cascade(
    alice_key,
    bob_key,
    qber,
    *,
    schedule="opt8",
    passes=None,
    block_sizes=None,
    seed=None,
    rng=None,
) -> CascadeResult:
    r"""Correct Bob's key to Alice's with Cascade, counting the disclosed parities.

    Parameters
    ----------
    alice_key, bob_key : array_like of 0/1
        The two keys, of equal length n ``>= 2``.
    qber : float
        The *estimated* error rate in [0, 0.5] that sets the block sizes.
    schedule, passes
        Passed to :func:`cascade_block_sizes`.
    block_sizes : sequence of int, optional
        Explicit block sizes per pass (each in [1, n], n the key length),
        instead of a schedule.
    seed, rng
        Randomness for the permutations of passes 2, 3, … (pass 1 uses the key
        order); the permutations are public.

    Returns
    -------
    CascadeResult

    Raises
    ------
    ValueError
        Keys of different lengths or shorter than 2, bits other than 0/1,
        ``qber`` outside [0, 0.5], bad block sizes (below 1 or longer than the key).

    Notes
    -----
    Pass i shuffles the key with a public random permutation, cuts it into
    blocks of :math:`k_i` bits, and Alice discloses each block's parity. For
    every block whose parity differs from Bob's, BINARY halves the block,
    Alice discloses the parity of the first half, and the search goes on in
    the half whose parities differ until one wrong bit is found and flipped.
    Flipping it changes the parity of the block containing it in every
    earlier pass, so those blocks, even before, are now odd: Cascade puts them
    in a queue and corrects them in turn, smallest block first, which can
    uncover further errors (the "cascade"). Alice's disclosed parities of
    blocks and sub-blocks are remembered, so a second search through the same
    sub-block costs nothing. Each pass ends when no block of any pass done so
    far is odd. The block parities of a pass are computed at once with
    ``numpy.add.reduceat``; only the binary searches loop in Python.

    Efficiency: with n h(Q) the Shannon limit of the bits to be disclosed,
    the "opt8" schedule of Martinez-Mateo et al. (QIC 15, 453 (2015)) gives
    f ≈ 1.03 here for 10^5 bits at 2 % error and about 1.05 for 10^4 bits at
    5 % (``benchmarks/qkd.py`` prints it); the 1993 schedule about 1.13.
    Remembering Alice's sub-block parities is what keeps the back-tracking
    cheap. Introduced in the chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> import numpy as np
    >>> from qlib import cascade
    >>> rng = np.random.default_rng(0)
    >>> alice = rng.integers(0, 2, 10_000, dtype=np.uint8)
    >>> bob = alice ^ (rng.random(10_000) < 0.03).astype(np.uint8)
    >>> result = cascade(alice, bob, 0.03, seed=1)
    >>> result.residual_errors, bool(np.array_equal(result.corrected, alice))
    (0, True)
    >>> 1.0 < result.efficiency < 1.3
    True
    """
    a, b = check_bit_pair("alice_key", alice_key, "bob_key", bob_key)
    n = a.size
    if n < 2:
        raise ValueError(f"alice_key and bob_key must have at least 2 bits for Cascade, got {n}")
    q_est = check_qber("qber", qber)
    if block_sizes is None:
        sizes = cascade_block_sizes(q_est, n, schedule, passes)
    else:
        sizes = tuple(check_int("block_sizes[i]", k, minimum=1) for k in block_sizes)
        if not sizes:
            raise ValueError("block_sizes must hold at least one block size, got an empty sequence")
        for i, k in enumerate(sizes):
            if k > n:
                raise ValueError(f"block_sizes[{i}] must be in [1, {n}] (the key length), got {k}")
    gen = check_generator(seed, rng)

    bob = b.copy()
    errors_before = int(np.count_nonzero(a != b))
    perms, positions, a_perm, b_perm = [], [], [], []
    a_par, b_par, known = [], [], []
    leaked = 0
    flipped = 0
    queue: list[tuple[int, int, int]] = []

    def flip(j):
        """Bob flips original bit j; update every pass's permuted copy and block parity."""
        bob[j] ^= 1
        for q in range(len(perms)):
            pos = positions[q][j]
            b_perm[q][pos] ^= 1
            blk = pos // sizes[q]
            b_par[q][blk] ^= 1
            if b_par[q][blk] != a_par[q][blk]:
                heapq.heappush(queue, (sizes[q], q, blk))

    for i, k in enumerate(sizes):
        perm = np.arange(n) if i == 0 else gen.permutation(n)
        pos = np.empty(n, dtype=np.int64)
        pos[perm] = np.arange(n)
        ap, bp = a[perm], bob[perm]
        starts = np.arange(0, n, k)
        apar = (np.add.reduceat(ap, starts) & 1).astype(np.uint8)
        bpar = (np.add.reduceat(bp, starts) & 1).astype(np.uint8)
        leaked += starts.size
        perms.append(perm)
        positions.append(pos)
        a_perm.append(ap)
        b_perm.append(bp)
        a_par.append(apar)
        b_par.append(bpar)
        known.append({})
        for blk in np.flatnonzero(apar != bpar):
            heapq.heappush(queue, (k, i, int(blk)))
        while queue:
            _, p, blk = heapq.heappop(queue)
            if a_par[p][blk] == b_par[p][blk]:
                continue  # corrected meanwhile (an even number of errors left in it)
            kp = sizes[p]
            lo, hi = blk * kp, min(blk * kp + kp, n)
            ap_p, bp_p, cache = a_perm[p], b_perm[p], known[p]
            parent = int(a_par[p][blk])
            while hi - lo > 1:
                mid = (lo + hi) // 2
                left = cache.get((lo, mid))
                if left is None:
                    left = int(np.count_nonzero(ap_p[lo:mid])) & 1
                    cache[(lo, mid)] = left
                    cache[(mid, hi)] = parent ^ left  # Bob infers the other half
                    leaked += 1
                if (int(np.count_nonzero(bp_p[lo:mid])) & 1) != left:
                    hi, parent = mid, left
                else:
                    lo, parent = mid, parent ^ left
            flip(int(perms[p][lo]))
            flipped += 1

    residual = int(np.count_nonzero(a != bob))
    q_true = errors_before / n
    h = float(binary_entropy(q_true))
    efficiency = leaked / (n * h) if h > 0 else (math.inf if leaked else math.nan)
    return CascadeResult(
        corrected=bob,
        leaked_bits=int(leaked),
        errors_before=errors_before,
        errors_corrected=int(flipped),
        residual_errors=residual,
        qber=float(q_true),
        efficiency=float(efficiency),
        block_sizes=sizes,
    )


# --------------------------------------------------------------------------- #
# Verification
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Verification:
    """Result of :func:`verify_keys`.

    Attributes
    ----------
    match : bool
        The two tags agree (the keys are kept); ``False``: the key is discarded.
    alice_tag, bob_tag : bytes
        The tags.
    tag_bits : int
        Tag length t, disclosed to Eve.
    collision_probability : float
        :math:`2^{-t}`, the probability that two different keys get equal tags.
    """

    match: bool
    alice_tag: bytes
    bob_tag: bytes
    tag_bits: int
    collision_probability: float


def verify_keys(alice_key, bob_key, *, tag_bits=64, seed=None, rng=None) -> Verification:
    r"""Compare two keys through short keyed hashes (BLAKE2b), to catch residual errors.

    Parameters
    ----------
    alice_key, bob_key : array_like of 0/1
        The corrected keys, of equal length.
    tag_bits : int
        Tag length t, a multiple of 8 in [8, 512].
    seed, rng
        Randomness for the 32-byte hash key Alice picks and announces.

    Returns
    -------
    Verification

    Raises
    ------
    ValueError
        Keys of different lengths, bits other than 0/1, a bad tag length.

    Notes
    -----
    Alice picks a fresh random hash key after error correction, and both compute
    ``hashlib.blake2b(packed key bits, key=hash_key, digest_size=t/8)``; Alice
    sends her tag and Bob compares (``hmac.compare_digest``). Because the hash key
    is chosen after the keys are fixed, two different keys collide with
    probability :math:`2^{-t}`, treating keyed BLAKE2b as a pseudo-random
    function: a computational, not information-theoretic, guarantee. An
    information-theoretic :math:`\varepsilon_{\rm cor}` uses a universal hash
    family instead (for example a polynomial hash over a prime field, collision
    probability at most (blocks)/(field size)). The default t = 64 gives
    5.4e-20, below the :math:`\varepsilon_{\rm cor} = 10^{-15}` of
    :func:`qlib.finite_key_length`. The tag is disclosed, so it is leaked
    information: the term :math:`\log_2(2/(\varepsilon_{\rm sec}^2\varepsilon_{\rm
    cor}))` of :func:`qlib.finite_key_length` contains the
    :math:`\log_2(1/\varepsilon_{\rm cor})` bits (49.8 for
    :math:`\varepsilon_{\rm cor} = 10^{-15}`) of the verification hash in the
    protocol of Tomamichel, Lim, Gisin & Renner, Nat. Commun. 3, 634 (2012); a
    longer tag leaks its excess :math:`t - \log_2(1/\varepsilon_{\rm cor})`, which
    :func:`distill_key` adds to the error-correction leakage. Introduced in the
    chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import verify_keys
    >>> verify_keys([0, 1, 1, 0], [0, 1, 1, 0], seed=0).match
    True
    >>> verify_keys([0, 1, 1, 0], [0, 1, 0, 0], seed=0).match
    False
    """
    a, b = check_bit_pair("alice_key", alice_key, "bob_key", bob_key)
    t = check_int("tag_bits", tag_bits)
    if not (8 <= t <= 512 and t % 8 == 0):
        raise ValueError(f"tag_bits must be a multiple of 8 in [8, 512], got {t}")
    gen = check_generator(seed, rng)
    hash_key = gen.bytes(32)

    def tag(bits):
        data = np.packbits(bits).tobytes() + bits.size.to_bytes(8, "little")
        return hashlib.blake2b(data, key=hash_key, digest_size=t // 8).digest()

    ta, tb = tag(a), tag(b)
    return Verification(
        match=hmac.compare_digest(ta, tb),
        alice_tag=ta,
        bob_tag=tb,
        tag_bits=t,
        collision_probability=2.0**-t,
    )


# --------------------------------------------------------------------------- #
# Privacy amplification: Toeplitz hashing
# --------------------------------------------------------------------------- #
def _toeplitz_inputs(input_length, output_length, seed, rng):
    n = check_int("input_length", input_length, minimum=1)
    m = check_int("output_length", output_length, minimum=0)
    if m > n:
        raise ValueError(f"output_length must be in [0, {n}] (the input length), got {m}")
    gen = check_generator(seed, rng)
    return n, m, gen.integers(0, 2, size=n + m - 1, dtype=np.uint8) if n + m > 1 else np.zeros(0, np.uint8)


def toeplitz_matrix(input_length, output_length, *, seed=None, rng=None) -> np.ndarray:
    r"""The explicit m × n Toeplitz matrix :func:`toeplitz_hash` multiplies by (for checks, small sizes).

    :math:`T_{ij} = t_{\,i - j + n - 1}` for random bits :math:`t_0, …, t_{n+m-2}`
    drawn from ``seed``/``rng`` exactly as :func:`toeplitz_hash` draws them.

    Parameters
    ----------
    input_length : int
        n ``>= 1``.
    output_length : int
        m in [0, n].
    seed, rng
        Randomness (the same seed gives the same matrix).

    Returns
    -------
    numpy.ndarray of uint8, shape (m, n)

    Raises
    ------
    ValueError
        m > n or non-integer sizes.

    Notes
    -----
    Introduced in the chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import toeplitz_matrix
    >>> toeplitz_matrix(4, 2, seed=1).shape
    (2, 4)
    """
    n, m, t = _toeplitz_inputs(input_length, output_length, seed, rng)
    if m == 0:
        return np.zeros((0, n), dtype=np.uint8)
    return toeplitz(t[n - 1 :], t[n - 1 :: -1]).astype(np.uint8)


def toeplitz_hash(key, output_length, *, seed=None, rng=None) -> np.ndarray:
    r"""Privacy amplification: multiply the key by a random Toeplitz matrix over GF(2).

    .. math::

        y_i = \bigoplus_{j=0}^{n-1} t_{\,i-j+n-1}\,x_j, \qquad i = 0, …, m-1,

    the middle of the integer convolution :math:`(t * x)`, reduced mod 2.

    Parameters
    ----------
    key : array_like of 0/1
        The n-bit corrected key, n ``>= 1``.
    output_length : int
        Final key length m in [0, n] (from :func:`qlib.finite_key_length`).
    seed, rng
        Randomness for the n + m − 1 bits defining the matrix; they are
        announced publicly. Same seed, same matrix.

    Returns
    -------
    numpy.ndarray of uint8
        The m-bit final key.

    Raises
    ------
    ValueError
        Bits other than 0/1, ``output_length`` outside [0, n].

    Notes
    -----
    Random Toeplitz matrices form a 2-universal family of hash functions
    (Krawczyk, CRYPTO '94; Mansour, Nisan & Tiwari, STOC '90): for two different
    inputs, :math:`P[Tx = Tx'] = 2^{-m}`. By the leftover hash lemma the output
    is then :math:`\varepsilon`-close to a uniform key unknown to Eve when m is
    below Eve's min-entropy by :math:`2\log_2(1/\varepsilon)`, which
    :func:`qlib.finite_key_length` builds in. The product is one FFT convolution
    (real FFTs, ``scipy.fft``) of the 0/1 vectors, exact after rounding for
    keys up to about 10^8 bits, so 10^6 bits take milliseconds instead of the
    10^12 operations of a dense product. Introduced in the chapter *QKD: from
    photons to a secret key*.

    Examples
    --------
    >>> import numpy as np
    >>> from qlib import toeplitz_hash, toeplitz_matrix
    >>> x = np.array([1, 0, 1, 1, 0, 1], dtype=np.uint8)
    >>> y = toeplitz_hash(x, 3, seed=5)
    >>> bool(np.array_equal(y, toeplitz_matrix(6, 3, seed=5) @ x % 2))
    True
    """
    x = check_bit_array("key", key)
    if x.size == 0:
        raise ValueError("key must hold at least 1 bit, got an empty key")
    n, m, t = _toeplitz_inputs(x.size, output_length, seed, rng)
    if m == 0:
        return np.zeros(0, dtype=np.uint8)
    size = t.size + x.size - 1  # the full linear convolution, by real FFTs of a fast length
    length = _fft.next_fast_len(size, real=True)
    conv = _fft.irfft(_fft.rfft(t.astype(np.float64), length) * _fft.rfft(x.astype(np.float64), length), length)[:size]
    middle = conv[n - 1 : n - 1 + m]
    return (np.rint(middle).astype(np.int64) & 1).astype(np.uint8)


# --------------------------------------------------------------------------- #
# The key-length budget and the whole pipeline
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class KeyBudget:
    r"""How many bits survive each step, from pulses to the final key (:func:`key_budget`).

    Attributes
    ----------
    pulses, detected, sifted : float
        Pulses sent, pulses Bob detected, sifted bits.
    sample : float
        Sifted bits disclosed for error estimation (k).
    key_bits : float
        Sifted bits left for the key, n = sifted − sample.
    qber_estimate : float
        Error rate estimated on the sample.
    leak_ec : float
        Bits disclosed by error correction (from :func:`distill_key`: Cascade's
        parities plus the verification tag's excess over
        :math:`\log_2(1/\varepsilon_{\rm cor})` bits).
    privacy_amplification : float
        Bits removed by privacy amplification: n − leak_ec − final (Eve's
        information from the error rate, its statistical margin, and the
        security terms), or n − leak_ec if nothing is left.
    final_length : int
        Secret-key bits, :func:`qlib.finite_key_length` rounded down.
    eps_sec, eps_cor : float
        Secrecy and correctness parameters used.
    """

    pulses: float
    detected: float
    sifted: float
    sample: float
    key_bits: float
    qber_estimate: float
    leak_ec: float
    privacy_amplification: float
    final_length: int
    eps_sec: float
    eps_cor: float

    @property
    def after_error_correction(self) -> float:
        """Key bits minus the bits disclosed by error correction."""
        return self.key_bits - self.leak_ec

    @property
    def secret_fraction(self) -> float:
        """Final bits per key bit, final_length / key_bits."""
        return self.final_length / self.key_bits if self.key_bits else 0.0

    def rows(self) -> list[tuple[str, float]]:
        """The budget as (stage, bits) rows, for tables and figures."""
        return [
            ("pulses sent", self.pulses),
            ("detected by Bob", self.detected),
            ("sifted", self.sifted),
            ("after disclosing the sample", self.key_bits),
            ("after error correction", self.after_error_correction),
            ("final secret key", float(self.final_length)),
        ]


def key_budget(
    pulses, detected, sifted, sample, qber_estimate, leak_ec, *, eps_sec=1e-10, eps_cor=1e-15
) -> KeyBudget:
    r"""The key-length budget of a run, ending in the finite-key length of Tomamichel et al.

    Parameters
    ----------
    pulses, detected, sifted : float
        Counts (may be expected values, rounded to whole bits for the final
        length), with pulses ≥ detected ≥ sifted ≥ 0.
    sample : float
        Sifted bits disclosed for estimation, k in [1, sifted − 1].
    qber_estimate : float
        Error rate found in the sample, in [0, 0.5].
    leak_ec : float
        Bits disclosed by error correction, ≥ 0 (e.g. ``CascadeResult.leaked_bits``).
    eps_sec, eps_cor : float
        Passed to :func:`qlib.finite_key_length`.

    Returns
    -------
    KeyBudget

    Raises
    ------
    ValueError
        Counts out of order or negative, a sample too small or leaving no key,
        QBER outside [0, 0.5], negative leakage.

    Notes
    -----
    The final length is :func:`qlib.finite_key_length` (n = sifted − sample,
    k = sample) of Tomamichel, Lim, Gisin & Renner, Nat. Commun. 3, 634 (2012),
    floored to an integer; it is 0 when no key can be extracted. Introduced in the
    chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import key_budget
    >>> b = key_budget(10**7, 10**6, 5 * 10**5, 5 * 10**4, 0.02, 70_000)
    >>> b.key_bits, b.final_length > 0
    (450000.0, True)
    """
    values = {}
    for name, v in (("pulses", pulses), ("detected", detected), ("sifted", sifted), ("sample", sample)):
        values[name] = check_real(name, v)
        if values[name] < 0:
            raise ValueError(f"{name} must be >= 0, got {values[name]!r}")
    if not values["pulses"] >= values["detected"] >= values["sifted"]:
        raise ValueError(
            "counts must satisfy pulses >= detected >= sifted, got "
            f"{values['pulses']!r}, {values['detected']!r}, {values['sifted']!r}"
        )
    k, s = values["sample"], values["sifted"]
    if not 1 <= k < s:
        raise ValueError(
            f"sample must be in [1, sifted) = [1, {s!r}) so that bits are left to estimate "
            f"and to keep, got {k!r}; the key is too short to estimate"
        )
    q = check_qber("qber_estimate", qber_estimate)
    leak = check_real("leak_ec", leak_ec)
    if leak < 0:
        raise ValueError(f"leak_ec must be >= 0, got {leak!r}")
    n = s - k
    # finite_key_length counts whole bits: expected (fractional) counts are rounded
    final = int(math.floor(finite_key_length(int(round(n)), max(int(round(k)), 1), q, leak_ec=leak,
                                             eps_sec=eps_sec, eps_cor=eps_cor)))
    return KeyBudget(
        pulses=values["pulses"],
        detected=values["detected"],
        sifted=s,
        sample=k,
        key_bits=n,
        qber_estimate=q,
        leak_ec=leak,
        privacy_amplification=max(n - leak - final, 0.0),
        final_length=final,
        eps_sec=float(eps_sec),
        eps_cor=float(eps_cor),
    )


@dataclass(frozen=True)
class DistilledKey:
    """End-to-end result of :func:`distill_key`.

    Attributes
    ----------
    alice_key, bob_key : numpy.ndarray of uint8
        The final secret keys (empty if the run was aborted).
    budget : KeyBudget
        Bits at every stage.
    reconciliation : CascadeResult or None
        The error correction (``None`` if aborted before it).
    verification : Verification or None
        The hash comparison after error correction.
    aborted : str or None
        Why no key was produced (QBER too high, verification failed, nothing
        left after privacy amplification), or ``None``.
    """

    alice_key: np.ndarray
    bob_key: np.ndarray
    budget: KeyBudget
    reconciliation: CascadeResult | None
    verification: Verification | None
    aborted: str | None

    @property
    def keys_agree(self) -> bool:
        """Alice's and Bob's final keys are identical and non-empty."""
        return self.alice_key.size > 0 and bool(np.array_equal(self.alice_key, self.bob_key))


def distill_key(
    run: PrepareMeasureRun,
    *,
    eps_sec=1e-10,
    eps_cor=1e-15,
    schedule="opt8",
    tag_bits=64,
    seed=None,
    rng=None,
) -> DistilledKey:
    r"""Turn a simulated run into a final secret key: Cascade, verification, Toeplitz hashing.

    Parameters
    ----------
    run : PrepareMeasureRun
        Output of :func:`qlib.simulate_bb84` (any protocol), with a non-empty
        sample and at least 2 key bits.
    eps_sec, eps_cor : float
        Security parameters for :func:`qlib.finite_key_length`.
    schedule : str
        Cascade block-size schedule (:func:`cascade_block_sizes`).
    tag_bits : int
        Verification tag length t (:func:`verify_keys`), at least
        :math:`\log_2(1/\varepsilon_{\rm cor})` (49.8 for the default
        :math:`\varepsilon_{\rm cor}`; default 64).
    seed, rng
        Randomness for Cascade's permutations, the hash key and the Toeplitz
        matrix (all public).

    Returns
    -------
    DistilledKey

    Raises
    ------
    TypeError
        ``run`` is not a :class:`qlib.PrepareMeasureRun`.
    ValueError
        A run whose sample is empty or leaves fewer than 2 key bits (too short
        to estimate or correct); a tag shorter than :math:`\log_2(1/\varepsilon_{\rm
        cor})`, which cannot give the correctness :math:`\varepsilon_{\rm cor}`.

    Notes
    -----
    Steps: (1) abort if the estimated QBER leaves no key even with ideal error
    correction (leakage n h(Q), the Shannon limit, plus the tag's excess; the budget then shows that leakage); (2) Cascade with the estimated QBER; (3) verify
    with a t-bit tag, abort on a mismatch; (4) the final length from
    :func:`key_budget` with the bits Cascade disclosed; (5) both apply the same
    Toeplitz hash. Cascade's leakage is counted exactly. The t-bit tag is
    disclosed too: the security term of :func:`qlib.finite_key_length` already
    contains the :math:`\log_2(1/\varepsilon_{\rm cor})` bits of the verification
    hash of Tomamichel et al. (2012), so the excess
    :math:`t - \log_2(1/\varepsilon_{\rm cor})` (14.2 bits for t = 64 and
    :math:`\varepsilon_{\rm cor} = 10^{-15}`) is added to the leakage
    (``budget.leak_ec`` is Cascade's parities plus this excess). The length is the BB84
    bound of Tomamichel et al. for single photons: it is conservative for the
    six-state protocol, it is not a security proof for B92 (which needs its own
    analysis), and for weak coherent pulses it ignores the multi-photon pulses
    Eve can split (:func:`qlib.pns_known_fraction`), which decoy-state analyses
    bound. Introduced in the chapter *QKD: from photons to a secret key*.

    Examples
    --------
    >>> from qlib import simulate_bb84, distill_key
    >>> run = simulate_bb84(400_000, depolarizing=0.04, seed=7)
    >>> out = distill_key(run, seed=8)
    >>> out.keys_agree, out.aborted, out.budget.final_length == out.alice_key.size
    (True, None, True)
    """
    if not isinstance(run, PrepareMeasureRun):
        raise TypeError(f"run must be a qlib.PrepareMeasureRun (from simulate_bb84), got {type(run).__name__}")
    counts = run.counts
    if counts["sample"] < 1 or counts["key"] < 2:
        raise ValueError(
            f"run must have a sample of at least 1 bit and at least 2 key bits, got sample "
            f"{counts['sample']} and key {counts['key']}: the key is too short to estimate"
        )
    t = check_int("tag_bits", tag_bits)
    cor = check_real("eps_cor", eps_cor)
    if not 0.0 < cor < 1.0:
        raise ValueError(f"eps_cor must be in (0, 1), got {cor!r}")
    tag_excess = t - math.log2(1.0 / cor)  # tag bits beyond those the log2(1/eps_cor) term covers
    if tag_excess < 0:
        raise ValueError(
            f"tag_bits must be >= log2(1/eps_cor) = {math.log2(1.0 / cor):.1f} for eps_cor = {cor!r}, "
            f"got {t}: a shorter tag cannot give that correctness"
        )
    gen = check_generator(seed, rng)
    q = run.qber_estimate

    def budget(leak):
        return key_budget(counts["pulses"], counts["detected"], counts["sifted"], counts["sample"],
                          min(q, 0.5), leak, eps_sec=eps_sec, eps_cor=eps_cor)

    empty = np.zeros(0, dtype=np.uint8)
    ideal_leak = counts["key"] * float(binary_entropy(min(q, 0.5))) + tag_excess  # the Shannon limit
    if q > 0.5 or budget(ideal_leak).final_length == 0:
        return DistilledKey(empty, empty, budget(ideal_leak), None, None,
                            f"estimated QBER {q:.4f} leaves no secret key, even with ideal "
                            "error correction")
    rec = cascade(run.alice_key, run.bob_key, q, schedule=schedule, rng=gen)
    ver = verify_keys(run.alice_key, rec.corrected, tag_bits=tag_bits, rng=gen)
    b = budget(float(rec.leaked_bits) + tag_excess)
    if not ver.match:
        return DistilledKey(empty, empty, b, rec, ver, "verification failed: residual errors after Cascade")
    if b.final_length == 0:
        return DistilledKey(empty, empty, b, rec, ver, "no secret key left after error-correction leakage")
    matrix_seed = int(gen.integers(0, 2**63 - 1))
    alice = toeplitz_hash(run.alice_key, b.final_length, seed=matrix_seed)
    bob = toeplitz_hash(rec.corrected, b.final_length, seed=matrix_seed)
    return DistilledKey(alice, bob, b, rec, ver, None)
