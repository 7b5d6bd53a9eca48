"""Command line: ``countysim plot SOURCE``.

Registered in :func:`sim.cli.build_parser` by :func:`add_commands`. A missing or
unreadable source ends with one line and exit code 2 (a ``ConfigError``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.config.loader import ConfigError


def source_folder(text: str) -> Path:
    from sim.plots.io import NotApplicable, kind

    path = Path(text)
    if not path.exists():
        raise ConfigError(f"{path}: no such run, comparison or sweep folder")
    try:
        kind(path)
    except NotApplicable as exc:
        raise ConfigError(str(exc)) from None
    return path


def cmd_plot(args: argparse.Namespace) -> int:
    from sim.plots.catalog import figures, plot_all

    source = source_folder(args.source)
    names = {f.name for f in figures()}
    unknown = set(args.only or ()) - names
    if unknown:
        raise ConfigError(f"--only {', '.join(sorted(unknown))}: unknown figure (one of {', '.join(sorted(names))})")
    out = Path(args.out) if args.out else source / "figures"
    done = plot_all(source, out, tuple(args.format), set(args.only or ()) or None, args.dpi)
    written = [(item, paths) for item, paths in done if paths]
    for _, paths in written:
        print(f"wrote {', '.join(str(p) for p in paths)}")
    for item, _ in done:
        if item.skipped:
            print(f"skipped {item.name}: {item.skipped}")
    if not written:
        raise ConfigError(f"{source}: no figure applies (see the reasons above)")
    print(f"{len(written)} figures in {out}")
    return 0


def _positive_dpi(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number of dots per inch, e.g. 150") from None
    if not 10 <= value <= 2400 or value != value:
        raise argparse.ArgumentTypeError(f"{text}: expected dots per inch between 10 and 2400 (default 100)")
    return value


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``plot`` to the ``countysim`` sub-commands."""
    p = sub.add_parser("plot", help="write the standard figures of a run, comparison or sweep folder (PNG, SVG)")
    p.add_argument("source", help="run folder, comparison folder (countysim compare) or sweep folder")
    p.add_argument("--out", help="output folder (default SOURCE/figures)")
    p.add_argument("--format", nargs="+", choices=["png", "svg"], default=["png", "svg"], help="file formats")
    p.add_argument("--only", nargs="+", metavar="FIGURE", help="only these figures (e.g. flows kpi_timeseries)")
    p.add_argument("--dpi", type=_positive_dpi, default=None, help="PNG resolution (default 100: 900 px wide)")
    p.set_defaults(func=cmd_plot)
