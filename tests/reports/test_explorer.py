import matplotlib

matplotlib.use("Agg")

import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import spikefit
from spikefit.features.metrics import gamma_factor
from spikefit.reports.explorer import (EXPLORER_FEATURES, format_scores, make_state, score, slider_specs,
                                       update)

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "lif_tutorial.ipynb"

# The LIF given the squid axon's membrane (100 pF, 30 nS, rest -65 mV) and a slower reset:
# it fires at about 100 Hz against the axon's 70 Hz at 1 nA, so Gamma is defined.
MATCHED = dict(C=100e-12, g_L=30e-9, E_L=-65e-3, V_th=-52e-3, V_reset=-65e-3, t_ref=8e-3)


def lif_step_spikes(p, amplitude, on, off):
    """Spike times (s) of a LIF at rest from ``on`` under a step to ``off``, in closed form:
    the first after tau ln((V_inf - E_L)/(V_inf - V_th)), then every t_ref + tau ln((V_inf -
    V_reset)/(V_inf - V_th))."""
    tau, v_inf = p["C"] / p["g_L"], p["E_L"] + amplitude / p["g_L"]
    first = tau * math.log((v_inf - p["E_L"]) / (v_inf - p["V_th"]))
    period = p["t_ref"] + tau * math.log((v_inf - p["V_reset"]) / (v_inf - p["V_th"]))
    times = on + first + period * np.arange(int((off - on) / period) + 2)
    return times[times <= off]


@pytest.fixture(scope="module")
def state():
    return make_state("lif", target="hh", amplitude=1e-9)


def test_scores_change_when_parameters_change(state):
    default = update(state, draw=False)
    matched = update(state, draw=False, **MATCHED)
    assert default["target"] is matched["target"]  # one target simulation per current
    # the default LIF fires too fast for Gamma at 4 ms: NaN, and the reason says so
    assert math.isnan(default["scores"]["gamma"]) and "2 * rate * delta < 1" in default["reasons"]["gamma"]
    # the LIF integrates exactly: its spikes are the closed form's, and Gamma is theirs
    stim = matched["trace"].stimulus
    on = np.flatnonzero(stim.current)
    expected = lif_step_spikes(MATCHED, 1e-9, on[0] * stim.dt, (on[-1] + 1) * stim.dt)
    assert matched["trace"].spike_times == pytest.approx(expected, abs=1e-9)
    gamma = gamma_factor(model=expected, data=matched["target"].spike_times, delta=state.delta,
                         duration=stim.duration)
    assert 0 < matched["scores"]["gamma"] == pytest.approx(gamma, abs=1e-9)
    assert matched["scores"]["spike_count_error"] < default["scores"]["spike_count_error"]
    assert abs(matched["scores"]["voltage_base_error"]) < 1e-4 < abs(default["scores"]["voltage_base_error"])
    assert set(matched["scores"]) == {"gamma", "subthreshold_error", *(f"{f}_error" for f in EXPLORER_FEATURES)}
    assert list(matched["features"].index) == ["model", "target"]
    assert matched["params"]["t_ref"] == pytest.approx(8e-3) and state.params["t_ref"] == pytest.approx(2e-3)


def test_a_lif_fires_only_with_enough_current(state):
    from brian2 import pA

    below = update(state, 100 * pA, draw=False)  # under the LIF's rheobase g_L (V_th - E_L) = 200 pA
    above = update(state, 500e-12, draw=False)
    assert below["trace"].spike_times.size == 0 and below["amplitude"] == pytest.approx(100e-12)
    assert above["trace"].spike_times.size > 10
    assert above["trace"].current.max() == pytest.approx(500e-12)
    assert above["target"].current.max() == pytest.approx(500e-12)  # the target gets the same step
    assert math.isnan(below["scores"]["gamma"]) and below["reasons"]["gamma"] == "neither trace has a spike"


def test_bad_parameter_names_and_values_raise(state):
    with pytest.raises(ValueError, match="unknown parameter 'tau' for lif .*Known: C, g_L"):
        update(state, tau=20e-3)
    with pytest.raises(ValueError, match="unknown parameter 'V_thresh' for lif; did you mean V_th"):
        update(state, V_thresh=-50e-3)
    with pytest.raises(ValueError, match="V_reset < V_th must hold"):
        update(state, V_reset=-40e-3)
    with pytest.raises(ValueError, match="was a current in pA or nA passed as A"):
        update(state, 1.0)
    with pytest.raises(ValueError, match="unknown model 'lifx'"):
        make_state("lifx")
    with pytest.raises(ValueError, match="delta must be > 0"):
        make_state(delta=0.0)


def test_figure_draws_model_over_target(state):
    import matplotlib.pyplot as plt

    result = update(state, **MATCHED)
    ax_v, ax_i = result["figure"].axes
    assert [line.get_label() for line in ax_v.lines] == ["hh (target)", "lif"]
    assert "Gamma = 0." in ax_v.get_title()
    assert ax_i.lines[0].get_ydata().max() == pytest.approx(1000.0)
    plt.close(result["figure"])


def test_format_scores_prints_gamma_and_feature_errors_in_display_units(state):
    text = format_scores(update(state, draw=False, **MATCHED))
    assert text.startswith("Gamma (Delta = 4 ms): 0.")
    assert "subthreshold error:" in text and " mV" in text
    for name in EXPLORER_FEATURES:
        assert name in text


def test_slider_specs_come_from_parameter_specs_in_display_units(state):
    specs = {s["name"]: s for s in slider_specs(state)}
    assert list(specs) == ["C", "g_L", "E_L", "V_th", "V_reset", "t_ref", "amplitude"]
    assert specs["C"] == pytest.approx(dict(specs["C"], unit="pF", value=200.0, low=20.0, high=1000.0, log=True))
    assert (specs["E_L"]["unit"], specs["E_L"]["value"], specs["E_L"]["log"]) == ("mV", -70.0, False)
    assert (specs["amplitude"]["unit"], specs["amplitude"]["value"]) == ("pA", 1000.0)


def test_a_fixed_target_trace_keeps_its_stimulus():
    target = spikefit.get_model("hh").simulate(None, spikefit.step(1e-9, 0.05, 0.25, 0.3))
    fixed = make_state("lif", target=target, params=MATCHED)
    result = update(fixed, draw=False)
    assert result["target"] is target and result["trace"].stimulus is target.stimulus
    assert "amplitude" not in [s["name"] for s in slider_specs(fixed)]
    with pytest.raises(ValueError, match="amplitude cannot be set when the target is a Trace"):
        update(fixed, 2e-9)
    scores, _, _ = score(result["trace"], target)
    assert scores == pytest.approx(result["scores"], nan_ok=True)


def test_explore_builds_sliders_that_call_update(capsys):
    pytest.importorskip("ipywidgets", reason="ipywidgets is an optional extra (spikefit[explore])")
    from spikefit.reports.explorer import explore

    box = explore("lif", target="hh", params=MATCHED)
    sliders = box.children[1:-1]
    assert [s.description for s in sliders] == ["C (pF)", "g_L (nS)", "E_L (mV)", "V_th (mV)",
                                               "V_reset (mV)", "t_ref (ms)", "amplitude (pA)"]
    assert sliders[0].value == pytest.approx(100.0)
    capsys.readouterr()
    sliders[4].value = -30.0  # V_reset above V_th: the rule is printed, nothing raises
    assert "not simulated: V_reset < V_th must hold" in capsys.readouterr().out
    sliders[4].value = -70.0
    assert "Gamma (Delta = 4 ms)" in capsys.readouterr().out


def test_explore_without_ipywidgets_says_how_to_install_it(monkeypatch):
    from spikefit.reports.explorer import explore

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import fails as if not installed
    with pytest.raises(ImportError, match=r'pip install "spikefit\[explore\]"'):
        explore()


@pytest.mark.slow  # starts a kernel: about 10 s, more on a busy machine
def test_lif_tutorial_notebook_runs_headless(tmp_path, monkeypatch):
    missing = [m for m in ("nbclient", "nbformat", "ipykernel", "ipywidgets") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"running the notebook needs {', '.join(missing)} (pip install nbclient nbformat "
                    "ipykernel ipywidgets)")
    import nbformat
    from nbclient import NotebookClient

    # A kernel spec of this interpreter under a name of its own, so that no other "python3"
    # kernel on the machine is picked; no browser and no widget frontend are involved.
    spec = tmp_path / "jupyter" / "kernels" / "spikefit-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "spikefit test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="spikefit-test",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert not [o for o in outputs if o.output_type == "error"]
    assert "largest voltage difference" in text and text.count("Gamma (Delta = 4 ms)") >= 2
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 2
