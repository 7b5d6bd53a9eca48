import pickle
import sys
import time

from sim.config.loader import load_config
from sim.model import CountyModel
from sim.settlement.books import Books

pop = int(sys.argv[1]); seeds = [int(s) for s in sys.argv[2].split(",")]
for seed in seeds:
    for scen in ("baseline", "gatekeeping", "global_budget"):
        t = time.time()
        cfg = load_config(scen, {"population": pop, "years": 3, "seed": seed})
        m = CountyModel(cfg); books = Books(m); m.run(year_end=books.close_year)
        s = books.settlement()
        p = m.population
        keep = ["resident", "episode_id", "segment", "discharge_day", "year", "level", "scheme", "total_cost",
                "policy_scope_cost", "fund_payment", "oop_payment", "fund_to_provider"]
        d = dict(ip=s.inpatient[keep], household=p.household, income=p.income, township=p.township, scheme=p.scheme,
                 reform_start=cfg.reform.start_year, years=cfg.years)
        with open(f"/tmp/prot_runs/{scen}_{pop}_{seed}.pkl", "wb") as fh:
            pickle.dump(d, fh)
        print(scen, seed, round(time.time() - t), flush=True)
