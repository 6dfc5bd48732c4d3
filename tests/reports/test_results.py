"""results.json values: NaN and infinities written as null, keys as text."""
import numpy as np

from spikefit.reports.results import jsonable


def test_jsonable_writes_nan_as_null():
    value = {("a", 1): [np.float64("nan"), np.int64(2), (np.inf, True)]}
    assert jsonable(value) == {"('a', 1)": [None, 2, [None, True]]}
