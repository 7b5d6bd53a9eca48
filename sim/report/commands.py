"""Command line: ``countysim report SOURCE`` (registered by :func:`sim.cli.build_parser`)."""

from __future__ import annotations

import argparse

from sim.plots.commands import _positive_dpi, source_folder


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sim.report.build import write_report
    from sim.results.atomic import check_can_create

    source = source_folder(args.source)
    target = Path(args.out) if args.out else Path(source) / "report.html"
    check_can_create(target, "--out" if args.out else "report (--out)")  # before the figures are drawn
    out = write_report(source, args.out, args.dpi)
    print(f"wrote {out}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``report`` to the ``countysim`` sub-commands."""
    r = sub.add_parser("report", help="write a self-contained HTML report of a run, comparison or sweep folder")
    r.add_argument("source", help="run folder, comparison folder or sweep folder")
    r.add_argument("--out", help="output file (default SOURCE/report.html)")
    r.add_argument("--dpi", type=_positive_dpi, default=None, help="resolution of the embedded figures (default 100)")
    r.set_defaults(func=cmd_report)
