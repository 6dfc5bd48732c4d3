"""What a comparison report holds for scripts: ``scores.csv`` (``comparison.table`` as it is) and ``results.json``.

``results.json`` holds the parameters with their SI units, scores, paired tests, headline,
settings, fits' wall times and failure counts, failed fits and why; NaN is written as null.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np

CSV_NAME, JSON_NAME = "scores.csv", "results.json"


def write_results(comparison, directory) -> list[Path]:
    """Write ``scores.csv`` and ``results.json`` of ``comparison`` into the existing ``directory``; returns their paths."""
    directory = Path(directory)
    comparison.table.to_csv(directory / CSV_NAME, index=False)
    (directory / JSON_NAME).write_text(json.dumps(results(comparison), indent=1, allow_nan=False) + "\n",
                                       encoding="utf-8")
    return [directory / CSV_NAME, directory / JSON_NAME]


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
            "timings": dict(fit.timings), "study_name": fit.study_name,
            "init": fit.init, "init_reason": fit.init_reason, "movement": list(fit.movement),
            "warnings": list(fit.warnings), "same_as": fit.same_as, "held_search": fit.held_search}
    tests = comparison.all_tests().to_dict(orient="records") if len(comparison.models) > 1 else []
    out = {
        "models": list(comparison.models),
        "cells": list(comparison.cells),
        "splits": {cell: {"kind": s.kind, "reason": s.reason, "train": list(s.train), "test": list(s.test),
                          "train_fraction": s.fraction} for cell, s in comparison.splits.items()},
        "headline": comparison.headline() if len(comparison.models) > 1 else [],
        "parameters": parameters,
        "scores": comparison.table.to_dict(orient="records"),
        "tests": tests,
        "fits": fits,
        "failed": [{"cell": cell, "model": model, "error": f.error, "details": f.details}
                   for (cell, model), f in comparison.failed.items()],
        "settings": public_settings(comparison.settings),
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


def public_settings(settings) -> dict:
    """``settings`` with the password of a storage URL hidden (a report gets shared)."""
    out = dict(settings)
    if isinstance(out.get("storage"), str):
        out["storage"] = re.sub(r"(://[^:/@]+:)[^@/]*@", r"\1***@", out["storage"])
    return out
