"""Command line: ``countysim sweep | sweep-status | sweep-analyze | compare | calibrate | effects``.

Registered by :func:`add_commands` from ``sim.cli.build_parser``. Exit codes: 0 success, 1 some runs
failed (they are listed), 2 a user mistake (bad spec, missing folder), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

import pandas as pd

EXIT_FAILED_RUNS = 1
EXIT_INTERRUPTED = 130


class _Progress:
    """A tqdm bar with ETA on an interactive terminal; otherwise a line every 30 s (batch logs)."""

    def __init__(self, quiet: bool):
        self.quiet, self.bar, self.t0, self.last = quiet, None, time.monotonic(), time.monotonic()

    def __call__(self, record: dict, done: int, failed: int, total: int) -> None:
        if self.quiet:
            return
        if sys.stderr.isatty():
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="run", desc="sweep", dynamic_ncols=True)
            self.bar.set_postfix(failed=failed, refresh=False)
            self.bar.update(1)
        elif time.monotonic() - self.last > 30 or done + failed == total:
            self.last = time.monotonic()
            n, rate = done + failed, (done + failed) / max(time.monotonic() - self.t0, 1e-9) * 60
            eta = (total - n) / rate if rate else float("nan")
            print(f"  {n}/{total} runs ({failed} failed), {rate:.1f} runs/min, ETA {eta:.1f} min", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _log(quiet: bool):
    return None if quiet else (lambda msg: print(msg, file=sys.stderr))


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.experiments.sweep import run_sweep

    progress = _Progress(args.quiet)
    try:
        status = run_sweep(args.spec, out=args.out, workers=args.workers, scheduler=args.scheduler,
                           retries=args.retries, resume=args.resume, max_runs=args.max_runs, progress=progress,
                           log=_log(args.quiet))
    except KeyboardInterrupt:
        progress.close()
        print("countysim: sweep interrupted; finished runs are kept: run the same command to continue",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    progress.close()
    print(status)
    return EXIT_FAILED_RUNS if status.failed else 0


def cmd_sweep_status(args: argparse.Namespace) -> int:
    from sim.experiments.store import status

    print(status(args.folder))
    return 0


def _print_table(title: str, table: pd.DataFrame) -> None:
    print(f"\n{title}")
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.max_columns", 50,
                           "display.float_format", "{:,.4g}".format):
        print(table.to_string(index=False))


def cmd_sweep_analyze(args: argparse.Namespace) -> int:
    from sim.config.loader import ConfigError
    from sim.experiments import analysis
    from sim.experiments.store import SweepFolder
    from sim.results.atomic import check_can_create, write_text_atomic

    if args.csv:
        check_can_create(args.csv, "--csv")
    method = args.method
    if method == "auto":
        method = {"sobol": "sobol", "morris": "morris", "oat": "tornado"}.get(
            SweepFolder(args.folder).require().spec().design.method, "summary")
    tables = {"summary": ("KPI means over seeds with 95% t-intervals", analysis.summarize),
              "sobol": ("Sobol' indices (S1, ST with 95% confidence half-widths)", analysis.sobol_indices),
              "morris": ("Morris elementary effects (mu*, sigma; unit-range scale)", analysis.morris_indices),
              "tornado": ("One-at-a-time effects (tornado), sorted by swing", analysis.tornado)}
    title, fn = tables[method]
    table = fn(args.folder, args.kpi or None)
    _print_table(title, table)
    if args.method == "auto" and method == "summary":
        # a ConfigError here means this grid does not contain the one-at-a-time points: print no tornado
        with contextlib.suppress(ConfigError):
            _print_table(tables["tornado"][0], analysis.tornado(args.folder, args.kpi or None))
    if args.csv:
        write_text_atomic(args.csv, table.to_csv(index=False))
        print(f"\nwrote {args.csv}")
    return 0


def _format_comparison(table: pd.DataFrame, baseline: str, reform: str) -> str:
    def num(v: float) -> str:
        return "nan" if pd.isna(v) else f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"

    lines = [f"paired differences {reform} - {baseline} (mean over seeds, 95% t-interval; * = interval excludes 0)"]
    for year, g in table.groupby("year"):
        in_force = "reform in force" if g["reform_in_force"].iloc[0] else "before the reform"
        lines.append(f"year {year} ({in_force})")
        lines.append(f"  {'kpi':<42}{baseline:>14}{reform:>14}{'diff':>12}  {'95% interval':<26}{'n':>3}")
        for r in g.itertuples(index=False):
            sig = "*" if r.ci_low > 0 or r.ci_high < 0 else " "
            ci = f"[{num(r.ci_low)}, {num(r.ci_high)}]"
            lines.append(f"  {r.kpi:<42}{num(r.baseline):>14}{num(r.reform):>14}{num(r.diff):>12}"
                         f"{sig} {ci:<26}{r.n:>3}")
    return "\n".join(lines)


def _guarded(work, progress: _Progress | None = None, what: str = "runs"):
    """Run ``work()`` (a sweep-backed command): ``(result, None)``, or ``(None, exit code)`` after one line
    when runs failed (``SweepFailed``) or the user interrupted; finished runs are kept either way."""
    from sim.experiments.paired import SweepFailed

    try:
        result = work()
    except SweepFailed as exc:
        print(f"countysim: {exc}", file=sys.stderr)
        return None, EXIT_FAILED_RUNS
    except KeyboardInterrupt:
        print(f"countysim: interrupted; finished {what} are kept: run the same command to continue", file=sys.stderr)
        return None, EXIT_INTERRUPTED
    finally:
        if progress is not None:
            progress.close()
    return result, None


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.experiments.paired import compare

    progress = _Progress(args.quiet)
    table, code = _guarded(lambda: compare(
        args.baseline, args.reform, seeds=args.seeds, population=args.population, years=args.years, out=args.out,
        workers=args.workers, scheduler=args.scheduler, root_seed=args.root_seed, progress=progress,
        log=_log(args.quiet)), progress)
    if code is not None:
        return code
    if not args.quiet:
        print(table.attrs["note"])
        print(_format_comparison(table, table.attrs["baseline"], table.attrs["reform"]))
        print(f"wrote {table.attrs['folder']}/comparison.parquet and comparison.json")
    return 0


def cmd_effects(args: argparse.Namespace) -> int:
    from sim.experiments.effects import run_effects

    progress = _Progress(args.quiet)
    result, code = _guarded(lambda: run_effects(
        args.effects, out=args.out, seeds=args.seeds, population=args.population, years=args.years,
        workers=args.workers, scheduler=args.scheduler, progress=progress, log=_log(args.quiet)), progress)
    if code is not None:
        return code
    print((Path(result.attrs["folder"]) / "effects.md").read_text(encoding="utf-8"))
    print(f"wrote {result.attrs['folder']}/effects.md, effects.json, effects.png")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.experiments.calibrate import calibrate

    fit, code = _guarded(lambda: calibrate(
        args.targets, out=args.out, seeds=args.seeds, population=args.population, max_trials=args.max_trials,
        workers=args.workers, scheduler=args.scheduler, log=_log(args.quiet)), what="trials")
    if code is not None:
        return code
    print(fit["report_md"])
    print(f"wrote {fit['overlay']} and {fit['folder']}/fit.json, fit.md")
    return 0


def _executor_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=_count(1, "worker processes"),
                   help="local worker processes (default: all cores; 1 = in this process)")
    p.add_argument("--scheduler", metavar="ADDR", help="run on a Dask cluster, e.g. tcp://host:8786")
    p.add_argument("--quiet", action="store_true", help="no progress or start message")


def _count(minimum: int, what: str):
    """An argparse type: an integer >= ``minimum`` (argparse prints the one-line message and exits 2)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of {what}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value}: expected a number of {what} >= {minimum}")
        return value
    return parse


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the experiment sub-commands to the ``countysim`` parser."""
    s = sub.add_parser("sweep", help="run a parameter sweep (scenarios x design points x seeds)")
    s.add_argument("spec", help="sweep spec YAML (see configs/sweeps/), or a sweep folder to continue")
    s.add_argument("--out", help="output folder (default: the spec's out, else results/sweeps/<name>)")
    s.add_argument("--resume", action="store_true",
                   help="continue the sweep stored in the output folder, ignoring later edits of its spec")
    s.add_argument("--retries", type=_count(0, "extra attempts"),
                   help="extra attempts for a failing run (default: the spec's, 2)")
    s.add_argument("--max-runs", type=_count(1, "runs"), help="run at most N unfinished runs, then stop")
    _executor_args(s)
    s.set_defaults(func=cmd_sweep)

    st = sub.add_parser("sweep-status", help="done / failed / pending runs of a sweep folder, with errors")
    st.add_argument("folder")
    st.set_defaults(func=cmd_sweep_status)

    a = sub.add_parser("sweep-analyze", help="KPI summaries, Sobol/Morris indices or tornado table of a sweep")
    a.add_argument("folder")
    a.add_argument("--kpi", action="append", default=[], help="KPI to analyse (repeatable; default: the spec's kpis)")
    a.add_argument("--method", choices=["auto", "summary", "sobol", "morris", "tornado"], default="auto",
                   help="auto: by the sweep's design (sobol, morris, oat -> tornado, else summary)")
    a.add_argument("--csv", help="also write the table to this CSV file")
    a.set_defaults(func=cmd_sweep_analyze)

    c = sub.add_parser("compare", help="paired comparison of two scenarios on common random numbers")
    c.add_argument("baseline", help="baseline scenario (built-in name or YAML)")
    c.add_argument("reform", help="reform scenario (built-in name or YAML)")
    c.add_argument("--seeds", type=_count(1, "replicates"), default=5, help="replicates K (default 5)")
    c.add_argument("--population", type=int, help="residents (default: the scenarios')")
    c.add_argument("--years", type=int,
                   help="simulated years of both arms (default: the longer of the two scenarios' horizons)")
    c.add_argument("--root-seed", type=int, default=0, help="root of the seed sequence (default 0)")
    c.add_argument("--out", help="output folder (default results/compare-<baseline>-vs-<reform>)")
    _executor_args(c)
    c.set_defaults(func=cmd_compare)

    e = sub.add_parser("effects", help="benchmark reform effects against published ones (PASS / DIRECTION-ONLY / FAIL)")
    e.add_argument("effects", help="effects YAML (see configs/effects/published.yaml and docs/calibration.md)")
    e.add_argument("--seeds", type=_count(1, "replicates"), help="replicates (default: the file's)")
    e.add_argument("--population", type=int, help="residents (default: the file's, else the scenarios')")
    e.add_argument("--years", type=int, help="simulated years (default: the file's, else the scenarios')")
    e.add_argument("--out", help="output folder (default results/effects/<name>); rerunning reuses finished runs")
    _executor_args(e)
    e.set_defaults(func=cmd_effects)

    k = sub.add_parser("calibrate", help="fit parameters to calibration targets on common random numbers")
    k.add_argument("targets",
                   help="targets YAML (see configs/calibration/default_targets.yaml and docs/calibration.md)")
    k.add_argument("--seeds", type=_count(1, "replicates"), help="replicates per trial (default: the file's)")
    k.add_argument("--population", type=int, help="residents (default: the file's, else the scenario's)")
    k.add_argument("--max-trials", type=_count(1, "trials"), help="optimiser evaluations at most (default: the file's)")
    k.add_argument("--out", help="output folder (default results/calibration/<name>); rerunning skips finished trials")
    _executor_args(k)
    k.set_defaults(func=cmd_calibrate)
