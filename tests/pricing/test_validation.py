"""What publishing refuses (errors) and what it only points out (warnings): the
demo catalogue, and the demo with one row broken per case, without a database."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from pricing.catalogue import Cost, Offer, Rate, Step, Variant
from pricing.report import margin_report
from pricing.validation import default_variant_problem, validate_catalogue
from tests.demo_catalogue import demo_product

D = Decimal


@pytest.fixture(scope="module")
def demo():
    """Seed 003's video credits, the default product."""
    return demo_product("video")


def _with_model(catalogue, slug, **changes):
    return replace(catalogue, models={**catalogue.models, slug: replace(catalogue.models[slug], **changes)})


def _with_rate(catalogue, slug, **changes):
    (rate,) = catalogue.models[slug].rates
    return _with_model(catalogue, slug, rates=(replace(rate, **changes),))


def _only_error(catalogue, **kwargs):
    validation = validate_catalogue(catalogue, **kwargs)
    assert not validation.ok
    assert len(validation.errors) == 1, validation.errors
    return validation.errors[0]


# ---- The demo ----------------------------------------------------------------------


def test_the_demo_publishes_with_six_margin_warnings(demo):
    validation = validate_catalogue(demo)
    for warning in validation.warnings:
        print(warning.message)

    assert validation.ok
    assert validation.errors == ()
    assert [(warning.rule, warning.place) for warning in validation.warnings] == [
        ("below_target", "price luma-ray-3 / 4k / seconds"),
        ("below_target", "price minimax-hailuo-02 / 1080p / seconds"),
        ("below_target", "price mochi-1 / default / seconds"),
        ("below_target", "price sora-2-pro / 1080p / seconds"),
        ("loss", "price wan-2-1 / 480p / seconds"),
        ("loss", "price wan-2-1 / 720p / seconds"),
    ]


@pytest.mark.parametrize(
    ("place", "message"),
    [
        # $0.50/s against 35 × $0.05: 71.43%; 40 credits a second reach 75%.
        (
            "price sora-2-pro / 1080p / seconds",
            "price sora-2-pro / 1080p / seconds: gross margin 71.4% at the fixed revenue per credit (0.05 USD), "
            "below the 75.0% target; 40 credits per unit of seconds would reach it",
        ),
        # 5 credits × $0.0358 (the Studio pack) = $0.179 against $0.25.
        (
            "price wan-2-1 / 720p / seconds",
            "price wan-2-1 / 720p / seconds: loses money at the lowest revenue per credit (gross margin −39.7%); "
            "gross margin 0.0% at the fixed revenue per credit (0.05 USD)",
        ),
    ],
)
def test_a_margin_warning_says_the_margin(demo, place, message):
    (warning,) = [warning for warning in validate_catalogue(demo).warnings if warning.place == place]

    assert warning.message == message
    assert not warning.blocking


def test_a_given_report_is_used(demo):
    assert validate_catalogue(demo, margin_report(demo)) == validate_catalogue(demo)


def test_warnings_of_an_inactive_model_are_not_shown(demo):
    validation = validate_catalogue(_with_model(demo, "wan-2-1", active=False))

    assert "price wan-2-1 / 480p / seconds" not in {warning.place for warning in validation.warnings}
    assert len(validation.warnings) == 4


# ---- Default variant ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        ((("audio", True), ("no-audio", False)), None),
        ((("audio", False), ("no-audio", False)), "model 'veo-3' has no default variant; mark one of: audio, no-audio"),
        (
            (("audio", True), ("no-audio", True)),
            "model 'veo-3' has 2 default variants (audio, no-audio); mark exactly one",
        ),
        ((), "model 'veo-3' has no variants; add one and mark it default"),
    ],
)
def test_default_variant_problem(variants, message):
    assert default_variant_problem("veo-3", variants) == message


@pytest.mark.parametrize("defaults", [(False, False), (True, True)])
def test_a_model_needs_exactly_one_default_variant(demo, defaults):
    variants = tuple(
        replace(variant, is_default=default)
        for variant, default in zip(demo.models["veo-3"].variants, defaults, strict=True)
    )
    error = _only_error(_with_model(demo, "veo-3", variants=variants))

    assert (error.rule, error.place) == ("default_variant", "model 'veo-3'")
    assert error.message.startswith("model 'veo-3' has ")


# ---- A credit rate without a provider cost -----------------------------------------


def test_an_all_variants_rate_without_a_cost_on_one_variant(demo):
    (audio, _) = demo.models["veo-3"].costs
    error = _only_error(_with_model(demo, "veo-3", costs=(audio,)))

    assert (error.rule, error.place) == ("rate_without_cost", "credit rate veo-3 / all variants / seconds")
    assert error.message == (
        "credit rate veo-3 / all variants / seconds: charges credits for seconds on no-audio, but no provider "
        "cost from google for seconds is known there, so that usage would cost 0; add the cost, cost the rate on "
        "another supplier, or deactivate the rate"
    )


def test_a_variant_rate_without_a_cost(demo):
    (cheap, _) = demo.models["wan-2-1"].costs
    error = _only_error(_with_model(demo, "wan-2-1", costs=(cheap,)))

    assert (error.rule, error.place) == ("rate_without_cost", "credit rate wan-2-1 / 720p / seconds")
    assert "on 720p" in error.message


@pytest.mark.parametrize("inactive", ["model", "rate"])
def test_an_inactive_rate_or_model_is_not_checked_for_cost_or_default_quantity(demo, inactive):
    catalogue = _with_rate(demo, "veo-3", default_quantity=D("7"), active=inactive != "rate")
    catalogue = _with_model(catalogue, "veo-3", costs=demo.models["veo-3"].costs[:1], active=inactive != "model")

    assert validate_catalogue(catalogue).ok


# ---- Exchange rates ----------------------------------------------------------------


@pytest.fixture(scope="module")
def sora_prompts():
    """Seed 000's prompts: Gemini bought from the gateway in CNY, reported in points."""
    return demo_product("sora-prompts")


@pytest.fixture(scope="module")
def dev_flows():
    """Seed 001's developer flows, costed in USD, sold nowhere."""
    return demo_product("dev-flows")


def test_a_cost_in_a_currency_without_an_exchange_rate(sora_prompts):
    fx_rates = tuple(rate for rate in sora_prompts.fx_rates if (rate.from_currency, rate.to_currency) != ("CNY", "PTS"))
    errors = validate_catalogue(replace(sora_prompts, fx_rates=fx_rates)).errors

    # Three models bought in CNY from the gateway, two meters each; the workflows using them cannot be
    # priced either. Gemini 2.5 Flash's Google costs (USD) are not this product's: not checked here.
    assert [(error.rule, error.place) for error in errors] == [
        *(
            ("no_exchange_rate", f"provider cost {model} / all variants / {meter}, from gateway")
            for model in ("gemini-2-5-flash", "gemini-3-flash", "gemini-3-pro")
            for meter in ("input_tokens", "output_tokens")
        ),
        ("workflow", "workflow 'prompt-call-2-5-flash'"),
        ("workflow", "workflow 'prompt-call-3-flash'"),
        ("workflow", "workflow 'prompt-call-3-pro'"),
        ("workflow", "workflow 'prompt-production'"),
    ]
    assert errors[0].message == (
        "provider cost gemini-2-5-flash / all variants / input_tokens, from gateway: priced in CNY, but there is "
        "no exchange rate CNY → PTS (the reporting currency); add one"
    )


def test_exchange_rates_are_those_in_force_on_the_day(sora_prompts):
    """Seed 000's ¥99 → 1,600,000 points is dated 25 January 2026."""
    errors = validate_catalogue(sora_prompts, on=date(2026, 1, 24)).errors

    assert {error.place for error in errors if error.rule == "no_exchange_rate"} >= {
        "provider cost gemini-3-pro / all variants / input_tokens, from gateway"
    }
    assert validate_catalogue(sora_prompts, on=date(2026, 1, 25)).errors == ()


@pytest.mark.parametrize(
    ("offer", "place"),
    [
        (Offer("pack", "euro", "Euro pack", D("10"), "EUR", 100), "credit pack 'euro'"),
        (Offer("plan", "yen", "Yen plan", D("1000"), "JPY", 100), "subscription plan 'yen'"),
    ],
)
def test_an_active_offer_without_an_exchange_rate(demo, offer, place):
    error = _only_error(replace(demo, offers=(*demo.offers, offer)))

    assert (error.rule, error.place) == ("no_exchange_rate", place)
    assert error.message.startswith(f"{place}: priced in {offer.currency}, but there is no exchange rate ")


def test_an_inactive_offer_needs_no_exchange_rate(demo):
    offer = Offer("pack", "euro", "Euro pack", D("10"), "EUR", 100, active=False)

    assert validate_catalogue(replace(demo, offers=(*demo.offers, offer))).ok


# ---- Tiers -------------------------------------------------------------------------

BASE = Cost(meter="seconds", price=D("0.10"), currency="USD", variant="720p")


def _tier(threshold, mode="cliff", **changes):
    return replace(BASE, price=D("0.20"), tier_threshold=D(threshold), tier_mode=mode, **changes)


@pytest.mark.parametrize(
    ("costs", "says"),
    [
        ((BASE, _tier("10"), _tier("20", "graduated")), "tiers mix cliff and graduated"),
        ((_tier("10"),), "needs exactly one base price (a row without a tier threshold), has 0"),
        ((BASE, BASE), "needs exactly one base price (a row without a tier threshold), has 2"),
        ((BASE, _tier("10"), _tier("10")), "two tiers start above 10; keep one price per threshold"),
        ((BASE, _tier("10", "graduated", tier_meter="input_tokens")), "a graduated tier is measured on the priced"),
        ((BASE, _tier("10", currency="TWD")), "the base price and its tiers are in different currencies"),
        ((BASE, _tier("10", "")), "the tier above 10 needs a threshold above 0 and a mode"),
        ((BASE, _tier("0")), "the tier above 0 needs a threshold above 0"),
        ((replace(BASE, tier_mode="cliff"),), "the base price has a tier mode or tier meter but no threshold"),
    ],
)
def test_tiers_that_cannot_be_read(demo, costs, says):
    error = _only_error(_with_model(demo, "sora-2", costs=costs))

    assert (error.rule, error.place) == ("tiers", "provider cost sora-2 / 720p / seconds, from openai")
    assert error.message.startswith("provider cost sora-2 / 720p / seconds, from openai: ")
    assert says in error.message


def test_readable_tiers_pass(demo):
    costs = (BASE, _tier("20"), _tier("10"))

    assert validate_catalogue(_with_model(demo, "sora-2", costs=costs)).ok


# ---- Default quantity --------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "default", "message"),
    [
        (
            "sora-2",
            "7",
            "credit rate sora-2 / all variants / seconds, default quantity: 7 is not allowed; "
            "allowed quantities are 4, 8, 12",
        ),
        (
            "luma-ray-3",
            "11",
            "credit rate luma-ray-3 / all variants / seconds, default quantity: 11 is above the maximum of 10",
        ),
        (
            "luma-ray-3",
            "0.5",
            "credit rate luma-ray-3 / all variants / seconds, default quantity: 0.5 is below the minimum of 1",
        ),
        (
            "luma-ray-3",
            "0",
            "credit rate luma-ray-3 / all variants / seconds, default quantity: the quantity must be above 0, got 0",
        ),
    ],
)
def test_a_default_quantity_outside_its_own_bounds(demo, model, default, message):
    error = _only_error(_with_rate(demo, model, default_quantity=D(default)))

    assert (error.rule, error.place) == ("default_quantity", f"credit rate {model} / all variants / seconds")
    assert error.message == message


def test_a_default_quantity_of_a_whole_units_meter_is_whole(demo):
    meters = {**demo.meters, "seconds": replace(demo.meters["seconds"], whole_units=True)}
    error = _only_error(replace(_with_rate(demo, "luma-ray-3", default_quantity=D("7.5")), meters=meters))

    assert (error.rule, error.place) == ("default_quantity", "credit rate luma-ray-3 / all variants / seconds")
    assert error.message.endswith("seconds are counted in whole units, got 7.5")


# ---- Rows naming what does not exist -------------------------------------------------


def test_a_rate_and_a_cost_on_a_variant_the_model_does_not_have(demo):
    model = demo.models["luma-ray-3"]
    catalogue = _with_model(
        demo,
        "luma-ray-3",
        costs=(*model.costs, replace(model.costs[0], variant="8k")),
        rates=(*model.rates, replace(model.rates[0], variant="8k")),
    )
    errors = validate_catalogue(catalogue).errors

    assert [(error.rule, error.place) for error in errors] == [
        ("unknown_variant", "credit rate luma-ray-3 / 8k / seconds"),
        ("unknown_variant", "provider cost luma-ray-3 / 8k / seconds, from luma"),
    ]
    assert errors[0].message == (
        "credit rate luma-ray-3 / 8k / seconds: model 'luma-ray-3' has no variant '8k'; "
        "its variants are: 720p, 1080p, 4k"
    )


def test_a_rate_on_a_meter_that_does_not_exist(demo):
    model = demo.models["sora-2"]
    rate = Rate(meter="frames", credits=D("1"))
    errors = validate_catalogue(_with_model(demo, "sora-2", rates=(*model.rates, rate))).errors

    assert [(error.rule, error.place) for error in errors] == [
        ("rate_without_cost", "credit rate sora-2 / all variants / frames"),
        ("unknown_meter", "credit rate sora-2 / all variants / frames"),
    ]
    assert errors[1].message == "credit rate sora-2 / all variants / frames: there is no meter 'frames'"


# ---- Workflows ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "says"),
    [
        (Step("Draft", "no-such-model", "seconds", D("8")), "step 1 (Draft): no model 'no-such-model'"),
        (
            Step("Draft", "claude-3-5-sonnet", "seconds", D("8")),
            "step 1 (Draft): claude-3-5-sonnet / default / seconds: no provider cost from anthropic",
        ),
        (
            Step("Draft", "claude-3-5-sonnet", "input_tokens", D("8"), variant="8k"),
            "step 1 (Draft): model 'claude-3-5-sonnet' has no variant",
        ),
    ],
)
def test_an_active_workflow_that_cannot_be_priced(dev_flows, step, says):
    workflow = replace(dev_flows.workflows["prd"], steps=(step,))
    error = _only_error(replace(dev_flows, workflows={**dev_flows.workflows, "prd": workflow}))

    assert (error.rule, error.place) == ("workflow", "workflow 'prd'")
    assert error.message.startswith(f"workflow 'prd', {says}")
    assert error.message.endswith("; the workflow cannot be priced")


def test_an_inactive_workflow_is_not_checked(dev_flows):
    workflow = replace(
        dev_flows.workflows["prd"], steps=(Step("Draft", "no-such-model", "seconds", D("8")),), active=False
    )

    assert validate_catalogue(replace(dev_flows, workflows={**dev_flows.workflows, "prd": workflow})).ok


# ---- Revenue per credit ------------------------------------------------------------


@pytest.mark.parametrize(
    ("basis", "fixed", "active", "says", "losses"),
    [
        ("fixed", None, True, "the revenue basis is fixed, but no fixed revenue per credit above 0 is set", 2),
        ("fixed", D("0"), True, "the revenue basis is fixed, but no fixed revenue per credit above 0 is set", 2),
        ("lowest", None, False, "the revenue basis is the lowest price per credit, but no active offer", 0),
    ],
)
def test_no_revenue_per_credit(demo, basis, fixed, active, says, losses):
    policy = replace(demo.product, revenue_basis=basis, fixed_revenue_per_credit=fixed)
    offers = tuple(replace(offer, active=offer.active and active) for offer in demo.offers)
    validation = validate_catalogue(replace(demo, product=policy, offers=offers))
    (error,) = validation.errors

    assert (error.rule, error.place) == ("revenue", "revenue per credit")
    assert error.message.startswith(f"revenue per credit: {says}")
    # Without a basis nothing is below target; WAN 2.1 still loses money at the lowest offer's price.
    assert [warning.rule for warning in validation.warnings] == ["loss"] * losses
    assert all(warning.message.endswith("%)") for warning in validation.warnings)


# ---- Order -------------------------------------------------------------------------


def test_errors_come_first_then_places_in_order(demo):
    veo = demo.models["veo-3"]
    catalogue = _with_model(
        demo, "veo-3", costs=veo.costs[:1], variants=(*veo.variants, Variant("hd", "HD", is_default=True))
    )
    catalogue = _with_rate(catalogue, "sora-2", default_quantity=D("7"))
    validation = validate_catalogue(catalogue)

    assert [(problem.blocking, problem.rule, problem.place) for problem in validation.problems[:3]] == [
        (True, "default_quantity", "credit rate sora-2 / all variants / seconds"),
        (True, "rate_without_cost", "credit rate veo-3 / all variants / seconds"),
        (True, "default_variant", "model 'veo-3'"),
    ]
    assert "on no-audio, hd," in validation.errors[1].message
    assert [problem.blocking for problem in validation.problems] == [True] * 3 + [False] * 6
    assert validation.problems == validate_catalogue(catalogue).problems
