"""Private input checks shared by every qlib module.

Every public function in qlib refuses bad input up front with an error that
names the parameter exactly as the public signature does, states the rule that
failed, and shows the value received, e.g. ``p must be in [0, 1], got 1.3``.
Nothing is clamped silently and NaN is always refused.

These helpers are private (leading underscore) but stable enough for other
qlib modules to use. They return the checked value in a canonical form
(``float``, ``numpy.ndarray`` or ``qutip.Qobj``) so callers can use it directly.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
import qutip

__all__: list[str] = []

#: Absolute tolerance for Hermiticity, unit trace and positivity checks.
ATOL = 1e-8


def _fmt(value) -> str:
    """Short, readable representation of a received value for error messages."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, threshold=8, precision=6)
        return f"array {text}"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _type_name(value) -> str:
    return type(value).__name__


# ---------------------------------------------------------------------------
# Real numbers and arrays
# ---------------------------------------------------------------------------


def check_real(name: str, value) -> float:
    """Return ``value`` as a finite real ``float``.

    Refuses booleans, complex numbers and non-numbers (``TypeError``) and NaN or
    infinity (``ValueError``). A 0-d numpy array is accepted.
    """
    if type(value) is float and math.isfinite(value):  # the common case, decided at once
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, not a bool, got {value!r}")
    if isinstance(value, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be a real number, not complex, got {value!r}")
    if not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number, got {_fmt(value)} of type {_type_name(value)}"
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return value


def check_real_array(name: str, value) -> float | np.ndarray:
    """Return ``value`` as a finite real float (scalar input) or float ndarray.

    Scalars (Python or numpy, or 0-d arrays) come back as ``float``; lists,
    tuples and arrays come back as a float ``numpy.ndarray``. Booleans,
    complex values, objects and strings raise ``TypeError``; NaN or infinity
    anywhere raises ``ValueError``.
    """
    if np.isscalar(value) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return check_real(name, value)
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a real number or array, got {value!r}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be a real number or array, got {_fmt(value)}") from exc
    if arr.dtype == bool:
        raise TypeError(f"{name} must hold real numbers, not bools, got {_fmt(arr)}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, not complex, got {_fmt(arr)}")
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(
            f"{name} must be a real number or array of real numbers, got {_fmt(value)}"
        )
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        bad = float(arr[~np.isfinite(arr)][0])
        raise ValueError(f"{name} must contain only finite real numbers, got {bad!r} in {_fmt(arr)}")
    return arr


def _check_range(name, value, lo, hi, lo_text, hi_text):
    """Range check shared by scalar and array helpers (value already real)."""
    if type(value) is float and (lo is None or value >= lo) and (hi is None or value <= hi):
        return
    arr = np.asarray(value)
    bad = np.zeros(arr.shape, dtype=bool)
    if lo is not None:
        bad |= arr < lo
    if hi is not None:
        bad |= arr > hi
    if np.any(bad):
        first = float(arr[bad].flat[0]) if arr.ndim else float(arr)
        if lo is not None and hi is not None:
            rule = f"in [{lo_text}, {hi_text}]"
        elif lo is not None:
            rule = f">= {lo_text}"
        else:
            rule = f"<= {hi_text}"
        where = "" if arr.ndim == 0 else " (all elements)"
        raise ValueError(f"{name} must be {rule}{where}, got {first!r}")


def check_probability(name: str, value) -> float:
    """Return ``value`` as a float in [0, 1]; refuse anything else.

    >>> check_probability("p", 0.25)
    0.25
    """
    value = check_real(name, value)
    _check_range(name, value, 0.0, 1.0, "0", "1")
    return value


def check_probability_array(name: str, value) -> float | np.ndarray:
    """Vectorised :func:`check_probability`: scalar in → float, array in → ndarray."""
    value = check_real_array(name, value)
    _check_range(name, value, 0.0, 1.0, "0", "1")
    return value


def check_qber(name: str, value) -> float:
    """Return ``value`` as a float error rate in [0, 0.5] (above 1/2 Bob would flip his bits)."""
    value = check_real(name, value)
    _check_range(name, value, 0.0, 0.5, "0", "0.5")
    return value


def check_qber_array(name: str, value) -> float | np.ndarray:
    """Vectorised :func:`check_qber`: scalar in → float, array in → ndarray."""
    value = check_real_array(name, value)
    _check_range(name, value, 0.0, 0.5, "0", "0.5")
    return value


def check_nonnegative(name: str, value) -> float:
    """Return ``value`` as a finite float ``>= 0``."""
    value = check_real(name, value)
    _check_range(name, value, 0.0, None, "0", None)
    return value


def check_nonnegative_array(name: str, value) -> float | np.ndarray:
    """Vectorised :func:`check_nonnegative`: scalar in → float, array in → ndarray."""
    value = check_real_array(name, value)
    _check_range(name, value, 0.0, None, "0", None)
    return value


def check_positive(name: str, value) -> float:
    """Return ``value`` as a finite float ``> 0``.

    >>> check_positive("t2_s", 0)
    Traceback (most recent call last):
    ...
    ValueError: t2_s must be > 0, got 0.0
    """
    value = check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def check_positive_array(name: str, value) -> float | np.ndarray:
    """Vectorised :func:`check_positive`: scalar in → float, array in → ndarray."""
    value = check_real_array(name, value)
    arr = np.asarray(value)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0, got {float(arr[arr <= 0].flat[0])!r}")
    return value


def check_generator(seed, rng) -> np.random.Generator:
    """One numpy Generator from ``seed`` (an int >= 0, or None) or ``rng`` (not both)."""
    if rng is not None:
        if seed is not None:
            raise ValueError(f"give seed or rng, not both, got seed={seed!r} and an rng")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        return rng
    if seed is not None:
        seed = check_int("seed", seed, minimum=0)
    return np.random.default_rng(seed)


def check_bit_array(name: str, value) -> np.ndarray:
    """Return ``value`` as a 1-d ``uint8`` array of bits 0/1 (bools accepted)."""
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-d array of bits, got shape {arr.shape}")
    if arr.dtype == bool:
        arr = arr.astype(np.uint8)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer bits 0/1, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() > 1):
        bad = int(arr[(arr < 0) | (arr > 1)][0])
        raise ValueError(f"{name} must hold only bits 0 and 1, got {bad!r}")
    return arr.astype(np.uint8, copy=False)


def check_bit_pair(alice_name: str, alice, bob_name: str, bob):
    """Two bit arrays of the same length, checked with :func:`check_bit_array`."""
    a = check_bit_array(alice_name, alice)
    b = check_bit_array(bob_name, bob)
    if a.shape != b.shape:
        raise ValueError(
            f"{alice_name} and {bob_name} must have the same length, got {a.size} and {b.size}"
        )
    return a, b


def check_int(name: str, value, *, minimum: int | None = None) -> int:
    """Return ``value`` as a Python ``int`` (refusing bools, floats and others)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer, got {_fmt(value)} of type {_type_name(value)}"
        )
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def check_qubit_index(name: str, qubit, n_qubits: int) -> int:
    """Return ``qubit`` as an int in ``range(n_qubits)``."""
    if isinstance(qubit, (bool, np.bool_)) or not isinstance(qubit, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer qubit index or None, got {_fmt(qubit)} "
            f"of type {_type_name(qubit)}"
        )
    qubit = int(qubit)
    if not 0 <= qubit < n_qubits:
        raise ValueError(
            f"{name} must be a qubit index in [0, {n_qubits - 1}] for a "
            f"{n_qubits}-qubit state, got {qubit}"
        )
    return qubit


def check_choice(name: str, value, allowed: Sequence[str]) -> str:
    """Return ``value`` if it is one of the strings in ``allowed``."""
    listing = ", ".join(repr(a) for a in allowed)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {listing}, got {_fmt(value)} of type {_type_name(value)}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {listing}, got {value!r}")
    return value


# ---------------------------------------------------------------------------
# Quantum states
# ---------------------------------------------------------------------------


def _check_qubit_dims(name: str, dims_list, n_qubits: int | None, kind: str) -> int:
    """Check a list of subsystem dimensions is all 2s (and of the right length)."""
    if any(d != 2 for d in dims_list):
        raise ValueError(
            f"{name} must be a {kind} of qubits (every subsystem of dimension 2), "
            f"got subsystem dimensions {list(dims_list)}"
        )
    n = len(dims_list)
    if n_qubits is not None and n != n_qubits:
        raise ValueError(
            f"{name} must be a {n_qubits}-qubit {kind}, got a {n}-qubit {kind} "
            f"(subsystem dimensions {list(dims_list)})"
        )
    return n


def check_ket(name: str, state, n_qubits: int | None = None) -> qutip.Qobj:
    """Check ``state`` is a normalised qubit ket and return it."""
    if not isinstance(state, qutip.Qobj):
        raise TypeError(f"{name} must be a qutip.Qobj ket, got {_type_name(state)}")
    if not state.isket:
        raise ValueError(f"{name} must be a ket, got a Qobj of type {state.type!r}")
    _check_qubit_dims(name, state.dims[0], n_qubits, "state")
    norm = float(state.norm())
    if abs(norm - 1.0) > ATOL:
        raise ValueError(f"{name} must be a normalised ket (norm 1), got norm {norm!r}")
    return state


def check_density_matrix(
    name: str, state, n_qubits: int | None = None, *, allow_ket: bool = True
) -> qutip.Qobj:
    """Check ``state`` is a valid qubit density matrix and return it.

    Parameters
    ----------
    name : str
        Parameter name used in error messages.
    state : qutip.Qobj
        A density matrix, or (if ``allow_ket``) a normalised ket, which is
        converted with ``qutip.ket2dm``.
    n_qubits : int, optional
        Required number of qubits; ``None`` accepts any number.
    allow_ket : bool
        Accept a ket in place of a density matrix.

    Raises
    ------
    TypeError
        ``state`` is not a ``qutip.Qobj``.
    ValueError
        With the rule that failed: not an operator (or ket); not made of
        qubits; wrong number of qubits; not Hermitian; trace not 1; not
        positive semidefinite. Tolerances are ``1e-8``.
    """
    if not isinstance(state, qutip.Qobj):
        raise TypeError(
            f"{name} must be a qutip.Qobj density matrix"
            f"{' or ket' if allow_ket else ''}, got {_type_name(state)}"
        )
    if state.isket:
        if not allow_ket:
            raise ValueError(f"{name} must be a density matrix, got a ket")
        return qutip.ket2dm(check_ket(name, state, n_qubits))
    if not state.isoper:
        expected = "a density matrix or ket" if allow_ket else "a density matrix"
        raise ValueError(f"{name} must be {expected}, got a Qobj of type {state.type!r}")
    dims = state.dims
    if dims[0] != dims[1]:
        raise ValueError(f"{name} must be a square density matrix, got dims {dims}")
    _check_qubit_dims(name, dims[0], n_qubits, "state")
    mat = state.full()
    herm_err = float(np.max(np.abs(mat - mat.conj().T)))
    if herm_err > ATOL:
        raise ValueError(
            f"{name} must be Hermitian (rho == rho.dag()), got max |rho - rho.dag()| = {herm_err:.3g}"
        )
    trace = complex(np.trace(mat))
    if abs(trace - 1.0) > ATOL:
        shown = trace.real if abs(trace.imag) < ATOL else trace
        raise ValueError(f"{name} must have trace 1, got trace {shown!r}")
    min_eig = float(np.min(np.linalg.eigvalsh((mat + mat.conj().T) / 2)))
    if min_eig < -ATOL:
        raise ValueError(
            f"{name} must be positive semidefinite, got minimum eigenvalue {min_eig:.6g}"
        )
    return state


#: Dimensions of a qubit register's density matrix and ket, by number of qubits
#: (QuTiP ``Dimensions`` objects, compared cheaply in :func:`density_matrix_array`).
_OPER_DIMS = {n: qutip.Qobj(np.eye(2**n), dims=[[2] * n, [2] * n])._dims for n in (1, 2)}
_KET_DIMS = {n: qutip.Qobj(np.ones((2**n, 1)), dims=[[2] * n, [1]])._dims for n in (1, 2)}


def _qubit_matrix_is_valid(mat: np.ndarray) -> bool:
    """The rules of :func:`check_density_matrix` for a 2x2 array, in closed form (Python scalars)."""
    (a, b), (c, d) = mat.tolist()
    herm = max(abs(a - a.conjugate()), abs(d - d.conjugate()), abs(b - c.conjugate()))
    off = (b + c.conjugate()) / 2  # eigenvalues of the Hermitian part, as eigvalsh sees it
    mid, half = (a.real + d.real) / 2, (a.real - d.real) / 2
    min_eig = mid - math.sqrt(half * half + abs(off) ** 2)
    return herm <= ATOL and abs(a + d - 1.0) <= ATOL and min_eig >= -ATOL


def density_matrix_array(name: str, state, n_qubits: int) -> np.ndarray:
    """Check ``state`` like :func:`check_density_matrix` and return its matrix as an ndarray.

    The fast path of the hot functions (one- and two-qubit states): the same
    rules, tolerances and error messages as :func:`check_density_matrix`
    (any failure is handed to it, so it raises its own error), but computed on
    the numpy array, without building intermediate ``Qobj``. A ket is accepted
    and returned as its projector.
    """
    if isinstance(state, qutip.Qobj):
        dims = state._dims
        if dims == _OPER_DIMS.get(n_qubits):
            mat = state.full()
            if n_qubits == 1 and _qubit_matrix_is_valid(mat):
                return mat
            if (
                n_qubits == 2
                and np.abs(mat - mat.conj().T).max() <= ATOL
                and abs(mat.trace() - 1.0) <= ATOL
                and np.linalg.eigvalsh(mat)[0] >= -ATOL
            ):
                return mat
        elif dims == _KET_DIMS.get(n_qubits):
            vec = state.full()[:, 0]
            if abs(math.sqrt(np.vdot(vec, vec).real) - 1.0) <= ATOL:
                return np.outer(vec, vec.conj())
    return check_density_matrix(name, state, n_qubits=n_qubits).full()


def n_qubits_of(state: qutip.Qobj) -> int:
    """Number of qubits of a checked qubit state."""
    return len(state.dims[0])


def check_broadcastable(**arrays) -> None:
    """Refuse array arguments whose shapes do not broadcast together, naming them.

    >>> check_broadcastable(length_km=[1.0, 2.0], attenuation_db_per_km=0.2)
    >>> check_broadcastable(a=[1.0, 2.0], b=[1.0, 2.0, 3.0])
    Traceback (most recent call last):
    ...
    ValueError: a, b must broadcast together (numpy rules), got shapes a (2,), b (3,)
    """
    shapes = {name: np.shape(value) for name, value in arrays.items()}
    try:
        np.broadcast_shapes(*shapes.values())
    except ValueError:
        names = ", ".join(shapes)
        got = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(f"{names} must broadcast together (numpy rules), got shapes {got}") from None
