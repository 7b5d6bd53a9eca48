"""Writing figures: PNG (256-colour palette, small) and SVG bytes, and atomic files."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from sim.results.atomic import write_bytes_atomic  # noqa: F401  (re-exported for plots)


def figure_bytes(fig, fmt: str = "png", dpi: float | None = None) -> bytes:
    """A figure rendered to PNG or SVG bytes (under the countysim style)."""
    import matplotlib

    from sim.plots.style import rc

    buf = io.BytesIO()
    with matplotlib.rc_context(rc()):
        fig.savefig(buf, format=fmt, dpi=dpi or fig.dpi, metadata=_metadata(fmt))
    return _palette_png(buf.getvalue()) if fmt == "png" else buf.getvalue()


def _palette_png(data: bytes) -> bytes:
    """The PNG with a 256-colour palette: a third of the size, the same to the eye for charts."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="png")
    return out.getvalue()


def _metadata(fmt: str) -> dict:
    """No creation dates: the same figure gives the same bytes."""
    return {"svg": {"Date": None}, "png": {"Software": None}}.get(fmt, {})


def save_figure(fig, stem: Path, formats: Iterable[str] = ("png", "svg"), dpi: float | None = None) -> list[Path]:
    """Write ``stem.png`` / ``stem.svg`` atomically; returns the paths."""
    paths = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        write_bytes_atomic(path, figure_bytes(fig, fmt, dpi))
        paths.append(path)
    return paths
