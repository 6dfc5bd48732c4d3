"""Constants that several rooms share, each with its reason; SI units."""

GAMMA_WINDOW = 4e-3
"""s: coincidence window of Gamma. The 2009 spike-timing competition's (Gerstner and Naud 2009),
where the models and the references of spikefit are compared; the 2007/2008 competitions used
2 ms."""

SPIKE_THRESHOLD = -0.02
"""V: voltage whose upward crossing is a spike. eFEL's default ``Threshold`` (-20 mV), so that the
spike trains of the metrics and eFEL's features count the same spikes; a reset model draws each
spike above it (``models.kernel_tools.DRAWN_SPIKE_PEAK``)."""

EFEL_INTERP_STEP = 1e-4
"""s: eFEL's default ``interp_step`` (0.1 ms), the grid eFEL interpolates every trace on; the fast
features replicate it to agree with eFEL to the last bit."""
