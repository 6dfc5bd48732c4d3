"""What the command tests compare against: eFEL called directly on a trace."""
import efel
import numpy as np
import pytest


@pytest.fixture
def efel_features():
    """``features(trace, names, window_s, threshold_V)``: eFEL's values (ms, mV) of one trace."""
    def features(trace, names, window=None, threshold=-0.02):
        start, stop = window if window is not None else (trace.stimulus.start, trace.stimulus.stop)
        efel.set_setting("Threshold", threshold * 1e3)
        try:
            [values] = efel.get_feature_values(
                [{"T": np.arange(trace.v.size) * trace.dt * 1e3, "V": trace.v * 1e3,
                  "stim_start": [start * 1e3], "stim_end": [stop * 1e3]}], list(names), raise_warnings=False)
        finally:
            efel.reset()
        return {name: None if values[name] is None else values[name][0] for name in names}

    return features
