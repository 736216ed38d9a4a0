"""Trigger conditions as masks: a number is true where it is non-zero and not NaN."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.engine.triggers import as_mask

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, width=64)


@given(hnp.arrays(np.float64, st.integers(1, 8), elements=ANY_FLOAT))
def test_a_numeric_condition_is_true_where_nan_to_num_leaves_it_non_zero(values):
    expected = np.nan_to_num(values, nan=0.0) != 0  # the form it replaced
    assert as_mask(values, len(values)).tolist() == expected.tolist()


def test_scalars_integers_and_booleans_broadcast_to_the_worlds():
    assert as_mask(np.nan, 3).tolist() == [False] * 3
    assert as_mask(np.inf, 2).tolist() == [True, True]
    assert as_mask(np.array([1, 0, 2]), 3).tolist() == [True, False, True]
    assert as_mask(np.array([True, False]), 2).tolist() == [True, False]
