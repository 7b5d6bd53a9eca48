"""Self-contained HTML reports of runs, comparisons and sweeps (``countysim report``).

    from sim.report import write_report
    write_report("results/compare-whitelist")        # -> results/compare-whitelist/report.html
"""

from sim.report.build import build_report, write_report

__all__ = ["build_report", "write_report"]
