"""countysim: agent-based simulation of China's close-knit county medical communities (紧密型县域医共体).

Quick start::

    import sim
    cfg = sim.load_config()                 # the built-in typical county
    result = sim.run(cfg, seed=1)           # one simulated year
    result.kpis                             # KPIs by year (pandas)
    result.claims                           # inpatient claims with fund and out-of-pocket
"""

__version__ = "0.1.0"

from sim.config.loader import ConfigError, load_config  # noqa: E402
from sim.results import Result  # noqa: E402
from sim.simulation import run  # noqa: E402

__all__ = ["ConfigError", "Result", "__version__", "load_config", "run"]
