"""The comparison report: files, their agreement with Comparison.table, the directory rule, and
the page as a browser shows it."""
import dataclasses
import json
import os
import re
import shutil

import numpy as np
import pandas as pd
import pytest

import spikefit
from spikefit.reports import sections, writer
from spikefit.reports.comparison import compare_models
from spikefit.reports.parallel import JobFailure
from spikefit.reports.writer import write_report

PAGES = {"index.html", "report.md", "scores.csv", "results.json"}
FIGURES = {"traces_hh.png", "traces_hh_fs.png", "fi_curves.png", "feature_errors.png", "history.png",
           "score_distributions.png", "lif_failures.png"}
FAILED = ("hh", "adex")


@pytest.fixture(scope="module")
def comparison():
    """LIF and AdEx on two built-in HH references, tiny budget (a few seconds)."""
    return compare_models(["lif", "adex"], ["hh", "hh_fs"], n_trials=32, seed=0, progress=False)


@pytest.fixture(scope="module")
def with_failure(comparison):
    """The same comparison as if AdEx's fit to hh had failed (with markup in its error)."""
    table = comparison.table
    kept = ~((table["cell"] == FAILED[0]) & (table["model"] == FAILED[1]))
    return dataclasses.replace(
        comparison, fits={k: v for k, v in comparison.fits.items() if k != FAILED},
        failed={FAILED: JobFailure("RuntimeError: boom <b>&",
                                   "Traceback (most recent call last):\nRuntimeError: boom")},
        table=table[kept].reset_index(drop=True))


@pytest.fixture(scope="module")
def report(comparison, tmp_path_factory):
    directory = tmp_path_factory.mktemp("report") / "new" / "report"  # created, parents too
    return directory, comparison.write(directory)


@pytest.fixture(scope="module")
def failed_report(with_failure, tmp_path_factory):
    directory = tmp_path_factory.mktemp("failed")
    return directory, write_report(with_failure, directory)


def test_writes_every_file(report):
    directory, paths = report
    assert {p.name for p in paths} == PAGES | FIGURES
    assert {p.name for p in directory.iterdir()} == PAGES | FIGURES
    for name in FIGURES:
        assert (directory / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_page_is_self_contained(report):
    page = (report[0] / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    for external in ("<script", "<link", "http://", "https://", "@import", "url("):
        assert external not in page
    assert set(re.findall(r'<img src="([^"]+)"', page)) == FIGURES
    assert all(f'alt="' in tag for tag in re.findall(r"<img [^>]+>", page))
    for section in ("Headline", "Where each model fails", "Scores", "Paired tests", "Figures", "Fitted parameters",
                    "Failed fits", "Settings and versions"):
        assert f"<h2>{section}</h2>" in page


def test_markdown_says_the_same(report, comparison):
    text = (report[0] / "report.md").read_text(encoding="utf-8")
    for name in FIGURES:
        assert f"({name})" in text
    for sentence in comparison.headline():
        assert sentence in text
    assert "| cell " in text and "None: every fit finished." in text


def test_scores_csv_is_the_table(report, comparison):
    written = pd.read_csv(report[0] / "scores.csv", keep_default_na=False, na_values=[""])
    table = comparison.table
    assert list(written.columns) == list(table.columns)
    for column in ("cell", "model", "split", "metric", "unit"):
        assert written[column].astype(str).tolist() == table[column].astype(str).tolist()
    np.testing.assert_allclose(written["value"], table["value"].astype(float), rtol=1e-12, equal_nan=True)


def _strict_json(path):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def test_results_json_agrees_with_the_comparison(report, comparison):
    results = _strict_json(report[0] / "results.json")
    table = comparison.table
    assert [(r["cell"], r["model"], r["split"], r["metric"], r["unit"]) for r in results["scores"]] == \
        list(zip(table["cell"], table["model"], table["split"], table["metric"], table["unit"]))
    values = np.array([np.nan if r["value"] is None else r["value"] for r in results["scores"]], dtype=float)
    np.testing.assert_allclose(values, table["value"].astype(float), rtol=1e-12, equal_nan=True)
    assert table["value"].isna().any()  # so NaN -> null was exercised
    for (cell, model), fit in comparison.fits.items():
        units = {p.name: p.unit for p in spikefit.get_model(model).parameters}
        written = results["parameters"][cell][model]
        assert {k: v["unit"] for k, v in written.items()} == {k: units[k] for k in fit.params}
        assert {k: v["value"] for k, v in written.items()} == pytest.approx(fit.params, rel=1e-12)
        assert results["fits"][cell][model]["wall_time"] == pytest.approx(fit.wall_time)
        assert results["fits"][cell][model]["failures"] == fit.failures
    assert len(results["tests"]) == len(comparison.all_tests())
    assert results["headline"] == comparison.headline()
    assert results["settings"]["versions"] == comparison.settings["versions"]
    assert results["settings"]["seed"] == 0 and results["failed"] == []


def test_each_fits_warnings_are_on_the_page(report, comparison):
    # LIF's estimate on hh puts V_th above its bound (tests/reports/test_comparison.py shows it
    # independently), so that fit warns; every warning of every fit is a row of the page's table.
    import html

    directory, _ = report
    page = (directory / "index.html").read_text(encoding="utf-8")
    warned = [(cell, model, text) for (cell, model), fit in comparison.fits.items() for text in fit.warnings]
    assert any(cell == "hh" and model == "lif" and text.startswith("start of V_th: ") for cell, model, text in warned)
    table = page.split('id="fit-warnings"')[1].split("</table>")[0]
    assert table.count("<tr>") - 1 == len(warned)  # the header row and one a warning
    for cell, model, text in warned:
        assert f"<td>{cell}</td><td>{model}</td><td>{html.escape(text, quote=True)}</td>" in table


def test_failed_fits_are_listed_with_their_reason(failed_report):
    directory, paths = failed_report
    page = (directory / "index.html").read_text(encoding="utf-8")
    assert "boom &lt;b&gt;&amp;" in page and "boom <b>" not in page
    assert re.search(r"<td>hh</td><td>adex</td><td>RuntimeError: boom &lt;b&gt;&amp;</td>", page)
    assert "boom" in (directory / "report.md").read_text(encoding="utf-8")
    results = _strict_json(directory / "results.json")
    assert [(f["cell"], f["model"], f["error"]) for f in results["failed"]] == \
        [("hh", "adex", "RuntimeError: boom <b>&")]
    assert "adex" not in results["parameters"]["hh"]
    assert {p.name for p in paths} == PAGES | FIGURES  # the figures draw around the missing fit


def test_where_each_model_fails_names_the_worst_features(report, comparison):
    table = comparison.table
    rows = table[(table["cell"] == "hh") & (table["model"] == "lif") & (table["split"] == "test")
                 & table["metric"].str.startswith("feature_z:")].dropna(subset=["value"])
    worst = rows.sort_values("value", ascending=False, kind="stable").iloc[0]
    name = worst["metric"].split(":", 1)[1]
    page = (report[0] / "index.html").read_text(encoding="utf-8")
    assert f"<li>lif on hh: {name} |z| = {worst['value']:.2g}" in page


def test_refuses_a_directory_that_holds_files(comparison, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match=r"must be new or empty unless force=True, got '.*' holding notes\.txt"):
        write_report(comparison, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(ValueError, match=r"holding notes\.txt"):
        writer.check_directory(str(tmp_path))  # what `spikefit compare` checks before fitting
    writer.check_directory(tmp_path, force=True)
    writer.check_directory(tmp_path / "new")
    with pytest.raises(ValueError, match=r"written into a directory, got '.*notes\.txt', which is a file"):
        write_report(comparison, tmp_path / "notes.txt")


def test_force_overwrites_the_report_and_keeps_other_files(comparison, tmp_path, monkeypatch):
    monkeypatch.setattr(sections, "figure_plan", lambda comparison: [])  # figures: tested above
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "index.html").write_text("old")
    paths = write_report(comparison, tmp_path, force=True)
    assert {p.name for p in paths} == PAGES
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / "index.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_figure_plan_leaves_out_distributions_for_one_cell(comparison):
    one = dataclasses.replace(comparison, splits={"hh": comparison.splits["hh"]},
                              fits={k: v for k, v in comparison.fits.items() if k[0] == "hh"})
    assert [name for name, *_ in sections.figure_plan(one)] == ["traces_hh.png", "fi_curves.png", "feature_errors.png",
                                                              "history.png"]


# -- the page in a real browser ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by selenium; skips saying what is missing."""
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install selenium): the page is not checked in a browser")
    binary = os.environ.get("SPIKEFIT_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(binary):
        pytest.skip(f"no chromium at {binary} (set SPIKEFIT_TEST_CHROMIUM): the page is not checked in a browser")
    driver_path = os.environ.get("SPIKEFIT_TEST_CHROMEDRIVER") or shutil.which("chromedriver")
    if not driver_path or not os.path.exists(driver_path):
        where = f"at {driver_path}" if driver_path else "on PATH"
        pytest.skip(f"no chromedriver {where} (set SPIKEFIT_TEST_CHROMEDRIVER): the page is not checked in a browser")
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.binary_location = binary
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except WebDriverException as error:
        pytest.skip(f"chromium ({binary}) with chromedriver ({driver_path}) did not start: {error.msg}")
    yield driver
    driver.quit()


def _images(driver):
    return driver.execute_script(
        "return Array.from(document.images).map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]);")


def _score_rows(driver):
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "table#scores tbody tr")
    return [tuple(td.text for td in row.find_elements(By.TAG_NAME, "td")[:3]) for row in rows]


def test_page_loads_in_a_browser(browser, report, comparison):
    browser.get((report[0] / "index.html").as_uri())
    images = _images(browser)
    assert {src for src, _, _ in images} == FIGURES
    assert all(complete and width > 0 for _, complete, width in images), images
    rows = _score_rows(browser)
    assert [(cell, model) for cell, model, _ in rows] == [(c, m) for c in comparison.cells for m in comparison.models]
    assert {status for *_, status in rows} == {"ok"}
    assert browser.execute_script("return document.querySelectorAll('script, link').length") == 0


def test_page_with_a_failed_fit_loads_in_a_browser(browser, failed_report):
    browser.get((failed_report[0] / "index.html").as_uri())
    assert all(complete and width > 0 for _, complete, width in _images(browser))
    assert ("hh", "adex", "failed") in _score_rows(browser)
    from selenium.webdriver.common.by import By

    assert "RuntimeError: boom <b>&" in browser.find_element(By.ID, "failed").text


@pytest.fixture(scope="module")
def noise_report(tmp_path_factory):
    """LIF and AdEx on a repeated frozen noise (the time split) beside a step reference."""
    from noise_cells import repeated_noise

    comparison = compare_models(["lif", "adex"], [repeated_noise(n_repeats=3, duration=2.0), "hh"], n_trials=16,
                                seed=0, progress=False)
    directory = tmp_path_factory.mktemp("noise")
    return directory, comparison.write(directory), comparison


def test_noise_page_loads_in_a_browser_with_every_figure(browser, noise_report):
    directory, _, comparison = noise_report
    browser.get((directory / "index.html").as_uri())
    images = _images(browser)
    assert {src for src, _, _ in images} == {name for name, *_ in sections.figure_plan(comparison)}
    assert all(complete and width > 0 for _, complete, width in images), images
    text = browser.find_element("id", "headline").text
    assert "noise_cell: split by time" in text and "hh: split by level" in text
    assert "On noise_cell the headline is held-out reliability-normalised Gamma and Md*" in text
    assert "On hh the headline is held-out feature error" in text


def test_noise_results_json_records_the_split_and_why(noise_report):
    directory, _, _ = noise_report
    splits = json.loads((directory / "results.json").read_text())["splits"]
    assert splits["noise_cell"]["kind"] == "time" and splits["noise_cell"]["train_fraction"] == 0.6
    assert "no step levels" in splits["noise_cell"]["reason"] and splits["hh"]["kind"] == "level"
