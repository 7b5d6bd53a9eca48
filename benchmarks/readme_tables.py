"""Regenerate the README's calibration and speed tables from what the code prints today (not a test).

    python benchmarks/readme_tables.py                    # both tables (the speed table takes a few minutes)
    python benchmarks/readme_tables.py --only calibration
    python benchmarks/readme_tables.py --check            # exit 1 if the README's tables differ (no timing)

The calibration table runs the default county (seed 1, one year) against the targets of
``configs/calibration/default_targets.yaml``; the speed table is ``benchmarks/bench_core.py``'s medians, with the
machine's load. Each table sits between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` in README.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _value(kpis: dict, dotted: str) -> float:
    for part in dotted.split("."):
        kpis = kpis[part]
    return float(kpis)


def calibration_table() -> str:
    import yaml

    import sim

    targets = yaml.safe_load((ROOT / "configs/calibration/default_targets.yaml").read_text(encoding="utf-8"))
    k = sim.run(None, seed=1).summary["kpis"]["0"]
    lines = ["The default county (500,000 residents), seed 1, one year, against "
             "`configs/calibration/default_targets.yaml` (`tests/test_calibration.py` asserts each band):", "",
             "| KPI | simulated | target ± tolerance | in band | source |", "|---|---:|---|---|---|"]
    for t in targets["targets"]:
        v = _value(k, t["kpi"])
        fmt = (lambda x: f"{x:,.0f}") if abs(t["value"]) >= 100 else (lambda x: f"{x:.3f}")
        ok = "yes" if abs(v - t["value"]) <= t["tolerance"] else "**no**"
        lines.append(f"| `{t['kpi']}` | {fmt(v)} | {fmt(t['value'])} ± {fmt(t['tolerance'])} | {ok} | {t['source']} |")
    extra = (("out_of_county_fund_share", "all fund spending, outpatient included (the reference's 0.30-0.55 is "
                                          "of inpatient spending: the row above)"),
             ("oop_share", "out-of-pocket share of total cost"),
             ("readmission_rate_30d", "30-day readmissions / discharges"))
    for key, note in extra:
        lines.append(f"| `{key}` | {k[key]:.3f} | — | — | {note} |")
    lines += ["", f"{k['visits']:,} visits and {k['admissions']:,} admissions (township "
              f"{k['admissions_by_level']['township']:,}, county {k['admissions_by_level']['county']:,}, out of county "
              f"{k['admissions_by_level']['out_of_county']:,}); total cost {k['total_cost'] / 1e8:.2f} 亿 yuan, fund "
              f"{k['fund_payment'] / 1e8:.2f} 亿, out-of-pocket share {k['oop_share']:.2f}."]
    return "\n".join(lines)


def speed_table(repeats: int = 3) -> str:
    from bench_core import markdown, measure, per_day

    fixed = per_day(["500x2", "20000x2"], repeats)
    loads = ", ".join(r["load"] for r in fixed["rows"])
    return ("`python benchmarks/bench_core.py` (each run a fresh process pinned to one core; medians of "
            f"{repeats} runs; the load column is the 1-minute load average before and after):\n\n"
            + markdown(measure(["1000000x1", "20000x2"], repeats))
            + "\n\n`python benchmarks/bench_core.py --per-day` (simulate CPU time of 500 and 20,000 residents, "
            f"2 years, split on a straight line; load {loads}): a simulated day costs "
            f"**{fixed['fixed_ms_per_day']:.2f} ms** whatever the county's size, plus "
            f"**{fixed['marginal_us']:.0f} µs per 1,000 resident-days**. "
            "`--source DIR` measures another checkout (e.g. a `git worktree` of an older commit) the same way.")


def replace(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no <!-- {name}:start --> ... <!-- {name}:end --> block")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", choices=["calibration", "speed"], help="regenerate one table")
    p.add_argument("--repeats", type=int, default=3, help="bench_core runs per case (default 3)")
    p.add_argument("--check", action="store_true", help="compare the calibration table only; exit 1 if stale")
    args = p.parse_args()
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if args.check:
        new = replace(text, "calibration", calibration_table())
        print("README calibration table is " + ("up to date" if new == text else "stale"))
        raise SystemExit(0 if new == text else 1)
    # speed first: Linux keeps a process's peak RSS across fork and exec, so a benchmark child started after this
    # process ran the 500k calibration county would report that county's memory as its own
    if args.only in (None, "speed"):
        text = replace(text, "speed", speed_table(args.repeats))
    if args.only in (None, "calibration"):
        text = replace(text, "calibration", calibration_table())
    readme.write_text(text, encoding="utf-8")
    print(f"wrote {readme}")


if __name__ == "__main__":
    main()
