"""Bad payment and budget rules end in one clear message: field, value, expectation."""

from __future__ import annotations

import pytest

import sim
from sim.config.fields import iter_params
from sim.config.payment import FacilityPaymentConfig
from sim.config.scenario import ScenarioConfig
from sim.settlement import PaymentRules, settle
from tests.payment_helpers import inpatient, no_outpatient


@pytest.mark.parametrize("section, expected", [
    ({"insurance": {"resident": {"inpatient_ratio": {"township": 1.2}}}},
     ["insurance.resident.inpatient_ratio.township", "1.2", "less than or equal to 1"]),
    ({"insurance": {"resident": {"inpatient_deductible": {"county": -600}}}},
     ["insurance.resident.inpatient_deductible.county", "-600", "greater than or equal to 0"]),
    ({"insurance": {"employee": {"outpatient_annual_fund_cap": -1}}},
     ["insurance.employee.outpatient_annual_fund_cap", "-1", "greater than or equal to 0"]),
    ({"payment": {"capitation": {"split": {"county": 0.5, "township": 0.5, "village": 0.3}}}},
     ["payment.capitation.split", "sum to 1.3", "expected 1"]),
    ({"budget": {"surplus_split": {"county": 0.7, "township": 0.3, "village": 0.1}}},
     ["budget.surplus_split", "sum to 1.1", "expected 1"]),
    ({"budget": {"deposit_share": 0.6, "risk_fund_share": 0.5}},
     ["budget.risk_fund_share", "0.5", "sum below 1"]),
    ({"budget": {"overspend_pool_share": 1.5}}, ["budget.overspend_pool_share", "1.5", "less than or equal to 1"]),
    ({"budget": {"performance": {"in_county_rate": {"weight": 0.9}}}},
     ["budget.performance", "weights", "expected 1"]),
    ({"payment": {"inpatient_method": {"county": "drgg"}}},
     ["payment.inpatient_method.county", "'drgg'", "'ffs', 'drg' or 'dip'"]),
    ({"payment": {"drg": {"high_outlier_bands": [[2, 3.0], [1, 2.0], [None, 1.5]]}}},
     ["payment.drg.high_outlier_bands", "must increase"]),
    ({"payment": {"drg": {"low_outlier_threshold": 1.2}}}, ["payment.drg.low_outlier_threshold", "less than 1"]),
    ({"payment": {"level_coefficient": {"township": -0.5}}},
     ["payment.level_coefficient.township", "-0.5", "greater than or equal to 0"]),
])
def test_bad_rule_config_names_field_value_and_expectation(section, expected):
    with pytest.raises(sim.ConfigError) as err:
        sim.load_config({"extends": "default", **section})
    for fragment in expected:
        assert fragment in str(err.value), (fragment, str(err.value))


def test_base_group_code_not_in_casemix():
    # an explicit list is checked against the case-mix before simulating
    with pytest.raises(sim.ConfigError, match=r"payment\.base_groups\.codes.*'XX99'.*not a DRG code of the case-mix"):
        sim.run({"extends": "default", "payment": {"base_groups": {"codes": ["FV29", "XX99"]}}}, population=1000)

    class Casemix:       # the engine needs only the DRG codes, weights and settings
        drg_codes, drg_codes_70plus, rw, setting = ("FV29", "ES45"), ("FV29", "ES4G"), [0.5155, 0.3924], [1, 1]

    rules = PaymentRules(payment=FacilityPaymentConfig(base_groups={"codes": ["ES4G", "XX99"]}))
    with pytest.raises(sim.ConfigError, match="XX99"):
        settle(inpatient({"total_cost": 1000}), no_outpatient(), rules, casemix=Casemix())
    # the default (national list) is taken as a catalogue: codes absent from the case-mix are simply unused
    settle(inpatient({"total_cost": 1000}), no_outpatient(), PaymentRules(), casemix=Casemix())


def test_every_rule_parameter_is_documented():
    for path, _default, unit, description, source in iter_params(ScenarioConfig):
        if path.split(".")[0] not in ("insurance", "payment", "budget"):
            continue
        assert description, path
        leaf = path.rsplit(".", 1)[-1]
        if leaf not in ("enabled", "village", "township", "county", "city", "province", "resident", "employee",
                        "weight", "floor", "target", "codes", "formulation"):
            assert source or unit, path
