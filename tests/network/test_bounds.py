"""Tests for qlib.network.bounds: PLOB and TGW bounds, the hashing yield, bad input."""

import numpy as np
import pytest
import qutip

from qlib import (
    fiber_transmittance,
    hashing_yield,
    plob_bound,
    tgw_bound,
    werner_state,
)


def test_names_are_exported_flat_and_by_the_subpackage():
    import qlib
    import qlib.network
    from qlib.network import bounds as module

    assert sorted(module.__all__) == sorted([
        "plob_bound",
        "tgw_bound",
        "hashing_yield",
    ])
    for name in module.__all__:
        assert getattr(qlib, name) is getattr(module, name)
        assert getattr(qlib.network, name) is getattr(module, name)


def test_plob_at_100_and_200_km():
    # Pirandola et al., Nat. Commun. 8, 15043 (2017): -log2(1 - eta).
    eta100 = fiber_transmittance(100.0)  # 20 dB -> 0.01
    eta200 = fiber_transmittance(200.0)  # 40 dB -> 1e-4
    assert eta100 == pytest.approx(0.01, rel=1e-12)
    assert plob_bound(eta100) == pytest.approx(0.0145, abs=5e-5)
    assert plob_bound(eta100) == pytest.approx(-np.log2(0.99), rel=1e-12)
    assert plob_bound(eta200) == pytest.approx(1.4427e-4, rel=1e-4)  # ~ eta / ln 2


def test_tgw_at_least_plob_and_vectorised():
    # Takeoka, Guha, Wilde, Nat. Commun. 5, 5235 (2014): log2((1+eta)/(1-eta)).
    eta = np.linspace(0.0, 0.99, 50)
    assert np.all(tgw_bound(eta) >= plob_bound(eta))
    assert tgw_bound(0.01) == pytest.approx(np.log2(1.01 / 0.99), rel=1e-12)
    assert plob_bound(0.0) == 0.0 and tgw_bound(0.0) == 0.0
    assert plob_bound(1.0) == np.inf and tgw_bound(1.0) == np.inf
    assert isinstance(plob_bound(0.5), float)


def test_bounds_keep_precision_on_long_links():
    # 1000 km of 0.2 dB/km fibre: eta = 1e-20, PLOB ~ eta/ln 2 (Pirandola et al. 2017),
    # TGW ~ 2 eta/ln 2; a naive log2(1 - eta) would give 0.
    eta = 1e-20
    assert plob_bound(eta) == pytest.approx(eta / np.log(2), rel=1e-12)
    assert tgw_bound(eta) == pytest.approx(2 * eta / np.log(2), rel=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match=r"transmittance must be in \[0, 1\]"):
        plob_bound(1.5)
    with pytest.raises(ValueError, match="transmittance must contain only finite"):
        tgw_bound([0.1, np.nan])


# --- hashing yield: ebits per pair ---------------------------------------------


def _werner(f):
    return np.array([f, (1 - f) / 3, (1 - f) / 3, (1 - f) / 3])


def test_hashing_yield_closed_forms():
    # Bennett, DiVincenzo, Smolin, Wootters, PRA 54, 3824 (1996): D_H = 1 - S(rho).
    assert hashing_yield([1.0, 0.0, 0.0, 0.0]) == 1.0  # a perfect pair is one ebit
    assert hashing_yield([0.25] * 4) == 0.0  # two bits of entropy: nothing
    assert hashing_yield([0.5, 0.5, 0.0, 0.0]) == 0.0  # separable, S = 1
    f = 0.9
    expected = 1 + f * np.log2(f) + (1 - f) * np.log2((1 - f) / 3)
    assert hashing_yield(_werner(f)) == pytest.approx(expected, rel=1e-12)


def test_hashing_threshold_of_werner_pairs():
    # Hashing distils Werner pairs only above F = 0.8107 (Bennett et al., PRA 54, 3824 (1996)).
    from scipy.optimize import brentq

    entropy_zero = brentq(
        lambda f: 1 + f * np.log2(f) + (1 - f) * np.log2((1 - f) / 3), 0.6, 0.99
    )
    assert entropy_zero == pytest.approx(0.8107, abs=1e-4)
    assert hashing_yield(_werner(0.81)) == 0.0 and hashing_yield(_werner(0.812)) > 0.0


def test_hashing_yield_vectorised_and_from_a_state():
    batch = np.stack([_werner(f) for f in (0.7, 0.9, 1.0)])
    out = hashing_yield(batch)
    assert out.shape == (3,)
    assert out[0] == 0.0 and out[2] == 1.0
    assert hashing_yield(werner_state(0.9)) == pytest.approx(hashing_yield(_werner(0.9)), rel=1e-10)


def test_hashing_yield_bad_input():
    with pytest.raises(ValueError, match="coefficients must sum to 1"):
        hashing_yield([0.5, 0.5, 0.5, 0.0])
    with pytest.raises(ValueError, match=r"coefficients must have shape \(\.\.\., 4\)"):
        hashing_yield([1.0, 0.0])
    with pytest.raises(ValueError, match="Bell-diagonal"):
        hashing_yield(qutip.ket2dm(qutip.tensor(qutip.basis(2, 0), (qutip.basis(2, 0) + qutip.basis(2, 1)).unit())))
