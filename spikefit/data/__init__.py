"""Stimuli, traces and recordings: the data every other part of spikefit works on."""
from .stimulus import Stimulus, from_array, ou_noise, pulse_train, ramp, step, step_protocol
from .trace import Recording, Trace
from .loaders import load
from .raw import RecordingError
from .sources import REFERENCES, resolve

__all__ = [
    "Stimulus", "Trace", "Recording",
    "step", "step_protocol", "ramp", "pulse_train", "ou_noise", "from_array",
    "load", "RecordingError", "resolve", "REFERENCES",
]
