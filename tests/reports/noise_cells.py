"""A model under repeats of one frozen noise: the repeated-noise cell the report tests share."""
import pytest

import spikefit
from spikefit.data import Recording, Trace, from_array


def repeated_noise(n_repeats=4, duration=4.0, seed=1, background=0.03e-9, model="adex", name="noise_cell"):
    """``model`` (defaults) under ``n_repeats`` repeats of one frozen OU current (0.6 +- 0.25 nA,
    tau 5 ms); each repeat adds its own background noise to the current the model feels (as a
    cell's channels and synapses would), while the sweep records the frozen current only, so
    reliability is below 1."""
    frozen = spikefit.ou_noise(0.6e-9, 0.25e-9, 5e-3, 0.0, duration, duration, seed=seed)
    simulator = spikefit.get_model(model)
    sweeps = []
    for k in range(n_repeats):
        extra = spikefit.ou_noise(0.0, background, 5e-3, 0.0, duration, duration, seed=1000 * seed + k)
        felt = simulator.simulate(None, from_array(frozen.current + extra.current, frozen.dt, 0.0, duration))
        sweeps.append(Trace(felt.v, frozen, felt.spike_times, {"sweep": k}))
    return Recording(sweeps, {"cell": name})


@pytest.fixture(scope="session")
def noise_recording():
    """The default ``repeated_noise``: 4 repeats of 4 s (import it into a test module to use it)."""
    return repeated_noise()
