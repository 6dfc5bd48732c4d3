"""The report as a document: blocks (paragraphs, lists, tables, figures) in sections, and their HTML and Markdown.

The page and the Markdown are rendered from one list of sections (``sections.report_sections``)
so that they say the same thing. Nothing here knows what a comparison is.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass


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

