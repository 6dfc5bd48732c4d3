"""spikefit compare from the shell: a small comparison writes its report; a used folder is refused."""
import json

from spikefit.cli import main


def test_compare_writes_the_report_and_refuses_a_used_folder(tmp_path, capsys):
    out = tmp_path / "report"
    code = main(["compare", "--target", "hh", "--target", "hh_fs", "--models", "lif,adex", "--trials", "32",
                 "--seed", "1", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "adex" in printed and "held-out scores" in printed and f"open {out}/index.html" in printed
    for name in ("index.html", "report.md", "scores.csv", "results.json"):
        assert (out / name).stat().st_size > 0
    results = json.loads((out / "results.json").read_text())
    assert results["settings"]["n_trials"] == 32 and results["settings"]["seed"] == 1

    assert main(["compare", "--target", "hh", "--models", "lif", "--trials", "8", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "must be new or empty unless --force" in error and "index.html" in error


def test_compare_names_an_unknown_model(tmp_path, capsys):
    assert main(["compare", "--models", "lif,gif", "--trials", "8", "--out", str(tmp_path / "r")]) == 2
    assert "unknown model 'gif'" in capsys.readouterr().err


def test_compare_split_option(tmp_path, capsys):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))
    from noise_cells import repeated_noise

    path = repeated_noise(n_repeats=2, duration=2.0).write(tmp_path / "noise.npz")
    out = tmp_path / "report"
    code = main(["compare", "--target", str(path), "--models", "lif", "--trials", "8", "--split", "repeat",
                 "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    split = next(iter(json.loads((out / "results.json").read_text())["splits"].values()))
    assert split["kind"] == "repeat" and split["train"] == [0] and split["test"] == [1]
    assert main(["compare", "--target", "hh", "--models", "lif", "--trials", "8", "--split", "repeat",
                 "--out", str(tmp_path / "r2")]) == 2
    assert "the repeat split leaves repeat group(s)" in capsys.readouterr().err


def test_compare_on_a_dask_scheduler_writes_the_report(tmp_path, capsys):
    import distributed

    out = tmp_path / "report"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=":0") as cluster:
        code = main(["compare", "--target", "hh_fs", "--models", "lif", "--trials", "16", "--scheduler",
                     cluster.scheduler_address, "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    results = json.loads((out / "results.json").read_text())
    assert results["settings"]["scheduler"] == cluster.scheduler_address
    assert {"index.html", "report.md", "scores.csv"} <= {p.name for p in out.iterdir()}
