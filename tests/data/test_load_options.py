"""The options of spikefit.load: each bad one is refused with a message that names it."""
import pytest

from spikefit.data import load


@pytest.mark.parametrize("options, error, message", [
    ({"ljpp": 0.01}, TypeError, "unknown option 'ljpp' for spikefit.load; did you mean ljp"),
    ({"ljp": 14}, ValueError, r"ljp must be a potential within \+-0.05 V \(14 mV is ljp=0.014\), got ljp=14"),
    ({"stimulus": "ideal"}, ValueError, "stimulus must be one of recorded, smoothed, ideal_step"),
    ({"window": (0.5, 0.1)}, ValueError, r"window must satisfy 0 <= start < stop"),
    ({"window": "auto"}, ValueError, r"window must be 'detect', None or \(start, stop\)"),
    ({"protocol": 3}, ValueError, "protocol must be a name or a list of names"),
    ({"smooth_width": 0}, ValueError, "smooth_width must be > 0"),
    ({"channel_units": {0: "pA"}}, ValueError, r"steps.npz: option channel_units applies to ibw files, not to npz"),
])
def test_bad_options(steps_npz, options, error, message):
    with pytest.raises(error, match=message):
        load(steps_npz, **options)
