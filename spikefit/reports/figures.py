"""Figures of traces, in the units people read: ms, mV, pA."""
from __future__ import annotations

from pathlib import Path


def plot_trace(trace, path=None, title: str = ""):
    """Plot membrane potential (mV) over injected current (pA) against time (ms).

    Spike times are marked above the voltage. Returns the matplotlib Figure, and saves it to
    ``path`` when given (the format follows the suffix: .png, .pdf, .svg).
    """
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, (ax_v, ax_i) = plt.subplots(2, 1, sharex=True, figsize=(8, 4.5),
                                     gridspec_kw={"height_ratios": [3, 1]})
    t_ms = trace.time * 1e3
    ax_v.plot(t_ms, trace.v * 1e3, lw=0.8, color="k")
    if trace.spike_times is not None and trace.spike_times.size:
        top = trace.v.max() * 1e3 + 5
        ax_v.plot(trace.spike_times * 1e3, [top] * trace.spike_times.size, "|", color="C3", ms=8,
                  label=f"{trace.spike_times.size} spikes")
        ax_v.legend(loc="upper right", frameon=False)
    ax_v.set_ylabel("V (mV)")
    ax_v.set_title(title)
    return finish_with_current(fig, ax_v, ax_i, trace, path)


def finish_with_current(fig, ax_v, ax_i, trace, path=None):
    """Draw the injected current (pA) under a voltage axis, tidy both, save to ``path`` if
    given (then the figure is closed); returns the Figure."""
    import matplotlib.pyplot as plt

    ax_i.plot(trace.time * 1e3, trace.current * 1e12, lw=0.8, color="C0")
    ax_i.set_ylabel("I (pA)")
    ax_i.set_xlabel("time (ms)")
    for ax in (ax_v, ax_i):
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    if path is not None:
        fig.savefig(Path(path), dpi=120)
        plt.close(fig)
    return fig
