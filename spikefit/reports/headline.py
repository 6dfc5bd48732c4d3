"""Which metric leads a cell's comparison, and the headline sentences that follow from it.

The rule, per cell, decided on its held-out data before any fit runs:

* held-out repeats whose reliability is above chance (``reliability``: the recorded Gamma
  between repeats beats shifted repeats): spike timing is reproducible, so the headline is the
  reliability-normalised Gamma (``gamma_normalized``), with Md* beside it: 1 means the model
  predicts the spikes as well as one recording of the cell predicts another;
* otherwise (long steps, where timing drifts from repeat to repeat, or no repeats at all):
  spike timing cannot be told from chance even between the cell's own repeats, so the headline
  is the held-out feature error in units of the cell's spread across repeats (``feature_z``),
  with the f-I error; Gamma is shown with its reliability as context only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

TIMING = ("gamma_normalized", "md_star")
FEATURES = ("feature_z", "fi_error")
LABELS = {"gamma_normalized": "reliability-normalised Gamma", "md_star": "Md*",
          "feature_z": "feature error (mean |z|, in units of the cell's spread across repeats)",
          "fi_error": "f-I error (Hz)", "gamma": "Gamma"}


@dataclass(frozen=True)
class Lead:
    """The metrics that lead one cell's headline, and why (a sentence)."""

    cell: str
    metrics: tuple[str, ...]
    reason: str

    @property
    def timing(self) -> bool:
        return self.metrics == TIMING


def lead(split) -> Lead:
    """The leading metrics of one cell (``splits.Split``), from its held-out repeats."""
    groups = split.reliability("test")
    reliable = [g for g in groups if g.above_chance]
    if reliable:
        values = ", ".join(f"{g.value:.2f} (p = {g.p:.2g})" for g in reliable)
        return Lead(split.name, TIMING, f"its held-out repeats fire reliably above chance (reliability {values}, "
                                        f"{len(reliable)} of {len(groups)} repeat group(s)): spike timing leads")
    if groups:
        values = ", ".join("n/a" if math.isnan(g.value) else f"{g.value:.2f}" for g in groups)
        why = (f"its held-out repeats do not fire reliably above chance (reliability {values} in "
               f"{len(groups)} repeat group(s), none beating shifted repeats at p < 0.05)")
    else:
        why = "its held-out data has no repeats, so spike timing has no reliability to compare with"
    return Lead(split.name, FEATURES, f"{why}: the feature error and the f-I error lead, Gamma is context")


def lead_sentences(leads: dict[str, Lead]) -> list[str]:
    """One sentence per group of cells that share a leading metric."""
    lines = []
    for timing in (True, False):
        cells = [c for c, lead_ in leads.items() if lead_.timing == timing]
        if cells:
            metrics = TIMING if timing else FEATURES
            reasons: dict[str, list[str]] = {}
            for c in cells:
                reasons.setdefault(leads[c].reason, []).append(c)
            lines.append(f"On {', '.join(cells)} the headline is held-out "
                         f"{' and '.join(LABELS[m] for m in metrics)}: "
                         + "; ".join(f"{', '.join(named)}: {reason}" for reason, named in reasons.items()) + ".")
    return lines


def headline(comparison) -> list[str]:
    """The headline sentences: which metric leads where and why, then the paired tests on it
    over the cells it leads, with the power sentence where those cells are too few."""
    from .statistics import headline as test_sentences
    from .statistics import paired_tests, power_sentence

    leads = {cell: lead(split) for cell, split in comparison.splits.items()}
    lines = lead_sentences(leads)
    for timing in (True, False):
        cells = [c for c, lead_ in leads.items() if lead_.timing == timing]
        if not cells:
            continue
        table = comparison.table[comparison.table["cell"].isin(cells)]
        for metric in TIMING if timing else FEATURES:
            lines += test_sentences(paired_tests(table, metric, "test", comparison.models), metric_labels=LABELS)
        if not timing:
            lines += [_context(table, cell, comparison.models) for cell in cells]
        sentence = power_sentence(len(cells))
        if sentence:
            lines.append(sentence)
    return lines


def _context(table, cell: str, models) -> str:
    """Held-out Gamma of each model on a feature-led cell, beside the cell's own reliability."""
    rows = table[(table["cell"] == cell) & (table["split"] == "test")].dropna(subset=["value"])
    gamma = rows[rows["metric"] == "gamma"].set_index("model")["value"]
    gammas = ", ".join(f"{m} {gamma[m]:.2f}" for m in models if m in gamma.index)
    reliability = rows.loc[rows["metric"] == "reliability", "value"]
    ceiling = (f"a reliability of {reliability.iloc[0]:.2f} between its own repeats" if len(reliability)
               else "no repeats to measure its reliability by")
    return f"Context on {cell}: held-out Gamma {gammas or 'n/a'}, against {ceiling}."
