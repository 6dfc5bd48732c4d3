"""What was read from a recording, sweep by sweep, as text (``spikefit inspect`` prints it)."""
from __future__ import annotations

import numpy as np

from .trace import Recording


def describe(recording: Recording) -> str:
    """A table of the recording's cell and sweeps: rate, window, holding, step amplitude, resting potential, spikes."""
    meta = recording.metadata
    lines = [f"cell {meta.get('cell')} ({meta.get('format')}): {len(recording)} sweeps from {meta.get('source')}"]
    known = [f"{k} {meta[k]}" for k in ("species", "cell_type") if meta.get(k)]
    if known:
        lines.append("; ".join(known))
    lines.append(f"liquid-junction potential applied: {meta.get('ljp_applied', 0.0) * 1e3:g} mV; "
                 f"stimulus: {meta.get('stimulus_mode')}")
    width = max([5] + [len(str(t.metadata.get("sweep_name", i))) for i, t in enumerate(recording)])
    lines.append(f"{'#':>3} {'sweep':>{width}} {'protocol':<24} {'kHz':>6} {'ms':>7} {'window (ms)':>17} "
                 f"{'hold (pA)':>9} {'step (pA)':>9} {'Vrest (mV)':>10} {'spikes':>6}")
    lines += [_row(i, trace, width) for i, trace in enumerate(recording)]
    return "\n".join(lines)


def _row(i: int, trace, width: int) -> str:
    stim, meta = trace.stimulus, trace.metadata
    window = "-" if stim.start is None else f"{stim.start * 1e3:.1f}-{stim.stop * 1e3:.1f}"
    hold, amp = stim.metadata.get("holding"), stim.metadata.get("amplitude")
    # Resting potential: the median before the stimulus window (or over the whole sweep).
    before = trace.v[:max(1, int(round((stim.start or stim.duration) / trace.dt)))]
    spikes = "?" if trace.spike_times is None else str(len(trace.spike_times))
    return (f"{i:>3} {str(meta.get('sweep_name', i)):>{width}} {str(meta.get('protocol'))[:24]:<24} "
            f"{1e-3 / trace.dt:>6.4g} {stim.duration * 1e3:>7.1f} {window:>17} {_pa(hold):>9} {_pa(amp):>9} "
            f"{np.median(before) * 1e3:>10.1f} {spikes:>6}")


def _pa(value) -> str:
    return "-" if value is None else str(int(round(value * 1e12)))
