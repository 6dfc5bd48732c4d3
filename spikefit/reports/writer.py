"""The report of a model comparison: one HTML page, the same in Markdown, and files for scripts.

``write_report(comparison, directory)`` writes

``index.html``
    One self-contained page (inline CSS; no scripts, fonts or external links) with the
    figures beside it as PNG files, referenced by relative paths.
``report.md``
    The same content in Markdown.
``scores.csv``
    ``comparison.table`` as it is.
``results.json``
    Parameters with their SI units, scores, paired tests, headline, settings, fits' wall
    times and failure counts, failed fits and why; NaN is written as null.

The page and the Markdown are rendered from one list of sections (``report_sections``) so that
they say the same thing.
"""
from __future__ import annotations

import html
import json
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import comparison_figures as figures

HTML_NAME, MARKDOWN_NAME, CSV_NAME, JSON_NAME = "index.html", "report.md", "scores.csv", "results.json"

SCORE_METRICS = (("gamma", "Gamma"), ("objective", "objective"), ("fi_error", "f-I error (Hz)"),
                 ("explained_variance", "explained variance"), ("n_missing", "missing"))
"""Metrics of the score table, each held-out and training."""

BOLD_BEST = ("gamma", "objective", "fi_error", "explained_variance")
"""Metrics whose best held-out value of a cell the score table shows in bold."""

WORST_FEATURES = 3
"""Features listed per cell and model under "Where each model fails"."""


# -- document blocks: what both renderers draw -------------------------------------------------

@dataclass(frozen=True)
class Strong:
    """Table cell text shown in bold (the best model of a cell)."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple, ...]
    id: str | None = None
    caption: str = ""
    numeric: tuple[int, ...] = ()
    """Columns right-aligned (numbers)."""


@dataclass(frozen=True)
class Figure:
    src: str
    alt: str
    caption: str


@dataclass(frozen=True)
class Preformatted:
    summary: str
    text: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple


# -- writing --------------------------------------------------------------------------------------

def write_report(comparison, directory, force: bool = False) -> list[Path]:
    """Write the report of ``comparison`` into ``directory``; returns the paths written.

    Parameters
    ----------
    comparison : Comparison
    directory : str or path
        Created when missing (with its parents).
    force : bool
        Write into a directory that already holds files: the report's files are overwritten,
        other files are left as they are.

    Raises
    ------
    ValueError
        ``directory`` is a file, or holds files and ``force`` is False.
    """
    directory = Path(directory)
    check_directory(directory, force)
    directory.mkdir(parents=True, exist_ok=True)
    written, drawn = [], {}
    for name, draw, _, _ in figure_plan(comparison):
        try:
            written.append(draw(directory / name))
            drawn[name] = None
        except Exception as error:  # noqa: BLE001 - the rest of the report still stands
            message = f"{type(error).__name__}: {error}"
            warnings.warn(f"figure {name} of the report could not be drawn: {message}", RuntimeWarning, stacklevel=2)
            drawn[name] = message
    sections = report_sections(comparison, drawn)
    title = _title(comparison)
    pages = {HTML_NAME: render_html(title, sections), MARKDOWN_NAME: render_markdown(title, sections)}
    for name, text in pages.items():
        (directory / name).write_text(text, encoding="utf-8")
        written.append(directory / name)
    comparison.table.to_csv(directory / CSV_NAME, index=False)
    written.append(directory / CSV_NAME)
    (directory / JSON_NAME).write_text(json.dumps(results(comparison), indent=1, allow_nan=False) + "\n",
                                       encoding="utf-8")
    written.append(directory / JSON_NAME)
    return written


def check_directory(directory, force: bool = False, override: str = "force=True") -> None:
    """Raise ValueError unless a report may be written into ``directory``: it is new or empty,
    or ``force`` is True; never a file. ``write_report`` checks this first; a caller about to
    spend minutes on a comparison can check it before. ``override`` names the way out in the
    message (``--force`` on the command line)."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"a report is written into a directory, got {str(directory)!r}, which is a file")
    if force or not directory.exists():
        return
    present = sorted(p.name for p in directory.iterdir())
    if present:
        shown = ", ".join(present[:8]) + (f", ... ({len(present)} entries)" if len(present) > 8 else "")
        raise ValueError(f"the report directory must be new or empty unless {override}, got {str(directory)!r} "
                         f"holding {shown}")


def figure_plan(comparison) -> list[tuple]:
    """(file name, draw(path) -> path, alt text, caption) of every figure of the report."""
    plan = []
    for cell, name in _trace_files(comparison).items():
        plan.append((name, lambda path, cell=cell: figures.plot_traces(comparison, path, cell),
                     f"traces of {cell}: recording and fitted models",
                     f"{cell}: the recording (black) and each fitted model on "
                     + "; ".join(label for label, _ in figures.trace_sweeps(comparison.splits[cell]))))
    plan += [
        ("fi_curves.png", lambda path: figures.plot_fi_curves(comparison, path), "f-I curves per cell",
         "f-I curves: firing rate in the stimulus window against step amplitude; filled markers are "
         "training amplitudes, open markers held-out ones."),
        ("feature_errors.png", lambda path: figures.plot_feature_errors(comparison, path),
         "feature errors (mean held-out |z|) by model",
         "Feature errors: mean |z| of each feature on held-out sweeps, per model, averaged over cells "
         "(dots: single cells; dashed: the cap)."),
        ("history.png", lambda path: figures.plot_history(comparison, path),
         "optimisation history: best objective so far per cell",
         "Optimisation history: the best objective so far against completed trials, one panel per cell."),
    ]
    if len(comparison.cells) > 1:
        plan.append(("score_distributions.png", lambda path: figures.plot_score_distributions(comparison, path),
                     "held-out Gamma, objective and f-I error across cells",
                     "Held-out scores across cells: a box per model, a dot per cell, lines join one cell's models."))
    return plan


def _trace_files(comparison) -> dict[str, str]:
    names: dict[str, str] = {}
    for cell in comparison.cells:
        stem = "traces_" + (re.sub(r"[^A-Za-z0-9_.-]+", "_", cell).strip("._") or "cell")
        name, k = f"{stem}.png", 2
        while name in names.values():
            name, k = f"{stem}_{k}.png", k + 1
        names[cell] = name
    return names


# -- content ------------------------------------------------------------------------------------

def report_sections(comparison, drawn: dict | None = None) -> list[Section]:
    """The report's sections; ``drawn`` maps a figure's file name to None (drawn) or the error
    that stopped it (left out: every figure counts as drawn)."""
    return [_headline(comparison), _failures_by_feature(comparison), _scores(comparison), _tests(comparison),
            _figures(comparison, drawn), _parameters(comparison), _fits(comparison), _failed(comparison),
            _settings(comparison)]


def _title(comparison) -> str:
    return f"spikefit model comparison: {', '.join(comparison.models)} on {len(comparison.cells)} cell(s)"


def _headline(comparison) -> Section:
    settings = comparison.settings
    models = f"Models {', '.join(comparison.models)} were" if len(comparison.models) > 1 else \
        f"Model {comparison.models[0]} was"
    intro = (f"{models} fitted to the training sweeps of "
             f"{len(comparison.cells)} cell(s) ({', '.join(comparison.cells)}) with the same objective "
             f"({settings.get('objective', 'n/a')}), budget ({settings.get('n_trials', 'n/a')} completed trials) and "
             f"seed ({settings.get('seed', 'n/a')}), and scored on held-out sweeps no fit saw.")
    sentences = comparison.headline() if len(comparison.models) > 1 else []
    blocks = [Paragraph(intro), Items(tuple(sentences)) if sentences else
              Paragraph("One model: there is no pair of models to compare.")]
    if comparison.failed:
        blocks.append(Paragraph(f"{len(comparison.failed)} fit(s) failed: see 'Failed fits'."))
    return Section("headline", "Headline", tuple(blocks))


def worst_features(comparison, n: int = WORST_FEATURES) -> dict[tuple[str, str], list[tuple[str, float]]]:
    """(cell, model) -> the ``n`` features with the largest held-out |z|, largest first."""
    table = comparison.table
    rows = table[(table["split"] == "test") & table["metric"].str.startswith("feature_z:")].dropna(subset=["value"])
    out = {}
    for (cell, model), group in rows.groupby(["cell", "model"], sort=False):
        top = group.sort_values("value", ascending=False, kind="stable").head(n)
        out[(cell, model)] = [(m.split(":", 1)[1], float(v)) for m, v in zip(top["metric"], top["value"])]
    return out


def _failures_by_feature(comparison) -> Section:
    worst, lines = worst_features(comparison), []
    missing = _values(comparison, "n_missing", "test")
    for cell in comparison.cells:
        for model in comparison.models:
            if (cell, model) in comparison.failed:
                lines.append(f"{model} on {cell}: the fit failed ({comparison.failed[(cell, model)].error})")
                continue
            features = worst.get((cell, model))
            if not features:
                continue
            text = ", ".join(f"{name} |z| = {_number(z, 2)}" for name, z in features)
            n_missing = missing.get((cell, model), math.nan)
            if math.isfinite(n_missing) and n_missing > 0:
                text += f"; {_number(n_missing)} held-out value(s) it could not produce"
            lines.append(f"{model} on {cell}: {text}")
    from ..fitting.objectives import MAX_Z

    intro = (f"Per cell and model, the {WORST_FEATURES} features with the largest mean |z| on held-out sweeps "
             f"(|z|: error in units of the recording's spread across repeats, capped at {MAX_Z:g}).")
    listed = Items(tuple(lines)) if lines else Paragraph("No held-out feature scores.")
    return Section("failures", "Where each model fails", (Paragraph(intro), listed))


def _values(comparison, metric: str, split: str) -> dict[tuple[str, str], float]:
    table = comparison.table
    rows = table[(table["metric"] == metric) & (table["split"] == split)]
    return {(c, m): float(v) for c, m, v in zip(rows["cell"], rows["model"], rows["value"])}


def _scores(comparison) -> Section:
    from .scoring import HIGHER_IS_BETTER

    header = ["cell", "model", "fit"]
    columns = []
    for metric, label in SCORE_METRICS:
        for split, split_label in (("test", "held-out"), ("train", "training")):
            header.append(f"{label}, {split_label}")
            columns.append((metric, split, _values(comparison, metric, split)))
    rows = []
    for cell in comparison.cells:
        best = {}
        for metric, split, values in columns:
            finite = {m: values[(cell, m)] for m in comparison.models
                      if math.isfinite(values.get((cell, m), math.nan))}
            if split == "test" and metric in BOLD_BEST and len(set(finite.values())) > 1:
                pick = max if HIGHER_IS_BETTER.get(metric, False) else min
                target = pick(finite.values())
                best[metric] = {m for m, v in finite.items() if v == target}
        for model in comparison.models:
            status = "failed" if (cell, model) in comparison.failed else "ok" if (cell, model) in comparison.fits \
                else "missing"
            row = [cell, model, status]
            for metric, split, values in columns:
                text = _number(values.get((cell, model), math.nan))
                row.append(Strong(text) if split == "test" and model in best.get(metric, ()) else text)
            rows.append(tuple(row))
    caption = ("Scores per cell and model on held-out and training sweeps; bold: the best held-out value of a cell. "
               "Gamma and explained variance: higher is better; objective, f-I error and missing feature values: "
               "lower is better.")
    return Section("scores-section", "Scores", (Table(tuple(header), tuple(rows), id="scores", caption=caption,
                                                      numeric=tuple(range(3, len(header)))),))


def _tests(comparison) -> Section:
    if len(comparison.models) < 2:
        return Section("tests", "Paired tests", (Paragraph("One model: nothing to test."),))
    tests = comparison.all_tests()
    header = ("metric", "split", "model a", "model b", "cells", "a better", "b better", "median a - b",
              "Wilcoxon W", "p", "p (BH)")
    rows = tuple((r.metric, _split_label(r.split), r.model_a, r.model_b, str(r.n_cells), str(r.a_better),
                  str(r.b_better), _number(r.median_difference), _number(r.statistic), _number(r.p),
                  _number(r.p_bh)) for r in tests.itertuples())
    caption = ("Two-sided paired Wilcoxon signed-rank tests over cells, one per pair of models and held-out metric; "
               "p (BH): Benjamini-Hochberg adjusted within a metric. 'a better' counts the cells where model a "
               "scores better in the metric's direction.")
    return Section("tests", "Paired tests", (Table(header, rows, caption=caption, numeric=tuple(range(4, 11))),))


def _figures(comparison, drawn) -> Section:
    blocks = []
    for name, _, alt, caption in figure_plan(comparison):
        error = (drawn or {}).get(name)
        if error:
            blocks.append(Paragraph(f"Figure {name} could not be drawn: {error}"))
        else:
            blocks.append(Figure(name, alt, caption))
    return Section("figures", "Figures", tuple(blocks))


def _parameters(comparison) -> Section:
    from ..data.units import to_display
    from ..models import get_model

    blocks = [Paragraph("Best parameters of each fit, in display units (results.json has them in SI).")]
    for model in comparison.models:
        header = ("parameter", "unit") + tuple(comparison.cells) + ("meaning",)
        rows = []
        for spec in get_model(model).parameters:
            row = [spec.name, to_display(1.0, spec.unit)[1]]
            for cell in comparison.cells:
                fit = comparison.fits.get((cell, model))
                value = fit.params.get(spec.name, math.nan) if fit is not None else math.nan
                row.append(_number(to_display(value, spec.unit)[0], 4))
            row.append(spec.doc)
            rows.append(tuple(row))
        blocks.append(Table(header, tuple(rows), caption=model, numeric=tuple(range(2, 2 + len(comparison.cells)))))
    return Section("parameters", "Fitted parameters", tuple(blocks))


def _fits(comparison) -> Section:
    header = ("cell", "model", "wall time (s)", "completed trials", "best objective", "refined", "failed trials")
    rows = []
    for cell in comparison.cells:
        for model in comparison.models:
            fit = comparison.fits.get((cell, model))
            if fit is None:
                continue
            counts = ", ".join(f"{k} {v}" for k, v in fit.failures.items()) or "none"
            rows.append((cell, model, _number(fit.wall_time), str(len(fit.history)), _number(fit.score),
                         "yes" if fit.refined else "no", counts))
    caption = "What each fit cost, and the trials it could not score (by reason)."
    if not rows:
        return Section("fits", "Fits", (Paragraph("No fit finished."),))
    return Section("fits", "Fits", (Table(header, tuple(rows), caption=caption, numeric=(2, 3, 4)),))


def _failed(comparison) -> Section:
    if not comparison.failed:
        return Section("failed", "Failed fits", (Paragraph("None: every fit finished."),))
    rows = tuple((cell, model, failure.error) for (cell, model), failure in comparison.failed.items())
    blocks = [Paragraph(f"{len(rows)} fit(s) failed; they have no scores, parameters or figures."),
              Table(("cell", "model", "error"), rows, id="failed-fits")]
    blocks += [Preformatted(f"details: {model} on {cell}", failure.details)
               for (cell, model), failure in comparison.failed.items() if failure.details]
    return Section("failed", "Failed fits", tuple(blocks))


def _settings(comparison) -> Section:
    settings = _public_settings(comparison.settings)
    versions = settings.pop("versions", {}) or {}
    rows = []
    for key, value in settings.items():
        text = f"{_number(value)} s" if key == "wall_time" and isinstance(value, (int, float)) else str(value)
        rows.append((key, text))
    for cell, split in comparison.splits.items():
        rows.append((f"sweeps of {cell}", f"train {list(split.train)}, held out {list(split.test)}"))
    return Section("settings", "Settings and versions", (
        Table(("setting", "value"), tuple(rows)),
        Table(("package", "version"), tuple((k, str(v)) for k, v in versions.items()))))


def _public_settings(settings) -> dict:
    """``settings`` with the password of a storage URL hidden (a report gets shared)."""
    out = dict(settings)
    if isinstance(out.get("storage"), str):
        out["storage"] = re.sub(r"(://[^:/@]+:)[^@/]*@", r"\1***@", out["storage"])
    return out


def _split_label(split: str) -> str:
    return {"test": "held-out", "train": "training"}.get(split, split)


def _number(value, digits: int = 3) -> str:
    """Text of a number for tables: 3 significant digits, whole numbers as such, "-" for none."""
    if value is None:
        return "-"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(value):
        return "-"
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.{digits}g}"


# -- results.json ---------------------------------------------------------------------------------

def results(comparison) -> dict:
    """What ``results.json`` holds, as plain JSON values (NaN and infinities as None)."""
    from ..models import get_model

    units = {m: {p.name: p.unit for p in get_model(m).parameters} for m in comparison.models}
    parameters: dict = {}
    fits: dict = {}
    for (cell, model), fit in comparison.fits.items():
        parameters.setdefault(cell, {})[model] = {
            name: {"value": value, "unit": units.get(model, {}).get(name, "")} for name, value in fit.params.items()}
        fits.setdefault(cell, {})[model] = {
            "wall_time": fit.wall_time, "unit": "s", "completed_trials": len(fit.history), "score": fit.score,
            "objective": list(fit.objective), "refined": fit.refined, "failures": dict(fit.failures),
            "timings": dict(fit.timings), "study_name": fit.study_name}
    tests = comparison.all_tests().to_dict(orient="records") if len(comparison.models) > 1 else []
    out = {
        "models": list(comparison.models),
        "cells": list(comparison.cells),
        "splits": {cell: {"train": list(s.train), "test": list(s.test)} for cell, s in comparison.splits.items()},
        "headline": comparison.headline() if len(comparison.models) > 1 else [],
        "parameters": parameters,
        "scores": comparison.table.to_dict(orient="records"),
        "tests": tests,
        "fits": fits,
        "failed": [{"cell": cell, "model": model, "error": f.error, "details": f.details}
                   for (cell, model), f in comparison.failed.items()],
        "settings": _public_settings(comparison.settings),
    }
    return jsonable(out)


def jsonable(value):
    """``value`` with numpy and pandas scalars as Python ones, tuples as lists, keys as text
    and non-finite floats as None."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


# -- rendering --------------------------------------------------------------------------------------

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 2rem auto; max-width: 78rem; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
nav a { margin-right: 0.8rem; color: #1f5fa0; text-decoration: none; }
table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; font-size: 0.85rem; }
th, td { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafafa; }
caption { caption-side: top; text-align: left; font-size: 0.85rem; color: #555; padding-bottom: 0.3rem; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.85rem; color: #555; }
pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; font-size: 0.8rem; }
.scroll { overflow-x: auto; }
td:first-child, td:nth-child(2) { white-space: nowrap; }
"""


def render_html(title: str, sections: list[Section]) -> str:
    """One self-contained page: inline CSS, every text escaped, images by relative path."""
    e = _escape
    nav = " ".join(f'<a href="#{e(s.id)}">{e(s.title)}</a>' for s in sections)
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{e(title)}</title>",
             f"<style>{CSS}</style>", "</head>", "<body>", f"<h1>{e(title)}</h1>", f"<nav>{nav}</nav>"]
    for section in sections:
        parts.append(f'<section id="{e(section.id)}">')
        parts.append(f"<h2>{e(section.title)}</h2>")
        parts += [_html_block(block) for block in section.blocks]
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _html_block(block) -> str:
    e = _escape
    if isinstance(block, Paragraph):
        return f"<p>{e(block.text)}</p>"
    if isinstance(block, Items):
        return "<ul>\n" + "\n".join(f"<li>{e(item)}</li>" for item in block.items) + "\n</ul>"
    if isinstance(block, Figure):
        return (f'<figure><img src="{e(block.src)}" alt="{e(block.alt)}">'
                f"<figcaption>{e(block.caption)}</figcaption></figure>")
    if isinstance(block, Preformatted):
        return f"<details><summary>{e(block.summary)}</summary><pre>{e(block.text)}</pre></details>"
    if isinstance(block, Table):
        ident = f' id="{e(block.id)}"' if block.id else ""
        lines = [f'<div class="scroll"><table{ident}>']
        if block.caption:
            lines.append(f"<caption>{e(block.caption)}</caption>")
        lines.append("<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in block.header) + "</tr></thead>")
        lines.append("<tbody>")
        for row in block.rows:
            cells = []
            for k, cell in enumerate(row):
                css = ' class="num"' if k in block.numeric else ""
                text = f"<strong>{e(cell.text)}</strong>" if isinstance(cell, Strong) else e(str(cell))
                cells.append(f"<td{css}>{text}</td>")
            lines.append("<tr>" + "".join(cells) + "</tr>")
        lines += ["</tbody>", "</table></div>"]
        return "\n".join(lines)
    raise TypeError(f"unknown report block {type(block).__name__}")


def _escape(text) -> str:
    return html.escape(str(text), quote=True)


def render_markdown(title: str, sections: list[Section]) -> str:
    """The same sections in Markdown (CommonMark with pipe tables)."""
    parts = [f"# {_md(title)}", ""]
    for section in sections:
        parts += [f"## {_md(section.title)}", ""]
        for block in section.blocks:
            parts += [_markdown_block(block), ""]
    return "\n".join(parts)


def _markdown_block(block) -> str:
    if isinstance(block, Paragraph):
        return _md(block.text)
    if isinstance(block, Items):
        return "\n".join(f"- {_md(item)}" for item in block.items)
    if isinstance(block, Figure):
        return f"![{_md(block.alt)}]({block.src})\n\n{_md(block.caption)}"
    if isinstance(block, Preformatted):
        fence = "```"
        while fence in block.text:
            fence += "`"
        return f"{_md(block.summary)}:\n\n{fence}\n{block.text.rstrip()}\n{fence}"
    if isinstance(block, Table):
        text = markdown_table(block.header, block.rows, block.numeric)
        return f"{_md(block.caption)}\n\n{text}" if block.caption else text
    raise TypeError(f"unknown report block {type(block).__name__}")


def markdown_table(header, rows, numeric=()) -> str:
    """A pipe table, columns padded to their widest cell; the ``numeric`` columns (indices)
    right-aligned."""
    def cell(value) -> str:
        if isinstance(value, Strong):
            return f"**{_md(value.text, table=True)}**" if value.text else ""
        return _md(str(value), table=True)

    grid = [[cell(h) for h in header]] + [[cell(v) for v in row] for row in rows]
    widths = [max(3, *(len(line[k]) for line in grid)) for k in range(len(header))]

    def line(values) -> str:
        return "| " + " | ".join(v.rjust(w) if k in numeric else v.ljust(w)
                                 for k, (v, w) in enumerate(zip(values, widths))) + " |"

    rule = "| " + " | ".join(("-" * (w - 1) + ":") if k in numeric else "-" * w
                             for k, w in enumerate(widths)) + " |"
    return "\n".join([line(grid[0]), rule] + [line(values) for values in grid[1:]])


_MD_SPECIAL = re.compile(r"([\\`*\[\]<>#])")
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def _md(text: str, table: bool = False) -> str:
    """Markdown-escaped text: emphasis, code, links and HTML characters; underscores outside
    words (names such as time_to_first_spike stay readable); pipes and newlines in tables."""
    text = _MD_UNDERSCORE.sub(r"\\_", _MD_SPECIAL.sub(r"\\\1", str(text)))
    if table:
        text = text.replace("|", "\\|").replace("\n", " ")
    return text
