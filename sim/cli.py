"""Command line: ``countysim run | params | validate`` (and the commands of
:mod:`sim.experiments.commands`, :mod:`sim.plots.commands` and :mod:`sim.report.commands`).

User mistakes (bad config, missing file, existing output folder) print one
clear message and exit with code 2, without a traceback.

:func:`main` returns the exit code (the ``countysim`` console script exits with
it), so tests can call it in-process. Heavy modules (pandas, mesa, scipy,
matplotlib, the model) are imported only by the sub-command that needs them:
``countysim --help`` lists the commands defined elsewhere from
:data:`_EXTERNAL` without importing their modules.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sim import __version__

EXIT_USER_ERROR = 2

#: sub-commands added by other modules' ``add_commands``: name -> (module, help shown by ``countysim --help``);
#: the help must match theirs (tests/test_config_errors.py checks)
_EXTERNAL = {
    "sweep": ("sim.experiments.commands", "run a parameter sweep (scenarios x design points x seeds)"),
    "sweep-status": ("sim.experiments.commands", "done / failed / pending runs of a sweep folder, with errors"),
    "sweep-analyze": ("sim.experiments.commands",
                      "KPI summaries, Sobol/Morris indices or tornado table of a sweep"),
    "compare": ("sim.experiments.commands", "paired comparison of two scenarios on common random numbers"),
    "effects": ("sim.experiments.commands",
                "benchmark reform effects against published ones (PASS / DIRECTION-ONLY / FAIL)"),
    "calibrate": ("sim.experiments.commands", "fit parameters to calibration targets on common random numbers"),
    "plot": ("sim.plots.commands", "write the standard figures of a run, comparison or sweep folder (PNG, SVG)"),
    "report": ("sim.report.commands", "write a self-contained HTML report of a run, comparison or sweep folder"),
}


def _parse_sets(pairs: list[str]) -> dict:
    import yaml

    from sim.config.loader import ConfigError

    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ConfigError(f"--set {pair!r}: expected FIELD=VALUE, e.g. --set choice.travel_per_hour=1.2")
        key, value = pair.split("=", 1)
        try:
            out[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ConfigError(f"--set {key.strip()}: value {value!r} is not a plain YAML value ({problem}); "
                              "expected a number, text, true/false or a [list]") from None
    return out


def _progress_bar(total_days: int):
    """A tqdm bar on an interactive terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total_days, unit="day", desc="simulating", leave=False)

    def update(done: int, total: int) -> None:
        bar.update(done - bar.n)

    return update, bar.close


def _format_kpis(summary: dict) -> str:
    lines = []
    for year, k in summary["kpis"].items():
        lines.append(f"year {year}")
        for key in ("visits", "admissions", "admission_rate", "primary_visit_share", "in_county_visit_rate",
                    "in_county_admission_rate", "up_referrals", "down_referrals", "out_of_county_admissions",
                    "out_of_county_fund_share", "primary_fund_share", "total_cost", "fund_payment", "oop_share",
                    "readmission_rate_30d"):
            v = k.get(key)
            shown = f"{v:,.0f}" if isinstance(v, (int, float)) and abs(v) >= 100 else (
                f"{v:.3f}" if isinstance(v, float) else str(v))
            lines.append(f"  {key:<28}{shown:>18}")
        for key in ("alos_by_level", "cost_per_stay_by_level", "bed_occupancy_by_level"):
            vals = ", ".join(f"{lv} {val:,.2f}" if val < 100 else f"{lv} {val:,.0f}"
                             for lv, val in k.get(key, {}).items() if val is not None)
            lines.append(f"  {key:<28}{vals}")
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    overrides = _parse_sets(args.set)
    labels = {}
    for name in ("seed", "population", "years"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
            labels[name] = f"--{name}"
    if args.claims:
        overrides["output.claims"] = args.claims
        labels["output.claims"] = "--claims"
    from sim.config.loader import ConfigError, load_config

    cfg = load_config(args.config, overrides, labels)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else Path("results") / f"{cfg.name}-{cfg.seed}-{stamp}"
    if out.exists():
        raise ConfigError(f"--out {out}: folder already exists (choose another, or remove it)")
    from sim.results.atomic import check_can_create

    check_can_create(out, "--out" if args.out else "output folder (--out)")  # before, not after, simulating
    from sim.codes import DAYS_PER_YEAR
    from sim.simulation import simulate

    t0 = time.perf_counter()
    update, close = _progress_bar(cfg.years * DAYS_PER_YEAR)
    try:
        result = simulate(cfg, progress=update)
    finally:
        close()
    result.write(out)
    if not args.quiet:
        print(_format_kpis(result.summary))
        print(f"wrote {out}  ({time.perf_counter() - t0:.1f} s)")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    from sim.config.fields import iter_params
    from sim.config.scenario import ScenarioConfig

    rows = list(iter_params(ScenarioConfig))
    if args.format == "markdown":
        print("| parameter | default | unit | meaning | source |\n|---|---|---|---|---|")
        for path, default, unit, desc, source in rows:
            print(f"| `{path}` | {_short(default)} | {unit} | {desc} | {source} |")
    else:
        for path, default, unit, desc, source in rows:
            print(f"{path} = {_short(default)} [{unit or '-'}]\n    {desc}"
                  + (f"\n    source: {source}" if source else ""))
    return 0


def _short(value) -> str:
    if hasattr(value, "model_dump"):
        value = value.model_dump(by_alias=True)
    text = str(value)
    return text if len(text) < 80 else text[:77] + "..."


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.config.loader import ConfigError, load_config

    cfg = load_config(args.config)
    from sim.model import CountyModel
    from sim.settlement.settle import check_rules

    # build exactly what `run` builds before simulating (world and its CSVs, case-mix, rules, reinvestment),
    # on a small population so that validating a 500k county stays quick
    small = cfg.model_copy(update={"population": min(cfg.population, 2_000)})
    model = CountyModel(small)
    check_rules(small, model.casemix)
    problems = _unknown_policy_codes(cfg, model.casemix)
    if problems:
        raise ConfigError("; ".join(f"{args.config or 'default'}: {p}" for p in problems))
    print(f"{args.config or 'default'}: valid scenario '{cfg.name}'")
    return 0


def _unknown_policy_codes(cfg, casemix) -> list[str]:
    """Condition lists naming codes the case-mix table lacks, switched on or not (a list switched on later
    by ``--set`` would fail then)."""
    known = set(casemix.codes) | set(casemix.drg_codes) | set(casemix.drg_codes_70plus)
    out = []
    for name in ("whitelist", "do_not_refer_out", "gatekeeping"):
        lst = getattr(cfg.policy, name, None)
        unknown = [c for c in getattr(lst, "codes", []) if c not in known]
        if unknown:
            out.append(f"field 'policy.{name}.codes' = {unknown}: unknown condition or DRG code(s) (expected codes "
                       f"of the case-mix table {cfg.casemix.table})")
    return out


def build_parser() -> argparse.ArgumentParser:
    return _build_parser(light=False)


def _build_parser(light: bool) -> argparse.ArgumentParser:
    """The ``countysim`` parser; ``light``: the commands of :data:`_EXTERNAL` are bare entries (for the
    top-level help and usage errors) and their modules are not imported."""
    p = argparse.ArgumentParser(prog="countysim", description="Simulate a county medical community (县域医共体).")
    p.add_argument("--version", action="version", version=f"countysim {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="simulate a scenario and write a run folder")
    r.add_argument("config", nargs="?", default=None,
                   help="scenario YAML or built-in name (default: the built-in typical county)")
    r.add_argument("--population", type=int, help="number of residents")
    r.add_argument("--years", type=int, help="simulated years")
    r.add_argument("--seed", type=int, help="root random seed")
    r.add_argument("--out", help="output folder (default results/<scenario>-<seed>-<timestamp>)")
    r.add_argument("--claims", choices=["inpatient", "all", "none"],
                   help="claims to write: inpatient (outpatient aggregated; default), all visits, none")
    r.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="override any config field by dotted path (repeatable)")
    r.add_argument("--quiet", action="store_true", help="print nothing on success")
    r.set_defaults(func=cmd_run)

    pr = sub.add_parser("params", help="print every parameter with default, unit, meaning and source")
    pr.add_argument("--format", choices=["text", "markdown"], default="text")
    pr.set_defaults(func=cmd_params)

    v = sub.add_parser("validate", help="check a scenario file and its case-mix table")
    v.add_argument("config", nargs="?", default=None)
    v.set_defaults(func=cmd_validate)
    if light:
        for name, (_, help_text) in _EXTERNAL.items():
            sub.add_parser(name, help=help_text)
        return p
    from sim.experiments.commands import add_commands  # sweep, sweep-status, sweep-analyze, compare
    from sim.plots.commands import add_commands as add_plot_commands  # plot
    from sim.report.commands import add_commands as add_report_commands  # report

    add_commands(sub)
    add_plot_commands(sub)
    add_report_commands(sub)
    return p


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that temporaries are removed on the way out."""


def _on_sigterm(signum, frame):
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """Run ``countysim`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code (0 success, 2 a user
    mistake or a usage error, 130 interrupted, 143 terminated; see the commands for others)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser() if command in _EXTERNAL else _build_parser(light=True)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error: argparse has printed the message
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USER_ERROR)
    from sim.config.loader import ConfigError

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"countysim: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Terminated:
        print("countysim: terminated (SIGTERM); nothing partial was written", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("countysim: interrupted; nothing partial was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`countysim params | head`): not an error of ours; silence the final flush
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file system refusal (read-only, full disk, a file where a folder should be)
        where = exc.filename or ""
        print(f"countysim: error: {where}{': ' if where else ''}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
