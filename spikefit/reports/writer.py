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

Here the files are written, in that order after the figures: ``sections`` says what the page
holds, ``document`` renders it as HTML and Markdown, ``results`` writes the files for scripts.
"""
from __future__ import annotations

import warnings
from pathlib import Path

from . import sections
from .document import render_html, render_markdown
from .results import write_results

HTML_NAME, MARKDOWN_NAME = "index.html", "report.md"


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
    for name, draw, _, _ in sections.figure_plan(comparison):
        try:
            written.append(draw(directory / name))
            drawn[name] = None
        except Exception as error:  # noqa: BLE001 - the rest of the report still stands
            message = f"{type(error).__name__}: {error}"
            warnings.warn(f"figure {name} of the report could not be drawn: {message}", RuntimeWarning, stacklevel=2)
            drawn[name] = message
    content = sections.report_sections(comparison, drawn)
    title = sections.report_title(comparison)
    pages = {HTML_NAME: render_html(title, content), MARKDOWN_NAME: render_markdown(title, content)}
    for name, text in pages.items():
        (directory / name).write_text(text, encoding="utf-8")
        written.append(directory / name)
    return written + write_results(comparison, directory)


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
