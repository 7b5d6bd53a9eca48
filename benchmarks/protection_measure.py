import glob
import pickle

import pandas as pd

from sim.config.protection import AssistanceConfig, CriticalIllnessConfig, ProtectionConfig
from sim.payment.protection import apply_layers, eligibility
from sim.results.equity import equity_kpis, household_bills

P = ProtectionConfig(); rows = []
for f in sorted(glob.glob("/tmp/prot_runs/*_200000_*.pkl")):
    scen, _, seed = f.split("/")[-1][:-4].rsplit("_", 2)
    with open(f, "rb") as fh:
        d = pickle.load(fh)
    y = d["years"] - 1
    ip = d["ip"][d["ip"].year == y]
    a = AssistanceConfig(enabled=True)
    group = eligibility(d["income"], (a.extreme_poverty_share, a.subsistence_share, a.monitored_share))
    for layers, cii, aid in (("off", None, None), ("cii", CriticalIllnessConfig(enabled=True), None),
                             ("both", CriticalIllnessConfig(enabled=True), a)):
        c = apply_layers(ip, group, cii, aid, 21_691.0)
        b = household_bills(d["household"], d["income"], d["township"], c, [y], P.bills, int(seed), group)
        k = equity_kpis(b)[str(y)]
        hi = b["modelled_oop"] > 0.5 * 21_691
        rows.append(dict(scenario=scen, seed=int(seed), layers=layers,
                         che_40=k["che_40"], che_40_rural=k["che_40_rural"],
                         che_10=k["che_10"], che_25=k["che_25"], impoverished=k["impoverishment_rate"],
                         che_40_high_spenders=b.loc[hi, "che_40"].mean(),
                         che_40_eligible=b.loc[b.assistance_group > 0, "che_40"].mean(),
                         ci_oop=k["concentration_index_oop"], ci_adm=k["concentration_index_admissions"],
                         ci_fund=k["concentration_index_fund"],
                         **{f"che40_{q}": v for q, v in k["che_40_by_income_quintile"].items()},
                         **{f"fund_{q}": v for q, v in k["fund_share_by_income_quintile"].items()}))
df = pd.DataFrame(rows)
df.to_csv("/tmp/prot_runs/measure.csv", index=False)
pd.set_option("display.width", 250); pd.set_option("display.max_columns", 40)
g = df.groupby(["scenario", "layers"])
m, s = g.mean(numeric_only=True), g.std(numeric_only=True)
print("seeds:", g.size().to_dict())
cols = ["che_40", "che_40_rural", "che40_q1", "che40_q2", "che40_q3", "che40_q4", "che40_q5",
        "che_40_high_spenders", "che_40_eligible", "che_10", "che_25", "impoverished",
        "ci_oop", "ci_adm", "ci_fund", "fund_q1", "fund_q5"]
print((100 * m[cols[:13]]).round(2).to_string())
print(m[cols[13:]].round(3).to_string())
print("sd (points):"); print((100 * s[cols[:8]]).round(2).to_string())
