"""The margin report: what the admin columns, the model page and the margins
dashboard show for every rate, workflow and plan. On the demo catalogue and on
small catalogues built for one case each, without a database."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from pricing.catalogue import Catalogue, Cost, FxRate, Model, Offer, Plan, Product, Rate, Step, Variant, Workflow
from pricing.costing import usage_cost
from pricing.errors import MissingCost
from pricing.report import (
    BELOW_TARGET,
    CANNOT_PRICE,
    LOSS,
    MISSING_COST,
    NO_EXCHANGE_RATE,
    NO_RATE,
    margin_report,
)
from tests.demo_catalogue import demo_catalogue, demo_product

D = Decimal


@pytest.fixture(scope="module")
def demo():
    """Seed 003's video credits, the default product."""
    return demo_product("video")


@pytest.fixture(scope="module")
def report(demo):
    return margin_report(demo)


@pytest.fixture(scope="module")
def coaching():
    """Seed 002's minutes: TWD, judged at the 100 TWD plan's 100 / 180 TWD a minute against 40–50 %."""
    return margin_report(demo_product("coaching"))


@pytest.fixture(scope="module")
def sora_prompts():
    """Seed 000's prompts, costed in the gateway's points, sold nowhere."""
    return margin_report(demo_product("sora-prompts"))


@pytest.fixture(scope="module")
def dev_flows():
    """Seed 001's developer flows, costed in USD, sold nowhere."""
    return margin_report(demo_product("dev-flows"))


def _row(report, model, variant, meter="seconds", tier=""):
    rows = [row for row in report.models[model].rows if (row.variant, row.meter, row.tier) == (variant, meter, tier)]
    assert len(rows) == 1, rows
    return rows[0]


def _plan(report, slug):
    (plan,) = [plan for plan in report.plans if plan.slug == slug]
    return plan


DEFAULT = (Variant("default", "Default", is_default=True),)


def _model(slug="m", *, costs=(), rates=(), variants=DEFAULT):
    return Model(
        slug=slug,
        name=slug.title(),
        provider="p",
        modality="video",
        variants=variants,
        costs=tuple(costs),
        rates=tuple(rates),
    )


def _catalogue(*models, workflows=(), plans=(), offers=None, fx_rates=(), basis="fixed"):
    """USD reporting, 75% target, judged at a fixed $0.05; one pack at $0.04 a credit is the lowest."""
    return Catalogue(
        product=Product("USD", D("0.75"), basis, D("0.05") if basis == "fixed" else None),
        fx_rates=tuple(fx_rates),
        offers=tuple(offers) if offers is not None else (Offer("pack", "pack", "Pack", D("40"), "USD", 1000),),
        plans=tuple(plans),
        meters=demo_catalogue().meters,
        models={model.slug: model for model in models},
        workflows={workflow.slug: workflow for workflow in workflows},
    )


# ---- Revenue per credit ------------------------------------------------------------


def test_the_report_carries_the_policy(report):
    assert report.reporting_currency == "USD"
    assert report.target_gross_margin == D("0.75")
    assert report.problems == ()


def test_inactive_and_free_offers_do_not_set_the_revenue_per_credit():
    offers = (
        Offer("pack", "cheap", "Cheap", D("10"), "USD", 1000, active=False),  # $0.01, not sold
        Offer("pack", "free", "Free trial", D("0"), "USD", 50),  # gives credits away
        Offer("pack", "a", "A", D("40"), "USD", 1000),
        Offer("plan", "b", "B", D("60"), "USD", 1000),
    )
    report = margin_report(_catalogue(offers=offers, basis="mean"))

    assert (report.revenue.lowest, report.revenue.mean, report.revenue.highest) == (D("0.04"), D("0.05"), D("0.06"))
    assert report.revenue.basis == D("0.05")
    assert len(report.revenue.offers) == 4


def test_an_offer_without_an_exchange_rate_is_a_problem_not_a_price():
    offers = (Offer("pack", "euro", "Euro pack", D("10"), "EUR", 100), Offer("pack", "a", "A", D("40"), "USD", 1000))
    report = margin_report(_catalogue(offers=offers))

    (euro,) = [item for item in report.revenue.offers if item.offer.slug == "euro"]
    assert euro.per_credit == D("0.1")
    assert euro.per_credit_reporting is None
    assert report.revenue.lowest == report.revenue.highest == D("0.04")
    assert report.problems == ("pack 'euro': no exchange rate from EUR to USD",)


# ---- Rows and flags on the demo ------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "variant", "flags"),
    [
        ("sora-2", "720p", ()),
        ("sora-2-pro", "720p", ()),
        ("sora-2-pro", "1080p", (BELOW_TARGET,)),
        ("luma-ray-3", "720p", ()),
        ("luma-ray-3", "1080p", ()),
        ("luma-ray-3", "4k", (BELOW_TARGET,)),
        ("kling-v2-1", "standard", ()),
        ("kling-v2-1", "pro", ()),
        # $3.00 of revenue against $0.75 of cost: exactly the 75% target, which is not below it.
        ("veo-3", "audio", ()),
        ("veo-3", "no-audio", ()),
        ("minimax-hailuo-02", "768p", ()),
        ("minimax-hailuo-02", "1080p", (BELOW_TARGET,)),
        ("wan-2-1", "480p", (LOSS, BELOW_TARGET)),
        ("wan-2-1", "720p", (LOSS, BELOW_TARGET)),
        ("mochi-1", "default", (BELOW_TARGET,)),
    ],
)
def test_flags_of_every_sold_video_rate(report, model, variant, flags):
    row = _row(report, model, variant)

    assert row.charged
    assert row.flags == flags
    assert row.problems == ()


@pytest.mark.parametrize(
    ("variant", "credits", "cost", "revenue_lowest", "margin_lowest", "margin_basis", "suggested"),
    [
        # WAN Draft: 2 credits × $0.0358 = $0.0716 against $0.09; at $0.05, $0.10 leaves 10%.
        ("480p", "2", "0.09", "0.0716", (D("0.0716") - D("0.09")) / D("0.0716"), "0.1", 8),
        # WAN Pro: 5 × $0.0358 = $0.179 against $0.25; at $0.05, $0.25 leaves nothing.
        ("720p", "5", "0.25", "0.179", (D("0.179") - D("0.25")) / D("0.179"), "0", 20),
    ],
)
def test_wan_2_1_loses_money_on_both_variants(
    report, variant, credits, cost, revenue_lowest, margin_lowest, margin_basis, suggested
):
    row = _row(report, "wan-2-1", variant)

    assert row.credits == D(credits)
    assert row.cost_reporting.high == D(cost)
    assert row.revenue_lowest == D(revenue_lowest)
    assert row.at_lowest.worst.is_loss
    assert row.at_lowest.worst.gross_margin == margin_lowest
    assert row.at_basis.worst.gross_margin == D(margin_basis)
    assert row.suggested_credits == suggested


def test_wan_2_1_model_flags(report):
    wan = report.models["wan-2-1"]

    assert wan.flags == (LOSS, BELOW_TARGET)
    assert wan.worst() == D("0")
    assert wan.worst("480p") == D("0.1")
    assert wan.worst(at="lowest") == (D("0.179") - D("0.25")) / D("0.179")


@pytest.mark.parametrize(
    ("model", "variant", "flags"),
    [
        ("wan-2-1", "480p", (LOSS, BELOW_TARGET)),
        ("wan-2-1", "720p", (LOSS, BELOW_TARGET)),
        ("sora-2-pro", "1080p", (BELOW_TARGET,)),
        ("sora-2-pro", "720p", ()),
    ],
)
def test_variant_flags_gather_every_flag_of_the_variant(report, model, variant, flags):
    """The admin's variant column shows these badges: a losing variant is also below target."""
    assert report.models[model].variant_flags(variant) == flags


@pytest.mark.parametrize("variant", ["standard", "enterprise"])
def test_variant_flags_of_a_costed_variant_sold_in_no_rate(coaching, variant):
    """Coaching buys ElevenLabs' speech to text by the hour and charges no credit rate on it."""
    assert coaching.models["scribe-v2-realtime"].variant_flags(variant) == (NO_RATE,)


def test_variant_flags_of_a_variant_with_two_problems():
    sora_prompts = demo_product("sora-prompts")
    fx_rates = tuple(rate for rate in sora_prompts.fx_rates if (rate.from_currency, rate.to_currency) != ("CNY", "PTS"))
    report = margin_report(replace(sora_prompts, fx_rates=fx_rates))

    assert report.models["gemini-3-pro"].variant_flags("default") == (NO_RATE, NO_EXCHANGE_RATE)


@pytest.mark.parametrize(
    ("variant", "margin", "suggested", "flags"),
    [
        # $0.30/s: 35 × $0.05 = $1.75 leaves 82.86%; 24 credits would reach 75%.
        ("720p", D("1.45") / D("1.75"), 24, ()),
        # $0.50/s: $1.75 leaves 71.43%; $0.50 / ($0.05 × 25%) = 40 credits a second.
        ("1080p", D("1.25") / D("1.75"), 40, (BELOW_TARGET,)),
    ],
)
def test_sora_2_pro_at_the_basis(report, variant, margin, suggested, flags):
    row = _row(report, "sora-2-pro", variant)

    assert row.revenue_basis == D("1.75")
    assert row.at_basis.worst.gross_margin == margin
    assert not row.at_lowest.worst.is_loss
    assert row.suggested_credits == suggested
    assert row.flags == flags


def test_mochi_cost_band_is_judged_at_its_high_end(report):
    """Seed 003: Mochi 1 through API providers, "$0.05-$0.20/sec estimated"."""
    row = _row(report, "mochi-1", "default")

    assert (row.cost.low, row.cost.high) == (D("0.05"), D("0.20"))
    assert row.revenue_basis == D("0.50")
    assert row.at_basis.worst.cost == D("0.20")
    assert row.at_basis.worst.gross_margin == D("0.6")
    assert row.at_basis.best.cost == D("0.05")
    assert row.at_basis.best.gross_margin == D("0.9")
    assert row.flags == (BELOW_TARGET,)  # 60% at the high end, though 90% at the low end
    assert row.suggested_credits == 16  # $0.20 / ($0.05 × 25%)
    assert report.models["mochi-1"].worst() == D("0.6")


@pytest.mark.parametrize(
    ("product", "model", "meter", "suggested"),
    [
        # Developer flows sells nothing: no revenue per credit, so no credits to suggest.
        ("dev_flows", "claude-3-5-sonnet", "input_tokens", None),
        ("dev_flows", "claude-3-5-sonnet", "output_tokens", None),
        ("dev_flows", "gpt-4-turbo", "output_tokens", None),
        # Coaching: a minute earns 100 / 180 TWD, 40 % of it is kept, so a minute may cost 1/3 TWD.
        # $0.10 per 1M × 32 = 3.2 TWD: 9.6 minutes, rounded up.
        ("coaching", "gemini-flash-lite-latest", "input_tokens", 10),
        ("coaching", "text-embedding-3-small", "input_tokens", 2),  # 0.64 TWD / (1/3 TWD) = 1.92, rounded up
    ],
)
def test_llm_rows_are_costed_but_not_sold(request, product, model, meter, suggested):
    report = request.getfixturevalue(product)
    row = _row(report, model, "default", meter)

    assert row.per_units == 1_000_000
    assert row.cost_reporting is not None
    assert not row.charged
    assert (row.revenue_lowest, row.revenue_basis, row.at_lowest, row.at_basis) == (None, None, None, None)
    assert row.flags == (NO_RATE,)
    assert row.suggested_credits == suggested
    assert report.models[model].flags == (NO_RATE,)
    assert report.models[model].worst() is None


def test_every_demo_row_is_one_model_variant_and_meter(report, demo):
    keys = [(row.model, row.variant, row.meter) for row in report.rows]
    expected = [
        (model.slug, variant.slug, meter)
        for model in demo.models.values()
        for variant in model.variants
        for meter in dict.fromkeys((*model.costed_meters(variant.slug), *model.charged_meters(variant.slug)))
    ]

    assert keys == expected
    assert not [row for row in report.rows if MISSING_COST in row.flags or NO_EXCHANGE_RATE in row.flags]


# ---- Cost per N units ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "variant", "provider_price", "per_second"),
    [
        ("luma-ray-3", "720p", "$0.71 per 5 s", "0.142"),
        ("luma-ray-3", "1080p", "$0.86 per 5 s", "0.172"),
        ("luma-ray-3", "4k", "$0.96 per 5 s", "0.192"),
        ("kling-v2-1", "standard", "$0.28 per 5 s", "0.056"),
        ("kling-v2-1", "pro", "$0.49 per 5 s", "0.098"),
        # "~$0.045/sec (768p), ~$0.08/sec (1080p)": exact, not approximate.
        ("minimax-hailuo-02", "768p", "$0.27 per 6 s", "0.045"),
        ("minimax-hailuo-02", "1080p", "$0.48 per 6 s", "0.08"),
    ],
)
def test_cost_per_n_units_is_scaled_exactly_to_the_rate(report, model, variant, provider_price, per_second):
    row = _row(report, model, variant)

    assert row.per_units == 1  # the credit rate's unit: per second
    assert row.cost.is_exact
    assert row.cost.low == D(per_second)
    assert row.cost_reporting.low == D(per_second)


def test_an_unsold_model_is_shown_per_its_cost_unit():
    """Luma Ray Flash 2 (in the demo, sold by no product) has no credit rate: its row stays per
    5-second video, $0.24, judged here at $0.05 a credit against 75 %."""
    row = _row(margin_report(_catalogue(demo_catalogue().models["luma-ray-flash-2"])), "luma-ray-flash-2", "720p")

    assert (row.per_units, row.cost.low, row.credits) == (5, D("0.24"), None)
    assert row.suggested_credits == 20  # per 5 s: $0.24 / $0.0125 = 19.2, rounded up


def test_a_rate_per_n_units_is_judged_per_n_units():
    model = _model(costs=[Cost("seconds", D("0.10"), "USD")], rates=[Rate("seconds", D("40"), per_units=5)])

    row = _row(margin_report(_catalogue(model)), "m", "default")

    assert (row.per_units, row.credits) == (5, D("40"))
    assert row.cost.low == D("0.50")
    assert row.revenue_basis == D("2.00")
    assert row.at_basis.worst.gross_margin == D("0.75")
    assert row.suggested_credits == 40


# ---- Missing cost, missing exchange rate ----------------------------------------------


def test_a_charged_meter_without_a_cost_is_flagged_and_never_priced_at_zero():
    model = _model(
        costs=[Cost("seconds", D("0.10"), "USD")], rates=[Rate("seconds", D("10")), Rate("requests", D("5"))]
    )

    report = margin_report(_catalogue(model))
    row = _row(report, "m", "default", "requests")

    assert row.flags == (MISSING_COST,)
    assert row.problems == ("m / default / requests: charged in credits but no provider cost from p is known",)
    assert row.credits == D("5")
    assert (row.cost, row.cost_reporting, row.revenue_lowest, row.revenue_basis) == (None, None, None, None)
    assert (row.at_lowest, row.at_basis, row.suggested_credits) == (None, None, None)
    assert report.models["m"].flags == (MISSING_COST,)
    assert _row(report, "m", "default", "seconds").flags == ()
    with pytest.raises(MissingCost, match=r"m / default / requests: no provider cost .*costed meters: seconds"):
        usage_cost(model, None, {"requests": D(1)})


def test_a_cost_in_a_currency_without_an_exchange_rate():
    model = _model(costs=[Cost("seconds", D("0.09"), "EUR")], rates=[Rate("seconds", D("10"))])

    row = _row(margin_report(_catalogue(model)), "m", "default")

    assert (row.cost.low, row.cost_currency) == (D("0.09"), "EUR")
    assert row.cost_reporting is None
    assert row.flags == (NO_EXCHANGE_RATE,)
    assert row.problems == ("m / default / seconds: no exchange rate from EUR to USD",)
    assert (row.at_lowest, row.at_basis, row.suggested_credits) == (None, None, None)


def test_a_cost_converted_through_an_exchange_rate():
    """€0.09 at 1 USD = 0.9 EUR is $0.10: judged like Sora 2."""
    model = _model(costs=[Cost("seconds", D("0.09"), "EUR")], rates=[Rate("seconds", D("10"))])
    fx = FxRate("USD", "EUR", D("1"), D("0.9"), date(2026, 1, 1))

    row = _row(margin_report(_catalogue(model, fx_rates=[fx])), "m", "default")

    assert row.cost_reporting.low == D("0.1")
    assert row.at_basis.worst.gross_margin == D("0.8")
    assert row.flags == ()


def test_the_demo_invents_no_usd_cny_rate():
    """Seed 000 never converts its yuan to dollars: its product reports in points."""
    pairs = {(rate.from_currency, rate.to_currency) for rate in demo_catalogue().fx_rates}

    assert ("USD", "CNY") not in pairs and ("CNY", "USD") not in pairs
    assert ("CNY", "PTS") in pairs


def test_seed_000_without_the_cny_pts_rate():
    """Seed 000's CNY costs reach its points only through the ¥99 → 1,600,000 points rate."""
    sora_prompts = demo_product("sora-prompts")
    fx_rates = tuple(rate for rate in sora_prompts.fx_rates if (rate.from_currency, rate.to_currency) != ("CNY", "PTS"))
    report = margin_report(replace(sora_prompts, fx_rates=fx_rates))

    row = _row(report, "gemini-3-flash", "default", "input_tokens")
    assert row.flags == (NO_RATE, NO_EXCHANGE_RATE)
    assert row.cost_reporting is None
    assert row.problems == ("gemini-3-flash / default / input_tokens: no exchange rate from CNY to PTS",)

    prompts = report.workflows["prompt-production"]
    assert prompts.cost is None
    assert prompts.flags == (NO_EXCHANGE_RATE,)
    assert prompts.problems == (
        "workflow 'prompt-production', step 1 (Step A: generate (input)): no exchange rate from CNY to PTS",
    )


def test_exchange_rates_in_force_on_a_day():
    """On 1 January 2026 seed 002's 32 TWD a dollar (dated 7 February) and seed 000's ¥99 →
    1,600,000 points (dated 25 January) are not yet in force."""
    coaching = margin_report(demo_product("coaching"), on=date(2026, 1, 1))

    hour = coaching.workflows["coaching-session-hour"]
    assert hour.cost is None
    assert hour.flags == (NO_EXCHANGE_RATE,)
    basic = _plan(coaching, "coach-basic")
    assert basic.economics is None
    assert basic.problems[0].startswith("plan 'coach-basic': workflow 'coaching-session-hour', step 1 ")
    assert basic.problems[0].endswith("no exchange rate from USD to TWD")
    assert NO_EXCHANGE_RATE in _row(coaching, "gemini-3-flash-preview", "default", "output_tokens").flags

    sora_prompts = margin_report(demo_product("sora-prompts"), on=date(2026, 1, 1))
    assert NO_EXCHANGE_RATE in _row(sora_prompts, "gemini-3-pro", "default", "output_tokens").flags
    assert margin_report(demo_product("sora-prompts"), on=date(2026, 1, 25)).workflows["prompt-production"].flags == ()


# ---- Tiers --------------------------------------------------------------------------------


def _tiered(mode):
    per_1m = 1_000_000
    return _model(
        costs=[
            Cost("input_tokens", D("1.25"), "USD", per_units=per_1m),
            Cost("input_tokens", D("2.50"), "USD", per_units=per_1m, tier_threshold=D("200000"), tier_mode=mode),
        ],
        rates=[Rate("input_tokens", D("100"), per_units=per_1m)],
    )


@pytest.mark.parametrize("mode", ["cliff", "graduated"])
def test_tiers_produce_their_own_rows(mode):
    report = margin_report(_catalogue(_tiered(mode)))

    base, tier = report.models["m"].rows
    assert (base.tier, tier.tier) == ("", f"above 200,000 input_tokens ({mode})")
    assert (base.per_units, tier.per_units) == (1_000_000, 1_000_000)
    assert (base.credits, tier.credits) == (D("100"), D("100"))
    assert (base.cost.low, tier.cost.low) == (D("1.25"), D("2.50"))
    # 100 credits × $0.05 = $5.00: 75% on the base price (the target, met), 50% above the threshold.
    assert (base.at_basis.worst.gross_margin, tier.at_basis.worst.gross_margin) == (D("0.75"), D("0.5"))
    assert (base.flags, tier.flags) == ((), (BELOW_TARGET,))
    assert (base.suggested_credits, tier.suggested_credits) == (100, 200)
    assert report.models["m"].flags == (BELOW_TARGET,)


def test_tiers_mixing_modes_are_a_problem_not_a_price():
    model = _model(
        costs=[
            Cost("input_tokens", D("1"), "USD", per_units=1000),
            Cost("input_tokens", D("2"), "USD", per_units=1000, tier_threshold=D("10"), tier_mode="cliff"),
            Cost("input_tokens", D("3"), "USD", per_units=1000, tier_threshold=D("20"), tier_mode="graduated"),
        ],
        rates=[Rate("input_tokens", D("50"), per_units=1000)],
    )

    (row,) = margin_report(_catalogue(model)).models["m"].rows

    assert row.cost is None and row.at_basis is None
    assert row.problems == ("m / default / input_tokens: tiers mix cliff and graduated; use one mode per meter",)
    assert row.flags == (CANNOT_PRICE,)
    assert margin_report(_catalogue(model)).models["m"].flags == (CANNOT_PRICE,)


# ---- Workflows ------------------------------------------------------------------------------


def test_a_sold_workflow_is_judged_like_a_rate(coaching):
    """The coaching hour: 60 minutes, $0.58665 × 32 = 18.7728 TWD. At the basis, 60 × 100 / 180 TWD
    = 33.33… TWD: 43.7 %, inside the 40–50 % target. At the lowest (the 500 TWD plan's 500 / 1,200
    TWD a minute), 25 TWD: 24.9 %."""
    hour = coaching.workflows["coaching-session-hour"]
    revenue_basis = 60 * (D("100") / D("180"))

    assert hour.credits_per_unit == D("60")
    assert hour.cost.expected.high == D("18.7728")
    assert hour.revenue_lowest == D("25")
    assert hour.revenue_basis == revenue_basis
    assert hour.at_basis.worst.gross_margin == (revenue_basis - D("18.7728")) / revenue_basis
    assert hour.at_basis.worst.gross_margin.quantize(D("0.001")) == D("0.437")
    assert hour.at_lowest.worst.gross_margin == (D("25") - D("18.7728")) / D("25")
    assert hour.flags == ()
    assert hour.problems == ()


def test_a_workflow_below_target():
    model = _model(costs=[Cost("seconds", D("0.10"), "USD")])
    workflow = Workflow(
        "clip", "Clip", "clip", (Step("render", "m", "seconds", D("8"), multiplier=D("2")),), credits_per_unit=D("40")
    )

    clip = margin_report(_catalogue(model, workflows=[workflow])).workflows["clip"]

    assert clip.cost.expected.low == D("1.60")
    assert clip.revenue_lowest == D("1.60")  # 40 × $0.04: no profit, but no loss
    assert clip.at_lowest.worst.gross_margin == D("0")
    assert clip.at_basis.worst.gross_margin == D("0.2")
    assert clip.flags == (BELOW_TARGET,)


@pytest.mark.parametrize(
    ("product", "slug"),
    [
        ("coaching", "coaching-session-hour-optimised"),
        ("sora_prompts", "prompt-production"),
        ("dev_flows", "prd"),
        ("dev_flows", "ux"),
        ("dev_flows", "deploy"),
        ("dev_flows", "project"),
    ],
)
def test_an_internal_workflow_is_costed_not_judged(request, product, slug):
    internal = request.getfixturevalue(product).workflows[slug]

    assert internal.credits_per_unit is None
    assert internal.cost is not None
    assert (internal.revenue_lowest, internal.revenue_basis, internal.at_lowest, internal.at_basis) == (
        None,
        None,
        None,
        None,
    )
    assert internal.flags == ()


@pytest.mark.parametrize(
    ("step", "flag", "problem"),
    [
        (
            Step("count calls", "m", "requests", D("1")),
            MISSING_COST,
            "workflow 'w', step 2 (count calls): m / default / requests: no provider cost from p for this meter "
            "(p's costed meters: seconds)",
        ),
        (Step("ghost", "ghost", "seconds", D("1")), CANNOT_PRICE, "workflow 'w', step 2 (ghost): no model 'ghost'"),
        (
            Step("4k", "m", "seconds", D("1"), variant="4k"),
            CANNOT_PRICE,
            "workflow 'w', step 2 (4k): model 'm' has no variant '4k'; its variants are: default",
        ),
        (
            Step("euro", "euro", "seconds", D("1")),
            NO_EXCHANGE_RATE,
            "workflow 'w', step 2 (euro): no exchange rate from EUR to USD",
        ),
    ],
    ids=["meter without cost", "unknown model", "unknown variant", "no exchange rate"],
)
def test_a_workflow_step_that_cannot_be_priced(step, flag, problem):
    models = (_model(costs=[Cost("seconds", D("0.10"), "USD")]), _model("euro", costs=[Cost("seconds", D("1"), "EUR")]))
    workflow = Workflow("w", "W", "unit", (Step("render", "m", "seconds", D("8")), step), credits_per_unit=D("20"))
    plan = Plan("p", "P", D("10"), "USD", "month", 100, usage_workflow="w")

    report = margin_report(_catalogue(*models, workflows=[workflow], plans=[plan]))

    broken = report.workflows["w"]
    assert broken.cost is None
    assert broken.flags == (flag,)
    assert broken.problems == (problem,)
    assert (broken.at_lowest, broken.at_basis) == (None, None)
    (plan_report,) = report.plans
    assert plan_report.economics is None
    assert plan_report.problems == (f"plan 'p': {problem}",)


# ---- Plans --------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["explorer", "creator", "agency"])
def test_a_plan_without_usage_workflow_has_no_economics(report, slug):
    plan = _plan(report, slug)

    assert plan.active
    assert plan.economics is None
    assert plan.problems == ()


@pytest.mark.parametrize("slug", ["coach-basic", "coach-standard", "coach-pro"])
def test_coaching_plans_are_costed_on_the_session_hour_in_their_currency(coaching, slug):
    plan = _plan(coaching, slug)

    assert plan.active
    assert plan.problems == ()
    assert plan.economics.workflow == "coaching-session-hour"
    assert plan.economics.unit_label == "session hour"
    assert plan.economics.currency == "TWD"
    assert plan.economics.cost_per_unit == D("0.58665") * 32


@pytest.mark.parametrize(
    ("product", "usage_workflow", "problem"),
    [
        ("dev-flows", "prd", "plan 'p': workflow 'prd' is internal (no credits per unit)"),
        ("dev-flows", "ghost", "plan 'p': no workflow 'ghost'"),
        # Another product's workflow is not this product's to sell.
        ("video", "coaching-session-hour", "plan 'p': no workflow 'coaching-session-hour'"),
    ],
)
def test_a_plan_on_a_workflow_without_credits_is_a_problem(product, usage_workflow, problem):
    plan = Plan("p", "P", D("100"), "USD", "month", 100, usage_workflow=usage_workflow)

    report = margin_report(replace(demo_product(product), plans=(plan,)))

    (plan_report,) = report.plans
    assert plan_report.economics is None
    assert plan_report.problems == (problem,)


def test_a_plan_in_a_currency_without_an_exchange_rate():
    plan = Plan("p", "P", D("100"), "EUR", "month", 180, usage_workflow="coaching-session-hour")

    (plan_report,) = margin_report(replace(demo_product("coaching"), plans=(plan,))).plans

    assert plan_report.economics is None
    assert plan_report.problems == ("plan 'p': no exchange rate from TWD to EUR",)


def test_a_plan_is_costed_at_the_high_end_of_its_workflow():
    """A workflow whose cost is a band ($0.05–0.20 a second) costs a plan its worst case."""
    model = _model(costs=[Cost("seconds", D("0.05"), "USD", price_high=D("0.20"))])
    workflow = Workflow("clip", "Clip", "clip", (Step("render", "m", "seconds", D("10")),), credits_per_unit=D("100"))
    plan = Plan("p", "P", D("20"), "USD", "month", 1000, overage_price_per_credit=D("0.01"), usage_workflow="clip")

    (plan_report,) = margin_report(_catalogue(model, workflows=[workflow], plans=[plan])).plans

    economics = plan_report.economics
    assert economics.cost_per_unit == D("2.00")
    assert economics.cost_per_credit == D("0.02")
    assert economics.margin.gross_margin == D("0")  # 1,000 credits × $0.02 = the $20 price
    assert economics.break_even_credits == D("1000")
    assert economics.overage_below_cost  # $0.01 a credit against $0.02
