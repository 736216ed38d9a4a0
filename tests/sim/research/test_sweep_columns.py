"""A chunk's Arrow columns built without pandas: the same arrays ``pa.array`` makes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.research.sweep.worker import numpy_column, repeated_string


@given(
    hnp.arrays(
        dtype=st.sampled_from([np.float64, np.int64, np.int32, np.uint64]),
        shape=st.integers(0, 50),
        elements=None,
    )
)
def test_numpy_column_equals_pa_array(values):
    """Values (NaN and infinities included), type and the absence of nulls are those of ``pa.array``."""
    column = numpy_column(values)
    expected = pa.array(values)
    assert column.type == expected.type
    assert column.null_count == 0
    assert column.to_numpy(zero_copy_only=False).tobytes() == values.tobytes()
    assert column.equals(expected) or np.isnan(values.astype(np.float64)).any()


def test_numpy_column_reads_a_strided_row_and_keeps_it_alive():
    """A column of a strided view holds its own values, which outlive the array they came from."""
    block = np.arange(12, dtype=np.float64).reshape(3, 4)
    column = numpy_column(block[:, 1])
    del block
    assert column.to_pylist() == [1.0, 5.0, 9.0]


def test_numpy_column_leaves_booleans_to_pa_array():
    """Arrow packs booleans into bits: ``pa.array`` converts them."""
    values = np.array([True, False, True])
    assert numpy_column(values).equals(pa.array(values))


def test_numpy_column_swaps_a_foreign_byte_order():
    """Big-endian numbers (which ``pa.array`` refuses) become the same native column."""
    values = np.array([1.5, -2.25, np.inf], dtype=">f8")
    assert numpy_column(values).equals(pa.array(values.astype("=f8")))


@pytest.mark.parametrize(("value", "count"), [("baseline", 5), ("Sōul-東京", 3), ("", 4), ("x", 0)])
def test_repeated_string_equals_pa_array_of_the_list(value, count):
    column = repeated_string(value, count)
    assert column.equals(pa.array([value] * count, type=pa.string()))
    assert column.null_count == 0
