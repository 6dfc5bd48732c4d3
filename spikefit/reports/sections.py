"""The sections of a comparison report: what the page and the Markdown say, as document blocks.

``report_sections`` lists them, from the headline to the settings; ``figure_plan`` lists the
figures, how each is drawn, and what its caption says. ``document`` renders the sections.
"""
from __future__ import annotations

import math
import re

from . import comparison_figures as figures
from .document import Figure, Items, Paragraph, Preformatted, Section, Strong, Table
from .results import public_settings

SCORE_METRICS = (("gamma_normalized", "normalised Gamma"), ("md_star", "Md*"), ("feature_z", "feature |z|"),
                 ("gamma", "Gamma"), ("objective", "objective"), ("fi_error", "f-I error (Hz)"),
                 ("explained_variance", "explained variance"), ("n_missing", "missing"))
"""Metrics of the score table, each held-out and training."""

BOLD_BEST = ("gamma_normalized", "md_star", "feature_z", "gamma", "objective", "fi_error", "explained_variance")
"""Metrics whose best held-out value of a cell the score table shows in bold."""

WORST_FEATURES = 3
"""Features listed per cell and model under "Where each model fails"."""


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
    if _lif_compared(comparison) and len(comparison.cells) > 1:  # one cell has no median to draw
        plan.append(("lif_failures.png", lambda path: figures.plot_lif_failures(comparison, path),
                     "how much worse LIF is than each richer model, per kind of failure",
                     "How badly LIF fits: median held-out difference to each richer model across cells, LIF minus "
                     "model (positive: LIF worse), with its 95 % bootstrap interval; one panel per kind of failure."))
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


def report_sections(comparison, drawn: dict | None = None) -> list[Section]:
    """The report's sections; ``drawn`` maps a figure's file name to None (drawn) or the error
    that stopped it (left out: every figure counts as drawn)."""
    return [_headline(comparison), _lif(comparison), _failures_by_feature(comparison), _scores(comparison),
            _tests(comparison),
            _figures(comparison, drawn), _parameters(comparison), _fits(comparison), _failed(comparison),
            _settings(comparison)]


def report_title(comparison) -> str:
    """The title of the page: the models and how many cells."""
    return f"spikefit model comparison: {', '.join(comparison.models)} on {len(comparison.cells)} cell(s)"


def _headline(comparison) -> Section:
    settings = comparison.settings
    models = f"Models {', '.join(comparison.models)} were" if len(comparison.models) > 1 else \
        f"Model {comparison.models[0]} was"
    intro = (f"{models} fitted to the training sweeps of "
             f"{len(comparison.cells)} cell(s) ({', '.join(comparison.cells)}) with the same objective "
             f"({settings.get('objective', 'n/a')}), budget ({settings.get('n_trials', 'n/a')} completed trials) and "
             f"seed ({settings.get('seed', 'n/a')}), and scored on held-out data no fit saw."
             + (" A model another one contains as a limit case (LIF) was fitted first, and its fit, written in the "
                "richer model's parameters, was a start candidate of that model's fit of the same cell; a fit "
                "that still ended above it searched again, with the same budget, with the parameters held that "
                "make it the simpler model, and kept the better (the Fits table says where)."
                if settings.get("nested") and _nested(comparison.models) else ""))
    splits = tuple(f"{cell}: split by {split.kind} ({split.reason}); {_split_parts(split)}"
                   for cell, split in comparison.splits.items())
    sentences = comparison.headline() if len(comparison.models) > 1 else []
    blocks = [Paragraph(intro), Paragraph("How each cell was split, and why:"), Items(splits),
              Items(tuple(sentences)) if sentences else Paragraph("One model: there is no pair of models to compare.")]
    if comparison.failed:
        blocks.append(Paragraph(f"{len(comparison.failed)} fit(s) failed: see 'Failed fits'."))
    return Section("headline", "Headline", tuple(blocks))


def _nested(models) -> bool:
    """Whether some model of the comparison contains another (``models.limits``)."""
    from ..models.limits import LIMITS

    return any((a, b) in LIMITS for a in models for b in models)


def _lif_compared(comparison) -> bool:
    return "lif" in comparison.models and len(comparison.models) > 1


def _lif(comparison) -> Section:
    if not _lif_compared(comparison):
        return Section("lif-failures", "How badly LIF fits",
                       (Paragraph("LIF and a richer model are not both in this comparison: nothing to measure."),))
    from . import lif_failures

    lines = lif_failures.sentences(lif_failures.lif_failures(comparison.table, comparison.models))
    return Section("lif-failures", "How badly LIF fits", (Paragraph(lif_failures.SIGN_RULE), Items(tuple(lines))))


def _split_parts(split) -> str:
    if split.fraction is not None:
        return (f"the first {split.fraction:.0%} of sweeps {list(split.train)} trained on, the rest of each held out "
                f"(time windows: no held-out sample is fitted)")
    return f"sweeps {list(split.train)} trained on, sweeps {list(split.test)} held out"


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
    caption = ("Scores per cell and model on held-out and training data; bold: the best held-out value of a cell. "
               "Normalised Gamma, Md*, Gamma and explained variance: higher is better; feature |z|, objective, f-I "
               "error and missing feature values: lower is better. Normalised Gamma and Md* need repeats.")
    return Section("scores-section", "Scores", (Table(tuple(header), tuple(rows), id="scores", caption=caption,
                                                      numeric=tuple(range(3, len(header)))),))


def _tests(comparison) -> Section:
    if len(comparison.models) < 2:
        return Section("tests", "Paired tests", (Paragraph("One model: nothing to test."),))
    tests = comparison.all_tests()
    header = ("metric", "split", "model a", "model b", "cells", "a better", "b better", "median a - b",
              "95 % interval", "Wilcoxon W", "p", "smallest p", "p (BH)")
    rows = tuple((r.metric, _split_label(r.split), r.model_a, r.model_b, str(r.n_cells), str(r.a_better),
                  str(r.b_better), _number(r.median_difference), f"{_number(r.ci_low)} to {_number(r.ci_high)}",
                  _number(r.statistic), _number(r.p), _number(r.min_p), _number(r.p_bh)) for r in tests.itertuples())
    caption = ("Two-sided paired Wilcoxon signed-rank tests over cells, one per pair of models and held-out metric; "
               "p (BH): Benjamini-Hochberg adjusted within a metric. 'a better' counts the cells where model a "
               "scores better in the metric's direction. 95 % interval: bootstrap interval of the median difference "
               "across cells. Smallest p: 2/2^n, the lowest p the exact test can give on n cells.")
    blocks = [Table(header, rows, caption=caption, numeric=(4, 5, 6, 7, 9, 10, 11, 12))]
    from .statistics import power_sentence

    sentence = power_sentence(len(comparison.cells))
    if sentence:
        blocks.insert(0, Paragraph(sentence))
    return Section("tests", "Paired tests", tuple(blocks))


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
    header = ("cell", "model", "start", "wall time (s)", "completed trials", "best objective", "refined", "failed trials")
    rows = []
    for cell in comparison.cells:
        for model in comparison.models:
            fit = comparison.fits.get((cell, model))
            if fit is None:
                continue
            counts = ", ".join(f"{k} {v}" for k, v in fit.failures.items()) or "none"
            start = fit.init if fit.same_as is None else f"{fit.init}; the fit of {fit.same_as}"
            if fit.held_search:
                held = ", ".join(fit.held_search["held"])
                start += f"; again with {held} held: {'kept' if fit.held_search['kept'] else 'not kept'}"
            rows.append((cell, model, start, _number(fit.wall_time), str(len(fit.history)), _number(fit.score),
                         "yes" if fit.refined else "no", counts))
    caption = ("Where each fit started (blind, estimate, given, or a candidate such as LIF's fit: results.json says "
               "which and what each scored), what it cost, and the trials it could not score (by reason). "
               "\"The fit of\" another cell: this cell's training sweeps are that cell's, so the fit ran once. "
               "\"Again with ... held\": the fit ended above the fit of a model it contains, so it searched again "
               "with the parameters held that make it that model (AdEx without adaptation); the better was kept.")
    if not rows:
        return Section("fits", "Fits", (Paragraph("No fit finished."),))
    return Section("fits", "Fits", (Table(header, tuple(rows), caption=caption, numeric=(3, 4, 5)),
                                    _fit_warnings(comparison)))


def _fit_warnings(comparison):
    """What each fit warned of (an estimate outside the bounds, a blind start, ...), a row each."""
    rows = tuple((cell, model, text) for cell in comparison.cells for model in comparison.models
                 if (cell, model) in comparison.fits for text in comparison.fits[cell, model].warnings)
    if not rows:
        return Paragraph("No fit warned.")
    return Table(("cell", "model", "warning"), rows, id="fit-warnings",
                 caption="What the fits warned of, each text once a fit (also in results.json).")


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
    settings = public_settings(comparison.settings)
    versions = settings.pop("versions", {}) or {}
    rows = []
    for key, value in settings.items():
        text = f"{_number(value)} s" if key == "wall_time" and isinstance(value, (int, float)) else str(value)
        rows.append((key, text))
    for cell, split in comparison.splits.items():
        rows.append((f"split of {cell}", f"{split.kind}: {_split_parts(split)}"))
    return Section("settings", "Settings and versions", (
        Table(("setting", "value"), tuple(rows)),
        Table(("package", "version"), tuple((k, str(v)) for k, v in versions.items()))))


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
