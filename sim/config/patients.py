"""Patient behaviour beyond first-contact choice, as configuration: households and income, care seeking with
an outside option, family-doctor contracts (the rate is a rule, in ``policy.family_doctor``; the response is
behaviour, here), and chronic-care continuity.

Evidence: ``docs/sources/behaviour_evidence.md`` §1 (price elasticity of demand), §2 (choice experiments),
§6 (family-doctor contracts). Notes on how each default was derived: ``docs/patients.md``.
"""

from __future__ import annotations

from sim.config.fields import Section, param


class HouseholdConfig(Section):
    """Households 户 and their per-capita disposable income 人均可支配收入 (yuan a year).

    Residents of a village are grouped into households of ``1 + Poisson(mean_size - 1)`` members; each
    household's per-capita income is lognormal around its village's mean, and village means are lognormal
    around the rural (or county-seat) mean. Drawn from their own generator, so adding households changes no
    other draw.
    """

    mean_size: float = param(2.7, "mean number of residents per household", unit="persons",
                             source="assumption: rural household size about 2.6-2.9 (census 2020) [M]", ge=1, le=10)
    rural_income_mean: float = param(
        21_691.0, "mean per-capita disposable income of rural households", unit="yuan a year",
        source="docs/sources/calibration_data.md §7.1: national rural per-capita disposable income 2023, NBS "
               "Statistical Communiqué on the 2023 National Economic and Social Development (Feb 2024) [M]", gt=0)
    urban_income_mean: float = param(
        51_821.0, "mean per-capita disposable income of county-seat households", unit="yuan a year",
        source="docs/sources/calibration_data.md §7.1: national urban per-capita disposable income 2023, NBS "
               "Statistical Communiqué 2023 [M]; a county seat is lower, sweep it", gt=0)
    income_sigma: float = param(
        0.8, "standard deviation of log per-capita income across households (village and household parts "
             "together)", unit="log yuan",
        source="docs/sources/calibration_data.md §7.1: lognormal shape an assumption [A]; sigma 0.8 gives a "
               "top-to-bottom quintile mean ratio of about 9.6 [D], as the NBS rural quintile means of 2023 "
               "(about 50,100 / 5,300 yuan) [M]", ge=0, le=3)
    village_income_sigma: float = param(
        0.3, "part of income_sigma that lies between villages (standard deviation of log village mean)",
        unit="log yuan", source="assumption: villages differ less than households (docs/sources/calibration_data.md "
                               "§7.1 [A])", ge=0, le=3)


class CareSeekingConfig(Section):
    """Whether an ill resident seeks formal care at all (the outside option: self-treatment, pharmacy, no care).

    ``p = g(x; p0)``, ``x = (P / P_ref) ** (elasticity * m) * (T / T_ref) ** travel_elasticity``, where ``g`` is
    ``p0 * x`` for ``x <= 1`` and ``1 - (1 - p0) * x ** (-p0 / (1 - p0))`` above (bounded by 1, elasticity 1 at
    ``x = 1``); ``p0`` is ``casemix.seek_care``; ``P`` the episode's money-metric expected out-of-pocket price
    (share-weighted over the facilities it would choose under the reference prices, plus the compensating
    variation of the prices in force) and ``T`` its expected travel time at those shares; ``P_ref`` and ``T_ref``
    the county's means for the same condition, severity and scheme under the rules in force before the reform
    (``reform.before``); ``m`` the income multiplier of price sensitivity. Locally the constant-elasticity form
    the evidence's simulator default recommends (docs/sources/behaviour_evidence.md §1); see
    sim/behaviour/care_seeking.py.
    """

    elasticity_outpatient: float = param(
        -0.5, "own-price elasticity of the probability that an acute outpatient episode is seen", unit="elasticity",
        source="docs/sources/behaviour_evidence.md §1: rural China first outpatient visit -0.519 (95% CI -0.703 to "
               "-0.336), Zhou et al. Health Policy 2011 [M]; lower bound -0.2 (RAND, Japan)", le=0, ge=-3)
    elasticity_inpatient: float = param(
        -0.35, "own-price elasticity of the probability that an inpatient episode is admitted", unit="elasticity",
        source="docs/sources/behaviour_evidence.md §1: rural China first admission -0.372 (-0.517 to -0.226), "
               "Zhou et al. 2011 [M]; lower bound -0.2 (Yuda 2018, Japan)", le=0, ge=-3)
    elasticity_chronic: float = param(
        -0.5, "own-price elasticity of a managed chronic patient keeping a scheduled follow-up/refill visit",
        unit="elasticity", source="docs/sources/behaviour_evidence.md §1: visits among users -0.547 (-0.747 to "
                                  "-0.347), Zhou et al. 2011 [M]", le=0, ge=-3)
    travel_elasticity: float = param(
        -0.2, "elasticity of the probability of seeking care with respect to expected travel time", unit="elasticity",
        source="assumption: distance decay of care seeking is documented but not sized in docs/sources/"
               "behaviour_evidence.md §2 (travel within 1 h worth about 700 yuan in choice); sweep -0.5 to 0",
        le=0, ge=-3)
    income_elasticity_of_price_response: float = param(
        0.3, "price sensitivity scales with (household per-capita income / county geometric mean) to minus this "
             "power: poorer households respond more (seek care and choice of facility)", unit="elasticity",
        source="assumption: direction from docs/sources/behaviour_evidence.md §1 (Kato et al. 2021: outpatient "
               "elasticity differs by income group) and §2 (choice experiments); size not published, sweep 0-1",
        ge=0, le=2)
    price_index: float = param(
        1.0, "multiplier on every out-of-pocket price patients expect (choice and care seeking; claims are "
             "unchanged): benchmarks/demand_elasticity.py sets 1.1 to measure the model's own demand elasticity",
        unit="factor", source="1 = the prices of the rules in force", gt=0)
    income_multiplier_min: float = param(0.5, "lower bound of the income multiplier of price sensitivity",
                                         unit="factor", source="assumption: keeps the richest households responsive",
                                         ge=0)
    income_multiplier_max: float = param(2.5, "upper bound of the income multiplier of price sensitivity",
                                         unit="factor", source="assumption: bounds the poorest households' response",
                                         ge=0)


class ContractResponseConfig(Section):
    """How a family-doctor contract 家庭医生签约 changes a contracted resident's behaviour (the contract rate
    itself is a rule: ``policy.family_doctor``)."""

    extra_followup_share: float = param(
        0.10, "extra chronic follow-up visits of a managed contracted patient, as a share of the scheduled ones",
        unit="share", source="docs/sources/behaviour_evidence.md §6: follow-ups +0.13 (hypertension) / +0.08 "
                             "(diabetes), BMC Health Serv Res 2024 DID; simulator default about +10%", ge=0, le=1)
    village_doctor_share: float = param(
        0.6, "share of contracts that name the village doctor (the rest name the township centre's team)",
        unit="share", source="assumption: rural contracts are signed by village-doctor/township teams; the village "
                             "doctor is the usual point of contact", ge=0, le=1)


class ChronicContinuityConfig(Section):
    """Chronic follow-ups and refills 慢病随访/取药 at the patient's usual facility."""

    continuity: float = param(
        0.8, "probability that a chronic follow-up goes to the patient's usual facility (contracted, or where the "
             "last follow-up was) instead of a fresh choice", unit="probability",
        source="assumption: most refills are at a regular place; docs/sources/behaviour_evidence.md §6 documents "
               "the value of continuity (9% fewer ACSC admissions with good continuity, England) but no share",
        ge=0, le=1)
