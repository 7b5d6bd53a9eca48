import pickle
import sys
import time

from sim.config.loader import load_config
from sim.model import CountyModel
from sim.settlement.books import claims_tables, close_year, settle_model

pop = int(sys.argv[1]); seeds = [int(s) for s in sys.argv[2].split(",")]
for seed in seeds:
    for scen in ("baseline", "gatekeeping", "global_budget"):
        t = time.time()
        cfg = load_config(scen, {"population": pop, "years": 3, "seed": seed})
        m = CountyModel(cfg); m.run(year_end=close_year)
        ip, op = claims_tables(m)
        s = settle_model(m, ip, op, range(cfg.years))
        p = m.population
        keep = ["resident", "episode_id", "segment", "discharge_day", "year", "level", "scheme", "total_cost",
                "policy_scope_cost", "fund_payment", "oop_payment", "fund_to_provider"]
        d = dict(ip=s.inpatient[keep], household=p.household, income=p.income, township=p.township, scheme=p.scheme,
                 reform_start=cfg.reform.start_year, years=cfg.years)
        with open(f"/tmp/prot_runs/{scen}_{pop}_{seed}.pkl", "wb") as fh:
            pickle.dump(d, fh)
        print(scen, seed, round(time.time() - t), flush=True)
