"""Speed of the payment and budget engine (not a test: prints a table).

Settles one county-year of synthetic claims (``sim.payment.synthetic``): ~200k admissions (plus referral
segments) and monthly outpatient aggregates, under three rule sets. Usage::

    python benchmarks/bench_payment.py                       # 200k admissions, 15k outpatient rows a month
    python benchmarks/bench_payment.py --admissions 500000 --single-visits 3000000

Columns: rules, inpatient rows, outpatient rows, settle (s, best of ``--repeat``), ledger rows,
ledger balanced.
"""

from __future__ import annotations

import argparse
import time

from sim.config.budget import BudgetConfig
from sim.config.payment import FacilityPaymentConfig
from sim.payment.synthetic import synthetic_claims
from sim.settlement import PaymentRules, settle

RULES = {
    "fee-for-service": PaymentRules(),
    "DRG + base groups": PaymentRules(payment=FacilityPaymentConfig(
        inpatient_method={"township": "drg", "county": "drg", "city": "drg", "province": "drg"})),
    "everything on": PaymentRules(
        payment=FacilityPaymentConfig(inpatient_method={"township": "drg", "county": "drg", "city": "drg",
                                                        "province": "dip"},
                                      per_diem={"enabled": True}, capitation={"enabled": True}),
        budget=BudgetConfig(enabled=True, history_yuan=[1.2e9, 1.25e9, 1.3e9])),
}


def bench(tables, rules: PaymentRules, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = settle(tables.inpatient, tables.outpatient, rules, chronic_condition=tables.chronic_condition,
                     facility_level=tables.facility_level, capitation_enrolled=60_000)
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--admissions", type=int, default=200_000)
    ap.add_argument("--outpatient-rows", type=int, default=15_000, help="aggregate rows per month")
    ap.add_argument("--single-visits", type=int, default=0, help="also time this many single outpatient visits")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    agg = synthetic_claims(args.admissions, seed=1, n_residents=500_000, outpatient_rows_per_month=args.outpatient_rows)
    cases = [("aggregated", agg)]
    if args.single_visits:
        cases.append(("single visits", synthetic_claims(args.admissions, seed=1, n_residents=500_000,
                                                        outpatient_rows_per_month=args.single_visits // 12,
                                                        single_visits=True)))
    print(f"{'rules':<20}{'outpatient':<15}{'inpatient rows':>15}{'outpatient rows':>17}{'settle (s)':>12}"
          f"{'ledger rows':>13}{'balanced':>10}")
    for layout, tables in cases:
        for name, rules in RULES.items():
            secs, out = bench(tables, rules, args.repeat)
            print(f"{name:<20}{layout:<15}{len(tables.inpatient):>15,}{len(tables.outpatient):>17,}{secs:>12.3f}"
                  f"{len(out.ledger):>13,}{str(out.balanced):>10}")


if __name__ == "__main__":
    main()
