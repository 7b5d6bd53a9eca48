"""The reform timeline: which rules are in force in each simulated year.

A scenario's rule sections (``insurance``, ``payment``, ``budget``, ``policy``) change only at the start of
a year. ``reform: {start_year: S, before: B}`` runs years before ``S`` under ``B``'s rules; a timeline
(``reform: [{year: 2, overlay: drg}, {year: 3, overlay: {...}}]``) starts from ``before``'s rules (or the
scenario's own) and applies each step from its year on, cumulatively.
"""

from __future__ import annotations

from functools import lru_cache

from sim.config.loader import ConfigError, deep_merge, load_config
from sim.config.policy import RULE_SECTIONS
from sim.config.scenario import ScenarioConfig

__all__ = ["RULE_SECTIONS", "rules_before", "rules_in_year"]


def rules_before(config: ScenarioConfig) -> ScenarioConfig:
    """The scenario with the pre-reform rule sections: those of ``reform.before`` (itself if none)."""
    if config.reform.before is None:
        return config
    before = load_config(config.reform.before)
    return config.model_copy(update={s: getattr(before, s) for s in RULE_SECTIONS})


def rules_in_year(config: ScenarioConfig, before: ScenarioConfig, year: int) -> ScenarioConfig:
    """The scenario with the rule sections in force in simulated ``year`` (0-based).

    ``before`` : :func:`rules_before` of ``config`` (the pre-reform rules; passed in to load it once).
    """
    reform = config.reform
    if not reform.steps:
        return config if year >= reform.start_year else before
    done = tuple(i for i, s in enumerate(reform.steps) if s.year <= year)
    return _after_steps(config, before, done) if done else before


def _after_steps(config: ScenarioConfig, before: ScenarioConfig, done: tuple[int, ...]) -> ScenarioConfig:
    key = (id(config), id(before), done)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is config and hit[1] is before:
        return hit[2]
    rules = before
    for i in done:
        rules = _apply(rules, config.reform.steps[i].overlay, config.reform.steps[i].year)
    _CACHE[key] = (config, before, rules)
    return rules


def _apply(rules: ScenarioConfig, overlay, year: int) -> ScenarioConfig:
    """``rules`` with one step's overlay applied to its rule sections."""
    if isinstance(overlay, str):
        other = _load(overlay)
        return rules.model_copy(update={s: getattr(other, s) for s in RULE_SECTIONS})
    current = {s: getattr(rules, s).model_dump(mode="python", by_alias=True) for s in RULE_SECTIONS if s in overlay}
    merged = deep_merge(current, overlay)
    cls = {s: type(getattr(rules, s)) for s in overlay}
    try:
        update = {s: cls[s].model_validate(merged[s]) for s in overlay}
    except Exception as exc:  # pydantic's error names the field; say which step it came from
        raise ConfigError(f"reform step of year {year}: {exc}") from None
    return rules.model_copy(update=update)


@lru_cache(maxsize=32)
def _load(name: str) -> ScenarioConfig:
    return load_config(name)


#: (id(config), id(before), steps done) -> (config, before, rules): models are immutable in use
_CACHE: dict[tuple, tuple] = {}
