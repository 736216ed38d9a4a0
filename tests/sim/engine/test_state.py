"""The state helpers: quicker numpy forms that give the numbers of the plain ones, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.engine.state import zero_nonfinite

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, width=64)


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=6), elements=ANY_FLOAT))
def test_zero_nonfinite_gives_nan_to_num_s_bits_in_place(values):
    expected = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    result = zero_nonfinite(values)
    assert result is values
    assert expected.tobytes() == result.tobytes()  # -0.0 stays -0.0
