"""Look of every figure: colours by level, KPI labels, and Chinese terms when a CJK font exists.

Chinese terms (县域内住院率, 上转, ...) appear in titles and labels only when a font
with CJK glyphs is installed (``fc-list :lang=zh``); otherwise labels are English
and matplotlib never warns about missing glyphs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TypeVar

import matplotlib
import matplotlib.font_manager as fm
from matplotlib.figure import Figure

from sim.codes import LEVEL_NAMES_ZH
from sim.results.registry import REGISTRY

F = TypeVar("F", bound=Callable)

#: one colour per level code (village, township, county, city, province)
LEVEL_COLORS = ("#a6761d", "#1b9e77", "#386cb0", "#e7298a", "#7570b3")
LEVEL_LABELS = ("Village clinic", "Township centre", "County hospital", "City hospital", "Provincial hospital")
#: colours of the two arms of a comparison (baseline, reform) and further arms
ARM_COLORS = ("#555555", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e")
WIDTH_IN = 9.0          # 900 px at the default 100 dpi
DPI = 100

_CJK_HINT = re.compile(r"CJK|Han|Hei|Song|Kai|Ming|YaHei|WenQuanYi|PingFang|Droid Sans Fallback|Noto Sans SC|"
                       r"Noto Serif SC|Arial Unicode|AR PL|Fang", re.I)


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font that draws Chinese (checked glyph by glyph), or ``None``."""
    from matplotlib.ft2font import FT2Font

    for entry in fm.fontManager.ttflist:
        if not _CJK_HINT.search(entry.name):
            continue
        try:
            font = FT2Font(entry.fname)
            if all(font.get_char_index(ord(ch)) for ch in "县域医共体"):
                return entry.name
        except (OSError, RuntimeError):
            continue
    return None


def zh(english: str, chinese: str | None = None, sep: str = " ") -> str:
    """``english`` followed by the Chinese term when a CJK font is available."""
    return f"{english}{sep}{chinese}" if chinese and cjk_font() else english


def level_label(level: int) -> str:
    """Readable name of a level code (with Chinese when possible)."""
    return zh(LEVEL_LABELS[level], LEVEL_NAMES_ZH[level])


#: KPI key -> (English label, Chinese term or None, displayed unit, scale to display), from the one KPI
#: registry :mod:`sim.results.registry`
KPIS: dict[str, tuple[str, str | None, str, float]] = {
    k.key: (k.name, k.zh, k.shown_unit, k.scale) for k in REGISTRY.values()}


def kpi_label(key: str, with_unit: bool = True) -> str:
    """Axis label of a KPI: English name, Chinese term when possible, unit in brackets."""
    name, term, unit, _ = KPIS.get(key, (key.replace("_", " ").capitalize(), None, "", 1.0))
    text = zh(name, term)
    return f"{text} ({unit})" if with_unit and unit else text


def kpi_scale(key: str) -> float:
    """Factor turning a KPI's stored value into its displayed unit (shares -> %, yuan -> million yuan)."""
    return KPIS.get(key, ("", None, "", 1.0))[3]


def rc() -> dict:
    """Matplotlib settings of every countysim figure."""
    return {"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"] + ([cjk_font()] if cjk_font() else []),
            "font.size": 9, "axes.titlesize": 10, "axes.titleweight": "bold", "axes.labelsize": 9,
            "axes.spines.top": False, "axes.spines.right": False, "legend.frameon": False, "legend.fontsize": 8,
            "figure.titlesize": 11, "svg.fonttype": "none", "svg.hashsalt": "countysim"}


def styled(func: F) -> F:
    """Decorator: build the figure under :func:`rc` without touching the caller's global settings."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(rc()):
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def new_figure(height_in: float, ncols: int = 1, nrows: int = 1, **kwargs):
    """A figure 900 px wide with a grid of axes (``Figure.subplots`` arguments); no pyplot state, so nothing
    leaks or pops up."""
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes
