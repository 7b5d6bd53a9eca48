"""Building blocks of a self-contained HTML page: escaping, tables, embedded figures, the page shell.

Everything is inline (CSS in a ``<style>`` element, figures as ``data:`` PNG), so the
file opens offline with no network access.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence

CSS = """
body{font-family:-apple-system,"Segoe UI","Helvetica Neue",Arial,"Noto Sans CJK SC","PingFang SC",
"Microsoft YaHei",sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;
margin-top:2em}h3{font-size:1.05em}table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
th,td{border-bottom:1px solid #e5e5e5;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.changed td{background:#fff6e0}figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9em;color:#555}.meta td:first-child{font-weight:600}.muted{color:#777;font-size:.9em}
details{margin:.8em 0}summary{cursor:pointer;font-weight:600}code{font-size:.9em}
"""


def esc(value) -> str:
    """HTML-escaped text of any value."""
    return html.escape("" if value is None else str(value))


def table(header: Sequence[str], rows: Iterable[Sequence], numeric: Sequence[bool] | None = None,
          row_class: Sequence[str] | None = None, cls: str = "") -> str:
    """A ``<table>``; cells are escaped unless given as :class:`Raw`; ``numeric`` columns align right."""
    numeric = numeric or [False] * len(header)
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        tr = f' class="{row_class[i]}"' if row_class and row_class[i] else ""
        cells = "".join(f'<td{" class=num" if num else ""}>{c if isinstance(c, Raw) else esc(c)}</td>'
                        for c, num in zip(row, numeric))
        body.append(f"<tr{tr}>{cells}</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


class Raw(str):
    """Markup that :func:`table` inserts unescaped."""


def figure_png(png: bytes, caption: str, alt: str) -> str:
    """A ``<figure>`` with the PNG embedded as a data URI."""
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def page(title: str, body: str) -> str:
    """The whole document."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>\n{body}\n</body></html>\n")


def fmt(value, unit: str = "") -> str:
    """A number for a table: shares as %, large numbers with thousands separators, NaN/None as '–'."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if unit == "%":
        return f"{value * 100:.2f}%"
    if isinstance(value, int) or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.4g}" if abs(value) < 100 else f"{value:,.1f}"
