"""``spikefit recover``: true against recovered values, one row per searched parameter."""
from spikefit.cli import main


def test_recover_prints_true_against_recovered(capsys):
    assert main(["recover", "lif", "--trials", "300"]) == 0
    out = capsys.readouterr().out
    assert "parameter" in out and "recovered" in out and "Gamma on held-out" in out
    for name in ("C", "g_L", "E_L", "V_th", "V_reset", "t_ref"):
        assert f"\n{name:>9} " in out  # one row per free parameter


def test_recover_searches_what_it_is_told_around_the_truth_given(capsys):
    assert main(["recover", "lif", "--trials", "64", "--param", "C=150pF", "--search", "C=50pF:500pF",
                 "--search", "g_L"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()
            if line.split() and line.split()[0] in ("C", "g_L", "E_L")}
    assert set(rows) == {"C", "g_L"}  # E_L fixed at the truth, not recovered
    assert rows["C"][1:3] == ["pF", "150"]  # unit, true value

